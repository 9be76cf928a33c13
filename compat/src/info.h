// The info callback (SSL_CTX_set_info_callback(3)): the events vouch-ssl
// reports — handshake start and done, alerts read and written.
#pragma once

#include "objects.h"

namespace vouch::compat {

/// Calls the SSL's info callback, else its context's, if any.
void info_event(const SSL* s, int where, int value);

/// An alert's value as the callback gets it: level << 8 | description.
constexpr int alert_value(int level, int description) { return (level << 8) | description; }

}  // namespace vouch::compat
