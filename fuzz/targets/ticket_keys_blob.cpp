// libFuzzer target: the ticket keys a fleet shares (SharedTicketKeys,
// vouch/shared_ticket_keys.h). What is published is
//   nonce | AES-256-GCM_wrapping_key(plaintext) | tag,
// the plaintext "vTkS" | version | rotated_at | TicketKeys::export_keys()
// (store/ticket_keys_record.h). Random bytes never pass the tag, so the
// input's first byte chooses what the rest is:
//   0  the plaintext, decoded directly; what decodes is encoded back to the
//      same bytes, and its key material goes to TicketKeys::import_keys
//      (accepted: export_keys() gives it back; refused: nothing changes);
//   1  the published value itself, as a store holding it returns it, through
//      SharedTicketKeys::sync(): it never opens, so sync() must refuse it,
//      import nothing and write nothing to the store;
//   2  the plaintext, sealed here with the fleet's wrapping key and put in
//      the store, through sync(): the real path down to import_keys with the
//      fuzzer's bytes; refused (nothing changed) exactly when the plaintext
//      or its keys are malformed, otherwise imported (or, if due, rotated and
//      published: the store then holds what the keys export).
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "crypto/aead.h"
#include "fuzz_util.h"
#include "store/ticket_keys_record.h"
#include "vouch/session.h"
#include "vouch/shared_ticket_keys.h"
#include "vouch/store.h"

namespace {

using std::chrono::milliseconds;

constexpr char kStoreKey[] = "ticket-keys";
// The fuzz build's clock for sync(): 2023-11-14T22:13:20Z.
constexpr int64_t kNowMs = 1'700'000'000'000;

const vouch::Bytes& wrapping_key() {
  static const vouch::Bytes key(32, 0x4b);
  return key;
}

vouch::ByteView store_key_bytes() {
  return vouch::ByteView(reinterpret_cast<const uint8_t*>(kStoreKey), sizeof(kStoreKey) - 1);
}

// A SharedStore in memory that counts what is written to it.
class MemoryStore final : public vouch::SharedStore {
 public:
  vouch::Result<std::optional<vouch::Bytes>> get(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto it = values_.find(std::string(key));
    if (it == values_.end()) return std::optional<vouch::Bytes>();
    return std::optional<vouch::Bytes>(it->second);
  }
  vouch::Status put(std::string_view key, vouch::ByteView value, milliseconds) override {
    std::lock_guard lock(mu_);
    ++writes;
    values_[std::string(key)] = vouch::Bytes(value.begin(), value.end());
    return {};
  }
  vouch::Result<bool> compare_and_set(std::string_view key, std::optional<vouch::ByteView> expected,
                                      vouch::ByteView desired, milliseconds) override {
    std::lock_guard lock(mu_);
    ++writes;
    auto it = values_.find(std::string(key));
    const bool match = expected ? (it != values_.end() && vouch::Bytes(expected->begin(), expected->end()) == it->second)
                                : it == values_.end();
    if (!match) return false;
    values_[std::string(key)] = vouch::Bytes(desired.begin(), desired.end());
    return true;
  }
  vouch::Result<bool> acquire_lease(std::string_view name, std::string_view owner, milliseconds) override {
    std::lock_guard lock(mu_);
    ++writes;
    auto [it, fresh] = leases_.emplace(std::string(name), std::string(owner));
    return fresh || it->second == owner;
  }
  vouch::Status release_lease(std::string_view name, std::string_view owner) override {
    std::lock_guard lock(mu_);
    auto it = leases_.find(std::string(name));
    if (it != leases_.end() && it->second == owner) leases_.erase(it);
    return {};
  }
  std::string describe() const override { return "memory"; }

  int writes = 0;  // puts, compare-and-sets and lease attempts

 private:
  std::mutex mu_;
  std::map<std::string, vouch::Bytes> values_;
  std::map<std::string, std::string> leases_;
};

vouch::Bytes exported(const vouch::TicketKeys& keys) {
  auto e = keys.export_keys();
  VOUCH_FUZZ_CHECK(e.ok());
  return std::move(e).value();
}

// What the fleet publishes for `plain`: sealed with the wrapping key, the
// store key as additional data (a fixed nonce: a fuzz target, not a fleet).
vouch::Bytes seal(vouch::ByteView plain) {
  auto aead = vouch::Aead::create(vouch::AeadAlg::aes256gcm, wrapping_key());
  VOUCH_FUZZ_CHECK(aead.ok());
  vouch::Bytes out(vouch::kAeadNonceLength + plain.size() + vouch::kAeadTagLength, 0);
  VOUCH_FUZZ_CHECK(aead->seal(vouch::ByteView(out.data(), vouch::kAeadNonceLength), store_key_bytes(), plain,
                              std::span<uint8_t>(out.data() + vouch::kAeadNonceLength,
                                                 out.size() - vouch::kAeadNonceLength))
                       .ok());
  return out;
}

std::optional<vouch::Bytes> unseal(vouch::ByteView sealed) {
  if (sealed.size() < vouch::kAeadNonceLength + vouch::kAeadTagLength) return std::nullopt;
  auto aead = vouch::Aead::create(vouch::AeadAlg::aes256gcm, wrapping_key());
  VOUCH_FUZZ_CHECK(aead.ok());
  vouch::Bytes plain(sealed.size() - vouch::kAeadNonceLength - vouch::kAeadTagLength);
  if (!aead->open(sealed.first(vouch::kAeadNonceLength), store_key_bytes(), sealed.subspan(vouch::kAeadNonceLength),
                  plain)
           .ok()) {
    return std::nullopt;
  }
  return plain;
}

struct Fleet {
  std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();
  std::shared_ptr<vouch::TicketKeys> keys = std::make_shared<vouch::TicketKeys>(std::chrono::seconds(0));
  std::unique_ptr<vouch::SharedTicketKeys> shared;

