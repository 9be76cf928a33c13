// The CRL revocation provider (src/revocation/crl_provider.cpp, RFC 5280 §5,
// §6.3): CRLs from files and hashed directories, revoked and clean
// certificates, CRLs that are unusable (expired, not yet valid, forged, out
// of scope), require_crl, check_whole_chain, creation errors, and concurrent
// checks on one provider.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/pki.h"
#include "vouch/revocation.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::system_clock;
using testing::CertSpec;
using testing::Issued;
using testing::test_pki;

using Crl = ossl::Ptr<X509_CRL, X509_CRL_free>;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const testing::PkiFamily& fam() { return test_pki().ecdsa(); }

// A fresh leaf under the ECDSA intermediate (own serial, so CRLs can revoke
// one leaf and not another).
// The peer is rejected with `alert`, and the reason mentions `part`.
void expect_rejected(const Status& s, Alert alert, const std::string& part = "") {
  ASSERT_FALSE(s.ok()) << "expected " << alert_name(alert) << (part.empty() ? "" : " (" + part + ")");
  EXPECT_EQ(s.error().alert, alert) << s.error().reason;
  EXPECT_TRUE(contains(s.error().reason, part)) << s.error().reason;
}

Issued new_leaf(const std::string& cn) {
  CertSpec spec;
  spec.cn = cn;
  spec.eku = CertSpec::Eku::server;
  return testing::issue(spec, fam().intermediate);
}

std::vector<X509*> chain_of(const Issued& leaf) {
  return {leaf.cert.get(), fam().intermediate.cert.get(), fam().root.cert.get()};
}

// The name hash_dir looks for: <X509_NAME_hash(issuer)>.r<n>.
std::string hashed_name(const Issued& issuer, int n) {
  int ok = 0;
  const unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(issuer.cert.get()), nullptr, nullptr, &ok);
  EXPECT_EQ(ok, 1);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08lx.r%d", h, n);
  return buf;
}

// Signs `crl` again with `issuer` after a test changed it.
void resign(X509_CRL* crl, const Issued& issuer) {
  ASSERT_GT(X509_CRL_sign(crl, issuer.key.get(), EVP_sha256()), 0);
}

// Moves the CRL's window: thisUpdate and nextUpdate relative to now (seconds).
void set_window(X509_CRL* crl, const Issued& issuer, long this_update_s, long next_update_s) {
  ossl::Ptr<ASN1_TIME, ASN1_TIME_free> t(X509_gmtime_adj(nullptr, this_update_s));
  ossl::Ptr<ASN1_TIME, ASN1_TIME_free> n(X509_gmtime_adj(nullptr, next_update_s));
  ASSERT_TRUE(t && n);
  ASSERT_EQ(X509_CRL_set1_lastUpdate(crl, t.get()), 1);
  ASSERT_EQ(X509_CRL_set1_nextUpdate(crl, n.get()), 1);
  resign(crl, issuer);
}

std::string to_der(const X509_CRL* crl) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl, &der);
  EXPECT_GT(len, 0);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len > 0 ? len : 0));
  OPENSSL_free(der);
  return out;
}

class CrlProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = ::testing::TempDir() + "vouch-crl-" + info->name() + "-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/hashed");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Writes `text` to <dir>/<name> and returns the path.
  std::string put(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    testing::write_file(path, text);
    return path;
  }
  // Writes a CRL into the hashed directory under its issuer's hash.
  void put_hashed(const Issued& issuer, int n, const X509_CRL* crl) {
    testing::write_file(hashed_dir() + "/" + hashed_name(issuer, n), testing::to_pem(crl));
  }
  std::string hashed_dir() const { return dir_ + "/hashed"; }

  static std::shared_ptr<const RevocationProvider> make(const CrlOptions& opts) {
    auto p = crl_provider(opts);
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().to_string());
    return p.ok() ? std::move(p).value() : nullptr;
  }

  static Status run(const RevocationProvider& p, const std::vector<X509*>& chain,
                    system_clock::time_point now = system_clock::now()) {
    const PeerOcsp ocsp;
    const RevocationContext ctx{.peer_is_server = true, .chain = chain, .ocsp = ocsp, .now = now};
    return p.check(ctx);
  }

  std::string dir_;
};

