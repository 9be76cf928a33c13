// The differential suite of vouch-ssl: each C program of tests/compat is
// built against the system's libssl and against vouch-ssl; here both builds
// run the same way (same arguments, same peer), in TLS 1.3 and in TLS 1.2,
// and what they print must be identical — the transcript on stdout and the
// error queue on stderr — but for the documented differences, which are
// asserted. The libssl run is also checked for the lines that show the
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

// The protocol version the programs run in: "--tls1_2" pins their contexts
// to TLS 1.2 (common.c); without it they keep libssl's default range, in
// which two of them negotiate TLS 1.3. Each test sets it before running.
enum class Version { tls13, tls12 };
Version g_version = Version::tls13;
bool tls12() { return g_version == Version::tls12; }
std::string version_name(Version v) { return v == Version::tls12 ? "TLS12" : "TLS13"; }
// "TLSv1.2" or "TLSv1.3", as SSL_get_version says.
std::string version_text() { return tls12() ? "TLSv1.2" : "TLSv1.3"; }
const auto kVersions = ::testing::Values(Version::tls13, Version::tls12);

std::string program(const std::string& flavour, const std::string& name) {
  return std::string(VOUCH_COMPAT_BIN_DIR) + "/" + flavour + "/" + name;
}

struct Outcome {
  std::string out;
  std::string err;         // what the program printed on stderr: the error queue's entries
  std::string transcript;  // for failure messages
  ExitStatus status;
};

// stderr as compared: each error entry without its data text (after " : "),
// which vouch-ssl fills with vouch's own reason where libssl has none or
// another wording; the library, reason code and reason text must be
// libssl's. Other lines as printed.
std::string comparable_errors(const std::string& err) {
  std::string out;
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    std::string line = err.substr(start, end - start);
    if (line.rfind("  error: ", 0) == 0) line = line.substr(0, line.find(" : "));
    out += line + "\n";
    start = end + 1;
  }
  return out;
}

// One documented difference in the error texts: where libssl prints
// `libssl`, vouch-ssl prints `vouch` (both must occur).
struct ErrDifference {
  std::string libssl;
  std::string vouch;
};

// The stderr of both builds must match but for the documented differences.
// Line by line: a line that differs must be one of the documented pairs
// (each of which must occur).
void expect_same_errors(const Outcome& libssl, const Outcome& vouch, const std::vector<ErrDifference>& differences) {
  const std::string l = comparable_errors(libssl.err);
  const std::string v = comparable_errors(vouch.err);
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    for (size_t start = 0; start < text.size();) {
      const size_t end = text.find('\n', start);
      out.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return out;
  };
  const std::vector<std::string> ll = lines(l), vl = lines(v);
  std::vector<bool> seen(differences.size(), false);
  bool same = ll.size() == vl.size();
  for (size_t i = 0; same && i < ll.size(); ++i) {
    if (ll[i] == vl[i]) continue;
    bool documented = false;
    for (size_t d = 0; d < differences.size(); ++d) {
      if (ll[i].find(differences[d].libssl) != std::string::npos &&
          vl[i].find(differences[d].vouch) != std::string::npos) {
        documented = seen[d] = true;
      }
    }
    same = documented;
  }
  EXPECT_TRUE(same) << "stderr differs:\n--- libssl:\n" << l << "--- vouch:\n" << v;
  for (size_t d = 0; same && d < differences.size(); ++d)
    EXPECT_TRUE(seen[d]) << "documented difference not seen: libssl \"" << differences[d].libssl
                         << "\", vouch \"" << differences[d].vouch << "\"";
}

Outcome run_program(const std::string& flavour, const std::string& name, const std::vector<std::string>& args) {
  std::vector<std::string> argv{program(flavour, name)};
  argv.insert(argv.end(), args.begin(), args.end());
  if (tls12()) argv.push_back("--tls1_2");
  ChildProcess p = ChildProcess::spawn(argv);
  Outcome r;
  r.status = p.wait(kRunTimeout);
  r.out = p.out();
  r.err = p.err();
  r.transcript = p.transcript();
  return r;
}

