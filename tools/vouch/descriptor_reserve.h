// Keeps Asio's per-descriptor state in large contiguous batches, so that a
// server's memory returns to its idle level after a burst of connections.
//
// Asio's epoll reactor gives every open socket a small state object from a
// pool that never frees: a closed socket's object waits on a free list for
// the next socket. Allocated one by one as connections arrive, these objects
// end up spread over the heap between the connections' own (short-lived)
// memory, one every few KiB, and after the connections close they pin nearly
// every page the burst touched: with 10,000 connections glibc had 2.8 MB in
// use but 43 MB resident it could not give back (issue 14). Reserving them
// ahead of need, a batch at a time (open and close that many sockets in a
// row), puts them side by side instead.
#pragma once

#include <asio/io_context.hpp>

#include <cstddef>

namespace vouch::cli {

class DescriptorReserve {
 public:
  explicit DescriptorReserve(::asio::io_context& io) : io_(io) {}

  /// Makes sure Asio's pool holds state for at least `needed` sockets open
  /// at once, growing it by half of its size (at least 256) at a time. Call
  /// before each accept, from one thread at a time. Best effort: a failing
  /// socket() (the descriptor limit) ends a batch early, harmlessly.
  void ensure(size_t needed);

  /// How many descriptors' state has been reserved so far.
  size_t reserved() const { return reserved_; }

 private:
  ::asio::io_context& io_;
  size_t reserved_ = 0;
};

}  // namespace vouch::cli
