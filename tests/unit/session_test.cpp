// Resumption plumbing: Session lifetime, the client SessionCache and the
// server's TicketKeys (RFC 8446 §4.6.1, Appendix C.4).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "vouch/session.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

std::shared_ptr<const Session> session(uint32_t lifetime, Clock::duration age,
                                       uint8_t tag = 0) {
  auto s = std::make_shared<Session>();
  s->lifetime_seconds = lifetime;
  s->received_at = Clock::now() - age;
  s->ticket = Bytes{tag};
  s->server_name = "example.test";
  return s;
}

uint8_t tag_of(const std::shared_ptr<const Session>& s) { return s->ticket.at(0); }

TEST(Session, UsableWithinLifetime) {
  Session s;
  s.received_at = Clock::now();
  s.lifetime_seconds = 60;
  EXPECT_TRUE(s.usable(s.received_at));
  EXPECT_TRUE(s.usable(s.received_at + seconds(59)));
  EXPECT_FALSE(s.usable(s.received_at + seconds(60)));
  EXPECT_FALSE(s.usable(s.received_at + hours(1)));
}

TEST(Session, ZeroLifetimeIsNeverUsable) {
  Session s;
  s.received_at = Clock::now();
  s.lifetime_seconds = 0;
  EXPECT_FALSE(s.usable(s.received_at));
}

TEST(Session, LifetimeIsCappedAtSevenDays) {
  // §4.6.1: clients MUST NOT cache tickets for longer than 7 days.
  Session s;
  s.received_at = Clock::now();
  s.lifetime_seconds = 30 * 24 * 3600;
  EXPECT_TRUE(s.usable(s.received_at + hours(24 * 7) - seconds(1)));
  EXPECT_FALSE(s.usable(s.received_at + hours(24 * 7)));
}

TEST(SessionCache, TakeIsOnceOnly) {
  SessionCache c;
  c.put("a", session(3600, seconds(0), 1));
  c.put("a", session(3600, seconds(0), 2));
  EXPECT_EQ(c.size(), 2u);
  auto s1 = c.take("a");
  ASSERT_TRUE(s1);
  EXPECT_EQ(tag_of(s1), 2);  // newest first
  auto s2 = c.take("a");
  ASSERT_TRUE(s2);
  EXPECT_EQ(tag_of(s2), 1);
  EXPECT_FALSE(c.take("a"));
  EXPECT_EQ(c.size(), 0u);
}

