// A vouch client renegotiating once (ClientConfig::renegotiation, RFC 5246
// §7.4.1.1, RFC 5746), in memory, against libssl as the TLS 1.2 server: the
// only kind of peer that asks (a vouch server never renegotiates). libssl is
// the peer here, never part of the library.
//  - the renegotiation's CertificateRequest reaches the application's
//    selector, which answers later from another thread (Wait::
//    client_certificate), and the certificate goes out in the renegotiation;
//  - application data sent around it arrives in order;
//  - a server whose certificate changes in the renegotiation is refused
//    (illegal_parameter);
//  - a second HelloRequest gets a no_renegotiation warning.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <string>
#include <thread>

#include "crypto/ossl.h"
#include "support/libssl_peer.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::test_pki;

const testing::PkiFamily& ecdsa() { return test_pki().ecdsa(); }

using testing::take_output;

// libssl as the TLS 1.2 server (it renegotiates; a vouch server never does).
class LibsslServer : public testing::LibsslPeer {
 public:
  LibsslServer() : LibsslPeer(testing::LibsslPeerOptions{}) {}
};

std::string read_all(Connection& c) {
  std::string out;
  uint8_t buf[4096];
  for (size_t n; (n = c.read(buf)) > 0;) out.append(reinterpret_cast<char*>(buf), n);
  return out;
}

// Moves bytes both ways a bounded number of times, until nothing moves.
void exchange(Connection& client, LibsslServer& server, int rounds = 16) {
  for (int i = 0; i < rounds; ++i) {
    Bytes to_server = take_output(client);
    Bytes to_client = server.step(to_server);
    if (!to_client.empty()) (void)client.receive(to_client);
    if (to_server.empty() && to_client.empty() && client.pending_output().empty()) return;
  }
}

std::shared_ptr<ClientConfig> renegotiating_client() {
  auto cc = testing::client_config_for("ecdsa");
  cc->max_version = ProtocolVersion::tls12;
  cc->renegotiation = Renegotiation::once;
  return cc;
}

