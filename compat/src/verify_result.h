// SSL_get_verify_result(): the X509_V_* code of the peer's chain.
//
// libssl verifies the peer's chain whatever the verify mode and records the
// outcome; with SSL_VERIFY_NONE a failure does not stop the handshake. vouch
// verifies only when told to (ClientConfig::verify_peer), so with
// SSL_VERIFY_NONE the chain vouch received is verified here, after the
// handshake, against the same trust store and with vouch's own chain check;
// with SSL_VERIFY_PEER the code comes from the error vouch failed with.
#pragma once

#include <vector>

#include "vouch/credential.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch::compat {

/// X509_V_OK or the X509_V_ERR_* code of verifying `chain` (DER, leaf first,
/// as the peer sent it) against `trust` for the peer's role. `depth` is the
/// SSL_CTX_set_verify_depth value (-1: libcrypto's default of 100).
long verify_result_of(const TrustStore& trust, const std::vector<Bytes>& chain,
                      bool peer_is_server, int depth);

}  // namespace vouch::compat
