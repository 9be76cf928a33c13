// ServerSessionCache (vouch/session.h): the TLS 1.2 server's sessions by
// session ID (RFC 5246 §7.4.1.2) — lookups, replacement, expiry, eviction of
// the oldest when full, removal, and consistency under concurrent use.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "vouch/session.h"

namespace vouch {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::hours;
using std::chrono::seconds;

Bytes id(uint32_t n) {
  Bytes b(32, 0);
  b[0] = static_cast<uint8_t>(n >> 24);
  b[1] = static_cast<uint8_t>(n >> 16);
  b[2] = static_cast<uint8_t>(n >> 8);
  b[3] = static_cast<uint8_t>(n);
  return b;
}

Bytes state(const std::string& s) { return Bytes(s.begin(), s.end()); }

Clock::time_point later() { return Clock::now() + hours(1); }

TEST(ServerSessionCache, GetAfterPut) {
  ServerSessionCache c;
  c.put(id(1), state("one"), later());
  EXPECT_EQ(c.get(id(1)), state("one"));
  EXPECT_EQ(c.get(id(1)), state("one"));  // not consumed: a session resumes many times
  EXPECT_EQ(c.get(id(2)), std::nullopt);
  EXPECT_EQ(c.size(), 1u);
}

TEST(ServerSessionCache, IdsAreComparedByteForByte) {
  ServerSessionCache c;
  c.put(Bytes{0x01}, state("short"), later());
  c.put(Bytes{0x01, 0x00}, state("longer"), later());
  c.put(Bytes{0x00, 0xFF}, state("other"), later());
  EXPECT_EQ(c.get(Bytes{0x01}), state("short"));
  EXPECT_EQ(c.get(Bytes{0x01, 0x00}), state("longer"));
  EXPECT_EQ(c.get(Bytes{0x00, 0xFF}), state("other"));
  EXPECT_EQ(c.get(Bytes{0x00}), std::nullopt);
  EXPECT_EQ(c.size(), 3u);
}

TEST(ServerSessionCache, PutReplacesTheSameId) {
  ServerSessionCache c;
  c.put(id(1), state("old"), later());
  c.put(id(1), state("new"), later());
  EXPECT_EQ(c.get(id(1)), state("new"));
  EXPECT_EQ(c.size(), 1u);
}

TEST(ServerSessionCache, EmptyIdIsNeverStored) {
  // RFC 5246 §7.4.1.2: an empty session_id means "not cached".
  ServerSessionCache c;
  c.put(Bytes{}, state("x"), later());
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.get(Bytes{}), std::nullopt);
}

TEST(ServerSessionCache, ExpiredEntriesAreNotReturnedAndAreDropped) {
  ServerSessionCache c;
  c.put(id(1), state("gone"), Clock::now() - seconds(1));
  c.put(id(2), state("now"), Clock::now());  // expiry is exclusive
  c.put(id(3), state("live"), later());
  EXPECT_EQ(c.get(id(1)), std::nullopt);
  EXPECT_EQ(c.get(id(2)), std::nullopt);
  EXPECT_EQ(c.get(id(3)), state("live"));
  // get() dropped what it met expired.
  EXPECT_EQ(c.size(), 1u);
}

TEST(ServerSessionCache, EntryExpiresWhileCached) {
  ServerSessionCache c;
  c.put(id(1), state("brief"), Clock::now() + std::chrono::milliseconds(300));
  EXPECT_EQ(c.get(id(1)), state("brief"));
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_EQ(c.get(id(1)), std::nullopt);
  EXPECT_EQ(c.size(), 0u);
}

TEST(ServerSessionCache, PutDropsExpiredOldestEntries) {
  ServerSessionCache c(10);
  c.put(id(1), state("a"), Clock::now() - seconds(1));
  c.put(id(2), state("b"), Clock::now() - seconds(1));
  c.put(id(3), state("c"), later());
  EXPECT_EQ(c.size(), 1u);  // the two expired ones were at the old end
}

