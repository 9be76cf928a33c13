// Hash functions and the running handshake transcript (RFC 8446 §4.4.1).
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <span>
#include <utility>

#include "crypto/ossl.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

enum class HashAlg { sha256, sha384, sha512 };

size_t hash_length(HashAlg alg);  // 32, 48, 64
/// The EVP_MD for alg, fetched once per process and reused (never null).
const EVP_MD* evp_md(HashAlg alg);
/// One-shot digest.
Result<Bytes> digest(HashAlg alg, ByteView data);
/// One-shot HMAC (RFC 2104), used for Finished (RFC 8446 §4.4.4).
Result<Bytes> hmac(HashAlg alg, ByteView key, ByteView data);
/// HMAC(key, parts[0] || parts[1] || ...) written to `out`, which must be
/// exactly hash_length(alg) bytes: the building block of HKDF (RFC 5869)
/// and the TLS 1.2 PRF (RFC 5246 §5). Reuses one keyed context per thread
/// and hash, so it neither fetches nor allocates a context per call (and
/// wipes the key from it before returning).
Status hmac_into(HashAlg alg, ByteView key, std::initializer_list<ByteView> parts, std::span<uint8_t> out);

/// While one of these lives on a thread, hmac_into() leaves its last key in
/// the thread's context and the outermost scope wipes it when it ends: one
/// wipe per library call instead of one per HMAC. Wiping means re-keying the
/// context, which costs as much as the HMAC's own keying, and a TLS 1.3
/// handshake step runs a dozen HKDF derivations in a row. Put one around
/// each public entry point that runs the handshake (Connection::start,
/// receive, resume), so no key state outlives the call that made it.
/// Without a scope, hmac_into() wipes after every call. Scopes nest.
class HmacWipeScope {
 public:
  HmacWipeScope();
  ~HmacWipeScope();
  HmacWipeScope(const HmacWipeScope&) = delete;
  HmacWipeScope& operator=(const HmacWipeScope&) = delete;
};
/// True while this thread's HMAC contexts hold a key an open HmacWipeScope
/// will wipe (for tests).
bool hmac_wipe_pending();

/// A hash value held by value (up to SHA-512's 64 bytes): what
/// Transcript::current() returns several times a handshake, without a heap
/// allocation. Reads as a ByteView.
class HashValue {
 public:
  HashValue() = default;
  explicit HashValue(size_t size) : size_(size <= kMax ? size : kMax) {}
  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* data() { return bytes_.data(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const uint8_t* begin() const { return bytes_.data(); }
  const uint8_t* end() const { return bytes_.data() + size_; }
  ByteView view() const { return ByteView(bytes_.data(), size_); }
  operator ByteView() const { return view(); }  // NOLINT(implicit): used where a view is
  Bytes to_bytes() const { return Bytes(begin(), end()); }
  friend bool operator==(const HashValue& a, const HashValue& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  static constexpr size_t kMax = 64;
  std::array<uint8_t, kMax> bytes_{};
  size_t size_ = 0;
};

/// The transcript hash. Before the cipher suite is known, messages are
/// buffered; select(alg) fixes the hash and absorbs the buffer. After a
/// HelloRetryRequest, restart_with_message_hash() replaces ClientHello1 with
/// the synthetic message_hash message (RFC 8446 §4.4.1).
class Transcript {
 public:
  Transcript() = default;
  Transcript(Transcript&&) noexcept = default;
  Transcript& operator=(Transcript&&) noexcept = default;
  /// Deep copy (duplicates the digest state); used for PSK binders.
  Result<Transcript> clone() const;

  Status select(HashAlg alg);
  bool selected() const { return ctx_ != nullptr; }
  HashAlg alg() const { return alg_; }
  /// Adds a whole handshake message (4-byte header included).
  Status update(ByteView message);
  /// Hash of everything so far; the running state is not disturbed.
  Result<HashValue> current() const;
  /// RFC 8446 §4.4.1: Transcript-Hash(ClientHello1, HRR, ...) =
  /// Hash(message_hash || 00 00 Hash.length || Hash(ClientHello1) || HRR ...).
  /// Call after select() and after ClientHello1 was added, before the HRR.
  Status restart_with_message_hash();

  /// TLS 1.2's CertificateVerify signs the handshake messages themselves
  /// with its scheme's hash, which need not be the transcript's (RFC 5246
  /// §7.4.8): from this call on, a copy of every message is kept — with
  /// those buffered so far, if the hash is not selected yet.
  void keep_messages();
  /// Stops keeping messages and frees the copy.
  void drop_messages();
  /// The messages kept (empty unless keep_messages() was called).
  ByteView messages() const { return messages_; }

 private:
  HashAlg alg_ = HashAlg::sha256;
  ossl::EvpMdCtx ctx_;
  Bytes pending_;  // messages seen before select()
  bool keep_ = false;
  Bytes messages_;
};

}  // namespace vouch
