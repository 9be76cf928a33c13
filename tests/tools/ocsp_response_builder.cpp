#include "tools/ocsp_response_builder.h"

#include <openssl/bn.h>
#include <openssl/err.h>

#include <algorithm>

namespace vouch::testing {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using Asn1Time = ossl::Ptr<ASN1_TIME, ASN1_TIME_free>;
using BigNum = ossl::Ptr<BIGNUM, BN_free>;
void free_basic(OCSP_BASICRESP* p) { OCSP_BASICRESP_free(p); }
using BasicResp = ossl::Ptr<OCSP_BASICRESP, free_basic>;
using Response = ossl::Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using Request = ossl::Ptr<OCSP_REQUEST, OCSP_REQUEST_free>;
using CertId = ossl::Ptr<OCSP_CERTID, OCSP_CERTID_free>;

Error build_error(const std::string& what) {
  return fail(Alert::internal_error, "test OCSP responder: " + what + ": " + ossl::last_error());
}

Result<Bytes> encode(OCSP_RESPONSE* resp) {
  const int len = i2d_OCSP_RESPONSE(resp, nullptr);
  if (len <= 0) return build_error("encoding");
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_OCSP_RESPONSE(resp, &p) != len) return build_error("encoding");
  return der;
}

Result<Bytes> status_only(int status) {
  Response resp(OCSP_response_create(status, nullptr));
  if (!resp) return build_error("OCSP_response_create");
  return encode(resp.get());
}

Asn1Time time_at(time_t base, seconds offset) {
  // OCSP_basic_add1_status turns these into GeneralizedTime (RFC 6960 §4.2.1).
  return Asn1Time(ASN1_TIME_adj(nullptr, base, 0, static_cast<long>(offset.count())));
}

// The CertID asked for, or the same with serial + 1.
Result<CertId> answer_id(OCSP_CERTID* asked, bool wrong_serial) {
  CertId id(OCSP_CERTID_dup(asked));
  if (!id) return build_error("OCSP_CERTID_dup");
  if (!wrong_serial) return id;
  ASN1_INTEGER* serial = nullptr;
  if (OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, id.get()) != 1 || serial == nullptr)
    return build_error("CertID serial");
  BigNum bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn || BN_add_word(bn.get(), 1) != 1 || BN_to_ASN1_INTEGER(bn.get(), serial) == nullptr)
    return build_error("CertID serial");
  return id;
}

const MintedCert& chosen(const OcspSigners& s, OcspSignerChoice c) {
  switch (c) {
    case OcspSignerChoice::issuer: return s.issuer;
    case OcspSignerChoice::delegate: return s.delegate;
    case OcspSignerChoice::delegate_no_eku: return s.delegate_no_eku;
    case OcspSignerChoice::unrelated: return s.unrelated;
  }
  return s.issuer;
}

int cert_status(OcspCertStatus s) {
  switch (s) {
    case OcspCertStatus::good: return V_OCSP_CERTSTATUS_GOOD;
    case OcspCertStatus::revoked: return V_OCSP_CERTSTATUS_REVOKED;
    case OcspCertStatus::unknown: return V_OCSP_CERTSTATUS_UNKNOWN;
  }
  return V_OCSP_CERTSTATUS_UNKNOWN;
}

// A nonce extension unlike the request's (RFC 6960 §4.4.1): the request's
// nonce extension copied with the last octet of its value flipped, or a
// fixed nonce when the request carried none.
Status add_wrong_nonce(OCSP_BASICRESP* bs, OCSP_REQUEST* req) {
  const int at = OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, -1);
  if (at < 0) {
    unsigned char fixed[16] = {0x0b, 0xad};
    if (OCSP_basic_add1_nonce(bs, fixed, sizeof fixed) != 1) return build_error("OCSP_basic_add1_nonce");
    return {};
  }
  ossl::Ptr<X509_EXTENSION, X509_EXTENSION_free> ext(X509_EXTENSION_dup(OCSP_REQUEST_get_ext(req, at)));
  if (!ext) return build_error("X509_EXTENSION_dup");
  ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext.get());
  const int len = ASN1_STRING_length(value);
  if (len <= 0) return build_error("empty nonce extension");
  // The value is the DER of the nonce (an OCTET STRING): its last octet is
  // the nonce's last octet.
  Bytes flipped(ASN1_STRING_get0_data(value), ASN1_STRING_get0_data(value) + len);
  flipped.back() ^= 0xff;
  if (ASN1_OCTET_STRING_set(value, flipped.data(), len) != 1) return build_error("ASN1_OCTET_STRING_set");
  if (OCSP_BASICRESP_add_ext(bs, ext.get(), -1) != 1) return build_error("OCSP_BASICRESP_add_ext");
  return {};
}

