// The verify callback of SSL_CTX_set_verify / SSL_set_verify: vouch's
// X509VerifyCallback (vouch/config.h) calling the program's SSL_verify_cb
// the way libssl does.
#pragma once

#include "objects.h"
#include "vouch/config.h"

namespace vouch::compat {

/// A callback for ClientConfig::verify_callback / ServerConfig::
/// client_verify_callback that calls the SSL's verify callback
/// (Settings::verify_callback, read at each call as libssl reads it),
/// first storing the SSL at SSL_get_ex_data_X509_STORE_CTX_idx() in the
/// store context (where libssl puts it), and then recording in
/// SSL::verify_result the error libcrypto is left with (libssl: what
/// SSL_get_verify_result reports — a failure the callback accepted, else
/// X509_V_OK). What the callback pushes on the error queue stays there. Null
/// when the SSL has no verify callback. `s` must outlive the connection the
/// config is for.
X509VerifyCallback verify_callback_for(SSL* s);

}  // namespace vouch::compat
