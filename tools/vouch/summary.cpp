#include "summary.h"

namespace vouch::cli {
namespace {

std::string or_none(const std::string& s) { return s.empty() ? "none" : s; }

// A resumption without (EC)DHE negotiates no group (RFC 8446 §2.2, psk_ke).
std::string group_name(NamedGroup g) { return g == NamedGroup{} ? "none" : to_string(g); }

}  // namespace

std::string handshake_summary(const Connection& conn) {
  const ConnectionInfo& i = conn.info();
  std::string s;
  s += "protocol: " + to_string(i.version) + "\n";
  s += "cipher: " + to_string(i.cipher_suite) + "\n";
  s += "group: " + group_name(i.group) + "\n";
  s += "alpn: " + or_none(i.alpn) + "\n";
  s += std::string("resumed: ") + (i.resumed ? "yes" : "no") + "\n";
  s += "peer: " + or_none(conn.peer_subject()) + "\n";
  return s;
}

std::string server_page(const Connection& conn) {
  const ConnectionInfo& i = conn.info();
  std::string s = "vouch test server\n";
  s += "protocol: " + to_string(i.version) + "\n";
  s += "cipher: " + to_string(i.cipher_suite) + "\n";
  s += "group: " + group_name(i.group) + "\n";
  s += "alpn: " + or_none(i.alpn) + "\n";
  s += "sni: " + or_none(i.server_name) + "\n";
  s += std::string("resumed: ") + (i.resumed ? "yes" : "no") + "\n";
  s += std::string("hello_retry_request: ") + (i.hello_retry_request ? "yes" : "no") + "\n";
  s += "peer: " + or_none(conn.peer_subject()) + "\n";
  return s;
}

std::string server_log_line(const Connection& conn) {
  const ConnectionInfo& i = conn.info();
  return to_string(i.version) + " " + to_string(i.cipher_suite) + " " + group_name(i.group) +
         " alpn=" + or_none(i.alpn) + " sni=" + or_none(i.server_name) +
         " resumed=" + (i.resumed ? "yes" : "no") + " hrr=" + (i.hello_retry_request ? "yes" : "no") +
         " peer=" + or_none(conn.peer_subject());
}

}  // namespace vouch::cli
