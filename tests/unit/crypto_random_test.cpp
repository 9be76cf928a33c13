// random_public_bytes and random_private_bytes: the per-thread, wipe-on-fork
// buffers for values sent in the clear and for ephemeral keys, and
// random_bytes beside them.
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
  EXPECT_TRUE(random_pooled());
}

TEST(PublicRandom, DrawsAcrossManyRefillsNeverRepeat) {
  // 16-byte draws: a repeat among 5,000 of them would mean the buffer handed
  // out the same bytes twice (it refills every 1,024 bytes).
  std::set<Draw> seen;
  for (int i = 0; i < 5000; ++i) EXPECT_TRUE(seen.insert(draw_public()).second) << "draw " << i;
}

// Sizes that straddle the refill boundary and the largest pooled size (64),
// and an empty span, through `draw`.
void expect_every_size_drawn(Status (*draw)(std::span<uint8_t>)) {
  std::vector<uint8_t> empty;
  EXPECT_TRUE(draw(empty).ok());
  for (size_t n : {1u, 3u, 31u, 32u, 63u, 64u, 65u, 1000u, 5000u}) {
    std::vector<uint8_t> a(n), b(n);
    ASSERT_TRUE(draw(a).ok());
    ASSERT_TRUE(draw(b).ok());
    if (n >= 8) {
      EXPECT_NE(a, b) << n;
    }
  }
}

TEST(PublicRandom, OddSizesLargeRequestsAndEmptySpans) { expect_every_size_drawn(random_public_bytes); }

TEST(PublicRandom, ThreadsDrawDifferentBytes) {
  Draw other{};
  std::thread t([&] { other = draw_public(); });
  t.join();
  EXPECT_NE(draw_public(), other);
}

// What `draw` gives in a child forked now (from this thread's buffer as the
// parent left it); fails the test and returns zeroes if the child fails.
Draw draw_in_forked_child(Status (*draw)(std::span<uint8_t>)) {
  Draw child{};
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe";
    return child;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    Draw d{};
    const bool ok = draw(d).ok();
    const bool written = ok && ::write(fds[1], d.data(), d.size()) == static_cast<ssize_t>(d.size());
    ::_exit(written ? 0 : 1);
  }
  ::close(fds[1]);
  const ssize_t got = pid > 0 ? ::read(fds[0], child.data(), child.size()) : -1;
  ::close(fds[0]);
  int status = 0;
  EXPECT_GT(pid, 0) << "fork";
  if (pid > 0) {
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(got, static_cast<ssize_t>(child.size()));
  return child;
}

TEST(PublicRandom, ForkedChildDoesNotRepeatTheParentsBytes) {
  // Fill this thread's buffer, then fork: without the wipe, parent and child
  // would both hand out the next 16 buffered bytes — the same ServerHello
  // random, ticket nonce or age_add in two processes.
  (void)draw_public();
  const Draw child = draw_in_forked_child(random_public_bytes);
  EXPECT_NE(draw_public(), child);
}

Draw draw_private() {
  Draw d{};
  EXPECT_TRUE(random_private_bytes(d).ok());
  return d;
}

TEST(PrivateRandom, DrawsAcrossManyRefillsNeverRepeatNorMeetPublicDraws) {
  // The two pools refill from different generators; neither hands out a
  // draw twice, and no private draw is ever a public one.
  std::set<Draw> seen;
  for (int i = 0; i < 3000; ++i) {
    EXPECT_TRUE(seen.insert(draw_private()).second) << "private draw " << i;
    EXPECT_TRUE(seen.insert(draw_public()).second) << "public draw " << i;
  }
}

TEST(PrivateRandom, OddSizesLargeRequestsAndEmptySpans) { expect_every_size_drawn(random_private_bytes); }

TEST(PrivateRandom, ForkedChildDoesNotRepeatTheParentsKeys) {
  // As for public draws: without the wipe, parent and child would make the
  // same next ephemeral key.
  (void)draw_private();
  const Draw child = draw_in_forked_child(random_private_bytes);
  EXPECT_NE(draw_private(), child);
}

TEST(SecretRandom, FillsAndDiffers) {
  std::array<uint8_t, 32> a{}, b{};
  ASSERT_TRUE(random_bytes(a).ok());
  ASSERT_TRUE(random_bytes(b).ok());
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace vouch
