// The native twin of ssl_api_harness.h: the same scenarios through vouch's
// own API (vouch::Connection, sans-I/O), configured to do what vouch-ssl
// makes of the libssl-API benchmark's SSL_CTX calls (compat/src/config.cpp),
// so that vouch-ssl time / native time - 1 is what the compat layer adds.
//
// Bytes move through the same pipe as in the libssl-API rows (pipe_bio.h),
// copied in on the sending end (pending_output(), the copy, consume_output())
// and out on the receiving end (the copy into a buffer, receive()), each
// inside that end's timed span: the two copies a program makes writing to and
// reading from its socket, and that BIO_write and BIO_read make inside the
// SSL_* calls. Without them the compat overhead would include the transport.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cpu_meter.h"
#include "pipe_bio.h"
#include "scenarios.h"
#include "vouch/config.h"
#include "vouch/connection.h"
#include "vouch/session.h"

namespace vouch::bench::native {

struct Contexts {
  std::shared_ptr<const ClientConfig> client;
  std::shared_ptr<const ServerConfig> server;
  std::string error;  // non-empty: setting up failed, and why
};

/// Both configurations from the same PEM files (bench_pem.h).
Contexts make_contexts(const Setup& setup);

using SessionPtr = std::shared_ptr<const Session>;

/// One connection, both ends in this thread; see ssl_api_harness.h's Pair,
/// whose interface and timing this mirrors call for call.
class Pair {
 public:
  Pair(const Contexts& contexts, bool release_when_empty);
  ~Pair() = default;
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;

  /// Connection::client (SNI and name "localhost", `resume` offered) and
  /// start(); Connection::server.
  std::string open(SideMeter& meter, const SessionPtr& resume);
  /// Moves bytes both ways until both ends finish and nothing is queued,
  /// then reads each end until it has nothing (tickets are taken in by
  /// receive()).
  std::string handshake(SideMeter& meter);
  /// Destroys one end.
  void free_side(SideMeter& meter, Side side);
  std::string check(const Setup& setup, bool resumed) const;
  /// The newest session the client received (take_sessions()), null if none.
  SessionPtr take_session(SideMeter& meter);
  /// One bulk iteration: `data` in one write() on the client, the records
  /// handed to the server's receive(), read() until `in` is full; timed.
  std::string transfer(const std::vector<unsigned char>& data, std::vector<unsigned char>& in, int64_t& ns);
  /// Connection::peer_subject() on the server, timed on the server.
  std::string client_subject(SideMeter& meter);

 private:
  // The sending end's half of a move: its output into the pipe. Returns the
  // byte count.
  size_t send(Side from);
  // The receiving end's half: everything in the pipe towards it into
  // receive(). False if the connection failed on it.
  bool deliver(Side to);
  // Both halves, each timed on its own end.
  bool move(SideMeter& meter, Side from, size_t& moved);
  Connection* end(Side side) const { return side == Side::client ? client_.get() : server_.get(); }
  ByteQueue& towards(Side side) { return side == Side::client ? link_.to_client : link_.to_server; }

  const Contexts& contexts_;
  Link link_;
  std::unique_ptr<Connection> client_;
  std::unique_ptr<Connection> server_;
};

}  // namespace vouch::bench::native
