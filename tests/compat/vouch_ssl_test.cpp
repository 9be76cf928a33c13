// What vouch-ssl does that libssl has no counterpart for, so it cannot be
// compared: the TLS 1.2 refusal and its error strings, and the shared
// library's contract (exports exactly the declared functions, links no
// libssl). Linked against the shared library alone.
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

TEST(VouchSsl, Tls12OnlyRangeFailsWithAClearReason) {
  ERR_clear_error();
  Client c;
  ASSERT_EQ(SSL_CTX_set_max_proto_version(c.ctx.get(), TLS1_2_VERSION), 1);
  EXPECT_EQ(c.connect(), -1);
  EXPECT_EQ(SSL_get_error(c.ssl.get(), -1), SSL_ERROR_SSL);
  EXPECT_EQ(first_reason(), "vouch-ssl routines: TLS 1.2 is not implemented yet");
  EXPECT_EQ(BIO_ctrl_pending(c.out), 0u) << "nothing may be sent";
  ERR_clear_error();
}

TEST(VouchSsl, NoTls13OptionFailsWithTheSameReason) {
  ERR_clear_error();
  Client c;
  SSL_CTX_set_options(c.ctx.get(), SSL_OP_NO_TLSv1_3);
  EXPECT_EQ(c.connect(), -1);
  EXPECT_EQ(first_reason(), "vouch-ssl routines: TLS 1.2 is not implemented yet");
  ERR_clear_error();
}

TEST(VouchSsl, EmptyVersionRangeHasNoProtocols) {
  ERR_clear_error();
  Client c;
  ASSERT_EQ(SSL_CTX_set_min_proto_version(c.ctx.get(), TLS1_3_VERSION), 1);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(c.ctx.get(), TLS1_2_VERSION), 1);
  EXPECT_EQ(c.connect(), -1);
  EXPECT_EQ(first_reason(), "vouch-ssl routines: no protocols available");
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

TEST(VouchSsl, VerifyingClientWithoutAServerNameSaysWhy) {
  // vouch verifies the server's name when it verifies its chain; without
  // SSL_set_tlsext_host_name there is none, and the reason says so (libssl
  // would connect without checking a name: a documented difference).
  ERR_clear_error();
  Client c;
  SSL_CTX_set_verify(c.ctx.get(), SSL_VERIFY_PEER, nullptr);
  EXPECT_EQ(c.connect(), -1);
  EXPECT_EQ(SSL_get_error(c.ssl.get(), -1), SSL_ERROR_SSL);
  const char* data = nullptr;
  int flags = 0;
  ERR_peek_error_data(&data, &flags);
  ASSERT_TRUE(flags & ERR_TXT_STRING);
  EXPECT_NE(std::string(data).find("server name is required"), std::string::npos) << data;
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
