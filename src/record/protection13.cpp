// TLS 1.3 record protection (RFC 8446 §5.2 record payload protection, §5.3
// per-record nonce, §5.4 record padding).
#include <cstring>
#include <limits>

#include "crypto/traffic_keys.h"
#include "crypto/wipe.h"
#include "record/record.h"

namespace vouch {
namespace {

// §5.2: the TLSInnerPlaintext (content || type || zeros) is at most
// 2^14 + 1 bytes: the content limit plus the one type byte.
constexpr size_t kMaxInnerPlaintext = kMaxPlaintext + 1;

bool allowed_inner_type(uint8_t t) {
  // Only alert, handshake and application_data travel encrypted in 1.3;
  // §5: "An implementation which ... receives a protected change_cipher_spec
  // record MUST abort the handshake with an "unexpected_message" alert", and
  // unknown types are unexpected_message as well.
  return t == static_cast<uint8_t>(ContentType::alert) ||
         t == static_cast<uint8_t>(ContentType::handshake) ||
         t == static_cast<uint8_t>(ContentType::application_data);
}

Error sequence_exhausted() {
  // §5.3: "If a TLS implementation would need to wrap a sequence number, it
  // MUST either rekey (Section 4.6.3) or terminate the connection." The last
  // value is never used, so the counter cannot wrap back to a used nonce.
  return fail(Alert::internal_error,
              "record: sequence number exhausted, a KeyUpdate is required (RFC 8446 §5.3)");
}

}  // namespace

Status RecordProtection13::install(CipherSuite suite, ByteView traffic_secret, AeadUse use) {
  HashAlg hash;
  AeadAlg alg;
  if (!tls13_suite_params(suite, hash, alg)) {
    return fail(Alert::internal_error,
                "record: " + to_string(suite) + " is not a TLS 1.3 cipher suite");
  }
  // Key and iv in stack buffers, wiped when `keys` goes (no heap).
  TrafficKeys keys;
  VOUCH_TRY(derive_traffic_keys(suite, traffic_secret, keys));
  if (keys.key_length != aead_key_length(alg)) {
    return fail(Alert::internal_error, "record: traffic key has the wrong length");
  }
  if (aead_ && aead_->alg() == alg && aead_->use() == use) {
    // The next key of this direction (handshake to application traffic,
    // a KeyUpdate): the contexts stay, only the key changes.
    if (Status st = aead_->rekey(keys.key_view()); !st.ok()) {
      aead_.reset();  // part-keyed: nothing may be protected with it
      return st;
    }
  } else {
    auto aead = Aead::create(alg, keys.key_view(), use);
    if (!aead.ok()) return std::move(aead).error();
    aead_.emplace(std::move(aead).value());
  }
  std::memcpy(iv_, keys.iv, kAeadNonceLength);
  // §5.3: "the appropriate sequence number is reset to zero whenever a key
  // is changed".
  seq_ = 0;
  return {};
}

void RecordProtection13::nonce(uint8_t out[kAeadNonceLength]) const {
  // §5.3: the 64-bit sequence number in network byte order, left-padded with
  // zeros to iv_length, XORed with the static iv.
  std::memcpy(out, iv_, kAeadNonceLength);
  for (size_t i = 0; i < 8; ++i) {
    out[kAeadNonceLength - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
  }
}

size_t RecordProtection13::sealed_size(size_t plaintext_length, size_t padding) {
  // header || TLSInnerPlaintext (content || type || zeros) || tag (§5.2).
  return kRecordHeaderLength + plaintext_length + 1 + padding + kAeadTagLength;
}

Status RecordProtection13::seal(ContentType inner_type, ByteView plaintext, std::span<uint8_t> out,
                                size_t padding) {
  if (!aead_) return fail(Alert::internal_error, "record: seal before keys are installed");
  if (seq_ == std::numeric_limits<uint64_t>::max()) return sequence_exhausted();
  if (plaintext.size() > kMaxPlaintext || padding > kMaxInnerPlaintext ||
      plaintext.size() + 1 + padding > kMaxInnerPlaintext) {
    // §5.4: "The full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1
    // octets." The caller fragments and chooses padding; this is its bug.
    return fail(Alert::internal_error, "record: plaintext plus padding exceeds 2^14 bytes");
  }
  const size_t inner_len = plaintext.size() + 1 + padding;
  const size_t ct_len = inner_len + kAeadTagLength;
  if (out.size() != kRecordHeaderLength + ct_len)
    return fail(Alert::internal_error, "record: seal output of the wrong size");

  uint8_t* hdr = out.data();
  uint8_t* body = hdr + kRecordHeaderLength;
  // §5.2: opaque_type is always application_data and legacy_record_version
  // always 0x0303 on protected records.
  write_record_header(hdr, ContentType::application_data, 0x0303, ct_len);
  // TLSInnerPlaintext = content || type || zeros (§5.2). The content is
  // encrypted straight from the caller's buffer into the record (no copy);
  // the type byte and the padding are written behind where it lands and
  // encrypted in place.
  body[plaintext.size()] = static_cast<uint8_t>(inner_type);
  std::memset(body + plaintext.size() + 1, 0, padding);

  uint8_t n[kAeadNonceLength];
  nonce(n);
  VOUCH_TRY(aead_->seal(ByteView(n, sizeof n), ByteView(hdr, kRecordHeaderLength), plaintext,
                        std::span<uint8_t>(body, ct_len), 1 + padding));
  ++seq_;
  return {};
}

Status RecordProtection13::seal(ContentType inner_type, ByteView plaintext, Bytes& out,
                                size_t padding) {
  // plaintext must not point into out (resize may move it).
  const size_t at = out.size();
  out.resize(at + sealed_size(plaintext.size(), padding));
  Status st = seal(inner_type, plaintext, std::span<uint8_t>(out).subspan(at), padding);
  if (!st.ok()) out.resize(at);  // leave out as it was; never emit a half-built record
  return st;
}

Result<std::span<uint8_t>> RecordProtection13::open(const RawRecord& record,
                                                    ContentType& inner_type) {
  return open(record, inner_type, record.fragment);
}

Result<std::span<uint8_t>> RecordProtection13::open(const RawRecord& record, ContentType& inner_type,
                                                    std::span<uint8_t> dest) {
  if (!aead_) return fail(Alert::internal_error, "record: open before keys are installed");
  if (record.type != ContentType::application_data) {
    // §5.2: every protected record has opaque_type application_data; the
    // caller deals with the plaintext change_cipher_spec of Appendix D.4.
    return fail(Alert::unexpected_message,
                "record: protected record with outer type " +
                    std::to_string(static_cast<unsigned>(record.type)));
  }
  const std::span<uint8_t> frag = record.fragment;
  if (frag.size() > kMaxCiphertext13) {
    // §5.2: "An endpoint that receives a record that exceeds this length
    // MUST terminate the connection with a "record_overflow" alert."
    return fail(Alert::record_overflow, "record: ciphertext longer than 2^14 + 256 bytes");
  }
  if (frag.size() < kAeadTagLength) {
    // Too short to carry a tag: it cannot be authentic (§5.2 deprotection failure).
    return fail(Alert::bad_record_mac, "record: ciphertext shorter than the AEAD tag");
  }
  if (seq_ == std::numeric_limits<uint64_t>::max()) return sequence_exhausted();

  uint8_t aad[kRecordHeaderLength];
  // §5.2: additional_data = TLSCiphertext.opaque_type ||
  // TLSCiphertext.legacy_record_version || TLSCiphertext.length.
  write_record_header(aad, record.type, record.version, frag.size());
  uint8_t n[kAeadNonceLength];
  nonce(n);
  if (dest.size() < frag.size() - kAeadTagLength)
    return fail(Alert::internal_error, "record: open destination too small");
  const std::span<uint8_t> inner = dest.first(frag.size() - kAeadTagLength);
  // §5.2: "If the decryption fails, the receiver MUST terminate the connection
  // with a "bad_record_mac" alert" — the Aead reports exactly that.
  VOUCH_TRY(aead_->open(ByteView(n, sizeof n), ByteView(aad, sizeof aad), frag, inner));
  ++seq_;

  if (inner.size() > kMaxInnerPlaintext) {
    // §5.4: "If the length of the TLSInnerPlaintext exceeds 2^14 + 1 octets
    // ... terminate the connection with a "record_overflow" alert."
    return fail(Alert::record_overflow, "record: inner plaintext longer than 2^14 + 1 bytes");
  }
  // §5.4: the content type is the last non-zero byte; everything after it is
  // padding. Scan from the end.
  size_t i = inner.size();
  while (i > 0 && inner[i - 1] == 0) --i;
  if (i == 0) {
    // §5.4: "If a receiving implementation does not find a non-zero octet in
    // the cleartext, it MUST terminate the connection with an
    // "unexpected_message" alert."
    return fail(Alert::unexpected_message, "record: no content type in TLSInnerPlaintext");
  }
  const uint8_t type = inner[i - 1];
  if (!allowed_inner_type(type)) {
    return fail(Alert::unexpected_message,
                "record: content type " + std::to_string(type) + " is not allowed encrypted");
  }
  inner_type = static_cast<ContentType>(type);
  return inner.first(i - 1);
}

}  // namespace vouch
