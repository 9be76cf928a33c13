// The certificate and verified-chain caches behind verify_peer_chain
// (src/cert/cert_cache.h, src/cert/verify_cache.h, src/cert/digest_lru.h).
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <thread>
#include <vector>

#include "cert/cert_cache.h"
#include "cert/verify_cache.h"
#include "cert/verify_chain.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::CertSpec;
using testing::Issued;
using testing::PkiFamily;
using testing::test_pki;
using Purpose = PeerVerifyOptions::Purpose;

using X509Crl = ossl::Ptr<X509_CRL, X509_CRL_free>;

PeerVerifyOptions server_opts(std::string host = "localhost") {
  PeerVerifyOptions o;
  o.purpose = Purpose::server_auth;
  o.host = std::move(host);
  return o;
}

std::vector<Bytes> sent(const testing::PkiCert& leaf, const PkiFamily& f) {
  return {leaf.der, f.intermediate.der};
}

// Every test starts from empty caches with the default bounds, caching on.
class CertCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { reset(); }
  void TearDown() override { reset(); }
  static void reset() {
    set_verify_caching(true);
    set_verify_cache_capacity(CertCache::kDefaultCapacity, VerifyCache::kDefaultCapacity);
    clear_verify_caches();
  }
};

void expect_same_result(const VerifiedChain& a, const VerifiedChain& b) {
  ASSERT_EQ(a.chain.size(), b.chain.size());
  for (size_t i = 0; i < a.chain.size(); ++i) {
    EXPECT_EQ(X509_cmp(a.chain[i].get(), b.chain[i].get()), 0) << "depth " << i;
  }
  ASSERT_TRUE(a.leaf_key);
  ASSERT_TRUE(b.leaf_key);
  EXPECT_EQ(EVP_PKEY_eq(a.leaf_key.get(), b.leaf_key.get()), 1);
}

X509Crl make_crl(const Issued& issuer, const Issued& revoked) {
  return vouch::testing::make_crl(issuer, {&revoked});
}

// --- verify_peer_chain with caching ----------------------------------------

TEST_F(CertCacheTest, SameChainTwiceIsAHitWithTheSameLeafKey) {
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  auto first = verify_peer_chain(trust, sent(f.server, f), server_opts());
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  VerifyCacheStats s = verify_cache_stats();
  EXPECT_EQ(s.chain_hits, 0u);
  EXPECT_EQ(s.chain_misses, 1u);
  EXPECT_EQ(s.chain_entries, 1u);
  EXPECT_EQ(s.cert_misses, 2u);  // leaf and intermediate parsed once each
  EXPECT_EQ(s.cert_entries, 2u);

  auto second = verify_peer_chain(trust, sent(f.server, f), server_opts());
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  s = verify_cache_stats();
  EXPECT_EQ(s.chain_hits, 1u);
  EXPECT_EQ(s.chain_misses, 1u);
  EXPECT_EQ(s.cert_misses, 2u);  // nothing parsed again
  // The very same key object, built once.
  EXPECT_EQ(first->leaf_key.get(), second->leaf_key.get());
  EXPECT_EQ(EVP_PKEY_eq(second->leaf_key.get(), f.server.key.get()), 1);
  expect_same_result(*first, *second);
  ASSERT_EQ(second->chain.size(), 3u);
  EXPECT_EQ(X509_cmp(second->chain[2].get(), f.root.cert.get()), 0);
}

TEST_F(CertCacheTest, CachedResultEqualsUncachedResult) {
  for (const PkiFamily* f : {&test_pki().ecdsa(), &test_pki().rsa()}) {
    const TrustStore trust = f->trust();
    const uint64_t misses_before = verify_cache_stats().chain_misses;
    set_verify_caching(false);
    auto plain = verify_peer_chain(trust, sent(f->server, *f), server_opts());
    ASSERT_TRUE(plain.ok()) << plain.error().to_string();
    EXPECT_EQ(verify_cache_stats().chain_misses, misses_before);  // off means untouched
    set_verify_caching(true);
    auto miss = verify_peer_chain(trust, sent(f->server, *f), server_opts());
    auto hit = verify_peer_chain(trust, sent(f->server, *f), server_opts());
    ASSERT_TRUE(miss.ok()) << miss.error().to_string();
    ASSERT_TRUE(hit.ok()) << hit.error().to_string();
    expect_same_result(*plain, *miss);
    expect_same_result(*plain, *hit);
  }
  EXPECT_EQ(verify_cache_stats().chain_hits, 2u);
}

