#include "handshake/negotiate.h"

#include <algorithm>

#include "cert/public_key.h"
#include "crypto/signature.h"
#include "handshake/key_schedule.h"

namespace vouch {

namespace {
template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

Result<CipherSuite> choose_cipher_suite13(const std::vector<CipherSuite>& server_prefs,
                                          const std::vector<CipherSuite>& client_offer) {
  for (CipherSuite s : server_prefs) {
    HashAlg h;
    AeadAlg a;
    if (tls13_suite_params(s, h, a) && contains(client_offer, s)) return s;
  }
  return fail(Alert::handshake_failure, "no TLS 1.3 cipher suite in common");
}

Result<NamedGroup> choose_group(const std::vector<NamedGroup>& server_prefs,
                                const std::vector<NamedGroup>& client_groups) {
  for (NamedGroup g : server_prefs)
    if (contains(client_groups, g)) return g;
  return fail(Alert::handshake_failure, "no key exchange group in common");
}

Result<CredentialChoice> choose_credential(const std::vector<Credential>& credentials,
                                           const std::vector<SignatureScheme>& server_schemes,
                                           const std::vector<SignatureScheme>& client_schemes,
                                           const std::optional<std::string>& sni) {
  if (credentials.empty()) return fail(Alert::internal_error, "server has no certificate configured");
  auto scheme_for = [&](const Credential& c) -> std::optional<SignatureScheme> {
    for (SignatureScheme s : server_schemes)
      if (contains(client_schemes, s) && scheme_matches_key(s, c.public_key())) return s;
    return std::nullopt;
  };
  // Two passes: credentials naming the SNI host first, then any.
  for (int pass = 0; pass < 2; ++pass) {
    for (const Credential& c : credentials) {
      if (pass == 0) {
        if (!sni) continue;
        if (!leaf_matches_host(c, *sni)) continue;
      }
      if (auto s = scheme_for(c)) return CredentialChoice{&c, *s};
    }
  }
  return fail(Alert::handshake_failure,
              "no certificate can sign with a signature scheme the client offered");
}

Result<std::optional<std::string>> choose_alpn(const std::vector<std::string>& server_prefs,
                                               const std::optional<std::vector<std::string>>& client) {
  if (!client || server_prefs.empty()) return std::optional<std::string>();
  for (const std::string& p : server_prefs)
    if (contains(*client, p)) return std::optional<std::string>(p);
  return fail(Alert::no_application_protocol, "no ALPN protocol in common (RFC 7301 §3.2)");
}

}  // namespace vouch
