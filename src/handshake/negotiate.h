// Server-side choices from a ClientHello (RFC 8446 §4.1.1): cipher suite,
// group, credential + signature scheme, ALPN. Server preference wins
// everywhere; each function returns the RFC's alert when nothing fits.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "msg/messages.h"
#include "vouch/config.h"

namespace vouch {

/// The version to speak with this ClientHello: the highest in the
/// config's [min_version, max_version] that the client offers — from
/// supported_versions when present (RFC 8446 §4.2.1: legacy_version is then
/// ignored), else from legacy_version (RFC 5246 Appendix E.1: 0x0303 or
/// above means TLS 1.2). Errors: nothing in common, or a client below TLS
/// 1.2 → protocol_version; a config whose range is empty → internal_error.
Result<ProtocolVersion> choose_version(const CommonConfig& config, const ClientHello& ch);

/// The config's range as a list, highest first (what a client offers).
/// Errors: min_version above max_version → internal_error.
Result<std::vector<ProtocolVersion>> versions_in_range(const CommonConfig& config);

/// Before a signature_algorithms list is sent: a configured
/// CommonConfig::signature_schemes must name at least one scheme vouch
/// implements, since the list sent is never empty (RFC 8446 §4.2.3,
/// RFC 5246 §7.4.1.4.1: <2..2^16-2>). internal_error otherwise.
Status check_signature_schemes(const CommonConfig& config);

/// The order in which a server considers cipher suites: its own list
/// (`server_first`), or the client's offer restricted to the server's list.
/// With `server_first` and `chacha_if_client_prefers`, when the first suite
/// the client offers is a ChaCha20-Poly1305 one, the server's ChaCha20
/// suites move to the front of its list (in their order), the rest keep
/// theirs: a client that put ChaCha20 first (a device without AES
/// instructions) gets it, others get the server's order (OpenSSL's
/// SSL_OP_PRIORITIZE_CHACHA).
std::vector<CipherSuite> suite_preference(const std::vector<CipherSuite>& server_prefs,
                                          const std::vector<CipherSuite>& client_offer, bool server_first,
                                          bool chacha_if_client_prefers = false);

/// The first suite in the server's list that the client offered and vouch
/// implements for TLS 1.3; handshake_failure if none (§4.1.1).
Result<CipherSuite> choose_cipher_suite13(const std::vector<CipherSuite>& server_prefs,
                                          const std::vector<CipherSuite>& client_offer);

/// The first group in the server's list that the client supports;
/// handshake_failure if none.
Result<NamedGroup> choose_group(const std::vector<NamedGroup>& server_prefs,
                                const std::vector<NamedGroup>& client_groups);

struct CredentialChoice {
  const Credential* credential = nullptr;
  SignatureScheme scheme{};
};

/// A credential and scheme: prefer credentials whose leaf matches the SNI
/// (X509_check_host), then any; the scheme is the first of the server's
/// schemes that the client offered and that fits the key.
/// handshake_failure if no credential can sign with an offered scheme.
Result<CredentialChoice> choose_credential(const std::vector<Credential>& credentials,
                                           const std::vector<SignatureScheme>& server_schemes,
                                           const std::vector<SignatureScheme>& client_schemes,
                                           const std::optional<std::string>& sni);

/// TLS 1.2 (RFC 5246 §7.4.1.3, RFC 8422 §5.3): a cipher suite from the
/// server's cipher_suites12 that the client offered, a credential whose key
/// fits the suite's authentication (ECDSA suites: EC or Ed25519 keys; RSA
/// suites: RSA keys), and the first of the server's schemes the client
/// offered that the key can sign the ServerKeyExchange with. Credentials
/// naming the SNI host come first, then any; within each, the server's
/// suite order wins. An ECDSA key must be on a curve in the client's
/// supported_groups when it sent one (RFC 8422 §5.3). handshake_failure when
/// nothing fits.
struct Choice12 {
  CipherSuite suite{};
  const Credential* credential = nullptr;
  SignatureScheme scheme{};
};
Result<Choice12> choose_suite_and_credential12(const std::vector<CipherSuite>& server_suites,
                                               const std::vector<CipherSuite>& client_suites,
                                               const std::vector<Credential>& credentials,
                                               const std::vector<SignatureScheme>& server_schemes,
                                               const std::vector<SignatureScheme>& client_schemes,
                                               const std::optional<std::string>& sni,
                                               const std::optional<std::vector<NamedGroup>>& client_groups = std::nullopt);
/// True if `key` can authenticate a TLS 1.2 suite whose authentication is
/// ECDSA (`ecdsa`) or RSA.
bool key_fits_suite12(bool ecdsa, EVP_PKEY* key);

/// TLS 1.2 (RFC 8422 §5.3, §5.1.1): an ECDSA key must be on a curve of the
/// client's supported_groups (nullopt: the client sent none, any curve
/// goes). Other keys always pass.
bool curve_offered(EVP_PKEY* key, const std::optional<std::vector<NamedGroup>>& client_groups);
/// The same for a credential's key, from the schemes it was found to fit.
bool curve_offered(const Credential& c, const std::optional<std::vector<NamedGroup>>& client_groups);

/// RFC 7301 §3.2: the server's first protocol the client offered. No client
/// list or no server list → nullopt; no overlap → no_application_protocol.
Result<std::optional<std::string>> choose_alpn(const std::vector<std::string>& server_prefs,
                                               const std::optional<std::vector<std::string>>& client);

/// A server's ALPN choice: ServerConfig::alpn_selector when set and the
/// client offered ALPN (its answer checked against the offer), else
/// choose_alpn over ServerConfig::alpn.
Result<std::optional<std::string>> select_alpn(const ServerConfig& config,
                                               const std::optional<std::vector<std::string>>& client);

/// Runs ServerConfig::server_name_hook for a ClientHello's host name (empty
/// without one): whether to acknowledge it; true without a hook.
Result<bool> run_server_name_hook(const ServerConfig& config, const std::string& server_name);

}  // namespace vouch
