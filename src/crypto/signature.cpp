// Signature schemes (RFC 8446 §4.2.3) over EVP_PKEY: ECDSA, RSASSA-PSS with
// rsaEncryption and RSASSA-PSS keys, Ed25519, and RSASSA-PKCS1-v1_5 for
// TLS 1.2 and certificate signatures.
#include "crypto/signature.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <array>
#include <string_view>

#include "crypto/hash.h"
#include "crypto/ossl.h"

namespace vouch {
namespace {

enum class Kind { ecdsa, rsa_pss_rsae, rsa_pss_pss, rsa_pkcs1, ed25519 };

struct SchemeInfo {
  SignatureScheme scheme;
  Kind kind;
  HashAlg hash;   // unused for ed25519 (PureEdDSA hashes internally)
  int curve_nid;  // ECDSA only: the curve TLS 1.3 binds to the scheme
};

constexpr SchemeInfo kSchemes[] = {
    {SignatureScheme::ecdsa_secp256r1_sha256, Kind::ecdsa, HashAlg::sha256, NID_X9_62_prime256v1},
    {SignatureScheme::ecdsa_secp384r1_sha384, Kind::ecdsa, HashAlg::sha384, NID_secp384r1},
    {SignatureScheme::ecdsa_secp521r1_sha512, Kind::ecdsa, HashAlg::sha512, NID_secp521r1},
    {SignatureScheme::rsa_pss_rsae_sha256, Kind::rsa_pss_rsae, HashAlg::sha256, NID_undef},
    {SignatureScheme::rsa_pss_rsae_sha384, Kind::rsa_pss_rsae, HashAlg::sha384, NID_undef},
    {SignatureScheme::rsa_pss_rsae_sha512, Kind::rsa_pss_rsae, HashAlg::sha512, NID_undef},
    {SignatureScheme::rsa_pss_pss_sha256, Kind::rsa_pss_pss, HashAlg::sha256, NID_undef},
    {SignatureScheme::rsa_pss_pss_sha384, Kind::rsa_pss_pss, HashAlg::sha384, NID_undef},
    {SignatureScheme::rsa_pss_pss_sha512, Kind::rsa_pss_pss, HashAlg::sha512, NID_undef},
    {SignatureScheme::rsa_pkcs1_sha256, Kind::rsa_pkcs1, HashAlg::sha256, NID_undef},
    {SignatureScheme::rsa_pkcs1_sha384, Kind::rsa_pkcs1, HashAlg::sha384, NID_undef},
    {SignatureScheme::rsa_pkcs1_sha512, Kind::rsa_pkcs1, HashAlg::sha512, NID_undef},
    {SignatureScheme::ed25519, Kind::ed25519, HashAlg::sha256, NID_undef},
};

// Schemes vouch does not implement (SHA-1 ones, ed448, unknown values) have
// no entry, so nothing below can ever use them.
const SchemeInfo* find_scheme(SignatureScheme s) {
  for (const auto& e : kSchemes)
    if (e.scheme == s) return &e;
  return nullptr;
}

int ec_curve_nid(EVP_PKEY* key) {
  std::array<char, 64> name{};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, name.data(), name.size(), &len) != 1) return NID_undef;
  // The curves TLS names first, by libcrypto's short names: OBJ_txt2nid
  // takes a global lock and tries the text as a dotted OID before the name
  // tables, and this runs for every credential and scheme considered.
  const std::string_view got(name.data());  // zero-filled above: terminated
  if (got == SN_X9_62_prime256v1) return NID_X9_62_prime256v1;
  if (got == SN_secp384r1) return NID_secp384r1;
  if (got == SN_secp521r1) return NID_secp521r1;
  // Other short names, and NIST names ("P-256"), which some providers report.
  int nid = OBJ_txt2nid(name.data());
  if (nid == NID_undef) nid = EC_curve_nist2nid(name.data());
  return nid;
}

// An RSASSA-PSS key may carry restrictions (RFC 4055 §3.1) that fix the
// hash and the MGF1 hash; the scheme must not contradict them.
bool pss_restrictions_allow(EVP_PKEY* key, HashAlg hash) {
  const EVP_MD* md = evp_md(hash);
  std::array<char, 64> name{};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_RSA_DIGEST, name.data(), name.size(),
                                     &len) == 1 &&
      !EVP_MD_is_a(md, name.data())) {
    return false;
  }
  name.fill(0);
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, name.data(), name.size(),
                                     &len) == 1 &&
      !EVP_MD_is_a(md, name.data())) {
    return false;
  }
  ERR_clear_error();
  return true;
}

