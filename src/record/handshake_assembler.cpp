// Reassembling handshake messages from handshake records (RFC 8446 §5.1,
// RFC 5246 §6.2.1): "Handshake messages MAY be coalesced into a single
// TLSPlaintext record or fragmented across several records".
//
// Every message is Handshake { msg_type(1) || length(3) || body } (§4). The
// assembler buffers record plaintext in one reusable buffer and hands out
// complete messages as views into it. next() consumes a message at once
// (only its indices move, the bytes stay), so empty() is exact for the
// key-change check and views stay valid until the next add(), which is the
// only place that moves or reallocates the buffer.
#include <algorithm>
#include <cstring>

#include "record/record.h"

namespace vouch {
namespace {

constexpr size_t kHandshakeHeaderLength = 4;  // msg_type(1) + uint24 length (§4)

size_t body_length(const uint8_t* header) {
  return (size_t{header[1]} << 16) | (size_t{header[2]} << 8) | header[3];
}

}  // namespace

Status HandshakeAssembler::add(ByteView fragment) {
  if (fragment.empty()) {
    // §5.1: "Implementations MUST NOT send zero-length fragments of Handshake
    // types, even if those fragments contain padding." Receiving one is an
    // inappropriate message.
    return fail(Alert::unexpected_message, "handshake: zero-length handshake record");
  }
  queue_.append(fragment);

  // Check every message header now in the buffer, so an oversized message is
  // refused as soon as its length is known, before we buffer its body.
  //
  // Alert choice: RFC 8446 names none for "message too large for this
  // implementation". The encoding is valid (decode_error would claim it is
  // malformed) and the record layer is fine (record_overflow is about record
  // lengths, §5.2); what is wrong is one field's value, which §6.2 describes
  // as illegal_parameter ("A field in the handshake was incorrect or
  // inconsistent with other fields"). OpenSSL sends the same alert for its
  // EXCESSIVE_MESSAGE_SIZE error, so peers and tests see consistent behaviour.
  const uint8_t* buf = queue_.data();
  const size_t end = queue_.size();
  size_t pos = 0;
  while (end - pos >= kHandshakeHeaderLength) {
    const size_t len = body_length(buf + pos);
    if (len > max_body_) {
      return fail(Alert::illegal_parameter,
                  "handshake: message type " + std::to_string(buf[pos]) + " announces " +
                      std::to_string(len) + " bytes, above the limit of " +
                      std::to_string(max_body_));
    }
    if (end - pos < kHandshakeHeaderLength + len) break;
    pos += kHandshakeHeaderLength + len;
  }
  return {};
}

bool HandshakeAssembler::mid_message() const {
  const uint8_t* buf = queue_.data();
  const size_t end = queue_.size();
  size_t pos = 0;
  while (end - pos >= kHandshakeHeaderLength) {
    const size_t whole = kHandshakeHeaderLength + body_length(buf + pos);
    if (end - pos < whole) return true;
    pos += whole;
  }
  return pos != end;  // a header cut short
}

std::optional<HandshakeMessage> HandshakeAssembler::next() {
  const size_t avail = queue_.size();
  if (avail < kHandshakeHeaderLength) return std::nullopt;
  const uint8_t* h = queue_.data();
  // The length was checked against max_body_ in add() when it arrived.
  const size_t len = body_length(h);
  if (avail < kHandshakeHeaderLength + len) return std::nullopt;

  HandshakeMessage m;
  m.type = h[0];
  m.message = ByteView(h, kHandshakeHeaderLength + len);
  m.body = m.message.subspan(kHandshakeHeaderLength);
  queue_.consume(kHandshakeHeaderLength + len);
  return m;
}

}  // namespace vouch
