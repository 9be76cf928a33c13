// TLS 1.2 key derivation (RFC 5246 §8.1, §6.3, §7.4.9; RFC 7627 §4): the
// master secret (extended or not), the key block and Finished verify_data.
// What each suite is made of is in crypto/suite_params.h.
#pragma once

#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/suite_params.h"

namespace vouch {

constexpr size_t kMasterSecretLength = 48;  // RFC 5246 §8.1

/// master_secret = PRF(pre_master_secret, "master secret",
///                     ClientHello.random + ServerHello.random)[0..47]  (RFC 5246 §8.1)
Result<Bytes> master_secret(HashAlg prf_hash, ByteView pre_master_secret, ByteView client_random,
                            ByteView server_random);
/// master_secret = PRF(pre_master_secret, "extended master secret",
///                     session_hash)[0..47]  (RFC 7627 §4), session_hash
/// being the transcript hash up to and including ClientKeyExchange.
Result<Bytes> extended_master_secret(HashAlg prf_hash, ByteView pre_master_secret,
                                     ByteView session_hash);

/// The key block split into the two directions' keys and IVs (RFC 5246
/// §6.3; AEAD suites have no MAC keys): PRF(master_secret, "key expansion",
/// server_random + client_random).
struct KeyBlock12 {
  Bytes client_write_key, server_write_key;
  Bytes client_write_iv, server_write_iv;

  KeyBlock12() = default;
  KeyBlock12(KeyBlock12&&) noexcept = default;
  /// Wipes the keys and ivs it replaces.
  KeyBlock12& operator=(KeyBlock12&& other) noexcept;
  KeyBlock12(const KeyBlock12&) = delete;
  KeyBlock12& operator=(const KeyBlock12&) = delete;
  /// Wipes the keys and ivs (crypto/wipe.h).
  ~KeyBlock12();
};
Result<KeyBlock12> key_block12(CipherSuite suite, ByteView master_secret, ByteView client_random,
                               ByteView server_random);

/// verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))
/// [0..11], finished_label "client finished" or "server finished"
/// (RFC 5246 §7.4.9). `transcript_hash` is Hash(handshake_messages) with
/// the suite's PRF hash.
Result<Bytes> finished_verify_data12(HashAlg prf_hash, ByteView master_secret, bool client,
                                     ByteView transcript_hash);

}  // namespace vouch