// libssl's server asks for a certificate in a renegotiation it starts now:
// SSL_VERIFY_PEER, then a HelloRequest (SSL_renegotiate).
void request_certificate_by_renegotiation(LibsslServer& server) {
  SSL_set_verify(server.ssl(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  ASSERT_EQ(SSL_renegotiate(server.ssl()), 1);
  (void)SSL_do_handshake(server.ssl());
}

TEST(Renegotiation12Libssl, AsynchronousSelectorAnswersTheRenegotiationsRequest) {
  auto cc = renegotiating_client();
  std::shared_ptr<PendingClientCertificate> handle;
  CertificateRequestInfo seen;
  int asked = 0;
  cc->client_certificate_selector = [&](const CertificateRequestInfo& info,
                                        std::shared_ptr<PendingClientCertificate> pending) {
    ++asked;
    seen = info;
    handle = std::move(pending);
    return ClientCertificateChoice::pending();
  };
  auto client = Connection::client(cc, "localhost");
  LibsslServer server;
  ASSERT_TRUE(client->start().ok());
  exchange(*client, server);
  ASSERT_TRUE(client->handshake_complete()) << (client->error() ? client->error()->to_string() : "");
  ASSERT_EQ(asked, 0);  // the initial handshake asked for nothing

  // Data, then the HelloRequest, then more data, in that order on the wire.
  server.write("before ");
  request_certificate_by_renegotiation(server);
  ASSERT_TRUE(client->receive(server.drain()).ok()) << client->error()->to_string();
  exchange(*client, server);
  ASSERT_EQ(asked, 1);
  ASSERT_TRUE(handle);
  EXPECT_EQ(client->wait(), Wait::client_certificate);
  EXPECT_EQ(seen.version, ProtocolVersion::tls12);
  EXPECT_FALSE(seen.post_handshake);
  ASSERT_EQ(seen.certificate_authorities.size(), 1u);  // the root, from SSL_CTX_set_client_CA_list
  EXPECT_FALSE(seen.certificate_types.empty());
  EXPECT_EQ(read_all(*client), "before ");

  // The application answers from another thread; the connection goes on
  // once resumed.
  std::thread answer([&] { handle->choose(ecdsa().client_credential()); });
  answer.join();
  ASSERT_TRUE(client->resume().ok()) << client->error()->to_string();
  exchange(*client, server);
  EXPECT_EQ(client->wait(), Wait::none);
  EXPECT_FALSE(client->failed());
  ASSERT_EQ(SSL_renegotiate_pending(server.ssl()), 0);
  ossl::Ptr<X509, X509_free> peer(SSL_get1_peer_certificate(server.ssl()));
  ASSERT_TRUE(peer) << "libssl got no client certificate";
  EXPECT_EQ(X509_cmp(peer.get(), ecdsa().client.cert.get()), 0);
  ASSERT_TRUE(client->client_certificate().has_value());

  // Data flows both ways under the renegotiated keys.
  server.write("after");
  exchange(*client, server);
  EXPECT_EQ(read_all(*client), "after");
  const std::string ping = "ping";
  ASSERT_TRUE(client->write(ByteView(reinterpret_cast<const uint8_t*>(ping.data()), ping.size())).ok());
  exchange(*client, server);
  EXPECT_EQ(server.received, "ping");

  // Once only: a second HelloRequest gets a no_renegotiation warning
  // (libssl ends the connection on it, ssl/record/rec_layer_s3.c; the
  // client itself raises no error).
  ASSERT_EQ(SSL_renegotiate(server.ssl()), 1);
  (void)SSL_do_handshake(server.ssl());
  ASSERT_TRUE(client->receive(server.drain()).ok());
  EXPECT_EQ(asked, 1);
  Bytes warning = take_output(*client);
  EXPECT_EQ(warning.size(), 5u + 8 + 2 + 16);  // one encrypted alert record (GCM)
  EXPECT_EQ(warning[0], 21);                   // alert
  EXPECT_FALSE(client->failed());
}

// RFC 5746 does not let the server's identity change; vouch refuses a
// renegotiation that presents another certificate (even one that would
// verify) before looking at it further.
TEST(Renegotiation12Libssl, ServerCertificateChangeIsRefused) {
  auto client = Connection::client(renegotiating_client(), "localhost");
  LibsslServer server;
  ASSERT_TRUE(client->start().ok());
  exchange(*client, server);
  ASSERT_TRUE(client->handshake_complete());
  // Another leaf of the same family (issued for another name).
  ASSERT_EQ(SSL_use_certificate_file(server.ssl(), ecdsa().server_wrong_host.cert_path.c_str(), SSL_FILETYPE_PEM), 1);
  ASSERT_EQ(SSL_use_PrivateKey_file(server.ssl(), ecdsa().server_wrong_host.key_path.c_str(), SSL_FILETYPE_PEM), 1);
  ASSERT_EQ(SSL_renegotiate(server.ssl()), 1);
  (void)SSL_do_handshake(server.ssl());
  (void)client->receive(server.drain());
  exchange(*client, server);
  ASSERT_TRUE(client->failed());
  EXPECT_EQ(client->error()->alert, Alert::illegal_parameter);
  EXPECT_NE(client->error()->reason.find("certificate changed"), std::string::npos) << client->error()->reason;
}

// Control for the test above: the same renegotiation with the same
// certificate completes.
TEST(Renegotiation12Libssl, SameCertificateRenegotiates) {
  auto client = Connection::client(renegotiating_client(), "localhost");
  LibsslServer server;
  ASSERT_TRUE(client->start().ok());
  exchange(*client, server);
  ASSERT_TRUE(client->handshake_complete());
  ASSERT_EQ(SSL_renegotiate(server.ssl()), 1);
  (void)SSL_do_handshake(server.ssl());
  (void)client->receive(server.drain());
  exchange(*client, server);
  EXPECT_FALSE(client->failed()) << client->error()->to_string();
  EXPECT_EQ(SSL_renegotiate_pending(server.ssl()), 0);
  EXPECT_EQ(client->wait(), Wait::none);
}


// Renegotiation::freely (libssl's default, for the OpenSSL-compatible
// layer): every HelloRequest from a secure-renegotiation server is answered.
TEST(Renegotiation12Libssl, FreelyAnswersEveryHelloRequest) {
  auto cc = renegotiating_client();
  cc->renegotiation = Renegotiation::freely;
  auto client = Connection::client(cc, "localhost");
  LibsslServer server;
  ASSERT_TRUE(client->start().ok());
  exchange(*client, server);
  ASSERT_TRUE(client->handshake_complete());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(SSL_renegotiate(server.ssl()), 1);
    (void)SSL_do_handshake(server.ssl());
    (void)client->receive(server.drain());
    exchange(*client, server);
    EXPECT_FALSE(client->failed()) << i << ": " << client->error()->to_string();
    EXPECT_EQ(SSL_renegotiate_pending(server.ssl()), 0) << i;
  }
  EXPECT_EQ(SSL_num_renegotiations(server.ssl()), 3);
}

}  // namespace
}  // namespace vouch
