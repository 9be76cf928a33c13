// vouch — session-ticket keys shared by the servers of a fleet.
//
// A client that got a ticket from server A resumes on server B only if B can
// open it, so the servers must hold the same TicketKeys. SharedTicketKeys
// keeps a server's TicketKeys (vouch/session.h) in step with the others
// through a SharedStore (vouch/store.h):
//
//   - one server at a time rotates (it holds the lease "ticket-keys"): it
//     makes a fresh current key, keeps the current one as the previous one,
//     and publishes both; every server imports what is published, so
//     tickets sealed anywhere open everywhere for two rotation periods;
//   - what is published is wrapped (AES-256-GCM) with a key-encryption key
//     from the server's configuration that the store never sees: a dump of
//     the store does not reveal ticket keys, and a value that does not open
//     with the key (corrupt, written by someone else, another fleet's) is
//     refused and reported, never imported;
//   - a store that fails changes nothing that works: the server keeps its
//     keys (tickets keep opening on it, and on the others as long as they
//     hold the same keys) and syncs again when the store answers.
//
// The TicketKeys given must not rotate by themselves (construct them with a
// rotation of 0): SharedTicketKeys decides when keys rotate.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "vouch/error.h"
#include "vouch/export.h"
#include "vouch/session.h"
#include "vouch/store.h"

namespace vouch {

struct SharedTicketKeysOptions {
  /// The key-encryption key: 32 bytes, the same on every server of the
  /// fleet, kept like a private key. Required.
  Bytes wrapping_key;
  /// How often the fleet's keys rotate. At least 1 minute.
  std::chrono::seconds rotation{std::chrono::hours(12)};
  /// This server's name in the lease; empty: hostname, pid and a random part.
  std::string owner;
  /// The store key; change it to run several fleets on one store.
  std::string key = "ticket-keys";
  /// The clock (tests); default std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
};

/// What one sync() did.
enum class TicketKeySyncResult {
  unchanged,  // the published keys are the ones held
  imported,   // newer published keys were imported
  rotated,    // this server rotated and published (it held the lease)
  refused,    // the published value did not open with the wrapping key, or is malformed: nothing imported
  store_error,  // the store failed: keys unchanged
};
VOUCH_EXPORT const char* to_string(TicketKeySyncResult r);

class VOUCH_EXPORT SharedTicketKeys {
 public:
  /// Errors (config): no store, no keys, a wrapping key that is not 32 bytes.
  static Result<std::unique_ptr<SharedTicketKeys>> create(std::shared_ptr<SharedStore> store,
                                                          std::shared_ptr<TicketKeys> keys,
                                                          SharedTicketKeysOptions options);
  ~SharedTicketKeys();
  SharedTicketKeys(const SharedTicketKeys&) = delete;
  SharedTicketKeys& operator=(const SharedTicketKeys&) = delete;

  /// One round: reads the published keys and imports them if newer; when
  /// none are published, or the published ones are due for rotation, takes
  /// the lease and rotates and publishes. Call it at start-up (before
  /// serving, so that the first tickets are the fleet's) and then
  /// periodically — a fraction of `rotation`, e.g. every minute. The error
  /// text of refused / store_error results is in last_error().
  TicketKeySyncResult sync();
  /// Why the last sync() refused or failed ("" after a good one).
  std::string last_error() const;

  struct Impl;
  /// Internal: use create() (Impl is not defined outside the library).
  explicit SharedTicketKeys(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch
