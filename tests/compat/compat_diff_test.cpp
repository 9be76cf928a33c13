// The differential suite of vouch-ssl: each C program of tests/compat is
// built against the system's libssl and against vouch-ssl; here both builds
// run the same way (same arguments, same peer) and what they print must be
// identical. The libssl run is also checked for the lines that show the
// scenario really happened, so two builds failing alike do not pass.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "interop/interop.h"
#include "support/pki.h"
#include "support/process.h"

namespace vouch::compat_test {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::ExitStatus;

constexpr testing::milliseconds kRunTimeout = 30s;

std::string program(const std::string& flavour, const std::string& name) {
  return std::string(VOUCH_COMPAT_BIN_DIR) + "/" + flavour + "/" + name;
}

struct Outcome {
  std::string out;
  std::string transcript;  // for failure messages
  ExitStatus status;
};

Outcome run_program(const std::string& flavour, const std::string& name, const std::vector<std::string>& args) {
  std::vector<std::string> argv{program(flavour, name)};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p = ChildProcess::spawn(argv);
  Outcome r;
  r.status = p.wait(kRunTimeout);
  r.out = p.out();
  r.transcript = p.transcript();
  return r;
}

// Runs both builds with the same arguments and compares them.
Outcome expect_same(const std::string& name, const std::vector<std::string>& args) {
  Outcome libssl = run_program("libssl", name, args);
  Outcome vouch = run_program("vouch", name, args);
  EXPECT_TRUE(libssl.status.success()) << libssl.transcript;
  EXPECT_TRUE(vouch.status.success()) << vouch.transcript;
  EXPECT_EQ(libssl.out, vouch.out) << "--- libssl:\n" << libssl.transcript << "\n--- vouch:\n"
                                   << vouch.transcript;
  return libssl;
}

// The lines of `out` that start with `tag`, removed from it.
std::vector<std::string> take_tagged(std::string& out, const std::string& tag) {
  std::vector<std::string> tagged;
  std::string rest;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    end = end == std::string::npos ? out.size() : end + 1;
    const std::string line = out.substr(start, end - start);
    if (line.rfind(tag, 0) == 0) {
      tagged.push_back(line.substr(0, line.size() - (line.back() == '\n' ? 1 : 0)));
    } else {
      rest += line;
    }
    start = end;
  }
  out = rest;
  return tagged;
}

// Like expect_same, for a documented difference: the lines tagged
// "[documented difference]" must be exactly `libssl_says` in the libssl
// build and `vouch_says` in vouch's; every other line must be identical.
Outcome expect_same_but(const std::string& name, const std::vector<std::string>& args,
                        const std::vector<std::string>& libssl_says, const std::vector<std::string>& vouch_says) {
  const std::string tag = "[documented difference]";
  Outcome libssl = run_program("libssl", name, args);
  Outcome vouch = run_program("vouch", name, args);
  EXPECT_TRUE(libssl.status.success()) << libssl.transcript;
  EXPECT_TRUE(vouch.status.success()) << vouch.transcript;
  EXPECT_EQ(take_tagged(libssl.out, tag), libssl_says) << libssl.transcript;
  EXPECT_EQ(take_tagged(vouch.out, tag), vouch_says) << vouch.transcript;
  EXPECT_EQ(libssl.out, vouch.out) << "--- libssl:\n" << libssl.transcript << "\n--- vouch:\n"
                                   << vouch.transcript;
  return libssl;
}

void expect_line(const Outcome& r, const std::string& line) {
  EXPECT_NE(r.out.find(line + "\n"), std::string::npos) << "missing \"" << line << "\" in\n" << r.out;
}

// The lines appear in this order (each after the one before it).
void expect_in_order(const Outcome& r, const std::vector<std::string>& lines) {
  size_t at = 0;
  for (const std::string& line : lines) {
    const size_t found = r.out.find(line + "\n", at);
    ASSERT_NE(found, std::string::npos) << "missing \"" << line << "\" after offset " << at << " in\n" << r.out;
    at = found + line.size() + 1;
  }
}

std::string pki_dir() { return testing::test_pki().dir; }

