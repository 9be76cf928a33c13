#include "stapler/staple_slot.h"

#include <algorithm>
#include <cmath>

#include "ocsp/ocsp.h"
#include "ocsp/ocsp_time.h"

namespace vouch {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

}  // namespace

StapleTiming normalized(StapleTiming t) {
  if (std::isnan(t.refresh_fraction)) t.refresh_fraction = 0.5;
  t.refresh_fraction = std::clamp(t.refresh_fraction, 0.0, 1.0);
  t.min_retry = std::max(t.min_retry, kMinRetryFloor);
  t.max_retry = std::max(t.max_retry, t.min_retry);
  return t;
}

SysTime refresh_time(const OcspStatus& s, double fraction) {
  const SysTime next = s.next_update.value_or(s.this_update);
  const auto window = duration_cast<milliseconds>(next - s.this_update);
  const auto into = milliseconds(std::llround(static_cast<double>(window.count()) * fraction));
  return std::min(s.this_update + into, next - kRefreshMargin);
}

milliseconds retry_delay(unsigned failures, const StapleTiming& t, double random01) {
  const double r = std::isnan(random01) ? 0.5 : std::clamp(random01, 0.0, 1.0);
  // min_retry × 2^(n−1), capped; the exponent is bounded so the shift never
  // overflows (2^30 × 1 s is beyond any sane max_retry already).
  const unsigned exponent = std::min(failures == 0 ? 0u : failures - 1, 30u);
  const double base_ms = std::min(static_cast<double>(milliseconds(t.min_retry).count()) * std::ldexp(1.0, static_cast<int>(exponent)),
                                  static_cast<double>(milliseconds(t.max_retry).count()));
  const double factor = 1.0 + kRetryJitter * (2.0 * r - 1.0);
  return milliseconds(std::llround(base_ms * factor));
}

bool StapleSlot::adopt(ServedStaple s) {
  if (served_ && served_->status.this_update >= s.status.this_update) return false;
  last_status_ = s.status;
  served_ = std::move(s);
  return true;
}

void StapleSlot::schedule_first(SysTime now, double refresh_fraction) {
  // A served response past its refresh point makes the fetch due at once too.
  next_refresh_ = served_ ? std::max(now, refresh_time(served_->status, refresh_fraction)) : now;
}

std::optional<SysTime> StapleSlot::next_due() const {
  std::optional<SysTime> due;
  if (has_url()) due = next_refresh_;
  if (served_ && served_->status.next_update) {
    const SysTime expiry = *served_->status.next_update;
    due = due ? std::min(*due, expiry) : expiry;
  }
  return due;
}

std::optional<StaplerEvent> StapleSlot::expire(SysTime now) {
  if (!served_ || !served_->status.next_update || now < *served_->status.next_update) return std::nullopt;
  const std::string when = iso8601(*served_->status.next_update);
  served_.reset();
  return event(StaplerEventKind::expiring,
               "the OCSP response expired at " + when + " without a replacement; stapling stopped" +
                   (last_error_.empty() ? std::string() : " (last error: " + last_error_ + ")"));
}

StaplerEvent StapleSlot::on_good(ServedStaple s, SysTime now, const StapleTiming& t) {
  const std::string line = describe(s.status);
  last_status_ = s.status;
  next_refresh_ = std::max(refresh_time(s.status, t.refresh_fraction), now + t.min_retry);
  served_ = std::move(s);
  failures_ = 0;
  last_error_.clear();
  waiting_since_.reset();
  return event(StaplerEventKind::refreshed, line);
}

StaplerEvent StapleSlot::on_revoked(const OcspStatus& s, SysTime now, const StapleTiming& t, double random01) {
  // Nothing "good" is served any more; keep asking (a certificateHold can
  // be released), at the failure back-off.
  served_.reset();
  last_status_ = s;
  waiting_since_.reset();
  ++failures_;
  last_error_ = std::string("the responder says ") + to_string(s.status);
  schedule_retry(now, t, random01);
  return event(StaplerEventKind::revoked, describe(s) + "; stapling stopped");
}

StaplerEvent StapleSlot::on_failure(std::string reason, SysTime now, const StapleTiming& t, double random01) {
  ++failures_;
  waiting_since_.reset();
  last_error_ = std::move(reason);
  schedule_retry(now, t, random01);
  std::string message = last_error_;
  if (served_ && served_->status.next_update)
    message += "; still serving the response valid until " + iso8601(*served_->status.next_update);
  return event(StaplerEventKind::failed, std::move(message));
}

void StapleSlot::schedule_retry(SysTime now, const StapleTiming& t, double random01) {
  SysTime at = now + retry_delay(failures_, t, random01);
  if (served_ && served_->status.next_update) {
    const SysTime latest = *served_->status.next_update - kRefreshMargin;
    if (latest > now) at = std::min(at, latest);
  }
  next_refresh_ = at;
}

StapleState StapleSlot::state() const {
  StapleState s;
  s.subject = id_.subject;
  s.position = id_.position;
  s.slot = id_.slot;
  s.must_staple = id_.must_staple;
  s.responder_url = id_.responder_url;
  if (served_) s.serving = served_->status;
  s.last_status = last_status_;
  s.next_refresh = has_url() ? next_refresh_ : SysTime{};
  s.last_error = last_error_;
  s.consecutive_failures = failures_;
  return s;
}

StaplerEvent StapleSlot::event(StaplerEventKind kind, std::string message) const {
  StaplerEvent e;
  e.kind = kind;
  e.subject = id_.subject;
  e.position = id_.position;
  e.message = std::move(message);
  const bool loses_staple = kind == StaplerEventKind::failed || kind == StaplerEventKind::revoked ||
                            kind == StaplerEventKind::expiring;
  e.must_staple_unserved = loses_staple && id_.must_staple && !served_;
  return e;
}

}  // namespace vouch
