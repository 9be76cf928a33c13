// The time floor of a server handshake row (issue 13): the libcrypto work no
// TLS library can skip, done alone with every context prepared beforehand,
// so that ratios.py can show how far a handshake row's ratio could go at
// all — libssl's time over this floor.
//
// Per iteration, for the row named Floor/<row>/server:
//   - an X25519 key pair and the shared secret with the client's share
//     (EVP_PKEY_derive; the peer key imported once, not per handshake as a
//     server must). The key pair is imported (EVP_PKEY_fromdata on a
//     prepared context) from 32 bytes of a 1 KiB buffer refilled by one
//     RAND_priv_bytes, as vouch makes its shares (crypto/random.h):
//     EVP_PKEY_generate's own RAND_priv_bytes per key costs a system call
//     and a DRBG round, which a library need not pay per handshake;
//   - full handshakes: one ECDSA P-256 signature over a SHA-256 digest
//     (EVP_PKEY_sign on a prepared context; the digest of the 130-byte
//     CertificateVerify content of RFC 8446 §4.4.3);
//   - the key schedule's HMAC-SHA256s over short inputs, each with a fresh
//     32-byte key as the schedule has (EVP_MAC re-keyed on one context):
//     RFC 8446 §7.1 with §7.3 and §4.4.4 — 25 for a full handshake sending
//     two tickets, 27 for a PSK resumption (binder key, binder, one ticket);
//     RFC 5246 §5 / RFC 7627 — 12 for TLS 1.2 (extended master secret and
//     key block, 4 each; two Finished, 2 each).
// Left out, so that the floor is lower than any real handshake: importing
// the client's key share, hashing the transcript, record protection,
// parsing, allocation. Rows of the same names as the OpenSSL-API benchmark's,
// with the prefix Floor/.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <string>

#include "cpu_meter.h"
#include "crypto/ossl.h"
#include "scenarios.h"

namespace vouch::bench {
namespace {

using Pkey = ossl::EvpPkey;
using PkeyCtx = ossl::EvpPkeyCtx;

struct Work {
  bool sign;
  int hmacs;
};

class Floor {
 public:
  Floor() {
    x25519_gen_.reset(EVP_PKEY_CTX_new_from_name(nullptr, "X25519", nullptr));
    x25519_import_.reset(EVP_PKEY_CTX_new_from_name(nullptr, "X25519", nullptr));
    EVP_PKEY* peer = nullptr;
    ok_ = x25519_gen_ && EVP_PKEY_keygen_init(x25519_gen_.get()) == 1 &&
          EVP_PKEY_generate(x25519_gen_.get(), &peer) == 1 && x25519_import_ &&
          EVP_PKEY_fromdata_init(x25519_import_.get()) == 1;
    peer_.reset(peer);
    ecdsa_key_.reset(ok_ ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256") : nullptr);
    signer_.reset(ecdsa_key_ ? EVP_PKEY_CTX_new_from_pkey(nullptr, ecdsa_key_.get(), nullptr) : nullptr);
    ok_ = ok_ && signer_ && EVP_PKEY_sign_init(signer_.get()) == 1;
    mac_.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    mac_ctx_.reset(mac_ ? EVP_MAC_CTX_new(mac_.get()) : nullptr);
    char sha256[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, sha256, 0),
                                 OSSL_PARAM_construct_end()};
    ok_ = ok_ && mac_ctx_ && EVP_MAC_CTX_set_params(mac_ctx_.get(), params) == 1;
    md_.reset(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    ok_ = ok_ && md_ != nullptr;
  }

  bool ok() const { return ok_; }

  // An X25519 key pair from the next 32 bytes of the buffer (RFC 7748 §5's
  // clamping left to libcrypto, which applies it in every use of the key).
  Pkey x25519_key_pair() {
    if (pool_left_ < 32) {
      if (RAND_priv_bytes(pool_.data(), static_cast<int>(pool_.size())) != 1) return nullptr;
      pool_left_ = pool_.size();
    }
    unsigned char* secret = pool_.data() + (pool_.size() - pool_left_);
    pool_left_ -= 32;
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, secret, 32),
                                 OSSL_PARAM_construct_end()};
    EVP_PKEY* key = nullptr;
    if (EVP_PKEY_fromdata(x25519_import_.get(), &key, EVP_PKEY_KEYPAIR, const_cast<OSSL_PARAM*>(params)) != 1)
      return nullptr;
    return Pkey(key);
  }

