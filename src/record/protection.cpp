// One direction's record protection for whichever version was negotiated:
// TLS 1.3 (RFC 8446 §5.2) or TLS 1.2 (RFC 5246 §6.2.3.3). The run loop holds
// one of these per direction and never needs to know which it is.
#include "record/record.h"

namespace vouch {

Status RecordProtection::install(CipherSuite suite, ByteView traffic_secret) {
  VOUCH_TRY(v13_.install(suite, traffic_secret, use_));
  // A connection speaks one version; dropping the other side's keys keeps
  // active()/tls12()/sequence() unambiguous about which one is in use.
  v12_ = RecordProtection12{};
  return {};
}

Status RecordProtection::install12(CipherSuite suite, ByteView key, ByteView iv) {
  VOUCH_TRY(v12_.install(suite, key, iv, use_));
  v13_ = RecordProtection13{};
  return {};
}

Status RecordProtection::seal(ContentType type, ByteView plaintext, std::span<uint8_t> out) {
  if (v12_.active()) return v12_.seal(type, plaintext, out);
  return v13_.seal(type, plaintext, out, 0);
}

Status RecordProtection::seal(ContentType type, ByteView plaintext, Bytes& out) {
  // TLS 1.2 records carry their real type (RFC 5246 §6.2.3); TLS 1.3 hides
  // it as the inner type of an application_data record (RFC 8446 §5.2).
  // Neither installed: RecordProtection13::seal reports internal_error.
  if (v12_.active()) return v12_.seal(type, plaintext, out);
  return v13_.seal(type, plaintext, out, 0);
}

Result<std::span<uint8_t>> RecordProtection::open(const RawRecord& record, ContentType& type) {
  if (v12_.active()) {
    VOUCH_ASSIGN(std::span<uint8_t> plaintext, v12_.open(record));
    type = record.type;
    return plaintext;
  }
  return v13_.open(record, type);
}

Result<std::span<uint8_t>> RecordProtection::open(const RawRecord& record, ContentType& type,
                                                  std::span<uint8_t> dest) {
  if (v12_.active()) {
    VOUCH_ASSIGN(std::span<uint8_t> plaintext, v12_.open(record, dest));
    // RFC 5246 §6.2.3.3: the type is the header's, authenticated through the
    // additional data.
    type = record.type;
    return plaintext;
  }
  return v13_.open(record, type, dest);
}

}  // namespace vouch