TEST(ServerSessionCache, FullCacheEvictsTheOldestInsertedFirst) {
  ServerSessionCache c(3);
  for (uint32_t i = 1; i <= 3; ++i) c.put(id(i), state(std::to_string(i)), later());
  // Reading does not refresh an entry: eviction is by insertion order.
  EXPECT_EQ(c.get(id(1)), state("1"));
  c.put(id(4), state("4"), later());
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.get(id(1)), std::nullopt);
  EXPECT_EQ(c.get(id(2)), state("2"));
  // Replacing 2 makes it the newest, so 3 goes next, then 4.
  c.put(id(2), state("2b"), later());
  c.put(id(5), state("5"), later());
  EXPECT_EQ(c.get(id(3)), std::nullopt);
  EXPECT_EQ(c.get(id(4)), state("4"));
  c.put(id(6), state("6"), later());
  EXPECT_EQ(c.get(id(4)), std::nullopt);
  EXPECT_EQ(c.get(id(2)), state("2b"));
  EXPECT_EQ(c.get(id(5)), state("5"));
  EXPECT_EQ(c.get(id(6)), state("6"));
  EXPECT_EQ(c.size(), 3u);
}

TEST(ServerSessionCache, FullCacheDropsAnExpiredEntryBeforeALiveOne) {
  ServerSessionCache c(3);
  c.put(id(1), state("1"), Clock::now() + std::chrono::milliseconds(30));
  c.put(id(2), state("2"), later());
  c.put(id(3), state("3"), later());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  c.put(id(4), state("4"), later());
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.get(id(2)), state("2"));
  EXPECT_EQ(c.get(id(3)), state("3"));
  EXPECT_EQ(c.get(id(4)), state("4"));
}

TEST(ServerSessionCache, ZeroCapacityStoresNothing) {
  ServerSessionCache c(0);
  c.put(id(1), state("x"), later());
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.get(id(1)), std::nullopt);
}

TEST(ServerSessionCache, Remove) {
  ServerSessionCache c(2);
  c.put(id(1), state("1"), later());
  c.put(id(2), state("2"), later());
  c.remove(id(1));
  c.remove(id(9));  // unknown: nothing happens
  EXPECT_EQ(c.get(id(1)), std::nullopt);
  EXPECT_EQ(c.size(), 1u);
  // The removed entry no longer counts: two more fit after evicting only 2.
  c.put(id(3), state("3"), later());
  EXPECT_EQ(c.get(id(2)), state("2"));
  c.put(id(4), state("4"), later());
  EXPECT_EQ(c.get(id(2)), std::nullopt);
  EXPECT_EQ(c.get(id(3)), state("3"));
  EXPECT_EQ(c.get(id(4)), state("4"));
}

// The value every thread stores under id(n): a lookup that returns anything
// else would be a torn or mixed-up entry.
Bytes value_for(uint32_t n) { return state("state-" + std::to_string(n)); }

TEST(ServerSessionCache, ConcurrentUseWithRoomForAll) {
  constexpr uint32_t kThreads = 4, kPerThread = 500;
  ServerSessionCache c(kThreads * kPerThread);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint32_t i = 0; i < kPerThread; ++i) {
        const uint32_t n = t * kPerThread + i;
        c.put(id(n), value_for(n), later());
        if (c.get(id(n)) != value_for(n)) ++wrong;
        // Someone else's id: absent or exactly its value.
        const uint32_t other = ((t + 1) % kThreads) * kPerThread + i;
        const std::optional<Bytes> v = c.get(id(other));
        if (v && *v != value_for(other)) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(c.size(), size_t{kThreads} * kPerThread);
  for (uint32_t n = 0; n < kThreads * kPerThread; ++n) ASSERT_EQ(c.get(id(n)), value_for(n)) << n;
}

TEST(ServerSessionCache, ConcurrentUseUnderEviction) {
  constexpr uint32_t kThreads = 4, kPerThread = 2000;
  constexpr size_t kCapacity = 64;
  ServerSessionCache c(kCapacity);
  std::atomic<int> wrong{0};
  std::atomic<size_t> max_size{0};
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint32_t i = 0; i < kPerThread; ++i) {
        // Overlapping ids across threads, with the same value for the same id.
        const uint32_t n = (t * 7 + i) % 300;
        c.put(id(n), value_for(n), later());
        if (i % 5 == 0) c.remove(id((n + 1) % 300));
        const std::optional<Bytes> v = c.get(id((n + 13) % 300));
        if (v && *v != value_for((n + 13) % 300)) ++wrong;
        const size_t size = c.size();
        size_t seen = max_size.load();
        while (size > seen && !max_size.compare_exchange_weak(seen, size)) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(max_size.load(), kCapacity);
  EXPECT_LE(c.size(), kCapacity);
  // Whatever survived is intact.
  size_t found = 0;
  for (uint32_t n = 0; n < 300; ++n) {
    if (std::optional<Bytes> v = c.get(id(n))) {
      EXPECT_EQ(*v, value_for(n));
      ++found;
    }
  }
  EXPECT_EQ(found, c.size());
}

}  // namespace
}  // namespace vouch
