// examples/asio_server.cpp and examples/asio_client.cpp, run as a user
// would: the server requires a client certificate, the client presents one
// and prints the server's reply naming it; a client without a certificate
// is refused (certificate_required, RFC 8446 §4.4.2.4).
#include <gtest/gtest.h>

#include <string>

#include "interop/interop.h"

namespace vouch::interop {
namespace {

std::string example(const std::string& name) { return VOUCH_BINARY_DIR "/bin/example_" + name; }

const testing::PkiFamily& f() { return testing::test_pki().ecdsa(); }

TEST(AsioExamples, ClientWithCertificateGetsItsNameBack) {
  testing::TempDir dir;
  const std::string port_file = dir.file("port");
  ChildProcess server = ChildProcess::spawn(
      {example("asio_server"), f().server.chain_path, f().server.key_path, f().root.cert_path, port_file, "2"});
  ASSERT_TRUE(server.running()) << server.error();
  std::optional<std::string> port = testing::wait_for_file(port_file, kStartTimeout);
  ASSERT_TRUE(port) << server.transcript();
  const std::string p = port->substr(0, port->find('\n'));

  ChildProcess client = ChildProcess::spawn({example("asio_client"), "localhost", p, f().root.cert_path,
                                             f().client.chain_path, f().client.key_path, "coroutines"});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << client.transcript() << server.transcript();
  EXPECT_NE(client.out().find("hello "), std::string::npos) << client.transcript();
  EXPECT_NE(client.out().find("CN=client-ecdsa"), std::string::npos) << client.transcript();
  EXPECT_NE(client.out().find(": coroutines\n"), std::string::npos) << client.transcript();
  EXPECT_NE(client.err().find("connected: "), std::string::npos) << client.transcript();

  // Without a certificate: the server refuses, the client says why.
  ChildProcess anonymous = ChildProcess::spawn({example("asio_client"), "localhost", p, f().root.cert_path});
  const testing::ExitStatus refused = anonymous.wait(kRunTimeout);
  EXPECT_TRUE(refused.exited && refused.code == 1) << anonymous.transcript();
  EXPECT_NE(anonymous.err().find("certificate_required"), std::string::npos) << anonymous.transcript();

  // Two connections served: the server exits by itself.
  EXPECT_TRUE(server.wait(kRunTimeout).success()) << server.transcript();
  EXPECT_NE(server.err().find("certificate_required"), std::string::npos) << server.transcript();
}

}  // namespace
}  // namespace vouch::interop