// ---------------------------------------------------------------- in process

class MemoryPair : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(MemoryPair, HandshakeDataAndClose) {
  const auto& [kind, family_name] = GetParam();
  const testing::PkiFamily& f =
      family_name == "ecdsa" ? testing::test_pki().ecdsa() : testing::test_pki().rsa();
  Outcome r = expect_same("memory_pair", {kind, f.server.chain_path, f.server.key_path, f.root.cert_path});
  expect_line(r, "handshake: client=done server=done");
  expect_line(r, "client: peer=localhost peer_chain=2 servername=localhost");
  expect_line(r, "  data 'pong' pending=0");
  expect_line(r, "server SSL_read after peer close: ret=0 err=SSL_ERROR_ZERO_RETURN errors=no");
  expect_line(r, "client SSL_shutdown again: ret=1 err=SSL_ERROR_NONE errors=no");
  expect_line(r, "client SSL_write after shutdown: ret=-1 err=SSL_ERROR_SSL errors=yes");
  expect_line(r, "end");
}

INSTANTIATE_TEST_SUITE_P(
    Transports, MemoryPair,
    ::testing::Combine(::testing::Values("mem", "pair", "custom"), ::testing::Values("ecdsa", "rsa")),
    [](const auto& p) { return std::get<0>(p.param) + "_" + std::get<1>(p.param); });

TEST(CompatDiff, TinyBuffersRetryWrites) {
  const testing::PkiFamily& f = testing::test_pki().rsa();
  Outcome r = expect_same("small_pair", {f.server.chain_path, f.server.key_path, f.root.cert_path});
  expect_line(r, "handshake: client=1 server=1");
  expect_line(r, "during the handshake: WANT_READ=1 WANT_WRITE=1");
  expect_line(r, "data: written=20000 received=20000 intact=1");
  expect_line(r, "during the data: WANT_READ=1 WANT_WRITE=1");
}

// Also the reasons programs test (ERR_LIB_SSL and libssl's SSL_R_* numbers
// of the oldest queued error): 134 certificate verify failed, 1000 + alert
// for a received alert, 294 unexpected eof, 407 shutdown while in init, 207
// protocol is shutdown, 144 connection type not set, 177 no certificate
// assigned, X509's 116 key values mismatch, 199 peer did not return a
// certificate, 377 cert cb error, 328 invalid status response, 106 bad data
// returned by callback.
TEST(CompatDiff, ErrorPaths) {
  Outcome r = expect_same("errors", {pki_dir()});
  expect_line(r, "client: verify_result=20 (unable to get local issuer certificate)");
  expect_line(r, "client: verify_result=10 (certificate has expired)");
  expect_line(r, "client SSL_read at the end: ret=0 err=SSL_ERROR_SSL errors=yes");
  expect_line(r, "client SSL_read at the end: ret=0 err=SSL_ERROR_ZERO_RETURN errors=no");
  expect_line(r, "SSL_do_handshake: ret=-1 err=SSL_ERROR_SSL errors=yes");
  expect_line(r, "client SSL_do_handshake: first error ERR_LIB_SSL reason=134");
  expect_line(r, "server SSL_do_handshake: first error ERR_LIB_SSL reason=1048");
  expect_line(r, "server SSL_do_handshake: first error ERR_LIB_SSL reason=1045");
  expect_line(r, "client SSL_read at the end: first error ERR_LIB_SSL reason=294");
  expect_line(r, "SSL_shutdown during the handshake: first error ERR_LIB_SSL reason=407");
  expect_line(r, "client SSL_write after SSL_shutdown: first error ERR_LIB_SSL reason=207");
  expect_line(r, "SSL_do_handshake: first error ERR_LIB_SSL reason=144");
  expect_line(r, "check_private_key with nothing: first error ERR_LIB_SSL reason=177");
  expect_line(r, "use_PrivateKey_file(another ecdsa key): first error ERR_LIB_X509 reason=116");
  expect_line(r, "server SSL_do_handshake: first error ERR_LIB_SSL reason=199");
  expect_line(r, "client SSL_read: first error ERR_LIB_SSL reason=1116");
  expect_line(r, "server SSL_do_handshake: first error ERR_LIB_SSL reason=377");
  expect_line(r, "client SSL_do_handshake: first error ERR_LIB_SSL reason=328");
  expect_line(r, "client SSL_do_handshake: first error ERR_LIB_SSL reason=106");
  expect_line(r, "end");
}

