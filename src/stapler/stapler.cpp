// The Stapler: the public class, its locking, its poll loop and its thread.
// The per-certificate rules live in staple_slot.cpp, the set-up of a
// credential in managed_credential.cpp, the disk in staple_cache.cpp.
//
// Locking. `mu` guards the managed credentials and is never held during a
// fetch or a callback (fetches take seconds; handshakes must not wait for
// them). The published snapshot has its own small mutex so that handshakes,
// which only copy a shared pointer, never wait for the state lock.
// `poll_mu` makes polls run one at a time (the thread and an application
// calling poll() do not fetch the same certificate twice); `setup_mu` does
// the same for add()/replace(), whose cache reads happen outside `mu`.
#include "vouch/stapler.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "ocsp/ocsp.h"
#include "ocsp/fetch.h"
#include "stapler/managed_credential.h"
#include "stapler/staple_cache.h"
#include "stapler/staple_check.h"
#include "stapler/staple_slot.h"
#include "store/lease_owner.h"
#include "vouch/config.h"

namespace vouch {
namespace {

using std::chrono::milliseconds;

StaplerOptions with_defaults(StaplerOptions o) {
  if (!o.clock) o.clock = [] { return std::chrono::system_clock::now(); };
  if (!o.fetcher) {
    o.fetcher = [timeout = o.fetch_timeout, proxy = o.http_proxy](const std::string& url, ByteView request) {
      return fetch_ocsp(url, request, timeout, kMaxOcspResponseBytes, proxy);
    };
  }
  if (!o.random) {
    struct Prng {
      std::mutex mu;
      std::mt19937_64 gen{std::random_device{}()};
    };
    o.random = [prng = std::make_shared<Prng>()] {
      std::lock_guard<std::mutex> lock(prng->mu);
      return std::uniform_real_distribution<double>(0.0, 1.0)(prng->gen);
    };
  }
  if (o.store && o.store_owner.empty()) o.store_owner = unique_lease_owner();
  if (o.lease_duration <= milliseconds(0)) {
    o.lease_duration = 2 * o.fetch_timeout + milliseconds(5000);
  }
  const StapleTiming t = normalized({o.refresh_fraction, o.min_retry, o.max_retry});
  o.refresh_fraction = t.refresh_fraction;
  o.min_retry = t.min_retry;
  o.max_retry = t.max_retry;
  return o;
}

// A fetch to do, with everything it needs outside the lock.
struct FetchJob {
  uint64_t id = 0;
  std::string url;
  ossl::X509Ptr cert, issuer;
  std::string cache_name;
  std::string subject;
  size_t position = 0;
  // Shared store: another server held the lease and delivered nothing for
  // a whole lease_duration; fetch without waiting any longer.
  bool waited_out = false;
};

// What the fetch gave.
struct FetchOutcome {
  StapleCheck check;  // rejected with the fetch error as reason when the fetch failed
  Bytes der;
  // Shared store: the response came from the store, not a fetch of ours.
  bool from_store = false;
  // Shared store: this server's fetch failed (the reason), and this is the
  // fleet's last good response, due for refresh but not expired: served
  // unless the slot serves a response at least as recent.
  std::optional<std::string> fallback_for;
  // Shared store: another server is fetching; look again at defer_until.
  bool deferred = false;
  SysTime defer_until{};
  // Store-related events, reported before the outcome's own.
  std::vector<StaplerEvent> events;
};

}  // namespace

const char* to_string(StaplerEventKind k) {
  switch (k) {
    case StaplerEventKind::loaded: return "loaded";
    case StaplerEventKind::refreshed: return "refreshed";
    case StaplerEventKind::failed: return "failed";
    case StaplerEventKind::revoked: return "revoked";
    case StaplerEventKind::expiring: return "expiring";
    case StaplerEventKind::cache_ignored: return "cache_ignored";
    case StaplerEventKind::shared_used: return "shared_used";
    case StaplerEventKind::shared_refused: return "shared_refused";
    case StaplerEventKind::lease_acquired: return "lease_acquired";
    case StaplerEventKind::lease_lost: return "lease_lost";
    case StaplerEventKind::store_error: return "store_error";
  }
  return "unknown";
}

struct Stapler::Impl {
  explicit Impl(StaplerOptions o)
      : options(with_defaults(std::move(o))),
        timing{options.refresh_fraction, options.min_retry, options.max_retry},
        cache(options.cache_dir) {}

  const StaplerOptions options;
  const StapleTiming timing;
  const StapleCache cache;
  // Events reported so far, by kind (metrics()).
  mutable std::array<std::atomic<uint64_t>, kStaplerEventKinds> event_counts{};

