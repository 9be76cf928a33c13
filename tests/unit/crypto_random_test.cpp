// random_public_bytes: the per-thread, wipe-on-fork buffer for values sent in
// the clear, and random_bytes beside it.
#include "crypto/random.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <thread>
#include <vector>

namespace vouch {
namespace {

using Draw = std::array<uint8_t, 16>;

Draw draw_public() {
  Draw d{};
  EXPECT_TRUE(random_public_bytes(d).ok());
  return d;
}

TEST(PublicRandom, IsPooledOnThisKernel) {
  // Debian 12's kernels (and every Linux since 4.14) support
  // MADV_WIPEONFORK; without it the buffer is off and the fork test below
  // would pass vacuously, so say so here.
  (void)draw_public();
  EXPECT_TRUE(public_random_pooled());
}

TEST(PublicRandom, DrawsAcrossManyRefillsNeverRepeat) {
  // 16-byte draws: a repeat among 5,000 of them would mean the buffer handed
  // out the same bytes twice (it refills every 1,024 bytes).
  std::set<Draw> seen;
  for (int i = 0; i < 5000; ++i) EXPECT_TRUE(seen.insert(draw_public()).second) << "draw " << i;
}

TEST(PublicRandom, OddSizesLargeRequestsAndEmptySpans) {
  std::vector<uint8_t> empty;
  EXPECT_TRUE(random_public_bytes(empty).ok());
  // Sizes that straddle the refill boundary and the largest pooled size.
  for (size_t n : {1u, 3u, 31u, 32u, 63u, 64u, 65u, 1000u, 5000u}) {
    std::vector<uint8_t> a(n), b(n);
    ASSERT_TRUE(random_public_bytes(a).ok());
    ASSERT_TRUE(random_public_bytes(b).ok());
    if (n >= 8) {
      EXPECT_NE(a, b) << n;
    }
  }
}

TEST(PublicRandom, ThreadsDrawDifferentBytes) {
  Draw other{};
  std::thread t([&] { other = draw_public(); });
  t.join();
  EXPECT_NE(draw_public(), other);
}

TEST(PublicRandom, ForkedChildDoesNotRepeatTheParentsBytes) {
  // Fill this thread's buffer, then fork: without the wipe, parent and child
  // would both hand out the next 16 buffered bytes — the same ServerHello
  // random, ticket nonce or age_add in two processes.
  (void)draw_public();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    Draw d{};
    const bool ok = random_public_bytes(d).ok();
    const bool written = ok && ::write(fds[1], d.data(), d.size()) == static_cast<ssize_t>(d.size());
    ::_exit(written ? 0 : 1);
  }
  ::close(fds[1]);
  Draw child{};
  const ssize_t got = ::read(fds[0], child.data(), child.size());
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(got, static_cast<ssize_t>(child.size()));
  EXPECT_NE(draw_public(), child);
}

TEST(SecretRandom, FillsAndDiffers) {
  std::array<uint8_t, 32> a{}, b{};
  ASSERT_TRUE(random_bytes(a).ok());
  ASSERT_TRUE(random_bytes(b).ok());
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace vouch