TEST(CompatDiff, ApiAndOwnership) {
  Outcome r = expect_same("api", {pki_dir()});
  expect_line(r, "  ex_data free: argl=7 ptr=ssl-value");
  expect_line(r, "server: peer=client-ecdsa peer_chain=1 servername=localhost");
  expect_line(r, "client: peer=localhost peer_chain=2 servername=localhost");
  expect_line(r, "end");
}

// SSL_CTX_set_client_cert_cb(3): each return value of the callback,
// WANT_X509_LOOKUP and the retry, a certificate already set, SSL_clear.
TEST(CompatDiff, ClientCertCallback) {
  Outcome r = expect_same("client_cert_cb", {pki_dir()});
  expect_line(r, "SSL_CTX_get_client_cert_cb after: is the callback 1");
  expect_line(r, "  client_cert_cb call 1: certificate on the SSL=no, returns 1");
  expect_line(r, "server: peer=client-ecdsa peer_chain=1 verify_result=0");
  expect_line(r, "handshake: client=done server=failed");
  expect_line(r, "server: peer=- peer_chain=0 verify_result=0");
  expect_line(r, "client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no");
  expect_line(r, "  client_cert_cb call 3: certificate on the SSL=no, returns 1");
  expect_line(r, "callback calls: 3");
  expect_line(r, "callback calls after SSL_clear: 0");
  expect_line(r, "end");
}

// SSL_verify_client_post_handshake(3): a TLS 1.3 post-handshake request
// (RFC 8446 §4.6.2) reaches the client's SSL_read, which calls the client
// certificate callback; the server's next SSL_read sees the certificate.
TEST(CompatDiff, PostHandshakeAuth) {
  Outcome r = expect_same("pha", {pki_dir()});
  expect_line(r, "callback calls during the handshake: 0");
  expect_line(r, "server after the handshake: peer=- peer_chain=-1 verify_result=0");
  expect_line(r, "  client_cert_cb call 1: CA names=1, returns 1");
  expect_line(r, "  client got 'req'");
  expect_line(r, "  server got 'ok'");
  expect_line(r, "server after the request: peer=client-ecdsa peer_chain=1 verify_result=0");
  expect_line(r, "  client_cert_cb call 1: CA names=1, returns 0");
  expect_line(r, "server after the request: peer=- peer_chain=0 verify_result=0");
  expect_line(r, "SSL_verify_client_post_handshake=0 errors=yes");
  // The callback answers -1 first: the SSL_read that read the request stops
  // with WANT_X509_LOOKUP, in init again; the next call asks again.
  expect_line(r, "  client_cert_cb call 1: CA names=1, returns -1");
  expect_line(r, "client SSL_read: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no");
  expect_line(r, "  then: SSL_is_init_finished=0 callback calls=1");
  expect_line(r, "server while the client waits: peer=- peer_chain=-1");
  expect_line(r, "client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no");
  expect_line(r, "  client_cert_cb call 3: CA names=1, returns 1");
  expect_line(r, "client SSL_write: ret=5 err=SSL_ERROR_NONE errors=no");
  expect_line(r, "  server got 'early'");
  expect_line(r, "client SSL_shutdown: ret=-1 err=SSL_ERROR_SSL errors=yes");
  expect_line(r, "server after the answer: peer=client-ecdsa peer_chain=1 verify_result=0");
  expect_line(r, "server after the answer: peer=- peer_chain=0 verify_result=0");
  expect_line(r, "end");
}