  mutable std::mutex mu;  // guards creds
  std::vector<ManagedCredential> creds;
  std::atomic<uint64_t> last_id{0};

  mutable std::mutex snap_mu;  // guards snapshot
  std::shared_ptr<const std::vector<Credential>> snapshot = std::make_shared<const std::vector<Credential>>();

  std::mutex poll_mu;   // one poll at a time
  std::mutex setup_mu;  // one add/replace at a time

  std::mutex thread_mu;  // start/stop
  std::thread thread;
  std::mutex wake_mu;  // guards stopping, wake
  std::condition_variable cv;
  bool stopping = false;
  bool wake = false;
  std::atomic<bool> stop_requested{false};  // read by poll between fetches

  SysTime now() const { return options.clock(); }

  void emit(const std::vector<StaplerEvent>& events) const {
    for (const StaplerEvent& e : events) {
      const auto i = static_cast<size_t>(e.kind);
      if (i < kStaplerEventKinds) event_counts[i].fetch_add(1, std::memory_order_relaxed);
    }
    if (!options.on_event) return;
    for (const StaplerEvent& e : events) options.on_event(e);
  }

  StaplerMetrics metrics() const {
    StaplerMetrics m;
    for (size_t i = 0; i < kStaplerEventKinds; ++i) m.events[i] = event_counts[i].load(std::memory_order_relaxed);
    return m;
  }

  void notify() {
    {
      std::lock_guard<std::mutex> lock(wake_mu);
      wake = true;
    }
    cv.notify_all();
  }

  ManagedCert* find(uint64_t id) {
    for (ManagedCredential& mcred : creds) {
      for (ManagedCert& mc : mcred.certs) {
        if (mc.id == id) return &mc;
      }
    }
    return nullptr;
  }

  // Rebuilds and publishes the snapshot. Caller holds mu.
  void publish_locked(std::vector<StaplerEvent>& events) {
    auto next = std::make_shared<std::vector<Credential>>();
    next->reserve(creds.size());
    for (const ManagedCredential& mcred : creds) {
      std::vector<std::string> errors;
      next->push_back(mcred.stapled(errors));
      for (std::string& e : errors) {
        events.push_back(StaplerEvent{StaplerEventKind::failed, mcred.base.subject(), 0,
                                      "cannot attach the OCSP staples: " + e, false});
      }
    }
    std::shared_ptr<const std::vector<Credential>> frozen = std::move(next);
    std::lock_guard<std::mutex> lock(snap_mu);
    snapshot.swap(frozen);
  }

  Result<ManagedCredential> manage(const Credential& credential, size_t slot, std::vector<StaplerEvent>& events) {
    ManageContext ctx{options, cache, now(), [this] { return ++last_id; }};
    return manage_credential(credential, slot, ctx, events);
  }

  Result<size_t> add(const Credential& credential) {
    std::lock_guard<std::mutex> setup(setup_mu);
    size_t slot = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      slot = creds.size();
    }
    std::vector<StaplerEvent> events;
    auto managed = manage(credential, slot, events);
    if (!managed) return std::move(managed).error();
    {
      std::lock_guard<std::mutex> lock(mu);
      creds.push_back(std::move(*managed));
      publish_locked(events);
    }
    emit(events);
    notify();
    return slot;
  }

  Status replace(size_t slot, const Credential& credential) {
    std::lock_guard<std::mutex> setup(setup_mu);
    {
      std::lock_guard<std::mutex> lock(mu);
      if (slot >= creds.size())
        return config_error("Stapler::replace: no slot " + std::to_string(slot));
    }
    std::vector<StaplerEvent> events;
    auto managed = manage(credential, slot, events);
    if (!managed) return std::move(managed).error();
    {
      // Chain, key and staples change together: one snapshot has the old
      // credential, the next the new one. Fetches in flight for the old
      // certificates find their ids gone and are dropped.
      std::lock_guard<std::mutex> lock(mu);
      creds[slot] = std::move(*managed);
      publish_locked(events);
    }
    emit(events);
    notify();
    return {};
  }

  FetchOutcome fetch(const FetchJob& job) const {
    FetchOutcome out;
    Bytes nonce;
    auto request = make_ocsp_request(job.cert.get(), job.issuer.get(), options.use_nonce,
                                     options.use_nonce ? &nonce : nullptr);
    if (!request) {
      out.check.reason = "cannot build the OCSP request: " + request.error().reason;
      return out;
    }
    auto body = options.fetcher(job.url, *request);
    if (!body) {
      out.check.reason = body.error().reason;
      return out;
    }
    std::optional<Bytes> expected;
    if (options.use_nonce) expected = std::move(nonce);
    out.check = check_staple(*body, job.cert.get(), job.issuer.get(), now(), options.skew, expected);
    if (out.check.verdict == StapleVerdict::rejected)
      out.check.reason = "OCSP response from " + job.url + " refused: " + out.check.reason;
    out.der = std::move(*body);
    return out;
  }

