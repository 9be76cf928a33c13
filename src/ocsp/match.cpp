// Does an OCSP response speak about this certificate? (RFC 6960 §4.1.1
// CertID: hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber.)
// Used before a response is attached to a credential, so that a staple for
// another certificate is refused where it is configured, not discovered by
// every client.
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <cstring>

#include "ocsp/ocsp.h"
#include "ocsp/util.h"

namespace vouch {
namespace {

bool same_bytes(const ASN1_OCTET_STRING* s, const unsigned char* p, unsigned int n) {
  return s != nullptr && static_cast<unsigned int>(ASN1_STRING_length(s)) == n &&
         std::memcmp(ASN1_STRING_get0_data(s), p, n) == 0;
}

// One CertID against cert (+ issuer when known).
bool certid_names(OCSP_CERTID* id, X509* cert, X509* issuer) {
  ASN1_OCTET_STRING* name_hash = nullptr;
  ASN1_OBJECT* md_oid = nullptr;
  ASN1_OCTET_STRING* key_hash = nullptr;
  ASN1_INTEGER* serial = nullptr;
  if (OCSP_id_get0_info(&name_hash, &md_oid, &key_hash, &serial, id) != 1) return false;
  if (serial == nullptr || ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(cert)) != 0) return false;
  const EVP_MD* md = EVP_get_digestbyobj(md_oid);
  if (md == nullptr) return false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_NAME_digest(X509_get_issuer_name(cert), md, digest, &n) != 1 || !same_bytes(name_hash, digest, n))
    return false;
  if (issuer == nullptr) return true;
  // issuerKeyHash is the hash of the issuer's subjectPublicKey BIT STRING
  // value, which is what X509_pubkey_digest computes.
  return X509_pubkey_digest(issuer, md, digest, &n) == 1 && same_bytes(key_hash, digest, n);
}

}  // namespace

Status ocsp_response_names(ByteView der, X509* cert, X509* issuer) {
  ossl::ClearErrorsOnExit clear;
  if (cert == nullptr) return fail(Alert::internal_error, "OCSP: certificate is required");
  VOUCH_ASSIGN(ossl::OcspResponse resp, decode_ocsp_response(der));
  const int response_status = OCSP_response_status(resp.get());
  if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return ocsp_fail(std::string("OCSP response status is ") + OCSP_response_status_str(response_status) +
                     ", not successful");
  }
  ossl::OcspBasicResp bs(OCSP_response_get1_basic(resp.get()));
  if (!bs) return ocsp_fail_ossl("OCSP response is not a decodable BasicOCSPResponse");
  const int count = OCSP_resp_count(bs.get());
  for (int i = 0; i < count; ++i) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(bs.get(), i);
    if (single == nullptr) continue;
    if (certid_names(const_cast<OCSP_CERTID*>(OCSP_SINGLERESP_get0_id(single)), cert, issuer)) return {};
  }
  return ocsp_fail("OCSP response is not about " + quoted_subject(cert) + ": no CertID matches its serial" +
                   std::string(issuer ? ", issuer name and issuer key" : " and issuer name"));
}

}  // namespace vouch
