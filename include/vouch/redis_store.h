// vouch — a SharedStore (vouch/store.h) on a Redis server, through hiredis.
//
// In its own library, vouch_redis (CMake target vouch::redis in the build
// tree), so that programs that do not share state through Redis do not link
// hiredis. Requires Redis 2.6.12 or later (SET with PX/NX, EVAL).
//
// Keys are stored under a prefix ("vouch:" by default) so that one Redis can
// serve other applications too. Compare-and-set and leases are Lua scripts
// (EVAL), each atomic on the server. Values are binary-safe.
//
// Failure behaviour: every command is bounded by `command_timeout`; a
// connection that fails is dropped and reopened by a later call, at most once
// per `reconnect_interval` (calls in between fail at once with "Redis
// unreachable"), so a Redis outage costs callers one timeout, not one per
// call. Nothing returned by Redis is trusted by vouch's users of the store.
//
// Not supported: TLS to Redis (Debian 12's hiredis 0.14 has no TLS; put Redis
// on loopback or a private network, or in front of it a TLS tunnel), Redis
// Cluster and Sentinel.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "vouch/store.h"

namespace vouch {

struct RedisStoreOptions {
  /// Bounds connecting and each command.
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{1000};
  /// After a failed connection, calls fail at once for this long before
  /// the next attempt to connect.
  std::chrono::milliseconds reconnect_interval{1000};
  /// Prepended to every key.
  std::string key_prefix = "vouch:";
  /// true: open_redis_store() connects (and authenticates) before it
  /// returns, and fails if it cannot. false: it only checks the URL; the
  /// first call connects — for servers that must start while Redis is down
  /// and join the fleet when it comes back.
  bool connect_at_open = true;
};

/// Opens a store on the Redis at `url`:
///   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
/// (PORT 6379 and DB 0 by default; HOST an IPv4 address, a bracketed IPv6
/// address or a name). With a password, AUTH is sent on every connection
/// (ACL user too if given), then SELECT DB. The first connection is made
/// here (unless `options.connect_at_open` is false): an unreachable Redis
/// fails the call with an io error, a refusing one (wrong password, bad DB)
/// with a config error, each with the reason. Later outages are handled as
/// described above.
Result<std::shared_ptr<SharedStore>> open_redis_store(const std::string& url, const RedisStoreOptions& options = {});

/// The parts of a redis:// URL (exposed for tests and tools).
struct RedisUrl {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string user;      // empty: AUTH with the password only
  std::string password;  // empty: no AUTH
};
/// Parses `url` as above; a config error with the reason for anything else
/// (another scheme, a port outside 1..65535, a non-numeric DB, ...).
Result<RedisUrl> parse_redis_url(const std::string& url);

}  // namespace vouch