TEST_F(CertCacheTest, DifferentHostPurposeOrDepthMisses) {
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts("localhost")).ok());
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts("127.0.0.1")).ok());
  EXPECT_EQ(verify_cache_stats().chain_hits, 0u);
  EXPECT_EQ(verify_cache_stats().chain_misses, 2u);

  // A cached success for one name never answers for another.
  auto wrong = verify_peer_chain(trust, sent(f.server, f), server_opts("example.com"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().alert, Alert::bad_certificate);

  PeerVerifyOptions shallow = server_opts();
  shallow.max_depth = 0;
  auto too_deep = verify_peer_chain(trust, sent(f.server, f), shallow);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.error().alert, Alert::bad_certificate);

  PeerVerifyOptions as_client = server_opts("");
  as_client.purpose = Purpose::client_auth;
  auto purpose = verify_peer_chain(trust, sent(f.server, f), as_client);
  ASSERT_FALSE(purpose.ok());
  EXPECT_EQ(purpose.error().alert, Alert::unsupported_certificate);
  EXPECT_EQ(verify_cache_stats().chain_hits, 0u);

  // The chain order is part of the key too.
  auto reordered = verify_peer_chain(trust, {f.server.der, f.intermediate.der, f.root.der},
                                     server_opts());
  ASSERT_TRUE(reordered.ok());
  EXPECT_EQ(verify_cache_stats().chain_hits, 0u);
}

TEST_F(CertCacheTest, ExpiryIsRecheckedOnEveryHit) {
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  PeerVerifyOptions o = server_opts();
  const time_t now = std::time(nullptr);
  o.now = now;
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), o).ok());
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), o).ok());
  EXPECT_EQ(verify_cache_stats().chain_hits, 1u);

  o.now = now + 60 * 86400;  // past every test certificate's notAfter
  auto later = verify_peer_chain(trust, sent(f.server, f), o);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().alert, Alert::certificate_expired);
  EXPECT_NE(later.error().reason.find(X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED)),
            std::string::npos)
      << later.error().reason;

  o.now = now - 3 * 86400;  // before every notBefore
  auto earlier = verify_peer_chain(trust, sent(f.server, f), o);
  ASSERT_FALSE(earlier.ok());
  EXPECT_EQ(earlier.error().alert, Alert::certificate_expired);
  EXPECT_EQ(verify_cache_stats().chain_stale, 2u);
  EXPECT_EQ(verify_cache_stats().chain_hits, 1u);

  // Back inside the window the remembered result answers again.
  o.now = now;
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), o).ok());
  EXPECT_EQ(verify_cache_stats().chain_hits, 2u);
}

