// The OCSP staple policy as a revocation provider (RFC 6066 §8, RFC 8446
// §4.4.2.1, RFC 7633 must-staple).
#include "ocsp/ocsp.h"
#include "vouch/revocation.h"

namespace vouch {
namespace {

// "leaf certificate" / "chain certificate 2": the certificate a staple is
// for, as a noun that "the leaf ..." or "the server's ..." can precede.
std::string which(const StapleReport& r) {
  return r.position == 0 ? std::string("leaf certificate") : "chain certificate " + std::to_string(r.position);
}

std::string where(const StapleReport& r) { return (r.position == 0 ? "the " : "") + which(r); }

class StapleProvider final : public RevocationProvider {
 public:
  explicit StapleProvider(OcspPolicy policy) : policy_(policy) {}

  std::string name() const override { return "ocsp-staple"; }

  Status check(const RevocationContext& ctx) const override {
    // ignore: nothing was looked at; report: looked at, judged by others.
    if (policy_ == OcspPolicy::ignore || policy_ == OcspPolicy::report) return {};
    const char* peer = ctx.peer_is_server ? "server" : "client";
    // Whatever the policy, a staple that is present is verified and acted on:
    // an invalid or revoked staple is never accepted.
    for (const StapleReport& r : ctx.ocsp.staples) {
      if (!r.present) continue;
      if (!r.status) {
        return fail(Alert::bad_certificate_status_response,
                    std::string("the ") + peer + "'s OCSP staple for " + where(r) + " is invalid: " + r.problem);
      }
      switch (r.status->status) {
        case OcspCertStatus::good: break;
        case OcspCertStatus::revoked:
          // RFC 8446 §6.2: certificate_revoked — "A certificate was revoked
          // by its signer."
          return fail(Alert::certificate_revoked,
                      std::string("the ") + peer + "'s " + which(r) + " is revoked: " + describe(*r.status));
        case OcspCertStatus::unknown:
          return fail(Alert::bad_certificate_status_response, std::string("the ") + peer +
                                                                  "'s OCSP staple for " + where(r) +
                                                                  " says unknown: " + describe(*r.status));
      }
    }
    // RFC 7633 §4.2.3.1: a client that sees the TLS feature status_request
    // in the server's certificate must reject a handshake without a valid
    // staple; vouch does the same for client certificates.
    const bool required = policy_ == OcspPolicy::require || ctx.ocsp.must_staple;
    if (!required) return {};
    const StapleReport* leaf = ctx.ocsp.leaf();
    if (leaf == nullptr || !leaf->present) {
      std::string reason = std::string("the ") + peer + " sent no OCSP staple for its certificate";
      reason += ctx.ocsp.must_staple ? ", which is must-staple (RFC 7633 TLS feature status_request)"
                                     : ", and the OCSP policy requires one";
      if (!ctx.ocsp.requested) reason += " (status was not requested)";
      return fail(Alert::bad_certificate_status_response, std::move(reason));
    }
    return {};
  }

 private:
  OcspPolicy policy_;
};

}  // namespace

std::shared_ptr<const RevocationProvider> ocsp_staple_provider(OcspPolicy policy) {
  // Three immutable instances serve every connection.
  static const auto ignore = std::make_shared<const StapleProvider>(OcspPolicy::ignore);
  static const auto report = std::make_shared<const StapleProvider>(OcspPolicy::report);
  static const auto soft = std::make_shared<const StapleProvider>(OcspPolicy::soft);
  static const auto require = std::make_shared<const StapleProvider>(OcspPolicy::require);
  switch (policy) {
    case OcspPolicy::ignore: return ignore;
    case OcspPolicy::report: return report;
    case OcspPolicy::soft: return soft;
    case OcspPolicy::require: return require;
  }
  return soft;
}

}  // namespace vouch
