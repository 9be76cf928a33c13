// TLS 1.2 key derivation: master secret (RFC 5246 §8.1, RFC 7627 §4), key
// block (RFC 5246 §6.3) and Finished verify_data (RFC 5246 §7.4.9).
#include "handshake/master_secret.h"

#include <array>
#include <cstring>

#include "crypto/prf.h"
#include "crypto/wipe.h"

namespace vouch {
namespace {

// RFC 5246 §7.4.1.2: struct { uint32 gmt_unix_time; opaque
// random_bytes[28]; } Random — 32 bytes on the wire.
constexpr size_t kRandomLength = 32;

// RFC 5246 §7.4.9: "Any cipher suite which does not explicitly specify
// verify_data_length has a verify_data_length equal to 12." None of RFC
// 5288/5289/7905 specifies another.
constexpr size_t kVerifyDataLength = 12;

// Fills `out` with a || b (both 32-byte randoms) for the §8.1/§6.3 seeds.
void join_randoms(ByteView a, ByteView b, std::array<uint8_t, 2 * kRandomLength>& out) {
  std::memcpy(out.data(), a.data(), kRandomLength);
  std::memcpy(out.data() + kRandomLength, b.data(), kRandomLength);
}

}  // namespace

Result<Bytes> master_secret(HashAlg prf_hash, ByteView pre_master_secret, ByteView client_random,
                            ByteView server_random) {
  if (client_random.size() != kRandomLength || server_random.size() != kRandomLength) {
    return fail(Alert::internal_error, "master secret: randoms must be 32 bytes");
  }
  // RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret",
  //   ClientHello.random + ServerHello.random)[0..47];
  std::array<uint8_t, 2 * kRandomLength> seed;
  join_randoms(client_random, server_random, seed);
  return tls12_prf(prf_hash, pre_master_secret, "master secret", seed, kMasterSecretLength);
}

Result<Bytes> extended_master_secret(HashAlg prf_hash, ByteView pre_master_secret,
                                     ByteView session_hash) {
  // RFC 7627 §3: session_hash = Hash(handshake_messages), where "For TLS
  // 1.2, the "Hash" function is the one defined in Section 7.4.9 of
  // [RFC5246] for the Finished message computation" — the PRF hash. Any
  // other length means the caller hashed with the wrong function.
  if (session_hash.size() != hash_length(prf_hash)) {
    return fail(Alert::internal_error, "extended master secret: session hash has the wrong length");
  }
  // RFC 7627 §4: master_secret = PRF(pre_master_secret,
  //   "extended master secret", session_hash)[0..47];
  return tls12_prf(prf_hash, pre_master_secret, "extended master secret", session_hash,
                   kMasterSecretLength);
}

Result<KeyBlock12> key_block12(CipherSuite suite, ByteView master_secret, ByteView client_random,
                               ByteView server_random) {
  Suite12 p;
  if (!tls12_suite_params(suite, p)) {
    return fail(Alert::internal_error,
                "key block: " + to_string(suite) + " is not a TLS 1.2 suite");
  }
  if (master_secret.size() != kMasterSecretLength) {
    return fail(Alert::internal_error, "key block: master secret must be 48 bytes");
  }
  if (client_random.size() != kRandomLength || server_random.size() != kRandomLength) {
    return fail(Alert::internal_error, "key block: randoms must be 32 bytes");
  }
  // RFC 5246 §6.3: key_block = PRF(SecurityParameters.master_secret,
  //   "key expansion", SecurityParameters.server_random +
  //   SecurityParameters.client_random);
  // Note the order: server random first here, unlike §8.1.
  std::array<uint8_t, 2 * kRandomLength> seed;
  join_randoms(server_random, client_random, seed);
  const size_t total = 2 * p.key_length + 2 * p.iv_length;
  VOUCH_ASSIGN(Bytes block, tls12_prf(p.prf_hash, master_secret, "key expansion", seed, total));

  // §6.3: "partitioned as follows: client_write_MAC_key, server_write_MAC_key,
  // client_write_key, server_write_key, client_write_IV, server_write_IV".
  // AEAD suites have mac_key_length 0 (§6.2.3.3), so the MAC keys are empty.
  KeyBlock12 kb;
  const uint8_t* at = block.data();
  auto take = [&at](size_t n) {
    Bytes part(at, at + n);
    at += n;
    return part;
  };
  kb.client_write_key = take(p.key_length);
  kb.server_write_key = take(p.key_length);
  kb.client_write_iv = take(p.iv_length);
  kb.server_write_iv = take(p.iv_length);
  // The pieces now live in kb; the joined copy is no longer needed.
  wipe_memory(block);
  return kb;
}

KeyBlock12& KeyBlock12::operator=(KeyBlock12&& other) noexcept {
  if (this != &other) {
    wipe_each(client_write_key, server_write_key, client_write_iv, server_write_iv);
    client_write_key = std::move(other.client_write_key);
    server_write_key = std::move(other.server_write_key);
    client_write_iv = std::move(other.client_write_iv);
    server_write_iv = std::move(other.server_write_iv);
  }
  return *this;
}

KeyBlock12::~KeyBlock12() {
  wipe_each(client_write_key, server_write_key, client_write_iv, server_write_iv);
}

Result<Bytes> finished_verify_data12(HashAlg prf_hash, ByteView master_secret, bool client,
                                     ByteView transcript_hash) {
  if (master_secret.size() != kMasterSecretLength) {
    return fail(Alert::internal_error, "Finished: master secret must be 48 bytes");
  }
  // §7.4.9: "the Hash MUST be the Hash used as the basis for the PRF"; a
  // different length means a different hash was used.
  if (transcript_hash.size() != hash_length(prf_hash)) {
    return fail(Alert::internal_error, "Finished: transcript hash has the wrong length");
  }
  // RFC 5246 §7.4.9: verify_data = PRF(master_secret, finished_label,
  //   Hash(handshake_messages))[0..verify_data_length-1]; finished_label is
  //   "client finished" for the client's Finished, "server finished" for
  //   the server's.
  return tls12_prf(prf_hash, master_secret, client ? "client finished" : "server finished",
                   transcript_hash, kVerifyDataLength);
}

}  // namespace vouch
