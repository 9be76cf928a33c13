#include "cert/public_key.h"

#include <openssl/x509v3.h>

#include "cert/x509_name.h"

namespace vouch {

Result<ossl::X509Ptr> parse_certificate_der(ByteView der) {
  const unsigned char* p = der.data();
  ossl::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x || p != der.data() + der.size())
    return fail(Alert::decode_error, "certificate cannot be parsed as DER X.509");
  return x;
}

Result<ossl::EvpPkey> public_key_of(ByteView der) {
  VOUCH_ASSIGN(auto x, parse_certificate_der(der));
  EVP_PKEY* k = X509_get0_pubkey(x.get());
  if (!k) return fail(Alert::unsupported_certificate, "certificate public key not supported");
  return ossl::up_ref(k);
}

std::string subject_of(ByteView der) {
  auto x = parse_certificate_der(der);
  if (!x) return "";
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(x->get()), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string issuer_of(ByteView der) {
  auto x = parse_certificate_der(der);
  return x ? name_line(X509_get_issuer_name(x->get())) : std::string();
}

bool leaf_matches_host(const Credential& credential, const std::string& host) {
  return X509_check_host(credential.leaf(), host.data(), host.size(), 0, nullptr) == 1;
}

bool is_issued_by(X509* cert, X509* issuer) {
  return cert != nullptr && issuer != nullptr && X509_check_issued(issuer, cert) == X509_V_OK;
}

bool same_certificate(const X509* a, const X509* b) { return a != nullptr && b != nullptr && X509_cmp(a, b) == 0; }

}  // namespace vouch
