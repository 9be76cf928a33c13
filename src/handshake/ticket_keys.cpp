// Server-side session ticket protection (RFC 8446 §4.6.1: the ticket is
// "an opaque label" whose format is the server's choice; RFC 5077 §4 gives
// the usual design of key name + IV + encrypted state + MAC).
//
// Format: key_id(4) || nonce(12) || AES-256-GCM(state) || tag(16), with the
// key id as additional data. A key seals new tickets for one rotation
// period, then only opens old ones for one more period, then is forgotten.
// Nonces are random: with at most a few billion tickets per key a 96-bit
// random GCM nonce stays far below the collision bound (NIST SP 800-38D §8.3),
// and rotation keeps the count per key bounded.
#include <array>
#include <cstring>
#include <optional>

#include <openssl/crypto.h>

#include "crypto/aead.h"
#include "crypto/random.h"
#include "vouch/session.h"

namespace vouch {
namespace {

constexpr size_t kKeyIdLength = 4;
constexpr size_t kTicketOverhead = kKeyIdLength + kAeadNonceLength + kAeadTagLength;

}  // namespace

struct TicketKeys::State {
  struct Key {
    std::array<uint8_t, kKeyIdLength> id;
    Aead aead;
  };

  std::mutex mu;
  std::chrono::seconds rotation{0};
  std::chrono::steady_clock::time_point rotated_at{};
  std::optional<Key> current;   // seals and opens
  std::optional<Key> previous;  // only opens

  // Makes a fresh random key the current one; the old current becomes the
  // previous one and the old previous is dropped. On failure nothing changes.
  Status rotate_locked() {
    std::array<uint8_t, 32> secret{};
    std::array<uint8_t, kKeyIdLength> id{};
    Status st = random_bytes(secret);
    // A new id distinct from the key it replaces, so a ticket never names two
    // live keys (a repeat of a dropped key's id only fails the tag check).
    for (int tries = 0; st.ok() && tries < 8; ++tries) {
      st = random_bytes(id);
      if (!current || id != current->id) break;
    }
    if (!st.ok()) {
      OPENSSL_cleanse(secret.data(), secret.size());
      return st;
    }
    auto aead = Aead::create(AeadAlg::aes256gcm, secret);
    OPENSSL_cleanse(secret.data(), secret.size());
    if (!aead.ok()) return std::move(aead).error();
    previous = std::move(current);
    current.emplace(Key{id, std::move(aead).value()});
    rotated_at = std::chrono::steady_clock::now();
    return {};
  }

  // Rotates when the period has passed (a zero or negative period disables
  // automatic rotation). A failed automatic rotation keeps the old key: it is
  // better to keep serving tickets than to stop resumption altogether.
  Status maybe_rotate_locked() {
    if (!current) return rotate_locked();
    if (rotation.count() > 0 && std::chrono::steady_clock::now() - rotated_at >= rotation) {
      (void)rotate_locked();
    }
    return {};
  }

  Key* find(ByteView id) {
    for (auto* k : {&current, &previous}) {
      if (*k && std::memcmp((*k)->id.data(), id.data(), kKeyIdLength) == 0) return &**k;
    }
    return nullptr;
  }
};

TicketKeys::TicketKeys(std::chrono::seconds rotation) : s_(std::make_unique<State>()) {
  s_->rotation = rotation;
  // If the CSPRNG fails here, seal() retries and reports the error then.
  (void)s_->rotate_locked();
}

TicketKeys::~TicketKeys() = default;

Result<Bytes> TicketKeys::seal(ByteView plaintext) {
  std::lock_guard<std::mutex> lock(s_->mu);
  VOUCH_TRY(s_->maybe_rotate_locked());
  State::Key& key = *s_->current;

  Bytes out(kTicketOverhead + plaintext.size());
  std::memcpy(out.data(), key.id.data(), kKeyIdLength);
  const std::span<uint8_t> nonce(out.data() + kKeyIdLength, kAeadNonceLength);
  VOUCH_TRY(random_bytes(nonce));
  uint8_t* body = out.data() + kKeyIdLength + kAeadNonceLength;
  if (!plaintext.empty()) std::memcpy(body, plaintext.data(), plaintext.size());
  VOUCH_TRY(key.aead.seal(nonce, ByteView(out.data(), kKeyIdLength),
                          ByteView(body, plaintext.size()),
                          std::span<uint8_t>(body, plaintext.size() + kAeadTagLength)));
  return out;
}

Result<Bytes> TicketKeys::open(ByteView ticket) {
  if (ticket.size() < kTicketOverhead) {
    return fail(Alert::decode_error, "ticket: shorter than key id, nonce and tag");
  }
  std::lock_guard<std::mutex> lock(s_->mu);
  VOUCH_TRY(s_->maybe_rotate_locked());
  const ByteView id = ticket.first(kKeyIdLength);
  State::Key* key = s_->find(id);
  if (!key) return fail(Alert::decrypt_error, "ticket: unknown or retired key id");

  Bytes out(ticket.size() - kTicketOverhead);
  Status st = key->aead.open(ticket.subspan(kKeyIdLength, kAeadNonceLength), id,
                             ticket.subspan(kKeyIdLength + kAeadNonceLength), out);
  if (!st.ok()) {
    if (st.error().alert == Alert::bad_record_mac) {
      return fail(Alert::decrypt_error, "ticket: authentication failed");
    }
    return std::move(st).error();
  }
  return out;
}

void TicketKeys::rotate() {
  std::lock_guard<std::mutex> lock(s_->mu);
  // On a CSPRNG failure the current key stays in use (see maybe_rotate_locked).
  (void)s_->rotate_locked();
}

}  // namespace vouch
