// An in-memory transport for libssl-API benchmarks: a Link is two byte queues
// (one per direction) and each end of a connection gets one BIO that reads
// from its incoming queue and writes to its outgoing one, like one half of a
// BIO pair, but
//  - unbounded: a 1 MiB SSL_write goes through in one call, without the
//    WANT_WRITE round trips a fixed-size BIO pair needs;
//  - optionally releasing its storage whenever a queue runs empty, so an idle
//    connection's BIO holds no buffer and the memory rows count the TLS
//    library, not the transport (BIO_s_mem and BIO pairs keep theirs).
// Only libcrypto's BIO API is used, so the same code serves libssl and
// vouch-ssl. Not thread-safe: both ends live in one thread.
#pragma once

#include <openssl/bio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vouch::bench {

/// Bytes written and not yet read, in order.
class ByteQueue {
 public:
  explicit ByteQueue(bool release_when_empty) : release_(release_when_empty) {}
  size_t size() const { return bytes_.size() - head_; }
  void push(const uint8_t* data, size_t n);
  /// Moves up to `n` bytes to `out`; returns how many.
  size_t pop(uint8_t* out, size_t n);

 private:
  std::vector<uint8_t> bytes_;
  size_t head_ = 0;  // bytes_[0, head_) were read already
  bool release_;
};

/// Both directions of one connection. Must outlive the BIOs made from it.
struct Link {
  explicit Link(bool release_when_empty) : to_server(release_when_empty), to_client(release_when_empty) {}
  ByteQueue to_server;
  ByteQueue to_client;
};

/// A new BIO for the client end (reads to_client, writes to_server) or the
/// server end of `link`, holding one reference; null on failure. The BIO
/// never fails a write; a read of an empty queue asks to retry, as a
/// non-blocking socket does.
BIO* client_bio(Link& link);
BIO* server_bio(Link& link);

}  // namespace vouch::bench
