// The one-line-per-fact description of a completed handshake that
// `vouch connect` and `vouch demo` print, and the page `vouch serve` answers.
#pragma once

#include <string>

#include "vouch/connection.h"

namespace vouch::cli {

/// "protocol: TLSv1.3\ncipher: ...\ngroup: ...\nalpn: ...\nresumed: ...\npeer: ...\n"
std::string handshake_summary(const Connection& conn);

/// The server's view for its status page and log: the summary plus the SNI
/// it received, one "key: value" per line.
std::string server_page(const Connection& conn);

/// One log line for a completed server handshake:
/// "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 alpn=h2 sni=localhost resumed=no peer=none".
std::string server_log_line(const Connection& conn);

}  // namespace vouch::cli