// SSL_CTX_set_tlsext_status_cb(3): the server callback's answers, the
// client callback's answers, no request, resumption.
//
// The one documented difference: the page says the client callback is "not
// called ... where session resumption occurs" (as in TLS 1.2), but libssl
// 3.0 calls it on a resumed TLS 1.3 handshake. vouch follows the page
// (issue 5). The program prints the call count on one tagged line; every
// other line must be identical.
TEST(CompatDiff, StatusCallback) {
  Outcome r = expect_same_but("status_cb", {pki_dir()},
                              {"[documented difference] client status cb calls on resumption=1"},
                              {"[documented difference] client status cb calls on resumption=0"});
  expect_line(r, "SSL_get_tlsext_status_ocsp_resp on a new SSL=-1 resp=NULL");
  expect_line(r, "  server status cb: arg=server-arg certificate=localhost, returns 0");
  expect_line(r, "  client status cb: arg=client-arg len=-1 resp=NULL, returns 1");
  expect_line(r, "callback calls: server=0 client=0");
  expect_line(r, "handshake: client=failed server=failed");
  expect_line(r, "callback calls in the full handshake: server=1 client=1");
  expect_line(r, "session_reused: client=1 server=1");
  expect_line(r, "end");
}

// Both pages' callbacks set at once: the order libssl calls them in (the
// client's status callback after its client certificate callbacks when the
// server asked for a certificate, after a WANT_X509_LOOKUP retry too), and
// a status callback refusing after the client certificate was chosen.
TEST(CompatDiff, CallbackOrder) {
  Outcome r = expect_same("callback_order", {pki_dir()});
  expect_in_order(r, {"== server asks for a certificate, everything accepts", "  server cert_cb, returns 1",
                      "  server status cb, returns NOACK", "  client cert_cb (certificate on the SSL=no), returns 1",
                      "  client_cert_cb call 1, returns 1",
                      "  client status cb (staple=no, peer certificate=yes), returns 1",
                      "handshake: client=done server=done"});
  expect_in_order(r, {"== server asks, client_cert_cb answers -1 first", "  client_cert_cb call 1, returns -1",
                      "client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no",
                      "  client_cert_cb call 2, returns 1",
                      "  client status cb (staple=no, peer certificate=yes), returns 1",
                      "handshake: client=done server=done"});
  expect_in_order(r, {"== server asks, client status callback refuses", "  client_cert_cb call 1, returns 1",
                      "  client status cb (staple=no, peer certificate=yes), returns 0",
                      "client SSL_do_handshake: ret=-1 err=SSL_ERROR_SSL errors=yes",
                      "handshake: client=failed server=failed"});
  expect_in_order(r, {"== server does not ask", "  client status cb (staple=no, peer certificate=yes), returns 1",
                      "handshake: client=done server=done"});
  expect_line(r, "end");
}

// The name checked against the server's certificate: none unless
// SSL_set1_host (the SNI is not one), DNS names and IP literals, a mismatch
// recorded with SSL_VERIFY_NONE.
TEST(CompatDiff, HostCheck) {
  Outcome r = expect_same("host_check", {pki_dir()});
  expect_in_order(r, {"== SNI names another host, no SSL_set1_host", "handshake: client=done server=done",
                      "client: verify_result=0"});
  expect_in_order(r, {"== SSL_set1_host does not match", "handshake: client=failed server=failed",
                      "client: verify_result=62"});
  expect_in_order(r, {"== SSL_set1_host does not match, SSL_VERIFY_NONE", "handshake: client=done server=done",
                      "client: verify_result=62"});
  expect_in_order(r, {"== SSL_set1_host with another IP address", "handshake: client=failed server=failed",
                      "client: verify_result=64"});
  expect_line(r, "end");
}

