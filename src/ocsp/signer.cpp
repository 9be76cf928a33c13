#include "ocsp/signer.h"

#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "base/hex.h"
#include "ocsp/util.h"
#include "cert/x509_name.h"
#include "crypto/ossl.h"

namespace vouch {
namespace {

// Whether the ResponderID designates `cert`: byName is its subject, byKey the
// SHA-1 of its subjectPublicKey BIT STRING's value (RFC 6960 §4.2.1 KeyHash).
bool responder_id_is(const OCSP_BASICRESP* bs, const X509* cert) {
  const ASN1_OCTET_STRING* key = nullptr;
  const X509_NAME* name = nullptr;
  if (OCSP_resp_get0_id(bs, &key, &name) != 1) return false;
  if (name != nullptr) return X509_NAME_cmp(name, X509_get_subject_name(cert)) == 0;
  if (key == nullptr) return false;
  unsigned char md[SHA_DIGEST_LENGTH];
  unsigned int len = 0;
  if (X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1) return false;
  return ASN1_STRING_length(key) == static_cast<int>(len) &&
         std::memcmp(ASN1_STRING_get0_data(key), md, len) == 0;
}

bool has_ocsp_signing_eku(X509* cert) {
  // X509_get_extended_key_usage reports "everything" when the extension is
  // absent, so its presence is checked first.
  return (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) != 0 &&
         (X509_get_extended_key_usage(cert) & XKU_OCSP_SIGN) != 0;
}

// RFC 6960 §4.2.2.2: the signer must be the issuer, or a certificate issued
// directly by the issuer carrying id-kp-OCSPSigning. Finds the signer among
// the response's certificates and `extra`, and checks that. On success
// *signer is borrowed from `bs` or `extra`.
Status find_authorized_delegate(OCSP_BASICRESP* bs, X509* issuer, STACK_OF(X509) * extra, X509** signer) {
  if (OCSP_resp_get0_signer(bs, signer, extra) != 1 || *signer == nullptr) {
    return ocsp_fail(
        "OCSP response signer certificate not found (responder " + ocsp_responder_text(bs) +
        " is not the issuer, and no certificate in the response or among the extra ones matches)");
  }
  if (X509_NAME_cmp(X509_get_subject_name(*signer), X509_get_subject_name(issuer)) == 0) {
    return ocsp_fail("OCSP responder certificate bears the name of the issuer " + quoted_subject(issuer) +
                     " but is not the issuer's certificate");
  }
  if (X509_check_issued(issuer, *signer) != X509_V_OK) {
    return ocsp_fail("OCSP responder " + quoted_subject(*signer) + " is not issued by " +
                     quoted_subject(issuer) + ", the certificate's issuer (RFC 6960 §4.2.2.2)");
  }
  if (!has_ocsp_signing_eku(*signer)) {
    return ocsp_fail("delegated OCSP responder " + quoted_subject(*signer) +
                     " lacks id-kp-OCSPSigning in its extendedKeyUsage (RFC 6960 §4.2.2.2)");
  }
  return {};
}

// Checks the response's signature with OCSP_basic_verify against a store whose
// only anchor is the issuer, at the verification time.
Status check_signature(OCSP_BASICRESP* bs, X509* issuer, X509* signer, bool by_issuer, SysTime now) {
  ossl::X509Store store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), issuer) != 1)
    return ocsp_fail_ossl("OCSP: cannot build trust store");
  X509_VERIFY_PARAM* vp = X509_STORE_get0_param(store.get());
  // The issuer is usually an intermediate: a chain ending at it is complete.
  X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
  // Only the responder and the issuer: "issued directly by the CA".
  X509_VERIFY_PARAM_set_depth(vp, 0);
  X509_VERIFY_PARAM_set_time(vp, std::chrono::system_clock::to_time_t(now));

  ossl::X509Stack certs(sk_X509_new_null());
  if (!certs || sk_X509_push(certs.get(), signer) <= 0) return ocsp_fail_ossl("OCSP: out of memory");
  X509_up_ref(signer);

  // The signer is looked up in `certs` alone (NOINTERN). Signed by the issuer:
  // the issuer is trusted as such (TRUSTOTHER), only the signature is checked.
  // Signed by a delegate: the delegate's certificate is verified up to the
  // issuer without borrowing intermediates from the response (NOCHAIN), and
  // libcrypto re-checks the issuer match and id-kp-OCSPSigning; trust settings
  // of the anchor are never a way in (NOEXPLICIT).
  unsigned long flags = OCSP_NOINTERN | OCSP_NOEXPLICIT;
  flags |= by_issuer ? OCSP_TRUSTOTHER : (OCSP_NOCHAIN | OCSP_PARTIAL_CHAIN);
  if (OCSP_basic_verify(bs, certs.get(), store.get(), flags) <= 0) {
    return ocsp_fail_ossl(by_issuer ? "OCSP response signature by the issuer does not verify"
                                    : "OCSP response by delegated responder " + quoted_subject(signer) +
                                          " does not verify");
  }
  return {};
}

}  // namespace

std::string ocsp_responder_text(const OCSP_BASICRESP* bs) {
  const ASN1_OCTET_STRING* key = nullptr;
  const X509_NAME* name = nullptr;
  if (OCSP_resp_get0_id(bs, &key, &name) != 1) return "";
  if (name != nullptr) return name_line(name);
  if (key != nullptr)
    return "key:" + to_hex(ByteView(ASN1_STRING_get0_data(key), static_cast<size_t>(ASN1_STRING_length(key))));
  return "";
}

Result<bool> verify_ocsp_signer(OCSP_BASICRESP* bs, X509* issuer, const std::vector<X509*>& extra_certs,
                                SysTime now) {
  const bool by_issuer = responder_id_is(bs, issuer);
  X509* signer = issuer;
  ossl::X509Stack extra(sk_X509_new_null());
  if (!extra) return ocsp_fail_ossl("OCSP: out of memory");
  for (X509* x : extra_certs) {
    if (x == nullptr) continue;
    if (sk_X509_push(extra.get(), x) <= 0) return ocsp_fail_ossl("OCSP: out of memory");
    X509_up_ref(x);
  }
  // `signer` is borrowed from `bs` or `extra`, both alive until we return.
  if (!by_issuer) VOUCH_TRY(find_authorized_delegate(bs, issuer, extra.get(), &signer));
  VOUCH_TRY(check_signature(bs, issuer, signer, by_issuer, now));
  return !by_issuer;
}

}  // namespace vouch
