#include "handshake/negotiate.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string>
#include <utility>

#include "cert/public_key.h"
#include "crypto/signature.h"
#include "handshake/key_schedule.h"
#include "handshake/master_secret.h"

namespace vouch {

namespace {
template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// "0x0300" for a protocol version number.
std::string hex_version(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}
}  // namespace

Result<std::vector<ProtocolVersion>> versions_in_range(const CommonConfig& config) {
  if (static_cast<uint16_t>(config.min_version) > static_cast<uint16_t>(config.max_version))
    return config_error("config: min_version " + to_string(config.min_version) +
                                           " is above max_version " + to_string(config.max_version));
  std::vector<ProtocolVersion> out;
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12})
    if (static_cast<uint16_t>(v) >= static_cast<uint16_t>(config.min_version) &&
        static_cast<uint16_t>(v) <= static_cast<uint16_t>(config.max_version))
      out.push_back(v);
  if (out.empty())
    return config_error("config: no version vouch speaks (TLS 1.2, TLS 1.3) is in the range");
  return out;
}

namespace {

// RFC 7507 §2: the cipher suite value a client adds when it retries with a
// lower version after a failed handshake.
constexpr uint16_t kFallbackScsv = 0x5600;

// The highest version the client says it supports: the largest SSL/TLS
// version in supported_versions (GREASE and unknown values ignored), else
// legacy_version.
uint16_t client_max_version(const ClientHello& ch) {
  if (!ch.ext.supported_versions) return ch.legacy_version;
  uint16_t best = 0;
  for (ProtocolVersion v : *ch.ext.supported_versions) {
    const auto n = static_cast<uint16_t>(v);
    if ((n >> 8) == 0x03 && n <= static_cast<uint16_t>(ProtocolVersion::tls13)) best = std::max(best, n);
  }
  return best;
}

}  // namespace

Result<ProtocolVersion> choose_version(const CommonConfig& config, const ClientHello& ch) {
  VOUCH_ASSIGN(const std::vector<ProtocolVersion> ours, versions_in_range(config));
  // RFC 8446 Appendix D.5: "Any endpoint receiving a Hello message with
  // ClientHello.legacy_version ... set to 0x0300 MUST abort the handshake
  // with a "protocol_version" alert" (SSL 3.0 and older are never spoken).
  if (ch.legacy_version <= 0x0300)
    return fail(Alert::protocol_version, "ClientHello: legacy_version " + hex_version(ch.legacy_version) +
                                             " is SSL 3.0 or older (RFC 8446 Appendix D.5)");
  // RFC 7507 §3: "If TLS_FALLBACK_SCSV appears in ClientHello.cipher_suites
  // and the highest protocol version supported by the server is higher than
  // the version indicated in ClientHello.client_version, the server MUST
  // respond with a fatal inappropriate_fallback alert" — the client retried
  // lower after an attack made its first attempt fail. With
  // supported_versions, the client's version is the highest it lists.
  const bool fallback = std::any_of(ch.cipher_suites.begin(), ch.cipher_suites.end(), [](CipherSuite c) {
    return static_cast<uint16_t>(c) == kFallbackScsv;
  });
  if (fallback && client_max_version(ch) < static_cast<uint16_t>(ours.front()))
    return fail(Alert::inappropriate_fallback,
                "ClientHello: TLS_FALLBACK_SCSV from a client whose highest version " +
                    hex_version(client_max_version(ch)) + " is below this server's " + to_string(ours.front()) +
                    " (RFC 7507 §3): a downgrade");
  if (ch.ext.supported_versions) {
    // RFC 8446 §4.2.1: "servers MUST NOT use the ClientHello.legacy_version
    // value for version negotiation and MUST use only the
    // supported_versions extension"; unknown values (GREASE) are ignored.
    for (ProtocolVersion v : ours)
      if (contains(*ch.ext.supported_versions, v)) return v;
    return fail(Alert::protocol_version, "ClientHello: no version in common (vouch speaks " +
                                             to_string(ours.back()) + " to " + to_string(ours.front()) + ")");
  }
  // RFC 5246 Appendix E.1: without supported_versions, legacy_version is the
  // client's highest version: {3,3} or higher is a TLS 1.2 client, below is
  // TLS 1.0 or 1.1, which vouch does not speak.
  if (ch.legacy_version < 0x0303)
    return fail(Alert::protocol_version, "ClientHello: legacy_version " + hex_version(ch.legacy_version) +
                                             " (TLS 1.0/1.1) without supported_versions; vouch speaks TLS 1.2 "
                                             "and 1.3 only");
  if (contains(ours, ProtocolVersion::tls12)) return ProtocolVersion::tls12;
  return fail(Alert::protocol_version, "ClientHello: client offers only TLS 1.2, and TLS 1.2 is not enabled");
}

