// TLS 1.2 renegotiation with real peers (RFC 5246 §7.4.1.1 HelloRequest,
// RFC 5746 secure renegotiation, §7.2.2 no_renegotiation):
//  - vouch servers never renegotiate: a renegotiating ClientHello from
//    openssl s_client ('R' on its stdin) or gnutls-cli --rehandshake is
//    answered with a no_renegotiation warning;
//  - vouch connect --renegotiation once answers the HelloRequest of openssl
//    s_server ('R') or gnutls-serv --echo ("**REHANDSHAKE**") with one secure
//    renegotiation, choosing and sending its client certificate when the
//    renegotiation asks for one, and data keeps flowing both ways; a second
//    request is refused;
//  - vouch connect's default (never) answers with the warning.
//
// What the peers then do is theirs: OpenSSL ends the connection whenever it
// receives no_renegotiation (ssl/record/rec_layer_s3.c turns the warning
// into a fatal handshake_failure, "no renegotiation"), gnutls-serv closes it
// ("Error while receiving data: A TLS warning alert has been received"), and
// gnutls-cli retries its ClientHello until it gives up. So "the connection
// goes on" after a refusal cannot be observed with these peers; the tests
// check what vouch controls: a warning (level 1), never a fatal alert of its
// own, and that the peer, not vouch, ended the connection.
//
// The peers are driven through their stdin with bounded waits on their
// output; every step waits for the previous one to show.
#include "interop/interop12.h"

