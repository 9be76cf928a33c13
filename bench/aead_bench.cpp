// The raw-AEAD baseline for the bulk rows ("at least 0.95 of raw AEAD
// speed"): libcrypto's EVP AES-128-GCM and ChaCha20-Poly1305 on 16 KiB TLS
// 1.3 records, with nothing of TLS around them but what every record needs
// (a fresh nonce, the 5-byte header as associated data, the 16-byte tag).
// The way a TLS stack would do it at best: the cipher fetched once, one
// context per direction keyed once, only the nonce set per record, sealed
// and opened in place.
//
// Three rows per cipher, kBulkBytes per iteration like the bulk rows:
//  - <cipher>/seal: what the sender's encryption alone costs;
//  - <cipher>/seal_open: sealing then opening each record, the work both
//    ends of a bulk row do together, which is what ratios.py compares a bulk
//    row (both sides' calls) with;
//  - <cipher>/seal_open_piped: the same plus the two copies the bulk rows'
//    in-memory pipe makes every library pay (the sender's bytes copied into
//    the pipe, the receiver's copied out of it: BIO_write and BIO_read for
//    libssl and vouch-ssl, the harness's push and pop natively). Nothing else:
//    no record header parsing, no copy to the application. The fastest any
//    TLS library could run a bulk row with libcrypto's AEAD, so ratios.py
//    shows libssl's time over it as the ceiling of the bulk rows' ratio.
// Time is this thread's CPU time over the whole loop (UseManualTime), as in
// the bulk rows.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cpu_meter.h"
#include "crypto/ossl.h"
#include "scenarios.h"

namespace vouch::bench {
namespace {

constexpr size_t kTagBytes = 16;
constexpr size_t kNonceBytes = 12;
constexpr size_t kRecords = kBulkBytes / kRecordBytes;

using CtxPtr = ossl::EvpCipherCtx;

// One direction's prepared context.
class Direction {
 public:
  Direction(EVP_CIPHER* cipher, bool seal, const unsigned char* key) : seal_(seal), ctx_(EVP_CIPHER_CTX_new()) {
    ok_ = ctx_ && EVP_CipherInit_ex2(ctx_.get(), cipher, key, nullptr, seal ? 1 : 0, nullptr) == 1;
  }
  bool ok() const { return ok_; }

  // Seals (or opens) `record` of kRecordBytes in place; the tag is written
  // to (or checked against) `tag`. The nonce is the sequence number XORed
  // into the static IV, as RFC 8446 §5.3 does.
  bool apply(uint64_t seq, const unsigned char* aad, unsigned char* record, unsigned char* tag) {
    std::array<unsigned char, kNonceBytes> nonce{};
    for (int i = 0; i < 8; ++i) nonce[kNonceBytes - 1 - i] = static_cast<unsigned char>(seq >> (8 * i));
    int n = 0;
    if (EVP_CipherInit_ex2(ctx_.get(), nullptr, nullptr, nonce.data(), -1, nullptr) != 1 ||
        EVP_CipherUpdate(ctx_.get(), nullptr, &n, aad, 5) != 1 ||
        EVP_CipherUpdate(ctx_.get(), record, &n, record, static_cast<int>(kRecordBytes)) != 1)
      return false;
    if (!seal_ && EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_SET_TAG, kTagBytes, tag) != 1) return false;
    if (EVP_CipherFinal_ex(ctx_.get(), record + n, &n) != 1) return false;
    return !seal_ || EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG, kTagBytes, tag) == 1;
  }

 private:
  bool seal_;
  CtxPtr ctx_;
  bool ok_ = false;
};

enum class Work { seal, seal_open, seal_open_piped };

void raw_aead(benchmark::State& state, const char* algorithm, Work work) {
  const bool open_too = work != Work::seal;
  const bool piped = work == Work::seal_open_piped;
  ossl::Ptr<EVP_CIPHER, EVP_CIPHER_free> cipher(EVP_CIPHER_fetch(nullptr, algorithm, nullptr));
  const std::array<unsigned char, 32> key{1, 2, 3, 4, 5, 6, 7, 8};  // either key length fits
  if (!cipher) return state.SkipWithError("EVP_CIPHER_fetch failed");
  Direction sealer(cipher.get(), true, key.data());
  Direction opener(cipher.get(), false, key.data());
  if (!sealer.ok() || !opener.ok()) return state.SkipWithError("cipher setup failed");
  std::vector<unsigned char> data(kBulkBytes, 0x5a);
  std::vector<std::array<unsigned char, kTagBytes>> tags(kRecords);
  // Piped: the pipe and the receiver's buffer; opened there, not in `data`.
  std::vector<unsigned char> pipe(piped ? kBulkBytes : 0), received(piped ? kBulkBytes : 0);
  unsigned char* const opened = piped ? received.data() : data.data();
  // The record header (RFC 8446 §5.2): application_data, legacy version,
  // ciphertext length.
  const unsigned char aad[5] = {23, 3, 3, static_cast<unsigned char>((kRecordBytes + 17) >> 8),
                                static_cast<unsigned char>((kRecordBytes + 17) & 0xff)};
  uint64_t seq = 0;
  for (auto _ : state) {
    int64_t ns = 0;
    bool ok = true;
    {
      CpuSpan span(ns);
      const CollectScope collect;
      for (size_t r = 0; r < kRecords && ok; ++r)
        ok = sealer.apply(seq + r, aad, data.data() + r * kRecordBytes, tags[r].data());
      if (piped) {
        std::memcpy(pipe.data(), data.data(), kBulkBytes);
        std::memcpy(received.data(), pipe.data(), kBulkBytes);
      }
      for (size_t r = 0; r < kRecords && ok && open_too; ++r)
        ok = opener.apply(seq + r, aad, opened + r * kRecordBytes, tags[r].data());
    }
    // Sealing alone (or piped, which opens a copy) leaves ciphertext behind;
    // the next iteration seals that, which costs the same.
    seq += kRecords;
    if (!ok) return state.SkipWithError("sealing or opening failed");
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(kBulkBytes));
  state.counters["bytes_per_iteration"] = static_cast<double>(kBulkBytes);
}

void register_rows() {
  struct Row {
    const char* name;
    const char* algorithm;
  };
  for (const Row& row : {Row{kBulkAesGcm, "AES-128-GCM"}, Row{kBulkChacha, "ChaCha20-Poly1305"}}) {
    for (const auto& [work, suffix] : {std::pair{Work::seal, "/seal"}, std::pair{Work::seal_open, "/seal_open"},
                                       std::pair{Work::seal_open_piped, "/seal_open_piped"}}) {
      const std::string name = std::string("RawAead/") + row.name + suffix;
      with_fixed_iterations(benchmark::RegisterBenchmark(name.c_str(), raw_aead, row.algorithm, work))
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace
}  // namespace vouch::bench

namespace vouch::bench {
void register_floor_rows();  // handshake_floor.cpp
}  // namespace vouch::bench

int main(int argc, char** argv) {
  vouch::bench::register_rows();
  vouch::bench::register_floor_rows();
  return vouch::bench::run_benchmarks(argc, argv, "libcrypto");
}