TEST_F(CrlProviderTest, NameIsCrl) {
  auto p = make({});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name(), "crl");
}

TEST_F(CrlProviderTest, NotRevokedIsAccepted) {
  const Issued leaf = new_leaf("clean");
  const Issued other = new_leaf("other");
  Crl crl = testing::make_crl(fam().intermediate, {&other});
  auto p = make({.files = {put("inter.pem", testing::to_pem(crl.get()))}});
  ASSERT_TRUE(p);
  EXPECT_TRUE(run(*p, chain_of(leaf)).ok());
  // The CRL is not ignored: the other leaf is caught by it.
  EXPECT_FALSE(run(*p, chain_of(other)).ok());
}

TEST_F(CrlProviderTest, RevokedLeafFromFile) {
  const Issued leaf = new_leaf("revoked-leaf");
  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  auto p = make({.files = {put("inter.pem", testing::to_pem(crl.get()))}});
  ASSERT_TRUE(p);
  ERR_clear_error();
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_revoked, "CN=revoked-leaf");
  EXPECT_TRUE(contains(s.error().reason, "serial ")) << s.error().reason;
  EXPECT_TRUE(contains(s.error().reason, "vouch test intermediate ecdsa")) << s.error().reason;
  EXPECT_EQ(ERR_peek_error(), 0UL) << "libcrypto error queue left dirty";
}

TEST_F(CrlProviderTest, RevocationReasonIsReported) {
  const Issued leaf = new_leaf("key-compromised");
  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  // Give the entry a reasonCode (RFC 5280 §5.3.1: keyCompromise = 1).
  X509_REVOKED* entry = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl.get()), 0);
  ossl::Ptr<ASN1_ENUMERATED, ASN1_ENUMERATED_free> code(ASN1_ENUMERATED_new());
  ASSERT_TRUE(entry && code);
  ASSERT_EQ(ASN1_ENUMERATED_set(code.get(), 1), 1);
  ASSERT_EQ(X509_REVOKED_add1_ext_i2d(entry, NID_crl_reason, code.get(), 0, X509V3_ADD_DEFAULT), 1);
  resign(crl.get(), fam().intermediate);
  auto p = make({.files = {put("inter.pem", testing::to_pem(crl.get()))}});
  ASSERT_TRUE(p);
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_revoked, ", reason keyCompromise");
}

TEST_F(CrlProviderTest, DerFileIsLoaded) {
  const Issued leaf = new_leaf("der");
  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  auto p = make({.files = {put("inter.crl", to_der(crl.get()))}});
  ASSERT_TRUE(p);
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_revoked);
}

TEST_F(CrlProviderTest, PemFileWithSeveralCrls) {
  const Issued leaf = new_leaf("several");
  Crl root_crl = testing::make_crl(fam().root, {&fam().intermediate});
  Crl inter_crl = testing::make_crl(fam().intermediate, {});
  const std::string path = put("both.pem", testing::to_pem(root_crl.get()) + testing::to_pem(inter_crl.get()));
  auto p = make({.files = {path}, .check_whole_chain = true});
  ASSERT_TRUE(p);
  // Both CRLs were read: the intermediate's clears the leaf, the root's
  // revokes the intermediate.
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_revoked, "vouch test intermediate ecdsa");
}

TEST_F(CrlProviderTest, RevokedLeafFromDirectory) {
  const Issued leaf = new_leaf("dir-revoked");
  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  put_hashed(fam().intermediate, 0, crl.get());
  auto p = make({.directories = {hashed_dir()}});
  ASSERT_TRUE(p);
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_revoked);
  EXPECT_TRUE(run(*p, chain_of(new_leaf("dir-clean"))).ok());
}

TEST_F(CrlProviderTest, FileAddedToDirectoryLaterIsSeen) {
  const Issued leaf = new_leaf("late");
  auto p = make({.directories = {hashed_dir()}});
  ASSERT_TRUE(p);
  // Nothing there yet: require_crl (the default) fails for lack of a CRL.
  Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_unknown, "no CRL for");

  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  put_hashed(fam().intermediate, 0, crl.get());
  s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_revoked);
}

TEST_F(CrlProviderTest, NewerCrlAddedToDirectoryWins) {
  const Issued leaf = new_leaf("reinstated");
  // .r0 revokes the leaf (certificateHold, say); a later .r1 no longer lists it.
  Crl old_crl = testing::make_crl(fam().intermediate, {&leaf});
  set_window(old_crl.get(), fam().intermediate, -7200, 86400);
  put_hashed(fam().intermediate, 0, old_crl.get());
  auto p = make({.directories = {hashed_dir()}});
  ASSERT_TRUE(p);
  ASSERT_FALSE(run(*p, chain_of(leaf)).ok());

  Crl new_crl = testing::make_crl(fam().intermediate, {});
  set_window(new_crl.get(), fam().intermediate, -600, 86400);
  put_hashed(fam().intermediate, 1, new_crl.get());
  const Status s = run(*p, chain_of(leaf));
  EXPECT_TRUE(s.ok()) << s.error().to_string();
}

TEST_F(CrlProviderTest, ExpiredCrlFailsOnlyWhenRequired) {
  const Issued leaf = new_leaf("expired-crl");
  Crl crl = testing::make_crl(fam().intermediate, {});
  const std::string path = put("inter.pem", testing::to_pem(crl.get()));
  // make_crl's CRL is good for a day; two days on it is past nextUpdate.
  const auto later = system_clock::now() + hours(48);

  auto strict = make({.files = {path}, .require_crl = true});
  ASSERT_TRUE(strict);
  const Status s = run(*strict, chain_of(leaf), later);
  expect_rejected(s, Alert::certificate_unknown, "expired");
  EXPECT_TRUE(contains(s.error().reason, "vouch test intermediate ecdsa")) << s.error().reason;
  // The same CRL is fine at the present time.
  EXPECT_TRUE(run(*strict, chain_of(leaf)).ok());

  auto lenient = make({.files = {path}, .require_crl = false});
  ASSERT_TRUE(lenient);
  EXPECT_TRUE(run(*lenient, chain_of(leaf), later).ok());
}

TEST_F(CrlProviderTest, ExpiredCrlDoesNotRevoke) {
  // An expired CRL is no evidence either way: without require_crl a
  // certificate it lists is let through, with it the peer fails as unknown.
  const Issued leaf = new_leaf("expired-listed");
  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  const std::string path = put("inter.pem", testing::to_pem(crl.get()));
  const auto later = system_clock::now() + hours(48);
  auto lenient = make({.files = {path}, .require_crl = false});
  ASSERT_TRUE(lenient);
  EXPECT_TRUE(run(*lenient, chain_of(leaf), later).ok());
  auto strict = make({.files = {path}});
  ASSERT_TRUE(strict);
  const Status s = run(*strict, chain_of(leaf), later);
  expect_rejected(s, Alert::certificate_unknown);
}

TEST_F(CrlProviderTest, NotYetValidCrlIsUnusable) {
  const Issued leaf = new_leaf("future-crl");
  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  auto p = make({.files = {put("inter.pem", testing::to_pem(crl.get()))}});
  ASSERT_TRUE(p);
  // make_crl's thisUpdate is an hour ago: two hours ago the CRL did not exist.
  const Status s = run(*p, chain_of(leaf), system_clock::now() - hours(2));
  expect_rejected(s, Alert::certificate_unknown, "not yet valid");
}

