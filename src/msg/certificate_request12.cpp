// CertificateRequest in TLS 1.2 (RFC 5246 §7.4.4), with the ECDSA client
// certificate type of RFC 8422 §5.5.
//
//   enum {
//       rsa_sign(1), dss_sign(2), rsa_fixed_dh(3), dss_fixed_dh(4),
//       rsa_ephemeral_dh_RESERVED(5), dss_ephemeral_dh_RESERVED(6),
//       fortezza_dms_RESERVED(20), (255)
//   } ClientCertificateType;                       /* RFC 5246 */
//   enum { ecdsa_sign(64), deprecated1(65), deprecated2(66), (255)
//   } ClientCertificateType;                       /* RFC 8422 §5.5 */
//   opaque DistinguishedName<1..2^16-1>;
//   struct {
//       ClientCertificateType certificate_types<1..2^8-1>;
//       SignatureAndHashAlgorithm
//         supported_signature_algorithms<2..2^16-2>;
//       DistinguishedName certificate_authorities<0..2^16-1>;
//   } CertificateRequest;
//
// Unknown certificate types and algorithms are kept as they are: the client
// simply does not pick them. The names stay DER bytes.
#include "msg/messages12.h"

namespace vouch {
namespace {

constexpr size_t kMinCertificateTypesLength = 1;          // certificate_types<1..2^8-1>
constexpr size_t kMinSignatureAlgorithmsLength = 2;       // supported_signature_algorithms<2..2^16-2>
constexpr size_t kSignatureAndHashAlgorithmLength = 2;    // struct { hash; signature; }, one byte each
constexpr size_t kMinDistinguishedNameLength = 1;         // DistinguishedName<1..2^16-1>

Error bad(const std::string& what) { return fail(Alert::decode_error, "CertificateRequest: " + what); }

}  // namespace

Status parse(ByteView body, CertificateRequest12& out) {
  out = CertificateRequest12{};
  Reader r(body);

  Bytes types;
  if (!r.copy_prefixed8(types)) return bad("truncated certificate_types");
  if (types.size() < kMinCertificateTypesLength) return bad("empty certificate_types");
  out.certificate_types.assign(types.begin(), types.end());

  Reader algs;
  if (!r.prefixed16(algs)) return bad("truncated supported_signature_algorithms");
  // An odd length cannot be a list of 2-byte entries; this also rules out
  // 2^16-1, the one value above the <..2^16-2> maximum.
  if (algs.remaining() % kSignatureAndHashAlgorithmLength != 0)
    return bad("supported_signature_algorithms has an odd length");
  if (algs.remaining() < kMinSignatureAlgorithmsLength) return bad("empty supported_signature_algorithms");
  while (!algs.empty()) {
    uint16_t scheme = 0;
    if (!algs.u16(scheme)) return bad("truncated SignatureAndHashAlgorithm");
    out.supported_signature_algorithms.push_back(static_cast<SignatureScheme>(scheme));
  }

  Reader names;
  if (!r.prefixed16(names)) return bad("truncated certificate_authorities");
  while (!names.empty()) {
    Bytes dn;
    if (!names.copy_prefixed16(dn)) return bad("DistinguishedName length overruns certificate_authorities");
    if (dn.size() < kMinDistinguishedNameLength) return bad("empty DistinguishedName");
    out.certificate_authorities.push_back(std::move(dn));
  }

  if (!r.empty()) return bad("trailing bytes after certificate_authorities");
  return {};
}

void write(Writer& w, const CertificateRequest12& m) {
  w.vec8(m.certificate_types);
  w.prefixed16([&] {
    for (SignatureScheme s : m.supported_signature_algorithms) w.u16(static_cast<uint16_t>(s));
  });
  w.prefixed16([&] {
    for (const Bytes& dn : m.certificate_authorities) w.vec16(dn);
  });
}

}  // namespace vouch
