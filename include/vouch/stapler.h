// vouch — the Stapler: OCSP responses for a server's own chains, fetched,
// verified, cached on disk, refreshed and served (RFC 6960, RFC 6066 §8,
// RFC 8446 §4.4.2.1).
//
// What OpenSSL leaves to every application, done once: the first client after
// a restart gets a staple (the cache directory), a responder outage does not
// take the site down (the last good response is served until it expires), a
// stale, mismatched or revoked response is never served, and a certificate
// can be replaced without a restart.
//
//   vouch::StaplerOptions opts;
//   opts.cache_dir = "/var/cache/myserver/ocsp";
//   auto stapler = vouch::Stapler::create(opts);
//   VOUCH_TRY(stapler->add(credential));     // loads the cache, no network
//   stapler->attach(server_config);          // handshakes staple from it
//   stapler->start();                        // background refresh thread
//
// The Stapler never does network I/O inside a handshake: handshakes read an
// immutable snapshot of the credentials with their current staples.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vouch/credential.h"
#include "vouch/error.h"
#include "vouch/export.h"
#include "vouch/ocsp.h"
#include "vouch/store.h"
#include "vouch/types.h"

namespace vouch {

struct ServerConfig;

/// Fetches one OCSP response: POSTs the DER request to the URL and returns
/// the response body (not yet verified). The default uses libcrypto's HTTP
/// client with StaplerOptions::fetch_timeout and kMaxOcspResponseBytes.
using OcspFetcher = std::function<Result<Bytes>(const std::string& url, ByteView request_der)>;

/// What happened to a certificate's staple.
enum class StaplerEventKind {
  loaded,     // a still-valid response was loaded from the cache directory
  refreshed,  // a new good response was fetched, verified and is now served
  failed,     // a fetch or verification failed (the last good one, if any, is kept)
  revoked,    // the responder says revoked (or unknown): stapling stopped
  expiring,   // the served response expired without a replacement: stapling stopped
  cache_ignored,  // a cache file was corrupt, mismatched or expired and was ignored
  // With a shared store (StaplerOptions::store):
  shared_used,     // a response another server fetched was read from the store, verified, and is now served
  shared_refused,  // the store held a response that failed verification (corrupt, another certificate's,
                   // expired, badly signed): never served
  lease_acquired,  // this server took the fetch lease of the certificate and fetches for the fleet
  lease_lost,      // this server's lease ran out during its fetch (another may have fetched too)
  store_error,     // the store could not be read or written: this server fetches on its own meanwhile
};
/// The number of StaplerEventKind values.
inline constexpr size_t kStaplerEventKinds = static_cast<size_t>(StaplerEventKind::store_error) + 1;
VOUCH_EXPORT const char* to_string(StaplerEventKind k);

/// How many events of each kind a Stapler has reported since it was created
/// (whether or not StaplerOptions::on_event is set): the counters a server
/// exports as metrics — fetches (refreshed, failed), fleet sharing
/// (shared_used, shared_refused, lease_acquired, lease_lost, store_error).
struct StaplerMetrics {
  std::array<uint64_t, kStaplerEventKinds> events{};
  uint64_t count(StaplerEventKind k) const { return events[static_cast<size_t>(k)]; }
};

struct StaplerEvent {
  StaplerEventKind kind{};
  /// The certificate's subject on one line, and its chain position.
  std::string subject;
  size_t position = 0;
  /// Human-readable detail (the status line or the reason of a failure).
  std::string message;
  /// True when the leaf is must-staple (RFC 7633) and it is now served
  /// without a staple: such events deserve a loud log line.
  bool must_staple_unserved = false;
};

/// Settings. Defaults suit production; tests inject `clock`, `fetcher` and
/// `random`.
struct StaplerOptions {
  /// Where verified responses are kept, one file per certificate (named by
  /// the SHA-256 of the certificate). Written atomically (temp file, fsync,
  /// rename). Empty: no persistence.
  std::filesystem::path cache_dir;
  /// Overrides the responder URL of every certificate's authorityInfoAccess.
  std::optional<std::string> responder_url;
  /// Refresh when this fraction of [thisUpdate, nextUpdate] has elapsed
  /// (clamped to [0, 1]), but no later than 60 s before nextUpdate and — after
  /// a fetch — no sooner than min_retry later. With nothing served and no
  /// failure behind (nothing cached) a fetch is due at once; once fetches
  /// fail (or answer revoked/unknown), the back-off below decides when the
  /// next one is due, also after the last good response expires.
  double refresh_fraction = 0.5;
  /// Back-off after a failed fetch (or a revoked/unknown answer): the n-th
  /// consecutive failure is retried after min(min_retry × 2^(n−1), max_retry),
  /// jittered by ±20% (× 1 + 0.2 × (2r − 1), r from `random`). A retry is
  /// never scheduled past the served response's nextUpdate − 60 s while that
  /// is still ahead. min_retry is at least 1 s.
  std::chrono::seconds min_retry{30};
  std::chrono::seconds max_retry{3600};
  /// Bound of one HTTP exchange (connect + send + receive).
  std::chrono::milliseconds fetch_timeout{10000};
  /// The longest the background thread (start()) sleeps, in real time,
  /// before it reads the clock again: a clock that is not the system's may
  /// run at any speed. add(), swap(), refresh_now() and stop() wake it at
  /// once whatever this says. At least 1 ms.
  std::chrono::milliseconds max_idle_wait{1000};
  /// The default fetcher's HTTP proxy. nullopt: the environment decides
  /// (http_proxy / no_proxy, as libcrypto reads them; loopback responders
  /// are always reached directly). "": never a proxy. "[http://]host:port":
  /// every fetch goes through that proxy, loopback responders included.
  /// Ignored with a custom `fetcher`.
  std::optional<std::string> http_proxy;
  /// Send a nonce (RFC 6960 §4.4.1) and require it echoed. Off by default:
  /// many responders serve pre-signed responses without nonces (RFC 5019).
  bool use_nonce = false;
  /// Also fetch staples for intermediates (those with an OCSP URL and whose
  /// issuer is in the chain or, for the chain's last certificate, in
  /// `issuers`). Clients see them in TLS 1.3 (RFC 8446 §4.4.2.1) and in TLS
  /// 1.2 when they ask with status_request_v2 ocsp_multi (RFC 6961).
  bool staple_intermediates = false;
  /// DER certificates that may have issued the last certificate of a chain
  /// but are not sent with it — usually the root CA: with
  /// staple_intermediates, the last intermediate's responses are requested
  /// and verified against the one that issued it. Never stapled or sent.
  std::vector<Bytes> issuers;
  /// Tolerated clock difference with the responder.
  std::chrono::seconds skew{300};
  /// The clock; default std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
  /// The HTTP fetcher; default: vouch's own HTTP client, the one
  /// fetch_ocsp_response() (vouch/ocsp.h) uses.
  OcspFetcher fetcher;
  /// Uniform random in [0, 1) for the jitter; default a seeded PRNG.
  std::function<double()> random;
  /// Shares responses with the other servers of a fleet (vouch/store.h):
  /// before fetching, the Stapler reads the store; a response there that
  /// verifies for the certificate (this server checks every one itself —
  /// the store is not trusted) and is not yet due for refresh is served
  /// without a fetch. Otherwise one server of the fleet takes the
  /// certificate's lease and fetches; the others wait for its result, and
  /// fetch on their own if none arrives within `lease_duration`. When the
  /// store fails, the Stapler fetches on its own (store_error events) and
  /// uses the store again when it answers. nullptr: no sharing.
  std::shared_ptr<SharedStore> store;
  /// This server's name in leases; empty: hostname, pid and a random part.
  std::string store_owner;
  /// How long a lease holder may take to deliver; 0: 2 × fetch_timeout +
  /// 5 s.
  std::chrono::milliseconds lease_duration{0};
  /// Receives every event, on the thread doing the work (poll()'s caller or
  /// the background thread). Must not call back into the Stapler.
  std::function<void(const StaplerEvent&)> on_event;
};

/// The state of one managed certificate.
struct StapleState {
  std::string subject;
  size_t position = 0;  // in its chain; 0 = leaf
  size_t slot = 0;      // the credential it belongs to (Stapler::add's result)
  bool must_staple = false;
  std::string responder_url;  // empty: no URL, never fetched
  /// The response being served, verified, if any.
  std::optional<OcspStatus> serving;
  /// The last status the responder gave (may be revoked while `serving` is empty).
  std::optional<OcspStatus> last_status;
  std::chrono::system_clock::time_point next_refresh{};
  std::string last_error;  // empty after a success
  unsigned consecutive_failures = 0;
};

/// Owns the staple lifecycle of a set of credentials. Thread-safe; shared
/// with std::shared_ptr (a background thread keeps only a weak reference).
class VOUCH_EXPORT Stapler : public std::enable_shared_from_this<Stapler> {
 public:
  static std::shared_ptr<Stapler> create(StaplerOptions options = {});
  ~Stapler();
  Stapler(const Stapler&) = delete;
  Stapler& operator=(const Stapler&) = delete;

