// The plaintext SharedTicketKeys seals (store/ticket_keys_record.h): it
// round-trips; a truncated header, another magic or version is refused
// (invalid_data). Then through SharedTicketKeys::sync() on an in-memory
// store, with values sealed here under the fleet's wrapping key: malformed
// plaintexts and key material are refused and change nothing, and a
// rotation time anywhere in the 64-bit range is handled (regression: a
// far-off time overflowed a time_point — found by
// fuzz/targets/ticket_keys_blob.cpp, input in
// fuzz/corpus/ticket_keys_blob/regress-rotated-at-overflow).
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <mutex>

#include "crypto/aead.h"
#include "store/ticket_keys_record.h"
#include "vouch/session.h"
#include "vouch/shared_ticket_keys.h"
#include "vouch/store.h"

namespace vouch {
namespace {

using std::chrono::milliseconds;

Bytes exported_keys(const TicketKeys& k) {
  auto e = k.export_keys();
  EXPECT_TRUE(e.ok());
  return e.ok() ? *e : Bytes();
}

TEST(TicketKeysRecord, RoundTripsWithABigEndianRotationTime) {
  TicketKeys keys(std::chrono::seconds(0));
  const Bytes exported = exported_keys(keys);
  Bytes plain;
  encode_ticket_keys_record(0x0102030405060708, exported, plain);
  ASSERT_EQ(plain.size(), kTicketKeysRecordHeader + exported.size());
  const Bytes header = {'v', 'T', 'k', 'S', 1, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_TRUE(std::equal(header.begin(), header.end(), plain.begin()));
  auto r = decode_ticket_keys_record(plain);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rotated_at_ms, 0x0102030405060708);
  EXPECT_EQ(Bytes(r->exported.begin(), r->exported.end()), exported);
  // Negative times survive too (the field is the two's complement).
  encode_ticket_keys_record(INT64_MIN, exported, plain);
  ASSERT_TRUE(decode_ticket_keys_record(plain).ok());
  EXPECT_EQ(decode_ticket_keys_record(plain)->rotated_at_ms, INT64_MIN);
}

TEST(TicketKeysRecord, EveryTruncatedHeaderIsRefused) {
  Bytes plain;
  encode_ticket_keys_record(5, Bytes{1, 2, 3}, plain);
  for (size_t n = 0; n < kTicketKeysRecordHeader; ++n) {
    auto r = decode_ticket_keys_record(ByteView(plain.data(), n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_data);
  }
  // The header alone decodes (no keys: import_keys refuses that).
  auto r = decode_ticket_keys_record(ByteView(plain.data(), kTicketKeysRecordHeader));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exported.empty());
}

TEST(TicketKeysRecord, AnotherMagicOrVersionIsRefused) {
  Bytes plain;
  encode_ticket_keys_record(5, Bytes{1, 2, 3}, plain);
  for (size_t i = 0; i < 5; ++i) {
    Bytes bad = plain;
    bad[i] ^= 0x01;
    auto r = decode_ticket_keys_record(bad);
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_data);
  }
}

// ---- through SharedTicketKeys::sync() ---------------------------------------

constexpr char kStoreKey[] = "ticket-keys";
constexpr int64_t kNowMs = 1'700'000'000'000;

class MemoryStore final : public SharedStore {
 public:
  Result<std::optional<Bytes>> get(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto it = values_.find(std::string(key));
    if (it == values_.end()) return std::optional<Bytes>();
    return std::optional<Bytes>(it->second);
  }
  Status put(std::string_view key, ByteView value, milliseconds) override {
    std::lock_guard lock(mu_);
    ++writes;
    values_[std::string(key)] = Bytes(value.begin(), value.end());
    return {};
  }
  Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected, ByteView desired,
                               milliseconds) override {
    std::lock_guard lock(mu_);
    ++writes;
    auto it = values_.find(std::string(key));
    const bool match =
        expected ? (it != values_.end() && Bytes(expected->begin(), expected->end()) == it->second) : it == values_.end();
    if (!match) return false;
    values_[std::string(key)] = Bytes(desired.begin(), desired.end());
    return true;
  }
  Result<bool> acquire_lease(std::string_view, std::string_view, milliseconds) override {
    ++writes;
    return true;
  }
  Status release_lease(std::string_view, std::string_view) override { return {}; }
  std::string describe() const override { return "memory"; }

  int writes = 0;

 private:
  std::mutex mu_;
  std::map<std::string, Bytes> values_;
};

