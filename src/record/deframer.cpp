// Splitting the received byte stream into TLS records (RFC 8446 §5.1,
// RFC 5246 §6.2.1).
//
// The Deframer keeps one buffer for the whole connection. Bytes between
// start_ and end_ are buffered and not yet returned; records are handed out as
// views into the buffer, so nothing is copied per record. The buffer only
// moves data (tail to the front) when an append would not fit behind end_,
// and only grows when the unconsumed bytes plus the append exceed its size:
// in steady state (records of bounded size, reads of bounded size) it neither
// reallocates nor shifts on every record.
#include <algorithm>
#include <cstring>

#include "record/record.h"

namespace vouch {
namespace {

// Smallest allocation: one full TLS 1.2 record with its header, so that a
// connection carrying maximum-size records settles after the first one.
constexpr size_t kInitialBuffer = kRecordHeaderLength + kMaxCiphertext12;

bool known_content_type(uint8_t t) {
  // RFC 8446 §5: "If a TLS implementation receives an unexpected record type,
  // it MUST terminate the connection with an unexpected_message alert." The
  // four types below are the only ones defined for TLS 1.2 and 1.3 (B.1).
  return t >= static_cast<uint8_t>(ContentType::change_cipher_spec) &&
         t <= static_cast<uint8_t>(ContentType::application_data);
}

}  // namespace

void Deframer::feed(ByteView data) {
  if (data.empty()) return;
  if (start_ == end_) start_ = end_ = 0;  // nothing buffered: restart at the front for free
  if (buf_.size() - end_ < data.size()) {
    const size_t live = end_ - start_;
    const size_t need = live + data.size();
    if (need <= buf_.size()) {
      // Enough room overall: slide the unconsumed tail to the front.
      std::memmove(buf_.data(), buf_.data() + start_, live);
    } else {
      // Grow geometrically (amortised O(1) per byte); copy only the live bytes.
      Bytes bigger(std::max({need, buf_.size() * 2, kInitialBuffer}));
      if (live != 0) std::memcpy(bigger.data(), buf_.data() + start_, live);
      buf_.swap(bigger);
    }
    start_ = 0;
    end_ = live;
  }
  std::memcpy(buf_.data() + end_, data.data(), data.size());
  end_ += data.size();
}

Result<std::optional<RawRecord>> Deframer::next(size_t max_fragment) {
  const size_t avail = end_ - start_;
  const uint8_t* h = buf_.data() + start_;

  // Validate header fields as soon as their bytes are here, so that a peer
  // speaking something else entirely (an HTTP request, an SSLv2 hello) is
  // rejected at once instead of after we wait for a bogus length.
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

  const size_t length = (size_t{h[3]} << 8) | h[4];
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
  rec.header = std::span<uint8_t>(buf_.data() + start_, kRecordHeaderLength);
  rec.fragment = std::span<uint8_t>(buf_.data() + start_ + kRecordHeaderLength, length);
  start_ += kRecordHeaderLength + length;
  // The bytes stay where they are until the next feed(), so the views above
  // remain valid even when the indices restart at the front here.
  if (start_ == end_) start_ = end_ = 0;
  return std::optional<RawRecord>{rec};
}

}  // namespace vouch
