// The server name (RFC 6066 §3) through libssl's calls: the servername
// callback as vouch's ServerConfig::server_name_hook, its controls.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "objects.h"
#include "vouch/error.h"

namespace vouch::compat {

/// SSL_CTX_ctrl's SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG; nullopt for others.
std::optional<long> servername_ctx_ctrl(SSL_CTX* ctx, int cmd, long larg, void* parg);
/// SSL_CTX_callback_ctrl's SSL_CTRL_SET_TLSEXT_SERVERNAME_CB; nullopt for
/// others.
std::optional<long> servername_callback_ctrl(SSL_CTX* ctx, int cmd, void (*fp)(void));

/// ServerConfig::server_name_hook calling the context's servername
/// callback; null when the context has none.
std::function<Result<bool>(const std::string&)> server_name_hook(SSL* s);

}  // namespace vouch::compat