TEST(SessionCache, NamesAreSeparate) {
  SessionCache c;
  c.put("a", session(3600, seconds(0), 1));
  c.put("b", session(3600, seconds(0), 2));
  EXPECT_FALSE(c.take("c"));
  auto b = c.take("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(tag_of(b), 2);
  EXPECT_FALSE(c.take("b"));
  auto a = c.take("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(tag_of(a), 1);
}

TEST(SessionCache, ExpiredSessionsAreSkippedAndDropped) {
  SessionCache c;
  c.put("a", session(3600, seconds(0), 1));
  // Inserted after the valid one, so a newest-first take sees them first.
  c.put("a", session(60, seconds(120), 2));
  c.put("a", session(0, seconds(0), 3));
  auto s = c.take("a");
  ASSERT_TRUE(s);
  EXPECT_EQ(tag_of(s), 1);
  EXPECT_EQ(c.size(), 0u);  // the expired ones went too
  EXPECT_FALSE(c.take("a"));
}

TEST(SessionCache, OnlyExpiredGivesNothing) {
  SessionCache c;
  c.put("a", session(10, hours(1)));
  EXPECT_FALSE(c.take("a"));
  EXPECT_EQ(c.size(), 0u);
}

TEST(SessionCache, BoundedPerNameEvictsOldest) {
  SessionCache c(2);
  for (uint8_t i = 1; i <= 4; ++i) c.put("a", session(3600, seconds(0), i));
  c.put("b", session(3600, seconds(0), 9));
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(tag_of(c.take("a")), 4);
  EXPECT_EQ(tag_of(c.take("a")), 3);
  EXPECT_FALSE(c.take("a"));
  EXPECT_EQ(tag_of(c.take("b")), 9);
}

TEST(SessionCache, NullAndZeroBoundStoreNothing) {
  SessionCache c;
  c.put("a", nullptr);
  EXPECT_EQ(c.size(), 0u);
  SessionCache none(0);
  none.put("a", session(3600, seconds(0)));
  EXPECT_EQ(none.size(), 0u);
  EXPECT_FALSE(none.take("a"));
}

TEST(SessionCache, ConcurrentPutAndTake) {
  // Each thread owns a name; every stored session is taken exactly once.
  SessionCache c(1000);
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<int> taken(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string name = "host" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        c.put(name, session(3600, seconds(0)));
        if (i % 2 == 1 && c.take(name)) ++taken[t];
        (void)c.size();
      }
      while (c.take(name)) ++taken[t];
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(taken[t], kPerThread);
  EXPECT_EQ(c.size(), 0u);
}

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

TEST(TicketKeys, SealOpenRoundTrip) {
  TicketKeys k;
  for (const Bytes& pt : {Bytes{}, text("resumption state"), Bytes(5000, 0x42)}) {
    auto t = k.seal(pt);
    ASSERT_TRUE(t.ok()) << t.error().to_string();
    EXPECT_EQ(t->size(), 4 + 12 + pt.size() + 16);  // key id, nonce, ct, tag
    auto back = k.open(*t);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, pt);
  }
}

TEST(TicketKeys, TicketsAreEncryptedAndNotDeterministic) {
  TicketKeys k;
  const Bytes pt = text("the same state twice, long enough to see");
  auto t1 = k.seal(pt);
  auto t2 = k.seal(pt);
  ASSERT_TRUE(t1.ok() && t2.ok());
  EXPECT_NE(*t1, *t2);  // fresh random nonce
  EXPECT_EQ(Bytes(t1->begin(), t1->begin() + 4), Bytes(t2->begin(), t2->begin() + 4));
  const Bytes body(t1->begin() + 16, t1->begin() + 16 + static_cast<long>(pt.size()));
  EXPECT_NE(body, pt);
}

TEST(TicketKeys, TamperingIsDetected) {
  TicketKeys k;
  auto t = k.seal(text("state"));
  ASSERT_TRUE(t.ok());
  // Key id, nonce, ciphertext, tag.
  for (size_t pos : {size_t{0}, size_t{3}, size_t{4}, size_t{15}, size_t{16}, size_t{20},
                     t->size() - 1}) {
    Bytes bad = *t;
    bad[pos] ^= 0x80;
    EXPECT_FALSE(k.open(bad).ok()) << "flipped byte " << pos;
  }
  Bytes longer = *t;
  longer.push_back(0);
  EXPECT_FALSE(k.open(longer).ok());
  Bytes shorter(t->begin(), t->end() - 1);
  EXPECT_FALSE(k.open(shorter).ok());
  EXPECT_TRUE(k.open(*t).ok());
}

TEST(TicketKeys, OneRotationStillOpensTwoDoNot) {
  TicketKeys k;
  auto old = k.seal(text("old"));
  ASSERT_TRUE(old.ok());
  k.rotate();
  auto mid = k.seal(text("mid"));
  ASSERT_TRUE(mid.ok());
  EXPECT_NE(Bytes(old->begin(), old->begin() + 4), Bytes(mid->begin(), mid->begin() + 4));
  auto o1 = k.open(*old);
  ASSERT_TRUE(o1.ok());
  EXPECT_EQ(*o1, text("old"));
  k.rotate();
  EXPECT_FALSE(k.open(*old).ok());
  auto o2 = k.open(*mid);
  ASSERT_TRUE(o2.ok());
  EXPECT_EQ(*o2, text("mid"));
  auto fresh = k.seal(text("new"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(k.open(*fresh).ok());
}

TEST(TicketKeys, GarbageAndShortTicketsFail) {
  TicketKeys k;
  EXPECT_FALSE(k.open({}).ok());
  EXPECT_FALSE(k.open(Bytes(1, 0)).ok());
  EXPECT_FALSE(k.open(Bytes(31, 0x33)).ok());  // one short of id + nonce + tag
  EXPECT_FALSE(k.open(Bytes(32, 0x33)).ok());
  EXPECT_FALSE(k.open(Bytes(200, 0xff)).ok());
  // A ticket-shaped blob carrying the live key id but a forged tag.
  auto t = k.seal(text("x"));
  ASSERT_TRUE(t.ok());
  Bytes forged(t->begin(), t->begin() + 4);
  forged.resize(4 + 12 + 1 + 16, 0x5c);
  EXPECT_FALSE(k.open(forged).ok());
}

TEST(TicketKeys, OtherInstancesCannotOpen) {
  TicketKeys a, b;
  auto t = a.seal(text("private"));
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(b.open(*t).ok());
}

TEST(TicketKeys, ConcurrentSealAndOpen) {
  // Thread-safety: the Aead contexts are shared, so each call must hold the
  // lock for its whole use (ASan/TSan-visible if not, and values would mix).
  TicketKeys k;
  std::vector<std::thread> threads;
  std::vector<int> ok(3, 0);
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const Bytes pt = text("t" + std::to_string(t) + "i" + std::to_string(i));
        auto sealed = k.seal(pt);
        if (!sealed.ok()) continue;
        auto opened = k.open(*sealed);
        if (opened.ok() && *opened == pt) ++ok[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 3; ++t) EXPECT_EQ(ok[t], 100);
}

}  // namespace
}  // namespace vouch
