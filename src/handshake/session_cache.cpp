// Client-side resumption state (RFC 8446 §4.6.1, §2.2, Appendix C.4).
#include <algorithm>

#include "vouch/session.h"

namespace vouch {
namespace {

// RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800
// seconds (7 days)" and "Clients MUST NOT cache tickets for longer than 7
// days, regardless of the ticket_lifetime". A larger lifetime from a broken
// server is clamped rather than trusted.
constexpr uint32_t kMaxTicketLifetimeSeconds = 604800;

}  // namespace

bool Session::usable(std::chrono::system_clock::time_point now) const {
  const uint32_t life = std::min(lifetime_seconds, kMaxTicketLifetimeSeconds);
  // A lifetime of zero means "discard immediately" (§4.6.1); now <
  // received_at + 0 is false, so that falls out of the comparison.
  if (!(now < received_at + std::chrono::seconds(life))) return false;
  // Every status the full handshake verified (the leaf's, and the
  // intermediates' of TLS 1.3 or of RFC 6961 ocsp_multi) must still be
  // current: past a nextUpdate, a full handshake fetches fresh staples
  // instead of resuming on stale revocation information.
  for (const StapleReport& r : ocsp.staples)
    if (r.status && r.status->next_update && !(now < *r.status->next_update)) return false;
  return true;
}

void SessionCache::put(const std::string& server_name, std::shared_ptr<const Session> s) {
  if (!s || max_per_name_ == 0) return;
  const auto now = std::chrono::system_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto& list = by_name_[server_name];
  // Drop what can never be used again, then make room by evicting the oldest
  // (front): the newest tickets carry the freshest keys and lifetimes.
  std::erase_if(list, [&](const auto& e) { return !e->usable(now); });
  while (list.size() >= max_per_name_) list.erase(list.begin());
  list.push_back(std::move(s));
}

std::shared_ptr<const Session> SessionCache::take(const std::string& server_name) {
  const auto now = std::chrono::system_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(server_name);
  if (it == by_name_.end()) return nullptr;
  auto& list = it->second;
  std::erase_if(list, [&](const auto& e) { return !e->usable(now); });
  std::shared_ptr<const Session> out;
  if (!list.empty()) {
    // Newest first; removing it enforces single use (Appendix C.4: "Clients
    // SHOULD NOT reuse a ticket for multiple connections").
    out = std::move(list.back());
    list.pop_back();
  }
  if (list.empty()) by_name_.erase(it);
  return out;
}

size_t SessionCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& entry : by_name_) n += entry.second.size();
  return n;
}

}  // namespace vouch
