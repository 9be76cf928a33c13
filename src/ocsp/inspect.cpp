// Decoding an untrusted OCSP response (RFC 6960 §4.2.1) field by field, and
// printing it. Every length and count comes from libcrypto's decoder, which
// has already checked the DER; the input is bounded before it is decoded.
#include "ocsp/inspect.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "base/hex.h"
#include "ocsp/ocsp.h"
#include "ocsp/signer.h"
#include "ocsp/util.h"
#include "cert/x509_name.h"

namespace vouch {
namespace {

// Leaves this thread's libcrypto error queue empty however we return.
std::string hex_of(const ASN1_STRING* s) {
  if (s == nullptr) return "";
  return to_hex(ByteView(ASN1_STRING_get0_data(s), static_cast<size_t>(ASN1_STRING_length(s))));
}

// ASN1_INTEGER keeps the magnitude; the sign is in its type.
std::string serial_hex(const ASN1_INTEGER* serial) {
  if (serial == nullptr) return "";
  return (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" : "") + hex_of(serial);
}

// A known algorithm by name, anything else by its dotted OID.
std::string object_name(const ASN1_OBJECT* obj, bool long_name) {
  if (obj == nullptr) return "?";
  const int nid = OBJ_obj2nid(obj);
  if (nid != NID_undef) return long_name ? OBJ_nid2ln(nid) : OBJ_nid2sn(nid);
  char buf[128];
  const int n = OBJ_obj2txt(buf, sizeof buf, obj, /*no_name=*/1);
  return n > 0 ? std::string(buf) : std::string("?");
}

// RFC 6960 §4.4.1: the nonce extension's value is itself an OCTET STRING
// (RFC 8954 §2.1). Some responders put the bare bytes there; those are shown
// as they are.
Bytes nonce_value(X509_EXTENSION* ext) {
  const ASN1_OCTET_STRING* data = ext != nullptr ? X509_EXTENSION_get_data(ext) : nullptr;
  if (data == nullptr) return {};
  const unsigned char* start = ASN1_STRING_get0_data(data);
  const long len = ASN1_STRING_length(data);
  const unsigned char* p = start;
  ossl::Ptr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> inner(d2i_ASN1_OCTET_STRING(nullptr, &p, len));
  if (inner && p == start + len) {
    const unsigned char* v = ASN1_STRING_get0_data(inner.get());
    return Bytes(v, v + ASN1_STRING_length(inner.get()));
  }
  return Bytes(start, start + len);
}

// The years a SysTime can hold whole.
constexpr int kMinYear = 1678;
constexpr int kMaxYear = 2261;

// A time that the DER allowed but that does not denote an instant (a bad
// month, a 25th hour): kept as a warning rather than failing everything.
std::optional<SysTime> read_time(const ASN1_GENERALIZEDTIME* t, const std::string& what,
                                 std::vector<std::string>& warnings) {
  if (t == nullptr) return std::nullopt;
  // SysTime counts nanoseconds in 64 bits (about 1677 to 2262), and a
  // GeneralizedTime may say anything from year 0 to 9999: such a time is
  // shown as unreadable rather than overflowing the conversion.
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) == 1 && (tm.tm_year + 1900 < kMinYear || tm.tm_year + 1900 > kMaxYear)) {
    warnings.push_back(what + " (year " + std::to_string(tm.tm_year + 1900) + ") is out of range");
    return std::nullopt;
  }
  std::optional<SysTime> v = from_asn1_time(t);
  if (!v) warnings.push_back(what + " is malformed");
  return v;
}

Result<OcspSingleInspection> inspect_single(OCSP_SINGLERESP* single, size_t index,
                                            std::vector<std::string>& warnings) {
  const std::string where = "SingleResponse " + std::to_string(index) + ": ";
  OcspSingleInspection out;
  ASN1_OCTET_STRING* name_hash = nullptr;
  ASN1_OBJECT* md = nullptr;
  ASN1_OCTET_STRING* key_hash = nullptr;
  ASN1_INTEGER* serial = nullptr;
  // OCSP_id_get0_info only reads the CertID; its parameter lacks the const.
  if (OCSP_id_get0_info(&name_hash, &md, &key_hash, &serial,
                        const_cast<OCSP_CERTID*>(OCSP_SINGLERESP_get0_id(single))) != 1) {
    return ocsp_fail_ossl("OCSP response: " + where + "unreadable CertID");
  }
  out.hash_algorithm = object_name(md, /*long_name=*/false);
  out.issuer_name_hash = hex_of(name_hash);
  out.issuer_key_hash = hex_of(key_hash);
  out.serial = serial_hex(serial);

  int reason = -1;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  // CertStatus is a CHOICE of exactly these three (RFC 6960 §4.2.1).
  switch (OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update)) {
    case V_OCSP_CERTSTATUS_GOOD: out.status = OcspCertStatus::good; break;
    case V_OCSP_CERTSTATUS_REVOKED: out.status = OcspCertStatus::revoked; break;
    case V_OCSP_CERTSTATUS_UNKNOWN: out.status = OcspCertStatus::unknown; break;
    default: return ocsp_fail_ossl("OCSP response: " + where + "unreadable certStatus");
  }
  out.this_update = read_time(this_update, where + "thisUpdate", warnings);
  out.has_next_update = next_update != nullptr;
  out.next_update = read_time(next_update, where + "nextUpdate", warnings);
  if (out.status == OcspCertStatus::revoked) {
    out.revocation_time = read_time(revoked_at, where + "revocationTime", warnings);
    out.revocation_reason = reason >= 0 ? reason : -1;
  }
  return out;
}

