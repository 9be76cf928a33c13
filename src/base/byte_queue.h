// A FIFO of bytes over one reusable buffer: appended at the back, consumed
// from the front. Views into it stay valid until the next append() (consume()
// only moves an index, the bytes stay put). Used by the record deframer and
// the handshake reassembler so that steady-state traffic allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vouch/types.h"

namespace vouch {

class ByteQueue {
 public:
  /// `initial_capacity` is the first allocation, made on the first append.
  explicit ByteQueue(size_t initial_capacity) : initial_(initial_capacity) {}

  /// Appends data. Moves the unconsumed bytes to the front only when the
  /// data does not fit behind them, and grows (geometrically) only when it
  /// does not fit at all: amortised O(1) per byte.
  void append(ByteView data);
  /// The unconsumed bytes.
  uint8_t* data() { return buf_.data() + start_; }
  const uint8_t* data() const { return buf_.data() + start_; }
  size_t size() const { return end_ - start_; }
  bool empty() const { return end_ == start_; }
  /// Drops n bytes from the front (n ≤ size()).
  void consume(size_t n);

 private:
  size_t initial_;
  Bytes buf_;
  size_t start_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last valid byte
};

}  // namespace vouch
