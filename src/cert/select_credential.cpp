// The built-in client-certificate selection (RFC 8446 §4.3.2, §4.2.4,
// §4.2.5, §4.2.3): what OpenSSL's default behaviour skips — "The TLS standard
// requires that only a certificate is sent, if it matches the list of
// acceptable CAs sent by the server" (SSL_CTX_set_client_cert_cb(3), NOTES).
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "cert/x509_name.h"
#include "crypto/ossl.h"
#include "crypto/signature.h"
#include "vouch/client_auth.h"

namespace vouch {

namespace {

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool self_signed(X509* x) { return X509_check_issued(x, x) == X509_V_OK; }

// §4.2.4: the chain is acceptable if some certificate in it is issued by,
// or is, one of the named CAs.
bool chain_meets_authorities(const Credential& c, const std::vector<Bytes>& names,
                             std::string& why) {
  if (names.empty()) return true;
  for (X509* x : c.chain()) {
    if (contains(names, name_der(X509_get_issuer_name(x))) ||
        contains(names, name_der(X509_get_subject_name(x))))
      return true;
  }
  why = "no certificate in the chain is issued by a CA the server accepts";
  return false;
}

// The signature schemes that could describe how `x` was signed.
std::vector<SignatureScheme> schemes_of_certificate_signature(X509* x) {
  int md = NID_undef, pk = NID_undef;
  if (!X509_get_signature_info(x, &md, &pk, nullptr, nullptr)) return {};
  auto by_md = [&](SignatureScheme s256, SignatureScheme s384, SignatureScheme s512) {
    std::vector<SignatureScheme> v;
    if (md == NID_sha256) v.push_back(s256);
    if (md == NID_sha384) v.push_back(s384);
    if (md == NID_sha512) v.push_back(s512);
    return v;
  };
  switch (pk) {
    case EVP_PKEY_RSA:
      return by_md(SignatureScheme::rsa_pkcs1_sha256, SignatureScheme::rsa_pkcs1_sha384,
                   SignatureScheme::rsa_pkcs1_sha512);
    case EVP_PKEY_RSA_PSS: {
      auto a = by_md(SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_rsae_sha384,
                     SignatureScheme::rsa_pss_rsae_sha512);
      auto b = by_md(SignatureScheme::rsa_pss_pss_sha256, SignatureScheme::rsa_pss_pss_sha384,
                     SignatureScheme::rsa_pss_pss_sha512);
      a.insert(a.end(), b.begin(), b.end());
      return a;
    }
    case EVP_PKEY_EC:
      return by_md(SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
                   SignatureScheme::ecdsa_secp521r1_sha512);
    case EVP_PKEY_ED25519: return {SignatureScheme::ed25519};
    default: return {};
  }
}

// §4.2.3: signatures in the chain must use schemes from
// signature_algorithms_cert; a self-signed anchor's own signature is exempt.
bool chain_meets_cert_schemes(const Credential& c, const std::vector<SignatureScheme>& accepted,
                              std::string& why) {
  if (accepted.empty()) return true;
  for (X509* x : c.chain()) {
    if (self_signed(x)) continue;
    bool ok = false;
    for (SignatureScheme s : schemes_of_certificate_signature(x))
      if (contains(accepted, s)) ok = true;
    if (!ok) {
      why = "certificate " + subject_line(x) +
            " is signed with an algorithm the server does not accept";
      return false;
    }
  }
  return true;
}

// §4.2.5: every filter's extension must be in the leaf; with values, the
// leaf must hold them (for extendedKeyUsage: every listed purpose).
bool leaf_meets_oid_filters(const Credential& c, const std::vector<CertificateOidFilter>& filters,
                            std::string& why) {
  for (const CertificateOidFilter& f : filters) {
    // Rebuild the OID's DER (tag 06, short length) to turn it into an object.
    if (f.oid.empty() || f.oid.size() > 127) {
      why = "malformed oid_filter";
      return false;
    }
    Bytes der = {0x06, static_cast<uint8_t>(f.oid.size())};
    der.insert(der.end(), f.oid.begin(), f.oid.end());
    const unsigned char* p = der.data();
    ossl::Ptr<ASN1_OBJECT, ASN1_OBJECT_free> obj(d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(der.size())));
    if (!obj) {
      why = "malformed oid_filter";
      return false;
    }
    char oid_text[80];
    OBJ_obj2txt(oid_text, sizeof oid_text, obj.get(), 1);
    const int idx = X509_get_ext_by_OBJ(c.leaf(), obj.get(), -1);
    if (idx < 0) {
      why = std::string("leaf lacks the extension ") + oid_text + " the server requires";
      return false;
    }
    if (f.values.empty()) continue;
    if (OBJ_obj2nid(obj.get()) == NID_ext_key_usage) {
      const unsigned char* q = f.values.data();
      ossl::Ptr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free> wanted(
          d2i_EXTENDED_KEY_USAGE(nullptr, &q, static_cast<long>(f.values.size())));
      ossl::Ptr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free> have(static_cast<EXTENDED_KEY_USAGE*>(
          X509_get_ext_d2i(c.leaf(), NID_ext_key_usage, nullptr, nullptr)));
      if (!wanted || !have) {
        why = "extendedKeyUsage filter cannot be evaluated";
        return false;
      }
      for (int i = 0; i < sk_ASN1_OBJECT_num(wanted.get()); ++i) {
        bool found = false;
        for (int j = 0; j < sk_ASN1_OBJECT_num(have.get()); ++j)
          if (OBJ_cmp(sk_ASN1_OBJECT_value(wanted.get(), i), sk_ASN1_OBJECT_value(have.get(), j)) == 0)
            found = true;
        if (!found) {
          why = "leaf's extendedKeyUsage lacks a purpose the server requires";
          return false;
        }
      }
      continue;
    }
    ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(c.leaf(), idx));
    const ByteView have(ASN1_STRING_get0_data(data), static_cast<size_t>(ASN1_STRING_length(data)));
    if (!std::equal(have.begin(), have.end(), f.values.begin(), f.values.end())) {
      why = std::string("leaf's extension ") + oid_text + " does not hold the required value";
      return false;
    }
  }
  return true;
}