// BasicOCSPResponse (RFC 6960 §4.2.1) into `out`.
Status inspect_basic(OCSP_BASICRESP* bs, OcspInspection& out) {
  out.responder = ocsp_responder_text(bs);
  out.produced_at = read_time(OCSP_resp_get0_produced_at(bs), "producedAt", out.warnings);

  const X509_ALGOR* alg = OCSP_resp_get0_tbs_sigalg(bs);
  const ASN1_OBJECT* alg_oid = nullptr;
  if (alg != nullptr) X509_ALGOR_get0(&alg_oid, nullptr, nullptr, alg);
  out.signature_algorithm = object_name(alg_oid, /*long_name=*/true);

  const int nonce_at = OCSP_BASICRESP_get_ext_by_NID(bs, NID_id_pkix_OCSP_Nonce, -1);
  if (nonce_at >= 0) out.nonce = nonce_value(OCSP_BASICRESP_get_ext(bs, nonce_at));

  const STACK_OF(X509)* certs = OCSP_resp_get0_certs(bs);
  for (int i = 0; i < sk_X509_num(certs); ++i) {
    const X509* x = sk_X509_value(certs, i);
    const std::string subject = subject_line(x);
    const std::string issuer = x != nullptr ? name_line(X509_get_issuer_name(x)) : "";
    out.certificates.push_back({subject.empty() ? "?" : subject, issuer.empty() ? "?" : issuer});
  }

  const int count = OCSP_resp_count(bs);
  for (int i = 0; i < count; ++i) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(bs, i);
    if (single == nullptr) return ocsp_fail_ossl("OCSP response: unreadable SingleResponse");
    VOUCH_ASSIGN(OcspSingleInspection s, inspect_single(single, static_cast<size_t>(i) + 1, out.warnings));
    out.responses.push_back(std::move(s));
  }
  // RFC 6960 §4.2.1: responses is a SEQUENCE OF SingleResponse, and a
  // response about nothing answers nobody.
  if (out.responses.empty()) out.warnings.push_back("the response holds no SingleResponse");
  return {};
}

std::string time_or(const std::optional<SysTime>& t, const char* otherwise) {
  return t ? iso8601(*t) : std::string(otherwise);
}

}  // namespace

Result<OcspInspection> inspect_ocsp_response(ByteView der) {
  ossl::ClearErrorsOnExit clear_errors;
  VOUCH_ASSIGN(ossl::OcspResponse resp, decode_ocsp_response(der));

  OcspInspection out;
  out.response_status = OCSP_response_status(resp.get());
  out.response_status_name = OCSP_response_status_str(out.response_status);
  // RFC 6960 §4.2.1: only a successful response carries responseBytes.
  if (out.response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) return out;

  ossl::OcspBasicResp bs(OCSP_response_get1_basic(resp.get()));
  if (!bs) return ocsp_fail_ossl("OCSP response is not a decodable BasicOCSPResponse");
  out.has_basic_response = true;
  VOUCH_TRY(inspect_basic(bs.get(), out));
  return out;
}

std::string format_ocsp_inspection(const OcspInspection& in) {
  std::string s = "response status: " + in.response_status_name + " (" + std::to_string(in.response_status) +
                  ")\n";
  if (in.has_basic_response) {
    s += "responder: " + (in.responder.empty() ? std::string("?") : in.responder) + "\n";
    s += "produced at: " + time_or(in.produced_at, "?") + "\n";
    s += "signature algorithm: " + in.signature_algorithm + "\n";
    s += "nonce: " + (in.nonce ? to_hex(*in.nonce) : std::string("none")) + "\n";
    s += "certificates: " + std::to_string(in.certificates.size()) + "\n";
    for (size_t i = 0; i < in.certificates.size(); ++i) {
      s += "  certificate " + std::to_string(i + 1) + ": " + in.certificates[i].subject + " (issuer " +
           in.certificates[i].issuer + ")\n";
    }
    s += "single responses: " + std::to_string(in.responses.size()) + "\n";
    for (size_t i = 0; i < in.responses.size(); ++i) {
      const OcspSingleInspection& r = in.responses[i];
      s += "  single response " + std::to_string(i + 1) + ":\n";
      s += "    serial: " + r.serial + "\n";
      s += "    cert id hash: " + r.hash_algorithm + "\n";
      s += "    issuer name hash: " + r.issuer_name_hash + "\n";
      s += "    issuer key hash: " + r.issuer_key_hash + "\n";
      s += std::string("    cert status: ") + to_string(r.status) + "\n";
      s += "    this update: " + time_or(r.this_update, "?") + "\n";
      s += "    next update: " + time_or(r.next_update, r.has_next_update ? "?" : "none") + "\n";
      if (r.status == OcspCertStatus::revoked) {
        s += "    revocation time: " + time_or(r.revocation_time, "?") + "\n";
        // CRLReason names of RFC 5280 §5.3.1.
        s += "    revocation reason: " +
             (r.revocation_reason >= 0 ? std::string(OCSP_crl_reason_str(r.revocation_reason)) + " (" +
                                             std::to_string(r.revocation_reason) + ")"
                                       : std::string("none given")) +
             "\n";
      }
    }
  }
  for (const std::string& w : in.warnings) s += "warning: " + w + "\n";
  return s;
}

}  // namespace vouch