// Runs both builds with the same arguments and compares what they print,
// on stdout and on stderr (see expect_same_errors).
Outcome expect_same(const std::string& name, const std::vector<std::string>& args,
                    const std::vector<ErrDifference>& err_differences = {}) {
  Outcome libssl = run_program("libssl", name, args);
  Outcome vouch = run_program("vouch", name, args);
  EXPECT_TRUE(libssl.status.success()) << libssl.transcript;
  EXPECT_TRUE(vouch.status.success()) << vouch.transcript;
  EXPECT_EQ(libssl.out, vouch.out) << "--- libssl:\n" << libssl.transcript << "\n--- vouch:\n"
                                   << vouch.transcript;
  expect_same_errors(libssl, vouch, err_differences);
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
                        const std::vector<std::string>& libssl_says, const std::vector<std::string>& vouch_says,
                        const std::vector<ErrDifference>& err_differences = {}) {
  const std::string tag = "[documented difference]";
  Outcome libssl = run_program("libssl", name, args);
  Outcome vouch = run_program("vouch", name, args);
  EXPECT_TRUE(libssl.status.success()) << libssl.transcript;
  EXPECT_TRUE(vouch.status.success()) << vouch.transcript;
  EXPECT_EQ(take_tagged(libssl.out, tag), libssl_says) << libssl.transcript;
  EXPECT_EQ(take_tagged(vouch.out, tag), vouch_says) << vouch.transcript;
  EXPECT_EQ(libssl.out, vouch.out) << "--- libssl:\n" << libssl.transcript << "\n--- vouch:\n"
                                   << vouch.transcript;
  expect_same_errors(libssl, vouch, err_differences);
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

// The first line after `header` that starts with `prefix` is exactly `line`
// (a case's own result, not one printed by a later case).
void expect_next(const Outcome& r, const std::string& header, const std::string& prefix, const std::string& line) {
  const size_t h = r.out.find(header + "\n");
  ASSERT_NE(h, std::string::npos) << "missing \"" << header << "\" in\n" << r.out;
  const size_t p = r.out.find("\n" + prefix, h);
  ASSERT_NE(p, std::string::npos) << "no \"" << prefix << "\" after \"" << header << "\" in\n" << r.out;
  EXPECT_EQ(r.out.substr(p + 1, r.out.find('\n', p + 1) - p - 1), line) << "after \"" << header << "\"";
}

std::string pki_dir() { return testing::test_pki().dir; }

// ---------------------------------------------------------------- in process

// Every differential program runs in TLS 1.3 and in TLS 1.2.
class CompatDiff : public ::testing::TestWithParam<Version> {
 protected:
  void SetUp() override { g_version = GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Versions, CompatDiff, kVersions, [](const auto& p) { return version_name(p.param); });

class MemoryPair : public ::testing::TestWithParam<std::tuple<std::string, std::string, Version>> {
 protected:
  void SetUp() override { g_version = std::get<2>(GetParam()); }
};

TEST_P(MemoryPair, HandshakeDataAndClose) {
  const auto& [kind, family_name, version] = GetParam();
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
    ::testing::Combine(::testing::Values("mem", "pair", "custom"), ::testing::Values("ecdsa", "rsa"), kVersions),
    [](const auto& p) {
      return std::get<0>(p.param) + "_" + std::get<1>(p.param) + "_" + version_name(std::get<2>(p.param));
    });

TEST_P(CompatDiff, TinyBuffersRetryWrites) {
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
TEST_P(CompatDiff, ErrorPaths) {
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
  // TLS 1.3: the client, done with its side, reads certificate_required
  // (1000 + 116); TLS 1.2: its handshake waits when the server fails.
  if (!tls12()) expect_line(r, "client SSL_read: first error ERR_LIB_SSL reason=1116");
  expect_line(r, "server SSL_do_handshake: first error ERR_LIB_SSL reason=377");
  expect_line(r, "client SSL_do_handshake: first error ERR_LIB_SSL reason=328");
  expect_line(r, "client SSL_do_handshake: first error ERR_LIB_SSL reason=106");
  expect_line(r, "end");
}

TEST_P(CompatDiff, ApiAndOwnership) {
  Outcome r = expect_same("api", {pki_dir()});
  expect_line(r, "  ex_data free: argl=7 ptr=ssl-value");
  expect_line(r, "server: peer=client-ecdsa peer_chain=1 servername=localhost");
  expect_line(r, "client: peer=localhost peer_chain=2 servername=localhost");
  expect_line(r, "end");
}

// SSL_CTX_set_client_cert_cb(3): each return value of the callback,
// WANT_X509_LOOKUP and the retry, a certificate already set, SSL_clear;
// over memory BIOs and a BIO pair.
TEST_P(CompatDiff, ClientCertCallback) {
  for (const char* transport : {"mem", "pair"}) {
    SCOPED_TRACE(transport);
    Outcome r = expect_same("client_cert_cb", {pki_dir(), transport});
    expect_line(r, "SSL_CTX_get_client_cert_cb after: is the callback 1");
    expect_line(r, "  client_cert_cb call 1: certificate on the SSL=no, returns 1");
    expect_line(r, "server: peer=client-ecdsa peer_chain=1 verify_result=0");
    // A demanding server refuses the empty certificate: in TLS 1.3 after the
    // client's handshake is done; in TLS 1.2 the client reads the alert in it.
    expect_line(r, tls12() ? "handshake: client=failed server=failed" : "handshake: client=done server=failed");
    expect_line(r, "server: peer=- peer_chain=0 verify_result=0");
    expect_line(r, "client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no");
    expect_line(r, "  client_cert_cb call 3: certificate on the SSL=no, returns 1");
    expect_line(r, "callback calls: 3");
    expect_line(r, "callback calls after SSL_clear: 0");
    expect_line(r, "end");
  }
}

// SSL_verify_client_post_handshake(3): a TLS 1.3 post-handshake request
// (RFC 8446 §4.6.2) reaches the client's SSL_read, which calls the client
// certificate callback; the server's next SSL_read sees the certificate.
TEST_P(CompatDiff, PostHandshakeAuth) {
  Outcome r = expect_same("pha", {pki_dir()});
  if (tls12()) {
    // TLS 1.2 has no post-handshake authentication: SSL_VERIFY_POST_HANDSHAKE
    // is ignored (the server asks during the handshake), the client's offer
    // is not sent, and SSL_verify_client_post_handshake fails (wrong ssl
    // version).
    expect_in_order(r, {"== client offers, callback returns 1", "  client_cert_cb call 1: CA names=1, returns 1",
                        "callback calls during the handshake: 1",
                        "server after the handshake: peer=client-ecdsa peer_chain=1 verify_result=0",
                        "SSL_verify_client_post_handshake=0 errors=yes", "  server got 'ok'"});
    expect_in_order(r, {"== client offers, callback returns 0", "  client_cert_cb call 1: CA names=1, returns 0",
                        "server after the handshake: peer=- peer_chain=0 verify_result=0",
                        "SSL_verify_client_post_handshake=0 errors=yes"});
    expect_line(r, "end");
    return;
  }
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
//
// In TLS 1.2 libssl follows the page: no difference, the tagged line is the
// same in both builds.
TEST_P(CompatDiff, StatusCallback) {
  Outcome r = expect_same_but("status_cb", {pki_dir()},
                              {std::string("[documented difference] client status cb calls on resumption=") +
                               (tls12() ? "0" : "1")},
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
TEST_P(CompatDiff, CallbackOrder) {
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
TEST_P(CompatDiff, HostCheck) {
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
// The calls of such a callback are tagged too (where they fall among the
// handshake calls differs); what each sees and answers is the same.
std::vector<std::string> verify_none_calls(const std::string& after_the_handshake) {
  const std::string tag = "[documented difference] ";
  const std::string when = tag + "client verify cb with SSL_VERIFY_NONE called after the handshake: " +
                           after_the_handshake;
  return {when,
          tag + " client verify cb: preverify_ok=0 depth=1 cn=vouch test intermediate ecdsa error=20 "
                "ssl=client-ssl, returns 0",
          when,
          tag + " client verify cb: preverify_ok=1 depth=2 cn=vouch test root ecdsa error=0 ssl=client-ssl, returns 1",
          tag + " client verify cb: preverify_ok=1 depth=1 cn=vouch test intermediate ecdsa error=0 "
                "ssl=client-ssl, returns 1",
          tag + " client verify cb: preverify_ok=1 depth=0 cn=localhost error=0 ssl=client-ssl, returns 0"};
}

TEST_P(CompatDiff, VerifyCallback) {
  // A certificate the verify callback refuses: libssl answers with
  // internal_error, vouch with bad_certificate (the peer's error says so).
  Outcome r = expect_same_but("verify_cb", {pki_dir()}, verify_none_calls("no"), verify_none_calls("yes"),
                              {{"error:0A000438:SSL routines::tlsv1 alert internal error",
                                "error:0A000412:SSL routines::sslv3 alert bad certificate"}});
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
TEST_P(CompatDiff, VerifyDepth) {
  // A chain longer than the depth: libssl answers with unknown_ca, vouch
  // with bad_certificate (the peer's error says so).
  Outcome r = expect_same("verify_depth", {pki_dir()},
                          {{"error:0A000418:SSL routines::tlsv1 alert unknown ca",
                            "error:0A000412:SSL routines::sslv3 alert bad certificate"}});
  expect_in_order(r, {"== client depth 1", "handshake: client=done server=done", "verify_result: client=0 server=0"});
  expect_in_order(r, {"== client depth 0", "handshake: client=failed server=failed",
                      "verify_result: client=22 server=0"});
  expect_in_order(r, {"== client depth 0, SSL_VERIFY_NONE", "handshake: client=done server=done",
                      "verify_result: client=22 server=0"});
  expect_in_order(r, {"== server depth 0",
                      tls12() ? "handshake: client=waiting server=failed" : "handshake: client=done server=failed",
                      "verify_result: client=0 server=22"});
  expect_line(r, "end");
}

// What the callbacks push, and what libssl raises about their answers while
// the handshake goes on, stays on the error queue.
TEST_P(CompatDiff, CallbackErrorsStayQueued) {
  Outcome r = expect_same("callback_errors", {pki_dir()});
  // In TLS 1.3 the client's flight is its last: the call that runs the
  // callbacks completes its handshake (ret=1, the errors queued). In TLS 1.2
  // it still waits for the server's Finished: ret=-1, and SSL_get_error
  // answers SSL_ERROR_SSL for the queued error — the program stops there.
  const std::string after_callbacks = tls12() ? "client SSL_do_handshake: ret=-1 err=SSL_ERROR_SSL errors=yes"
                                              : "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=yes";
  const std::string outcome = tls12() ? "handshake: client=failed server=done" : "server sees client certificate: -";
  expect_in_order(r, {"== client_cert_cb returns 1 without certificate, server only asks", after_callbacks, outcome});
  expect_in_order(r, {"== client_cert_cb returns 1 with a key of another certificate", after_callbacks, outcome});
  expect_in_order(r, {"== client_cert_cb pushes an error and returns 0", "callback errors seen on the queue: 1"});
  expect_in_order(r, {"== client status callback pushes an error and returns 1", after_callbacks,
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
TEST_P(CompatDiff, Sessions) {
  Outcome r = expect_same("sessions", {pki_dir()});
  expect_line(r, "SSL_CTX_set_session_id_context(33 bytes)=0 errors=yes");
  expect_line(r, "client: SSL_get1_session=set resumable=1 same as SSL_get_session=1");
  expect_line(r, "session_reused: client=1 server=1");
  // num_tickets(0): no TLS 1.3 ticket; TLS 1.2 tickets are not counted by it.
  expect_line(r, std::string("client: SSL_get1_session=set resumable=") + (tls12() ? "1" : "0") +
                     " same as SSL_get_session=1");
  expect_line(r, "SSL_CTX_set_cipher_list(\"DEFAULT\")=1 errors=no");
  expect_line(r, "SSL_CTX_set_cipher_list(\"HIGH:!aNULL\")=1 errors=no");
  expect_line(r, "SSL_CTX_set_cipher_list(\"NOPE\")=0 errors=yes");
  expect_line(r, "SSL_CTX_set_cipher_list(\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\")=0 errors=yes");
  expect_line(r, "end");
}

// Settings that change what a connection does, each observed (settings.c):
// SSL_OP_CIPHER_SERVER_PREFERENCE (the client's order without it),
// SSL_OP_PRIORITIZE_CHACHA (ChaCha20 first for a client that prefers it),
// SSL_CTX_set_cipher_list / SSL_set_cipher_list choosing the TLS 1.2 suite,
// SSL_OP_NO_TICKET (TLS 1.2 resumes by session ID), num_tickets(0) (TLS 1.3
// only), SSL_CTX_set_session_id_context (no resumption under another
// context), SSL_MODE_AUTO_RETRY cleared (WANT_READ after a ticket record),
// SSL_MODE_ENABLE_PARTIAL_WRITE (one record per SSL_write),
// SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER (a retry from another buffer).
TEST_P(CompatDiff, SettingsTakeEffect) {
  Outcome r = expect_same("settings", {pki_dir()});
  const std::string aes128 = tls12() ? "ECDHE-ECDSA-AES128-GCM-SHA256" : "TLS_AES_128_GCM_SHA256";
  const std::string aes256 = tls12() ? "ECDHE-ECDSA-AES256-GCM-SHA384" : "TLS_AES_256_GCM_SHA384";
  auto negotiated12 = [](const std::string& cipher) {
    return "negotiated: version=TLSv1.2 cipher=" + cipher + " SSL_version=0x303 server SSL_version=0x303";
  };
  auto negotiated = [&](const std::string& cipher) {
    return tls12() ? negotiated12(cipher)
                   : "negotiated: version=TLSv1.3 cipher=" + cipher + " SSL_version=0x304 server SSL_version=0x304";
  };
  // Either option gives TLS 1.2 in both runs (libssl's client offers
  // AES-256-GCM first, and the server takes the client's order).
  expect_in_order(r, {"== client SSL_OP_NO_TLSv1_3", negotiated12("ECDHE-ECDSA-AES256-GCM-SHA384"),
                      "== client SSL_set_max_proto_version(TLS1_2_VERSION)", "SSL_set_max_proto_version=1",
                      "SSL_get_max_proto_version=0x303", negotiated12("ECDHE-ECDSA-AES256-GCM-SHA384")});
  expect_in_order(r, {"== client offers AES-128 first, server lists AES-256 first, SSL_OP_CIPHER_SERVER_PREFERENCE=off",
                      negotiated(aes128),
                      "== client offers AES-128 first, server lists AES-256 first, SSL_OP_CIPHER_SERVER_PREFERENCE=on",
                      negotiated(aes256)});
  const std::string chacha = tls12() ? "ECDHE-ECDSA-CHACHA20-POLY1305" : "TLS_CHACHA20_POLY1305_SHA256";
  // The server lists AES-256, AES-128, ChaCha20; the client offers ChaCha20
  // and AES-128: the server's order gives AES-128, unless ChaCha20 is
  // prioritised for a client that put it first.
  expect_next(r, "== server prefers its order, SSL_OP_PRIORITIZE_CHACHA=off, client offers ChaCha20 first",
              "negotiated:", negotiated(aes128));
  expect_next(r, "== server prefers its order, SSL_OP_PRIORITIZE_CHACHA=on, client offers ChaCha20 first",
              "negotiated:", negotiated(chacha));
  expect_next(r, "== server prefers its order, SSL_OP_PRIORITIZE_CHACHA=on, client offers AES-128 first",
              "negotiated:", negotiated(aes128));
  if (tls12()) {
    expect_in_order(r, {"== client cipher list \"ECDHE-ECDSA-CHACHA20-POLY1305\", server \"DEFAULT\"",
                        negotiated12("ECDHE-ECDSA-CHACHA20-POLY1305"),
                        "== client cipher list \"ECDHE-ECDSA-CHACHA20-POLY1305\" (SSL_set_cipher_list), server "
                        "\"DEFAULT\"",
                        negotiated12("ECDHE-ECDSA-CHACHA20-POLY1305"),
                        "== client cipher list \"ECDHE+AESGCM:!AES256\", server \"DEFAULT\"",
                        negotiated12("ECDHE-ECDSA-AES128-GCM-SHA256"),
                        "== client cipher list \"CHACHA20:AES128:+CHACHA20\", server \"DEFAULT:@STRENGTH\"",
                        negotiated12("ECDHE-ECDSA-AES128-GCM-SHA256"),
                        "== client cipher list \"ECDHE-ECDSA-AES128-GCM-SHA256\", server "
                        "\"ECDHE-ECDSA-AES256-GCM-SHA384\"",
                        "handshake: client=failed server=failed"});
  } else {
    // TLS 1.3 suites are not chosen by the cipher list.
    expect_in_order(r, {"== client cipher list \"ECDHE-ECDSA-AES128-GCM-SHA256\", server "
                        "\"ECDHE-ECDSA-AES256-GCM-SHA384\"",
                        "handshake: client=done server=done"});
  }
  expect_in_order(r, {"== tickets (the default)", "session_reused: client=1 server=1",
                      "== SSL_OP_NO_TICKET on the server", "session_reused: client=1 server=1",
                      "== SSL_CTX_set_num_tickets(0)",
                      // TLS 1.2 tickets are not counted by num_tickets.
                      tls12() ? "session_reused: client=1 server=1" : "first session: set resumable=0"});
  for (const char* kind : {"tickets", "session IDs"}) {
    expect_in_order(r, {std::string("== session id context, ") + kind,
                        "under another context: session_reused client=0 server=0",
                        "under the first context again: session_reused client=1 server=1"});
  }
  if (!tls12()) {
    expect_in_order(r, {"== SSL_MODE_AUTO_RETRY cleared", "SSL_clear_mode leaves AUTO_RETRY=0",
                        "client SSL_read: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                        "client SSL_read: ret=4 err=SSL_ERROR_NONE errors=no"});
  }
  expect_in_order(r, {"== SSL_MODE_ENABLE_PARTIAL_WRITE not set",
                      "client SSL_write(20000): ret=20000 err=SSL_ERROR_NONE errors=no",
                      "== SSL_MODE_ENABLE_PARTIAL_WRITE set",
                      "client SSL_write(20000): ret=16384 err=SSL_ERROR_NONE errors=no"});
  expect_in_order(r, {"== SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER not set",
                      "client SSL_write: ret=-1 err=SSL_ERROR_WANT_WRITE errors=no",
                      "client SSL_write again, from another buffer: ret=-1 err=SSL_ERROR_SSL errors=yes",
                      "== SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER set",
                      "client SSL_write: ret=-1 err=SSL_ERROR_WANT_WRITE errors=no",
                      "client SSL_write again, from another buffer: ret=-1 err=SSL_ERROR_WANT_WRITE errors=no",
                      "client SSL_write at last: ret=20000", "server read 20000 bytes"});
  expect_line(r, "end");
}

// SSL_CTX_set_client_CA_list / SSL_load_client_CA_file / SSL_get_client_CA_list
// (the names the client certificate callback sees, with and without a list)
// and SSL_CTX_set_cert_cb on both sides (1 continues, 0 fails).
TEST_P(CompatDiff, ClientCaListAndCertCallback) {
  Outcome r = expect_same("ca_list", {pki_dir()});
  expect_line(r, "  client sees CA list: 2 names");
  expect_line(r, "    /O=vouch-test/CN=vouch test root rsa");
  // Without a list: no certificate_authorities extension in TLS 1.3; an
  // empty list in a TLS 1.2 CertificateRequest.
  expect_line(r, tls12() ? "  client sees CA list: 0 names" : "  client sees CA list: NULL");
  expect_line(r, "  cert_cb: server-arg role=server, returns 1");
  expect_line(r, "  cert_cb: client-arg role=client, returns 0");
  expect_line(r, "handshake: client=failed server=failed");
  expect_line(r, "end");
}

// SSL_set_shutdown / SSL_get_shutdown and quiet shutdown
// (SSL_set_quiet_shutdown, SSL_CTX_set_quiet_shutdown): the flags, SSL_clear,
// a quiet SSL_shutdown (nothing sent), SSL_free after
// SSL_set_shutdown(SENT|RECEIVED) keeping the session, SSL_SENT_SHUTDOWN and
// SSL_RECEIVED_SHUTDOWN set by hand.
TEST_P(CompatDiff, ShutdownModes) {
  Outcome r = expect_same("shutdown_modes", {pki_dir()});
  expect_line(r, "SSL_clear=1, then SSL_get_shutdown=0");
  expect_in_order(r, {"== quiet shutdown (SSL_CTX_set_quiet_shutdown on the client's context)",
                      "client SSL_shutdown: ret=1 err=SSL_ERROR_NONE errors=no",
                      "  client SSL_get_shutdown=3, bytes written=0",
                      "server SSL_read (no close_notify came): ret=-1 err=SSL_ERROR_WANT_READ errors=no"});
  expect_in_order(r, {"== SSL_free after SSL_set_shutdown(SENT|RECEIVED)", "session resumable after SSL_free=1",
                      "session_reused: client=1 server=1", "== SSL_free without any shutdown",
                      "session resumable after SSL_free=0", "session_reused: client=0 server=0"});
  expect_in_order(r, {"== SSL_set_shutdown(SSL_SENT_SHUTDOWN) on an established client",
                      "client SSL_shutdown (waits for the server's close_notify): ret=-1 err=SSL_ERROR_WANT_READ "
                      "errors=no",
                      "client SSL_shutdown again: ret=1 err=SSL_ERROR_NONE errors=no"});
  expect_in_order(r, {"== SSL_set_shutdown(SSL_RECEIVED_SHUTDOWN) on an established server",
                      "server SSL_read: ret=0 err=SSL_ERROR_ZERO_RETURN errors=no",
                      "server SSL_shutdown: ret=1 err=SSL_ERROR_NONE errors=no"});
  expect_line(r, "end");
}

// The session cache (session_cache.c): SSL_CTX_set_session_cache_mode and
// its modes taking effect, the new / get / remove session callbacks and
// their references, SSL_CTX_set_timeout and an expired session not
// resumed, SSL_SESSION_set_time, i2d / d2i_SSL_SESSION (a round-tripped
// session resumes; garbage and truncations fail), the SSL_CTX_sess_*
// counters, SSL_get_peer_cert_chain after resumptions.
TEST_P(CompatDiff, SessionCache) {
  Outcome r = expect_same("session_cache", {pki_dir()});
  expect_in_order(r, {"SSL_CTX_get_session_cache_mode default=0x2", "SSL_CTX_set_session_cache_mode(0x0)=0x2, get=0x0",
                      "SSL_CTX_set_session_cache_mode(0x302)=0x202, get=0x302", "SSL_CTX_get_timeout default=7200",
                      "SSL_CTX_set_timeout(100)=7200, get=100", "callbacks after: new=1 get=1 remove=1"});
  // The client's callback under SSL_SESS_CACHE_CLIENT: TLS 1.3, once per
  // ticket (two, then one after a resumption); TLS 1.2, once per full
  // handshake. Not at all under the default mode.
  if (tls12()) {
    expect_in_order(r, {"== client new_cb, client cache mode 0x1", "  new_cb 1: client resumable=1 id_len=32 timeout=7200",
                        "after the full handshake: new_cb=1 get_cb=0 remove_cb=0", "session_reused: client=1 server=1",
                        "after resuming the session new_cb kept: new_cb=1 get_cb=0 remove_cb=0",
                        "client stats: number=2 connect=3 connect_good=3 accept=0 accept_good=0 hits=1 cb_hits=0 "
                        "misses=0 timeouts=0"});
  } else {
    expect_in_order(r, {"== client new_cb, client cache mode 0x1", "  new_cb 2: client resumable=1 id_len=32 timeout=7200",
                        "after the full handshake: new_cb=2 get_cb=0 remove_cb=0", "session_reused: client=1 server=1",
                        "after resuming the session new_cb kept: new_cb=3 get_cb=0 remove_cb=0",
                        "client stats: number=4 connect=3 connect_good=3 accept=0 accept_good=0 hits=1 cb_hits=0 "
                        "misses=0 timeouts=0"});
  }
  expect_in_order(r, {"== client new_cb, client cache mode 0x2", "after the full handshake: new_cb=0 get_cb=0 remove_cb=0"});
  // The server's callbacks: TLS 1.2 by session ID through get_cb (*copy 1
  // and 0), the aged session refused and removed; TLS 1.3 one new session
  // per ticket.
  if (tls12()) {
    expect_in_order(r, {"== server cache callbacks, SSL_SESS_CACHE_SERVER|SSL_SESS_CACHE_NO_INTERNAL, tickets off",
                        "  new_cb 1: server resumable=1 id_len=32 timeout=600", "  get_cb 1: server id_len=32 *copy=1",
                        "session_reused: client=1 server=1", "  get_cb: found the session new_cb kept (0), *copy=0",
                        "session_reused: client=1 server=1",
                        "server stats: number=0 connect=0 connect_good=0 accept=3 accept_good=3 hits=2 cb_hits=2 "
                        "misses=0 timeouts=0",
                        "-- the server's session aged past its timeout",
                        "  remove_cb 1: ctx is the server's=1 kept by new_cb=1", "session_reused: client=0 server=0",
                        "server stats: number=0 connect=0 connect_good=0 accept=4 accept_good=4 hits=2 cb_hits=3 "
                        "misses=0 timeouts=1"});
    expect_in_order(r, {"== server internal cache (SSL_SESS_CACHE_SERVER), tickets off in TLS 1.2, remove_cb",
                        "server stats: number=1 connect=0 connect_good=0 accept=2 accept_good=2 hits=1 cb_hits=0 "
                        "misses=0 timeouts=0",
                        "after SSL_CTX_free: new_cb=1 get_cb=0 remove_cb=1"});
    expect_in_order(r, {"== server SSL_SESS_CACHE_OFF, tickets off", "client session: resumable=0 id_len=0 timeout=7200",
                        "session_reused: client=0 server=0"});
    expect_in_order(r, {"== SSL_get_peer_cert_chain with a client certificate, tickets off",
                        "session_reused: client=1 server=1", "peer_cert_chain: client=2 server=1"});
    expect_in_order(r, {"== the client's session aged by 8000 s", "session_reused: client=1 server=1"});
  } else {
    expect_in_order(r, {"== server cache callbacks, SSL_SESS_CACHE_SERVER|SSL_SESS_CACHE_NO_INTERNAL, tickets off",
                        "  new_cb 2: server resumable=1 id_len=32 timeout=600", "session_reused: client=1 server=1",
                        "after it: new_cb=3 get_cb=0 remove_cb=0"});
    expect_in_order(r, {"== server internal cache (SSL_SESS_CACHE_SERVER), tickets off in TLS 1.2, remove_cb",
                        "server stats: number=3 connect=0 connect_good=0 accept=2 accept_good=2 hits=1 cb_hits=0 "
                        "misses=0 timeouts=0",
                        "after SSL_CTX_free: new_cb=3 get_cb=0 remove_cb=3"});
    expect_in_order(r, {"== server SSL_SESS_CACHE_OFF, tickets off", "client session: resumable=0 id_len=0 timeout=7200",
                        "session_reused: client=0 server=0"});
    expect_in_order(r, {"== the client's session aged by 8000 s", "session_reused: client=0 server=0"});
  }
  expect_in_order(r, {"== server SSL_SESS_CACHE_OFF, tickets on", "session_reused: client=1 server=1"});
  expect_in_order(r, {"== i2d_SSL_SESSION / d2i_SSL_SESSION", "i2d_SSL_SESSION(&p)=same length 1, p advanced by it 1",
                      "d2i_SSL_SESSION=set, in advanced by the length 1, errors=no", "session_reused: client=1 server=1",
                      "peer_cert_chain: client=-1 server=-1", "d2i_SSL_SESSION(garbage)=NULL, errors=yes",
                      "d2i_SSL_SESSION of every truncation checked"});
  EXPECT_EQ(r.out.find("did not fail"), std::string::npos) << r.out;
  expect_in_order(r, {"== SSL_get_peer_cert_chain with a client certificate, tickets on",
                      "peer_cert_chain: client=2 server=1", "session_reused: client=1 server=1",
                      "peer_cert_chain: client=2 server=-1"});
  expect_line(r, "end");
}

// An ordinary libssl user's in-memory handshake loop (bench_like.c): BIO
// pairs, the session cache modes, a new-session callback keeping the
// latest session, SSL_set_shutdown(SENT|RECEIVED) before SSL_free,
// SSL_get_cipher; full handshakes, then resumptions.
TEST_P(CompatDiff, BenchLike) {
  Outcome r = expect_same("bench_like", {pki_dir()});
  const std::string cipher = tls12() ? "ECDHE-ECDSA-AES256-GCM-SHA384" : "TLS_AES_256_GCM_SHA384";
  expect_in_order(r, {"0: " + version_text() + " " + cipher + " reused=0/0",
                      "7: " + version_text() + " " + cipher + " reused=1/1",
                      std::string("new sessions: ") + (tls12() ? "4" : "12"),
                      "client: connect=8 connect_good=8 hits=4", "server: accept=8 accept_good=8 hits=4 cached=0"});
  expect_line(r, "end");
}

// What an SSL keeps from its context at SSL_new and what it reads from it
// later (ctx_changes.c), the rules vouch-ssl's caches of converted
// certificates and parsed peer certificates must keep: a certificate changed
// on the context reaches only SSL objects made after; one set on an SSL
// stays that SSL's; extra chain certificates and cipher suite lists changed
// on the context reach existing SSL objects, the verify mode does not; the
// peer certificate getters give one object per certificate, and a new one
// after a new handshake on the same SSL.
TEST_P(CompatDiff, ContextChangesAfterSslNew) {
  Outcome r = expect_same("ctx_changes", {pki_dir()});
  expect_in_order(r, {"-- the context's first certificate", "handshake=done server key=EC-256 chain=2 verify_result=0",
                      "-- SSL made before the change", "handshake=done server key=EC-256 chain=2 verify_result=0",
                      "-- SSL made after the change", "handshake=done server key=EC-384 chain=2 verify_result=0",
                      "-- SSL with a certificate of its own", "handshake=done server key=EC-256 chain=2 verify_result=0",
                      "-- the next SSL of the context", "handshake=done server key=EC-384 chain=2 verify_result=0"});
  expect_in_order(r, {"-- without extra chain certificates", "handshake=done server key=EC-256 chain=1 verify_result=20",
                      "-- SSL made before the call", "handshake=done server key=EC-256 chain=2 verify_result=0",
                      "-- SSL made after the call", "handshake=done server key=EC-256 chain=2 verify_result=0"});
  const std::string chacha = tls12() ? "ECDHE-ECDSA-CHACHA20-POLY1305" : "TLS_CHACHA20_POLY1305_SHA256";
  expect_in_order(r, {"server SSL_get_verify_mode: made before=0 made after=3", "-- both made before the changes",
                      "handshake=done cipher=" + chacha, "-- both made after the changes",
                      "handshake=failed server key=EC-256 chain=2 verify_result=0"});
  expect_in_order(r, {"client: chain=2 leaf key=EC-256 same on every call=1 first of the chain=1 get1 same=1",
                      "server: client cn=client-ecdsa chain=1 same on every call=1",
                      "server: chain[0] cn=vouch test intermediate ecdsa",
                      "after SSL_clear: handshake=done leaf key=EC-384 chain=2 first of the chain=1"});
  expect_line(r, "end");
}

// The SSL_get_cipher* macros and the SSL_CIPHER getters (name, standard
// name, bits, version, id, protocol id, description) for every suite of the
// version, both sides; and with no cipher yet.
TEST_P(CompatDiff, CipherInfo) {
  Outcome r = expect_same("cipher_info", {pki_dir()});
  expect_in_order(r, {"== before any handshake", "client: SSL_get_cipher=(NONE) SSL_get_cipher_name=(NONE)",
                      "client: SSL_get_cipher_bits=0 alg_bits=-7 SSL_get_cipher_bits(NULL)=0"});
  if (tls12()) {
    expect_line(r, "server: SSL_CIPHER_description=[ECDHE-RSA-CHACHA20-POLY1305    TLSv1.2 Kx=ECDH     Au=RSA   "
                   "Enc=CHACHA20/POLY1305(256) Mac=AEAD");
    expect_line(r, "client: SSL_CIPHER_get_id=0x0300c02b SSL_CIPHER_get_protocol_id=0xc02b");
  } else {
    expect_line(r, "client: SSL_CIPHER_description=[TLS_AES_128_GCM_SHA256         TLSv1.3 Kx=any      Au=any   "
                   "Enc=AESGCM(128)            Mac=AEAD");
    expect_line(r, "server: SSL_get_cipher_bits=256 alg_bits=256 SSL_get_cipher_bits(NULL)=256");
  }
  expect_line(r, "client: SSL_CIPHER_description(NULL) allocates: the same text");
  expect_line(r, "end");
}

// The calls Debian's nginx and curl make beyond the other programs'
// (docs/libssl-abi.md): SSL_CONF_*, the chain controls of nginx's stapling,
// anchors put into SSL_CTX_get_cert_store after the first SSL_connect (as
// curl does), and the answers for features that are off.
TEST_P(CompatDiff, CallsOfNginxAndCurl) {
  // libssl knows TLS_RSA_WITH_AES_128_CBC_SHA (0x002f); vouch has no CBC suite.
  Outcome r = expect_same("abi_calls", {pki_dir()},
                          {{"SSL_CIPHER_find(002f)=found", "SSL_CIPHER_find(002f)=NULL"}});
  expect_line(r, "SSL_CONF_cmd(NoSuchCommand, x)=-2 type=0 errors=1");
  expect_line(r, "chain: 1 certificate(s), first vouch test intermediate ecdsa, issues the leaf: yes");
  expect_line(r, "handshake=1 SSL_in_init after=0 verify_result=0");
  expect_line(r, "end");
}

// SSL_CTX_set_keylog_callback (the lines' labels in libssl's order, their
// shape, the same lines on both sides) and SSL_export_keying_material (both
// sides export the same bytes; contexts, labels, lengths; before the
// handshake, with and without a session set; after the shutdown), in full
// and resumed handshakes.
TEST_P(CompatDiff, KeylogAndExport) {
  Outcome r = expect_same("keys_export", {pki_dir()});
  expect_line(r, "SSL_CTX_get_keylog_callback after: the callback");
  expect_line(r, "export before the handshake: ret=-1 errors=no");
  expect_line(r, "export before the handshake: ret=0 errors=yes");
  expect_line(r, tls12() ? "client: 1 key log lines" : "client: 5 key log lines");
  expect_line(r, "both sides logged the same lines: yes");
  expect_line(r, "export 100 bytes with a context: client=1 server=1 same=yes");
  expect_line(r, std::string("no context and an empty one give the same bytes: ") + (tls12() ? "no" : "yes"));
  expect_line(r, "the context is used: yes");
  expect_line(r, "export after the shutdown: ret=1 errors=no");
  expect_in_order(r, {"== resumed handshake", "session_reused: client=1 server=1"});
  expect_in_order(r, {"== no callback", "client: 0 key log lines"});
  expect_line(r, "end");
}

// Files: encrypted private keys with SSL_CTX_set_default_passwd_cb and its
// userdata (PKCS#8 and traditional encryption; right and wrong passwords,
// a failing callback, an empty password, libcrypto's errors queued),
// SSL_CTX_use_certificate_chain_file, SSL_CTX_set_default_verify_paths
// (SSL_CERT_FILE naming the test root or another one).
// The encrypted keys are written once per version into the PKI directory
// and read by both builds (their random salts decide how a wrong password
// fails).
TEST_P(CompatDiff, KeyFilesAndDefaultPaths) {
  Outcome r = expect_same("key_files", {pki_dir(), pki_dir() + "/compat-key-files-" + version_name(g_version)});
  expect_line(r, "after setting: cb is ours=1 userdata=the-userdata");
  for (const char* format : {"PKCS#8 encrypted", "traditional encrypted"}) {
    expect_in_order(r, {std::string("== ") + format + " key, right password",
                        "  passwd cb: rwflag=0 size>=64=1 userdata=the-userdata",
                        "SSL_CTX_use_PrivateKey_file=1 errors=no passwd cb calls=1",
                        "handshake: client=done server=done", "client: verify_result=0",
                        std::string("== ") + format + " key, wrong password",
                        "SSL_CTX_use_PrivateKey_file=0 errors=yes passwd cb calls=1"});
  }
  expect_line(r, "a chain: 1 errors=no");
  expect_line(r, "a file holding only a key: 0 errors=yes");
  expect_in_order(r, {"== SSL_CTX_set_default_verify_paths, SSL_CERT_FILE=the test root, SSL_VERIFY_PEER",
                      "SSL_CTX_set_default_verify_paths=1 errors=no", "client: verify_result=0",
                      "== SSL_CTX_set_default_verify_paths, SSL_CERT_FILE=another root, SSL_VERIFY_NONE",
                      "client: verify_result=20"});
  expect_line(r, "end");
}

// SSL_CTX_set_info_callback / SSL_set_info_callback: the documented subset
// vouch-ssl reports (handshake start and done, close_notify and fatal
// alerts written and read, with libssl's alert texts) at the same calls as
// libssl; and the alert texts themselves. The documented difference: libssl
// also reports each step of its state machine (SSL_CB_LOOP / SSL_CB_EXIT),
// vouch-ssl none — one tagged line per connection says whether any came.
TEST_P(CompatDiff, InfoCallback) {
  const std::vector<std::string> libssl_steps(4, "[documented difference] state machine steps reported: yes");
  const std::vector<std::string> vouch_steps(4, "[documented difference] state machine steps reported: no");
  Outcome r = expect_same_but("info_cb", {pki_dir()}, libssl_steps, vouch_steps);
  expect_in_order(r, {"== full handshake, data, close_notify both ways", "  client info: handshake start",
                      "  server info: handshake start", "handshake: client=done server=done",
                      "  client info: alert written warning:close notify (W:CN)",
                      "  server info: alert read warning:close notify (W:CN)"});
  expect_in_order(r, {"== the client refuses the server's chain", "  client info: alert written fatal:unknown CA (F:CA)",
                      "client SSL_do_handshake: ret=-1 err=SSL_ERROR_SSL errors=yes",
                      "  server info: alert read fatal:unknown CA (F:CA)"});
  expect_in_order(r, {"== the client's SSL has a callback of its own, the server's context none",
                      "  (the SSL's own callback)", "  client info: handshake start"});
  expect_line(r, "alert 120: no application protocol (UK)");
  expect_line(r, "end");
}

// ALPN: SSL_CTX_set_alpn_protos / SSL_set_alpn_protos (0 on success, 1 for
// a malformed list), the server's select callback (what it is given; OK,
// NOACK, ALERT_FATAL; called again on resumption; none without it),
// SSL_get0_alpn_selected on both sides, SSL_select_next_proto.
TEST_P(CompatDiff, Alpn) {
  Outcome r = expect_same("alpn", {pki_dir()});
  expect_line(r, "a malformed list: 1 errors=no");
  expect_line(r, "h2,http/1.1: 0 errors=no");
  expect_in_order(r, {"== no select callback on the server", "select cb calls=0",
                      "server: SSL_get0_alpn_selected=NULL len=0"});
  expect_in_order(r, {"== the callback chooses by the server's preference",
                      "  select cb: offered=h2,http/1.1, chooses http/1.1", "client: SSL_get0_alpn_selected=http/1.1 len=8",
                      "server: SSL_get0_alpn_selected=http/1.1 len=8", "== resumed", "session_reused=1",
                      "select cb calls=1", "client: SSL_get0_alpn_selected=http/1.1 len=8"});
  expect_in_order(r, {"== no overlap, the callback answers NOACK", "handshake: client=done server=done",
                      "== no overlap, the callback answers ALERT_FATAL", "handshake: client=failed server=failed"});
  expect_line(r, "server prefs smtp client h2,http/1.1: 2 h2");
  expect_line(r, "malformed client list: 2 out=NULL outlen=0");
  expect_line(r, "end");
}

// The servername callback: with and without SNI, on resumption, each
// answer (OK, NOACK, ALERT_WARNING, ALERT_FATAL with the default alert and
// with access_denied), SSL_set_SSL_CTX inside it (the client then sees the
// RSA certificate) and outside it (NULL goes back), SSL_get_servername and
// SSL_get_servername_type on both sides.
//
// The documented difference: with the servername, certificate and ALPN
// select callbacks all set, libssl's TLS 1.2 server calls the ALPN callback
// after the certificate callback; vouch calls it before, as both do in TLS
// 1.3 (ssl.h, SSL_CTX_set_alpn_select_cb).
TEST_P(CompatDiff, ServerNameCallback) {
  Outcome r = expect_same_but(
      "servername", {pki_dir()},
      {std::string("[documented difference] callback order: ") +
       (tls12() ? "servername, cert, alpn" : "servername, alpn, cert")},
      {"[documented difference] callback order: servername, alpn, cert"});
  expect_in_order(r, {"== SNI localhost, OK", "  servername cb: arg=server-arg name=localhost type=0 al=112",
                      "server: SSL_get_servername=localhost type=0, other name types=NULL", "== resumed, OK",
                      "  servername cb: arg=server-arg name=localhost type=0 al=112",
                      "session_reused=1, client sees issuer vouch test intermediate ecdsa"});
  expect_in_order(r, {"== no SNI, OK", "  servername cb: arg=server-arg name=NULL type=-1 al=112",
                      "server: SSL_get_servername=NULL type=-1, other name types=NULL"});
  expect_in_order(r, {"== SNI other.example, the callback switches to the RSA server's context",
                      "  SSL_set_SSL_CTX returned the new context: 1, SSL_get_SSL_CTX is it: 1",
                      "session_reused=0, client sees issuer vouch test intermediate rsa",
                      "server: SSL_get_SSL_CTX is the context it was made from: 0"});
  expect_in_order(r, {"== SNI localhost, NOACK", "handshake: client=done server=done", "== SNI localhost, ALERT_WARNING",
                      "handshake: client=done server=done", "== SNI unknown.example, ALERT_FATAL",
                      "handshake: client=failed server=failed",
                      "== SNI unknown.example, ALERT_FATAL with access_denied",
                      "handshake: client=failed server=failed"});
  expect_in_order(r, {"== SSL_set_SSL_CTX outside the callback", "certificate issuer after: vouch test intermediate rsa",
                      "SSL_set_SSL_CTX(NULL)=the first context",
                      "certificate issuer at last: vouch test intermediate ecdsa"});
  expect_line(r, "end");
}

// ---------------------------------------------------------------- real peers

// `openssl s_server -tls1_3` or `-tls1_2`, as the test's version says.
interop::Server start_server(const std::vector<std::string>& args) {
  return tls12() ? interop::start_openssl_server12(args) : interop::start_openssl_server(args);
}

// One `openssl s_server -www` serves both builds in turn.
class SocketClient : public ::testing::TestWithParam<std::tuple<std::string, Version>> {
 protected:
  void SetUp() override { g_version = std::get<1>(GetParam()); }
};

TEST_P(SocketClient, AgainstOpensslServerWww) {
  const std::string& verify = std::get<0>(GetParam());
  const testing::PkiFamily& f = testing::test_pki().ecdsa();
  interop::Server server =
      start_server({"-www", "-cert", f.server.cert_path, "-key", f.server.key_path, "-cert_chain",
                    f.intermediate.cert_path});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  // With SSL_VERIFY_NONE the client trusts the wrong root: the handshake
  // completes and SSL_get_verify_result says why the chain does not verify.
  const std::string ca = verify == "peer" ? f.root.cert_path : testing::test_pki().rsa().root.cert_path;
  Outcome r = expect_same("socket_client", {std::to_string(server.port), ca, verify});
  expect_line(r, "SSL_connect: ret=1 err=SSL_ERROR_NONE errors=no");
  expect_line(r, "status: HTTP/1.0 200 ok");
  // libssl's client offers AES-256-GCM first, and s_server takes the
  // client's order.
  const std::string cipher = tls12() ? "ECDHE-ECDSA-AES256-GCM-SHA384" : "TLS_AES_256_GCM_SHA384";
  expect_line(r, "page says \"Cipher is " + cipher + "\": yes");
  expect_line(r, "client: version=" + version_text() + " cipher=" + cipher +
                     " verify_result=" + (verify == "peer" ? "0" : "20"));
  expect_line(r, "end");
}

INSTANTIATE_TEST_SUITE_P(Verify, SocketClient, ::testing::Combine(::testing::Values("peer", "none"), kVersions),
                         [](const auto& p) { return std::get<0>(p.param) + "_" + version_name(std::get<1>(p.param)); });

// SSL_CTX_set_client_cert_cb(3) with a blocking socket: -1 stops the
// blocking SSL_connect with WANT_X509_LOOKUP, the next call asks again.
struct ClientCertOverSocket {
  const char* name;
  const char* server_verify;  // s_server's -verify (asks) or -Verify (demands)
  const char* answers;        // the callback's answers, one per call
  const char* calls;          // how many times it is called
  const char* page_names_certificate;
};

class SocketClientCert : public ::testing::TestWithParam<std::tuple<ClientCertOverSocket, Version>> {
 protected:
  void SetUp() override { g_version = std::get<1>(GetParam()); }
};

TEST_P(SocketClientCert, AgainstOpensslServerAskingForACertificate) {
  const ClientCertOverSocket& c = std::get<0>(GetParam());
  const testing::PkiFamily& f = testing::test_pki().ecdsa();
  std::vector<std::string> args = interop::openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-www", c.server_verify, "1", "-CAfile", f.root.cert_path});
  interop::Server server = start_server(args);
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
    // A server demanding a certificate refuses the empty one: in TLS 1.3
    // the client, done with its side, learns it reading (libssl: 0 for a
    // received alert); in TLS 1.2 during SSL_connect.
    expect_line(r, tls12() ? "SSL_connect: ret=-1 err=SSL_ERROR_SSL errors=yes"
                           : "SSL_read at the end: ret=0 err=SSL_ERROR_SSL errors=yes");
  }
  expect_line(r, "end");
}

INSTANTIATE_TEST_SUITE_P(
    Answers, SocketClientCert,
    ::testing::Combine(
        ::testing::Values(ClientCertOverSocket{"later_twice_then_certificate", "-verify", "-1,-1,1", "3", "yes"},
                          ClientCertOverSocket{"later_then_decline", "-verify", "-1,0", "2", "no"},
                          ClientCertOverSocket{"later_then_decline_to_a_demanding_server", "-Verify", "-1,0", "2",
                                               nullptr}),
        kVersions),
    [](const auto& p) { return std::string(std::get<0>(p.param).name) + "_" + version_name(std::get<1>(p.param)); });

// A TLS 1.2 renegotiation asked for by `openssl s_server -tls1_2` (its R
// command, which asks for a client certificate in the renegotiation when the
// initial handshake did not): the client certificate callback runs inside
// SSL_read, a negative answer suspends that SSL_read with
// SSL_ERROR_WANT_X509_LOOKUP and the next call asks again; the server sees
// the certificate. SSL_OP_NO_RENEGOTIATION declines (a no_renegotiation
// warning, which OpenSSL's server answers by ending the connection). One
// s_server per build; renegotiation.c says "ready" once connected.
struct RenegotiationCase {
  const char* name;
  const char* answers;
  bool no_renegotiation;
  const char* calls;
  bool server_sees_certificate;
  bool resumption_on_renegotiation = false;
};

const std::string kServerFinishedSent = ">>> TLS 1.2, Handshake [length 0010], Finished";

Outcome run_renegotiation(const std::string& flavour, const RenegotiationCase& c) {
  const testing::PkiFamily& f = testing::test_pki().ecdsa();
  std::vector<std::string> args = interop::openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-CAfile", f.root.cert_path, "-msg", "-naccept", "1"});
  // A libssl client offers its session in a renegotiation, and s_server
  // would resume it (no CertificateRequest then); vouch never resumes into
  // a renegotiation (the documented difference below). Both do a full
  // handshake with a server that does not resume on renegotiation.
  if (!c.resumption_on_renegotiation) args.push_back("-no_resumption_on_reneg");
  interop::Server server = interop::start_openssl_server12(args, {testing::StdinMode::pipe, {}, {}});
  Outcome r;
  if (server.port == 0) {
    ADD_FAILURE() << server.process.transcript();
    return r;
  }
  ChildProcess& s_server = server.process;
  std::vector<std::string> argv{program(flavour, "renegotiation"), pki_dir(), std::to_string(server.port), c.answers,
                                "--tls1_2"};
  if (c.no_renegotiation) argv.push_back("no-renegotiation");
  ChildProcess client = ChildProcess::spawn(argv);
  if (client.wait_for_output("ready\n", kRunTimeout) && s_server.wait_for_output("CIPHER is ", kRunTimeout)) {
    EXPECT_TRUE(s_server.write_stdin("R\n"));
    if (!c.no_renegotiation) {
      EXPECT_TRUE(s_server.wait_for_count(kServerFinishedSent, 2, kRunTimeout)) << s_server.transcript();
      EXPECT_TRUE(s_server.write_stdin("from-server\n"));
      EXPECT_TRUE(s_server.wait_for_output("from-client\n", kRunTimeout)) << s_server.transcript();
    }
  }
  r.status = client.wait(kRunTimeout);
  r.out = client.out();
  r.err = client.err();
  r.transcript = client.transcript() + "\n--- s_server:\n" + s_server.transcript();
  const bool saw = s_server.err().find("depth=0 O = vouch-test, CN = client-ecdsa") != std::string::npos;
  EXPECT_EQ(saw, c.server_sees_certificate && !(c.resumption_on_renegotiation && flavour == "libssl"))
      << r.transcript;
  return r;
}

class Renegotiation : public ::testing::TestWithParam<RenegotiationCase> {
 protected:
  void SetUp() override { g_version = Version::tls12; }  // TLS 1.2 only: TLS 1.3 has no renegotiation
};

TEST_P(Renegotiation, AgainstOpensslServerR) {
  const RenegotiationCase& c = GetParam();
  Outcome libssl = run_renegotiation("libssl", c);
  Outcome vouch = run_renegotiation("vouch", c);
  EXPECT_TRUE(libssl.status.success()) << libssl.transcript;
  EXPECT_TRUE(vouch.status.success()) << vouch.transcript;
  EXPECT_EQ(libssl.out, vouch.out) << "--- libssl:\n" << libssl.transcript << "\n--- vouch:\n" << vouch.transcript;
  expect_same_errors(libssl, vouch, {});
  expect_line(libssl, "SSL_connect: ret=1 err=SSL_ERROR_NONE errors=no");
  expect_line(libssl, "callback calls in the handshake: 0");
  expect_line(libssl, std::string("callback calls: ") + c.calls);
  if (c.no_renegotiation) {
    expect_line(libssl, "client SSL_read: ret=0 err=SSL_ERROR_SSL errors=yes");
  } else {
    expect_line(libssl, "client SSL_read: got 'from-server'");
    expect_line(libssl, "client SSL_write: ret=12 err=SSL_ERROR_NONE errors=no");
  }
  if (std::string(c.answers).rfind("-1", 0) == 0) {
    expect_in_order(libssl, {"  client_cert_cb call 1: CA names=1, init finished=0, returns -1",
                             "client SSL_read: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no",
                             "  SSL_is_init_finished=0 SSL_want_x509_lookup=1",
                             "  client_cert_cb call 2: CA names=1, init finished=0, returns 1"});
  }
  expect_line(libssl, "end");
}

// The documented difference: a libssl client offers its session in a
// renegotiation and a server that allows it resumes (an abbreviated
// handshake: no CertificateRequest, the callback is not called); vouch's
// client never resumes into a renegotiation, so the server asks again and
// the callback runs. Everything else of the transcript is the same.
TEST(RenegotiationDifference, ResumedByALibsslClientNeverByVouch) {
  g_version = Version::tls12;
  const RenegotiationCase c{"resumption_allowed", "1", false, "1", true, true};
  Outcome libssl = run_renegotiation("libssl", c);
  Outcome vouch = run_renegotiation("vouch", c);
  EXPECT_TRUE(libssl.status.success()) << libssl.transcript;
  EXPECT_TRUE(vouch.status.success()) << vouch.transcript;
  expect_line(libssl, "callback calls: 0");
  expect_line(vouch, "callback calls: 1");
  expect_line(vouch, "  client_cert_cb call 1: CA names=1, init finished=0, returns 1");
  for (Outcome* o : {&libssl, &vouch}) {
    expect_line(*o, "client SSL_read: got 'from-server'");
    expect_line(*o, "client SSL_write: ret=12 err=SSL_ERROR_NONE errors=no");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Answers, Renegotiation,
    ::testing::Values(RenegotiationCase{"certificate", "1", false, "1", true},
                      RenegotiationCase{"later_then_certificate", "-1,1", false, "2", true},
                      RenegotiationCase{"decline", "0", false, "1", false},
                      RenegotiationCase{"no_renegotiation_option", "1", true, "0", false}),
    [](const auto& p) { return std::string(p.param.name); });

// The program listens on a free port and says "ready"; s_client connects,
// sends a line and waits (-quiet implies -ign_eof) until the server closes.
Outcome run_socket_server(const std::string& flavour, const testing::PkiFamily& f) {
  Outcome r;
  for (int attempt = 0; attempt < interop::kPortAttempts; ++attempt) {
    const uint16_t port = testing::free_port();
    std::vector<std::string> argv{program(flavour, "socket_server"), std::to_string(port), f.server.chain_path,
                                  f.server.key_path};
    if (tls12()) argv.push_back("--tls1_2");
    ChildProcess server = ChildProcess::spawn(argv);
    if (!server.wait_for_output("ready\n", interop::kStartTimeout)) {
      r.status = server.wait(kRunTimeout);
      r.out = server.out();
      r.transcript = server.transcript();
      if (r.out.find("setup failed: bind") != std::string::npos) continue;  // port taken meanwhile
      return r;
    }
    ChildProcess client = ChildProcess::spawn(
        {interop::require_program("openssl"), "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
         "-CAfile", f.root.cert_path, "-servername", "localhost", "-verify_return_error", "-quiet",
         tls12() ? "-tls1_2" : "-tls1_3"},
        {testing::StdinMode::data, "hello\n", {}});
    const ExitStatus client_status = client.wait(kRunTimeout);
    r.status = server.wait(kRunTimeout);
    r.out = server.out();
    r.err = server.err();
    r.transcript = server.transcript() + "\n--- s_client:\n" + client.transcript();
    EXPECT_TRUE(client_status.success()) << r.transcript;
    EXPECT_NE(client.out().find("world"), std::string::npos) << r.transcript;
    return r;
  }
  ADD_FAILURE() << "no free port after " << interop::kPortAttempts << " attempts";
  return r;
}

TEST_P(CompatDiff, SocketServerAgainstOpensslClient) {
  const testing::PkiFamily& f = testing::test_pki().ecdsa();
  Outcome libssl = run_socket_server("libssl", f);
  Outcome vouch = run_socket_server("vouch", f);
  EXPECT_TRUE(libssl.status.success()) << libssl.transcript;
  EXPECT_TRUE(vouch.status.success()) << vouch.transcript;
  EXPECT_EQ(libssl.out, vouch.out) << "--- libssl:\n" << libssl.transcript << "\n--- vouch:\n"
                                   << vouch.transcript;
  expect_same_errors(libssl, vouch, {});
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
//
// TLS 1.2 has no HelloRetryRequest (the client's one ClientHello offers
// every group): both call it twice, -1 then 1.
TEST_P(CompatDiff, ServerCertCallback) {
  Outcome r = expect_same_but("server_cert_cb", {pki_dir()},
                              {std::string("[documented difference] callback calls with a HelloRetryRequest: ") +
                               (tls12() ? "2" : "3")},
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