// TLS 1.2 (RFC 5246 §7.4.4, RFC 8422 §5.5): the leaf key must be of a type
// the server listed in certificate_types; TLS 1.3 has no such list.
bool key_meets_certificate_types(const Credential& c, const std::vector<uint8_t>& types, std::string& why) {
  if (types.empty()) return true;
  auto listed = [&](uint8_t t) { return std::find(types.begin(), types.end(), t) != types.end(); };
  EVP_PKEY* key = c.public_key();
  constexpr uint8_t kRsaSign = 1, kEcdsaSign = 64;
  if ((EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) && listed(kRsaSign)) return true;
  if ((EVP_PKEY_is_a(key, "EC") || EVP_PKEY_is_a(key, "ED25519")) && listed(kEcdsaSign)) return true;
  why = "its key type is not among the certificate types the server accepts";
  return false;
}

}  // namespace

std::optional<size_t> select_client_credential(const std::vector<Credential>& candidates,
                                               const CertificateRequestInfo& request,
                                               std::vector<SelectionNote>* notes) {
  std::optional<size_t> chosen;
  const bool tls13 = request.version == ProtocolVersion::tls13;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Credential& c = candidates[i];
    SelectionNote note{c.subject(), false, {}};
    std::string why;
    bool ok = key_meets_certificate_types(c, request.certificate_types, why) &&
              chain_meets_authorities(c, request.certificate_authorities, why) &&
              chain_meets_cert_schemes(c, request.certificate_signature_schemes, why) &&
              leaf_meets_oid_filters(c, request.oid_filters, why);
    if (ok) {
      ok = false;
      for (SignatureScheme s : request.signature_schemes)
        if (contains(c.signature_schemes(tls13), s)) ok = true;
      if (!ok) why = "its key cannot sign with any signature scheme the server offered";
    }
    if (ok && !chosen) {
      chosen = i;
      note.chosen = true;
      note.reason = request.certificate_authorities.empty()
                        ? "meets the request (the server named no CAs)"
                        : "meets the request: chain reaches a CA the server named";
    } else if (ok) {
      note.reason = "also acceptable, but an earlier credential was chosen";
    } else {
      note.reason = why;
    }
    if (notes) notes->push_back(std::move(note));
  }
  return chosen;
}

}  // namespace vouch
