#pragma once

#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// Fills out from libcrypto's CSPRNG (RAND_bytes); internal_error on failure.
/// For long-lived secrets (ticket keys, session ids of a cache) and anything
/// the pooled draws below do not cover.
Status random_bytes(std::span<uint8_t> out);

/// Fills out with bytes from libcrypto's CSPRNG that are about to be sent in
/// the clear: Hello randoms (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2), session ids,
/// ticket_age_add (§4.6.1), cookies, AEAD nonces written next to their
/// ciphertext. Small requests (up to 64 bytes) are served from a per-thread
/// buffer refilled 1 KiB at a time by one RAND_bytes call: each libcrypto
/// draw costs a system call (its fork check, a getpid) and a DRBG round,
/// about 1.8 µs on the benchmark machine, and a handshake makes several. The
/// buffer lives in a page the kernel wipes in a forked child
/// (MADV_WIPEONFORK, Linux 4.14), so parent and child never hand out the same
/// bytes; bytes are wiped from it as they are handed out. Where that cannot
/// be set up, every call goes to RAND_bytes. internal_error on failure.
Status random_public_bytes(std::span<uint8_t> out);

/// The same for private values — ephemeral key-exchange keys — from a
/// second per-thread buffer in the same wipe-on-fork page, refilled by
/// RAND_priv_bytes (libcrypto's generator for secrets, kept apart from the
/// one whose output is published). A draw is wiped from the buffer as it is
/// handed out, so the buffer holds only keys not yet made: what a memory
/// disclosure could read there it could as well read in libcrypto's DRBG
/// state. Requests over 64 bytes, and every request where the buffer cannot
/// be set up, go to RAND_priv_bytes. internal_error on failure.
Status random_private_bytes(std::span<uint8_t> out);

/// Whether this thread's random_public_bytes() and random_private_bytes()
/// draw from their wipe-on-fork buffers (false: straight from libcrypto).
/// For tests and diagnostics.
bool random_pooled();

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
