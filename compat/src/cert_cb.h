// The certificate callback (SSL_CTX_set_cert_cb) on a server.
#pragma once

#include "objects.h"
#include "vouch/credential_source.h"

namespace vouch::compat {

/// ServerConfig::credential_source_async calling the callback, then offering
/// the SSL's certificates (what the callback set with SSL_use_certificate /
/// SSL_use_PrivateKey, else what the SSL had). A negative answer leaves the
/// handshake waiting on SSL::pending_server_credentials (Wait::
/// server_certificate, SSL_ERROR_WANT_X509_LOOKUP). Null without a
/// certificate callback and without a servername callback (with only the
/// latter, it offers the SSL's certificates as they are once that ran).
/// Called once per new server connection: it also forgets a handle left by
/// the SSL's previous connection.
AsyncCredentialSource server_credential_source(SSL* s);

/// After SSL_ERROR_WANT_X509_LOOKUP on a server waiting for its certificate
/// callback: calls it again and answers the waiting handshake. False when it
/// asked to wait once more.
bool retry_server_certificate(SSL* s);

}  // namespace vouch::compat
