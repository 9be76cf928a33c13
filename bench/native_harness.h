// The native twin of ssl_api_harness.h: the same scenarios through vouch's
// own API (vouch::Connection, sans-I/O), configured to do what vouch-ssl
// makes of the libssl-API benchmark's SSL_CTX calls (compat/src/config.cpp),
// so that vouch-ssl time / native time - 1 is what the compat layer adds.
//
// Bytes move from one end to the other as the native API hands them out: the
// sender's pending_output() view goes straight into the receiver's receive(),
// then the sender's consume_output(); each call is timed on its own end.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cpu_meter.h"
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
  // Hands what `from` has queued to `to`; false if `to` failed on it.
  bool move(SideMeter& meter, Side from, size_t& moved);
  Connection* end(Side side) const { return side == Side::client ? client_.get() : server_.get(); }

  const Contexts& contexts_;
  std::unique_ptr<Connection> client_;
  std::unique_ptr<Connection> server_;
};

}  // namespace vouch::bench::native
