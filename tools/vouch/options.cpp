#include "options.h"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <fmt/core.h>

#include "debug_output.h"

namespace vouch::cli {

void add_tls_flags(CLI::App& cmd, TlsFlags& flags) {
  cmd.add_option("--ciphersuites", flags.ciphersuites,
                 "TLS 1.3 cipher suites in preference order, IANA names separated by ':'");
  cmd.add_option("--cipher", flags.cipher,
                 "TLS 1.2 cipher suites in preference order, separated by ':', OpenSSL or IANA names "
                 "(ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256); only ECDHE with AES-GCM "
                 "or ChaCha20-Poly1305 is implemented");
  cmd.add_option("--groups", flags.groups,
                 "key exchange groups in preference order, separated by ':' (x25519:secp256r1)");
  cmd.add_option("--alpn", flags.alpn, "ALPN protocols in preference order, separated by ','");
  cmd.add_option("--min-protocol", flags.min_protocol,
                 "lowest protocol version spoken: TLSv1.2 (default) or TLSv1.3");
  cmd.add_option("--max-protocol", flags.max_protocol,
                 "highest protocol version spoken: TLSv1.2 or TLSv1.3 (default)");
  cmd.add_flag("--tls1_2", flags.tls1_2,
               "speak TLS 1.2 only (not with --tls1_3, --min-protocol or --max-protocol)");
  cmd.add_flag("--tls1_3", flags.tls1_3,
               "speak TLS 1.3 only (not with --tls1_2, --min-protocol or --max-protocol)");
  cmd.add_flag("--no-ems-required", flags.no_ems_required,
               "TLS 1.2: accept a peer that does not use the extended master secret (RFC 7627); "
               "such sessions are never resumed");
}

namespace {

void print_line(std::string_view command, std::string_view kind, std::string_view message) {
  const std::string who = command.empty() ? std::string("vouch") : "vouch " + std::string(command);
  fmt::print(stderr, "{}: {}: {}\n", who, kind, message);
  std::fflush(stderr);
}

}  // namespace

void print_error(std::string_view command, std::string_view message) { print_line(command, "error", message); }

void print_warning(std::string_view command, std::string_view message) { print_line(command, "warning", message); }

void add_debug_flags(CLI::App& cmd, DebugFlags& flags) {
  cmd.add_option("--keylog", flags.keylog,
                 "append the TLS secrets to FILE in the NSS key log format (what Wireshark's "
                 "tls.keylog_file reads; created with mode 0600). Without it the SSLKEYLOGFILE "
                 "environment variable names the file; neither: no key log. Debugging only: the file "
                 "decrypts the connections")
      ->type_name("FILE");
  cmd.add_flag("--trace", flags.trace,
               "print the handshake as it happens on stderr, one line per event: messages sent and "
               "received with their length, negotiated parameters, client-certificate choice, OCSP "
               "staple decisions, alerts");
}

Status apply_debug_flags(const DebugFlags& flags, const std::string& command, bool numbered, CommonConfig& config) {
  VOUCH_TRY(install_keylog(flags.keylog, command, config));
  if (flags.trace) install_trace_printer(command, numbered, config);
  return {};
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

Result<std::vector<NamedGroup>> parse_groups(std::string_view list) {
  std::vector<NamedGroup> groups;
  for (const std::string& name : split(list, ':')) {
    NamedGroup g;
    if (!parse_named_group(name, g)) {
      return config_error("unknown group '" + name + "'");
    }
    groups.push_back(g);
  }
  return groups;
}

namespace {

// A ':'-separated list of suites of one protocol version. A suite of the
// other version is an error rather than ignored: it would not be used, and
// the user meant something by it.
Result<std::vector<CipherSuite>> parse_suites(std::string_view list, ProtocolVersion version) {
  const bool tls12 = version == ProtocolVersion::tls12;
  std::vector<CipherSuite> suites;
  for (const std::string& name : split(list, ':')) {
    CipherSuite s;
    if (!parse_cipher_suite(name, s)) {
      return config_error("unknown cipher suite '" + name + "'");
    }
    if (tls12 && !is_tls12_suite(s)) {
      return config_error("'" + name +
                                             "' is not a TLS 1.2 cipher suite (--cipher); TLS 1.3 suites "
                                             "go in --ciphersuites");
    }
    if (!tls12 && !is_tls13_suite(s)) {
      return config_error("'" + name +
                                             "' is not a TLS 1.3 cipher suite (--ciphersuites); TLS 1.2 "
                                             "suites go in --cipher");
    }
    suites.push_back(s);
  }
  return suites;
}

Result<ProtocolVersion> parse_version_flag(const char* flag, const std::string& value) {
  ProtocolVersion v;
  if (!parse_protocol_version(value, v)) {
    return config_error(std::string(flag) + ": expected TLSv1.2 or TLSv1.3, not '" + value + "'");
  }
  return v;
}

// --tls1_2 / --tls1_3 (one version, as openssl s_client's flags) or
// --min-protocol / --max-protocol (a range), never both kinds.
Status apply_versions(const TlsFlags& flags, CommonConfig& config) {
  if (flags.tls1_2 && flags.tls1_3) {
    return config_error("--tls1_2 and --tls1_3 exclude each other");
  }
  if (flags.tls1_2 || flags.tls1_3) {
    const char* flag = flags.tls1_2 ? "--tls1_2" : "--tls1_3";
    if (!flags.min_protocol.empty() || !flags.max_protocol.empty()) {
      return config_error(std::string(flag) + " excludes --min-protocol and --max-protocol");
    }
    const ProtocolVersion v = flags.tls1_2 ? ProtocolVersion::tls12 : ProtocolVersion::tls13;
    config.min_version = v;
    config.max_version = v;
    return {};
  }
  ProtocolVersion min = config.min_version, max = config.max_version;
  if (!flags.min_protocol.empty()) {
    VOUCH_ASSIGN(min, parse_version_flag("--min-protocol", flags.min_protocol));
  }
  if (!flags.max_protocol.empty()) {
    VOUCH_ASSIGN(max, parse_version_flag("--max-protocol", flags.max_protocol));
  }
  if (static_cast<uint16_t>(min) > static_cast<uint16_t>(max)) {
    return config_error("--min-protocol " + to_string(min) +
                                           " is above --max-protocol " + to_string(max));
  }
  config.min_version = min;
  config.max_version = max;
  return {};
}

}  // namespace

Status apply_tls_flags(const TlsFlags& flags, CommonConfig& config) {
  VOUCH_TRY(apply_versions(flags, config));
  if (!flags.ciphersuites.empty()) {
    VOUCH_ASSIGN(config.cipher_suites, parse_suites(flags.ciphersuites, ProtocolVersion::tls13));
  }
  if (!flags.cipher.empty()) {
    VOUCH_ASSIGN(config.cipher_suites12, parse_suites(flags.cipher, ProtocolVersion::tls12));
  }
  if (flags.no_ems_required) config.require_extended_master_secret = false;
  if (!flags.groups.empty()) {
    VOUCH_ASSIGN(config.groups, parse_groups(flags.groups));
  }
  if (!flags.alpn.empty()) {
    std::vector<std::string> protocols = split(flags.alpn, ',');
    for (const std::string& p : protocols) {
      // RFC 7301 §3.1: "Empty strings MUST NOT be included and byte strings
      // MUST NOT be truncated"; each name has a one-byte length.
      if (p.empty() || p.size() > 255) {
        return config_error("bad ALPN protocol name '" + p + "' (1-255 bytes)");
      }
    }
    config.alpn = std::move(protocols);
  }
  return {};
}

Result<Renegotiation> parse_renegotiation(std::string_view name) {
  if (name == "never") return Renegotiation::never;
  if (name == "once") return Renegotiation::once;
  return config_error("--renegotiation: expected never or once, not '" + std::string(name) + "'");
}

Result<HostPort> parse_host_port(std::string_view text, bool allow_port_zero) {
  HostPort hp;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return config_error("expected [ADDRESS]:PORT, got '" + std::string(text) + "'");
    }
    hp.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return config_error("expected HOST:PORT, got '" + std::string(text) + "'");
    }
    hp.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (hp.host.empty()) {
    return config_error("missing host in '" + std::string(text) + "'");
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535 || (port == 0 && !allow_port_zero)) {
    return config_error("bad port '" + std::string(port_text) + "'");
  }
  hp.port = static_cast<uint16_t>(port);
  return hp;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

Result<std::string> unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return config_error("trailing backslash");
    switch (text[i]) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case '\\': out += '\\'; break;
      default:
        return config_error(std::string("unknown escape '\\") + text[i] + "'");
    }
  }
  return out;
}

}  // namespace vouch::cli