namespace vouch::interop {
namespace {

// s_server -msg prints each record it sends and receives; these are the
// lines this file waits for.
const std::string kServerFinishedSent = ">>> TLS 1.2, Handshake [length 0010], Finished";
const std::string kWarningNoRenegotiationReceived = "<<< TLS 1.2, Alert [length 0002], warning no_renegotiation";

// openssl s_server -tls1_2 for one connection, interactive (no -www), with
// -msg, its stdin a pipe for the R command.
Server start_interactive_s_server(const testing::PkiFamily& f, const std::vector<std::string>& extra) {
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-CAfile", f.root.cert_path, "-msg", "-naccept", "1"});
  args.insert(args.end(), extra.begin(), extra.end());
  return start_openssl_server12(args, {StdinMode::pipe, {}, {}});
}

// vouch connect with its stdin a pipe (the data phase is driven by the test).
ChildProcess start_vouch_connect(uint16_t port, const std::string& ca, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {vouch_binary(), "connect", "127.0.0.1:" + std::to_string(port), "--ca", ca,
                                   "--servername", "localhost"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return ChildProcess::spawn(argv, {StdinMode::pipe, {}, {}});
}

std::string client_cn(CertType c) { return std::string("client-") + cert_name(c); }

// Lines of an -msg trace that start with `direction` (">>>" sent, "<<<"
// received) and end with `tail` ("], Certificate").
size_t trace_lines(const std::string& trace, const std::string& direction, const std::string& tail) {
  size_t n = 0;
  for (const std::string& line : nonempty_lines(trace))
    if (line.rfind(direction, 0) == 0 && line.size() >= tail.size() &&
        line.compare(line.size() - tail.size(), tail.size(), tail) == 0)
      ++n;
  return n;
}

// ------------------------------------------------ vouch serve refuses

// s_client's R command sends a ClientHello on the established connection;
// vouch answers with a no_renegotiation warning (RFC 5246 §7.2.2: "sent by
// the server in response to a client hello after initial handshaking").
TEST(VouchServerRenegotiation, OpenSslClientRenegotiationIsRefusedWithAWarning) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.push_back("--once");
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  // Not -ign_eof/-quiet: s_client reads its commands from stdin only then.
  ChildProcess client = ChildProcess::spawn(
      {require_program("openssl"), "s_client", "-tls1_2", "-connect", "127.0.0.1:" + std::to_string(server.port),
       "-CAfile", f.root.cert_path, "-verify_return_error", "-servername", "localhost", "-msg"},
      {StdinMode::pipe, {}, {}});
  ASSERT_TRUE(client.wait_for_output("Verify return code: 0 (ok)", kRunTimeout)) << client.transcript();
  ASSERT_TRUE(client.write_stdin("R\n"));
  EXPECT_TRUE(client.wait_for_output("RENEGOTIATING", kRunTimeout, /*on_stderr=*/true)) << client.transcript();
  ASSERT_TRUE(client.wait_for_output(kWarningNoRenegotiationReceived + "\n    01 64\n", kRunTimeout))
      << client.transcript() << server.process.transcript();
  // OpenSSL's own choice: it ends the connection (see the top of this file).
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited) << client.transcript();
  EXPECT_NE(client.err().find("no renegotiation"), std::string::npos) << client.transcript();
  // vouch sent that one warning and no fatal alert of its own.
  EXPECT_EQ(testing::count_occurrences(client.out(), "<<< TLS 1.2, Alert"), 1u) << client.out();
  EXPECT_EQ(client.out().find("<<< TLS 1.2, Alert [length 0002], fatal"), std::string::npos) << client.out();
  // The connection ended by the peer's alert, not by anything vouch decided.
  server.process.wait(kRunTimeout);
  const std::string log = server.process.err();
  EXPECT_NE(log.find(": TLSv1.2 TLS_ECDHE_ECDSA_"), std::string::npos) << log;
  EXPECT_NE(log.find("peer sent alert handshake_failure"), std::string::npos) << log;
  EXPECT_EQ(log.find("handshake failed"), std::string::npos) << log;
}

// gnutls-cli --rehandshake: every renegotiating ClientHello it sends gets the
// warning (it retries on the non-fatal error until it gives up by itself).
TEST(VouchServerRenegotiation, GnuTlsClientRehandshakeIsRefusedWithWarnings) {
  const testing::PkiFamily& f = family(CertType::rsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.push_back("--once");
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_gnutls_cli(server.port, f.root.cert_path, kGnutlsTls12Only, {"--rehandshake"});
  const std::string out = client.out() + client.err();
  EXPECT_NE(out.find("- Handshake was completed"), std::string::npos) << client.transcript();
  EXPECT_NE(out.find("*** Received alert [100]: No renegotiation is allowed"), std::string::npos)
      << client.transcript();
  EXPECT_NE(out.find("*** Non fatal error: A TLS warning alert has been received."), std::string::npos)
      << client.transcript();
  // Only ever alert 100 from vouch.
  EXPECT_EQ(testing::count_occurrences(out, "*** Received alert ["),
            testing::count_occurrences(out, "*** Received alert [100]"))
      << client.transcript();
  // The handshake completed and nothing vouch decided ended the connection.
  server.process.wait(kRunTimeout);
  EXPECT_NE(server.process.err().find(": TLSv1.2 TLS_ECDHE_RSA_"), std::string::npos) << server.process.transcript();
  EXPECT_EQ(server.process.err().find("handshake failed"), std::string::npos) << server.process.transcript();
}

// ------------------------------------------------ vouch connect --renegotiation once

// s_server without -verify asks for no certificate in the initial handshake;
// its R command sets SSL_VERIFY_PEER and sends a HelloRequest, so the
// renegotiation carries a CertificateRequest (naming the -CAfile root): the
// certificate vouch chooses there is the first it sends.
class VouchClientRenegotiatesOnce : public ::testing::TestWithParam<CertType> {};

TEST_P(VouchClientRenegotiatesOnce, WithOpenSslServerAskingForACertificateInTheRenegotiation) {
  const testing::PkiFamily& f = family(GetParam());
  const std::string cn = client_cn(GetParam());
  Server server = start_interactive_s_server(f, {});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess& s_server = server.process;
  ChildProcess client = start_vouch_connect(
      server.port, f.root.cert_path,
      {"--renegotiation", "once", "--cert", f.client.chain_path, "--key", f.client.key_path});
  // The initial handshake, without a request.
  ASSERT_TRUE(client.wait_for_output("client-cert: none requested\n", kRunTimeout, true))
      << client.transcript() << s_server.transcript();
  ASSERT_TRUE(s_server.wait_for_output("CIPHER is ", kRunTimeout)) << s_server.transcript();
  EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2");
  ASSERT_TRUE(client.write_stdin("before-renegotiation\n"));
  ASSERT_TRUE(s_server.wait_for_output("before-renegotiation\n", kRunTimeout)) << s_server.transcript();

  ASSERT_TRUE(s_server.write_stdin("R\n"));
  ASSERT_TRUE(s_server.wait_for_output("SSL_do_handshake -> 1", kRunTimeout)) << s_server.transcript();
  // vouch answered the HelloRequest and chose its certificate for the
  // renegotiation's CertificateRequest.
  EXPECT_TRUE(client.wait_for_output("client-cert: chose CN=" + cn + ",O=vouch-test: meets the request", kRunTimeout,
                                     true))
      << client.transcript() << s_server.transcript();
  // s_server verified it (its verify callback prints the chain) and
  // finished the renegotiation: its second Finished.
  EXPECT_TRUE(s_server.wait_for_output("depth=0 O = vouch-test, CN = " + cn + "\nverify return:1", kRunTimeout,
                                       true))
      << s_server.transcript() << client.transcript();
  ASSERT_TRUE(s_server.wait_for_count(kServerFinishedSent, 2, kRunTimeout)) << s_server.transcript();
  const std::string trace = s_server.out();
  // The renegotiation: a HelloRequest, vouch's second ClientHello, and its
  // Certificate (the first one vouch sends) with the CertificateVerify.
  EXPECT_EQ(testing::count_occurrences(trace, ">>> TLS 1.2, Handshake [length 0004], HelloRequest"), 1u) << trace;
  EXPECT_EQ(testing::count_occurrences(trace, "], ClientHello\n"), 2u) << trace;
  EXPECT_EQ(trace_lines(trace, ">>>", "], CertificateRequest"), 1u) << trace;
  EXPECT_EQ(trace_lines(trace, "<<<", "], Certificate"), 1u) << trace;
  EXPECT_EQ(trace_lines(trace, "<<<", "], CertificateVerify"), 1u) << trace;
  EXPECT_EQ(trace.find("Alert"), std::string::npos) << trace;

  // Data keeps flowing, both ways, under the renegotiated keys.
  ASSERT_TRUE(client.write_stdin("after-renegotiation\n"));
  EXPECT_TRUE(s_server.wait_for_output("after-renegotiation\n", kRunTimeout)) << s_server.transcript();
  ASSERT_TRUE(s_server.write_stdin("from-server\n"));
  EXPECT_TRUE(client.wait_for_output("from-server\n", kRunTimeout)) << client.transcript();
  // Our close_notify ends it; s_server (one accept) then exits.
  client.close_stdin();
  EXPECT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << s_server.transcript();
  EXPECT_EQ(testing::count_occurrences(client.err(), "client-cert: chose"), 1u) << client.err();
  s_server.wait(kRunTimeout);
  EXPECT_EQ(s_server.err().find("error"), std::string::npos) << s_server.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, VouchClientRenegotiatesOnce, ::testing::Values(CertType::ecdsa, CertType::rsa),
                         [](const ::testing::TestParamInfo<CertType>& i) { return std::string(cert_name(i.param)); });

// s_server -verify 1 asks for the certificate in the initial handshake; R
// then renegotiates with SSL_VERIFY_CLIENT_ONCE, which does not ask again.
// The renegotiation still completes and data flows.
TEST(VouchClientRenegotiation, OnceWithOpenSslServerThatVerifiedInTheInitialHandshake) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  Server server = start_interactive_s_server(f, {"-verify", "1"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess& s_server = server.process;
  ChildProcess client = start_vouch_connect(
      server.port, f.root.cert_path,
      {"--renegotiation", "once", "--cert", f.client.chain_path, "--key", f.client.key_path});
  ASSERT_TRUE(client.wait_for_output("client-cert: chose CN=client-ecdsa,O=vouch-test: meets the request",
                                     kRunTimeout, true))
      << client.transcript() << s_server.transcript();
  ASSERT_TRUE(s_server.wait_for_output("CIPHER is ", kRunTimeout)) << s_server.transcript();
  EXPECT_NE(s_server.err().find("depth=0 O = vouch-test, CN = client-ecdsa\nverify return:1"), std::string::npos)
      << s_server.transcript();
  ASSERT_TRUE(s_server.write_stdin("R\n"));
  ASSERT_TRUE(s_server.wait_for_count(kServerFinishedSent, 2, kRunTimeout)) << s_server.transcript()
                                                                            << client.transcript();
  EXPECT_EQ(testing::count_occurrences(s_server.out(), "], ClientHello\n"), 2u) << s_server.out();
  ASSERT_TRUE(client.write_stdin("after-renegotiation\n"));
  EXPECT_TRUE(s_server.wait_for_output("after-renegotiation\n", kRunTimeout)) << s_server.transcript();
  ASSERT_TRUE(s_server.write_stdin("from-server\n"));
  EXPECT_TRUE(client.wait_for_output("from-server\n", kRunTimeout)) << client.transcript();
  client.close_stdin();
  EXPECT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << s_server.transcript();
}

// gnutls-serv --echo renegotiates on "**REHANDSHAKE**" and asks for a
// certificate in every handshake: vouch chooses one in each; data keeps
// flowing after the renegotiation; a second request is refused (once).
TEST(VouchClientRenegotiation, OnceWithGnuTlsServerThenASecondRequestIsRefused) {
  const testing::PkiFamily& f = family(CertType::rsa);
  Server server = start_gnutls_server({"--echo", "--priority", kGnutlsTls12Only, "--x509certfile",
                                       f.server.chain_path, "--x509keyfile", f.server.key_path, "--x509cafile",
                                       f.root.cert_path, "--verify-client-cert"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = start_vouch_connect(
      server.port, f.root.cert_path,
      {"--renegotiation", "once", "--cert", f.client.chain_path, "--key", f.client.key_path});
  const std::string chose = "client-cert: chose CN=client-rsa,O=vouch-test: meets the request";
  ASSERT_TRUE(client.wait_for_output(chose, kRunTimeout, true)) << client.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2");
  ASSERT_TRUE(client.write_stdin("before\n"));
  ASSERT_TRUE(client.wait_for_output("before\n", kRunTimeout)) << client.transcript();

  ASSERT_TRUE(client.write_stdin("**REHANDSHAKE**\n"));
  ASSERT_TRUE(client.wait_for_count(chose, 2, kRunTimeout, true)) << client.transcript() << server.process.transcript();
  // The whole flight is out before stdin is read again: "after" follows
  // vouch's Finished.
  ASSERT_TRUE(client.write_stdin("after\n"));
  EXPECT_TRUE(client.wait_for_output("after\n", kRunTimeout)) << client.transcript() << server.process.transcript();
  EXPECT_TRUE(server.process.wait_for_output("*** Received hello message", kRunTimeout, true))
      << server.process.transcript();

  // A second HelloRequest: refused with the warning.
  ASSERT_TRUE(client.write_stdin("**REHANDSHAKE**\n"));
  EXPECT_TRUE(server.process.wait_for_output("A TLS warning alert has been received", kRunTimeout, true))
      << server.process.transcript() << client.transcript();
  EXPECT_EQ(testing::count_occurrences(server.process.err(), "*** Received hello message"), 1u)
      << server.process.transcript();
  EXPECT_EQ(server.process.err().find("fatal alert"), std::string::npos) << server.process.transcript();
  client.close_stdin();
  client.wait(kRunTimeout);
  EXPECT_EQ(testing::count_occurrences(client.err(), chose), 2u) << client.err();
}

// ------------------------------------------------ vouch connect's default: never

// s_server's HelloRequest is refused with the warning; OpenSSL then ends the
// connection with handshake_failure, which vouch reports as the peer's.
TEST(VouchClientRenegotiation, NeverIsTheDefaultWithOpenSslServer) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  Server server = start_interactive_s_server(f, {});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess& s_server = server.process;
  ChildProcess client = start_vouch_connect(server.port, f.root.cert_path, {});
  ASSERT_TRUE(s_server.wait_for_output("CIPHER is ", kRunTimeout)) << s_server.transcript();
  ASSERT_TRUE(client.write_stdin("before\n"));
  ASSERT_TRUE(s_server.wait_for_output("before\n", kRunTimeout)) << s_server.transcript();
  ASSERT_TRUE(s_server.write_stdin("from-server\n"));
  ASSERT_TRUE(client.wait_for_output("from-server\n", kRunTimeout)) << client.transcript();

  ASSERT_TRUE(s_server.write_stdin("R\n"));
  EXPECT_TRUE(s_server.wait_for_output(kWarningNoRenegotiationReceived + "\n    01 64\n", kRunTimeout))
      << s_server.transcript() << client.transcript();
  // vouch did not start a handshake: one ClientHello in all.
  EXPECT_EQ(testing::count_occurrences(s_server.out(), "], ClientHello\n"), 1u) << s_server.out();
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_NE(client.err().find("vouch connect: error: read: peer sent alert handshake_failure"), std::string::npos)
      << client.transcript();
  s_server.wait(kRunTimeout);
  EXPECT_NE(s_server.err().find("no renegotiation"), std::string::npos) << s_server.transcript();
}

// gnutls-serv --echo: the warning reaches it as a warning (it then closes).
TEST(VouchClientRenegotiation, NeverIsTheDefaultWithGnuTlsServer) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  Server server = start_gnutls_server({"--echo", "-a", "--priority", kGnutlsTls12Only, "--x509certfile",
                                       f.server.chain_path, "--x509keyfile", f.server.key_path});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = start_vouch_connect(server.port, f.root.cert_path, {"--renegotiation", "never"});
  ASSERT_TRUE(client.write_stdin("before\n"));
  ASSERT_TRUE(client.wait_for_output("before\n", kRunTimeout)) << client.transcript() << server.process.transcript();
  ASSERT_TRUE(client.write_stdin("**REHANDSHAKE**\n"));
  EXPECT_TRUE(server.process.wait_for_output("*** Sending rehandshake request", kRunTimeout, true))
      << server.process.transcript();
  EXPECT_TRUE(server.process.wait_for_output("A TLS warning alert has been received", kRunTimeout, true))
      << server.process.transcript() << client.transcript();
  EXPECT_EQ(server.process.err().find("*** Received hello message"), std::string::npos)
      << server.process.transcript();
  client.close_stdin();
  client.wait(kRunTimeout);
  EXPECT_EQ(client.err().find("client-cert:"), std::string::npos) << client.err();
}

}  // namespace
}  // namespace vouch::interop