// The verify callback (SSL_CTX_set_verify / SSL_set_verify): the calls
// libcrypto makes (anchor down to the leaf, again at a problem), the SSL
// reached through SSL_get_ex_data_X509_STORE_CTX_idx(), a failure accepted
// (verify result kept), a good chain refused, both roles. The documented
// difference: an SSL_VERIFY_NONE client's callback runs once its handshake
// is complete in vouch-ssl (ssl.h, SSL_CTX_set_verify).
TEST(CompatDiff, VerifyCallback) {
  Outcome r = expect_same_but(
      "verify_cb", {pki_dir()},
      {"[documented difference] client verify cb with SSL_VERIFY_NONE called after the handshake: no",
       "[documented difference] client verify cb with SSL_VERIFY_NONE called after the handshake: no"},
      {"[documented difference] client verify cb with SSL_VERIFY_NONE called after the handshake: yes",
       "[documented difference] client verify cb with SSL_VERIFY_NONE called after the handshake: yes"});
  expect_line(r, "SSL_get_ex_data_X509_STORE_CTX_idx stable: yes");
  expect_in_order(r, {"== client passes preverify_ok through, good chain",
                      "  client verify cb: preverify_ok=1 depth=2 cn=vouch test root ecdsa error=0 ssl=client-ssl, "
                      "returns 1",
                      "  client verify cb: preverify_ok=1 depth=1 cn=vouch test intermediate ecdsa error=0 "
                      "ssl=client-ssl, returns 1",
                      "  client verify cb: preverify_ok=1 depth=0 cn=localhost error=0 ssl=client-ssl, returns 1",
                      "handshake: client=done server=done", "verify results: client=0 server=0, callback calls=3"});
  expect_in_order(r, {"== client accepts everything, wrong CA",
                      "  client verify cb: preverify_ok=0 depth=1 cn=vouch test intermediate ecdsa error=20 "
                      "ssl=client-ssl, returns 1",
                      "handshake: client=done server=done", "verify results: client=20 server=0, callback calls=2"});
  expect_in_order(r, {"== client accepts everything, SSL_set1_host does not match",
                      "  client verify cb: preverify_ok=0 depth=0 cn=localhost error=62 ssl=client-ssl, returns 1",
                      "handshake: client=done server=done"});
  expect_in_order(r, {"== client refuses depth 0 of a good chain",
                      "  client verify cb: preverify_ok=1 depth=0 cn=localhost error=0 ssl=client-ssl, returns 0",
                      "client SSL_do_handshake: ret=-1 err=SSL_ERROR_SSL errors=yes",
                      "handshake: client=failed server=failed", "verify results: client=1 server=0, callback calls=3"});
  expect_in_order(r, {"== SSL_VERIFY_NONE client refuses depth 0 of a good chain",
                      "handshake: client=done server=done", "verify results: client=1 server=0, callback calls=3"});
  expect_in_order(r, {"== server accepts everything, client of another CA",
                      "  server verify cb: preverify_ok=0 depth=1 cn=vouch test intermediate rsa error=20 "
                      "ssl=server-ssl, returns 1",
                      "handshake: client=done server=done", "verify results: client=0 server=20, callback calls=5"});
  expect_in_order(r, {"== server refuses depth 0 of a good client chain",
                      "  server verify cb: preverify_ok=1 depth=0 cn=client-ecdsa error=0 ssl=server-ssl, returns 0",
                      "server SSL_do_handshake: ret=-1 err=SSL_ERROR_SSL errors=yes",
                      "verify results: client=0 server=1, callback calls=6"});
  expect_in_order(r, {"== server that asks for nothing never calls it", "handshake: client=done server=done",
                      "verify results: client=0 server=0, callback calls=3"});
  expect_line(r, "end");
}

// SSL_CTX_set_verify_depth on both sides: within the depth, beyond it
// (X509_V_ERR_CERT_CHAIN_TOO_LONG), recorded with SSL_VERIFY_NONE.
TEST(CompatDiff, VerifyDepth) {
  Outcome r = expect_same("verify_depth", {pki_dir()});
  expect_in_order(r, {"== client depth 1", "handshake: client=done server=done", "verify_result: client=0 server=0"});
  expect_in_order(r, {"== client depth 0", "handshake: client=failed server=failed",
                      "verify_result: client=22 server=0"});
  expect_in_order(r, {"== client depth 0, SSL_VERIFY_NONE", "handshake: client=done server=done",
                      "verify_result: client=22 server=0"});
  expect_in_order(r, {"== server depth 0", "handshake: client=done server=failed",
                      "verify_result: client=0 server=22"});
  expect_line(r, "end");
}