  // The response for a job: fetched, or with a shared store read from it,
  // fetched under the fleet's lease, or deferred while another server
  // fetches. Every response from the store is verified here like a fetched
  // one (the store is not trusted); what fails is never served.
  FetchOutcome obtain(const FetchJob& job) const {
    if (!options.store) return fetch(job);
    SharedStore& store = *options.store;
    std::vector<StaplerEvent> events;
    auto event = [&](StaplerEventKind kind, std::string message) {
      events.push_back(StaplerEvent{kind, job.subject, job.position, std::move(message), false});
    };
    auto alone = [&](FetchOutcome out) {
      out.events.insert(out.events.begin(), events.begin(), events.end());
      return out;
    };
    const std::string key = "ocsp:" + job.cache_name;

    // A verified answer from the CA in the store, whoever fetched it: a
    // good one not yet due for refresh is served; a revoked one stops
    // stapling. `refused_reported` keeps one shared_refused per look.
    // A good one that is due for refresh but not expired is kept as the
    // fallback: served if this server's own fetch fails (the responder is
    // down), as the last good response is (docs/fleet.md).
    bool refused_reported = false;
    std::optional<FetchOutcome> fallback;
    auto usable_shared = [&](Result<std::optional<Bytes>>& shared) -> std::optional<FetchOutcome> {
      if (!shared || !shared->has_value()) return std::nullopt;
      StapleCheck c = check_staple(**shared, job.cert.get(), job.issuer.get(), now(), options.skew, std::nullopt);
      const bool fresh = c.verdict == StapleVerdict::good && c.status.next_update &&
                         refresh_time(c.status, timing.refresh_fraction) > now();
      if (c.verdict != StapleVerdict::rejected) {
        FetchOutcome out;
        out.check = std::move(c);
        out.der = std::move(**shared);
        out.from_store = true;
        if (fresh || out.check.verdict == StapleVerdict::revoked) return out;
        fallback = std::move(out);
        return std::nullopt;
      }
      if (c.verdict == StapleVerdict::rejected && !refused_reported) {
        refused_reported = true;
        event(StaplerEventKind::shared_refused, "the response in " + store.describe() + " was refused: " + c.reason);
      }
      return std::nullopt;
    };

    auto shared = store.get(key);
    if (!shared) {
      event(StaplerEventKind::store_error,
            "reading " + key + " from " + store.describe() + ": " + shared.error().reason + "; fetching alone");
      return alone(fetch(job));
    }
    if (auto used = usable_shared(shared)) return alone(std::move(*used));

    auto lease = store.acquire_lease(key, options.store_owner, options.lease_duration);
    if (!lease) {
      event(StaplerEventKind::store_error,
            "taking the lease " + key + " in " + store.describe() + ": " + lease.error().reason + "; fetching alone");
      return alone(fetch(job));
    }
    if (*lease) {
      // Looked again under the lease: another server may have fetched,
      // shared and released between the read above and the lease, and one
      // fetch per certificate for the fleet is the point.
      auto again = store.get(key);
      if (auto used = usable_shared(again)) {
        (void)store.release_lease(key, options.store_owner);
        return alone(std::move(*used));
      }
    }
    if (!*lease && !job.waited_out) {
      FetchOutcome out;
      out.deferred = true;
      const milliseconds look_again = std::clamp(
          std::chrono::duration_cast<milliseconds>(options.lease_duration / 4), milliseconds(kMinRetryFloor),
          std::chrono::duration_cast<milliseconds>(timing.min_retry));
      out.defer_until = now() + look_again;
      return alone(std::move(out));
    }
    if (*lease) event(StaplerEventKind::lease_acquired, "fetching for the fleet (" + store.describe() + ")");
    FetchOutcome out = fetch(job);
    if (out.check.verdict != StapleVerdict::rejected) {
      if (*lease) {
        auto still = store.acquire_lease(key, options.store_owner, options.lease_duration);
        if (still && !*still) {
          event(StaplerEventKind::lease_lost, "the lease ran out during the fetch; another server may fetch too");
        }
      }
      // Shared until nextUpdate; a response without one is shared for
      // max_retry (the others fetch again after that).
      milliseconds ttl = std::chrono::duration_cast<milliseconds>(timing.max_retry);
      if (out.check.status.next_update) {
        ttl = std::chrono::duration_cast<milliseconds>(*out.check.status.next_update - now());
      }
      if (ttl > milliseconds(0)) {
        if (Status put = store.put(key, out.der, ttl); !put) {
          event(StaplerEventKind::store_error,
                "writing " + key + " to " + store.describe() + ": " + put.error().reason);
        }
      }
    }
    if (*lease) (void)store.release_lease(key, options.store_owner);
    if (out.check.verdict == StapleVerdict::rejected && fallback) {
      fallback->fallback_for = std::move(out.check.reason);
      out = std::move(*fallback);
    }
    return alone(std::move(out));
  }

