// ALPN (RFC 7301) through libssl's calls: the client's protocol list and the
// server's select callback as vouch's ServerConfig::alpn_selector.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "objects.h"
#include "vouch/error.h"

namespace vouch::compat {

/// ServerConfig::alpn_selector calling the context's select callback (read
/// at the call, the context SSL_set_SSL_CTX may have switched to); without
/// one, no protocol is chosen, as libssl's server without a callback.
std::function<Result<std::optional<std::string>>(const std::vector<std::string>&)> alpn_selector(SSL* s);

}  // namespace vouch::compat
