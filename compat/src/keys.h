// The key log callback as vouch's CommonConfig::keylog.
#pragma once

#include <functional>
#include <string>

#include "objects.h"

namespace vouch::compat {

/// CommonConfig::keylog calling the context's SSL_CTX_set_keylog_callback
/// with each line; null when no callback is set.
std::function<void(const std::string&)> keylog_for(SSL* s);

}  // namespace vouch::compat