// What the callbacks push, and what libssl raises about their answers while
// the handshake goes on, stays on the error queue.
TEST(CompatDiff, CallbackErrorsStayQueued) {
  Outcome r = expect_same("callback_errors", {pki_dir()});
  expect_in_order(r, {"== client_cert_cb returns 1 without certificate, server only asks",
                      "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=yes",
                      "server sees client certificate: -"});
  expect_in_order(r, {"== client_cert_cb returns 1 with a key of another certificate",
                      "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=yes",
                      "server sees client certificate: -"});
  expect_in_order(r, {"== client_cert_cb pushes an error and returns 0", "callback errors seen on the queue: 1"});
  expect_in_order(r, {"== client status callback pushes an error and returns 1",
                      "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=yes",
                      "callback errors seen on the queue: 1"});
  expect_in_order(r, {"== server status callback pushes an error and returns NOACK",
                      "server SSL_do_handshake: ret=-1 err=SSL_ERROR_SSL errors=yes",
                      "callback errors seen on the queue: 1"});
  expect_in_order(r, {"== client cert_cb pushes an error and returns 1", "callback errors seen on the queue: 1"});
  expect_line(r, "end");
}

// Sessions: tickets read after the handshake, SSL_get1_session,
// SSL_set_session on a new SSL, SSL_session_reused on both sides; no
// tickets, nothing to resume; SSL_CTX_set_cipher_list.
TEST(CompatDiff, Sessions) {
  Outcome r = expect_same("sessions", {pki_dir()});
  expect_line(r, "SSL_CTX_set_session_id_context(33 bytes)=0 errors=yes");
  expect_line(r, "client: SSL_get1_session=set resumable=1 same as SSL_get_session=1");
  expect_line(r, "session_reused: client=1 server=1");
  expect_line(r, "client: SSL_get1_session=set resumable=0 same as SSL_get_session=1");
  expect_line(r, "SSL_CTX_set_cipher_list(\"DEFAULT\")=1 errors=no");
  expect_line(r, "SSL_CTX_set_cipher_list(\"HIGH:!aNULL\")=1 errors=no");
  expect_line(r, "SSL_CTX_set_cipher_list(\"NOPE\")=0 errors=yes");
  expect_line(r, "end");
}

// SSL_CTX_set_client_CA_list / SSL_load_client_CA_file / SSL_get_client_CA_list
// (the names the client certificate callback sees, with and without a list)
// and SSL_CTX_set_cert_cb on both sides (1 continues, 0 fails).
TEST(CompatDiff, ClientCaListAndCertCallback) {
  Outcome r = expect_same("ca_list", {pki_dir()});
  expect_line(r, "  client sees CA list: 2 names");
  expect_line(r, "    /O=vouch-test/CN=vouch test root rsa");
  expect_line(r, "  client sees CA list: NULL");
  expect_line(r, "  cert_cb: server-arg role=server, returns 1");
  expect_line(r, "  cert_cb: client-arg role=client, returns 0");
  expect_line(r, "handshake: client=failed server=failed");
  expect_line(r, "end");
}

// ---------------------------------------------------------------- real peers

// One `openssl s_server -www` serves both builds in turn.
class SocketClient : public ::testing::TestWithParam<std::string> {};

TEST_P(SocketClient, AgainstOpensslServerWww) {
  const std::string& verify = GetParam();
  const testing::PkiFamily& f = testing::test_pki().ecdsa();
  interop::Server server =
      interop::start_openssl_server({"-www", "-cert", f.server.cert_path, "-key", f.server.key_path,
                                     "-cert_chain", f.intermediate.cert_path});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  // With SSL_VERIFY_NONE the client trusts the wrong root: the handshake
  // completes and SSL_get_verify_result says why the chain does not verify.
  const std::string ca = verify == "peer" ? f.root.cert_path : testing::test_pki().rsa().root.cert_path;
  Outcome r = expect_same("socket_client", {std::to_string(server.port), ca, verify});
  expect_line(r, "SSL_connect: ret=1 err=SSL_ERROR_NONE errors=no");
  expect_line(r, "status: HTTP/1.0 200 ok");
  expect_line(r, "page says \"Cipher is TLS_AES_256_GCM_SHA384\": yes");
  expect_line(r, std::string("client: version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 verify_result=") +
                     (verify == "peer" ? "0" : "20"));
  expect_line(r, "end");
}

