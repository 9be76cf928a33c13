// Keying-material exporters (RFC 8446 §7.5, RFC 5705) against the values the
// openssl binaries print (issue 14): `openssl s_server -keymatexport LABEL
// -keymatexportlen N` with vouch as the client, `openssl s_client ...` with
// vouch as the server, in TLS 1.3 and TLS 1.2. The openssl tools export
// without a context only (they pass use_context = 0); exports with a context
// (and an empty one) are compared with libssl in memory by
// tests/loopback/exporter_keylog_test.cpp.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <string>
#include <tuple>
#include <vector>

#include "interop/interop.h"
#include "vouch/stream.h"

namespace vouch::interop {
namespace {

const std::string kLabel = "EXPERIMENTAL-vouch-interop";
constexpr size_t kLength = 48;

std::string upper_hex(const Bytes& b) {
  static const char* digits = "0123456789ABCDEF";
  std::string s;
  for (uint8_t x : b) {
    s += digits[x >> 4];
    s += digits[x & 15];
  }
  return s;
}

// The hex after "Keying material: " in the openssl tool's output.
std::string printed_keying_material(const std::string& out) {
  const std::string tag = "Keying material: ";
  const size_t p = out.find(tag);
  if (p == std::string::npos) return "<no keying material printed>";
  size_t e = p + tag.size();
  while (e < out.size() && std::isxdigit(static_cast<unsigned char>(out[e]))) ++e;
  return out.substr(p + tag.size(), e - p - tag.size());
}

std::string err(const Stream& s) {
  const Connection& c = const_cast<Stream&>(s).connection();
  return c.error() ? c.error()->to_string() : "no error";
}

using Param = std::tuple<ProtocolVersion, bool /*vouch is client*/>;
class ExporterVsOpenssl : public ::testing::TestWithParam<Param> {};

TEST_P(ExporterVsOpenssl, SameKeyingMaterial) {
  const auto [version, vouch_client] = GetParam();
  const bool tls13 = version == ProtocolVersion::tls13;
  const testing::PkiFamily& f = family(CertType::ecdsa);
  const std::vector<std::string> keymat = {"-keymatexport", kLabel, "-keymatexportlen", std::to_string(kLength)};
  std::string vouch_hex, openssl_out;
  if (vouch_client) {
    std::vector<std::string> args = openssl_cert_args(f, f.server);
    args.insert(args.end(), keymat.begin(), keymat.end());
    // stdin kept open: at EOF s_server stops.
    SpawnOptions opts;
    opts.stdin_mode = StdinMode::pipe;
    Server server = start_openssl_server_version(tls13 ? "-tls1_3" : "-tls1_2", args, opts);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    auto cc = std::make_shared<ClientConfig>();
    cc->trust = f.trust();
    cc->min_version = cc->max_version = version;
    Result<int> fd = tcp_connect("127.0.0.1", server.port);
    ASSERT_TRUE(fd.ok()) << fd.error().to_string();
    Stream client(*fd, Connection::client(cc, "localhost"), /*own_fd=*/true);
    ASSERT_TRUE(client.handshake()) << err(client) << server.process.transcript();
    ASSERT_EQ(client.connection().info().version, version);
    Result<Bytes> mine = client.connection().export_keying_material(kLabel, std::nullopt, kLength);
    ASSERT_TRUE(mine.ok()) << mine.error().to_string();
    vouch_hex = upper_hex(*mine);
    // s_server prints the material once its side of the handshake is done.
    EXPECT_TRUE(server.process.wait_for_output("Keying material: ", kStartTimeout)) << server.process.transcript();
    (void)client.close();
    openssl_out = server.process.out();
  } else {
    Result<int> listener = tcp_listen("127.0.0.1", 0);
    ASSERT_TRUE(listener.ok()) << listener.error().to_string();
    const uint16_t port = local_port(*listener);
    std::vector<std::string> argv = {require_program("openssl"), "s_client", tls13 ? "-tls1_3" : "-tls1_2",
                                     "-connect", "127.0.0.1:" + std::to_string(port), "-CAfile", f.root.cert_path,
                                     "-verify_return_error", "-servername", "localhost"};
    argv.insert(argv.end(), keymat.begin(), keymat.end());
    // stdin at EOF: s_client closes after the handshake (and its report).
    ChildProcess client = ChildProcess::spawn(argv);
    pollfd p{*listener, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 10000), 1) << "s_client did not connect\n" << client.transcript();
    const int fd = accept(*listener, nullptr, nullptr);
    close(*listener);
    ASSERT_GE(fd, 0);
    auto sc = std::make_shared<ServerConfig>();
    sc->credentials.push_back(f.server_credential());
    sc->min_version = sc->max_version = version;
    Stream server(fd, Connection::server(sc), /*own_fd=*/true);
    ASSERT_TRUE(server.handshake()) << err(server) << client.transcript();
    Result<Bytes> mine = server.connection().export_keying_material(kLabel, std::nullopt, kLength);
    ASSERT_TRUE(mine.ok()) << mine.error().to_string();
    vouch_hex = upper_hex(*mine);
    const testing::ExitStatus st = client.wait(kRunTimeout);
    EXPECT_TRUE(st.success()) << client.transcript();
    openssl_out = client.out();
  }
  EXPECT_EQ(vouch_hex.size(), 2 * kLength);
  EXPECT_EQ(printed_keying_material(openssl_out), vouch_hex) << openssl_out;
  // The label the tool used, as it reports it.
  EXPECT_NE(openssl_out.find("Label: '" + kLabel + "'"), std::string::npos) << openssl_out;
}

INSTANTIATE_TEST_SUITE_P(Roles, ExporterVsOpenssl,
                         ::testing::Combine(::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                                            ::testing::Bool()),
                         [](const ::testing::TestParamInfo<Param>& i) {
                           return std::string(std::get<0>(i.param) == ProtocolVersion::tls13 ? "tls13" : "tls12") +
                                  (std::get<1>(i.param) ? "_vouch_client" : "_vouch_server");
                         });

}  // namespace
}  // namespace vouch::interop
