// TLS 1.2 key derivation (RFC 5246 §8.1, §6.3, §7.4.9; RFC 7627 §4): the
// master secret (extended or not), the key block, Finished verify_data, and
// the parameters of the TLS 1.2 cipher suites vouch implements.
#pragma once

#include "crypto/aead.h"
#include "crypto/hash.h"

namespace vouch {

/// What a TLS 1.2 suite is made of (RFC 5288/5289, RFC 7905, RFC 8422).
struct Suite12 {
  HashAlg prf_hash = HashAlg::sha256;  // the PRF and Finished hash
  AeadAlg aead = AeadAlg::aes128gcm;
  size_t key_length = 16;
  size_t iv_length = 4;    // fixed_iv_length: 4 for AES-GCM, 12 for ChaCha20
  bool ecdsa = true;       // authentication: ECDSA (or EdDSA) vs RSA
};

/// The parameters of a TLS 1.2 ECDHE AEAD suite; false for anything else
/// (TLS 1.3 suites, CBC, static RSA, unknown values).
bool tls12_suite_params(CipherSuite suite, Suite12& out);

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