Status check_signature_schemes(const CommonConfig& config) {
  if (!config.signature_schemes.empty() && implemented_schemes(config.signature_schemes).empty())
    return fail(Alert::internal_error,
                "signature_schemes names no signature scheme vouch implements (SHA-1, MD5 and unknown "
                "values are never offered)");
  return {};
}

bool key_fits_suite12(bool ecdsa, EVP_PKEY* key) {
  // RFC 8422 §5.3: ECDHE_ECDSA needs an ECDSA-capable certificate (RFC 8422
  // §3 adds EdDSA); ECDHE_RSA an RSA one (RSASSA-PSS keys included, whose
  // rsa_pss_pss schemes RFC 8446 §4.2.3 also defines for TLS 1.2).
  if (ecdsa) return EVP_PKEY_is_a(key, "EC") || EVP_PKEY_is_a(key, "ED25519");
  return EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS");
}

namespace {

// Each TLS 1.3 ECDSA scheme binds one curve (RFC 8446 §4.2.3).
constexpr std::pair<SignatureScheme, NamedGroup> kCurveSchemes[] = {
    {SignatureScheme::ecdsa_secp256r1_sha256, NamedGroup::secp256r1},
    {SignatureScheme::ecdsa_secp384r1_sha384, NamedGroup::secp384r1},
    {SignatureScheme::ecdsa_secp521r1_sha512, NamedGroup::secp521r1},
};

// The credential choosers' first pass looks for a credential whose leaf names
// the SNI host; the second takes any. The first is pointless without SNI or
// with a single credential (both passes would choose it, or neither).
int first_pass(const std::vector<Credential>& credentials, const std::optional<std::string>& sni) {
  return sni && credentials.size() > 1 ? 0 : 1;
}

}  // namespace

// RFC 8422 §5.3: "If the client has used a Supported Elliptic Curves
// Extension, the public key in the server's certificate MUST respect the
// client's choice of elliptic curves." In TLS 1.2 the extension names the
// curves of ECDSA keys too (§5.1.1); EdDSA keys are named by
// signature_algorithms alone (§5.1.3).
bool curve_offered(EVP_PKEY* key, const std::optional<std::vector<NamedGroup>>& client_groups) {
  if (!client_groups || !EVP_PKEY_is_a(key, "EC")) return true;
  for (const auto& [scheme, group] : kCurveSchemes)
    if (scheme_matches_key(scheme, key, /*tls13=*/true)) return contains(*client_groups, group);
  return false;  // a curve TLS cannot name
}

bool curve_offered(const Credential& c, const std::optional<std::vector<NamedGroup>>& client_groups) {
  if (!client_groups || !EVP_PKEY_is_a(c.public_key(), "EC")) return true;
  // The credential's TLS 1.3 schemes name its curve (at most one ECDSA one).
  for (const auto& [scheme, group] : kCurveSchemes)
    if (contains(c.signature_schemes(/*tls13=*/true), scheme)) return contains(*client_groups, group);
  return false;
}

Result<Choice12> choose_suite_and_credential12(const std::vector<CipherSuite>& server_suites,
                                               const std::vector<CipherSuite>& client_suites,
                                               const std::vector<Credential>& credentials,
                                               const std::vector<SignatureScheme>& server_schemes,
                                               const std::vector<SignatureScheme>& client_schemes,
                                               const std::optional<std::string>& sni,
                                               const std::optional<std::vector<NamedGroup>>& client_groups) {
  if (credentials.empty()) return config_error("server has no certificate configured");
  bool suite_in_common = false;
  // Two passes: credentials naming the SNI host first, then any. With one
  // credential both passes pick the same, so the first (an X509_check_host,
  // which decodes the leaf's subjectAltName every time) is skipped.
  for (int pass = first_pass(credentials, sni); pass < 2; ++pass) {
    for (CipherSuite suite : server_suites) {
      Suite12 params;
      if (!tls12_suite_params(suite, params) || !contains(client_suites, suite)) continue;
      suite_in_common = true;
      for (const Credential& c : credentials) {
        if (pass == 0 && (!sni || !leaf_matches_host(c, *sni))) continue;
        if (!key_fits_suite12(params.ecdsa, c.public_key())) continue;
        if (params.ecdsa && !curve_offered(c, client_groups)) continue;
        for (SignatureScheme s : server_schemes)
          if (contains(client_schemes, s) && contains(c.signature_schemes(/*tls13=*/false), s))
            return Choice12{suite, &c, s};
      }
    }
  }
  if (!suite_in_common) return fail(Alert::handshake_failure, "no TLS 1.2 cipher suite in common");
  return fail(Alert::handshake_failure,
              "no TLS 1.2 cipher suite in common that a certificate fits: no certificate fits a suite "
              "and a signature scheme the client offered (an ECDSA key also on a curve of its "
              "supported_groups, RFC 8422 §5.3)");
}