  /// Starts managing a credential; returns its slot. Loads still-valid
  /// responses from the cache directory (no network I/O: the first fetch
  /// happens on the next poll() or on the thread — at once when nothing
  /// could be loaded, else at the loaded response's refresh time). Staples
  /// already attached to the credential (Credential::with_ocsp_staples) are
  /// verified and served until replaced. Errors: a chain whose leaf has no
  /// issuer in it (the issuer is needed to verify responses).
  Result<size_t> add(const Credential& credential);
  /// Replaces the credential of a slot atomically — chain, key and staples
  /// as one unit: handshakes see either the old or the new one. The new
  /// chain's staples start from its own attached staples and the cache.
  Status replace(size_t slot, const Credential& credential);

  /// The credentials with their current staples attached, in slot order.
  /// An immutable snapshot; cheap (a shared pointer copy).
  std::shared_ptr<const std::vector<Credential>> credentials() const;
  /// Makes `config` take its credentials from this Stapler (sets
  /// ServerConfig::credential_source; keeps a weak reference).
  void attach(ServerConfig& config);

  /// Does all work that is due now (fetches, expiry) and returns when the
  /// next work is due. For applications that drive the Stapler themselves.
  std::chrono::system_clock::time_point poll();
  /// Runs poll() on a background thread until stop() or destruction.
  void start();
  /// Stops the background thread (waits for an in-flight fetch to end).
  void stop();
  /// Forces a refresh of every certificate at the next poll.
  void refresh_now();

  /// One entry per managed certificate, by slot and position.
  std::vector<StapleState> state() const;
  /// The event counters so far. Thread-safe; cheap.
  StaplerMetrics metrics() const;

  struct Impl;

 private:
  explicit Stapler(StaplerOptions options);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch
