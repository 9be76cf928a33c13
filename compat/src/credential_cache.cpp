#include "credential_cache.h"

#include <algorithm>
#include <iterator>

#include "errors.h"

namespace vouch::compat {
namespace {

// libssl picks among its slots by signature algorithm, and its default
// algorithm order puts ECDSA first, then EdDSA, then RSA-PSS and RSA; vouch
// takes the first credential that fits, so the order carries that.
constexpr size_t kOrder[] = {2, 3, 4, 1, 0};
static_assert(std::size(kOrder) == CertSet::kSlots);

bool complete(const CertSlot& slot) { return slot.cert && slot.key; }

// A complete slot without a chain of its own is sent with the context's
// extra chain certificates (SSL_CTX_add_extra_chain_cert).
bool borrows_extra(const CertSet& set) {
  return std::any_of(set.slots.begin(), set.slots.end(),
                     [](const CertSlot& slot) { return complete(slot) && slot.chain.empty(); });
}

bool same_objects(const std::vector<ossl::X509Ptr>& a, const std::vector<ossl::X509Ptr>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const ossl::X509Ptr& x, const ossl::X509Ptr& y) { return x.get() == y.get(); });
}

}  // namespace

bool same_slots(const CertSet& a, const CertSet& b) {
  for (size_t i = 0; i < CertSet::kSlots; ++i) {
    const CertSlot& x = a.slots[i];
    const CertSlot& y = b.slots[i];
    if (x.cert.get() != y.cert.get() || x.key.get() != y.key.get() || !same_objects(x.chain, y.chain)) return false;
  }
  return true;
}

bool ConvertedCredentials::made_from(const CertSet& set, const std::vector<ossl::X509Ptr>& extra_now) const {
  return same_slots(set, from) && (!borrows_extra(set) || same_objects(extra_now, extra));
}

std::shared_ptr<const ConvertedCredentials> convert_credentials(const CertSet& set,
                                                                const std::vector<ossl::X509Ptr>& extra) {
  auto out = std::make_shared<ConvertedCredentials>();
  out->from = set.copy();
  if (borrows_extra(set))
    for (const auto& x : extra) out->extra.push_back(ossl::up_ref(x.get()));
  std::vector<Credential> credentials;
  // A slot that does not convert is left out, and what libcrypto pushed
  // about it does not reach the program's queue.
  QuietErrors quiet;
  for (size_t i : kOrder) {
    const CertSlot& slot = set.slots[i];
    if (!complete(slot)) continue;
    std::vector<X509*> chain{slot.cert.get()};
    const auto& rest = slot.chain.empty() ? extra : slot.chain;
    for (const auto& x : rest) chain.push_back(x.get());
    auto credential = Credential::from_x509(chain, slot.key.get());
    if (credential) credentials.push_back(std::move(credential).value());
  }
  out->credentials = std::make_shared<const std::vector<Credential>>(std::move(credentials));
  return out;
}

CredentialSnapshot CredentialCache::find(const CertSet& set, const std::vector<ossl::X509Ptr>& extra) const {
  std::shared_ptr<const ConvertedCredentials> last;
  {
    std::lock_guard lock(mu_);
    last = last_;
  }
  // Compared outside the lock: the entry is immutable and `last` keeps it.
  if (last && last->made_from(set, extra)) return last->credentials;
  return nullptr;
}

void CredentialCache::store(std::shared_ptr<const ConvertedCredentials> converted) {
  std::lock_guard lock(mu_);
  last_ = std::move(converted);
}

}  // namespace vouch::compat
