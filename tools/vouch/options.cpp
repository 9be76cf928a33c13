#include "options.h"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <charconv>

namespace vouch::cli {

void add_tls_flags(CLI::App& cmd, TlsFlags& flags) {
  cmd.add_option("--ciphersuites", flags.ciphersuites,
                 "TLS 1.3 cipher suites in preference order, IANA names separated by ':'");
  cmd.add_option("--groups", flags.groups,
                 "key exchange groups in preference order, separated by ':' (x25519:secp256r1)");
  cmd.add_option("--alpn", flags.alpn, "ALPN protocols in preference order, separated by ','");
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
      return fail(Alert::internal_error, "unknown group '" + name + "'");
    }
    groups.push_back(g);
  }
  return groups;
}

Status apply_tls_flags(const TlsFlags& flags, CommonConfig& config) {
  if (!flags.ciphersuites.empty()) {
    std::vector<CipherSuite> suites;
    for (const std::string& name : split(flags.ciphersuites, ':')) {
      CipherSuite s;
      if (!parse_cipher_suite(name, s)) {
        return fail(Alert::internal_error, "unknown cipher suite '" + name + "'");
      }
      suites.push_back(s);
    }
    config.cipher_suites = std::move(suites);
  }
  if (!flags.groups.empty()) {
    VOUCH_ASSIGN(config.groups, parse_groups(flags.groups));
  }
  if (!flags.alpn.empty()) {
    std::vector<std::string> protocols = split(flags.alpn, ',');
    for (const std::string& p : protocols) {
      // RFC 7301 §3.1: "Empty strings MUST NOT be included and byte strings
      // MUST NOT be truncated"; each name has a one-byte length.
      if (p.empty() || p.size() > 255) {
        return fail(Alert::internal_error, "bad ALPN protocol name '" + p + "' (1-255 bytes)");
      }
    }
    config.alpn = std::move(protocols);
  }
  return {};
}

Result<HostPort> parse_host_port(std::string_view text, bool allow_port_zero) {
  HostPort hp;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail(Alert::internal_error, "expected [ADDRESS]:PORT, got '" + std::string(text) + "'");
    }
    hp.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return fail(Alert::internal_error, "expected HOST:PORT, got '" + std::string(text) + "'");
    }
    hp.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (hp.host.empty()) {
    return fail(Alert::internal_error, "missing host in '" + std::string(text) + "'");
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535 || (port == 0 && !allow_port_zero)) {
    return fail(Alert::internal_error, "bad port '" + std::string(port_text) + "'");
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
    if (++i == text.size()) return fail(Alert::internal_error, "trailing backslash");
    switch (text[i]) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case '\\': out += '\\'; break;
      default:
        return fail(Alert::internal_error, std::string("unknown escape '\\") + text[i] + "'");
    }
  }
  return out;
}

}  // namespace vouch::cli