  Fleet() {
    vouch::SharedTicketKeysOptions o;
    o.wrapping_key = wrapping_key();
    o.rotation = std::chrono::hours(12);
    o.owner = "fuzz";
    o.key = kStoreKey;
    o.clock = [] { return std::chrono::system_clock::time_point(milliseconds(kNowMs)); };
    auto s = vouch::SharedTicketKeys::create(store, keys, std::move(o));
    VOUCH_FUZZ_CHECK(s.ok());
    shared = std::move(s).value();
  }
};

// 0: the plaintext parser and import_keys, directly.
void plaintext(vouch::ByteView in) {
  auto record = vouch::decode_ticket_keys_record(in);
  if (!record.ok()) {
    VOUCH_FUZZ_CHECK(record.error().kind == vouch::ErrorKind::invalid_data);
    return;
  }
  vouch::Bytes again;
  vouch::encode_ticket_keys_record(record->rotated_at_ms, record->exported, again);
  VOUCH_FUZZ_CHECK(again == vouch::Bytes(in.begin(), in.end()));

  vouch::TicketKeys keys(std::chrono::seconds(0));
  const vouch::Bytes before = exported(keys);
  const vouch::Status st = keys.import_keys(record->exported);
  if (st.ok()) {
    VOUCH_FUZZ_CHECK(exported(keys) == vouch::Bytes(record->exported.begin(), record->exported.end()));
    // The imported current key seals tickets that open.
    const vouch::Bytes secret = {1, 2, 3};
    auto ticket = keys.seal(secret);
    VOUCH_FUZZ_CHECK(ticket.ok());
    auto opened = keys.open(*ticket);
    VOUCH_FUZZ_CHECK(opened.ok() && *opened == secret);
  } else {
    VOUCH_FUZZ_CHECK(st.error().kind == vouch::ErrorKind::invalid_data);
    VOUCH_FUZZ_CHECK(exported(keys) == before);
  }
}

// 1: the raw published value through sync().
void sealed_raw(vouch::ByteView in) {
  Fleet f;
  const vouch::Bytes before = exported(*f.keys);
  VOUCH_FUZZ_CHECK(f.store->put(kStoreKey, in, milliseconds(0)).ok());
  f.store->writes = 0;
  VOUCH_FUZZ_CHECK(f.shared->sync() == vouch::TicketKeySyncResult::refused);
  VOUCH_FUZZ_CHECK(!f.shared->last_error().empty());
  VOUCH_FUZZ_CHECK(exported(*f.keys) == before);
  VOUCH_FUZZ_CHECK(f.store->writes == 0);
}

// 2: the plaintext, sealed with the fleet's key, through sync().
void sealed_plaintext(vouch::ByteView in) {
  Fleet f;
  const vouch::Bytes before = exported(*f.keys);
  VOUCH_FUZZ_CHECK(f.store->put(kStoreKey, seal(in), milliseconds(0)).ok());
  f.store->writes = 0;

  bool acceptable = false;
  if (auto record = vouch::decode_ticket_keys_record(in); record.ok()) {
    vouch::TicketKeys probe(std::chrono::seconds(0));
    acceptable = probe.import_keys(record->exported).ok();
  }
  const vouch::TicketKeySyncResult r = f.shared->sync();
  if (!acceptable) {
    VOUCH_FUZZ_CHECK(r == vouch::TicketKeySyncResult::refused);
    VOUCH_FUZZ_CHECK(exported(*f.keys) == before);
    VOUCH_FUZZ_CHECK(f.store->writes == 0);
    return;
  }
  auto record = vouch::decode_ticket_keys_record(in);
  const vouch::Bytes published(record->exported.begin(), record->exported.end());
  if (r == vouch::TicketKeySyncResult::imported) {
    VOUCH_FUZZ_CHECK(exported(*f.keys) == published);
    return;
  }
  // Due (published 12 hours or more before now): rotated and published.
  VOUCH_FUZZ_CHECK(r == vouch::TicketKeySyncResult::rotated);
  VOUCH_FUZZ_CHECK(record->rotated_at_ms <= kNowMs - 12 * 3600 * 1000);
  auto now_published = f.store->get(kStoreKey);
  VOUCH_FUZZ_CHECK(now_published.ok() && now_published->has_value());
  auto plain = unseal(**now_published);
  VOUCH_FUZZ_CHECK(plain.has_value());
  auto mine = vouch::decode_ticket_keys_record(*plain);
  VOUCH_FUZZ_CHECK(mine.ok());
  VOUCH_FUZZ_CHECK(mine->rotated_at_ms == kNowMs);
  VOUCH_FUZZ_CHECK(vouch::Bytes(mine->exported.begin(), mine->exported.end()) == exported(*f.keys));
  // A second sync finds its own keys: nothing to do.
  VOUCH_FUZZ_CHECK(f.shared->sync() == vouch::TicketKeySyncResult::unchanged);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const vouch::ByteView rest(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: plaintext(rest); break;
    case 1: sealed_raw(rest); break;
    default: sealed_plaintext(rest); break;
  }
  return 0;
}
