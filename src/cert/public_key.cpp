#include "cert/public_key.h"

#include <openssl/x509v3.h>

#include "cert/cert_cache.h"
#include "cert/verify_chain.h"
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

Status check_leaf_allows_signing(ByteView leaf_der, const std::string& who) {
  // Through the shared cache: the chain verification that follows parses
  // the same leaf there, so this costs one lookup instead of a second full
  // decode (public key included) per handshake.
  auto parsed = CertCache::shared().parse(leaf_der);
  if (!parsed) return {};  // the verification reports what cannot be parsed
  X509* x = (*parsed)->cert.get();
  // X509_get_key_usage reports every bit set when the extension is absent
  // (RFC 5280 §4.2.1.3: no restriction then).
  if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) == 0)
    return fail(Alert::unsupported_certificate,
                who + ": keyUsage does not allow digitalSignature, which signing the handshake needs "
                      "(RFC 8446 §4.4.2.2, RFC 5246 §7.4.2)");
  return {};
}

namespace {

// A peer's certificate for reading its names: through the shared cache,
// which verifying the chain filled (a hash and a lookup instead of a second
// d2i_X509, slow in libcrypto 3.0), unless the process turned caching off.
X509* cached_x509(ByteView der, CertificateHandle& holder) {
  auto parsed = verify_caching_enabled() ? CertCache::shared().parse(der) : parse_certificate(der);
  if (!parsed) return nullptr;
  holder = std::move(parsed).value();
  return holder->cert.get();
}

}  // namespace

std::string subject_of(ByteView der) {
  CertificateHandle holder;
  X509* x = cached_x509(der, holder);
  if (x == nullptr) return "";
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(x), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string issuer_of(ByteView der) {
  CertificateHandle holder;
  X509* x = cached_x509(der, holder);
  return x != nullptr ? name_line(X509_get_issuer_name(x)) : std::string();
}

bool leaf_matches_host(const Credential& credential, const std::string& host) {
  return X509_check_host(credential.leaf(), host.data(), host.size(), 0, nullptr) == 1;
}

bool is_issued_by(X509* cert, X509* issuer) {
  return cert != nullptr && issuer != nullptr && X509_check_issued(issuer, cert) == X509_V_OK;
}

bool same_certificate(const X509* a, const X509* b) { return a != nullptr && b != nullptr && X509_cmp(a, b) == 0; }

}  // namespace vouch
