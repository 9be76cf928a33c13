// A FIFO of bytes over one reusable buffer: appended at the back, consumed
// from the front. Views into it stay valid until the next append() or
// prepare() (consume() only moves an index, the bytes stay put). Used by the
// record deframer, the handshake reassembler, the received application data
// and the output for the network, so that steady-state traffic allocates
// nothing; release() gives the buffer back once the queue is empty, so that
// an idle connection holds none (issue 13, docs/performance.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "vouch/types.h"

namespace vouch {

class ByteQueue {
 public:
  /// `initial_capacity` is the first allocation, made on the first append.
  explicit ByteQueue(size_t initial_capacity) : initial_(initial_capacity) {}
  ~ByteQueue();
  /// A moved-from queue is empty and holds no buffer.
  ByteQueue(ByteQueue&& other) noexcept;
  ByteQueue& operator=(ByteQueue&& other) noexcept;

  /// Appends data. Moves the unconsumed bytes to the front only when the
  /// data does not fit behind them, and grows (geometrically) only when it
  /// does not fit at all: amortised O(1) per byte.
  void append(ByteView data);
  /// Room for n more bytes at the back, to be written by the caller and then
  /// made part of the queue with commit(). The bytes are uninitialised (the
  /// buffer is never zero-filled: whatever is committed was written first).
  /// Invalidates earlier views, like append().
  std::span<uint8_t> prepare(size_t n);
  /// Appends the first n bytes of the last prepare() (n ≤ its size).
  void commit(size_t n) { end_ += n; }
  /// The unconsumed bytes.
  uint8_t* data() { return buf_.get() + start_; }
  const uint8_t* data() const { return buf_.get() + start_; }
  size_t size() const { return end_ - start_; }
  bool empty() const { return end_ == start_; }
  /// Bytes allocated (0 after release()).
  size_t capacity() const { return cap_; }
  /// Drops n bytes from the front (n ≤ size()).
  void consume(size_t n);
  /// Frees the buffer if the queue is empty (the next append allocates
  /// again); a no-op otherwise. Invalidates views. Large buffers (64 KiB to
  /// 4 MiB) go to a small per-thread pool (at most 3) that the next large
  /// transfer on this thread takes them from, instead of back to malloc.
  void release();

 private:
  size_t initial_;
  // Not a std::vector: growing one value-initialises (zero-fills) every new
  // byte, a full extra pass over each record on the bulk data path.
  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0;
  size_t start_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last valid byte
};

}  // namespace vouch