INSTANTIATE_TEST_SUITE_P(Verify, SocketClient, ::testing::Values("peer", "none"),
                         [](const auto& p) { return p.param; });

// SSL_CTX_set_client_cert_cb(3) with a blocking socket: -1 stops the
// blocking SSL_connect with WANT_X509_LOOKUP, the next call asks again.
struct ClientCertOverSocket {
  const char* name;
  const char* server_verify;  // s_server's -verify (asks) or -Verify (demands)
  const char* answers;        // the callback's answers, one per call
  const char* calls;          // how many times it is called
  const char* page_names_certificate;
};

class SocketClientCert : public ::testing::TestWithParam<ClientCertOverSocket> {};

TEST_P(SocketClientCert, AgainstOpensslServerAskingForACertificate) {
  const ClientCertOverSocket& c = GetParam();
  const testing::PkiFamily& f = testing::test_pki().ecdsa();
  std::vector<std::string> args = interop::openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-www", c.server_verify, "1", "-CAfile", f.root.cert_path});
  interop::Server server = interop::start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  Outcome r = expect_same("socket_client_cert", {pki_dir(), std::to_string(server.port), c.answers});
  expect_in_order(r, {"  client_cert_cb call 1: CA names=1, returns -1",
                      "SSL_connect: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no",
                      "  SSL_is_init_finished=0 SSL_want_x509_lookup=1"});
  expect_line(r, std::string("callback calls: ") + c.calls);
  if (c.page_names_certificate != nullptr) {
    expect_line(r, "SSL_connect: ret=1 err=SSL_ERROR_NONE errors=no");
    expect_line(r, std::string("page names a client certificate: ") + c.page_names_certificate);
  } else {
    // A server demanding a certificate refuses the empty one: the client,
    // done with its side, learns it reading (libssl: 0 for a received alert).
    expect_line(r, "SSL_read at the end: ret=0 err=SSL_ERROR_SSL errors=yes");
  }
  expect_line(r, "end");
}

INSTANTIATE_TEST_SUITE_P(
    Answers, SocketClientCert,
    ::testing::Values(ClientCertOverSocket{"later_twice_then_certificate", "-verify", "-1,-1,1", "3", "yes"},
                      ClientCertOverSocket{"later_then_decline", "-verify", "-1,0", "2", "no"},
                      ClientCertOverSocket{"later_then_decline_to_a_demanding_server", "-Verify", "-1,0", "2",
                                           nullptr}),
    [](const auto& p) { return std::string(p.param.name); });

// The program listens on a free port and says "ready"; s_client connects,
// sends a line and waits (-quiet implies -ign_eof) until the server closes.
Outcome run_socket_server(const std::string& flavour, const testing::PkiFamily& f) {
  Outcome r;
  for (int attempt = 0; attempt < interop::kPortAttempts; ++attempt) {
    const uint16_t port = testing::free_port();
    ChildProcess server = ChildProcess::spawn(
        {program(flavour, "socket_server"), std::to_string(port), f.server.chain_path, f.server.key_path});
    if (!server.wait_for_output("ready\n", interop::kStartTimeout)) {
      r.status = server.wait(kRunTimeout);
      r.out = server.out();
      r.transcript = server.transcript();
      if (r.out.find("setup failed: bind") != std::string::npos) continue;  // port taken meanwhile
      return r;
    }
    ChildProcess client = ChildProcess::spawn(
        {interop::require_program("openssl"), "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
         "-CAfile", f.root.cert_path, "-servername", "localhost", "-verify_return_error", "-quiet"},
        {testing::StdinMode::data, "hello\n", {}});
    const ExitStatus client_status = client.wait(kRunTimeout);
    r.status = server.wait(kRunTimeout);
    r.out = server.out();
    r.transcript = server.transcript() + "\n--- s_client:\n" + client.transcript();
    EXPECT_TRUE(client_status.success()) << r.transcript;
    EXPECT_NE(client.out().find("world"), std::string::npos) << r.transcript;
    return r;
  }
  ADD_FAILURE() << "no free port after " << interop::kPortAttempts << " attempts";
  return r;
}

