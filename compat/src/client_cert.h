// The client certificate callback (SSL_CTX_set_client_cert_cb) as vouch's
// client certificate selector, and its retry after a negative answer.
#pragma once

#include <openssl/ssl.h>

#include "vouch/client_auth.h"

namespace vouch::compat {

/// The selector of a client SSL's config: the certificate set on the SSL (or
/// its context) when there is one, else the application's callback.
ClientCertificateSelector client_certificate_selector(SSL* s);

/// After SSL_ERROR_WANT_X509_LOOKUP: calls the callback again and answers
/// the waiting handshake. False when the callback asked to wait once more.
bool retry_client_certificate(SSL* s);

}  // namespace vouch::compat
