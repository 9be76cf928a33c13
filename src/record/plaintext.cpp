// Writing unprotected records (RFC 8446 §5.1): the ClientHello/ServerHello
// flight, TLS 1.3's compatibility change_cipher_spec (Appendix D.4), and
// everything before TLS 1.2's ChangeCipherSpec.
#include <cassert>
#include <cstring>

#include "record/record.h"

namespace vouch {

void write_plaintext_record(ContentType type, uint16_t legacy_version, ByteView fragment,
                            Bytes& out) {
  // RFC 8446 §5.1 TLSPlaintext: type(1) || legacy_record_version(2) ||
  // length(2) || fragment. The caller fragments to ≤ 2^14 bytes; a larger
  // fragment here is a programming error, not a peer's fault.
  assert(fragment.size() <= kMaxPlaintext);
  const size_t at = out.size();
  out.resize(at + kRecordHeaderLength + fragment.size());
  uint8_t* p = out.data() + at;
  write_record_header(p, type, legacy_version, fragment.size());
  if (!fragment.empty()) std::memcpy(p + kRecordHeaderLength, fragment.data(), fragment.size());
}

}  // namespace vouch
