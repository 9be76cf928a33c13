// Readable lines for handshake trace events (vouch/trace.h).
#include <atomic>
#include <string>
#include <type_traits>

#include "handshake/trace_emit.h"
#include "msg/handshake_type.h"
#include "vouch/trace.h"

namespace vouch {

uint64_t next_trace_id() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}
namespace {

const char* direction(TraceDirection d) { return d == TraceDirection::sent ? "sent" : "received"; }

std::string describe(const TraceMessage& m) {
  std::string name = handshake_type_name(m.type);
  if (name == "unknown") name = "unknown(" + std::to_string(m.type) + ")";
  return std::string(direction(m.direction)) + " " + name + " (" + std::to_string(m.length) + " bytes)";
}

std::string describe(const TraceNegotiated& n) {
  std::string s = "negotiated " + to_string(n.version) + " " + to_string(n.cipher_suite);
  s += " group=" + (n.group == NamedGroup{} ? std::string("none") : to_string(n.group));
  s += " peer-sig=" +
       (n.peer_signature_scheme == SignatureScheme{} ? std::string("none") : to_string(n.peer_signature_scheme));
  s += " alpn=" + (n.alpn.empty() ? std::string("none") : n.alpn);
  if (!n.server_name.empty()) s += " sni=" + n.server_name;
  s += n.resumed ? " resumed" : " full";
  if (n.hello_retry_request) s += " hrr";
  return s;
}

std::string describe(const TraceClientCertificate& c) {
  std::string s = c.post_handshake ? "client-cert (post-handshake): " : "client-cert: ";
  s += c.sent ? "sent '" + c.subject + "'" : std::string("none sent");
  s += c.custom_selector ? " (application selector; " : " (built-in rule; ";
  s += std::to_string(c.acceptable_cas) + " acceptable CAs)";
  for (const SelectionNote& n : c.notes) {
    s += " [" + n.subject + ": " + (n.chosen ? "chosen" : n.reason) + "]";
  }
  return s;
}

std::string describe(const TraceStaple& st) {
  switch (st.decision) {
    case TraceStaple::Decision::not_requested: return "staple: not requested by the client";
    case TraceStaple::Decision::none:
      return st.source.empty() ? "staple: requested, none received"
                               : "staple: requested, nothing to staple (from " + st.source + ")";
    case TraceStaple::Decision::stapled:
      return "staple: stapled " + std::to_string(st.count) + (st.count == 1 ? " response" : " responses") +
             " (from " + st.source + ")";
    case TraceStaple::Decision::checked: return "staple: received, " + st.detail;
    case TraceStaple::Decision::not_asked: return "staple: not requested (OCSP policy ignore)";
  }
  return "staple: ?";
}

std::string describe(const TraceAlert& a) {
  return std::string(direction(a.direction)) + " alert " + alert_name(a.alert) + (a.fatal ? " (fatal)" : " (warning)");
}

}  // namespace

std::string to_string(const TraceEvent& event) {
  return std::visit([](const auto& e) { return describe(e); }, event);
}

}  // namespace vouch
