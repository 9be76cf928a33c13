#include "stapler/managed_credential.h"

#include <openssl/x509v3.h>

#include "ocsp/ocsp.h"
#include "cert/public_key.h"
#include "cert/x509_name.h"
#include "stapler/staple_check.h"

namespace vouch {
namespace {

// A certificate that issued itself: a root, whose status nobody staples.
bool self_issued(X509* cert) { return is_issued_by(cert, cert); }

struct StapledPosition {
  size_t position = 0;
  X509* issuer = nullptr;  // what its responses are verified against (RFC 6960 §4.2.2.2)
};

// The positions that get a staple and their issuers: the leaf always (its
// issuer follows it: checked by the caller); intermediates on request when
// they name a responder and their issuer follows them in the chain or — for
// the last certificate of the chain, whose issuer (the root) servers do not
// send — is one of `extra_issuers` (StaplerOptions::issuers).
std::vector<StapledPosition> stapled_positions(const std::vector<X509*>& chain, bool intermediates,
                                               const std::vector<ossl::X509Ptr>& extra_issuers) {
  std::vector<StapledPosition> out{{0, chain[1]}};
  if (!intermediates) return out;
  for (size_t i = 1; i < chain.size(); ++i) {
    if (self_issued(chain[i]) || !ocsp_responder_url(chain[i])) continue;
    X509* issuer = nullptr;
    if (i + 1 < chain.size()) {
      if (is_issued_by(chain[i], chain[i + 1])) issuer = chain[i + 1];
    } else {
      for (const ossl::X509Ptr& extra : extra_issuers)
        if (is_issued_by(chain[i], extra.get())) issuer = extra.get();
    }
    if (issuer != nullptr) out.push_back({i, issuer});
  }
  return out;
}

// Serves a response attached to the credential, if it verifies; the verdict.
StapleVerdict adopt_attached(ManagedCert& mc, ByteView der, const ManageContext& ctx, std::vector<StaplerEvent>& events) {
  StapleCheck c = check_staple(der, mc.cert.get(), mc.issuer.get(), ctx.now, ctx.options.skew);
  switch (c.verdict) {
    case StapleVerdict::good:
      mc.slot.adopt(ServedStaple{Bytes(der.begin(), der.end()), c.status});
      break;
    case StapleVerdict::revoked:
      mc.slot.note_status(c.status);
      events.push_back(mc.slot.event(StaplerEventKind::revoked, "attached OCSP staple: " + c.reason));
      break;
    case StapleVerdict::rejected:
      events.push_back(mc.slot.event(StaplerEventKind::failed, "attached OCSP staple refused: " + c.reason));
      break;
  }
  return c.verdict;
}

// Serves the cached response, if there is one and it verifies now.
void adopt_cached(ManagedCert& mc, const ManageContext& ctx, std::vector<StaplerEvent>& events) {
  auto read = ctx.cache.read(mc.cache_name);
  if (!read) {
    events.push_back(mc.slot.event(StaplerEventKind::cache_ignored, read.error().reason));
    return;
  }
  if (!read->has_value()) return;
  const Bytes& der = **read;
  const std::string file = ctx.cache.file_for(mc.cache_name).string();
  StapleCheck c = check_staple(der, mc.cert.get(), mc.issuer.get(), ctx.now, ctx.options.skew);
  switch (c.verdict) {
    case StapleVerdict::good:
      if (mc.slot.adopt(ServedStaple{der, c.status}))
        events.push_back(mc.slot.event(StaplerEventKind::loaded, describe(c.status) + " (from " + file + ")"));
      break;
    case StapleVerdict::revoked:
      // Only good responses are written; a revoked one was put there by
      // someone else. Not served either way.
      events.push_back(mc.slot.event(StaplerEventKind::cache_ignored, file + ": not good: " + c.reason));
      break;
    case StapleVerdict::rejected:
      events.push_back(mc.slot.event(StaplerEventKind::cache_ignored, file + ": " + c.reason));
      break;
  }
}

}  // namespace

Credential ManagedCredential::stapled(std::vector<std::string>& errors) const {
  std::vector<Bytes> staples;
  for (const ManagedCert& mc : certs) {
    if (!mc.slot.served()) continue;
    const size_t pos = mc.slot.identity().position;
    if (staples.size() <= pos) staples.resize(pos + 1);
    staples[pos] = mc.slot.served()->der;
  }
  auto with = base.with_ocsp_staples(std::move(staples));
  if (with) return std::move(*with);
  errors.push_back(with.error().reason);
  auto bare = base.with_ocsp_staples({});
  return bare ? std::move(*bare) : base;
}

Result<ManagedCredential> manage_credential(const Credential& credential, size_t slot, const ManageContext& ctx,
                                            std::vector<StaplerEvent>& events) {
  const std::vector<X509*>& chain = credential.chain();
  // The issuer is the only trust anchor of a response (RFC 6960 §4.2.2.2),
  // so without it nothing could ever be verified.
  if (chain.size() < 2 || !is_issued_by(chain[0], chain[1])) {
    return config_error("Stapler: the chain of " + credential.subject() +
                        " does not hold the leaf's issuer after the leaf (it is needed to "
                                           "verify OCSP responses)");
  }
  std::vector<ossl::X509Ptr> extra_issuers;
  for (size_t i = 0; i < ctx.options.issuers.size(); ++i) {
    auto parsed = parse_certificate_der(ctx.options.issuers[i]);
    if (!parsed)
      return config_error(
                  "Stapler: StaplerOptions::issuers[" + std::to_string(i) + "] is not a DER certificate");
    extra_issuers.push_back(std::move(*parsed));
  }
  ManagedCredential out{credential, {}};
  const std::vector<Bytes>& attached = credential.ocsp_staples();
  for (const StapledPosition& sp : stapled_positions(chain, ctx.options.staple_intermediates, extra_issuers)) {
    const size_t pos = sp.position;
    StapleSlot::Identity id;
    id.subject = subject_line(chain[pos]);
    id.position = pos;
    id.slot = slot;
    id.must_staple = pos == 0 && has_must_staple(chain[pos]);
    if (ctx.options.responder_url && !ctx.options.responder_url->empty())
      id.responder_url = *ctx.options.responder_url;
    else
      id.responder_url = ocsp_responder_url(chain[pos]).value_or("");
    VOUCH_ASSIGN(std::string name, staple_cache_name(credential.chain_der()[pos]));
    ManagedCert mc{ctx.next_id(), ossl::up_ref(chain[pos]), ossl::up_ref(sp.issuer), std::move(name),
                   StapleSlot(std::move(id))};

    bool revoked_attached = false;
    if (pos < attached.size() && !attached[pos].empty())
      revoked_attached = adopt_attached(mc, attached[pos], ctx, events) == StapleVerdict::revoked;
    // An attached "revoked" outranks whatever good answer the cache holds.
    if (!revoked_attached) adopt_cached(mc, ctx, events);

    mc.slot.schedule_first(ctx.now, ctx.options.refresh_fraction);
    if (!mc.slot.has_url()) {
      std::string why = "no OCSP responder URL in the certificate's authorityInfoAccess and no "
                        "StaplerOptions::responder_url: never fetched";
      mc.slot.note_error(why);
      events.push_back(mc.slot.event(StaplerEventKind::failed, std::move(why)));
    }
    out.certs.push_back(std::move(mc));
  }
  return out;
}

}  // namespace vouch
