// The run loop behind SSL_do_handshake / SSL_read / SSL_write /
// SSL_shutdown: drives the SSL's vouch::Connection and turns what it waits
// for into libssl's return conventions (-1 with SSL::want or an error on the
// queue, for SSL_get_error).
#pragma once

#include "objects.h"

namespace vouch::compat {

/// Runs the handshake as far as the BIOs allow: 1 once it completed, -1
/// otherwise. Creates the connection on the first call.
int run_handshake(SSL* s);

/// The connection failed: sends the alert it queued if the BIO takes it,
/// records the verify result a certificate failure carries, pushes the error
/// and puts the SSL in the error state. Returns -1.
int fail_connection(SSL* s);

/// A call on an SSL already in the error state: -1 with nothing pushed
/// (SSL_ERROR_SYSCALL), as libssl answers.
int fail_again(SSL* s);

/// The read BIO ended in the middle of the connection (libssl 3: an error,
/// unless SSL_OP_IGNORE_UNEXPECTED_EOF makes it a close_notify). Returns
/// what SSL_read returns then: 0 either way.
int unexpected_eof(SSL* s);

}  // namespace vouch::compat
