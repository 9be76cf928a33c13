// Ticket keys shared through a SharedStore (see vouch/shared_ticket_keys.h).
//
// The published value is sealed with the fleet's key-encryption key:
//   nonce (12) | AES-256-GCM( "vTkS" | u8 version 1 | u64 rotated_at_ms |
//                             TicketKeys::export_keys() ) | tag (16)
// with the store key as additional data, so a value copied from another
// store key (or another fleet) does not open. The plaintext's format is in
// store/ticket_keys_record.h.
#include "vouch/shared_ticket_keys.h"

#include <mutex>
#include <optional>

#include "crypto/aead.h"
#include "crypto/random.h"
#include "crypto/wipe.h"
#include "store/lease_owner.h"
#include "store/ticket_keys_record.h"

namespace vouch {
namespace {

using std::chrono::milliseconds;
using SysTime = std::chrono::system_clock::time_point;

constexpr size_t kWrappingKeyLength = 32;
// A rotation holds the lease for one read-modify-write; a holder that dies
// frees it after this.
constexpr milliseconds kLeaseDuration{30000};

int64_t to_ms(SysTime t) { return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count(); }

ByteView as_bytes(const std::string& s) { return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

// True if keys published at `published_ms` (milliseconds since the Unix
// epoch, as read from the store: any 64-bit value) are `rotation` old or
// older at `now_ms`. Computed on the millisecond counts: turning the
// published time into a time_point could overflow its nanosecond count
// (undefined behaviour) for a value far from now, and so could a plain
// subtraction. A time in the future is not due (clock skew).
bool rotation_due(int64_t published_ms, int64_t now_ms, std::chrono::seconds rotation) {
  if (published_ms > now_ms) return false;
  // Exact: the difference is in [0, 2^64) and unsigned arithmetic wraps.
  const uint64_t age = static_cast<uint64_t>(now_ms) - static_cast<uint64_t>(published_ms);
  const auto secs = static_cast<uint64_t>(rotation.count());  // >= 60 (create() checks)
  if (secs > UINT64_MAX / 1000) return false;  // longer than any age
  return age >= secs * 1000;
}

// Wipes a secret buffer when it goes out of scope.
struct Wiped {
  Bytes b;
  ~Wiped() { wipe_memory(b); }
};

}  // namespace

const char* to_string(TicketKeySyncResult r) {
  switch (r) {
    case TicketKeySyncResult::unchanged: return "unchanged";
    case TicketKeySyncResult::imported: return "imported";
    case TicketKeySyncResult::rotated: return "rotated";
    case TicketKeySyncResult::refused: return "refused";
    case TicketKeySyncResult::store_error: return "store_error";
  }
  return "unknown";
}

struct SharedTicketKeys::Impl {
  Impl(std::shared_ptr<SharedStore> st, std::shared_ptr<TicketKeys> k, SharedTicketKeysOptions o, Aead w)
      : store(std::move(st)), keys(std::move(k)), options(std::move(o)), wrap(std::move(w)) {}

  std::shared_ptr<SharedStore> store;
  std::shared_ptr<TicketKeys> keys;
  SharedTicketKeysOptions options;
  Aead wrap;
  std::mutex mu;  // one sync at a time
  std::optional<int64_t> held_generation;  // rotated_at of the keys imported or published
  std::string last_error;

  SysTime now() const { return options.clock ? options.clock() : std::chrono::system_clock::now(); }

  Result<Bytes> seal(int64_t rotated_at, ByteView exported) {
    Wiped plain;
    encode_ticket_keys_record(rotated_at, exported, plain.b);
    Bytes out(kAeadNonceLength + plain.b.size() + kAeadTagLength);
    VOUCH_TRY(random_bytes(std::span<uint8_t>(out.data(), kAeadNonceLength)));
    VOUCH_TRY(wrap.seal(ByteView(out.data(), kAeadNonceLength), as_bytes(options.key), plain.b,
                        std::span<uint8_t>(out.data() + kAeadNonceLength, out.size() - kAeadNonceLength)));
    return out;
  }

  struct Published {
    int64_t rotated_at = 0;
    Wiped exported;
  };
  Result<Published> open(ByteView sealed) {
    if (sealed.size() < kAeadNonceLength + kTicketKeysRecordHeader + kAeadTagLength) {
      return data_error("the published ticket keys are too short to be a sealed value");
    }
    Wiped plain;
    plain.b.resize(sealed.size() - kAeadNonceLength - kAeadTagLength);
    if (Status st = wrap.open(sealed.first(kAeadNonceLength), as_bytes(options.key), sealed.subspan(kAeadNonceLength),
                              plain.b);
        !st) {
      return data_error("the published ticket keys do not open with this server's wrapping key "
                        "(corrupted, or written with another key)");
    }
    VOUCH_ASSIGN(TicketKeysRecord record, decode_ticket_keys_record(plain.b));
    Published p;
    p.rotated_at = record.rotated_at_ms;
    p.exported.b.assign(record.exported.begin(), record.exported.end());
    return p;
  }

