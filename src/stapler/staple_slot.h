// The staple of one certificate as a small state machine: what is served,
// when the next fetch is due, and how a fetch's outcome changes both. Pure
// logic — no I/O, no clock of its own, no locking (the Stapler holds its
// lock around every call) — so each rule is testable with plain values.
//
// The rules (the public contract, see vouch/stapler.h):
//  - refresh at thisUpdate + refresh_fraction × (nextUpdate − thisUpdate),
//    never later than nextUpdate − kRefreshMargin, and — after a fetch —
//    never sooner than min_retry from now (a responder handing out very
//    short windows is not hammered); at once when nothing is served;
//  - after the n-th consecutive failure (or revoked/unknown answer), retry
//    after min(min_retry × 2^(n−1), max_retry) × (1 + kRetryJitter × (2r − 1))
//    for r uniform in [0, 1) — i.e. ±20% — but no later than
//    nextUpdate − kRefreshMargin of the served response when that is still
//    ahead (a retry is not wasted past the expiry);
//  - a good response replaces the served one; a revoked or unknown answer
//    drops the served one at once (serving "good" after the responder said
//    otherwise would be a lie); a failure keeps it;
//  - at nextUpdate the served response is dropped (RFC 6960 §4.2.2.1: newer
//    information is then available; a client would reject it anyway).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "vouch/ocsp.h"
#include "vouch/stapler.h"
#include "vouch/types.h"

namespace vouch {

using SysTime = std::chrono::system_clock::time_point;

/// How far before nextUpdate a refresh (or a retry) is scheduled at the latest.
inline constexpr std::chrono::seconds kRefreshMargin{60};
/// Relative jitter of retry delays: each delay is multiplied by a factor in
/// [1 − kRetryJitter, 1 + kRetryJitter).
inline constexpr double kRetryJitter = 0.2;
/// The smallest min_retry used, whatever is configured (no busy loops).
inline constexpr std::chrono::seconds kMinRetryFloor{1};

struct StapleTiming {
  double refresh_fraction = 0.5;
  std::chrono::seconds min_retry{30};
  std::chrono::seconds max_retry{3600};
};

/// `t` made usable: refresh_fraction clamped to [0, 1] (NaN: 0.5),
/// min_retry at least kMinRetryFloor, max_retry at least min_retry.
StapleTiming normalized(StapleTiming t);

/// thisUpdate + fraction × (nextUpdate − thisUpdate), at most
/// nextUpdate − kRefreshMargin. Precondition: s.next_update is set.
SysTime refresh_time(const OcspStatus& s, double fraction);

/// The delay before retrying after `failures` (>= 1) consecutive failures,
/// with `random01` in [0, 1) choosing the jitter (values outside are clamped).
std::chrono::milliseconds retry_delay(unsigned failures, const StapleTiming& t, double random01);

/// A verified good response and what it says.
struct ServedStaple {
  Bytes der;
  OcspStatus status;
};

class StapleSlot {
 public:
  struct Identity {
    std::string subject;
    size_t position = 0;
    size_t slot = 0;
    bool must_staple = false;   // the leaf's RFC 7633 requirement (leaf only)
    std::string responder_url;  // empty: never fetched
  };

  explicit StapleSlot(Identity id) : id_(std::move(id)) {}

  // ---- set-up (add / replace) -------------------------------------------
  /// Serves a verified good response found at set-up (attached to the
  /// credential or read from the cache), unless one with a later thisUpdate
  /// is already served. Returns whether it is now the served one.
  bool adopt(ServedStaple s);
  /// Records the status of a revoked/unknown response found at set-up.
  void note_status(const OcspStatus& s) { last_status_ = s; }
  /// Records why this certificate cannot be stapled (shown as last_error).
  void note_error(std::string reason) { last_error_ = std::move(reason); }
  /// Schedules the first fetch: at the served response's refresh time, or
  /// at once (`now`) when nothing is served.
  void schedule_first(SysTime now, double refresh_fraction);

  // ---- work (poll) -------------------------------------------------------
  bool has_url() const { return !id_.responder_url.empty(); }
  bool fetch_due(SysTime now) const { return has_url() && now >= next_refresh_; }
  /// When nothing more can be fetched or expired: the earlier of the next
  /// fetch (when there is a URL) and the served response's nextUpdate.
  std::optional<SysTime> next_due() const;
  /// Drops the served response if it reached nextUpdate; the expiring event.
  std::optional<StaplerEvent> expire(SysTime now);
  /// Outcomes of a fetch; each returns the event to report.
  StaplerEvent on_good(ServedStaple s, SysTime now, const StapleTiming& t);
  StaplerEvent on_revoked(const OcspStatus& s, SysTime now, const StapleTiming& t, double random01);
  StaplerEvent on_failure(std::string reason, SysTime now, const StapleTiming& t, double random01);
  /// Makes the next fetch due at `now` (Stapler::refresh_now).
  void force_due(SysTime now) { next_refresh_ = now; }
  /// Shared store: another server holds the fetch lease; look again at `at`
  /// (no failure counted, nothing served changes). The first deferral of a
  /// due period starts the wait that waiting_since() reports.
  void defer(SysTime now, SysTime at) {
    if (!waiting_since_) waiting_since_ = now;
    next_refresh_ = at;
  }
  /// Since when this certificate waits for another server's fetch (reset by
  /// every outcome: good, revoked, failure).
  std::optional<SysTime> waiting_since() const { return waiting_since_; }

  // ---- reading ------------------------------------------------------------
  const Identity& identity() const { return id_; }
  const std::optional<ServedStaple>& served() const { return served_; }
  StapleState state() const;
  /// An event about this certificate; must_staple_unserved is set for
  /// failed/revoked/expiring events of a must-staple leaf that is now
  /// served without a staple.
  StaplerEvent event(StaplerEventKind kind, std::string message) const;

 private:
  void schedule_retry(SysTime now, const StapleTiming& t, double random01);

  Identity id_;
  std::optional<ServedStaple> served_;
  std::optional<OcspStatus> last_status_;
  SysTime next_refresh_{};
  std::string last_error_;
  unsigned failures_ = 0;
  std::optional<SysTime> waiting_since_;
};

}  // namespace vouch
