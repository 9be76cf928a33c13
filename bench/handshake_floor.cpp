// The time floor of a server handshake row (issue 13): the libcrypto work no
// TLS library can skip, done alone with every context prepared beforehand,
// so that ratios.py can show how far a handshake row's ratio could go at
// all — libssl's time over this floor.
//
// Per iteration, for the row named Floor/<row>/server:
//   - an X25519 key pair (EVP_PKEY_generate on a prepared context) and the
//     shared secret with the client's share (EVP_PKEY_derive; the peer key
//     imported once, not per handshake as a server must);
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
    EVP_PKEY* peer = nullptr;
    ok_ = x25519_gen_ && EVP_PKEY_keygen_init(x25519_gen_.get()) == 1 &&
          EVP_PKEY_generate(x25519_gen_.get(), &peer) == 1;
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

  bool handshake(const Work& w) {
    EVP_PKEY* key = nullptr;
    if (EVP_PKEY_generate(x25519_gen_.get(), &key) != 1) return false;
    const Pkey own(key);
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
  PkeyCtx x25519_gen_;
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
