// ByteQueue (src/base/byte_queue.h): the FIFO under the deframer, the
// handshake reassembler, received application data and the network output.
#include <gtest/gtest.h>

#include <cstring>

#include "base/byte_queue.h"

namespace vouch {
namespace {

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 13);
  return b;
}

Bytes contents(const ByteQueue& q) { return Bytes(q.data(), q.data() + q.size()); }

TEST(ByteQueue, AppendConsumeKeepsOrder) {
  ByteQueue q(16);
  EXPECT_EQ(q.capacity(), 0u);  // nothing allocated before the first append
  q.append(pattern(10, 1));
  q.append(pattern(30, 2));  // grows, keeping what is there
  Bytes want = pattern(10, 1);
  const Bytes more = pattern(30, 2);
  want.insert(want.end(), more.begin(), more.end());
  EXPECT_EQ(contents(q), want);
  q.consume(15);
  EXPECT_EQ(contents(q), Bytes(want.begin() + 15, want.end()));
  q.consume(100);  // more than held: empties it
  EXPECT_TRUE(q.empty());
}

TEST(ByteQueue, PrepareAndCommitAppendInPlace) {
  ByteQueue q(64);
  q.append(pattern(5, 1));
  std::span<uint8_t> room = q.prepare(100);
  ASSERT_EQ(room.size(), 100u);
  EXPECT_EQ(q.size(), 5u);  // prepared room is not part of the queue yet
  const Bytes p = pattern(100, 9);
  std::memcpy(room.data(), p.data(), 40);
  q.commit(40);
  Bytes want = pattern(5, 1);
  want.insert(want.end(), p.begin(), p.begin() + 40);
  EXPECT_EQ(contents(q), want);
  EXPECT_GE(q.capacity(), 105u);
}

TEST(ByteQueue, ReleaseOnlyWhenEmpty) {
  ByteQueue q(64);
  q.append(pattern(50, 1));
  q.release();
  EXPECT_GT(q.capacity(), 0u);  // still holds bytes: kept
  EXPECT_EQ(contents(q), pattern(50, 1));
  q.consume(50);
  q.release();
  EXPECT_EQ(q.capacity(), 0u);
  q.append(pattern(3, 4));  // usable again after a release
  EXPECT_EQ(contents(q), pattern(3, 4));
}

// Large buffers go through the per-thread pool when released; whatever
// buffer a queue gets back, its contents are its own.
TEST(ByteQueue, LargeBuffersReusedAcrossQueues) {
  const Bytes big = pattern(1 << 20, 5);
  for (int round = 0; round < 4; ++round) {
    ByteQueue a(1024), b(1024);
    a.append(big);
    b.append(pattern(300000, static_cast<uint8_t>(round)));
    EXPECT_EQ(contents(a), big);
    a.consume(a.size());
    a.release();
    EXPECT_EQ(a.capacity(), 0u);
    std::span<uint8_t> room = b.prepare(1 << 20);  // may take a's old buffer
    std::memset(room.data(), 0xee, room.size());
    b.commit(10);
    EXPECT_EQ(b.size(), 300010u);
    EXPECT_EQ(Bytes(b.data(), b.data() + 300000), pattern(300000, static_cast<uint8_t>(round)));
    EXPECT_EQ(b.data()[300005], 0xee);
  }
}

TEST(ByteQueue, MovedFromIsEmptyAndUsable) {
  ByteQueue a(64);
  a.append(pattern(100000, 3));
  ByteQueue b(std::move(a));
  EXPECT_EQ(contents(b), pattern(100000, 3));
  EXPECT_EQ(a.size(), 0u);       // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(a.capacity(), 0u);   // NOLINT(bugprone-use-after-move)
  a.append(pattern(10, 4));      // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(contents(a), pattern(10, 4));
  b = std::move(a);
  EXPECT_EQ(contents(b), pattern(10, 4));
}

}  // namespace
}  // namespace vouch
