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

#include "crypto/aead.h"
#include "crypto/random.h"
#include "crypto/wipe.h"
#include "vouch/session.h"

namespace vouch {
namespace {

constexpr size_t kKeyIdLength = 4;
constexpr size_t kSecretLength = 32;  // AES-256
constexpr size_t kTicketOverhead = kKeyIdLength + kAeadNonceLength + kAeadTagLength;

// export_keys() format (see vouch/session.h).
constexpr uint32_t kExportMagic = 0x76546b4b;  // "vTkK"
constexpr uint16_t kExportFormat = 1;
constexpr size_t kExportHeader = 4 + 2 + 1;
constexpr size_t kExportedKey = kKeyIdLength + kSecretLength;

}  // namespace

struct TicketKeys::State {
  struct Key {
    std::array<uint8_t, kKeyIdLength> id;
    Aead aead;
    std::array<uint8_t, kSecretLength> secret;  // kept for export_keys(); wiped when dropped
  };

  ~State() {
    wipe(current);
    wipe(previous);
  }

  static void wipe(std::optional<Key>& k) {
    if (k) wipe_memory(k->secret);
  }

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
      wipe_memory(secret);
      return st;
    }
    auto aead = Aead::create(AeadAlg::aes256gcm, secret);
    if (!aead.ok()) {
      wipe_memory(secret);
      return std::move(aead).error();
    }
    wipe(previous);
    previous = std::move(current);
    current.emplace(Key{id, std::move(aead).value(), secret});
    wipe_memory(secret);
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
  VOUCH_TRY(random_public_bytes(nonce));
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

Result<Bytes> TicketKeys::export_keys() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  VOUCH_TRY(s_->maybe_rotate_locked());
  const size_t count = s_->previous ? 2 : 1;
  Bytes out;
  out.reserve(kExportHeader + count * kExportedKey);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(kExportMagic >> shift));
  out.push_back(static_cast<uint8_t>(kExportFormat >> 8));
  out.push_back(static_cast<uint8_t>(kExportFormat));
  out.push_back(static_cast<uint8_t>(count));
  for (const auto* k : {&s_->current, &s_->previous}) {
    if (!*k) continue;
    out.insert(out.end(), (*k)->id.begin(), (*k)->id.end());
    out.insert(out.end(), (*k)->secret.begin(), (*k)->secret.end());
  }
  return out;
}

Status TicketKeys::import_keys(ByteView in) {
  if (in.size() < kExportHeader) return data_error("ticket keys: truncated header");
  const uint32_t magic = (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) | in[3];
  if (magic != kExportMagic) return data_error("ticket keys: not exported ticket keys");
  const uint16_t format = static_cast<uint16_t>((in[4] << 8) | in[5]);
  if (format != kExportFormat) return data_error("ticket keys: unknown format " + std::to_string(format));
  const size_t count = in[6];
  if (count != 1 && count != 2) return data_error("ticket keys: " + std::to_string(count) + " keys, expected 1 or 2");
  if (in.size() != kExportHeader + count * kExportedKey) {
    return data_error("ticket keys: " + std::to_string(in.size()) + " bytes for " + std::to_string(count) +
                      " keys, expected " + std::to_string(kExportHeader + count * kExportedKey));
  }
  std::optional<State::Key> keys[2];
  for (size_t i = 0; i < count; ++i) {
    const ByteView k = in.subspan(kExportHeader + i * kExportedKey, kExportedKey);
    const ByteView secret = k.subspan(kKeyIdLength);
    auto aead = Aead::create(AeadAlg::aes256gcm, secret);
    if (!aead.ok()) return std::move(aead).error();
    State::Key key{{}, std::move(aead).value(), {}};
    std::memcpy(key.id.data(), k.data(), kKeyIdLength);
    std::memcpy(key.secret.data(), secret.data(), kSecretLength);
    keys[i].emplace(std::move(key));
    wipe_memory(key.secret);  // the moved-from copy
  }
  if (count == 2 && keys[0]->id == keys[1]->id) {
    State::wipe(keys[0]);
    State::wipe(keys[1]);
    return data_error("ticket keys: both keys have the same id");
  }
  std::lock_guard<std::mutex> lock(s_->mu);
  State::wipe(s_->current);
  State::wipe(s_->previous);
  s_->current = std::move(keys[0]);
  s_->previous = std::move(keys[1]);
  s_->rotated_at = std::chrono::steady_clock::now();
  State::wipe(keys[0]);  // the moved-from copies
  State::wipe(keys[1]);
  return {};
}

}  // namespace vouch
