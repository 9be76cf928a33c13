// The session file format of `vouch connect --sess-out/--sess-in`: round
// trips and every malformed case. The tool is not a library, so its one
// parser source is compiled into this test directly.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "../../tools/vouch/session_file.cpp"  // NOLINT(bugprone-suspicious-include)
#include "support/process.h"

namespace vouch::cli {
namespace {

Session sample() {
  Session s;
  s.version = ProtocolVersion::tls13;
  s.cipher_suite = CipherSuite::TLS_AES_256_GCM_SHA384;
  s.ticket = {0x01, 0x02, 0xAB, 0xFF};
  s.psk = Bytes(48, 0x5A);
  s.lifetime_seconds = 7200;
  s.age_add = 4000000000u;
  s.received_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
  s.server_name = "localhost";
  s.alpn = "h2";
  s.peer_chain = {Bytes{0x30, 0x03, 0x01, 0x01, 0x00}, Bytes{0x30, 0x00}};
  return s;
}

// The file format_session(sample()) must produce, spelled out.
std::string sample_text() {
  std::string psk_hex;
  for (int i = 0; i < 48; ++i) psk_hex += "5a";
  return "vouch-session 1\n"
         "version 0304\n"
         "cipher_suite 1302\n"
         "ticket 0102abff\n"
         "psk " + psk_hex + "\n"
         "lifetime 7200\n"
         "age_add 4000000000\n"
         "received_at 1700000000123\n"
         "server_name 6c6f63616c686f7374\n"
         "alpn 6832\n"
         "peer_cert 3003010100\n"
         "peer_cert 3000\n";
}

// Replaces the first line starting with `key ` by `line` (or removes it when
// line is empty).
std::string with_line(const std::string& key, const std::string& line) {
  std::string t = sample_text();
  const size_t pos = t.find("\n" + key + " ");
  EXPECT_NE(pos, std::string::npos) << key;
  const size_t end = t.find('\n', pos + 1);
  return t.replace(pos + 1, end - pos, line.empty() ? "" : line + "\n");
}

void expect_equal(const Session& a, const Session& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.cipher_suite, b.cipher_suite);
  EXPECT_EQ(a.ticket, b.ticket);
  EXPECT_EQ(a.psk, b.psk);
  EXPECT_EQ(a.lifetime_seconds, b.lifetime_seconds);
  EXPECT_EQ(a.age_add, b.age_add);
  EXPECT_EQ(a.received_at, b.received_at);
  EXPECT_EQ(a.server_name, b.server_name);
  EXPECT_EQ(a.alpn, b.alpn);
  EXPECT_EQ(a.peer_chain, b.peer_chain);
}

TEST(SessionFile, FormatIsTheDocumentedText) { EXPECT_EQ(format_session(sample()), sample_text()); }

TEST(SessionFile, RoundTrip) {
  Result<Session> parsed = parse_session(format_session(sample()));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  expect_equal(*parsed, sample());
}

TEST(SessionFile, EmptyOptionalFieldsAndNoPeerChain) {
  Session s = sample();
  s.server_name.clear();
  s.alpn.clear();
  s.peer_chain.clear();
  Result<Session> parsed = parse_session(format_session(s));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  expect_equal(*parsed, s);
}

TEST(SessionFile, UppercaseHexIsAccepted) {
  Result<Session> parsed = parse_session(with_line("ticket", "ticket 0102ABFF"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->ticket, (Bytes{0x01, 0x02, 0xAB, 0xFF}));
}

TEST(SessionFile, FileRoundTripIsPrivate) {
  testing::TempDir dir;
  const std::string path = dir.file("session");
  ASSERT_TRUE(write_session_file(path, sample()).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<std::shared_ptr<const Session>> read = read_session_file(path);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  expect_equal(**read, sample());
}

TEST(SessionFile, MissingFileIsAnError) {
  testing::TempDir dir;
  Result<std::shared_ptr<const Session>> read = read_session_file(dir.file("absent"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().reason.find("absent"), std::string::npos);
}

struct Malformed {
  const char* name;
  std::string text;
  const char* reason_part;
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

class SessionFileMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(SessionFileMalformed, IsRejected) {
  Result<Session> parsed = parse_session(GetParam().text);
  ASSERT_FALSE(parsed.ok()) << GetParam().name;
  EXPECT_NE(parsed.error().reason.find(GetParam().reason_part), std::string::npos)
      << parsed.error().reason;
}

std::vector<Malformed> malformed_cases() {
  const std::string good = sample_text();
  std::string many_certs = good;
  for (int i = 0; i < 15; ++i) many_certs += "peer_cert 3000\n";  // 17 in all
  return {
      {"empty", "", "not a vouch session file"},
      {"wrong_magic", "vouch-session 2\n" + good.substr(good.find('\n') + 1), "not a vouch"},
      {"no_newline_at_all", "vouch-session 1", "not a vouch"},
      {"truncated_last_line", good.substr(0, good.size() - 1), "truncated"},
      {"unknown_key", good + "colour blue\n", "unknown key"},
      {"repeated_key", good + "psk 00\n", "repeated key 'psk'"},
      {"line_without_space", good + "ticket\n", "malformed line"},
      {"missing_psk", with_line("psk", ""), "missing key 'psk'"},
      {"missing_ticket", with_line("ticket", ""), "missing key 'ticket'"},
      {"missing_alpn", with_line("alpn", ""), "missing key 'alpn'"},
      {"odd_hex", with_line("ticket", "ticket 012"), "odd hex length"},
      {"bad_hex_digit", with_line("ticket", "ticket 01zz"), "bad hex digit"},
      {"empty_ticket", with_line("ticket", "ticket "), "ticket: empty"},
      {"empty_psk", with_line("psk", "psk "), "psk: empty"},
      {"psk_too_long", with_line("psk", "psk " + std::string(130, 'a')), "psk: too long"},
      {"ticket_too_long", with_line("ticket", "ticket " + std::string(2 * 65536, '0')),
       "ticket: too long"},
      {"server_name_too_long", with_line("server_name", "server_name " + std::string(512, '6')),
       "server_name: too long"},
      {"lifetime_over_7_days", with_line("lifetime", "lifetime 604801"), "lifetime: bad number"},
      {"lifetime_negative", with_line("lifetime", "lifetime -1"), "lifetime: bad number"},
      {"lifetime_junk", with_line("lifetime", "lifetime 12x"), "lifetime: bad number"},
      {"lifetime_empty", with_line("lifetime", "lifetime "), "lifetime: bad number"},
      {"age_add_overflow", with_line("age_add", "age_add 4294967296"), "age_add: bad number"},
      {"received_at_huge", with_line("received_at", "received_at 99999999999999999999"),
       "received_at: bad number"},
      {"version_tls12", with_line("version", "version 0303"), "only TLS 1.3"},
      {"version_not_hex", with_line("version", "version 03g4"), "version: bad number"},
      {"cipher_suite_too_big", with_line("cipher_suite", "cipher_suite 10000"),
       "cipher_suite: bad number"},
      {"empty_peer_cert", good + "peer_cert \n", "peer_cert: empty"},
      {"too_many_peer_certs", many_certs, "too many certificates"},
      {"too_large", good + std::string(kMaxSessionFileBytes, '#'), "too large"},
      {"double_space_value", with_line("lifetime", "lifetime  7200"), "lifetime: bad number"},
  };
}

INSTANTIATE_TEST_SUITE_P(All, SessionFileMalformed, ::testing::ValuesIn(malformed_cases()),
                         [](const ::testing::TestParamInfo<Malformed>& i) { return i.param.name; });

}  // namespace
}  // namespace vouch::cli
