// The TLS 1.2 side of the interop tests: the suites vouch implements (RFC
// 8422 ECDHE with RFC 5288 AES-GCM and RFC 7905 ChaCha20-Poly1305), each
// with the certificate type it needs, their names in every peer, and the
// clients' command lines. Servers come from interop.h.
#pragma once

#include "interop/interop.h"

namespace vouch::interop {

struct Suite12 {
  const char* openssl;        // s_client/s_server -cipher, and how they print it
  const char* iana;           // what vouch prints (it accepts both names in --cipher)
  const char* gnutls_cipher;  // GnuTLS priority cipher keyword, as gnutls prints it
  const char* gnutls_kx;      // GnuTLS priority key exchange keyword, as gnutls prints it
  CertType cert;              // RFC 8422 §5.3: ECDHE_ECDSA needs an ECDSA key, ECDHE_RSA an RSA key
  const char* short_name;
};

inline const std::vector<Suite12>& suites12() {
  static const std::vector<Suite12> v = {
      {"ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "AES-128-GCM",
       "ECDHE-ECDSA", CertType::ecdsa, "ecdsa_aes128"},
      {"ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "AES-256-GCM",
       "ECDHE-ECDSA", CertType::ecdsa, "ecdsa_aes256"},
      {"ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
       "CHACHA20-POLY1305", "ECDHE-ECDSA", CertType::ecdsa, "ecdsa_chacha20"},
      {"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "AES-128-GCM",
       "ECDHE-RSA", CertType::rsa, "rsa_aes128"},
      {"ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "AES-256-GCM",
       "ECDHE-RSA", CertType::rsa, "rsa_aes256"},
      {"ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
       "CHACHA20-POLY1305", "ECDHE-RSA", CertType::rsa, "rsa_chacha20"},
  };
  return v;
}

struct Combo12 {
  Suite12 suite;
  Group group;
};

inline void PrintTo(const Suite12& s, std::ostream* os) { *os << s.openssl; }
inline void PrintTo(const Combo12& c, std::ostream* os) {
  *os << c.suite.openssl << " / " << c.group.iana;
}

/// Every TLS 1.2 suite × group (the certificate type follows from the suite).
inline std::vector<Combo12> all_combos12() {
  std::vector<Combo12> out;
  for (const Suite12& s : suites12())
    for (const Group& g : groups()) out.push_back({s, g});
  return out;
}

inline std::string combo12_name(const ::testing::TestParamInfo<Combo12>& info) {
  return std::string(info.param.suite.short_name) + "_" + info.param.group.iana;
}

inline std::string suite12_name(const ::testing::TestParamInfo<Suite12>& info) {
  return info.param.short_name;
}

/// A client's groups for a pinned key exchange group `g`: in TLS 1.2
/// supported_groups also names the curves the server's ECDSA certificate may
/// be on (RFC 8422 §5.3), and the test certificates are on P-256. The server
/// pins `g` alone, so the key exchange still uses `g`.
inline std::string client_groups12(const Suite12& s, const Group& g, bool openssl_names) {
  std::string list = openssl_names ? g.openssl : g.iana;
  if (s.cert == CertType::ecdsa && std::string(g.iana) != "secp256r1")
    list += openssl_names ? ":P-256" : ":secp256r1";
  return list;
}

/// GnuTLS priority string: TLS 1.2 only (any suite and group of NORMAL).
inline const std::string kGnutlsTls12Only = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

/// GnuTLS priority string: TLS 1.2 only, exactly this suite and group.
inline std::string gnutls_priority12(const Suite12& s, const Group& g) {
  return kGnutlsTls12Only + ":-CIPHER-ALL:+" + s.gnutls_cipher + ":-KX-ALL:+" + s.gnutls_kx +
         ":-GROUP-ALL:+" + g.gnutls;
}

/// `openssl s_client -tls1_2` (or another version flag, "" for s_client's
/// default range) verifying "localhost" against `ca`; with -ign_eof it waits
/// for the server to close after reading its stdin.
inline std::vector<std::string> s_client12_args(uint16_t port, const std::string& ca,
                                                const std::string& version_flag = "-tls1_2") {
  std::vector<std::string> argv = {require_program("openssl"), "s_client"};
  if (!version_flag.empty()) argv.push_back(version_flag);
  argv.insert(argv.end(), {"-connect", "127.0.0.1:" + std::to_string(port), "-CAfile", ca,
                           "-verify_return_error", "-servername", "localhost", "-verify_hostname",
                           "localhost", "-ign_eof"});
  return argv;
}

/// Runs a client whose stdin is the HTTP request, and waits for it.
inline ChildProcess run_with_request(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& extra_env = {}) {
  ChildProcess c = ChildProcess::spawn(argv, {StdinMode::data, kHttpRequest, extra_env});
  c.wait(kRunTimeout);
  return c;
}

/// gnutls-cli verifying "localhost" (the target is 127.0.0.1) with `priority`.
/// It ends its session at stdin EOF, possibly before the answer has arrived,
/// so stdin stays an open pipe; vouch's close_notify after the page ends it.
inline ChildProcess run_gnutls_cli(uint16_t port, const std::string& ca, const std::string& priority,
                                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {require_program("gnutls-cli"), "-p", std::to_string(port),
                                   "127.0.0.1", "--x509cafile", ca, "--verify-hostname", "localhost",
                                   "--sni-hostname", "localhost", "--priority", priority};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ChildProcess c = ChildProcess::spawn(argv, {StdinMode::pipe, {}, {}});
  c.write_stdin(kHttpRequest);
  c.wait(kRunTimeout);
  return c;
}

/// vouch connect's request argument (unescaped by vouch).
inline const std::string kEscapedHttpRequest = "GET / HTTP/1.0\\r\\n\\r\\n";

/// vouch connect's arguments for one client credential.
inline std::vector<std::string> vouch_client_cert_args(const testing::PkiCert& cert) {
  return {"--cert", cert.chain_path, "--key", cert.key_path};
}

/// s_client's client-certificate arguments: leaf, key and the intermediate it sends.
inline std::vector<std::string> s_client_cert_args(const testing::PkiFamily& f,
                                                   const testing::PkiCert& cert) {
  return {"-cert", cert.cert_path, "-key", cert.key_path, "-cert_chain", f.intermediate.cert_path};
}

/// The one line after `heading` in `text` (without its newline), or "<missing ...>".
inline std::string line_after(const std::string& text, const std::string& heading) {
  const size_t at = text.find(heading);
  if (at == std::string::npos) return "<missing " + heading + ">";
  const size_t start = text.find('\n', at);
  if (start == std::string::npos) return "<nothing after " + heading + ">";
  const size_t end = text.find('\n', start + 1);
  return text.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
}

}  // namespace vouch::interop