TEST_F(CertCacheTest, WindowEdgesMatchLibcrypto) {
  // Three certificates with different windows: the path is valid only where
  // all of them are, and a hit must agree with libcrypto at both edges
  // (valid iff notBefore <= t < notAfter).
  Issued root = testing::make_self_signed(
      {.cn = "edge root", .ca = true, .not_before_offset_s = -10 * 86400, .not_after_offset_s = 40 * 86400});
  Issued inter = testing::issue({.cn = "edge intermediate",
                                 .ca = true,
                                 .path_len = 0,
                                 .not_before_offset_s = -5 * 86400,
                                 .not_after_offset_s = 20 * 86400},
                                root);
  Issued leaf = testing::issue({.cn = "localhost",
                                .dns = {"localhost"},
                                .eku = CertSpec::Eku::server,
                                .not_before_offset_s = -7 * 86400,
                                .not_after_offset_s = 10 * 86400},
                               inter);
  const TrustStore trust = testing::trust_from(root);
  const std::vector<Bytes> chain = {leaf.der, inter.der};
  auto v = verify_peer_chain(trust, chain, server_opts());
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  auto window = make_cached_verification(*v);
  ASSERT_TRUE(window.has_value());
  // The latest notBefore is the intermediate's, the earliest notAfter the leaf's.
  auto nb_diff = X509_cmp_time(X509_get0_notBefore(inter.cert.get()), &window->not_before);
  auto na_diff = X509_cmp_time(X509_get0_notAfter(leaf.cert.get()), &window->not_after);
  EXPECT_EQ(nb_diff, -1);  // notBefore <= not_before...
  EXPECT_EQ(na_diff, -1);
  time_t before_nb = window->not_before - 1;
  time_t before_na = window->not_after - 1;
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(inter.cert.get()), &before_nb), 1);  // ...and equal
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(leaf.cert.get()), &before_na), 1);
  EXPECT_TRUE(window->valid_at(window->not_before));
  EXPECT_FALSE(window->valid_at(window->not_before - 1));
  EXPECT_TRUE(window->valid_at(window->not_after - 1));
  EXPECT_FALSE(window->valid_at(window->not_after));

  for (time_t t : {window->not_before - 1, window->not_before, window->not_after - 1,
                   window->not_after}) {
    PeerVerifyOptions o = server_opts();
    o.now = t;
    set_verify_caching(false);
    auto plain = verify_peer_chain(trust, chain, o);
    set_verify_caching(true);
    auto cached = verify_peer_chain(trust, chain, o);
    EXPECT_EQ(plain.ok(), cached.ok()) << "t - now = " << (t - std::time(nullptr));
    EXPECT_EQ(plain.ok(), window->valid_at(t));
    if (!cached.ok()) {
      EXPECT_EQ(cached.error().alert, Alert::certificate_expired);
    }
  }
}

TEST_F(CertCacheTest, DifferentTrustStoreMisses) {
  const auto& f = test_pki().ecdsa();
  const TrustStore a = f.trust();
  const TrustStore b = f.trust();  // the same root, another store
  ASSERT_TRUE(verify_peer_chain(a, sent(f.server, f), server_opts()).ok());
  ASSERT_TRUE(verify_peer_chain(b, sent(f.server, f), server_opts()).ok());
  EXPECT_EQ(verify_cache_stats().chain_hits, 0u);
  EXPECT_EQ(verify_cache_stats().chain_misses, 2u);
  EXPECT_EQ(verify_cache_stats().cert_hits, 2u);  // parsing is shared across stores

  // A copy of a TrustStore shares its X509_STORE: same identity.
  const TrustStore a_copy = a;
  ASSERT_TRUE(verify_peer_chain(a_copy, sent(f.server, f), server_opts()).ok());
  EXPECT_EQ(verify_cache_stats().chain_hits, 1u);

  // A store that trusts nothing never gets another store's answer.
  auto none = verify_peer_chain(TrustStore(), sent(f.server, f), server_opts());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().alert, Alert::unknown_ca);
  auto other = verify_peer_chain(test_pki().rsa().trust(), sent(f.server, f), server_opts());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().alert, Alert::unknown_ca);
}

