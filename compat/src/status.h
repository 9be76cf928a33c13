// OCSP stapling through libssl's status callback
// (SSL_CTX_set_tlsext_status_cb(3)): the server callback as vouch's staple
// hook, the client callback as a revocation provider, and the controls that
// set and read them.
#pragma once

#include <openssl/ssl.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vouch/credential.h"
#include "vouch/ocsp.h"
#include "vouch/revocation.h"

namespace vouch::compat {

/// The SSL_CTX_ctrl commands of the status callback; nullopt for others.
std::optional<long> status_ctx_ctrl(SSL_CTX* ctx, int cmd, long larg, void* parg);
/// The SSL_CTX_callback_ctrl command that sets the status callback; nullopt
/// for others.
std::optional<long> status_callback_ctrl(SSL_CTX* ctx, int cmd, void (*fp)(void));
/// The SSL_ctrl commands of status requests and responses; nullopt for others.
std::optional<long> status_ssl_ctrl(SSL* s, int cmd, long larg, void* parg);

/// ServerConfig::ocsp_staple_hook_async.
using StapleHook = std::function<std::optional<Result<std::vector<Bytes>>>(
    const Credential&, const std::string&, std::shared_ptr<PendingOcspStaple>)>;

/// Server: calls the status callback when the client asked for status, with
/// SSL_get_certificate giving the leaf being sent. Null when no callback is
/// set. VOUCH_SSL_TLSEXT_ERR_RETRY_LATER leaves the handshake waiting on
/// SSL::pending_staple.
StapleHook staple_hook(SSL* s);

/// After SSL_ERROR_WANT_X509_LOOKUP on a server waiting for a staple: calls
/// the status callback again and answers the waiting handshake. False when
/// it asked to wait once more.
bool retry_status_callback(SSL* s);

/// Client: hands the leaf's staple to SSL_get_tlsext_status_ocsp_resp and
/// lets the status callback accept or refuse it. Null when the program did
/// not ask for status or set no callback.
std::shared_ptr<const RevocationProvider> status_provider(SSL* s);

/// Client: calls the status callback (clearing SSL::client_status_due);
/// the error to fail the handshake with when it refuses (0:
/// bad_certificate_status_response) or fails (negative: internal_error).
Status call_client_status_callback(SSL* s);

}  // namespace vouch::compat
