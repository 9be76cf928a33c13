// TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3) for AES-GCM (RFC 5288
// §3) and ChaCha20-Poly1305 (RFC 7905 §2).
//
// Wire layout of a protected record (TLSCiphertext, RFC 5246 §6.2.3):
//   type(1) version(2) length(2) || nonce_explicit[record_iv_length] ||
//   aead-ciphered content || tag(16)
// record_iv_length is 8 for AES-GCM (RFC 5288 §3) and 0 for ChaCha20-
// Poly1305 (RFC 7905 §2). With the null compression TLS 1.2 always uses,
// TLSCompressed is the TLSPlaintext, so "the plaintext" below is the record's
// content.
#include <cstring>
#include <limits>

#include "crypto/suite_params.h"
#include "crypto/wipe.h"
#include "record/record.h"

namespace vouch {
namespace {

// RFC 5288 §3: "The nonce_explicit length (SecurityParameters.record_iv_length)
// is 8 octets"; the salt (fixed_iv_length) is 4.
constexpr size_t kGcmExplicitNonceLength = 8;
constexpr size_t kGcmSaltLength = 4;

// RFC 5246 §6.2.3.3: additional_data = seq_num(8) + type(1) + version(2) +
// length(2).
constexpr size_t kAadLength = 13;

constexpr uint16_t kTls12Version = 0x0303;  // RFC 5246 §6.2.1: {3, 3}

void put_u64(uint8_t* out, uint64_t v) {
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}

// RFC 5246 §6.2.3.3: additional_data = seq_num + TLSCompressed.type +
// TLSCompressed.version + TLSCompressed.length, the length being the
// plaintext's (not the ciphertext's, unlike TLS 1.3).
void additional_data(uint8_t out[kAadLength], uint64_t seq, ContentType type, uint16_t version,
                     size_t plaintext_length) {
  put_u64(out, seq);
  write_record_header(out + 8, type, version, plaintext_length);
}

Error sequence_exhausted() {
  // RFC 5246 §6.1: "Sequence numbers are of type uint64 and may not exceed
  // 2^64-1. Sequence numbers do not wrap." The last value is never used, so
  // the counter cannot come back to a nonce already used; vouch does not
  // renegotiate, so the connection has to end.
  return fail(Alert::internal_error,
              "record: sequence number exhausted, TLS 1.2 sequence numbers never wrap "
              "(RFC 5246 §6.1)");
}

}  // namespace

Status RecordProtection12::install(CipherSuite suite, ByteView key, ByteView iv, AeadUse use) {
  Suite12 p;
  if (!tls12_suite_params(suite, p)) {
    return fail(Alert::internal_error,
                "record: " + to_string(suite) + " is not a TLS 1.2 AEAD cipher suite");
  }
  if (key.size() != p.key_length || iv.size() != p.iv_length) {
    return fail(Alert::internal_error, "record: TLS 1.2 write key or IV has the wrong length");
  }
  // Everything that can fail happens before the state changes, so a failed
  // install leaves the previous keys (if any) in place.
  VOUCH_ASSIGN(Aead aead, Aead::create(p.aead, key, use));
  aead_.emplace(std::move(aead));
  explicit_nonce_ = p.aead != AeadAlg::chacha20poly1305;
  // AES-GCM: the 4-byte salt, followed by the explicit part per record
  // (zero here, filled in by nonce()). ChaCha20-Poly1305: the whole 12-byte
  // IV that the sequence number is XORed into.
  wipe_memory(iv_, sizeof iv_);
  std::memcpy(iv_, iv.data(), iv.size());
  // RFC 5246 §6.1: the sequence number is "set to zero whenever a
  // connection state is made the active state".
  seq_ = 0;
  return {};
}

void RecordProtection12::nonce(uint8_t out[kAeadNonceLength], const uint8_t* explicit_part) const {
  if (explicit_nonce_) {
    // RFC 5288 §3: struct { opaque salt[4]; opaque nonce_explicit[8]; }
    // GCMNonce.
    std::memcpy(out, iv_, kGcmSaltLength);
    std::memcpy(out + kGcmSaltLength, explicit_part, kGcmExplicitNonceLength);
    return;
  }
  // RFC 7905 §2: "The 64-bit record sequence number is serialized as an
  // 8-byte, big-endian value and padded on the left with four 0x00 bytes.
  // The padded sequence number is XORed with the client_write_IV (when the
  // client is sending) or server_write_IV (when the server is sending)."
  std::memcpy(out, iv_, kAeadNonceLength);
  for (size_t i = 0; i < 8; ++i) {
    out[kAeadNonceLength - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
  }
}

size_t RecordProtection12::sealed_size(size_t plaintext_length) const {
  return kRecordHeaderLength + (explicit_nonce_ ? kGcmExplicitNonceLength : 0) + plaintext_length +
         kAeadTagLength;
}

Status RecordProtection12::seal(ContentType type, ByteView plaintext, std::span<uint8_t> out) {
  if (!aead_) return fail(Alert::internal_error, "record: seal before keys are installed");
  if (seq_ == std::numeric_limits<uint64_t>::max()) return sequence_exhausted();
  if (plaintext.size() > kMaxPlaintext) {
    // RFC 5246 §6.2.1: TLSPlaintext.length "MUST NOT exceed 2^14". The
    // caller fragments; a longer plaintext is its bug.
    return fail(Alert::internal_error, "record: plaintext longer than 2^14 bytes");
  }
  if (out.size() != sealed_size(plaintext.size()))
    return fail(Alert::internal_error, "record: seal output of the wrong size");
  const size_t explicit_len = explicit_nonce_ ? kGcmExplicitNonceLength : 0;
  const size_t ct_len = plaintext.size() + kAeadTagLength;
  const size_t frag_len = explicit_len + ct_len;

  // header || nonce_explicit || ciphertext || tag, the ciphertext encrypted
  // straight from the caller's buffer into the record (no copy).
  uint8_t* hdr = out.data();
  uint8_t* explicit_part = hdr + kRecordHeaderLength;
  uint8_t* body = explicit_part + explicit_len;
  // RFC 5246 §6.2.3: the record keeps its real type; the version is TLS
  // 1.2's; length is that of the whole GenericAEADCipher fragment.
  write_record_header(hdr, type, kTls12Version, frag_len);
  // RFC 5288 §3: "The nonce_explicit MAY be the 64-bit sequence number."
  // That makes it distinct for every record under one key, as §3 requires,
  // without a random source.
  if (explicit_len) put_u64(explicit_part, seq_);

  uint8_t aad[kAadLength];
  additional_data(aad, seq_, type, kTls12Version, plaintext.size());
  uint8_t n[kAeadNonceLength];
  nonce(n, explicit_part);
  VOUCH_TRY(aead_->seal(ByteView(n, sizeof n), ByteView(aad, sizeof aad), plaintext,
                        std::span<uint8_t>(body, ct_len)));
  ++seq_;
  return {};
}

Status RecordProtection12::seal(ContentType type, ByteView plaintext, Bytes& out) {
  // plaintext must not point into out (resize may move it).
  const size_t at = out.size();
  out.resize(at + sealed_size(plaintext.size()));
  Status st = seal(type, plaintext, std::span<uint8_t>(out).subspan(at));
  if (!st.ok()) out.resize(at);  // leave out as it was; never emit a half-built record
  return st;
}

Result<std::span<uint8_t>> RecordProtection12::open(const RawRecord& record) {
  const size_t skip = explicit_nonce_ ? kGcmExplicitNonceLength : 0;
  // In place: the plaintext lands where the ciphertext starts, behind the
  // explicit nonce.
  return open(record, record.fragment.size() >= skip ? record.fragment.subspan(skip) : record.fragment);
}

Result<std::span<uint8_t>> RecordProtection12::open(const RawRecord& record, std::span<uint8_t> dest) {
  if (!aead_) return fail(Alert::internal_error, "record: open before keys are installed");
  const std::span<uint8_t> frag = record.fragment;
  if (frag.size() > kMaxCiphertext12) {
    // RFC 5246 §6.2.3: TLSCiphertext.length "MUST NOT exceed 2^14 + 2048";
    // §7.2.2: record_overflow for "a length more than 2^14+2048 bytes".
    return fail(Alert::record_overflow, "record: ciphertext longer than 2^14 + 2048 bytes");
  }
  const size_t explicit_len = explicit_nonce_ ? kGcmExplicitNonceLength : 0;
  if (frag.size() < explicit_len + kAeadTagLength) {
    // Too short to hold the explicit nonce and a tag: it cannot be authentic
    // (§6.2.3.3: a failed decryption is bad_record_mac).
    return fail(Alert::bad_record_mac,
                "record: ciphertext shorter than the explicit nonce and the AEAD tag");
  }
  if (seq_ == std::numeric_limits<uint64_t>::max()) return sequence_exhausted();

  const std::span<uint8_t> sealed = frag.subspan(explicit_len);  // ciphertext || tag
  const size_t pt_len = sealed.size() - kAeadTagLength;
  // §6.2.3.3: the AAD carries the type and version of the received header
  // (tampering with either fails the AEAD check) and the plaintext length.
  uint8_t aad[kAadLength];
  additional_data(aad, seq_, record.type, record.version, pt_len);
  // RFC 5288 §3: the receiver takes nonce_explicit from the record; a peer
  // may choose it however it likes as long as it is unique.
  uint8_t n[kAeadNonceLength];
  nonce(n, frag.data());
  if (dest.size() < pt_len) return fail(Alert::internal_error, "record: open destination too small");
  const std::span<uint8_t> plaintext = dest.first(pt_len);
  // §6.2.3.3: "If the decryption fails, a fatal bad_record_mac alert MUST
  // be generated" — the Aead reports exactly that.
  VOUCH_TRY(aead_->open(ByteView(n, sizeof n), ByteView(aad, sizeof aad), sealed, plaintext));

  if (pt_len > kMaxPlaintext) {
    // §6.2.1: TLSPlaintext.length "MUST NOT exceed 2^14"; §7.2.2:
    // record_overflow for "a record decrypted to a TLSCompressed record"
    // that is too long. Judged only once the record is known authentic.
    // The plaintext is not handed out, so wipe it.
    wipe_memory(plaintext);
    return fail(Alert::record_overflow, "record: plaintext longer than 2^14 bytes");
  }
  ++seq_;
  return plaintext;
}

}  // namespace vouch
