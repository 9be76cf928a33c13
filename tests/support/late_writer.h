// A peer that keeps writing after the other side sent a fatal alert, then
// reads: what a Java client does when a server refuses it mid-flight. Used to
// check that vouch closes gracefully after a fatal alert (write side shut
// down, the peer's late bytes read and discarded) so that the peer reads the
// alert and a clean EOF instead of a connection reset.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "vouch/types.h"

namespace vouch::testing {

/// What the late writer saw.
struct LateWriterResult {
  bool alert_arrived = false;             // the first bytes came within the timeout
  std::vector<std::string> write_errors;  // strerror() of each failed send
  Bytes received;                         // everything read before EOF or an error
  bool eof = false;                       // the read side ended with a FIN
  std::string read_error;                 // strerror() when it ended with an error (ECONNRESET...)
};

/// On connected socket `fd`, after the test sent what provokes the peer's
/// fatal alert: waits (up to `timeout`) until bytes from the peer arrive,
/// waits `pause` more (the peer has closed by then if it closes at once),
/// writes `chunks` chunks of 1 KiB, `pause` apart, and reads until EOF or an
/// error (each read bounded by `timeout`). Never raises SIGPIPE.
LateWriterResult write_after_alert(int fd, int chunks = 3,
                                   std::chrono::milliseconds pause = std::chrono::milliseconds(100),
                                   std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

/// A TCP connection to 127.0.0.1:port (-1 on failure).
int connect_loopback(uint16_t port);

}  // namespace vouch::testing
