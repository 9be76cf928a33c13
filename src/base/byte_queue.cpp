#include "base/byte_queue.h"

#include <algorithm>
#include <cstring>

namespace vouch {

void ByteQueue::append(ByteView data) {
  if (data.empty()) return;
  if (start_ == end_) start_ = end_ = 0;  // nothing buffered: restart at the front for free
  if (buf_.size() - end_ < data.size()) {
    const size_t live = end_ - start_;
    const size_t need = live + data.size();
    if (need <= buf_.size()) {
      // Enough room overall: slide the unconsumed tail to the front.
      std::memmove(buf_.data(), buf_.data() + start_, live);
    } else {
      // Grow geometrically; copy only the live bytes.
      Bytes bigger(std::max({need, buf_.size() * 2, initial_}));
      if (live != 0) std::memcpy(bigger.data(), buf_.data() + start_, live);
      buf_.swap(bigger);
    }
    start_ = 0;
    end_ = live;
  }
  std::memcpy(buf_.data() + end_, data.data(), data.size());
  end_ += data.size();
}

void ByteQueue::consume(size_t n) {
  start_ += std::min(n, end_ - start_);
  if (start_ == end_) start_ = end_ = 0;  // indices only: the bytes stay put
}

}  // namespace vouch
