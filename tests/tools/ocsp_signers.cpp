#include "tools/ocsp_signers.h"

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace vouch::testing {
namespace {

using BigNum = ossl::Ptr<BIGNUM, BN_free>;

Error mint_error(const std::string& what) {
  return fail(Alert::internal_error,
              "minting OCSP responder certificate: " + what + ": " + ossl::last_error());
}

bool add_ext(X509* subject, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const int ok = X509_add_ext(subject, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1;
}

}  // namespace

Result<MintedCert> mint_responder_cert(X509* issuer, EVP_PKEY* issuer_key, const MintOptions& opts) {
  if ((issuer == nullptr) != (issuer_key == nullptr)) return mint_error("issuer and key go together");
  MintedCert out;
  out.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!out.key) return mint_error("key generation");
  out.cert.reset(X509_new());
  X509* x = out.cert.get();
  if (!x || X509_set_version(x, X509_VERSION_3) != 1) return mint_error("X509_new");

  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return mint_error("serial");
  raw[0] = static_cast<unsigned char>((raw[0] & 0x7f) | 0x40);  // positive, full length
  BigNum bn(BN_bin2bn(raw, sizeof raw, nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr) return mint_error("serial");

  if (X509_gmtime_adj(X509_getm_notBefore(x), static_cast<long>(opts.not_before_offset.count())) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x), static_cast<long>(opts.not_after_offset.count())) == nullptr) {
    return mint_error("validity");
  }
  X509_NAME* name = X509_get_subject_name(x);
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("vouch-test"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(opts.cn.c_str()), -1, -1, 0) != 1) {
    return mint_error("subject");
  }
  X509* signer_cert = issuer ? issuer : x;
  EVP_PKEY* signer_key = issuer_key ? issuer_key : out.key.get();
  if (X509_set_issuer_name(x, X509_get_subject_name(signer_cert)) != 1) return mint_error("issuer name");
  if (X509_set_pubkey(x, out.key.get()) != 1) return mint_error("public key");

  if (!add_ext(x, signer_cert, NID_basic_constraints, "critical,CA:FALSE") ||
      !add_ext(x, signer_cert, NID_key_usage, "critical,digitalSignature") ||
      !add_ext(x, signer_cert, NID_subject_key_identifier, "hash") ||
      !add_ext(x, signer_cert, NID_authority_key_identifier, "keyid:always")) {
    return mint_error("extensions");
  }
  if (opts.ocsp_signing && !add_ext(x, signer_cert, NID_ext_key_usage, "OCSPSigning"))
    return mint_error("extendedKeyUsage");
  if (opts.ocsp_nocheck && !add_ext(x, signer_cert, NID_id_pkix_OCSP_noCheck, "ignored"))
    return mint_error("ocsp-nocheck");

  const bool pure = EVP_PKEY_is_a(signer_key, "ED25519") == 1 || EVP_PKEY_is_a(signer_key, "ED448") == 1;
  if (X509_sign(x, signer_key, pure ? nullptr : EVP_sha256()) <= 0) return mint_error("signing");
  return out;
}

Result<OcspSigners> make_ocsp_signers(X509* issuer, EVP_PKEY* issuer_key, X509* delegate,
                                      EVP_PKEY* delegate_key) {
  if (issuer == nullptr || issuer_key == nullptr)
    return fail(Alert::internal_error, "OCSP responder: the issuer certificate and key are required");
  if ((delegate == nullptr) != (delegate_key == nullptr))
    return fail(Alert::internal_error, "OCSP responder: the delegate certificate and key go together");
  if (X509_check_private_key(issuer, issuer_key) != 1)
    return fail(Alert::internal_error, "OCSP responder: the issuer key does not match its certificate");
  if (delegate != nullptr && X509_check_private_key(delegate, delegate_key) != 1)
    return fail(Alert::internal_error, "OCSP responder: the delegate key does not match its certificate");

  OcspSigners s;
  s.issuer = MintedCert{ossl::up_ref(issuer), ossl::up_ref(issuer_key)};
  if (delegate != nullptr) {
    s.delegate = MintedCert{ossl::up_ref(delegate), ossl::up_ref(delegate_key)};
  } else {
    MintOptions o;
    o.cn = "vouch test OCSP delegate";
    VOUCH_ASSIGN(s.delegate, mint_responder_cert(issuer, issuer_key, o));
  }
  MintOptions no_eku;
  no_eku.cn = "vouch test OCSP delegate without OCSPSigning";
  no_eku.ocsp_signing = false;
  VOUCH_ASSIGN(s.delegate_no_eku, mint_responder_cert(issuer, issuer_key, no_eku));
  MintOptions unrelated;
  unrelated.cn = "vouch test unrelated OCSP signer";
  VOUCH_ASSIGN(s.unrelated, mint_responder_cert(nullptr, nullptr, unrelated));
  return s;
}

}  // namespace vouch::testing