  // Applies one fetch's outcome and does the cache work it calls for.
  void apply(const FetchJob& job, FetchOutcome outcome) {
    std::vector<StaplerEvent> events = std::move(outcome.events);
    enum class CacheOp { none, write, remove } op = CacheOp::none;
    Bytes to_write;
    {
      std::lock_guard<std::mutex> lock(mu);
      ManagedCert* mc = find(job.id);
      if (mc == nullptr) return;  // replaced meanwhile
      const SysTime t = now();
      if (outcome.deferred) {
        // Another server fetches: nothing served changes, no failure.
        mc->slot.defer(t, outcome.defer_until);
      }
      if (!outcome.deferred) switch (outcome.check.verdict) {
        case StapleVerdict::good: {
          if (outcome.fallback_for) {
            const auto& served = mc->slot.served();
            if (served && served->status.this_update >= outcome.check.status.this_update) {
              // What this server serves is as recent: keep it; the fetch failed.
              events.push_back(mc->slot.on_failure(*outcome.fallback_for, t, timing, options.random()));
              break;
            }
            events.push_back(StaplerEvent{StaplerEventKind::failed, job.subject, job.position,
                                          *outcome.fallback_for + "; serving the fleet's last good response meanwhile",
                                          false});
          }
          to_write = outcome.der;
          StaplerEvent e = mc->slot.on_good(ServedStaple{std::move(outcome.der), outcome.check.status}, t, timing);
          if (outcome.from_store) {
            e.kind = StaplerEventKind::shared_used;
            e.message = "from the shared store: " + e.message;
          }
          events.push_back(std::move(e));
          op = CacheOp::write;
          publish_locked(events);
          break;
        }
        case StapleVerdict::revoked: {
          const bool was_served = mc->slot.served().has_value();
          events.push_back(mc->slot.on_revoked(outcome.check.status, t, timing, options.random()));
          op = CacheOp::remove;  // a restart must not serve the old good answer
          if (was_served) publish_locked(events);
          break;
        }
        case StapleVerdict::rejected:
          events.push_back(mc->slot.on_failure(outcome.check.reason, t, timing, options.random()));
          break;
      }
    }
    Status cache_status;
    if (op == CacheOp::write) cache_status = cache.write(job.cache_name, to_write);
    if (op == CacheOp::remove) cache_status = cache.remove(job.cache_name);
    if (!cache_status) {
      // The staple itself is fine (and served, for a write); only the
      // restart-time copy is missing.
      events.push_back(StaplerEvent{StaplerEventKind::failed, job.subject, job.position,
                                    "OCSP cache: " + cache_status.error().reason, false});
    }
    emit(events);
  }

  SysTime next_due() const {
    std::lock_guard<std::mutex> lock(mu);
    std::optional<SysTime> due;
    for (const ManagedCredential& mcred : creds) {
      for (const ManagedCert& mc : mcred.certs) {
        if (auto d = mc.slot.next_due()) due = due ? std::min(*due, *d) : *d;
      }
    }
    return due ? *due : now() + options.max_retry;
  }

  // Drops every served response that reached its nextUpdate (RFC 6960
  // §4.2.2.1), publishes, removes their cache files and reports. With
  // `jobs`, also collects the fetches due now. Caller holds poll_mu.
  void expire_and_collect(std::vector<FetchJob>* jobs) {
    std::vector<StaplerEvent> events;
    std::vector<std::string> expired;
    {
      std::lock_guard<std::mutex> lock(mu);
      const SysTime t = now();
      bool changed = false;
      for (ManagedCredential& mcred : creds) {
        for (ManagedCert& mc : mcred.certs) {
          if (auto e = mc.slot.expire(t)) {
            events.push_back(std::move(*e));
            expired.push_back(mc.cache_name);
            changed = true;
          }
          if (jobs == nullptr || !mc.slot.fetch_due(t)) continue;
          const auto waiting = mc.slot.waiting_since();
          jobs->push_back(FetchJob{mc.id, mc.slot.identity().responder_url, ossl::up_ref(mc.cert.get()),
                                   ossl::up_ref(mc.issuer.get()), mc.cache_name, mc.slot.identity().subject,
                                   mc.slot.identity().position,
                                   waiting.has_value() && t - *waiting >= options.lease_duration});
        }
      }
      if (changed) publish_locked(events);
    }
    for (const std::string& name : expired) {
      // An expired file would only be ignored (with a warning) at restart.
      (void)cache.remove(name);
    }
    emit(events);
  }