  TicketKeySyncResult failed(TicketKeySyncResult r, std::string why) {
    last_error = std::move(why);
    return r;
  }

  TicketKeySyncResult sync() {
    std::lock_guard lock(mu);
    last_error.clear();
    const SysTime t = now();
    auto value = store->get(options.key);
    if (!value) return failed(TicketKeySyncResult::store_error, value.error().to_string());

    TicketKeySyncResult result = TicketKeySyncResult::unchanged;
    std::optional<int64_t> published_at;
    if (value->has_value()) {
      auto published = open(**value);
      if (!published) return failed(TicketKeySyncResult::refused, published.error().to_string());
      published_at = published->rotated_at;
      if (held_generation != published->rotated_at) {
        if (Status st = keys->import_keys(published->exported.b); !st) {
          return failed(TicketKeySyncResult::refused, st.error().to_string());
        }
        held_generation = published->rotated_at;
        result = TicketKeySyncResult::imported;
      }
    }
    const bool due = !published_at || rotation_due(*published_at, to_ms(t), options.rotation);
    if (!due) return result;

    auto lease = store->acquire_lease(options.key, options.owner, kLeaseDuration);
    if (!lease) return failed(TicketKeySyncResult::store_error, lease.error().to_string());
    if (!*lease) return result;  // another server rotates; the next sync imports its keys
    // The keys held are the published ones (imported above) or, with none
    // published yet, this server's own: rotating keeps the current key as
    // the previous one, so tickets sealed before the rotation still open.
    keys->rotate();
    auto exported = keys->export_keys();
    TicketKeySyncResult r = TicketKeySyncResult::rotated;
    if (!exported) {
      r = failed(TicketKeySyncResult::store_error, exported.error().to_string());
    } else {
      Wiped plain{std::move(*exported)};
      const int64_t at = to_ms(t);
      auto sealed = seal(at, plain.b);
      if (!sealed) {
        r = failed(TicketKeySyncResult::store_error, sealed.error().to_string());
      } else {
        std::optional<ByteView> expected;
        if (value->has_value()) expected = ByteView(**value);
        auto won = store->compare_and_set(options.key, expected, *sealed, milliseconds(0));
        if (!won) {
          r = failed(TicketKeySyncResult::store_error, won.error().to_string());
        } else if (!*won) {
          r = result;  // someone published meanwhile; imported at the next sync
        } else {
          held_generation = at;
        }
      }
    }
    (void)store->release_lease(options.key, options.owner);
    return r;
  }
};

Result<std::unique_ptr<SharedTicketKeys>> SharedTicketKeys::create(std::shared_ptr<SharedStore> store,
                                                                   std::shared_ptr<TicketKeys> keys,
                                                                   SharedTicketKeysOptions options) {
  if (!store) return config_error("SharedTicketKeys: no store");
  if (!keys) return config_error("SharedTicketKeys: no TicketKeys");
  if (options.wrapping_key.size() != kWrappingKeyLength) {
    return config_error("SharedTicketKeys: the wrapping key must be 32 bytes, not " +
                        std::to_string(options.wrapping_key.size()));
  }
  if (options.rotation < std::chrono::minutes(1)) {
    return config_error("SharedTicketKeys: rotation must be at least one minute");
  }
  if (options.key.empty()) return config_error("SharedTicketKeys: empty store key");
  if (options.owner.empty()) options.owner = unique_lease_owner();
  auto wrap_or = Aead::create(AeadAlg::aes256gcm, options.wrapping_key);
  // The AEAD context holds the key from now on: no second plain copy kept.
  wipe_memory(options.wrapping_key);
  options.wrapping_key.clear();
  VOUCH_ASSIGN(Aead wrap, std::move(wrap_or));
  auto impl = std::make_unique<Impl>(std::move(store), std::move(keys), std::move(options), std::move(wrap));
  return std::make_unique<SharedTicketKeys>(std::move(impl));
}

SharedTicketKeys::SharedTicketKeys(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SharedTicketKeys::~SharedTicketKeys() = default;

TicketKeySyncResult SharedTicketKeys::sync() { return impl_->sync(); }

std::string SharedTicketKeys::last_error() const {
  std::lock_guard lock(impl_->mu);
  return impl_->last_error;
}

}  // namespace vouch
