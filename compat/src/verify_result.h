// SSL_get_verify_result(): the X509_V_* code of the peer's chain.
//
// libssl verifies the peer's chain whatever the verify mode and records the
// outcome; with SSL_VERIFY_NONE a failure does not stop the handshake. vouch
// verifies only when told to (ClientConfig::verify_peer), so with
// SSL_VERIFY_NONE the chain vouch received is verified here, after the
// handshake, against the same trust store and with vouch's own chain check;
// with SSL_VERIFY_PEER the code comes from the error vouch failed with.
//
// The verify callback (SSL_CTX_set_verify) runs in both: with
// SSL_VERIFY_PEER while vouch verifies during the handshake, as in libssl;
// with SSL_VERIFY_NONE here, once the handshake is complete — libssl calls
// it during the handshake, when the server's Certificate arrives. Its
// answer changes only the recorded code then, in both.
#pragma once

#include <string>
#include <vector>

#include "vouch/config.h"
#include "vouch/credential.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch::compat {

/// The SSL_CTX_set_verify_depth value as vouch's depth: -1 (never set) is
/// libcrypto's default of 100.
unsigned verify_depth_of(int depth);

/// X509_V_OK or the X509_V_ERR_* code of verifying `chain` (DER, leaf first,
/// as the peer sent it) against `trust` for the peer's role. `depth` is the
/// SSL_CTX_set_verify_depth value (-1: libcrypto's default of 100); `host`
/// the SSL_set1_host name ("" = none is checked); `callback` the verify
/// callback to run (verify_callback_for; null = none). A failure the
/// callback accepted is still the code returned, as libssl records it.
long verify_result_of(const TrustStore& trust, const std::vector<Bytes>& chain,
                      bool peer_is_server, int depth, const std::string& host,
                      const X509VerifyCallback& callback = nullptr);

}  // namespace vouch::compat
