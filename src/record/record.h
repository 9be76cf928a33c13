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

/// Writes a record header (RFC 8446 §5.1, RFC 5246 §6.2.1): type(1)
/// version(2) length(2); also the tail of TLS 1.2's additional_data
/// (§6.2.3.3). `length` ≤ 2^16-1.
inline void write_record_header(uint8_t out[kRecordHeaderLength], ContentType type, uint16_t version,
                                size_t length) {
  out[0] = static_cast<uint8_t>(type);
  out[1] = static_cast<uint8_t>(version >> 8);
  out[2] = static_cast<uint8_t>(version);
  out[3] = static_cast<uint8_t>(length >> 8);
  out[4] = static_cast<uint8_t>(length);
}

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
  /// Bytes allocated for buffering (0 once released).
  size_t capacity() const { return queue_.capacity(); }
  /// Frees the buffer if nothing is buffered (views from next() die).
  void release_if_empty() { queue_.release(); }

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
  /// sequence number to 0. `use`: the operation this direction needs
  /// (AeadUse::seal for writing, open for reading); both for tests.
  Status install(CipherSuite suite, ByteView traffic_secret, AeadUse use = AeadUse::both);
  bool active() const { return aead_.has_value(); }
  uint64_t sequence() const { return seq_; }
  /// Tests only: jumps the sequence number (e.g. to just below 2^64 - 1 to
  /// check that it never wraps; seal/open refuse once it reaches 2^64 - 1).
  void set_sequence_for_testing(uint64_t n) { seq_ = n; }

  /// The size of the record seal() makes (header included).
  static size_t sealed_size(size_t plaintext_length, size_t padding = 0);
  /// Writes one TLSCiphertext record carrying `inner_type` and `plaintext`
  /// (≤ kMaxPlaintext) plus `padding` zero bytes (§5.4) into out, which is
  /// exactly sealed_size() bytes and does not overlap plaintext. The
  /// plaintext is encrypted straight into out.
  Status seal(ContentType inner_type, ByteView plaintext, std::span<uint8_t> out, size_t padding = 0);
  /// The same, appended to out.
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
  /// The same, decrypting into `dest` instead (at least the fragment's
  /// length minus the tag; not partly overlapping the fragment): the
  /// returned plaintext is a view into dest, and on failure dest's bytes
  /// are garbage.
  Result<std::span<uint8_t>> open(const RawRecord& record, ContentType& inner_type, std::span<uint8_t> dest);

 private:
  void nonce(uint8_t out[kAeadNonceLength]) const;
  std::optional<Aead> aead_;
  uint8_t iv_[kAeadNonceLength] = {};
  uint64_t seq_ = 0;
};

/// TLS 1.2 AEAD record protection for one direction (RFC 5246 §6.2.3.3):
///  * AES-GCM (RFC 5288 §3): nonce = 4-byte implicit salt (the
///    client/server_write_IV of the key block) || 8-byte explicit nonce
///    carried in front of the ciphertext; vouch's explicit nonce is the
///    sequence number (unique per key, as §3 requires);
///  * ChaCha20-Poly1305 (RFC 7905 §2): no explicit nonce; nonce = the
///    12-byte write IV XOR the 64-bit sequence number, left-padded.
/// additional_data = seq_num(8) || type(1) || version(2) || length(2), the
/// length being the plaintext's (RFC 5246 §6.2.3.3). Records keep their real
/// content type on the wire (no inner type, no padding).
class RecordProtection12 {
 public:
  RecordProtection12() = default;
  RecordProtection12(RecordProtection12&&) noexcept = default;
  RecordProtection12& operator=(RecordProtection12&&) noexcept = default;

  /// Installs a write key and IV from the key block (RFC 5246 §6.3): `iv`
  /// is 4 bytes for the AES-GCM suites, 12 for ChaCha20-Poly1305. Resets
  /// the sequence number to 0 (RFC 5246 §6.1: "set to zero whenever a
  /// connection state is made the active state"). Errors: not a TLS 1.2
  /// AEAD suite, or key/iv lengths that do not fit it → internal_error.
  Status install(CipherSuite suite, ByteView key, ByteView iv, AeadUse use = AeadUse::both);
  bool active() const { return aead_.has_value(); }
  uint64_t sequence() const { return seq_; }
  void set_sequence_for_testing(uint64_t n) { seq_ = n; }

