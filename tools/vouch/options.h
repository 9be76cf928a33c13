// Flags shared by `vouch serve`, `vouch connect` and `vouch demo`, and their
// translation into vouch's config structs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/config.h"
#include "vouch/error.h"

namespace CLI {
class App;
}

namespace vouch::cli {

/// Exit codes of the tool: success, a TLS/IO failure, a usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

/// The exit codes as `vouch --help` explains them.
inline constexpr const char* kExitCodesHelp =
    "Exit status: 0 success; 1 failure (TLS handshake or connection, network, files: the message says "
    "which); 2 usage error (unknown flag, bad value, conflicting flags).";

/// The one style of the tool's error lines, on stderr:
/// "vouch <command>: error: <message>" ("vouch: error: ..." without one).
void print_error(std::string_view command, std::string_view message);
/// The same for what does not stop the command: "vouch <command>: warning: ...".
void print_warning(std::string_view command, std::string_view message);

/// The negotiation flags common to both roles, as typed by the user.
struct TlsFlags {
  std::string ciphersuites;  // TLS 1.3: "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"
  std::string cipher;        // TLS 1.2: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
  std::string groups;        // "x25519:secp256r1"
  std::string alpn;          // "h2,http/1.1"
  std::string min_protocol;  // "TLSv1.2"
  std::string max_protocol;  // "TLSv1.3"
  bool tls1_2 = false;       // exactly TLS 1.2 (openssl s_client -tls1_2)
  bool tls1_3 = false;       // exactly TLS 1.3
  bool no_ems_required = false;  // accept TLS 1.2 peers without RFC 7627
};

/// Registers --ciphersuites, --cipher, --groups, --alpn, --min-protocol,
/// --max-protocol, --tls1_2, --tls1_3 and --no-ems-required on a subcommand.
void add_tls_flags(CLI::App& cmd, TlsFlags& flags);

/// --keylog FILE and --trace, for `vouch connect` and `vouch serve`.
struct DebugFlags {
  std::string keylog;  // NSS key log file; empty: SSLKEYLOGFILE if set, else none
  bool trace = false;  // print the handshake trace events on stderr
};

/// Registers --keylog and --trace on a subcommand.
void add_debug_flags(CLI::App& cmd, DebugFlags& flags);

/// Installs the key log (--keylog, else SSLKEYLOGFILE) and the trace printer
/// (--trace) on `config`; `command` ("vouch serve") prefixes what they print,
/// `numbered` adds each connection's number to trace lines. Errors: the key
/// log file cannot be opened (the reason names the file).
Status apply_debug_flags(const DebugFlags& flags, const std::string& command, bool numbered, CommonConfig& config);

/// Applies the flags that were given (empty = keep the library default).
/// Errors name the offending token ("unknown cipher suite 'X'") or the
/// conflicting flags ("--tls1_2 and --tls1_3 exclude each other").
Status apply_tls_flags(const TlsFlags& flags, CommonConfig& config);

/// "never" / "once" (`vouch connect --renegotiation`); an error naming the
/// value otherwise.
Result<Renegotiation> parse_renegotiation(std::string_view name);

/// Parses a colon-separated group list such as "x25519:secp256r1".
Result<std::vector<NamedGroup>> parse_groups(std::string_view list);

/// "host:port", "[v6addr]:port" or "v6addr" is not accepted without brackets.
struct HostPort {
  std::string host;  // brackets removed
  uint16_t port = 0;
};
Result<HostPort> parse_host_port(std::string_view text, bool allow_port_zero);

/// True for an IPv4 or IPv6 address literal (no brackets).
bool is_ip_literal(const std::string& host);

/// Splits on `sep`; empty items are an error reported by the callers.
std::vector<std::string> split(std::string_view text, char sep);

/// Interprets \r, \n, \t, \\ and \0 in text typed on a command line.
Result<std::string> unescape(std::string_view text);

}  // namespace vouch::cli
