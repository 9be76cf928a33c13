#pragma once

#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// Fills out from libcrypto's CSPRNG (RAND_bytes); internal_error on failure.
Status random_bytes(std::span<uint8_t> out);

#ifdef VOUCH_FUZZING
// Fuzz builds only (VOUCH_FUZZING, never a build users link): the seam that
// makes a recorded handshake replay exactly in the connection fuzz targets.
namespace fuzzing {
/// Replaces libcrypto's random generator for the whole process — so
/// random_bytes() and libcrypto's own draws (key generation, ECDSA nonces,
/// RSA-PSS salts) alike — by deterministic streams, and rewinds every stream
/// to its start. The first call installs the generator; call it before any
/// connection exists.
void reset_random();
/// Draws come from `stream` (0..kRandomStreams-1) from now on; each stream is
/// its own sequence. A recorder that drives a client and a server in one
/// process gives each side its own stream, so that either side's draws are
/// the same when it later runs alone.
inline constexpr unsigned kRandomStreams = 4;
void select_random_stream(unsigned stream);
}  // namespace fuzzing
#endif

}  // namespace vouch
