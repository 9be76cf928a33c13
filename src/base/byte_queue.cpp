#include "base/byte_queue.h"

#include <algorithm>
#include <array>
#include <utility>
#include <cstring>

namespace vouch {
namespace {

// Buffers bigger than a couple of records (a 1 MiB write or read) are not
// given back to malloc when a queue is released: glibc hands blocks that
// large back to the kernel, and taking them again costs a page fault per
// 4 KiB, more than encrypting the data. A few are kept per thread for the
// next large transfer instead, so an idle connection still holds nothing
// and the memory kept is bounded per thread, not per connection.
constexpr size_t kPoolMinBytes = 64 * 1024;
constexpr size_t kPoolMaxBytes = 4 * 1024 * 1024;
constexpr size_t kPoolSlots = 3;

struct PooledBuffer {
  std::unique_ptr<uint8_t[]> buf;
  size_t cap = 0;
};

// Set when this thread's pool is destroyed (thread exit): a queue released
// later (a connection in a static object, say) frees its buffer instead.
// Trivially destructible, so it can still be read then.
thread_local bool pool_gone = false;

struct Pool {
  std::array<PooledBuffer, kPoolSlots> slots;
  ~Pool() { pool_gone = true; }
};

// This thread's pool, or null once it is gone.
Pool* pool() {
  if (pool_gone) return nullptr;
  thread_local Pool p;
  return &p;
}

// A pooled buffer of at least `need` bytes (the smallest that fits), or a
// new one of `cap` bytes.
PooledBuffer take_buffer(size_t need, size_t cap) {
  Pool* p = need >= kPoolMinBytes ? pool() : nullptr;
  if (p) {
    PooledBuffer* best = nullptr;
    for (PooledBuffer& b : p->slots)
      if (b.buf && b.cap >= need && (!best || b.cap < best->cap)) best = &b;
    if (best) return std::exchange(*best, PooledBuffer{});
  }
  return PooledBuffer{std::make_unique_for_overwrite<uint8_t[]>(cap), cap};
}

void give_back(std::unique_ptr<uint8_t[]> buf, size_t cap) {
  if (!buf || cap < kPoolMinBytes || cap > kPoolMaxBytes) return;  // freed here
  Pool* p = pool();
  if (!p) return;
  // Into an empty slot, or in place of a smaller buffer.
  PooledBuffer* slot = nullptr;
  for (PooledBuffer& b : p->slots)
    if (!slot || !b.buf || (slot->buf && b.cap < slot->cap)) slot = &b;
  if (slot->buf && slot->cap >= cap) return;
  slot->buf = std::move(buf);
  slot->cap = cap;
}

}  // namespace

ByteQueue::~ByteQueue() { give_back(std::move(buf_), cap_); }

ByteQueue::ByteQueue(ByteQueue&& other) noexcept
    : initial_(other.initial_),
      buf_(std::move(other.buf_)),
      cap_(std::exchange(other.cap_, 0)),
      start_(std::exchange(other.start_, 0)),
      end_(std::exchange(other.end_, 0)) {}

ByteQueue& ByteQueue::operator=(ByteQueue&& other) noexcept {
  if (this != &other) {
    give_back(std::move(buf_), cap_);
    initial_ = other.initial_;
    buf_ = std::move(other.buf_);
    cap_ = std::exchange(other.cap_, 0);
    start_ = std::exchange(other.start_, 0);
    end_ = std::exchange(other.end_, 0);
  }
  return *this;
}

std::span<uint8_t> ByteQueue::prepare(size_t n) {
  if (start_ == end_) start_ = end_ = 0;  // nothing buffered: restart at the front for free
  if (cap_ - end_ < n) {
    const size_t live = end_ - start_;
    const size_t need = live + n;
    if (need <= cap_) {
      // Enough room overall: slide the unconsumed tail to the front.
      std::memmove(buf_.get(), buf_.get() + start_, live);
    } else {
      // Grow geometrically; copy only the live bytes.
      PooledBuffer bigger = take_buffer(need, std::max({need, cap_ * 2, initial_}));
      if (live != 0) std::memcpy(bigger.buf.get(), buf_.get() + start_, live);
      give_back(std::exchange(buf_, std::move(bigger.buf)), cap_);
      cap_ = bigger.cap;
    }
    start_ = 0;
    end_ = live;
  }
  return std::span<uint8_t>(buf_.get() + end_, n);
}

void ByteQueue::append(ByteView data) {
  if (data.empty()) return;
  std::memcpy(prepare(data.size()).data(), data.data(), data.size());
  commit(data.size());
}

void ByteQueue::consume(size_t n) {
  start_ += std::min(n, end_ - start_);
  if (start_ == end_) start_ = end_ = 0;  // indices only: the bytes stay put
}

void ByteQueue::release() {
  if (start_ != end_) return;
  give_back(std::move(buf_), cap_);
  buf_.reset();
  cap_ = start_ = end_ = 0;
}

}  // namespace vouch
