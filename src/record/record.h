// TLS record framing and protection (RFC 8446 §5).
#pragma once

#include <cstdint>
#include <optional>

#include "base/byte_queue.h"
#include "crypto/aead.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

enum class ContentType : uint8_t {
  invalid = 0,
  change_cipher_spec = 20,
  alert = 21,
  handshake = 22,
  application_data = 23,
};

constexpr size_t kRecordHeaderLength = 5;
constexpr size_t kMaxPlaintext = 1u << 14;                  // §5.1
constexpr size_t kMaxCiphertext13 = kMaxPlaintext + 256;    // §5.2
constexpr size_t kMaxCiphertext12 = kMaxPlaintext + 2048;   // RFC 5246 §6.2.3

/// The fragment length a record header announces (RFC 8446 §5.1:
/// type(1) legacy_record_version(2) length(2)). Not judged here: the
/// Deframer checks it against the limits. `header` holds at least
/// kRecordHeaderLength bytes.
inline size_t record_fragment_length(ByteView header) { return (size_t{header[3]} << 8) | header[4]; }

/// One record as it came off the wire: the header fields and a mutable view of
/// the fragment inside the Deframer's buffer (valid until the next call to
/// Deframer::feed or Deframer::next).
struct RawRecord {
  ContentType type = ContentType::invalid;
  uint16_t version = 0;
  std::span<uint8_t> header;    // the 5 header bytes (the AEAD additional data)
  std::span<uint8_t> fragment;
};

/// Splits the incoming byte stream into records (§5.1). Owns one buffer that
/// is reused (compacted, not reallocated) from record to record.
class Deframer {
 public:
  /// Appends bytes received from the network.
  void feed(ByteView data);
  /// The next complete record, or nullopt if more bytes are needed. Errors:
  /// unknown content type → unexpected_message; a length above
  /// max_fragment (set by the caller: kMaxCiphertext13 once encrypted,
  /// kMaxPlaintext + 256 before) → record_overflow; a bad legacy version
  /// (major byte != 3) → decode_error; a zero-length non-application-data
  /// plaintext record is left for the caller to judge.
  Result<std::optional<RawRecord>> next(size_t max_fragment = kMaxCiphertext12);
  /// Bytes buffered but not yet returned as records.
  size_t buffered() const { return queue_.size(); }

 private:
  ByteQueue queue_{kRecordHeaderLength + kMaxCiphertext12};
};

/// Writes a TLSPlaintext record (header + fragment) to out. fragment.size()
/// must be ≤ kMaxPlaintext (the caller fragments).
void write_plaintext_record(ContentType type, uint16_t legacy_version, ByteView fragment,
                            Bytes& out);

/// TLS 1.3 record protection for one direction (§5.2, §5.3): AEAD keyed with
/// the traffic key, per-record nonce = iv XOR 64-bit sequence number.
class RecordProtection13 {
 public:
  RecordProtection13() = default;
  RecordProtection13(RecordProtection13&&) noexcept = default;
  RecordProtection13& operator=(RecordProtection13&&) noexcept = default;

  /// Installs new keys (derived from a traffic secret) and resets the
  /// sequence number to 0.
  Status install(CipherSuite suite, ByteView traffic_secret);
  bool active() const { return aead_.has_value(); }
  uint64_t sequence() const { return seq_; }
  /// Tests only: jumps the sequence number (e.g. to just below 2^64 - 1 to
  /// check that it never wraps; seal/open refuse once it reaches 2^64 - 1).
  void set_sequence_for_testing(uint64_t n) { seq_ = n; }

  /// Appends one TLSCiphertext record carrying `inner_type` and `plaintext`
  /// (≤ kMaxPlaintext) plus `padding` zero bytes (§5.4) to out.
  Status seal(ContentType inner_type, ByteView plaintext, Bytes& out, size_t padding = 0);

  /// Decrypts a received application_data record in place. On success sets
  /// inner_type and returns the plaintext as a view into record.fragment.
  /// Errors: AEAD failure → bad_record_mac; plaintext > 2^14 → record_overflow;
  /// all-zero (no content type) → unexpected_message (§5.4). Also: fragment
  /// > kMaxCiphertext13 → record_overflow; shorter than the tag →
  /// bad_record_mac; outer type not application_data, or an inner type other
  /// than alert/handshake/application_data (e.g. a protected
  /// change_cipher_spec, §5) → unexpected_message; sequence number at 2^64-1
  /// → internal_error (§5.3: never wrap; rekey first). On failure the
  /// fragment's bytes are garbage and the sequence number is unchanged.
  Result<std::span<uint8_t>> open(const RawRecord& record, ContentType& inner_type);

 private:
  void nonce(uint8_t out[kAeadNonceLength]) const;
  std::optional<Aead> aead_;
  uint8_t iv_[kAeadNonceLength] = {};
  uint64_t seq_ = 0;
};

/// One complete handshake message.
struct HandshakeMessage {
  uint8_t type = 0;
  ByteView body;     // the message body (after the 4-byte header)
  ByteView message;  // header + body, as hashed into the transcript
};

/// Reassembles handshake messages that span records or share one (§5.1).
class HandshakeAssembler {
 public:
  /// Largest body accepted; bigger announced lengths are rejected up front
  /// with illegal_parameter (RFC 8446 gives no specific alert; OpenSSL sends
  /// illegal_parameter for an excessive message size; see add()).
  explicit HandshakeAssembler(size_t max_body = 1u << 17) : max_body_(max_body) {}

  void set_max_body(size_t n) { max_body_ = n; }
  /// Appends a handshake record's plaintext. A message header announcing more
  /// than max_body is rejected with illegal_parameter (reasoning in the .cpp);
  /// an empty fragment is unexpected_message (§5.1: zero-length handshake
  /// fragments MUST NOT be sent). Invalidates views returned by next().
  Status add(ByteView fragment);
  /// The next complete message, if any. The views stay valid until the next
  /// call to add() or next().
  std::optional<HandshakeMessage> next();
  /// True if no partial message is buffered. Key changes must fall on a
  /// record boundary with nothing buffered (§5.1: "Handshake messages MUST
  /// NOT span key changes"; violations are unexpected_message).
  bool empty() const { return queue_.empty(); }

 private:
  size_t max_body_;
  ByteQueue queue_{4096};  // most handshake messages fit
};

}  // namespace vouch