  SysTime poll() {
    std::lock_guard<std::mutex> polling(poll_mu);
    std::vector<FetchJob> jobs;
    expire_and_collect(&jobs);
    for (const FetchJob& job : jobs) {
      if (stop_requested.load()) break;  // the rest stay due
      apply(job, obtain(job));
      // A fetch can take up to fetch_timeout (a hung responder), and there
      // may be several: a response of another certificate that reached its
      // nextUpdate meanwhile must stop being stapled now, not after the
      // last fetch of this poll. (So is the response of the certificate
      // just fetched, if its failed fetch outlived it.)
      expire_and_collect(nullptr);
    }
    return next_due();
  }

  void run() {
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(wake_mu);
        if (stopping) return;
        wake = false;  // a wake during the poll below causes another poll
      }
      const SysTime due = poll();
      std::unique_lock<std::mutex> lock(wake_mu);
      if (stopping) return;
      if (wake) continue;
      const auto left = std::chrono::ceil<milliseconds>(due - now());
      // The injected clock may run at any speed: real-time waits stay short.
      const milliseconds wait = std::clamp(left, milliseconds(0), std::max(options.max_idle_wait, milliseconds(1)));
      if (wait > milliseconds(0)) cv.wait_for(lock, wait, [this] { return stopping || wake; });
    }
  }

  void start() {
    std::lock_guard<std::mutex> guard(thread_mu);
    if (thread.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(wake_mu);
      stopping = false;
    }
    stop_requested = false;
    thread = std::thread([this] { run(); });
  }

  void stop() {
    std::lock_guard<std::mutex> guard(thread_mu);
    if (!thread.joinable()) return;
    stop_requested = true;
    {
      std::lock_guard<std::mutex> lock(wake_mu);
      stopping = true;
    }
    cv.notify_all();
    thread.join();
    stop_requested = false;
  }

  void refresh_now() {
    {
      std::lock_guard<std::mutex> lock(mu);
      const SysTime t = now();
      for (ManagedCredential& mcred : creds) {
        for (ManagedCert& mc : mcred.certs) mc.slot.force_due(t);
      }
    }
    notify();
  }

  std::vector<StapleState> state() const {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<StapleState> out;
    for (const ManagedCredential& mcred : creds) {
      for (const ManagedCert& mc : mcred.certs) out.push_back(mc.slot.state());
    }
    return out;
  }
};

std::shared_ptr<Stapler> Stapler::create(StaplerOptions options) {
  // The constructor is private (a Stapler only lives in a shared_ptr, which
  // attach() relies on), so make_shared cannot reach it.
  return std::shared_ptr<Stapler>(new Stapler(std::move(options)));
}

Stapler::Stapler(StaplerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Stapler::~Stapler() { impl_->stop(); }

Result<size_t> Stapler::add(const Credential& credential) { return impl_->add(credential); }

Status Stapler::replace(size_t slot, const Credential& credential) { return impl_->replace(slot, credential); }

std::shared_ptr<const std::vector<Credential>> Stapler::credentials() const {
  std::lock_guard<std::mutex> lock(impl_->snap_mu);
  return impl_->snapshot;
}

void Stapler::attach(ServerConfig& config) {
  // A weak reference: the configuration does not keep the Stapler alive, and
  // once it is gone handshakes fail cleanly (null answer) rather than crash.
  config.credential_source = [weak = weak_from_this()]() -> std::shared_ptr<const std::vector<Credential>> {
    if (auto self = weak.lock()) return self->credentials();
    return nullptr;
  };
}

std::chrono::system_clock::time_point Stapler::poll() { return impl_->poll(); }

void Stapler::start() { impl_->start(); }

void Stapler::stop() { impl_->stop(); }

void Stapler::refresh_now() { impl_->refresh_now(); }
StaplerMetrics Stapler::metrics() const { return impl_->metrics(); }

std::vector<StapleState> Stapler::state() const { return impl_->state(); }

}  // namespace vouch
