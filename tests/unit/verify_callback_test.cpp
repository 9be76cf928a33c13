// The verify callback of PeerVerifyOptions (X509VerifyCallback,
// vouch/config.h): the calls libcrypto makes, accepting and refusing, and
// the verify cache left out.
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cert/verify_chain.h"
#include "cert/x509_name.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::PkiFamily;
using testing::test_pki;

// One call of the callback, as libcrypto made it.
struct Call {
  bool preverify_ok;
  int depth;
  int error;
  std::string subject;
};

// Records every call; answers with `answer(preverify_ok, depth)`.
struct Recorder {
  std::vector<Call> calls;
  std::function<bool(bool, int)> answer = [](bool ok, int) { return ok; };

  X509VerifyCallback callback() {
    return [this](bool ok, X509_STORE_CTX* ctx) {
      const int depth = X509_STORE_CTX_get_error_depth(ctx);
      calls.push_back({ok, depth, X509_STORE_CTX_get_error(ctx),
                       subject_line(X509_STORE_CTX_get_current_cert(ctx))});
      return answer(ok, depth);
    };
  }
};

PeerVerifyOptions server_opts(Recorder& r, std::string host = "localhost") {
  PeerVerifyOptions o;
  o.purpose = PeerVerifyOptions::Purpose::server_auth;
  o.host = std::move(host);
  o.verify_callback = r.callback();
  return o;
}

std::vector<Bytes> sent(const testing::PkiCert& leaf, const PkiFamily& f) {
  return {leaf.der, f.intermediate.der};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(VerifyCallback, CalledForEachDepthFromTheAnchorDown) {
  const PkiFamily& f = test_pki().ecdsa();
  Recorder r;
  auto v = verify_peer_chain(f.trust(), sent(f.server, f), server_opts(r));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->accepted_error, X509_V_OK);
  ASSERT_EQ(r.calls.size(), 3u);
  const std::vector<std::pair<int, const X509*>> expected = {
      {2, f.root.cert.get()}, {1, f.intermediate.cert.get()}, {0, f.server.cert.get()}};
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(r.calls[i].preverify_ok);
    EXPECT_EQ(r.calls[i].depth, expected[i].first);
    EXPECT_EQ(r.calls[i].error, X509_V_OK);
    EXPECT_EQ(r.calls[i].subject, subject_line(expected[i].second));
  }
}

TEST(VerifyCallback, PassingThroughAFailureFailsAsWithout) {
  const PkiFamily& f = test_pki().ecdsa();
  Recorder r;
  auto v = verify_peer_chain(test_pki().rsa().trust(), sent(f.server, f), server_opts(r));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::unknown_ca);
  EXPECT_EQ(x509_verify_error_of(v.error()), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_FALSE(contains(v.error().reason, "verify callback")) << v.error().reason;
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_FALSE(r.calls[0].preverify_ok);
  EXPECT_EQ(r.calls[0].depth, 1);
}

TEST(VerifyCallback, AcceptingAnUntrustedChain) {
  const PkiFamily& f = test_pki().ecdsa();
  Recorder r;
  r.answer = [](bool, int) { return true; };
  auto v = verify_peer_chain(test_pki().rsa().trust(), sent(f.server, f), server_opts(r));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->accepted_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  // The path ends where it could go no further: the leaf and the
  // intermediate, whose issuer is unknown.
  ASSERT_EQ(v->chain.size(), 2u);
  EXPECT_TRUE(v->leaf_key);
  ASSERT_GE(r.calls.size(), 2u);
  EXPECT_FALSE(r.calls.front().preverify_ok);
  EXPECT_EQ(r.calls.back().depth, 0);
}

TEST(VerifyCallback, AcceptingAnExpiredLeaf) {
  const PkiFamily& f = test_pki().ecdsa();
  Recorder r;
  r.answer = [](bool, int) { return true; };
  auto v = verify_peer_chain(f.trust(), sent(f.server_expired, f), server_opts(r));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->accepted_error, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(v->chain.size(), 3u);
  bool saw_expired = false;
  for (const Call& c : r.calls) {
    if (!c.preverify_ok && c.depth == 0 && c.error == X509_V_ERR_CERT_HAS_EXPIRED) saw_expired = true;
  }
  EXPECT_TRUE(saw_expired);
}

TEST(VerifyCallback, AcceptingANameMismatch) {
  const PkiFamily& f = test_pki().ecdsa();
  Recorder r;
  r.answer = [](bool, int) { return true; };
  auto v = verify_peer_chain(f.trust(), sent(f.server, f), server_opts(r, "other.example"));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->accepted_error, X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST(VerifyCallback, RefusingTheLeafOfAGoodChain) {
  const PkiFamily& f = test_pki().ecdsa();
  Recorder r;
  r.answer = [](bool ok, int depth) { return ok && depth != 0; };
  auto v = verify_peer_chain(f.trust(), sent(f.server, f), server_opts(r));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::bad_certificate);
  EXPECT_TRUE(contains(v.error().reason, "refused by the verify callback")) << v.error().reason;
  EXPECT_TRUE(contains(v.error().reason, "depth 0")) << v.error().reason;
  EXPECT_TRUE(contains(v.error().reason, subject_line(f.server.cert.get()))) << v.error().reason;
  // libcrypto reports an unspecified error when nothing else was set.
  EXPECT_EQ(x509_verify_error_of(v.error()), X509_V_ERR_UNSPECIFIED);
  EXPECT_EQ(r.calls.size(), 3u);
}

