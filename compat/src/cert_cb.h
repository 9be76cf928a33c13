// The certificate callback (SSL_CTX_set_cert_cb) on a server.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "objects.h"

namespace vouch::compat {

/// ServerConfig::credential_source calling the callback, then offering the
/// SSL's certificates; null without a callback.
std::function<std::shared_ptr<const std::vector<Credential>>()> server_credential_source(SSL* s);

}  // namespace vouch::compat