Result<Bytes> signed_response(const OcspSigners& signers, const OcspBehavior& b, OCSP_REQUEST* req) {
  const int n = OCSP_request_onereq_count(req);
  if (n <= 0) return status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);

  const time_t base = std::chrono::system_clock::to_time_t(b.now.value_or(std::chrono::system_clock::now()));
  Asn1Time this_update = time_at(base, b.this_update_offset);
  Asn1Time next_update = b.next_update_offset ? time_at(base, *b.next_update_offset) : Asn1Time();
  Asn1Time revoked_at = time_at(base, b.revocation_offset);
  if (!this_update || (b.next_update_offset && !next_update) || !revoked_at) return build_error("times");

  BasicResp bs(OCSP_BASICRESP_new());
  if (!bs) return build_error("OCSP_BASICRESP_new");
  const int status = cert_status(b.status);
  for (int i = 0; i < n; ++i) {
    OCSP_CERTID* asked = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i));
    VOUCH_ASSIGN(CertId id, answer_id(asked, b.wrong_serial));
    // add1 copies the id; reason and time only matter for revoked.
    if (OCSP_basic_add1_status(bs.get(), id.get(), status, b.revocation_reason, revoked_at.get(),
                               this_update.get(), next_update.get()) == nullptr) {
      return build_error("OCSP_basic_add1_status");
    }
  }
  if (b.wrong_nonce) {
    VOUCH_TRY(add_wrong_nonce(bs.get(), req));
  } else if (b.echo_nonce && OCSP_copy_nonce(bs.get(), req) <= 0) {  // 1: copied, 2: the request had none
    return build_error("OCSP_copy_nonce");
  }

  const MintedCert& signer = chosen(signers, b.signer);
  unsigned long flags = 0;
  if (!b.include_signer_cert) flags |= OCSP_NOCERTS;
  if (b.responder_id_by_key) flags |= OCSP_RESPID_KEY;
  const bool pure =
      EVP_PKEY_is_a(signer.key.get(), "ED25519") == 1 || EVP_PKEY_is_a(signer.key.get(), "ED448") == 1;
  if (OCSP_basic_sign(bs.get(), signer.cert.get(), signer.key.get(), pure ? nullptr : EVP_sha256(), nullptr,
                      flags) != 1) {
    return build_error("OCSP_basic_sign");
  }
  Response resp(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs.get()));
  if (!resp) return build_error("OCSP_response_create");
  return encode(resp.get());
}

}  // namespace

Bytes ocsp_garbage_body() {
  const std::string text = "vouch test OCSP responder: this body is not an OCSPResponse\n";
  return Bytes(text.begin(), text.end());
}

Result<Bytes> build_ocsp_response(const OcspSigners& signers, const OcspBehavior& b, ByteView request_der) {
  switch (b.mode) {
    case OcspResponderMode::garbage: return ocsp_garbage_body();
    case OcspResponderMode::error_status: return status_only(b.error_status);
    case OcspResponderMode::hang:
    case OcspResponderMode::down:
    case OcspResponderMode::refuse:
      return fail(Alert::internal_error, "test OCSP responder: no answer in this mode");
    case OcspResponderMode::respond:
    case OcspResponderMode::oversized: break;
  }
  const unsigned char* p = request_der.data();
  Request req(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(request_der.size())));
  if (!req || p != request_der.data() + request_der.size()) {
    ERR_clear_error();
    // RFC 6960 §2.3: an unparseable request gets malformedRequest.
    return status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  }
  VOUCH_ASSIGN(Bytes der, signed_response(signers, b, req.get()));
  if (b.mode == OcspResponderMode::oversized) der.resize(std::max(der.size(), kMaxOcspResponseBytes + 1), 0);
  return der;
}

std::vector<std::string> ocsp_behavior_names() {
  return {
      "good",         "revoked",        "unknown",          "expired",      "not-yet-valid", "no-next-update",
      "wrong-signer", "delegated",      "delegated-no-eku", "wrong-serial", "no-nonce",      "garbage",
      "try-later",    "internal-error", "unauthorized",     "oversized",    "slow",          "hang",
      "down",         "refuse",         "wrong-nonce"};
}

std::optional<OcspBehavior> ocsp_behavior_named(std::string_view name) {
  OcspBehavior b;
  if (name == "good") return b;
  if (name == "revoked") {
    b.status = OcspCertStatus::revoked;
    return b;
  }
  if (name == "unknown") {
    b.status = OcspCertStatus::unknown;
    return b;
  }
  if (name == "expired") {  // a window that closed an hour ago
    b.this_update_offset = -hours(2);
    b.next_update_offset = -hours(1);
    return b;
  }
  if (name == "not-yet-valid") {  // a window that opens in an hour
    b.this_update_offset = hours(1);
    b.next_update_offset = hours(2);
    return b;
  }
  if (name == "no-next-update") {
    b.next_update_offset.reset();
    return b;
  }
  if (name == "wrong-signer") {
    b.signer = OcspSignerChoice::unrelated;
    return b;
  }
  if (name == "delegated") {
    b.signer = OcspSignerChoice::delegate;
    return b;
  }
  if (name == "delegated-no-eku") {
    b.signer = OcspSignerChoice::delegate_no_eku;
    return b;
  }
  if (name == "wrong-serial") {
    b.wrong_serial = true;
    return b;
  }
  if (name == "no-nonce") {
    b.echo_nonce = false;
    return b;
  }
  if (name == "wrong-nonce") {
    b.wrong_nonce = true;
    return b;
  }
  if (name == "refuse") {
    b.mode = OcspResponderMode::refuse;
    return b;
  }
  if (name == "garbage") {
    b.mode = OcspResponderMode::garbage;
    return b;
  }
  if (name == "try-later" || name == "internal-error" || name == "unauthorized") {
    b.mode = OcspResponderMode::error_status;
    b.error_status = name == "try-later"        ? OCSP_RESPONSE_STATUS_TRYLATER
                     : name == "internal-error" ? OCSP_RESPONSE_STATUS_INTERNALERROR
                                                : OCSP_RESPONSE_STATUS_UNAUTHORIZED;
    return b;
  }
  if (name == "oversized") {
    b.mode = OcspResponderMode::oversized;
    return b;
  }
  if (name == "slow") {
    b.delay = std::chrono::milliseconds(2000);
    return b;
  }
  if (name == "hang") {
    b.mode = OcspResponderMode::hang;
    return b;
  }
  if (name == "down") {
    b.mode = OcspResponderMode::down;
    return b;
  }
  return std::nullopt;
}

}  // namespace vouch::testing