TEST_F(CrlProviderTest, CrlSignedByAnotherKeyIsRejected) {
  const Issued leaf = new_leaf("forged");
  // The intermediate's name, someone else's key.
  Issued impostor;
  impostor.cert = ossl::up_ref(fam().intermediate.cert.get());
  impostor.key = testing::generate_key(testing::KeyType::ecdsa_p256);
  Crl forged = testing::make_crl(impostor, {&leaf});
  const std::string path = put("forged.pem", testing::to_pem(forged.get()));

  auto strict = make({.files = {path}});
  ASSERT_TRUE(strict);
  ERR_clear_error();
  const Status s = run(*strict, chain_of(leaf));
  expect_rejected(s, Alert::certificate_unknown, "bad signature");
  EXPECT_EQ(ERR_peek_error(), 0UL) << "libcrypto error queue left dirty";

  // Without require_crl the forgery is simply not evidence: no revocation.
  auto lenient = make({.files = {path}, .require_crl = false});
  ASSERT_TRUE(lenient);
  EXPECT_TRUE(run(*lenient, chain_of(leaf)).ok());

  // Next to a genuine CRL, the genuine one decides.
  Crl genuine = testing::make_crl(fam().intermediate, {});
  auto both = make({.files = {path, put("genuine.pem", testing::to_pem(genuine.get()))}});
  ASSERT_TRUE(both);
  EXPECT_TRUE(run(*both, chain_of(leaf)).ok());
}

TEST_F(CrlProviderTest, NoCrlForIssuerDependsOnRequireCrl) {
  const Issued leaf = new_leaf("no-crl");
  // A CRL of another issuer (the root) says nothing about the leaf.
  Crl root_crl = testing::make_crl(fam().root, {});
  const std::string path = put("root.pem", testing::to_pem(root_crl.get()));

  auto strict = make({.files = {path}, .require_crl = true});
  ASSERT_TRUE(strict);
  const Status s = run(*strict, chain_of(leaf));
  expect_rejected(s, Alert::certificate_unknown, "no CRL for");
  EXPECT_TRUE(contains(s.error().reason, "vouch test intermediate ecdsa")) << s.error().reason;

  auto lenient = make({.files = {path}, .require_crl = false});
  ASSERT_TRUE(lenient);
  EXPECT_TRUE(run(*lenient, chain_of(leaf)).ok());
}

TEST_F(CrlProviderTest, WholeChainCatchesRevokedIntermediate) {
  const Issued leaf = new_leaf("under-revoked-ca");
  Crl inter_crl = testing::make_crl(fam().intermediate, {});
  Crl root_crl = testing::make_crl(fam().root, {&fam().intermediate});
  const std::vector<std::string> files = {put("inter.pem", testing::to_pem(inter_crl.get())),
                                          put("root.pem", testing::to_pem(root_crl.get()))};

  auto leaf_only = make({.files = files, .check_whole_chain = false});
  ASSERT_TRUE(leaf_only);
  EXPECT_TRUE(run(*leaf_only, chain_of(leaf)).ok());

  auto whole = make({.files = files, .check_whole_chain = true});
  ASSERT_TRUE(whole);
  const Status s = run(*whole, chain_of(leaf));
  expect_rejected(s, Alert::certificate_revoked, "certificate CN=vouch test intermediate ecdsa");
  EXPECT_TRUE(contains(s.error().reason, "vouch test root ecdsa")) << s.error().reason;
}

TEST_F(CrlProviderTest, WholeChainRequiresCrlForEveryIssuer) {
  const Issued leaf = new_leaf("root-crl-missing");
  Crl inter_crl = testing::make_crl(fam().intermediate, {});
  auto p = make({.files = {put("inter.pem", testing::to_pem(inter_crl.get()))}, .check_whole_chain = true});
  ASSERT_TRUE(p);
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_unknown, "no CRL for CN=vouch test root ecdsa");
}

TEST_F(CrlProviderTest, AnchorAloneNeedsNoCrl) {
  // A chain that is only its trust anchor has nothing a CRL could revoke.
  auto p = make({.require_crl = true});
  ASSERT_TRUE(p);
  EXPECT_TRUE(run(*p, {fam().root.cert.get()}).ok());
}

