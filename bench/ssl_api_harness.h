// The libssl-API benchmark's connections: contexts configured the way a
// libssl program configures them, and both ends of a connection driven in one
// thread over a pipe_bio Link, with each end's calls timed or not (SideMeter).
// Written against libssl's public API only and compiled twice: against
// OpenSSL's libssl and against vouch-ssl (whose include/vouch-ssl shadows
// <openssl/ssl.h>).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "cpu_meter.h"
#include "pipe_bio.h"
#include "scenarios.h"

namespace vouch::bench::sslapi {

struct CtxFree {
  void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
};
struct SessionFree {
  void operator()(SSL_SESSION* p) const noexcept { SSL_SESSION_free(p); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;
using SessionPtr = std::unique_ptr<SSL_SESSION, SessionFree>;

struct Contexts {
  CtxPtr client;
  CtxPtr server;
  std::string error;  // non-empty: setting up failed, and why
};

/// Both contexts, built once per benchmark as a program builds them at start.
Contexts make_contexts(const Setup& setup);

/// Everything on libcrypto's error queue as one line, the queue emptied.
std::string openssl_errors();

/// One connection: a Link and the two SSL objects on it. Each call below runs
/// every SSL_* call on the side it belongs to through the meter, and returns
/// "" or what failed.
class Pair {
 public:
  /// `release_when_empty`: the Link frees its queues' storage whenever they
  /// run empty (pipe_bio.h); bulk transfers keep it.
  Pair(const Contexts& contexts, bool release_when_empty);
  ~Pair();  // frees what is left, as after a clean close, untimed
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;

  /// SSL_new, the BIOs, SNI and the name to verify ("localhost"), and
  /// `resume` offered (SSL_set_session) when not null.
  std::string open(SideMeter& meter, const SessionPtr& resume = nullptr);
  /// SSL_do_handshake on both ends until both finish, then each end reads
  /// until it would block (the client thereby takes in its tickets).
  std::string handshake(SideMeter& meter);
  /// SSL_read until WANT_READ on one end; data arriving is an error.
  std::string drain(SideMeter& meter, Side side);
  /// As after a clean close (SSL_set_shutdown; no alert sent), then SSL_free.
  void free_side(SideMeter& meter, Side side);

  /// What must hold after a handshake, checked untimed: each end verified
  /// the chain it had to, a resumption resumed, the suite is the setup's.
  std::string check(const Setup& setup, bool resumed) const;
  /// The client's newest session (SSL_get1_session), null if none.
  SessionPtr take_session(SideMeter& meter);
  /// One bulk iteration: `data` in one SSL_write on the client, SSL_read on
  /// the server until `in` is full, all of it timed into `ns`.
  std::string transfer(const std::vector<unsigned char>& data, std::vector<unsigned char>& in, int64_t& ns);

  /// SSL_get0_peer_certificate on the server and its subject as one line
  /// (X509_NAME_oneline), timed on the server; "" if there is none.
  std::string client_subject(SideMeter& meter);

  SSL* client() const { return client_; }
  SSL* server() const { return server_; }
  SSL* end(Side side) const { return side == Side::client ? client_ : server_; }

 private:
  const Contexts& contexts_;
  Link link_;
  SSL* client_ = nullptr;
  SSL* server_ = nullptr;
};

}  // namespace vouch::bench::sslapi
