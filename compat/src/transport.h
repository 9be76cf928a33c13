// Moving a connection's bytes through the SSL's BIOs. The connection is
// sans-I/O; these two functions are the only places that call BIO_read and
// BIO_write, and where a BIO's retry flags become SSL_ERROR_WANT_READ /
// SSL_ERROR_WANT_WRITE (SSL::want).
#pragma once

#include "objects.h"

namespace vouch::compat {

enum class Io {
  done,     // all written / one record fed
  blocked,  // the BIO asked to retry; SSL::want says which way
  eof,      // the read BIO reached its end
  failed,   // the BIO failed without asking to retry (SSL_ERROR_SYSCALL)
};

/// Writes everything the connection has queued to the write BIO.
/// `flush_bio`: then BIO_flush it too, as libssl does after each handshake
/// flight and alert (a buffering BIO would otherwise hold the bytes).
Io flush_output(SSL* s, bool flush_bio);

/// Reads one whole record from the read BIO (reading exactly its length, no
/// further) and gives it to the connection. done even when the connection
/// failed on it: callers look at conn->failed().
Io feed_one_record(SSL* s);

}  // namespace vouch::compat