TEST(CompatDiff, SocketServerAgainstOpensslClient) {
  const testing::PkiFamily& f = testing::test_pki().ecdsa();
  Outcome libssl = run_socket_server("libssl", f);
  Outcome vouch = run_socket_server("vouch", f);
  EXPECT_TRUE(libssl.status.success()) << libssl.transcript;
  EXPECT_TRUE(vouch.status.success()) << vouch.transcript;
  EXPECT_EQ(libssl.out, vouch.out) << "--- libssl:\n" << libssl.transcript << "\n--- vouch:\n"
                                   << vouch.transcript;
  expect_line(libssl, "SSL_accept: ret=1 err=SSL_ERROR_NONE errors=no");
  expect_line(libssl, "line: hello");
  expect_line(libssl, "server: peer=- peer_chain=-1 servername=localhost");
  expect_line(libssl, "end");
}

// SSL_CTX_set_cert_cb(3) on a server: -1 (SSL_ERROR_WANT_X509_LOOKUP, the
// next handshake call calls it again, nothing written meanwhile) once and
// twice, then 1 with a certificate set inside it; 0 (the handshake fails,
// the callback's own error stays queued first); 1 with the context's
// certificate; not called on resumption; a blocking server over a
// socketpair whose client runs in a child process.
//
// The one documented difference: with a HelloRetryRequest libssl calls the
// callback for both ClientHellos (3 calls for -1, 1, 1), vouch only for the
// second, the one its ServerHello answers (2 calls); the outcome is the same.
TEST(CompatDiff, ServerCertCallback) {
  Outcome r = expect_same_but("server_cert_cb", {pki_dir()},
                              {"[documented difference] callback calls with a HelloRetryRequest: 3"},
                              {"[documented difference] callback calls with a HelloRetryRequest: 2"});
  expect_in_order(r, {"== returns -1 twice, then 1 setting the certificate",
                      "  cert_cb call 1: arg=server-arg servername=localhost, returns -1",
                      "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no",
                      "  server output while waiting: 0 bytes",
                      "  cert_cb call 2: arg=server-arg servername=localhost, returns -1",
                      "  cert_cb call 3: arg=server-arg servername=localhost, returns 1",
                      "  cert_cb: SSL_use_certificate=1 SSL_use_PrivateKey=1",
                      "client sees: subject=localhost issuer=vouch test intermediate rsa chain=2 verify_result=0",
                      "callback calls: 3"});
  expect_in_order(r, {"== returns 0", "server SSL_do_handshake: ret=-1 err=SSL_ERROR_SSL errors=yes",
                      "handshake: client=failed server=failed"});
  expect_in_order(r, {"== returns 1 without setting anything, the context has a certificate",
                      "client sees: subject=localhost issuer=vouch test intermediate ecdsa chain=2 verify_result=0"});
  expect_in_order(r, {"== resumption: returns 1 in the full handshake, not called when resuming",
                      "callback calls in the full handshake: 1", "session_reused: client=1 server=1",
                      "callback calls in all: 1"});
  expect_in_order(r, {"== blocking socket: returns -1 twice, then 1 setting the certificate",
                      "SSL_accept: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no",
                      "  cert_cb call 3: arg=socket-arg servername=localhost, returns 1",
                      "SSL_accept: ret=1 err=SSL_ERROR_NONE errors=no",
                      "client sees: subject=localhost issuer=vouch test intermediate rsa chain=2 verify_result=0",
                      "client exit status: 0"});
  expect_in_order(r, {"== returns 0 with an error of its own on the queue", "  callback's error first on the queue: yes",
                      "server SSL_do_handshake: ret=-1 err=SSL_ERROR_SSL errors=yes"});
  expect_line(r, "end");
}

}  // namespace
}  // namespace vouch::compat_test