TEST_F(CrlProviderTest, CaOnlyCrlDoesNotCoverLeaf) {
  // RFC 5280 §5.2.5: onlyContainsCACerts — a clean CA-only CRL says nothing
  // about end-entity certificates.
  const Issued leaf = new_leaf("ca-only-scope");
  Crl crl = testing::make_crl(fam().intermediate, {});
  ossl::Ptr<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free> idp(ISSUING_DIST_POINT_new());
  ASSERT_TRUE(idp);
  idp->onlyCA = 1;
  ASSERT_EQ(X509_CRL_add1_ext_i2d(crl.get(), NID_issuing_distribution_point, idp.get(), 1, X509V3_ADD_DEFAULT), 1);
  resign(crl.get(), fam().intermediate);
  auto p = make({.files = {put("inter.pem", testing::to_pem(crl.get()))}});
  ASSERT_TRUE(p);
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_unknown, "covers only CA certificates");
}

TEST_F(CrlProviderTest, UserOnlyCrlCoversLeaf) {
  const Issued leaf = new_leaf("user-only-scope");
  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  ossl::Ptr<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free> idp(ISSUING_DIST_POINT_new());
  ASSERT_TRUE(idp);
  idp->onlyuser = 1;
  ASSERT_EQ(X509_CRL_add1_ext_i2d(crl.get(), NID_issuing_distribution_point, idp.get(), 1, X509V3_ADD_DEFAULT), 1);
  resign(crl.get(), fam().intermediate);
  auto p = make({.files = {put("inter.pem", testing::to_pem(crl.get()))}});
  ASSERT_TRUE(p);
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_revoked);
}

// Gives the CRL an issuingDistributionPoint whose distributionPoint is the
// fullName `gn` (taken over), and signs it again.
void add_idp_distribution_point(X509_CRL* crl, GENERAL_NAME* gn, const Issued& issuer) {
  ossl::Ptr<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free> idp(ISSUING_DIST_POINT_new());
  ASSERT_TRUE(idp);
  idp->distpoint = DIST_POINT_NAME_new();
  ASSERT_TRUE(idp->distpoint);
  idp->distpoint->type = 0;  // fullName
  idp->distpoint->name.fullname = GENERAL_NAMES_new();
  ASSERT_TRUE(idp->distpoint->name.fullname);
  ASSERT_GT(sk_GENERAL_NAME_push(idp->distpoint->name.fullname, gn), 0);
  ASSERT_EQ(X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp.get(), 1, X509V3_ADD_DEFAULT), 1);
  resign(crl, issuer);
}

TEST_F(CrlProviderTest, PartitionedCrlForAnotherDistributionPointIsOutOfScope) {
  // RFC 5280 §6.3.3 (b)(2)(i): the test leaves carry no cRLDistributionPoints,
  // so only a CRL whose distribution point is the issuer's name covers them.
  const Issued leaf = new_leaf("partition");
  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  GENERAL_NAME* uri = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  ASSERT_TRUE(uri && text);
  ASSERT_EQ(ASN1_STRING_set(text, "http://crl.example/part1.crl", -1), 1);
  GENERAL_NAME_set0_value(uri, GEN_URI, text);
  add_idp_distribution_point(crl.get(), uri, fam().intermediate);
  auto p = make({.files = {put("part.pem", testing::to_pem(crl.get()))}});
  ASSERT_TRUE(p);
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_unknown, "distribution point");
}

TEST_F(CrlProviderTest, CrlForTheIssuersNameCoversCertificateWithoutDistributionPoints) {
  const Issued leaf = new_leaf("issuer-dp");
  Crl crl = testing::make_crl(fam().intermediate, {&leaf});
  GENERAL_NAME* dirname = GENERAL_NAME_new();
  X509_NAME* name = X509_NAME_dup(X509_get_subject_name(fam().intermediate.cert.get()));
  ASSERT_TRUE(dirname && name);
  GENERAL_NAME_set0_value(dirname, GEN_DIRNAME, name);
  add_idp_distribution_point(crl.get(), dirname, fam().intermediate);
  auto p = make({.files = {put("issuer-dp.pem", testing::to_pem(crl.get()))}});
  ASSERT_TRUE(p);
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_revoked);
}