// RSASSA-PSS with salt = hash length needs emLen >= hLen + sLen + 2
// (RFC 8017 §9.1.1), i.e. a 1040-bit modulus for SHA-512.
bool rsa_big_enough_for_pss(EVP_PKEY* key, HashAlg hash) {
  const int size = EVP_PKEY_get_size(key);
  return size > 0 && static_cast<size_t>(size) >= 2 * hash_length(hash) + 2;
}

bool info_matches_key(const SchemeInfo& info, EVP_PKEY* key, bool tls13) {
  switch (info.kind) {
    case Kind::ecdsa:
      if (!EVP_PKEY_is_a(key, "EC")) return false;
      // TLS 1.3 binds the curve to the scheme; TLS 1.2's code points only
      // name the hash (RFC 8446 §4.2.3, RFC 8422 §5.1.3).
      return !tls13 || ec_curve_nid(key) == info.curve_nid;
    case Kind::rsa_pss_rsae:
      return EVP_PKEY_is_a(key, "RSA") && rsa_big_enough_for_pss(key, info.hash);
    case Kind::rsa_pss_pss:
      return EVP_PKEY_is_a(key, "RSA-PSS") && rsa_big_enough_for_pss(key, info.hash) &&
             pss_restrictions_allow(key, info.hash);
    case Kind::rsa_pkcs1:
      // RFC 8446 §4.2.3: "RSASSA-PKCS1-v1_5 algorithms ... MUST NOT be used
      // in signed TLS handshake messages" of TLS 1.3.
      return !tls13 && EVP_PKEY_is_a(key, "RSA");
    case Kind::ed25519: return EVP_PKEY_is_a(key, "ED25519");
  }
  return false;
}

// Padding parameters on the signing/verifying context. RFC 8446 §4.2.3:
// for RSASSA-PSS "the length of the Salt MUST be equal to the length of the
// digest algorithm" and MGF1 uses the same hash.
bool configure(EVP_PKEY_CTX* pctx, const SchemeInfo& info) {
  switch (info.kind) {
    case Kind::rsa_pss_rsae:
    case Kind::rsa_pss_pss:
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, evp_md(info.hash)) == 1;
    case Kind::rsa_pkcs1: return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    case Kind::ecdsa:
    case Kind::ed25519: return true;
  }
  return false;
}

// libcrypto wants non-null pointers even for empty inputs.
const uint8_t kNothing = 0;
const uint8_t* ptr(ByteView v) { return v.empty() ? &kNothing : v.data(); }

// Ed25519 is PureEdDSA: no pre-hash, so no digest is named (RFC 8032).
const EVP_MD* digest_for(const SchemeInfo& info) {
  return info.kind == Kind::ed25519 ? nullptr : evp_md(info.hash);
}

// Signing is our own choice of scheme, so a scheme that does not fit the key
// is a local bug. The TLS 1.2 rules are the looser ones; TLS 1.3 callers pick
// the scheme with scheme_matches_key(..., true) first.
Status check_signing_key(SignatureScheme scheme, const SchemeInfo* info, EVP_PKEY* key) {
  if (!key || !info || !info_matches_key(*info, key, false)) {
    return fail(Alert::internal_error, "cannot sign with " + to_string(scheme) + ": key mismatch");
  }
  return {};
}

// A context through EVP_DigestSignInit for `info`'s digest and padding.
Result<ossl::EvpMdCtx> signing_context(const SchemeInfo& info, EVP_PKEY* key) {
  ossl::EvpMdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, digest_for(info), nullptr, key) != 1 ||
      !configure(pctx, info)) {
    return fail(Alert::internal_error,
                "signing setup for " + to_string(info.scheme) + " failed: " + ossl::last_error());
  }
  return ctx;
}

// Signs `message` on a prepared context (used once).
Result<Bytes> sign_on(EVP_MD_CTX* ctx, EVP_PKEY* key, ByteView message) {
  // EVP_PKEY_get_size is the largest signature the key makes; asking
  // EVP_DigestSign for the length first would run the provider twice.
  const int max = EVP_PKEY_get_size(key);
  if (max <= 0) return fail(Alert::internal_error, "signing failed: key has no signature size");
  Bytes sig(static_cast<size_t>(max));
  size_t len = sig.size();
  if (EVP_DigestSign(ctx, sig.data(), &len, ptr(message), message.size()) != 1) {
    return fail(Alert::internal_error, "signing failed: " + ossl::last_error());
  }
  sig.resize(len);  // DER ECDSA signatures are often shorter than the maximum
  return sig;
}

}  // namespace

static_assert(std::size(kSchemes) <= PreparedSigner::kSlots);

bool scheme_matches_key(SignatureScheme scheme, EVP_PKEY* key, bool tls13) {
  const SchemeInfo* info = find_scheme(scheme);
  return key != nullptr && info != nullptr && info_matches_key(*info, key, tls13);
}

