#include "revocation/peer_check.h"

#include "cert/cert_cache.h"
#include "ocsp/ocsp.h"
#include "cert/verify_chain.h"
#include "cert/public_key.h"
#include "crypto/ossl.h"

namespace vouch {
namespace {

// The issuer of `cert` for OCSP purposes: its successor on the verified path
// (RFC 6960 §4.1.1 CertID names the issuer), or, without a verified path, the
// next received certificate that really issued it.
X509* issuer_for(X509* cert, size_t received_index, const PeerRevocationInput& in,
                 const std::vector<X509*>& received) {
  if (!in.path.empty()) {
    for (size_t j = 0; j + 1 < in.path.size(); ++j)
      if (same_certificate(in.path[j], cert)) return in.path[j + 1];
    return nullptr;
  }
  if (received_index + 1 < received.size() && received[received_index + 1] &&
      is_issued_by(cert, received[received_index + 1]))
    return received[received_index + 1];
  return nullptr;
}

}  // namespace

PeerOcsp verify_peer_staples(const PeerRevocationInput& in) {
  PeerOcsp report;
  report.requested = in.requested;
  if (in.received == nullptr || in.received->empty()) return report;
  const std::vector<Bytes>& der = *in.received;

  // Nothing stapled and the chain verified: the report needs no parsing
  // (the verified path holds the leaf), which is the common case for a
  // client that asks and a server that has no staple.
  bool any_staple = false;
  if (in.staples != nullptr)
    for (const auto& s : *in.staples) any_staple = any_staple || s.has_value();
  if (!any_staple && !in.path.empty()) {
    report.must_staple = has_must_staple(in.path.front());
    for (size_t i = 0; i < der.size(); ++i) {
      StapleReport r;
      r.position = i;
      report.staples.push_back(std::move(r));
    }
    return report;
  }

  // The certificates as received, parsed through the process-wide cache
  // (the chain verification just parsed the same DER): handles keep them
  // alive, `received` points into them (null where a DER does not parse).
  std::vector<CertificateHandle> handles;
  std::vector<X509*> received;
  std::vector<X509*> candidates;  // possible delegated responders (§4.2.2.2)
  for (const Bytes& d : der) {
    auto parsed = verify_caching_enabled() ? CertCache::shared().parse(d) : parse_certificate(d);
    handles.push_back(parsed ? std::move(*parsed) : nullptr);
    received.push_back(handles.back() ? handles.back()->cert.get() : nullptr);
    if (received.back()) candidates.push_back(received.back());
  }
  X509* leaf = in.path.empty() ? received.front() : in.path.front();
  report.must_staple = leaf != nullptr && has_must_staple(leaf);

  OcspVerifyOptions opts;
  opts.now = in.now;
  for (size_t i = 0; i < der.size(); ++i) {
    StapleReport r;
    r.position = i;
    const std::optional<Bytes>* staple =
        in.staples != nullptr && i < in.staples->size() ? &(*in.staples)[i] : nullptr;
    r.present = staple != nullptr && staple->has_value();
    if (r.present) r.response = **staple;
    if (r.present && in.policy != OcspPolicy::ignore) {
      X509* cert = received[i];
      X509* issuer = cert ? issuer_for(cert, i, in, received) : nullptr;
      if (cert == nullptr) {
        r.problem = "the certificate cannot be parsed";
      } else if (issuer == nullptr) {
        r.problem = "the certificate's issuer is not in the verified chain, so its staple cannot be checked";
      } else if (auto st = verify_ocsp_response_cached(**staple, cert, issuer, candidates, opts)) {
        r.status = *st;
      } else {
        r.problem = st.error().reason;
      }
    }
    report.staples.push_back(std::move(r));
  }
  return report;
}

Result<PeerOcsp> check_peer_revocation(const PeerRevocationInput& in, bool judge_staples) {
  PeerOcsp report = verify_peer_staples(in);
  std::vector<X509*> chain = in.path;
  // An unverified peer (verify_peer off): providers see the received
  // certificates instead; `holder` keeps them alive for the calls.
  std::vector<ossl::X509Ptr> holder;
  if (chain.empty() && in.received != nullptr) {
    for (const Bytes& d : *in.received) {
      auto parsed = parse_certificate_der(d);
      if (!parsed) break;
      holder.push_back(std::move(*parsed));
      chain.push_back(holder.back().get());
    }
  }
  RevocationContext ctx{in.peer_is_server, chain, report, in.now, in.certificate_requested};
  if (judge_staples) VOUCH_TRY(ocsp_staple_provider(in.policy)->check(ctx));
  if (in.providers != nullptr) {
    for (const auto& p : *in.providers) {
      if (!p) continue;
      Status st = p->check(ctx);
      if (!st) {
        Error e = st.error();
        e.reason = p->name() + ": " + e.reason;
        return e;
      }
    }
  }
  return report;
}

}  // namespace vouch
