// vouch — storage that the servers of a fleet share.
//
// Servers behind one load balancer share two things: the OCSP responses they
// staple (one fetch per certificate for the whole fleet instead of one per
// server) and the keys that protect their session tickets (a client resumes
// on any server). A SharedStore is the small interface both need: get, put
// with expiry, compare-and-set, and a lease lock that one server holds while
// it does a job for all of them.
//
// Two implementations:
//   - open_directory_store(): files in a directory, safe between processes of
//     one machine (the single-machine default);
//   - open_redis_store() (library vouch_redis, header vouch/redis_store.h):
//     a Redis server reached with hiredis.
//
// A store is never trusted with what it returns: the Stapler verifies every
// shared OCSP response itself before stapling it, and ticket keys are wrapped
// with a key the store never sees. A store only saves work.
//
// Keys are printable strings (the implementations may restrict the
// characters: see each one); values are arbitrary bytes. All calls are safe
// from several threads at once. The Redis store bounds every call by its
// timeouts and fails at once while Redis is unreachable; the directory store
// has no timeout of its own: a call waits for the directory's lock, which
// every user holds for one small file operation only. A failed call is
// reported, and callers (the Stapler, SharedTicketKeys) fall back to working
// alone.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vouch/error.h"
#include "vouch/export.h"
#include "vouch/types.h"

namespace vouch {

/// Storage shared by the servers of a fleet. Implementations must make each
/// call atomic with respect to every other call on the same key, from any
/// process using the same store.
class VOUCH_EXPORT SharedStore {
 public:
  virtual ~SharedStore() = default;

  /// The value stored under `key`, or nullopt if there is none (never set,
  /// deleted, or expired). Fails only when the store cannot be read.
  virtual Result<std::optional<Bytes>> get(std::string_view key) = 0;

  /// Stores `value` under `key`, replacing any value. `ttl` > 0: the value
  /// expires that long after now; 0: it never expires.
  virtual Status put(std::string_view key, ByteView value, std::chrono::milliseconds ttl) = 0;

  /// Stores `desired` under `key` only if the current value equals
  /// `expected` (nullopt: only if there is no value). True if it stored.
  virtual Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected,
                                       ByteView desired, std::chrono::milliseconds ttl) = 0;

  /// Takes or renews the lease `name` for `owner` (a string unique to the
  /// caller, e.g. host + pid + random). True if `owner` holds the lease for
  /// the next `ttl` (it was free or expired, or `owner` held it already and
  /// it is renewed); false if someone else holds it. A holder that dies
  /// loses the lease when `ttl` runs out; renew well before that.
  virtual Result<bool> acquire_lease(std::string_view name, std::string_view owner,
                                     std::chrono::milliseconds ttl) = 0;

  /// Gives the lease up if `owner` holds it (does nothing otherwise).
  virtual Status release_lease(std::string_view name, std::string_view owner) = 0;

  /// "directory /var/cache/vouch" or "redis 127.0.0.1:6379/0", for logs.
  virtual std::string describe() const = 0;
};

/// A SharedStore kept in `dir` (created, mode 0700, if missing): one file per
/// key, written to a temporary file and renamed into place, with an flock(2)
/// lock file serialising compare-and-set and leases between processes. Keys
/// may use letters, digits and `-_.:`; other characters are refused
/// (a config error, never a path outside `dir`). Fails if `dir` cannot be
/// created or is not a directory.
VOUCH_EXPORT Result<std::shared_ptr<SharedStore>> open_directory_store(const std::filesystem::path& dir);

}  // namespace vouch
