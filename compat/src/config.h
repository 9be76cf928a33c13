// The vouch configuration an SSL's handshake runs with, built from what the
// program set through the OpenSSL API when the handshake starts. Mapping
// only: every protocol decision stays in vouch.
#pragma once

#include <memory>
#include <optional>

#include "objects.h"
#include "vouch/config.h"

namespace vouch::compat {

/// The SSL's certificates with their keys (every complete slot, ECDSA
/// first as in libssl's algorithm order), each with the chain sent after it:
/// the chain loaded with the certificate, else the context's extra chain
/// certificates (SSL_CTX_add_extra_chain_cert). Converted once for the
/// objects the slots hold and shared (credential_cache.h): the context's
/// cache when the SSL holds what the context does, else the SSL's own.
CredentialSnapshot credentials_of(const SSL* s);

/// The versions vouch speaks within what the settings allow (min/max
/// proto version, SSL_OP_NO_TLSv1_2 / SSL_OP_NO_TLSv1_3); false when none
/// is left.
bool version_range(const Settings& settings, ProtocolVersion& min, ProtocolVersion& max);

/// The configs keep `s` for the callbacks they call (client certificate,
/// OCSP status): they live in s's connection.
std::shared_ptr<const ClientConfig> client_config(SSL* s);
std::shared_ptr<const ServerConfig> server_config(SSL* s);

}  // namespace vouch::compat
