// What vouch-ssl does that libssl has no counterpart for, so it cannot be
// compared: the TLS 1.2 refusal and its error strings, the error texts
// (libssl's for its reasons, under ERR_LIB_SSL), and the shared library's
// contract (exports exactly the declared functions, links no libssl).
// Linked against the shared library alone.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

// A client whose BIOs are memory BIOs; returns what SSL_connect returned.
struct Client {
  std::unique_ptr<SSL_CTX, CtxFree> ctx{SSL_CTX_new(TLS_client_method())};
  std::unique_ptr<SSL, SslFree> ssl;
  BIO* out = nullptr;

  int connect() {
    ssl.reset(SSL_new(ctx.get()));
    out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl.get(), BIO_new(BIO_s_mem()), out);
    return SSL_connect(ssl.get());
  }
};

std::string first_reason() {
  const unsigned long e = ERR_peek_error();
  const char* r = ERR_reason_error_string(e);
  const char* l = ERR_lib_error_string(e);
  return std::string(l ? l : "?") + ": " + (r ? r : "?");
}

// A TLS 1.2-only range, by either control, sends a ClientHello and waits
// for the server's answer.
TEST(VouchSsl, Tls12OnlyRangeStartsAHandshake) {
  for (int by_option = 0; by_option < 2; ++by_option) {
    ERR_clear_error();
    Client c;
    if (by_option) {
      SSL_CTX_set_options(c.ctx.get(), SSL_OP_NO_TLSv1_3);
    } else {
      ASSERT_EQ(SSL_CTX_set_max_proto_version(c.ctx.get(), TLS1_2_VERSION), 1);
    }
    EXPECT_EQ(c.connect(), -1);
    EXPECT_EQ(SSL_get_error(c.ssl.get(), -1), SSL_ERROR_WANT_READ);
    EXPECT_GT(BIO_ctrl_pending(c.out), 0u) << "a ClientHello is sent";
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

TEST(VouchSsl, NoVersionLeftHasNoProtocols) {
  ERR_clear_error();
  Client c;
  SSL_CTX_set_options(c.ctx.get(), SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3);
  EXPECT_EQ(c.connect(), -1);
  EXPECT_EQ(first_reason(), "SSL routines: no protocols available");
  EXPECT_EQ(BIO_ctrl_pending(c.out), 0u) << "nothing may be sent";
  ERR_clear_error();
}

TEST(VouchSsl, EmptyVersionRangeHasNoProtocols) {
  ERR_clear_error();
  Client c;
  ASSERT_EQ(SSL_CTX_set_min_proto_version(c.ctx.get(), TLS1_3_VERSION), 1);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(c.ctx.get(), TLS1_2_VERSION), 1);
  EXPECT_EQ(c.connect(), -1);
  EXPECT_EQ(first_reason(), "SSL routines: no protocols available");
  EXPECT_EQ(ERR_GET_REASON(ERR_peek_error()), SSL_R_NO_PROTOCOLS_AVAILABLE);
  ERR_clear_error();
}

TEST(VouchSsl, RangeIncludingTls13SpeaksTls13) {
  ERR_clear_error();
  Client c;
  ASSERT_EQ(SSL_CTX_set_min_proto_version(c.ctx.get(), TLS1_2_VERSION), 1);
  EXPECT_EQ(c.connect(), -1);
  EXPECT_EQ(SSL_get_error(c.ssl.get(), -1), SSL_ERROR_WANT_READ);
  EXPECT_GT(BIO_ctrl_pending(c.out), 0u) << "a ClientHello is sent";
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(VouchSsl, VerifyingClientWithoutAServerNameChecksNoName) {
  // As libssl: without SSL_set1_host no name is checked, with or without
  // SNI (tests/compat/host_check.c compares the details with libssl). And,
  // as libssl, a verifying client without anchors still sends its
  // ClientHello: anchors may be added to SSL_CTX_get_cert_store's store
  // until the server's certificate arrives (curl loads its CA file after
  // its first SSL_connect call).
  ERR_clear_error();
  Client c;
  SSL_CTX_set_verify(c.ctx.get(), SSL_VERIFY_PEER, nullptr);
  EXPECT_EQ(c.connect(), -1);
  EXPECT_EQ(SSL_get_error(c.ssl.get(), -1), SSL_ERROR_WANT_READ);
  EXPECT_GT(BIO_ctrl_pending(c.out), 0u) << "a ClientHello is sent";
  EXPECT_EQ(ERR_peek_error(), 0u);
  ERR_clear_error();
}

// ------------------------------------------------------------- error texts

// The reason codes are OpenSSL's: programs compare against them, and a
// program built against OpenSSL's header must see the same numbers.
static_assert(SSL_AD_REASON_OFFSET == 1000);
static_assert(SSL_R_CERTIFICATE_VERIFY_FAILED == 134);
static_assert(SSL_R_UNEXPECTED_EOF_WHILE_READING == 294);
static_assert(SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE == SSL_AD_REASON_OFFSET + 40);
static_assert(SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED == SSL_AD_REASON_OFFSET + 116);
static_assert(SSL_R_SHUTDOWN_WHILE_IN_INIT == 407);

std::string error_string(unsigned long e) {
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

TEST(VouchSsl, ReasonTextsAreLibssls) {
  ASSERT_EQ(OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, nullptr), 1);
  struct Case {
    int reason;
    const char* text;
  };
  const Case cases[] = {
      {SSL_R_CERTIFICATE_VERIFY_FAILED, "certificate verify failed"},
      {SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, "sslv3 alert handshake failure"},
      {SSL_R_TLSV1_ALERT_UNKNOWN_CA, "tlsv1 alert unknown ca"},
      {SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, "tlsv13 alert certificate required"},
      {SSL_R_TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE, "tlsv1 bad certificate status response"},
      {SSL_R_UNEXPECTED_EOF_WHILE_READING, "unexpected eof while reading"},
      {SSL_R_PROTOCOL_IS_SHUTDOWN, "protocol is shutdown"},
      {SSL_R_SHUTDOWN_WHILE_IN_INIT, "shutdown while in init"},
      {SSL_R_CONNECTION_TYPE_NOT_SET, "connection type not set"},
      {SSL_R_UNINITIALIZED, "uninitialized"},
      {SSL_R_BIO_NOT_SET, "bio not set"},
      {SSL_R_NO_PROTOCOLS_AVAILABLE, "no protocols available"},
      {SSL_R_NO_CERTIFICATE_ASSIGNED, "no certificate assigned"},
      {SSL_R_NO_PRIVATE_KEY_ASSIGNED, "no private key assigned"},
      {SSL_R_BAD_DATA_RETURNED_BY_CALLBACK, "bad data returned by callback"},
      {SSL_R_INVALID_STATUS_RESPONSE, "invalid status response"},
      {SSL_R_CERT_CB_ERROR, "cert cb error"},
      {SSL_R_NO_CIPHER_MATCH, "no cipher match"},
      {SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, "peer did not return a certificate"},
      {ERR_R_INTERNAL_ERROR, "internal error"},            // libcrypto's common text
      {ERR_R_PASSED_NULL_PARAMETER, "passed a null parameter"},
  };
  for (const Case& c : cases) {
    const unsigned long e = ERR_PACK(ERR_LIB_SSL, 0, c.reason);
    char want[256];
    std::snprintf(want, sizeof want, "error:%08lX:SSL routines::%s", e, c.text);
    EXPECT_EQ(error_string(e), want);
  }
}

TEST(VouchSsl, ErrorsNameTheFunctionThatRaisedThem) {
  ERR_clear_error();
  EXPECT_EQ(SSL_CTX_new(nullptr), nullptr);
  const char* file = nullptr;
  const char* func = nullptr;
  int line = 0;
  const unsigned long e = ERR_peek_error_all(&file, &line, &func, nullptr, nullptr);
  EXPECT_EQ(ERR_GET_LIB(e), ERR_LIB_SSL);
  EXPECT_EQ(ERR_GET_REASON(e), SSL_R_NULL_SSL_METHOD_PASSED);
  ASSERT_NE(func, nullptr);
  EXPECT_STREQ(func, "SSL_CTX_new");
  ASSERT_NE(file, nullptr);
  EXPECT_NE(std::string(file).find("ctx.cpp"), std::string::npos) << file;
  EXPECT_GT(line, 0);
  ERR_clear_error();
}

// An application's own errors under ERR_LIB_USER (the first library code
// ERR_get_next_error_library hands out) are not named after vouch-ssl:
// vouch-ssl takes no dynamic library code of its own. (libcrypto itself may
// take one when it loads its configuration, so the next free code is not
// checked.)
TEST(VouchSsl, ApplicationErrorsAreNotNamedAfterVouchSsl) {
  ASSERT_EQ(OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, nullptr), 1);
  ERR_clear_error();
  Client c;  // vouch-ssl raises one of its own errors first
  SSL_CTX_set_options(c.ctx.get(), SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3);
  EXPECT_EQ(c.connect(), -1);
  EXPECT_EQ(ERR_GET_LIB(ERR_peek_error()), ERR_LIB_SSL);
  ERR_clear_error();
  ERR_raise(ERR_LIB_USER, 42);
  const unsigned long e = ERR_peek_error();
  EXPECT_EQ(ERR_GET_LIB(e), ERR_LIB_USER);
  const char* lib = ERR_lib_error_string(e);
  EXPECT_TRUE(lib == nullptr || std::string(lib).find("vouch") == std::string::npos) << lib;
  const std::string text = error_string(e);
  EXPECT_EQ(text.find("vouch"), std::string::npos) << text;
  EXPECT_EQ(text.find("SSL routines"), std::string::npos) << text;
  ERR_clear_error();
}

// ---------------------------------------------------------------- the .so

std::string command_output(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The names in vouch_ssl.map's global section.
std::set<std::string> mapped_names() {
  const std::string map = read_file(VOUCH_SSL_MAP);
  const size_t from = map.find("global:");
  const size_t to = map.find("local:");
  std::set<std::string> names;
  if (from == std::string::npos || to == std::string::npos) return names;
  const std::string globals = map.substr(from + 7, to - from - 7);
  static const std::regex name(R"(([A-Za-z_][A-Za-z0-9_]*)\s*;)");
  for (std::sregex_iterator it(globals.begin(), globals.end(), name), end; it != end; ++it)
    names.insert((*it)[1]);
  return names;
}

TEST(VouchSslLibrary, ExportsExactlyTheDeclaredFunctions) {
  const std::set<std::string> expected = mapped_names();
  ASSERT_GT(expected.size(), 50u);
  std::set<std::string> exported;
  std::istringstream nm(command_output("nm -D --defined-only '" VOUCH_SSL_SO "'"));
  std::string line;
  while (std::getline(nm, line)) {
    std::istringstream fields(line);
    std::string addr, type, name;
    if (!(fields >> addr >> type >> name)) continue;
    if (type != "T" && type != "D" && type != "B" && type != "R") continue;  // not the version node
    exported.insert(name.substr(0, name.find('@')));
  }
  EXPECT_EQ(exported, expected);
  // And each of them is declared by the public headers (as a function).
  const std::string headers = read_file(VOUCH_SSL_INCLUDE "/openssl/ssl.h") +
                              read_file(VOUCH_SSL_INCLUDE "/openssl/tls1.h");
  for (const std::string& n : expected) {
    const std::regex declared("[ *]" + n + R"(\()");
    EXPECT_TRUE(std::regex_search(headers, declared)) << n << " is exported but not declared";
  }
  // And every function the headers declare (a line that starts with its
  // return type, not a macro) is exported: a program using it links.
  static const std::regex declaration(R"((?:^|\n)[A-Za-z][^\n#(]*[ *]([A-Za-z_][A-Za-z0-9_]*)\()");
  for (std::sregex_iterator it(headers.begin(), headers.end(), declaration), end; it != end; ++it) {
    const std::string n = (*it)[1];
    EXPECT_TRUE(exported.count(n)) << n << " is declared but not exported";
  }
}

TEST(VouchSslLibrary, DoesNotLinkLibssl) {
  const std::string needed = command_output("objdump -p '" VOUCH_SSL_SO "' | grep NEEDED");
  EXPECT_NE(needed.find("libcrypto"), std::string::npos) << needed;
  EXPECT_EQ(needed.find("libssl"), std::string::npos) << needed;
}

}  // namespace
