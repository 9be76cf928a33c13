// `vouch serve --store-key FILE` (tools/vouch/serve_fleet.h): the fleet's
// ticket-key wrapping key file — 32 raw bytes or 64 hexadecimal digits
// (whitespace around them ignored); anything else is refused with the
// reason, a file that cannot be read is an io error. And --store's scheme
// check.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "serve_fleet.h"
#include "support/process.h"

namespace vouch::cli {
namespace {

std::string write_key_file(const testing::TempDir& dir, const std::string& name, const std::string& content) {
  const std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << content;
  ::chmod(path.c_str(), 0600);
  return path;
}

const std::string kHex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

TEST(CliWrappingKey, HexDigitsWithSurroundingWhitespace) {
  testing::TempDir dir;
  auto key = read_wrapping_key(write_key_file(dir, "k", "  " + kHex + "\n\n"));
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  ASSERT_EQ(key->size(), 32u);
  EXPECT_EQ((*key)[0], 0x00);
  EXPECT_EQ((*key)[1], 0x11);
  EXPECT_EQ((*key)[31], 0xff);
}

TEST(CliWrappingKey, ThirtyTwoRawBytes) {
  testing::TempDir dir;
  std::string raw(32, '\0');
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>(0xf0 + (i % 16));
  auto key = read_wrapping_key(write_key_file(dir, "k", raw));
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(*key, Bytes(raw.begin(), raw.end()));
}

TEST(CliWrappingKey, MalformedFilesAreConfigErrorsWithTheReason) {
  testing::TempDir dir;
  struct Case {
    std::string content;
    std::string says;
  };
  const Case cases[] = {
      {"", "expected 32 bytes or 64 hexadecimal digits"},
      {kHex.substr(0, 63), "expected 32 bytes or 64 hexadecimal digits"},
      {kHex + "0", "expected 32 bytes or 64 hexadecimal digits"},
      {std::string(31, 'a'), "expected 32 bytes or 64 hexadecimal digits"},
      {kHex.substr(0, 62) + "zz", "not hexadecimal"},
      {kHex.substr(0, 32) + " " + kHex.substr(33), "not hexadecimal"},
      {std::string(5000, 'a'), "too large"},
  };
  int n = 0;
  for (const Case& c : cases) {
    auto key = read_wrapping_key(write_key_file(dir, "k" + std::to_string(n++), c.content));
    ASSERT_FALSE(key.ok()) << "accepted: " << c.content.size() << " bytes";
    EXPECT_EQ(key.error().kind, ErrorKind::config) << key.error().to_string();
    EXPECT_NE(key.error().reason.find(c.says), std::string::npos) << key.error().reason;
  }
}

TEST(CliWrappingKey, MissingFileIsAnIoErrorAndADirectoryIsRefused) {
  testing::TempDir dir;
  auto missing = read_wrapping_key(dir.file("absent"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::io);
  auto directory = read_wrapping_key(dir.path());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().reason.find("not a regular file"), std::string::npos) << directory.error().reason;
}

TEST(CliStore, OtherSchemesAreRefused) {
  auto s = open_store("memcached://127.0.0.1:11211");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::config);
  EXPECT_NE(s.error().reason.find("expected redis://"), std::string::npos) << s.error().reason;
  EXPECT_FALSE(open_store("").ok());
}

}  // namespace
}  // namespace vouch::cli
