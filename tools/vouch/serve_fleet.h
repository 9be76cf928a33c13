// `vouch serve --store URL --store-key FILE --ticket-rotation SECONDS`: the
// state a fleet of servers shares (issue 16, docs/fleet.md) — OCSP staples
// (one fetch per certificate for the fleet, through the Stapler's shared
// store) and session-ticket keys (a client resumes on any server), through
// Redis or a directory.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <cstdint>

#include "vouch/config.h"
#include "vouch/error.h"
#include "vouch/shared_ticket_keys.h"
#include "vouch/store.h"

namespace vouch::cli {

struct FleetArgs {
  std::string store;      // --store: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], or a directory path
  std::string store_key;  // --store-key: file of the 32-byte ticket-key wrapping key (raw or 64 hex digits)
  unsigned ticket_rotation_seconds = 12 * 3600;  // --ticket-rotation
};

/// Opens the store named by --store: "redis://…" through vouch_redis (when
/// the tool was built with it), anything else as a directory store.
/// Errors: config (unknown scheme, a build without Redis), or the store's
/// own (Redis unreachable or refusing AUTH, a directory that cannot be made).
Result<std::shared_ptr<SharedStore>> open_store(const std::string& spec);

/// Reads a wrapping key file: exactly 32 bytes, or 64 hexadecimal digits
/// (whitespace around them ignored), as `openssl rand 32 > F` or
/// `openssl rand -hex 32 > F` write it. The file should be readable by the
/// server's user only; a file others can read gets a warning on stderr.
/// Errors: io (unreadable), config (anything else, with the reason).
Result<Bytes> read_wrapping_key(const std::string& path);

/// Ticket keys shared with the fleet: installs TicketKeys (rotated by the
/// fleet, not by themselves) in `config`, syncs once before the server
/// listens (so its first tickets are the fleet's), then syncs on its own
/// thread every `interval` until destroyed, logging every sync that changes
/// something or fails ("vouch serve: ticket keys imported/rotated/refused/
/// store_error: …"). A failing store never stops the server: it keeps its
/// keys (docs/fleet.md).
class FleetTicketKeys {
 public:
  /// Errors: those of SharedTicketKeys::create (a key that is not 32 bytes).
  static Result<std::unique_ptr<FleetTicketKeys>> start(std::shared_ptr<SharedStore> store, Bytes wrapping_key,
                                                        std::chrono::seconds rotation, ServerConfig& config);
  ~FleetTicketKeys();
  FleetTicketKeys(const FleetTicketKeys&) = delete;
  FleetTicketKeys& operator=(const FleetTicketKeys&) = delete;

  /// Counts of each TicketKeySyncResult so far (index: the enum's value).
  std::array<uint64_t, 5> counts() const;

  FleetTicketKeys(std::unique_ptr<SharedTicketKeys> shared, std::chrono::seconds interval);

 private:
  void sync_and_log();
  void run();

  std::unique_ptr<SharedTicketKeys> shared_;
  const std::chrono::seconds interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::array<uint64_t, 5> counts_{};
  std::thread thread_;
};

}  // namespace vouch::cli
