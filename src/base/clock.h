// The wall clock the protocol reads: ticket issue times and ages, session
// lifetimes, the time OCSP staples and revocation are judged at.
//
// Fuzz builds only (VOUCH_FUZZING, set by -DVOUCH_FUZZING=ON in build-fuzz and
// never in a build that users link) pin it to kFuzzingUnixTime, so that a
// handshake recorded by fuzz/record_corpus replays byte for byte in the
// connection fuzz targets (a ticket's age, its expiry and a staple's validity
// do not drift with the day the corpus is replayed). Everywhere else it is
// std::chrono::system_clock::now().
#pragma once

#include <chrono>
#include <cstdint>

namespace vouch {

#ifdef VOUCH_FUZZING
/// 2026-01-01T00:00:00Z: the fuzz corpus's PKI and staples are valid then.
inline constexpr int64_t kFuzzingUnixTime = 1767225600;
#endif

inline std::chrono::system_clock::time_point wall_clock_now() {
#ifdef VOUCH_FUZZING
  return std::chrono::system_clock::time_point(std::chrono::seconds(kFuzzingUnixTime));
#else
  return std::chrono::system_clock::now();
#endif
}

}  // namespace vouch
