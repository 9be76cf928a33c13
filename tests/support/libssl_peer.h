// libssl as an in-memory TLS peer (memory BIOs), for tests that need a
// second, independent implementation on the other end: a TLS 1.2 peer
// without the extended master secret, a server that renegotiates, exporters
// and key logs to compare with. Test code only; the library never links
// libssl.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "crypto/ossl.h"
#include "vouch/connection.h"

namespace vouch::testing {

struct LibsslPeerOptions {
  bool server = true;
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_2_VERSION;
  /// SSL_OP_NO_EXTENDED_MASTER_SECRET when false.
  bool ems = true;
  /// Server: the test PKI's family ("ecdsa"/"rsa") for its certificate and
  /// the root it verifies client certificates against (and names as the
  /// acceptable CA). Client: its SNI is "localhost"; it verifies nothing.
  std::string family = "ecdsa";
};

class LibsslPeer {
 public:
  explicit LibsslPeer(const LibsslPeerOptions& options);
  LibsslPeer(const LibsslPeer&) = delete;
  LibsslPeer& operator=(const LibsslPeer&) = delete;

  SSL* ssl() { return ssl_.get(); }
  bool done() const { return SSL_is_init_finished(ssl_.get()) == 1; }
  /// The reason code of libssl's last error (a received alert is
  /// SSL_AD_REASON_OFFSET + its description).
  int last_error_reason() const { return last_reason_; }

  /// Feeds `in`, runs the handshake (or a renegotiation) as far as it goes,
  /// reads application data into `received`, returns what libssl wrote.
  Bytes step(ByteView in);
  /// What libssl wrote and nothing else.
  Bytes drain();
  /// SSL_write of the whole string (EXPECTs success).
  void write(const std::string& data);

  std::string received;
  /// Lines of libssl's key log (SSL_CTX_set_keylog_callback).
  std::vector<std::string> keylog;

 private:
  ossl::Ptr<SSL_CTX, SSL_CTX_free> ctx_;
  ossl::Ptr<SSL, SSL_free> ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  int last_reason_ = 0;
};

/// Everything `c` has queued, taken.
Bytes take_output(Connection& c);

/// Moves bytes between a vouch connection and libssl a bounded number of
/// times, until both finished their handshakes and nothing moves; true if
/// both completed.
bool pump_with(Connection& vouch, LibsslPeer& peer, int rounds = 32);

}  // namespace vouch::testing