class TicketKeysRecordSync : public ::testing::Test {
 protected:
  void SetUp() override {
    SharedTicketKeysOptions o;
    o.wrapping_key = Bytes(32, 0x4b);
    o.owner = "test";
    o.key = kStoreKey;
    o.rotation = std::chrono::hours(12);
    o.clock = [] { return std::chrono::system_clock::time_point(milliseconds(kNowMs)); };
    auto s = SharedTicketKeys::create(store, keys, o);
    ASSERT_TRUE(s.ok());
    shared = std::move(s).value();
  }

  // Publishes `plain` sealed as a fleet member would.
  void publish_plaintext(ByteView plain) {
    auto aead = Aead::create(AeadAlg::aes256gcm, Bytes(32, 0x4b));
    ASSERT_TRUE(aead.ok());
    Bytes out(kAeadNonceLength + plain.size() + kAeadTagLength, 0x07);
    const ByteView ad(reinterpret_cast<const uint8_t*>(kStoreKey), sizeof(kStoreKey) - 1);
    ASSERT_TRUE(aead->seal(ByteView(out.data(), kAeadNonceLength), ad, plain,
                           std::span<uint8_t>(out.data() + kAeadNonceLength, out.size() - kAeadNonceLength))
                    .ok());
    ASSERT_TRUE(store->put(kStoreKey, out, milliseconds(0)).ok());
    store->writes = 0;
  }

  void publish(int64_t rotated_at, ByteView exported) {
    Bytes plain;
    encode_ticket_keys_record(rotated_at, exported, plain);
    publish_plaintext(plain);
  }

  std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();
  std::shared_ptr<TicketKeys> keys = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  std::unique_ptr<SharedTicketKeys> shared;
};

TEST_F(TicketKeysRecordSync, MalformedPlaintextsUnderAGoodTagAreRefusedAndChangeNothing) {
  TicketKeys other(std::chrono::seconds(0));
  const Bytes good = exported_keys(other);
  Bytes plain;
  encode_ticket_keys_record(kNowMs, good, plain);

  std::vector<std::pair<std::string, Bytes>> cases;
  cases.emplace_back("empty", Bytes());
  cases.emplace_back("truncated header", Bytes(plain.begin(), plain.begin() + 8));
  Bytes bad_version = plain;
  bad_version[4] = 2;
  cases.emplace_back("version 2", bad_version);
  Bytes bad_magic = plain;
  bad_magic[0] = 'V';
  cases.emplace_back("bad magic", bad_magic);
  cases.emplace_back("no keys", Bytes(plain.begin(), plain.begin() + kTicketKeysRecordHeader));
  cases.emplace_back("keys cut short", Bytes(plain.begin(), plain.end() - 1));
  Bytes three = plain;
  three[kTicketKeysRecordHeader + 6] = 3;  // the exported key count
  cases.emplace_back("three keys", three);
  Bytes longer = plain;
  longer.resize(plain.size() + 1000, 0xff);
  cases.emplace_back("trailing bytes", longer);

  const Bytes before = exported_keys(*keys);
  for (const auto& [name, p] : cases) {
    publish_plaintext(p);
    EXPECT_EQ(shared->sync(), TicketKeySyncResult::refused) << name;
    EXPECT_FALSE(shared->last_error().empty()) << name;
    EXPECT_EQ(exported_keys(*keys), before) << name;
    EXPECT_EQ(store->writes, 0) << name;
  }
}

TEST_F(TicketKeysRecordSync, RotationTimesFarFromNowAreHandled) {
  TicketKeys other(std::chrono::seconds(0));
  const Bytes published = exported_keys(other);
  // In the future (clock skew, or nonsense from a fleet member): imported,
  // not due. 0x3f0001897bd98400 is the time in the fuzzer's input.
  for (int64_t at : {INT64_MAX, int64_t{0x3f0001897bd98400}, kNowMs + 1}) {
    publish(at, published);
    EXPECT_EQ(shared->sync(), TicketKeySyncResult::imported) << at;
    EXPECT_EQ(exported_keys(*keys), published) << at;
    EXPECT_EQ(store->writes, 0) << at;
  }
  // Long ago, or exactly one period ago: due, so rotated and published.
  for (int64_t at : {INT64_MIN, int64_t{-1}, kNowMs - 12 * 3600 * 1000}) {
    publish(at, published);
    EXPECT_EQ(shared->sync(), TicketKeySyncResult::rotated) << at;
    EXPECT_GT(store->writes, 0) << at;
  }
  // Just under one period: imported, not due.
  publish(kNowMs - 12 * 3600 * 1000 + 1, published);
  EXPECT_EQ(shared->sync(), TicketKeySyncResult::imported);
}

}  // namespace
}  // namespace vouch
