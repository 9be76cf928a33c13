// Building an OCSPRequest (RFC 6960 §4.1.1) with libcrypto.
#include <openssl/ocsp.h>

#include "ocsp/ocsp.h"
#include "crypto/random.h"

namespace vouch {

Result<Bytes> make_ocsp_request(X509* cert, X509* issuer, bool with_nonce, Bytes* nonce_out) {
  if (cert == nullptr || issuer == nullptr)
    return fail(Alert::internal_error, "OCSP request: certificate and issuer are required");

  // CertID over SHA-1: RFC 6960 §4.1.1 lets the client pick the hash, but
  // the lightweight profile every public responder implements (RFC 5019
  // §2.1.1) only promises SHA-1. It identifies, it does not protect.
  ossl::OcspCertId id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
  if (!id) return fail(Alert::internal_error, "OCSP request: CertID: " + ossl::last_error());

  ossl::OcspRequest req(OCSP_REQUEST_new());
  if (!req) return fail(Alert::internal_error, "OCSP request: " + ossl::last_error());
  // add0 takes ownership of the id only on success.
  if (OCSP_request_add0_id(req.get(), id.get()) == nullptr)
    return fail(Alert::internal_error, "OCSP request: adding CertID: " + ossl::last_error());
  (void)id.release();

  if (with_nonce) {
    // RFC 6960 §4.4.1 nonce, 32 octets (RFC 8954 §2.1); libcrypto wraps it in
    // the OCTET STRING RFC 6066 §8 clarifies.
    Bytes nonce(kOcspNonceBytes);
    VOUCH_TRY(random_bytes(nonce));
    if (OCSP_request_add1_nonce(req.get(), nonce.data(), static_cast<int>(nonce.size())) != 1)
      return fail(Alert::internal_error, "OCSP request: nonce: " + ossl::last_error());
    if (nonce_out != nullptr) *nonce_out = std::move(nonce);
  } else if (nonce_out != nullptr) {
    nonce_out->clear();
  }

  const int len = i2d_OCSP_REQUEST(req.get(), nullptr);
  if (len <= 0) return fail(Alert::internal_error, "OCSP request: encoding: " + ossl::last_error());
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_OCSP_REQUEST(req.get(), &p) != len)
    return fail(Alert::internal_error, "OCSP request: encoding: " + ossl::last_error());
  return der;
}

}  // namespace vouch