TEST_F(CertCacheTest, StoreIdentityTracksStoreAndChanges) {
  const auto& f = test_pki().ecdsa();
  TrustStore a = f.trust();
  const TrustStore b = f.trust();
  auto ia = cacheable_store_identity(a.native());
  auto ia2 = cacheable_store_identity(a.native());
  auto ib = cacheable_store_identity(b.native());
  ASSERT_TRUE(ia && ia2 && ib);
  EXPECT_EQ(ia->id, ia2->id);
  EXPECT_NE(ia->id, ib->id);
  EXPECT_EQ(ia->objects, 1u);
  EXPECT_EQ(cacheable_store_identity(nullptr), std::nullopt);

  // Adding an anchor changes the identity: earlier results are not reused.
  ASSERT_TRUE(verify_peer_chain(a, sent(f.server, f), server_opts()).ok());
  ASSERT_TRUE(a.add_pem_file(test_pki().rsa().root.cert_path).ok());
  auto grown = cacheable_store_identity(a.native());
  ASSERT_TRUE(grown);
  EXPECT_EQ(grown->id, ia->id);
  EXPECT_EQ(grown->objects, 2u);
  ASSERT_TRUE(verify_peer_chain(a, sent(f.server, f), server_opts()).ok());
  EXPECT_EQ(verify_cache_stats().chain_hits, 0u);
  // ...and the new anchor is used.
  const auto& r = test_pki().rsa();
  EXPECT_TRUE(verify_peer_chain(a, sent(r.server, r), server_opts()).ok());

  // Keys differ in every component.
  const std::vector<Sha256Digest> digests = {*sha256_digest(f.server.der),
                                             *sha256_digest(f.intermediate.der)};
  auto base = verify_cache_key(*ia, digests, server_opts());
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(*base, *verify_cache_key(*ia2, digests, server_opts()));
  EXPECT_NE(*base, *verify_cache_key(*ib, digests, server_opts()));
  EXPECT_NE(*base, *verify_cache_key(*grown, digests, server_opts()));
  EXPECT_NE(*base, *verify_cache_key(*ia, {digests[0]}, server_opts()));
  EXPECT_NE(*base, *verify_cache_key(*ia, {digests[1], digests[0]}, server_opts()));
  EXPECT_NE(*base, *verify_cache_key(*ia, digests, server_opts("localhos")));
  PeerVerifyOptions depth = server_opts();
  depth.max_depth = 9;
  EXPECT_NE(*base, *verify_cache_key(*ia, digests, depth));
  PeerVerifyOptions client = server_opts();
  client.purpose = Purpose::client_auth;
  EXPECT_NE(*base, *verify_cache_key(*ia, digests, client));
  // The verification time is deliberately not part of the key.
  PeerVerifyOptions timed = server_opts();
  timed.now = 12345;
  EXPECT_EQ(*base, *verify_cache_key(*ia, digests, timed));
}

TEST_F(CertCacheTest, FailuresAreNotCached) {
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  for (int i = 0; i < 2; ++i) {
    auto v = verify_peer_chain(trust, sent(f.server_wrong_host, f), server_opts());
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().alert, Alert::bad_certificate);
    auto e = verify_peer_chain(trust, sent(f.server_expired, f), server_opts());
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().alert, Alert::certificate_expired);
  }
  const VerifyCacheStats s = verify_cache_stats();
  EXPECT_EQ(s.chain_entries, 0u);
  EXPECT_EQ(s.chain_hits, 0u);
  EXPECT_EQ(s.chain_misses, 4u);
}

