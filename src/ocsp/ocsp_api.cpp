// The public OCSP calls of vouch/ocsp.h (fetch_ocsp_response,
// verify_ocsp_response) over the protocol code: make_ocsp_request and
// verify_ocsp_response (ocsp/ocsp.h), fetch_ocsp (ocsp/fetch.h). What
// is added here is the caller's side: argument checks reported as
// configuration errors, the responder URL from the certificate, and the
// chain verification of the TrustStore overload.
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <string>
#include <vector>

#include "ocsp/ocsp.h"
#include "ocsp/fetch.h"
#include "cert/public_key.h"
#include "cert/x509_name.h"
#include "crypto/ossl.h"
#include "vouch/credential.h"
#include "vouch/ocsp.h"

namespace vouch {
namespace {

// The alert a TLS peer would send for a chain libcrypto refused (RFC 8446
// §6.2), as the handshake's chain verification chooses it.
Alert chain_alert(int err) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return Alert::certificate_expired;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: return Alert::unknown_ca;
    case X509_V_ERR_CERT_REVOKED: return Alert::certificate_revoked;
    default: return Alert::bad_certificate;
  }
}

}  // namespace

Result<OcspFetchResult> fetch_ocsp_response(X509* cert, X509* issuer, const OcspFetchOptions& options) {
  if (cert == nullptr || issuer == nullptr) {
    return config_error("fetch_ocsp_response: the certificate and its issuer are required");
  }
  OcspFetchResult out;
  out.url = options.url;
  if (out.url.empty()) {
    std::optional<std::string> aia = ocsp_responder_url(cert);
    if (!aia) {
      return config_error("fetch_ocsp_response: " + subject_line(cert) +
                          " names no OCSP responder (authorityInfoAccess) and no URL was given");
    }
    out.url = *aia;
  }
  Bytes nonce;
  VOUCH_ASSIGN(Bytes request, make_ocsp_request(cert, issuer, options.nonce, options.nonce ? &nonce : nullptr));
  VOUCH_ASSIGN(out.response, fetch_ocsp(out.url, request, options.timeout, kMaxOcspResponseBytes, options.proxy));
  if (options.nonce) out.nonce = std::move(nonce);
  return out;
}

Result<OcspStatus> verify_ocsp_response(ByteView der, X509* cert, X509* issuer, const OcspVerifyOptions& options) {
  if (cert == nullptr || issuer == nullptr) {
    return config_error("verify_ocsp_response: the certificate and its issuer are required");
  }
  if (options.expected_nonce && options.expected_nonce->empty()) {
    return config_error("verify_ocsp_response: the expected nonce is empty");
  }
  return verify_ocsp_response(der, cert, issuer, std::vector<X509*>{}, options);
}

Result<OcspStatus> verify_ocsp_response(ByteView der, const std::vector<Bytes>& chain, const TrustStore& trust,
                                        const OcspVerifyOptions& options) {
  if (chain.empty()) return config_error("verify_ocsp_response: the chain is empty");
  std::vector<ossl::X509Ptr> certs;
  for (size_t i = 0; i < chain.size(); ++i) {
    Result<ossl::X509Ptr> c = parse_certificate_der(chain[i]);
    if (!c) return fail(Alert::decode_error, "chain certificate " + std::to_string(i) + ": " + c.error().reason);
    certs.push_back(std::move(c).value());
  }
  ossl::ClearErrorsOnExit clear_errors;
  ossl::X509Stack untrusted(sk_X509_new_null());
  if (!untrusted) return fail(Alert::internal_error, "out of memory");
  for (size_t i = 1; i < certs.size(); ++i) {
    if (sk_X509_push(untrusted.get(), ossl::up_ref(certs[i].get()).release()) <= 0) {
      return fail(Alert::internal_error, "out of memory");
    }
  }
  ossl::Ptr<X509_STORE_CTX, X509_STORE_CTX_free> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), trust.native(), certs[0].get(), untrusted.get()) != 1) {
    return fail(Alert::internal_error, "cannot set up the chain verification: " + ossl::last_error());
  }
  if (options.now) {
    X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(*options.now));
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    return fail(chain_alert(err), "chain verification failed at depth " + std::to_string(depth) + ": " +
                                      X509_verify_cert_error_string(err));
  }
  STACK_OF(X509)* path = X509_STORE_CTX_get0_chain(ctx.get());
  // The leaf is its own anchor only when it is itself in the store: nothing
  // issued it that could have signed a response.
  if (path == nullptr || sk_X509_num(path) < 2) {
    return fail(Alert::bad_certificate, "the leaf is a trust anchor itself: no issuer to verify a response against");
  }
  return verify_ocsp_response(der, certs[0].get(), sk_X509_value(path, 1), options);
}

}  // namespace vouch
