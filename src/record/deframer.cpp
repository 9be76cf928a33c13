// Splitting the received byte stream into TLS records (RFC 8446 §5.1,
// RFC 5246 §6.2.1).
//
// The Deframer keeps one buffer (a ByteQueue) for the whole connection.
// Records are handed out as views into it, so nothing is copied per record;
// in steady state (records of bounded size, reads of bounded size) it neither
// reallocates nor shifts on every record.
#include <algorithm>
#include <cstring>

#include "record/record.h"

namespace vouch {
namespace {

// Smallest allocation: one full TLS 1.2 record with its header, so that a
// connection carrying maximum-size records settles after the first one.

bool known_content_type(uint8_t t) {
  // RFC 8446 §5: "If a TLS implementation receives an unexpected record type,
  // it MUST terminate the connection with an unexpected_message alert." The
  // four types below are the only ones defined for TLS 1.2 and 1.3 (B.1).
  return t >= static_cast<uint8_t>(ContentType::change_cipher_spec) &&
         t <= static_cast<uint8_t>(ContentType::application_data);
}

}  // namespace

void Deframer::feed(ByteView data) { queue_.append(data); }

Result<std::optional<RawRecord>> Deframer::next(size_t max_fragment) {
  const size_t avail = queue_.size();
  uint8_t* h = queue_.data();

  // Validate header fields as soon as their bytes are here, so that a peer
  // speaking something else entirely (an HTTP request, an SSLv2 hello) is
  // rejected at once instead of after we wait for a bogus length.
  // An SSL 2.0-compatible ClientHello (RFC 6101 Appendix E.2; RFC 5246
  // Appendix E.2): a 2-byte length with the high bit set, then msg_type 1.
  // vouch speaks neither SSL 2.0 nor the versions such hellos offer.
  if (avail >= 1 && (h[0] & 0x80) != 0) {
    if (avail < 3) return std::optional<RawRecord>{};  // wait for its msg_type
    if (h[2] == 1)
      return fail(Alert::protocol_version, "record: SSL 2.0-compatible ClientHello (TLS 1.2 or later required)");
  }
  if (avail >= 1 && !known_content_type(h[0])) {
    return fail(Alert::unexpected_message,
                "record: unknown content type " + std::to_string(h[0]) + " (RFC 8446 §5)");
  }
  if (avail >= 2 && h[1] != 0x03) {
    // legacy_record_version is otherwise ignored (RFC 8446 §5.1 allows
    // 0x0301 in the first ClientHello, 0x0303 elsewhere), but every TLS and
    // SSLv3 record has major version 3. Anything else is not a TLS record:
    // the header itself cannot be decoded, hence decode_error (§6.2).
    return fail(Alert::decode_error,
                "record: legacy_record_version major byte " + std::to_string(h[1]) +
                    " is not 3");
  }
  if (avail < kRecordHeaderLength) return std::optional<RawRecord>{};

  const size_t length = record_fragment_length(ByteView(h, kRecordHeaderLength));
  if (length > max_fragment) {
    // RFC 8446 §5.1/§5.2: a record longer than allowed → record_overflow.
    return fail(Alert::record_overflow, "record: length " + std::to_string(length) +
                                            " exceeds the limit of " +
                                            std::to_string(max_fragment));
  }
  if (avail < kRecordHeaderLength + length) return std::optional<RawRecord>{};

  RawRecord rec;
  rec.type = static_cast<ContentType>(h[0]);
  rec.version = static_cast<uint16_t>((uint16_t{h[1]} << 8) | h[2]);
  rec.header = std::span<uint8_t>(h, kRecordHeaderLength);
  rec.fragment = std::span<uint8_t>(h + kRecordHeaderLength, length);
  queue_.consume(kRecordHeaderLength + length);
  // The bytes stay where they are until the next feed(), so the views above
  // remain valid even when the indices restart at the front here.
  return std::optional<RawRecord>{rec};
}

}  // namespace vouch