  /// The size of the record seal() makes (header included).
  size_t sealed_size(size_t plaintext_length) const;
  /// Writes one protected record of `type` (version 0x0303) carrying
  /// `plaintext` (≤ kMaxPlaintext) into out, exactly sealed_size() bytes
  /// not overlapping plaintext; the plaintext is encrypted straight into it.
  Status seal(ContentType type, ByteView plaintext, std::span<uint8_t> out);
  /// The same, appended to out.
  Status seal(ContentType type, ByteView plaintext, Bytes& out);

  /// Decrypts a received record in place; returns the plaintext as a view
  /// into record.fragment. Errors: fragment > kMaxCiphertext12 or plaintext
  /// > 2^14 → record_overflow (RFC 5246 §6.2.3); shorter than explicit
  /// nonce + tag, or a failed AEAD check → bad_record_mac (§6.2.3.3);
  /// sequence number at 2^64-1 → internal_error (§6.1: never wrap). On
  /// failure the sequence number is unchanged.
  Result<std::span<uint8_t>> open(const RawRecord& record);
  /// The same, decrypting into `dest` (at least the plaintext's length; not
  /// partly overlapping the fragment); the plaintext is a view into dest.
  Result<std::span<uint8_t>> open(const RawRecord& record, std::span<uint8_t> dest);

 private:
  void nonce(uint8_t out[kAeadNonceLength], const uint8_t* explicit_part) const;
  std::optional<Aead> aead_;
  bool explicit_nonce_ = true;  // AES-GCM: true; ChaCha20-Poly1305: false
  uint8_t iv_[kAeadNonceLength] = {};  // GCM: the first 4 bytes are the salt
  uint64_t seq_ = 0;
};

/// One direction's record protection in whichever version the connection
/// negotiated: nothing (plaintext), TLS 1.3 (RFC 8446 §5.2) or TLS 1.2
/// (RFC 5246 §6.2.3.3). What the connection's run loop holds.
class RecordProtection {
 public:
  /// The operation this direction performs: each direction keys only the
  /// AEAD context it uses (see AeadUse); both by default, for tests.
  explicit RecordProtection(AeadUse use = AeadUse::both) : use_(use) {}
  /// TLS 1.3: keys from a traffic secret (RecordProtection13::install).
  Status install(CipherSuite suite, ByteView traffic_secret);
  /// TLS 1.2: key and IV from the key block (RecordProtection12::install).
  Status install12(CipherSuite suite, ByteView key, ByteView iv);
  bool active() const { return v13_.active() || v12_.active(); }
  bool tls12() const { return v12_.active(); }
  uint64_t sequence() const { return v12_.active() ? v12_.sequence() : v13_.sequence(); }

  /// The size of the record seal() makes for `plaintext_length` bytes.
  size_t sealed_size(size_t plaintext_length) const {
    return v12_.active() ? v12_.sealed_size(plaintext_length) : RecordProtection13::sealed_size(plaintext_length);
  }
  /// Seals one record of `type` (TLS 1.3: hidden as the inner type) into
  /// out, exactly sealed_size() bytes.
  Status seal(ContentType type, ByteView plaintext, std::span<uint8_t> out);
  /// The same, appended to out.
  Status seal(ContentType type, ByteView plaintext, Bytes& out);
  /// Opens one record; sets `type` to its content type (TLS 1.3: the inner
  /// type; TLS 1.2: the record's own). With `dest`, the plaintext is
  /// decrypted there (room for the fragment's length) instead of in place.
  Result<std::span<uint8_t>> open(const RawRecord& record, ContentType& type);
  Result<std::span<uint8_t>> open(const RawRecord& record, ContentType& type, std::span<uint8_t> dest);

 private:
  AeadUse use_;
  RecordProtection13 v13_;
  RecordProtection12 v12_;
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
  /// True if the buffer ends inside a message: part of one has arrived and
  /// the rest has not. RFC 8446 §5.1: "if a handshake message is split over
  /// two or more records, there MUST NOT be any other records between them".
  bool mid_message() const;
  /// Bytes allocated for buffering (0 once released).
  size_t capacity() const { return queue_.capacity(); }
  /// Frees the buffer if no partial message is buffered (views die).
  void release_if_empty() { queue_.release(); }

 private:
  size_t max_body_;
  ByteQueue queue_{4096};  // most handshake messages fit
};

}  // namespace vouch
