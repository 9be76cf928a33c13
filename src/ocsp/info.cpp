// The OCSP-related extensions of a certificate: where its responder is
// (authorityInfoAccess, RFC 5280 §4.2.2.1) and whether it must be stapled
// (TLS feature, RFC 7633 §4.1).
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ocsp/ocsp.h"

namespace vouch {
namespace {

// RFC 6066 §8 / RFC 7633 §4.2.3.1: the TLS feature value for status_request.
constexpr int64_t kTlsFeatureStatusRequest = 5;

void free_string_stack(STACK_OF(OPENSSL_STRING) * s) { X509_email_free(s); }
using StringStack = ossl::Ptr<STACK_OF(OPENSSL_STRING), free_string_stack>;

void free_type_stack(STACK_OF(ASN1_TYPE) * s) { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
using TypeStack = ossl::Ptr<STACK_OF(ASN1_TYPE), free_type_stack>;

}  // namespace

std::optional<std::string> ocsp_responder_url(X509* cert) {
  if (cert == nullptr) return std::nullopt;
  StringStack urls(X509_get1_ocsp(cert));
  if (!urls || sk_OPENSSL_STRING_num(urls.get()) < 1) return std::nullopt;
  const char* first = sk_OPENSSL_STRING_value(urls.get(), 0);
  if (first == nullptr || *first == '\0') return std::nullopt;
  return std::string(first);
}

bool has_must_staple(X509* cert) {
  if (cert == nullptr) return false;
  const int idx = X509_get_ext_by_NID(cert, NID_tlsfeature, -1);
  if (idx < 0) return false;
  // RFC 7633 §4.1: Features ::= SEQUENCE OF INTEGER. A certificate with the
  // extension twice is malformed (RFC 5280 §4.2); like an undecodable value
  // it is read as must-staple (fail closed, see the header).
  if (X509_get_ext_by_NID(cert, NID_tlsfeature, idx) >= 0) return true;
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
  if (value == nullptr) return true;
  const unsigned char* p = ASN1_STRING_get0_data(value);
  const long len = ASN1_STRING_length(value);
  TypeStack features(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, len));
  if (!features || p != ASN1_STRING_get0_data(value) + len) {
    ERR_clear_error();
    return true;
  }
  bool malformed = false;
  bool status_request = false;
  for (int i = 0; i < sk_ASN1_TYPE_num(features.get()); ++i) {
    const ASN1_TYPE* t = sk_ASN1_TYPE_value(features.get(), i);
    if (ASN1_TYPE_get(t) != V_ASN1_INTEGER) {
      malformed = true;
      continue;
    }
    // A value beyond int64 is some other (unknown) feature, not status_request.
    int64_t v = 0;
    if (ASN1_INTEGER_get_int64(&v, t->value.integer) == 1 && v == kTlsFeatureStatusRequest)
      status_request = true;
  }
  ERR_clear_error();
  return status_request || malformed;
}

}  // namespace vouch
