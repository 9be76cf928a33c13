// What the libssl-API, native and raw-AEAD benchmarks have in common: row
// names (identical in every binary, so bench/ratios.py can pair them; the
// binary says which library it measured in the "library" context field) and
// the sizes every library is measured with.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace vouch::bench {

// Full handshakes, resumptions: the suffix /server or /client says whose
// calls are timed.
inline constexpr const char* kHandshake13 = "Handshake13";    // x25519, ECDSA P-256 chain, AES-128-GCM
inline constexpr const char* kMtls13 = "HandshakeMtls13";     // + a client chain of 2, required, verified
// The mTLS handshake, then the server asks who the client is: the subject of
// its certificate as one line (server side only), as a server logging or
// authorizing its clients does after every handshake.
inline constexpr const char* kMtlsSubject13 = "HandshakeMtls13Subject";
inline constexpr const char* kResumption13 = "Resumption13";  // PSK (ticket) resumption, psk_dhe_ke
inline constexpr const char* kHandshake12 = "Handshake12";    // ECDHE-ECDSA-AES128-GCM-SHA256
// Bulk data, both sides' calls: kBulkBytes written by the client, read by the
// server.
inline constexpr const char* kBulkAesGcm = "BulkAes128Gcm";
inline constexpr const char* kBulkChacha = "BulkChacha20Poly1305";
// Heap per idle established connection (counter kHeapCounter), /server or
// /client.
inline constexpr const char* kIdleHeap = "IdleHeap";
inline constexpr const char* kHeapCounter = "heap_bytes_per_conn";

/// What differs between the scenarios, in every library's terms.
enum class Version { tls12, tls13 };
enum class Suite { aes128gcm, chacha20 };  // TLS 1.3: TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256
struct Setup {
  Version version = Version::tls13;
  Suite suite = Suite::aes128gcm;  // TLS 1.2 always ECDHE-ECDSA-AES128-GCM-SHA256
  bool mutual = false;             // the server requires and verifies a client chain of 2
  int num_tickets = 2;             // TLS 1.3 tickets per full handshake (libssl's default)
  bool server_reads_subject = false;  // kMtlsSubject13
};

inline constexpr size_t kBulkBytes = 1024 * 1024;
inline constexpr size_t kRecordBytes = 16 * 1024;  // the TLS maximum plaintext per record
inline constexpr int kIdleConnections = 200;

/// VOUCH_BENCH_ITERATIONS=N fixes every timed row at N iterations instead of
/// Google Benchmark's time-driven count, so that bench/profile.sh can divide
/// callgrind's instruction total by a known number of operations. Unset or
/// not a positive number: 0 (time-driven, as `make bench` runs).
inline int64_t fixed_iterations() {
  const char* value = std::getenv("VOUCH_BENCH_ITERATIONS");
  if (value == nullptr) return 0;
  char* end = nullptr;
  const long long n = std::strtoll(value, &end, 10);
  return end != value && *end == '\0' && n > 0 ? static_cast<int64_t>(n) : 0;
}

/// Applies fixed_iterations() to a registered row, if set.
inline benchmark::internal::Benchmark* with_fixed_iterations(benchmark::internal::Benchmark* row) {
  if (const int64_t n = fixed_iterations()) row->Iterations(n);
  return row;
}

/// The benchmarks' main(): Google Benchmark's, plus a "library" entry in the
/// JSON context (libssl, vouch-ssl, native, libcrypto).
int run_benchmarks(int argc, char** argv, const char* library);

}  // namespace vouch::bench