TEST_F(CertCacheTest, MalformedEntriesAreDecodeErrorsAndNotStored) {
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts()).ok());
  const size_t stored = verify_cache_stats().cert_entries;

  // The same reasons as without caches.
  auto garbage = verify_peer_chain(trust, {Bytes{0x30, 0x03, 0x02, 0x01, 0x05}}, server_opts());
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().alert, Alert::decode_error);
  EXPECT_EQ(garbage.error().reason, "certificate 1 of 1: cannot be parsed");

  // A cached certificate with one byte more is not the cached certificate.
  Bytes padded = f.intermediate.der;
  padded.push_back(0x00);
  auto trailing = verify_peer_chain(trust, {f.server.der, padded}, server_opts());
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().alert, Alert::decode_error);
  EXPECT_EQ(trailing.error().reason, "certificate 2 of 2: 1 trailing bytes after the DER certificate");

  Bytes truncated(f.server.der.begin(), f.server.der.end() - 1);
  auto cut = verify_peer_chain(trust, {truncated, f.intermediate.der}, server_opts());
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().alert, Alert::decode_error);
  EXPECT_EQ(cut.error().reason, "certificate 1 of 2: cannot be parsed");

  auto empty = verify_peer_chain(trust, {f.server.der, Bytes{}}, server_opts());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().alert, Alert::decode_error);

  // A tampered signature parses (and is cached as a parse) but never verifies.
  Bytes tampered = f.server.der;
  tampered.back() ^= 0x01;
  for (int i = 0; i < 2; ++i) {
    auto bad = verify_peer_chain(trust, {tampered, f.intermediate.der}, server_opts());
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().alert, Alert::bad_certificate);
  }
  EXPECT_EQ(verify_cache_stats().cert_entries, stored + 1);
  EXPECT_EQ(verify_cache_stats().chain_entries, 1u);

  // The uncached parser directly.
  EXPECT_FALSE(parse_certificate(ByteView()).ok());
  EXPECT_FALSE(parse_certificate(truncated).ok());
  auto ok = parse_certificate(f.server.der);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(X509_cmp((*ok)->cert.get(), f.server.cert.get()), 0);
  EXPECT_EQ(EVP_PKEY_eq((*ok)->key.get(), f.server.key.get()), 1);
  EXPECT_EQ((*ok)->der, f.server.der);
}

TEST_F(CertCacheTest, CrlStoresBypassTheChainCache) {
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts()).ok());
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts()).ok());
  EXPECT_EQ(verify_cache_stats().chain_hits, 1u);

  // The store starts checking CRLs and learns that the leaf is revoked: the
  // next handshake must see it, cached success or not.
  X509Crl crl = make_crl(f.intermediate, f.server);
  ASSERT_TRUE(crl);
  ASSERT_EQ(X509_STORE_add_crl(trust.native(), crl.get()), 1);
  ASSERT_EQ(X509_STORE_set_flags(trust.native(), X509_V_FLAG_CRL_CHECK), 1);
  EXPECT_EQ(cacheable_store_identity(trust.native()), std::nullopt);
  for (int i = 0; i < 2; ++i) {
    auto v = verify_peer_chain(trust, sent(f.server, f), server_opts());
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().alert, Alert::certificate_revoked);
  }
  // A leaf the CRL does not list verifies, every time afresh.
  for (int i = 0; i < 2; ++i) {
    auto v = verify_peer_chain(trust, sent(f.server_wrong_host, f), server_opts("wrong.example"));
    ASSERT_TRUE(v.ok()) << v.error().to_string();
  }
  const VerifyCacheStats s = verify_cache_stats();
  EXPECT_EQ(s.chain_bypassed, 4u);
  EXPECT_EQ(s.chain_hits, 1u);
  EXPECT_EQ(s.chain_entries, 1u);

  // A CRL object alone (no flags) is enough to bypass.
  const TrustStore other = f.trust();
  ASSERT_EQ(X509_STORE_add_crl(other.native(), crl.get()), 1);
  EXPECT_EQ(cacheable_store_identity(other.native()), std::nullopt);
}

TEST_F(CertCacheTest, CallbacksAndTimeFlagsBypass) {
  const auto& f = test_pki().ecdsa();
  const TrustStore with_cb = f.trust();
  X509_STORE_set_verify_cb(with_cb.native(), [](int ok, X509_STORE_CTX*) { return ok; });
  EXPECT_EQ(cacheable_store_identity(with_cb.native()), std::nullopt);
  ASSERT_TRUE(verify_peer_chain(with_cb, sent(f.server, f), server_opts()).ok());
  EXPECT_EQ(verify_cache_stats().chain_bypassed, 1u);

  const TrustStore no_time = f.trust();
  ASSERT_EQ(X509_STORE_set_flags(no_time.native(), X509_V_FLAG_NO_CHECK_TIME), 1);
  EXPECT_EQ(cacheable_store_identity(no_time.native()), std::nullopt);
}