TEST(VerifyCallback, RefusingWithAnErrorOfItsOwn) {
  const PkiFamily& f = test_pki().ecdsa();
  PeerVerifyOptions o;
  o.host = "localhost";
  o.verify_callback = [](bool ok, X509_STORE_CTX* ctx) {
    if (X509_STORE_CTX_get_error_depth(ctx) != 1) return ok;
    X509_STORE_CTX_set_error(ctx, X509_V_ERR_CERT_REVOKED);
    return false;
  };
  auto v = verify_peer_chain(f.trust(), sent(f.server, f), o);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::certificate_revoked);
  EXPECT_EQ(x509_verify_error_of(v.error()), X509_V_ERR_CERT_REVOKED);
  EXPECT_TRUE(contains(v.error().reason, "depth 1")) << v.error().reason;
  EXPECT_TRUE(contains(v.error().reason, "refused by the verify callback")) << v.error().reason;

  o.verify_callback = [](bool ok, X509_STORE_CTX* ctx) {
    if (X509_STORE_CTX_get_error_depth(ctx) != 0) return ok;
    X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
    return false;
  };
  v = verify_peer_chain(f.trust(), sent(f.server, f), o);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::bad_certificate);
  EXPECT_EQ(x509_verify_error_of(v.error()), X509_V_ERR_APPLICATION_VERIFICATION);
}

TEST(VerifyCallback, AThrowingCallbackFailsTheVerification) {
  const PkiFamily& f = test_pki().ecdsa();
  PeerVerifyOptions o;
  o.host = "localhost";
  o.verify_callback = [](bool, X509_STORE_CTX*) -> bool { throw std::runtime_error("application bug"); };
  auto v = verify_peer_chain(f.trust(), sent(f.server, f), o);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::internal_error);
  EXPECT_TRUE(contains(v.error().reason, "threw")) << v.error().reason;
}

TEST(VerifyCallback, ReplacesTheStoresOwnCallback) {
  const PkiFamily& f = test_pki().ecdsa();
  TrustStore trust = f.trust();  // a store of its own
  // A store callback refusing everything: the per-verification one wins.
  X509_STORE_set_verify_cb(trust.native(), [](int, X509_STORE_CTX*) { return 0; });
  Recorder r;
  auto v = verify_peer_chain(trust, sent(f.server, f), server_opts(r));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(r.calls.size(), 3u);
}

TEST(VerifyCallback, CalledAgainOnEveryVerificationOfTheSameChain) {
  const bool caching = verify_caching_enabled();
  set_verify_caching(true);
  clear_verify_caches();
  const PkiFamily& f = test_pki().ecdsa();
  const TrustStore trust = f.trust();  // one store: one cache identity
  // Without a callback the second verification is answered from the cache.
  PeerVerifyOptions plain;
  plain.host = "localhost";
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), plain).ok());
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), plain).ok());
  EXPECT_EQ(verify_cache_stats().chain_hits, 1u);

  Recorder r;
  const PeerVerifyOptions with_callback = server_opts(r);
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), with_callback).ok());
  EXPECT_EQ(r.calls.size(), 3u);
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server, f), with_callback).ok());
  EXPECT_EQ(r.calls.size(), 6u);
  const VerifyCacheStats stats = verify_cache_stats();
  EXPECT_EQ(stats.chain_hits, 1u);
  EXPECT_EQ(stats.chain_bypassed, 2u);
  // An accepted failure is never remembered either: a later verification
  // without the callback fails.
  r.answer = [](bool, int) { return true; };
  ASSERT_TRUE(verify_peer_chain(trust, sent(f.server_expired, f), with_callback).ok());
  EXPECT_FALSE(verify_peer_chain(trust, sent(f.server_expired, f), plain).ok());
  set_verify_caching(caching);
}

TEST(VerifyCallback, CalledWithCachingOff) {
  const bool caching = verify_caching_enabled();
  set_verify_caching(false);
  const PkiFamily& f = test_pki().ecdsa();
  Recorder r;
  r.answer = [](bool, int) { return true; };
  auto v = verify_peer_chain(test_pki().rsa().trust(), sent(f.server, f), server_opts(r));
  set_verify_caching(caching);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->accepted_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_FALSE(r.calls.empty());
}

TEST(VerifyCallback, ClientChainsToo) {
  const PkiFamily& f = test_pki().ecdsa();
  Recorder r;
  PeerVerifyOptions o;
  o.purpose = PeerVerifyOptions::Purpose::client_auth;
  o.verify_callback = r.callback();
  ASSERT_TRUE(verify_peer_chain(f.trust(), sent(f.client, f), o).ok());
  ASSERT_EQ(r.calls.size(), 3u);
  EXPECT_EQ(r.calls.back().subject, subject_line(f.client.cert.get()));
  // A client certificate without clientAuth, accepted by the callback.
  r.answer = [](bool, int) { return true; };
  auto v = verify_peer_chain(f.trust(), sent(f.client_noauth, f), o);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->accepted_error, X509_V_ERR_INVALID_PURPOSE);
}

}  // namespace
}  // namespace vouch
