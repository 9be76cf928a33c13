// The directory store's file format (store/directory_record.h): a record
// round-trips; a truncated header, another magic or an oversized value is
// not a record; the expiry is big-endian and 0 never expires. Then through
// the store: files that are not records read as absent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "store/directory_record.h"
#include "vouch/store.h"

namespace vouch {
namespace {

namespace fs = std::filesystem;

Bytes bytes(const char* s) { return Bytes(s, s + std::strlen(s)); }

TEST(DirectoryRecord, EncodesMagicBigEndianExpiryThenTheValue) {
  const Bytes file = encode_directory_record(bytes("abc"), 0x0102030405060708ull);
  const Bytes want = {'V', 'S', 'T', '1', 1, 2, 3, 4, 5, 6, 7, 8, 'a', 'b', 'c'};
  EXPECT_EQ(file, want);
  auto r = decode_directory_record(file);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->expiry_ms, 0x0102030405060708ull);
  EXPECT_EQ(Bytes(r->value.begin(), r->value.end()), bytes("abc"));
}

TEST(DirectoryRecord, AnEmptyValueAndNoExpiryRoundTrip) {
  const Bytes file = encode_directory_record(ByteView(), 0);
  EXPECT_EQ(file.size(), kDirectoryRecordHeader);
  auto r = decode_directory_record(file);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->expiry_ms, 0u);
  EXPECT_TRUE(r->value.empty());
  EXPECT_FALSE(r->expired_at(INT64_MAX));
}

TEST(DirectoryRecord, EveryTruncatedHeaderIsNotARecord) {
  const Bytes file = encode_directory_record(bytes("value"), 1234);
  for (size_t n = 0; n < kDirectoryRecordHeader; ++n) {
    EXPECT_FALSE(decode_directory_record(ByteView(file.data(), n)).has_value()) << n << " bytes";
  }
  // The header alone is a record with an empty value (there is no length
  // field: a value cut short cannot be told from a shorter value, which is
  // why the store writes through a rename).
  EXPECT_TRUE(decode_directory_record(ByteView(file.data(), kDirectoryRecordHeader)).has_value());
}

TEST(DirectoryRecord, AnotherMagicIsNotARecord) {
  for (size_t i = 0; i < 4; ++i) {
    Bytes file = encode_directory_record(bytes("v"), 0);
    file[i] ^= 0x20;  // "vST1", "VsT1", ...
    EXPECT_FALSE(decode_directory_record(file).has_value()) << i;
  }
  EXPECT_FALSE(decode_directory_record(Bytes{'V', 'S', 'T', '2', 0, 0, 0, 0, 0, 0, 0, 0}).has_value());
  EXPECT_FALSE(decode_directory_record(bytes("not a store file at all")).has_value());
}

TEST(DirectoryRecord, AValueOverTheLimitIsNotARecord) {
  const Bytes at_limit = encode_directory_record(Bytes(kDirectoryMaxValue, 0xab), 0);
  auto r = decode_directory_record(at_limit);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value.size(), kDirectoryMaxValue);
  Bytes over = at_limit;
  over.push_back(0);
  EXPECT_FALSE(decode_directory_record(over).has_value());
}

TEST(DirectoryRecord, ExpiryComparesWithNowInMilliseconds) {
  DirectoryRecord r;
  r.expiry_ms = 1000;
  EXPECT_FALSE(r.expired_at(999));
  EXPECT_TRUE(r.expired_at(1000));
  EXPECT_TRUE(r.expired_at(1001));
  r.expiry_ms = 0;
  EXPECT_FALSE(r.expired_at(INT64_MAX));
  // Beyond INT64_MAX: never written by the store, taken as expired.
  r.expiry_ms = UINT64_MAX;
  EXPECT_TRUE(r.expired_at(0));
}

// Through the store: a file that is not a record reads as absent, and the
// next put replaces it.
class DirectoryRecordOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vouch-dr-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto s = open_directory_store(dir_);
    ASSERT_TRUE(s.ok());
    store_ = *s;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_raw(const char* key, ByteView content) {
    std::ofstream out(dir_ / key, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
  }

  fs::path dir_;
  std::shared_ptr<SharedStore> store_;
};

TEST_F(DirectoryRecordOnDisk, MalformedFilesReadAsAbsent) {
  const Bytes good = encode_directory_record(bytes("kept"), 0);
  const Bytes expired = encode_directory_record(bytes("old"), 1);  // 1970
  Bytes bad_magic = good;
  bad_magic[0] = 'X';
  const std::pair<const char*, Bytes> cases[] = {
      {"truncated", Bytes(good.begin(), good.begin() + 7)},
      {"empty", Bytes()},
      {"bad-magic", bad_magic},
      {"expired", expired},
  };
  for (const auto& [key, content] : cases) {
    write_raw(key, content);
    auto got = store_->get(key);
    ASSERT_TRUE(got.ok()) << key;
    EXPECT_FALSE(got->has_value()) << key;
  }
  write_raw("good", good);
  auto got = store_->get("good");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, bytes("kept"));
  // What the store writes is exactly the record.
  ASSERT_TRUE(store_->put("truncated", bytes("new"), std::chrono::milliseconds(0)).ok());
  std::ifstream in(dir_ / "truncated", std::ios::binary);
  const Bytes on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(on_disk, encode_directory_record(bytes("new"), 0));
}

// Regression: now + ttl overflowed (undefined behaviour, caught by UBSan)
// for a ttl near milliseconds::max(); it now saturates.
TEST_F(DirectoryRecordOnDisk, TheLongestTtlSaturatesAndTheValueStays) {
  ASSERT_TRUE(store_->put("forever", bytes("v"), std::chrono::milliseconds::max()).ok());
  std::ifstream in(dir_ / "forever", std::ios::binary);
  const Bytes on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = decode_directory_record(on_disk);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->expiry_ms, static_cast<uint64_t>(INT64_MAX));
  auto got = store_->get("forever");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, bytes("v"));
}

TEST_F(DirectoryRecordOnDisk, AFileLargerThanTheLimitReadsAsAbsent) {
  write_raw("huge", encode_directory_record(Bytes(kDirectoryMaxValue + 1, 0x11), 0));
  auto got = store_->get("huge");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

}  // namespace
}  // namespace vouch