TEST_F(CertCacheTest, DisabledCachingTouchesNothing) {
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  set_verify_caching(false);
  EXPECT_FALSE(verify_caching_enabled());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts()).ok());
  const VerifyCacheStats s = verify_cache_stats();
  EXPECT_EQ(s.chain_hits + s.chain_misses + s.chain_bypassed, 0u);
  EXPECT_EQ(s.cert_hits + s.cert_misses, 0u);
  EXPECT_EQ(s.cert_entries, 0u);
}

TEST_F(CertCacheTest, ClearEmptiesBothCaches) {
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts()).ok());
  clear_verify_caches();
  VerifyCacheStats s = verify_cache_stats();
  EXPECT_EQ(s.chain_entries + s.cert_entries, 0u);
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts()).ok());
  s = verify_cache_stats();
  EXPECT_EQ(s.chain_misses, 1u);
  EXPECT_EQ(s.cert_misses, 2u);
}

// --- bounds ------------------------------------------------------------------

TEST_F(CertCacheTest, CertCacheIsBoundedLru) {
  const auto& f = test_pki().ecdsa();
  CertCache cache(2);
  ASSERT_TRUE(cache.parse(f.server.der).ok());
  ASSERT_TRUE(cache.parse(f.intermediate.der).ok());
  ASSERT_TRUE(cache.parse(f.server.der).ok());  // hit: server is now the most recent
  ASSERT_TRUE(cache.parse(f.root.der).ok());    // evicts the intermediate
  CacheCounters c = cache.counters();
  EXPECT_EQ(c.size, 2u);
  EXPECT_EQ(c.capacity, 2u);
  EXPECT_EQ(c.evictions, 1u);
  EXPECT_EQ(c.hits, 1u);
  EXPECT_EQ(c.misses, 3u);
  ASSERT_TRUE(cache.parse(f.server.der).ok());
  EXPECT_EQ(cache.counters().hits, 2u);
  ASSERT_TRUE(cache.parse(f.intermediate.der).ok());
  EXPECT_EQ(cache.counters().misses, 4u);  // it had been evicted

  // The same bytes give the same object while cached.
  auto a = cache.parse(f.intermediate.der);
  auto b = cache.parse(f.intermediate.der);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());

  cache.set_capacity(1);
  EXPECT_EQ(cache.counters().size, 1u);
  cache.set_capacity(0);  // stores nothing, still parses
  auto uncached = cache.parse(f.root.der);
  ASSERT_TRUE(uncached.ok());
  EXPECT_EQ(cache.counters().size, 0u);
}

TEST_F(CertCacheTest, VerifyCacheIsBounded) {
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  set_verify_cache_capacity(CertCache::kDefaultCapacity, 2);
  for (const char* host : {"localhost", "127.0.0.1", "::1"}) {
    ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts(host)).ok()) << host;
  }
  VerifyCacheStats s = verify_cache_stats();
  EXPECT_EQ(s.chain_entries, 2u);
  EXPECT_EQ(s.chain_evictions, 1u);
  // "localhost" was the least recently used: evicted, verified again.
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts("::1")).ok());
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), server_opts("localhost")).ok());
  s = verify_cache_stats();
  EXPECT_EQ(s.chain_hits, 1u);
  EXPECT_EQ(s.chain_misses, 4u);
  EXPECT_EQ(s.chain_entries, 2u);
}

TEST(DigestLru, InsertIfAbsentSharesTheFirstValue) {
  DigestLru<int> lru(4);
  Sha256Digest k{};
  k[0] = 1;
  auto first = lru.insert_if_absent(k, std::make_shared<const int>(1));
  auto second = lru.insert_if_absent(k, std::make_shared<const int>(2));
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(*lru.find(k), 1);
  lru.insert_or_replace(k, std::make_shared<const int>(3));
  EXPECT_EQ(*lru.find(k), 3);
  EXPECT_EQ(*first, 1);  // a value handed out stays alive
  lru.erase(k);
  EXPECT_EQ(lru.find(k), nullptr);
  EXPECT_EQ(lru.counters().size, 0u);
  EXPECT_EQ(lru.counters().insertions, 1u);
}

// --- threads -----------------------------------------------------------------

