#include "summary.h"

#include "cert/public_key.h"

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
  // The server's staples (RFC 8446 §4.4.2.1; TLS 1.2: RFC 6066 §8 and RFC
  // 6961 §2.2) as the client verified them: the leaf's on the "ocsp:" line,
  // always; then one "ocsp[N]:" line per chain certificate N ≥ 1 for which
  // a staple came.
  if (conn.is_client()) {
    const PeerOcsp& o = conn.peer_ocsp();
    s += "ocsp: " + o.summary() + "\n";
    for (const StapleReport& r : o.staples)
      if (r.position > 0 && r.present)
        s += "ocsp[" + std::to_string(r.position) + "]: " + o.summary_at(r.position) + "\n";
  }
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
  s += client_certificate_lines(conn);
  return s;
}

namespace {

struct ClientNames {
  std::string subject;  // "" = no client certificate
  std::string issuer;
};

// The verified chain's leaf names.
ClientNames client_names(const Connection& conn) {
  const std::vector<Bytes>& chain = conn.verified_peer_chain();
  if (chain.empty()) return {};
  // The library verified this very DER; an empty name here would be a bug,
  // shown rather than hidden.
  std::string subject = subject_of(chain.front());
  if (subject.empty()) return {"<unparsable>", "?"};
  return {std::move(subject), issuer_of(chain.front())};
}

// " client=<subject> client-issuer=<issuer>" or " client=none" for the log line.
std::string client_log_fields(const Connection& conn) {
  const ClientNames n = client_names(conn);
  if (n.subject.empty()) return " client=none";
  return " client=" + n.subject + " client-issuer=" + n.issuer;
}

}  // namespace

std::string client_certificate_lines(const Connection& conn) {
  const ClientNames n = client_names(conn);
  if (n.subject.empty()) return "client: none\n";
  return "client: " + n.subject + "\nclient-issuer: " + n.issuer + "\n";
}

std::string selection_lines(const std::vector<SelectionNote>& notes, const std::string& prefix) {
  std::string s;
  bool any_chosen = false;
  for (const SelectionNote& n : notes) {
    s += prefix + "client-cert: " + (n.chosen ? "chose " : "skipped ") + n.subject + ": " +
         n.reason + "\n";
    any_chosen = any_chosen || n.chosen;
  }
  // RFC 8446 §4.4.2: without a fitting credential the client still answers,
  // with an empty Certificate; say so rather than leave it implied.
  if (!any_chosen) s += prefix + "client-cert: sending no certificate\n";
  return s;
}

std::string server_log_line(const Connection& conn) {
  const ConnectionInfo& i = conn.info();
  return to_string(i.version) + " " + to_string(i.cipher_suite) + " " + group_name(i.group) +
         " alpn=" + or_none(i.alpn) + " sni=" + or_none(i.server_name) +
         " resumed=" + (i.resumed ? "yes" : "no") + " hrr=" + (i.hello_retry_request ? "yes" : "no") +
         " peer=" + or_none(conn.peer_subject()) + client_log_fields(conn);
}

}  // namespace vouch::cli
