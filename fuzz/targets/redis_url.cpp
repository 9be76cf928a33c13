// libFuzzer target: the Redis store's URL parser (vouch::parse_redis_url,
// vouch/redis_store.h, in vouch_redis). Input: the URL. What it accepts must
// be usable: a host, a port in 1..65535, a database >= 0; and a URL written
// back from the parts parses to the same parts.
#include <string>

#include "fuzz_util.h"
#include "vouch/redis_store.h"

namespace {

// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] from parsed parts; an IPv6
// host (one with a colon) in brackets.
std::string format_url(const vouch::RedisUrl& u) {
  std::string s = "redis://";
  if (!u.user.empty()) {
    s += u.user + ":" + u.password + "@";
  } else if (!u.password.empty()) {
    s += ":" + u.password + "@";
  }
  s += u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  s += ":" + std::to_string(u.port) + "/" + std::to_string(u.db);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  auto parsed = vouch::parse_redis_url(url);
  if (!parsed.ok()) {
    VOUCH_FUZZ_CHECK(parsed.error().kind == vouch::ErrorKind::config);
    return 0;
  }
  const vouch::RedisUrl& u = *parsed;
  VOUCH_FUZZ_CHECK(!u.host.empty());
  VOUCH_FUZZ_CHECK(u.port >= 1 && u.port <= 65535);
  VOUCH_FUZZ_CHECK(u.db >= 0);

  // Written back, the parts parse to the same parts — for every host but
  // one with a bracket, which the URL form cannot say unambiguously.
  // (The user never holds ':', the host never '/' or '@'; the password may
  // hold anything: the last '@' ends it.)
  VOUCH_FUZZ_CHECK(u.user.find(':') == std::string::npos);
  VOUCH_FUZZ_CHECK(u.host.find_first_of("/@") == std::string::npos);
  if (u.host.find_first_of("[]") == std::string::npos) {
    auto again = vouch::parse_redis_url(format_url(u));
    if (!again.ok()) std::fprintf(stderr, "re-parse of %s: %s\n", format_url(u).c_str(),
                                  again.error().to_string().c_str());
    VOUCH_FUZZ_CHECK(again.ok());
    VOUCH_FUZZ_CHECK(again->host == u.host && again->port == u.port && again->db == u.db &&
                     again->user == u.user && again->password == u.password);
  }
  return 0;
}