TEST_F(CertCacheTest, ConcurrentVerificationsAreCorrect) {
  // Four threads verify good and bad chains over shared caches that are
  // small enough to evict all the time, while one of them also clears them
  // now and then. Every answer must be what an uncached verification says.
  const auto& e = test_pki().ecdsa();
  const auto& r = test_pki().rsa();
  const TrustStore trust_e = e.trust();
  const TrustStore trust_r = r.trust();
  set_verify_cache_capacity(3, 3);

  struct Case {
    const TrustStore* trust;
    std::vector<Bytes> chain;
    std::string host;
    Purpose purpose;
    std::optional<Alert> failure;  // nullopt: must verify, with this leaf:
    X509* leaf;
  };
  const std::vector<Case> cases = {
      {&trust_e, sent(e.server, e), "localhost", Purpose::server_auth, std::nullopt,
       e.server.cert.get()},
      {&trust_e, sent(e.server, e), "127.0.0.1", Purpose::server_auth, std::nullopt,
       e.server.cert.get()},
      {&trust_e, sent(e.client, e), "", Purpose::client_auth, std::nullopt, e.client.cert.get()},
      {&trust_e, sent(e.server_wrong_host, e), "localhost", Purpose::server_auth,
       Alert::bad_certificate, nullptr},
      {&trust_e, sent(e.server_expired, e), "localhost", Purpose::server_auth,
       Alert::certificate_expired, nullptr},
      {&trust_e, sent(e.server, e), "", Purpose::client_auth, Alert::unsupported_certificate,
       nullptr},
      {&trust_r, sent(r.server, r), "localhost", Purpose::server_auth, std::nullopt,
       r.server.cert.get()},
      {&trust_r, sent(e.server, e), "localhost", Purpose::server_auth, Alert::unknown_ca, nullptr},
  };
  constexpr int kThreads = 4;
  constexpr int kRounds = 25;
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        for (size_t i = 0; i < cases.size(); ++i) {
          const Case& c = cases[(i + static_cast<size_t>(t)) % cases.size()];
          PeerVerifyOptions o;
          o.purpose = c.purpose;
          o.host = c.host;
          auto v = verify_peer_chain(*c.trust, c.chain, o);
          if (v.ok() != !c.failure.has_value()) {
            errors[t] = "case " + std::to_string(i) + ": " +
                        (v.ok() ? std::string("unexpected success") : v.error().to_string());
            return;
          }
          if (v.ok() && (v->chain.size() != 3 || !v->leaf_key ||
                         X509_cmp(v->chain[0].get(), c.leaf) != 0)) {
            errors[t] = "case " + std::to_string(i) + ": wrong chain";
            return;
          }
          if (!v.ok() && v.error().alert != *c.failure) {
            errors[t] = "case " + std::to_string(i) + ": " + v.error().to_string();
            return;
          }
        }
        if (t == 0 && round % 10 == 5) clear_verify_caches();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(errors[t], "") << "thread " << t;
  const VerifyCacheStats s = verify_cache_stats();
  EXPECT_LE(s.chain_entries, 3u);
  EXPECT_LE(s.cert_entries, 3u);
}

TEST_F(CertCacheTest, ConcurrentHitsShareOneResult) {
  // Without eviction, after warming up every thread is answered from the
  // cache, with the same leaf key object.
  const auto& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();
  auto warm = verify_peer_chain(trust, sent(f.server, f), server_opts());
  ASSERT_TRUE(warm.ok());
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::vector<int> bad(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        auto v = verify_peer_chain(trust, sent(f.server, f), server_opts());
        if (!v.ok() || v->leaf_key.get() != warm->leaf_key.get()) ++bad[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(bad[t], 0) << "thread " << t;
  const VerifyCacheStats s = verify_cache_stats();
  EXPECT_EQ(s.chain_hits, static_cast<uint64_t>(kThreads * kRounds));
  EXPECT_EQ(s.chain_misses, 1u);
}

}  // namespace
}  // namespace vouch
