#include "cert/x509_name.h"

#include <openssl/bio.h>

#include "crypto/ossl.h"

namespace vouch {

std::string name_line(const X509_NAME* name) {
  if (name == nullptr) return {};
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // XN_FLAG_RFC2253: reversed RDN order, ',' separators and RFC 2253 escaping,
  // the form OpenSSL's own tools print with -nameopt RFC2253.
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(len));
}

std::string subject_line(const X509* cert) {
  if (cert == nullptr) return {};
  return name_line(X509_get_subject_name(cert));
}

Bytes name_der(const X509_NAME* name) {
  if (name == nullptr) return {};
  const int len = i2d_X509_NAME(name, nullptr);
  if (len <= 0) return {};
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d_X509_NAME(name, &p) != len) return {};
  return out;
}

}  // namespace vouch
