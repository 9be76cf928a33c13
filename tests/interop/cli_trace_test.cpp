// `vouch connect --trace` and `vouch serve --trace` (issue 14): one readable
// line per handshake event on stderr, for a mutual-TLS handshake in TLS 1.3
// and TLS 1.2; key logging stays off unless asked.
#include <algorithm>
#include <string>
#include <vector>

#include "interop/interop.h"

namespace vouch::interop {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The "PREFIX" lines of `text`, PREFIX removed, lengths "(N bytes)" kept.
std::vector<std::string> lines_after(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& line : nonempty_lines(text))
    if (line.rfind(prefix, 0) == 0) out.push_back(line.substr(prefix.size()));
  return out;
}

// "sent ClientHello (290 bytes)" → "sent ClientHello".
std::vector<std::string> without_lengths(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    const size_t p = l.find(" (");
    out.push_back(l.rfind("sent ", 0) == 0 || l.rfind("received ", 0) == 0 ? l.substr(0, p) : l);
  }
  return out;
}

class CliTrace : public ::testing::TestWithParam<const char*> {};

TEST_P(CliTrace, BothSidesPrintTheHandshake) {
  const bool tls13 = std::string(GetParam()) == "--tls1_3";
  const auto& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--once", "--trace", "--verify", "required", "--client-ca", f.root.cert_path});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", GetParam(), "--trace", "--cert",
                    f.client.chain_path, "--key", f.client.key_path, "--request", "GET / HTTP/1.0\\r\\n\\r\\n"});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  ASSERT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();

  const std::vector<std::string> c = lines_after(client.err(), "vouch connect: trace: ");
  ASSERT_FALSE(c.empty()) << client.err();
  EXPECT_EQ(c.front().rfind("sent ClientHello (", 0), 0u) << c.front();
  EXPECT_TRUE(contains(c.front(), " bytes)")) << c.front();
  const std::string negotiated = tls13 ? "negotiated TLSv1.3 TLS_AES_128_GCM_SHA256 group=x25519"
                                       : "negotiated TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 group=x25519";
  auto has_prefix = [](const std::vector<std::string>& v, const std::string& p) {
    return std::any_of(v.begin(), v.end(), [&](const std::string& l) { return l.rfind(p, 0) == 0; });
  };
  EXPECT_TRUE(has_prefix(c, negotiated)) << client.err();
  EXPECT_TRUE(has_prefix(c, "client-cert: sent 'CN=client-ecdsa")) << client.err();
  EXPECT_TRUE(has_prefix(c, "staple: requested, none received")) << client.err();
  EXPECT_TRUE(has_prefix(c, "received CertificateRequest (")) << client.err();
  EXPECT_TRUE(has_prefix(c, "sent alert close_notify (warning)")) << client.err();
  if (!tls13) {
    EXPECT_TRUE(has_prefix(c, "received ServerKeyExchange (")) << client.err();
    EXPECT_TRUE(has_prefix(c, "sent ClientKeyExchange (")) << client.err();
  }
  // The trace comes before the summary of the completed handshake.
  const size_t trace_pos = client.err().find("vouch connect: trace: negotiated");
  const size_t summary_pos = client.err().find("\nprotocol: ");
  EXPECT_LT(trace_pos, summary_pos) << client.err();

  // The server numbers its connections: one here.
  const std::vector<std::string> s = lines_after(server.process.err(), "vouch serve: trace [");
  ASSERT_FALSE(s.empty()) << server.process.err();
  const std::string number = s.front().substr(0, s.front().find("]: "));
  for (const std::string& l : s) EXPECT_EQ(l.rfind(number + "]: ", 0), 0u) << l;
  const std::vector<std::string> s_events = without_lengths(lines_after(server.process.err(), "vouch serve: trace [" + number + "]: "));
  ASSERT_FALSE(s_events.empty());
  EXPECT_EQ(s_events.front(), "received ClientHello");
  EXPECT_TRUE(has_prefix(s_events, "staple: requested, nothing to staple")) << server.process.err();
  EXPECT_TRUE(has_prefix(s_events, "sent CertificateRequest")) << server.process.err();
  EXPECT_TRUE(has_prefix(s_events, negotiated + " peer-sig=ecdsa_secp256r1_sha256")) << server.process.err();
  // Every handshake message one side sent, the other received, in order.
  std::vector<std::string> c_sent, s_received;
  for (const std::string& l : c) if (l.rfind("sent ", 0) == 0 && !contains(l, "alert")) c_sent.push_back(l.substr(5));
  for (const std::string& l : lines_after(server.process.err(), "vouch serve: trace [" + number + "]: "))
    if (l.rfind("received ", 0) == 0 && !contains(l, "alert")) s_received.push_back(l.substr(9));
  EXPECT_EQ(c_sent, s_received);
  // No key log without --keylog / SSLKEYLOGFILE.
  EXPECT_FALSE(contains(client.err(), "logging TLS secrets")) << client.err();
  EXPECT_FALSE(contains(server.process.err(), "logging TLS secrets")) << server.process.err();
}

INSTANTIATE_TEST_SUITE_P(Versions, CliTrace, ::testing::Values("--tls1_3", "--tls1_2"),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(i.param).substr(2); });

// Without --trace nothing of it is printed.
TEST(CliTraceOff, NoTraceLinesByDefault) {
  const auto& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.push_back("--once");
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(server.port, {"--ca", f.root.cert_path, "--servername", "localhost",
                                                       "--request", "GET / HTTP/1.0\\r\\n\\r\\n"});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  ASSERT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  EXPECT_FALSE(contains(client.err(), "trace")) << client.err();
  EXPECT_FALSE(contains(server.process.err(), "trace")) << server.process.err();
}

}  // namespace
}  // namespace vouch::interop