namespace {

// ChaCha20-Poly1305 suites: TLS 1.3's (RFC 8446 §B.4) and RFC 7905's
// (0xCCA8..0xCCAE, whatever the key exchange).
bool is_chacha_suite(CipherSuite s) {
  const auto v = static_cast<uint16_t>(s);
  return v == 0x1303 || (v >= 0xCCA8 && v <= 0xCCAE);
}

// Values that are not cipher suites: the signalling values of RFC 5746
// §3.3 (0x00FF) and RFC 7507 (0x5600), and GREASE (RFC 8701 §2).
bool is_signal_or_grease(CipherSuite s) {
  const auto v = static_cast<uint16_t>(s);
  return v == 0x00FF || v == 0x5600 || ((v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF));
}

}  // namespace

std::vector<CipherSuite> suite_preference(const std::vector<CipherSuite>& server_prefs,
                                          const std::vector<CipherSuite>& client_offer, bool server_first,
                                          bool chacha_if_client_prefers) {
  if (server_first) {
    if (!chacha_if_client_prefers) return server_prefs;
    auto first = std::find_if(client_offer.begin(), client_offer.end(),
                              [](CipherSuite c) { return !is_signal_or_grease(c); });
    if (first == client_offer.end() || !is_chacha_suite(*first)) return server_prefs;
    std::vector<CipherSuite> out;
    std::copy_if(server_prefs.begin(), server_prefs.end(), std::back_inserter(out), is_chacha_suite);
    std::copy_if(server_prefs.begin(), server_prefs.end(), std::back_inserter(out),
                 [](CipherSuite c) { return !is_chacha_suite(c); });
    return out;
  }
  std::vector<CipherSuite> out;
  for (CipherSuite s : client_offer)
    if (contains(server_prefs, s) && !contains(out, s)) out.push_back(s);
  return out;
}

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
  if (credentials.empty()) return config_error("server has no certificate configured");
  auto scheme_for = [&](const Credential& c) -> std::optional<SignatureScheme> {
    for (SignatureScheme s : server_schemes)
      if (contains(client_schemes, s) && contains(c.signature_schemes(), s)) return s;
    return std::nullopt;
  };
  // Two passes: credentials naming the SNI host first, then any (see
  // first_pass).
  for (int pass = first_pass(credentials, sni); pass < 2; ++pass) {
    for (const Credential& c : credentials) {
      if (pass == 0) {
        if (!sni) continue;
        if (!leaf_matches_host(c, *sni)) continue;
      }
      if (auto s = scheme_for(c)) return CredentialChoice{&c, *s};
    }
  }
  return fail(Alert::handshake_failure,
              "no signature scheme in common: no certificate can sign with a scheme the client offered");
}

Result<std::optional<std::string>> choose_alpn(const std::vector<std::string>& server_prefs,
                                               const std::optional<std::vector<std::string>>& client) {
  if (!client || server_prefs.empty()) return std::optional<std::string>();
  for (const std::string& p : server_prefs)
    if (contains(*client, p)) return std::optional<std::string>(p);
  return fail(Alert::no_application_protocol, "no ALPN protocol in common (RFC 7301 §3.2)");
}

Result<std::optional<std::string>> select_alpn(const ServerConfig& config,
                                               const std::optional<std::vector<std::string>>& client) {
  if (!config.alpn_selector || !client) return choose_alpn(config.alpn, client);
  VOUCH_ASSIGN(std::optional<std::string> chosen, config.alpn_selector(*client));
  if (chosen && !contains(*client, *chosen))
    return fail(Alert::internal_error,
                "the ALPN selector chose \"" + *chosen + "\", which the client did not offer (RFC 7301 §3.2)");
  return chosen;
}

Result<bool> run_server_name_hook(const ServerConfig& config, const std::string& server_name) {
  if (!config.server_name_hook) return true;
  return config.server_name_hook(server_name);
}

}  // namespace vouch
