// The one-line-per-fact description of a completed handshake that
// `vouch connect` and `vouch demo` print, and the page `vouch serve` answers.
#pragma once

#include <string>
#include <vector>

#include "vouch/connection.h"

namespace vouch::cli {

/// "protocol: TLSv1.3\ncipher: ...\ngroup: ...\nalpn: ...\nresumed: ...\npeer: ...\n",
/// and on a client "ocsp: <the leaf's status>\n" then "ocsp[N]: <status>\n"
/// for each chain certificate N ≥ 1 that came with a staple.
std::string handshake_summary(const Connection& conn);

/// The server's view for its status page and log: the summary plus the SNI
/// it received, one "key: value" per line.
std::string server_page(const Connection& conn);

/// One log line for a completed server handshake:
/// "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 alpn=h2 sni=localhost resumed=no peer=none".
std::string server_log_line(const Connection& conn);

/// The server's view of the client certificate (RFC 8446 §4.4.2.4): the leaf
/// of verified_peer_chain() as "client: <subject>\nclient-issuer: <issuer>\n",
/// or "client: none\n" when the client sent none (or none was requested).
std::string client_certificate_lines(const Connection& conn);

/// Client: why each candidate credential was chosen or skipped for one
/// CertificateRequest (RFC 8446 §4.3.2), one "<prefix>client-cert: chose|skipped
/// <subject>: <reason>" line each, plus "<prefix>client-cert: sending no
/// certificate" when none was chosen.
std::string selection_lines(const std::vector<SelectionNote>& notes, const std::string& prefix);

}  // namespace vouch::cli
