// The session file of `vouch connect --sess-out/--sess-in` (format 2: a
// header line and the hex of Session::serialize): round trips of TLS 1.3 and
// TLS 1.2 sessions with their OCSP status and client identity, and every
// malformed file. The tool's sources are not a library the interop tests
// link, so its one parser source is compiled into this test directly.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>

#include "../../tools/vouch/session_file.cpp"  // NOLINT(bugprone-suspicious-include)
#include "support/process.h"

namespace vouch::cli {
namespace {

using Clock = std::chrono::system_clock;

Session tls13_sample() {
  Session s;
  s.version = ProtocolVersion::tls13;
  s.cipher_suite = CipherSuite::TLS_AES_256_GCM_SHA384;
  s.ticket = {0x01, 0x02, 0xAB, 0xFF};
  s.psk = Bytes(48, 0x5A);
  s.lifetime_seconds = 7200;
  s.age_add = 4000000000u;
  s.received_at = Clock::time_point(std::chrono::milliseconds(1700000000123));
  s.server_name = "localhost";
  s.alpn = "h2";
  s.peer_chain = {Bytes{0x30, 0x03, 0x01, 0x01, 0x00}, Bytes{0x30, 0x00}};
  s.client_chain = {Bytes{0x30, 0x01, 0x07}};
  // What `vouch connect` printed as "ocsp: good (...)" in the full handshake.
  s.ocsp.requested = true;
  StapleReport leaf;
  leaf.present = true;
  leaf.response = {0x30, 0x82, 0x01, 0x00};
  OcspStatus good;
  good.status = OcspCertStatus::good;
  good.produced_at = Clock::time_point(std::chrono::seconds(1700000000));
  good.this_update = good.produced_at;
  good.next_update = good.produced_at + std::chrono::hours(24);
  good.responder = "CN=Test Intermediate";
  leaf.status = good;
  StapleReport issuer;
  issuer.position = 1;
  s.ocsp.staples = {leaf, issuer};
  return s;
}

Session tls12_sample() {
  Session s;
  s.version = ProtocolVersion::tls12;
  s.cipher_suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  s.master_secret = Bytes(48, 0x4D);
  s.session_id = Bytes(32, 0x1D);
  s.extended_master_secret = true;
  s.lifetime_seconds = 7200;
  s.received_at = Clock::time_point(std::chrono::milliseconds(1700000000999));
  s.server_name = "localhost";
  s.peer_chain = {Bytes{0x30, 0x00}};
  return s;
}

void expect_equal(const Session& a, const Session& b) {
  // The codec's own test compares every field; here the bytes say it all.
  EXPECT_EQ(a.serialize(), b.serialize());
  EXPECT_EQ(a.ocsp.summary(), b.ocsp.summary());
}

// The file format_session(tls13_sample()) must produce, spelled out.
std::string sample_text() {
  return "vouch-session 2\nsession " + to_hex(tls13_sample().serialize()) + "\n";
}

TEST(SessionFile, FormatIsTheDocumentedText) {
  EXPECT_EQ(format_session(tls13_sample()), sample_text());
  // The encoding's magic ("vSes") and format number open the hex.
  EXPECT_EQ(sample_text().rfind("vouch-session 2\nsession 765365730001", 0), 0u);
}

TEST(SessionFile, Tls13RoundTripKeepsTheVerifiedStatusAndClientIdentity) {
  Result<Session> parsed = parse_session(format_session(tls13_sample()));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  expect_equal(*parsed, tls13_sample());
  EXPECT_EQ(parsed->ocsp.summary().rfind("good (", 0), 0u) << parsed->ocsp.summary();
  EXPECT_EQ(parsed->client_chain, tls13_sample().client_chain);
}

TEST(SessionFile, Tls12RoundTrip) {
  Result<Session> parsed = parse_session(format_session(tls12_sample()));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  expect_equal(*parsed, tls12_sample());
  EXPECT_EQ(parsed->version, ProtocolVersion::tls12);
  EXPECT_EQ(parsed->master_secret, Bytes(48, 0x4D));
}

TEST(SessionFile, UppercaseHexIsAccepted) {
  std::string text = sample_text();
  const size_t hex_start = text.find("\nsession ") + 9;
  for (size_t i = hex_start; i + 1 < text.size(); ++i) text[i] = static_cast<char>(std::toupper(text[i]));
  Result<Session> parsed = parse_session(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  expect_equal(*parsed, tls13_sample());
}

TEST(SessionFile, FileRoundTripIsPrivate) {
  testing::TempDir dir;
  const std::string path = dir.file("session");
  ASSERT_TRUE(write_session_file(path, tls13_sample()).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<std::shared_ptr<const Session>> read = read_session_file(path);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  expect_equal(**read, tls13_sample());
  // Rewriting replaces the file (rename over it), still private.
  ASSERT_TRUE(write_session_file(path, tls12_sample()).ok());
  read = read_session_file(path);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  expect_equal(**read, tls12_sample());
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SessionFile, MissingFileIsAnError) {
  testing::TempDir dir;
  Result<std::shared_ptr<const Session>> read = read_session_file(dir.file("absent"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().reason.find("absent"), std::string::npos);
}

TEST(SessionFile, ReadErrorsNameThePath) {
  testing::TempDir dir;
  const std::string path = dir.file("old.sess");
  std::ofstream(path) << "vouch-session 1\nversion 0304\n";
  Result<std::shared_ptr<const Session>> read = read_session_file(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().reason,
            path + ": session file format 1 is no longer read; save the session again");
}

TEST(SessionFile, TooLargeASessionIsNotWritten) {
  testing::TempDir dir;
  Session s = tls13_sample();
  // Hex doubles the size: this cannot be read back, so it is not written.
  s.client_chain = std::vector<Bytes>(16, Bytes(kMaxSessionFileBytes / 32 + 1, 0x30));
  const std::string path = dir.file("big.sess");
  Status st = write_session_file(path, s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().reason.find("too large"), std::string::npos) << st.error().reason;
  struct stat ignored {};
  EXPECT_NE(::stat(path.c_str(), &ignored), 0);
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
  EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_data);
  EXPECT_NE(parsed.error().reason.find(GetParam().reason_part), std::string::npos)
      << parsed.error().reason;
}

// The sample with its session bytes replaced.
std::string with_bytes(const Bytes& b) { return "vouch-session 2\nsession " + to_hex(b) + "\n"; }

std::vector<Malformed> malformed_cases() {
  const std::string good = sample_text();
  const std::string header = "vouch-session 2\n";
  const std::string hex = good.substr(header.size() + 8, good.size() - header.size() - 9);
  const Bytes bytes = tls13_sample().serialize();
  Bytes trailing = bytes;
  trailing.push_back(0);
  Bytes bad_magic = bytes;
  bad_magic[0] = 0;
  Bytes format9 = bytes;
  format9[5] = 9;
  Session long_name = tls13_sample();
  long_name.server_name = std::string(256, 'a');
  return {
      {"empty", "", "not a vouch session file"},
      {"wrong_magic", "vouch-sessions 2\nsession " + hex + "\n", "not a vouch session file"},
      {"other_program", "-----BEGIN SSL SESSION PARAMETERS-----\n", "not a vouch session file"},
      {"format_1", "vouch-session 1\nversion 0304\ncipher_suite 1301\n",
       "session file format 1 is no longer read; save the session again"},
      {"format_1_no_newline", "vouch-session 1", "session file format 1 is no longer read"},
      {"format_3", "vouch-session 3\nsession " + hex + "\n", "unknown session file format '3'"},
      {"format_empty", "vouch-session \nsession " + hex + "\n", "unknown session file format ''"},
      {"no_newline_at_all", "vouch-session 2", "truncated"},
      {"truncated_last_line", good.substr(0, good.size() - 1), "truncated"},
      {"missing_session_line", header, "missing line 'session'"},
      {"extra_line", good + "session " + hex + "\n", "unexpected line after 'session'"},
      {"extra_empty_line", good + "\n", "unexpected line after 'session'"},
      {"unknown_key", header + "ticket " + hex + "\n", "expected 'session <hex>'"},
      {"no_space", header + "session\n", "expected 'session <hex>'"},
      {"empty_hex", header + "session \n", "session: empty"},
      {"odd_hex", header + "session " + hex.substr(1) + "\n", "session: odd hex length"},
      {"bad_hex_digit", header + "session zz" + hex.substr(2) + "\n", "session: bad hex digit"},
      {"space_in_hex", header + "session  " + hex.substr(1) + "\n", "session: bad hex digit"},
      {"carriage_return", header + "session " + hex + "\r\n", "session: odd hex length"},
      {"truncated_bytes", header + "session " + hex.substr(0, hex.size() - 2) + "\n",
       "corrupt session data: session ocsp.staples[1].problem: truncated"},
      {"trailing_bytes", with_bytes(trailing), "corrupt session data: session end: 1 trailing bytes"},
      {"bad_codec_magic", with_bytes(bad_magic), "corrupt session data: session format: not a vouch session"},
      {"unknown_codec_format", with_bytes(format9), "corrupt session data: session format: unknown format 9"},
      {"field_out_of_bounds", with_bytes(long_name.serialize()),
       "corrupt session data: session server_name: 256 bytes"},
      {"too_large", good + std::string(kMaxSessionFileBytes, '#'), "too large"},
  };
}

INSTANTIATE_TEST_SUITE_P(All, SessionFileMalformed, ::testing::ValuesIn(malformed_cases()),
                         [](const ::testing::TestParamInfo<Malformed>& i) { return i.param.name; });

}  // namespace
}  // namespace vouch::cli