std::vector<SignatureScheme> implemented_schemes(const std::vector<SignatureScheme>& configured) {
  std::vector<SignatureScheme> out;
  for (SignatureScheme s : configured)
    if (find_scheme(s) != nullptr) out.push_back(s);
  return out;
}

const std::vector<SignatureScheme>& default_signature_schemes() {
  static const std::vector<SignatureScheme> schemes = {
      SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
      SignatureScheme::ecdsa_secp521r1_sha512, SignatureScheme::ed25519,
      SignatureScheme::rsa_pss_rsae_sha256,    SignatureScheme::rsa_pss_rsae_sha384,
      SignatureScheme::rsa_pss_rsae_sha512,    SignatureScheme::rsa_pss_pss_sha256,
      SignatureScheme::rsa_pss_pss_sha384,     SignatureScheme::rsa_pss_pss_sha512,
  };
  return schemes;
}

const std::vector<SignatureScheme>& default_certificate_signature_schemes() {
  static const std::vector<SignatureScheme> schemes = [] {
    std::vector<SignatureScheme> s = default_signature_schemes();
    s.push_back(SignatureScheme::rsa_pkcs1_sha256);
    s.push_back(SignatureScheme::rsa_pkcs1_sha384);
    s.push_back(SignatureScheme::rsa_pkcs1_sha512);
    return s;
  }();
  return schemes;
}

Result<Bytes> sign_message(SignatureScheme scheme, EVP_PKEY* key, ByteView message) {
  const SchemeInfo* info = find_scheme(scheme);
  VOUCH_TRY(check_signing_key(scheme, info, key));
  VOUCH_ASSIGN(ossl::EvpMdCtx ctx, signing_context(*info, key));
  return sign_on(ctx.get(), key, message);
}

PreparedSigner::PreparedSigner(EVP_PKEY* key) : key_(ossl::up_ref(key)) {}

PreparedSigner::~PreparedSigner() {
  for (auto& slot : prepared_) EVP_MD_CTX_free(slot.load(std::memory_order_acquire));
}

Result<Bytes> PreparedSigner::sign(SignatureScheme scheme, ByteView message) const {
  EVP_PKEY* key = key_.get();
  const SchemeInfo* info = find_scheme(scheme);
  if (info == nullptr) return check_signing_key(scheme, info, key).error();
  // PureEdDSA (RFC 8032) signs in one shot; libcrypto 3.0 cannot copy its
  // context.
  if (info->kind == Kind::ed25519) return sign_message(scheme, key, message);
  std::atomic<EVP_MD_CTX*>& slot = prepared_[static_cast<size_t>(info - kSchemes)];
  EVP_MD_CTX* prepared = slot.load(std::memory_order_acquire);
  if (prepared == nullptr) {
    // The key never changes: a slot is prepared only after the key was
    // found to fit its scheme, so later signatures skip the check (a
    // provider name lookup, EVP_PKEY_is_a, per signature).
    VOUCH_TRY(check_signing_key(scheme, info, key));
    VOUCH_ASSIGN(ossl::EvpMdCtx fresh, signing_context(*info, key));
    // Two threads may prepare at once: one context wins, the other is freed.
    if (slot.compare_exchange_strong(prepared, fresh.get(), std::memory_order_acq_rel)) {
      prepared = fresh.release();
    }
  }
  ossl::EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_MD_CTX_copy_ex(ctx.get(), prepared) != 1) {
    ERR_clear_error();
    return sign_message(scheme, key, message);
  }
  return sign_on(ctx.get(), key, message);
}

Status verify_message(SignatureScheme scheme, EVP_PKEY* key, ByteView message, ByteView signature) {
  const SchemeInfo* info = find_scheme(scheme);
  if (!key || !info || !info_matches_key(*info, key, false)) {
    return fail(Alert::illegal_parameter,
                "signature scheme " + to_string(scheme) + " does not fit the peer's key");
  }
  ossl::EvpMdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digest_for(*info), nullptr, key) != 1 ||
      !configure(pctx, *info)) {
    return fail(Alert::internal_error,
                "verification setup for " + to_string(scheme) + " failed: " + ossl::last_error());
  }
  if (EVP_DigestVerify(ctx.get(), ptr(signature), signature.size(), ptr(message), message.size()) !=
      1) {
    // RFC 8446 §4.4.3: a CertificateVerify that does not verify is
    // decrypt_error. A malformed DER ECDSA signature lands here as well.
    ERR_clear_error();
    return fail(Alert::decrypt_error, "signature verification failed");
  }
  return {};
}

}  // namespace vouch
