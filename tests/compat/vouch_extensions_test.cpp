// The vouch extensions of vouch-ssl (declared in include/vouch-ssl/openssl/
// ssl.h under "vouch extensions"): libssl has no counterpart, so the C
// program tests/compat/vouch_only/extensions.c is built against vouch-ssl
// alone and its transcript is checked line by line here.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "support/pki.h"
#include "support/process.h"

namespace vouch::compat_test {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

struct Transcript {
  std::string out;
  std::string transcript;
};

// `version_arg`: "--tls1_2" runs the program in TLS 1.2 (common.c).
Transcript run_extensions(const std::string& version_arg = {}) {
  std::vector<std::string> argv{std::string(VOUCH_COMPAT_BIN_DIR) + "/vouch-only/extensions",
                                testing::test_pki().dir};
  if (!version_arg.empty()) argv.push_back(version_arg);
  ChildProcess p = ChildProcess::spawn(argv);
  const auto status = p.wait(30s);
  Transcript r{p.out(), p.transcript()};
  EXPECT_TRUE(status.success()) << r.transcript;
  return r;
}

// The lines of the section "== title" (up to the next section or "end").
std::string section(const std::string& out, const std::string& title) {
  const std::string head = "== " + title + "\n";
  const size_t from = out.find(head);
  if (from == std::string::npos) return "";
  const size_t body = from + head.size();
  const size_t to = std::min(out.find("\n== ", body), out.find("\nend\n", body));
  return out.substr(body, to == std::string::npos ? std::string::npos : to + 1 - body);
}

void expect_section(const std::string& out, const std::string& title, const std::vector<std::string>& lines) {
  std::string want;
  for (const auto& l : lines) want += l + "\n";
  EXPECT_EQ(section(out, title), want) << "section \"" << title << "\" of\n" << out;
}

// VOUCH_SSL_CTX_set_client_chain_cb: the intermediate comes from the
// callback (the server trusts only the root: verify_result=0, and a server's
// SSL_get_peer_cert_chain leaves the leaf out, so it holds the intermediate
// alone); nothing is installed into the SSL, so the handshake after
// SSL_clear asks again; the CA names are there to choose by; -1 suspends with
// SSL_ERROR_WANT_X509_LOOKUP; SSL_CTX_set_client_cert_cb is not called.
TEST(VouchExtensions, ClientChainCallback) {
  const Transcript r = run_extensions();
  expect_section(r.out, "chain callback returns leaf and intermediate, asked again after SSL_clear",
                 {"client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  chain_cb call 1: arg=chain-arg CA names=-1 names our root=0, returns 1",
                  "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "server SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "handshake: client=done server=done",
                  "server: peer=client-ecdsa peer_chain=1 first=vouch test intermediate ecdsa verify_result=0",
                  "client: certificate on the SSL=-",
                  "chain_cb calls: 1 client_cert_cb calls: 0",
                  "SSL_clear: client=1 server=1",
                  "client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  chain_cb call 2: arg=chain-arg CA names=-1 names our root=0, returns 1",
                  "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "server SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "handshake: client=done server=done",
                  "server: peer=client-ecdsa peer_chain=1 first=vouch test intermediate ecdsa verify_result=0",
                  "client: certificate on the SSL=-",
                  "chain_cb calls after SSL_clear: 2"});
  expect_section(r.out, "chain callback chooses by CA: server names our root",
                 {"client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  chain_cb call 1: arg=chain-arg CA names=1 names our root=1, returns 1",
                  "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "server SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "handshake: client=done server=done",
                  "server: peer=client-ecdsa peer_chain=1 first=vouch test intermediate ecdsa verify_result=0",
                  "client: certificate on the SSL=-",
                  "chain_cb calls: 1 client_cert_cb calls: 0"});
  expect_section(r.out, "chain callback chooses by CA: server names another CA",
                 {"client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  chain_cb call 1: arg=chain-arg CA names=1 names our root=0, returns 0",
                  "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "server SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "handshake: client=done server=done",
                  "server: peer=- peer_chain=0 first=- verify_result=0",
                  "client: certificate on the SSL=-",
                  "chain_cb calls: 1 client_cert_cb calls: 0"});
  expect_section(r.out, "chain callback returns -1, then 1",
                 {"client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  chain_cb call 1: arg=chain-arg CA names=-1 names our root=0, returns -1",
                  "client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  chain_cb call 2: arg=chain-arg CA names=-1 names our root=0, returns 1",
                  "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "server SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "handshake: client=done server=done",
                  "server: peer=client-ecdsa peer_chain=1 first=vouch test intermediate ecdsa verify_result=0",
                  "client: certificate on the SSL=-",
                  "chain_cb calls: 2 client_cert_cb calls: 0"});
  expect_section(r.out, "chain callback takes precedence over the client cert callback",
                 {"client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  chain_cb call 1: arg=chain-arg CA names=-1 names our root=0, returns 1",
                  "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "server SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "handshake: client=done server=done",
                  "server: peer=client-ecdsa peer_chain=1 first=vouch test intermediate ecdsa verify_result=0",
                  "client: certificate on the SSL=-",
                  "chain_cb calls: 1 client_cert_cb calls: 0"});
}

// VOUCH_SSL_TLSEXT_ERR_RETRY_LATER: the server's handshake call returns
// SSL_ERROR_WANT_X509_LOOKUP and calls the status callback again next time;
// the staple it finally sets reaches the client.
TEST(VouchExtensions, StatusCallbackRetryLater) {
  const Transcript r = run_extensions();
  expect_section(r.out, "status callback answers later twice, then staples",
                 {"client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  server status cb call 1: returns RETRY_LATER",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no",
                  "client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  server status cb call 2: returns RETRY_LATER",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no",
                  "client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  server status cb call 3: staples 5 bytes, returns OK",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  client status cb: staple len=5",
                  "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "server SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "handshake: client=done server=done",
                  "server status cb calls: 3",
                  "client: SSL_get_tlsext_status_ocsp_resp=5"});
  expect_section(r.out, "status callback staples at once",
                 {"client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  server status cb call 1: staples 5 bytes, returns OK",
                  "server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_READ errors=no",
                  "  client status cb: staple len=5",
                  "client SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "server SSL_do_handshake: ret=1 err=SSL_ERROR_NONE errors=no",
                  "handshake: client=done server=done",
                  "server status cb calls: 1",
                  "client: SSL_get_tlsext_status_ocsp_resp=5"});
  EXPECT_NE(r.out.find("\nend\n"), std::string::npos) << r.transcript;
}

// Both extensions in TLS 1.2: the chain callback (called when the
// ServerHelloDone is read, the CA list empty rather than absent when the
// server names none), its -1 and retry, nothing installed across SSL_clear;
// the status callback answering later, then stapling (CertificateStatus).
TEST(VouchExtensions, BothInTls12) {
  const Transcript r = run_extensions("--tls1_2");
  auto has = [&](const std::string& line) {
    EXPECT_NE(r.out.find(line + "\n"), std::string::npos) << "missing \"" << line << "\" in\n" << r.out;
  };
  has("  chain_cb call 1: arg=chain-arg CA names=0 names our root=0, returns 1");
  has("  chain_cb call 1: arg=chain-arg CA names=1 names our root=1, returns 1");
  has("server: peer=client-ecdsa peer_chain=1 first=vouch test intermediate ecdsa verify_result=0");
  has("chain_cb calls after SSL_clear: 2");
  has("client SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no");
  has("chain_cb calls: 2 client_cert_cb calls: 0");
  has("server SSL_do_handshake: ret=-1 err=SSL_ERROR_WANT_X509_LOOKUP errors=no");
  has("  server status cb call 3: staples 5 bytes, returns OK");
  has("server status cb calls: 3");
  has("client: SSL_get_tlsext_status_ocsp_resp=5");
  has("end");
}

}  // namespace
}  // namespace vouch::compat_test
