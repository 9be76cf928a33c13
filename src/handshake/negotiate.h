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

/// RFC 7301 §3.2: the server's first protocol the client offered. No client
/// list or no server list → nullopt; no overlap → no_application_protocol.
Result<std::optional<std::string>> choose_alpn(const std::vector<std::string>& server_prefs,
                                               const std::optional<std::vector<std::string>>& client);

}  // namespace vouch