  bool handshake(const Work& w) {
    const Pkey own = x25519_key_pair();
    if (!own) return false;
    const PkeyCtx derive(EVP_PKEY_CTX_new_from_pkey(nullptr, own.get(), nullptr));
    size_t shared_len = shared_.size();
    if (!derive || EVP_PKEY_derive_init(derive.get()) != 1 ||
        EVP_PKEY_derive_set_peer(derive.get(), peer_.get()) != 1 ||
        EVP_PKEY_derive(derive.get(), shared_.data(), &shared_len) != 1)
      return false;
    if (w.sign) {
      unsigned int digest_len = 0;
      if (EVP_Digest(content_.data(), content_.size(), digest_.data(), &digest_len, md_.get(), nullptr) != 1)
        return false;
      size_t sig_len = signature_.size();
      if (EVP_PKEY_sign(signer_.get(), signature_.data(), &sig_len, digest_.data(), digest_len) != 1) return false;
    }
    for (int i = 0; i < w.hmacs; ++i) {
      // Each HMAC keyed with the previous output, as the schedule chains.
      size_t out_len = 0;
      if (EVP_MAC_init(mac_ctx_.get(), shared_.data(), 32, nullptr) != 1 ||
          EVP_MAC_update(mac_ctx_.get(), label_.data(), label_.size()) != 1 ||
          EVP_MAC_final(mac_ctx_.get(), shared_.data(), &out_len, shared_.size()) != 1)
        return false;
    }
    return true;
  }

 private:
  bool ok_ = false;
  PkeyCtx x25519_gen_;     // the peer's key, once
  PkeyCtx x25519_import_;  // each handshake's key pair
  std::array<unsigned char, 1024> pool_{};
  size_t pool_left_ = 0;
  Pkey peer_;
  Pkey ecdsa_key_;
  PkeyCtx signer_;
  ossl::Ptr<EVP_MAC, EVP_MAC_free> mac_;
  ossl::EvpMacCtx mac_ctx_;
  ossl::Ptr<EVP_MD, EVP_MD_free> md_;
  std::array<unsigned char, 64> shared_{};
  std::array<unsigned char, 32> digest_{};
  std::array<unsigned char, 80> signature_{};
  std::array<unsigned char, 130> content_{};  // RFC 8446 §4.4.3's signed content, size only
  std::array<unsigned char, 50> label_{};     // an HkdfLabel and context, size only
};

void floor_row(benchmark::State& state, Work work) {
  Floor f;
  if (!f.ok()) return state.SkipWithError("libcrypto set-up failed");
  for (auto _ : state) {
    int64_t ns = 0;
    bool ok = false;
    {
      CpuSpan span(ns);
      const CollectScope collect;
      ok = f.handshake(work);
    }
    if (!ok) return state.SkipWithError("a primitive failed");
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
  }
}

}  // namespace

void register_floor_rows() {
  struct Row {
    const char* name;
    Work work;
  };
  for (const Row& row : {Row{kHandshake13, {true, 25}}, Row{kResumption13, {false, 27}},
                         Row{kHandshake12, {true, 12}}}) {
    const std::string name = std::string("Floor/") + row.name + "/server";
    with_fixed_iterations(benchmark::RegisterBenchmark(name.c_str(), floor_row, row.work))
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace vouch::bench