TEST_F(CrlProviderTest, DeltaCrlIsNotACompleteCrl) {
  const Issued leaf = new_leaf("delta");
  Crl crl = testing::make_crl(fam().intermediate, {});
  ossl::Ptr<ASN1_INTEGER, ASN1_INTEGER_free> base(ASN1_INTEGER_new());
  ASSERT_TRUE(base);
  ASSERT_EQ(ASN1_INTEGER_set(base.get(), 1), 1);
  ASSERT_EQ(X509_CRL_add1_ext_i2d(crl.get(), NID_delta_crl, base.get(), 1, X509V3_ADD_DEFAULT), 1);
  resign(crl.get(), fam().intermediate);
  auto p = make({.files = {put("delta.pem", testing::to_pem(crl.get()))}});
  ASSERT_TRUE(p);
  const Status s = run(*p, chain_of(leaf));
  expect_rejected(s, Alert::certificate_unknown, "delta CRL");
}

TEST_F(CrlProviderTest, CreationErrors) {
  ERR_clear_error();
  auto missing = crl_provider({.files = {dir_ + "/absent.pem"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(contains(missing.error().reason, "absent.pem")) << missing.error().reason;

  // A file of certificates holds no CRL.
  auto certs = crl_provider({.files = {fam().root.cert_path}});
  ASSERT_FALSE(certs.ok());
  EXPECT_TRUE(contains(certs.error().reason, "no CRL")) << certs.error().reason;

  auto empty = crl_provider({.files = {put("empty.pem", "")}});
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(contains(empty.error().reason, "no CRL")) << empty.error().reason;

  auto garbage = crl_provider({.files = {put("garbage.der", std::string("\x30\x03\x02\x01\x01", 5))}});
  ASSERT_FALSE(garbage.ok());
  EXPECT_TRUE(contains(garbage.error().reason, "no CRL")) << garbage.error().reason;

  // A CRL block whose body does not decode is an error, not skipped.
  const std::string bad_block = "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
  auto broken = crl_provider({.files = {put("broken.pem", bad_block)}});
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(contains(broken.error().reason, "cannot be decoded")) << broken.error().reason;

  Crl crl = testing::make_crl(fam().intermediate, {});
  auto trailing = crl_provider({.files = {put("trailing.der", to_der(crl.get()) + "x")}});
  ASSERT_FALSE(trailing.ok());
  EXPECT_TRUE(contains(trailing.error().reason, "trailing")) << trailing.error().reason;

  auto no_dir = crl_provider({.directories = {dir_ + "/no-such-dir"}});
  ASSERT_FALSE(no_dir.ok());
  EXPECT_TRUE(contains(no_dir.error().reason, "does not exist")) << no_dir.error().reason;

  auto not_dir = crl_provider({.directories = {put("plain-file", "x")}});
  ASSERT_FALSE(not_dir.ok());
  EXPECT_TRUE(contains(not_dir.error().reason, "not a directory")) << not_dir.error().reason;

  EXPECT_EQ(ERR_peek_error(), 0UL) << "libcrypto error queue left dirty";
}

TEST_F(CrlProviderTest, ConcurrentChecksOnOneProvider) {
  const Issued revoked = new_leaf("concurrent-revoked");
  const Issued clean = new_leaf("concurrent-clean");
  // The intermediate's CRL through the directory store, the root's from a
  // file: every check exercises both paths.
  Crl inter_crl = testing::make_crl(fam().intermediate, {&revoked});
  put_hashed(fam().intermediate, 0, inter_crl.get());
  Crl root_crl = testing::make_crl(fam().root, {});
  auto p = make({.files = {put("root.pem", testing::to_pem(root_crl.get()))},
                 .directories = {hashed_dir()},
                 .check_whole_chain = true});
  ASSERT_TRUE(p);

  constexpr int kThreads = 4;
  constexpr int kIterations = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::vector<X509*> bad = chain_of(revoked);
      const std::vector<X509*> good = chain_of(clean);
      for (int i = 0; i < kIterations; ++i) {
        const bool want_revoked = (i + t) % 2 == 0;
        const Status s = run(*p, want_revoked ? bad : good);
        const bool as_expected =
            want_revoked ? (!s.ok() && s.error().alert == Alert::certificate_revoked) : s.ok();
        if (!as_expected) wrong.fetch_add(1);
        if (ERR_peek_error() != 0) wrong.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace vouch
