// redis:// URLs for the Redis SharedStore (parse_redis_url in
// src/store/redis_store.cpp): what is accepted, and a clear error for
// everything else.
#include <gtest/gtest.h>

#include "vouch/redis_store.h"

namespace vouch {
namespace {

TEST(RedisUrl, HostPortAndDatabase) {
  auto u = parse_redis_url("redis://127.0.0.1:6380/3");
  ASSERT_TRUE(u.ok()) << u.error().to_string();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->db, 3);
  EXPECT_TRUE(u->password.empty());
}

TEST(RedisUrl, DefaultsArePort6379AndDatabase0) {
  auto u = parse_redis_url("redis://cache.internal");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "cache.internal");
  EXPECT_EQ(u->port, 6379);
  EXPECT_EQ(u->db, 0);
  EXPECT_EQ(parse_redis_url("redis://h/")->db, 0);
}

TEST(RedisUrl, PasswordAndAclUser) {
  auto p = parse_redis_url("redis://s3cret@127.0.0.1:7000");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->password, "s3cret");
  EXPECT_TRUE(p->user.empty());
  auto up = parse_redis_url("redis://vouch:pa:ss@127.0.0.1");
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->user, "vouch");
  EXPECT_EQ(up->password, "pa:ss");
  auto only_pw = parse_redis_url("redis://:pw@127.0.0.1");
  ASSERT_TRUE(only_pw.ok());
  EXPECT_TRUE(only_pw->user.empty());
  EXPECT_EQ(only_pw->password, "pw");
}

TEST(RedisUrl, BracketedIpv6) {
  auto u = parse_redis_url("redis://[::1]:6390/1");
  ASSERT_TRUE(u.ok()) << u.error().to_string();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 6390);
  EXPECT_EQ(u->db, 1);
}

TEST(RedisUrl, MalformedUrlsAreRefusedWithTheReason) {
  struct Case {
    const char* url;
    const char* says;
  } cases[] = {
      {"http://127.0.0.1", "redis://"},       {"rediss://127.0.0.1", "redis://"},
      {"redis://", "no host"},                {"redis://:6379", "no host"},
      {"redis://h:0", "port"},                {"redis://h:65536", "port"},
      {"redis://h:12ab", "port"},             {"redis://h:", "empty port"},
      {"redis://h/x", "database"},            {"redis://h/-1", "database"},
      {"redis://[::1", "unclosed"},           {"redis://[::1]x", "junk"},
      {"redis://[::1]:", "empty port"},
  };
  for (const auto& c : cases) {
    auto u = parse_redis_url(c.url);
    ASSERT_FALSE(u.ok()) << c.url;
    EXPECT_NE(u.error().reason.find(c.says), std::string::npos) << c.url << ": " << u.error().reason;
    EXPECT_EQ(u.error().kind, ErrorKind::config) << c.url;
  }
}

TEST(RedisUrl, OpeningAnUnreachableRedisFailsWithTheReason) {
  // Port 1 on loopback: nothing listens there (connection refused at once).
  RedisStoreOptions o;
  o.connect_timeout = std::chrono::milliseconds(500);
  auto s = open_redis_store("redis://127.0.0.1:1", o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().reason.find("127.0.0.1:1"), std::string::npos) << s.error().reason;
  EXPECT_EQ(s.error().kind, ErrorKind::io) << "a local failure, not a TLS alert";
}

}  // namespace
}  // namespace vouch
