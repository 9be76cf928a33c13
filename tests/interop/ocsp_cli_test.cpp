// `vouch ocsp fetch|check|inspect` (tools/vouch/cmd_ocsp.cpp) as a user runs
// them: the built vouch binary against the in-process test OCSP responder
// (tests/tools/ocsp_responder.h) on 127.0.0.1, issued by the test PKI's
// ECDSA intermediate. Exit codes: 0 only for a verified good status, 1 for
// revoked/unknown and failures, 2 for bad arguments.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "ocsp/ocsp.h"
#include "ocsp/ocsp_time.h"
#include "interop/interop.h"
#include "tools/ocsp_responder.h"

namespace vouch::interop {
namespace {

using std::chrono::hours;
using std::chrono::system_clock;
using testing::OcspBehavior;
using testing::OcspResponder;
using testing::test_pki;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

ChildProcess run_vouch(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {vouch_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess c = ChildProcess::spawn(argv);
  c.wait(kRunTimeout);
  return c;
}

// Exited (not killed, not timed out) with `code`.
bool exited_with(ChildProcess& c, int code) {
  const testing::ExitStatus st = c.wait(kRunTimeout);
  return st.exited && st.code == code;
}

// The certificate's serial in lower-case hex, as `ocsp inspect` prints it.
std::string serial_hex(X509* cert) {
  ossl::Ptr<BIGNUM, BN_free> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  if (hex == nullptr) return "<no serial>";
  std::string out(hex);
  OPENSSL_free(hex);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return out;
}

class OcspCli : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = OcspResponder::create(issuer(), f().intermediate.key.get());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    responder = std::move(*r);
    auto s = responder->start();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
  }

  static const testing::PkiFamily& f() { return test_pki().ecdsa(); }
  static X509* issuer() { return f().intermediate.cert.get(); }
  // The server certificate then the intermediate: --issuer is implied.
  static std::string chain() { return f().server.chain_path; }

  void set_mode(const std::string& name) {
    std::optional<OcspBehavior> b = testing::ocsp_behavior_named(name);
    ASSERT_TRUE(b.has_value()) << name;
    responder->set_behavior(*b);
  }

  ChildProcess fetch(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"ocsp", "fetch", "--cert", chain(), "--url", responder->url()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_vouch(args);
  }

  // A good response fetched by the tool into dir/name.
  std::string fetch_good(const std::string& name = "good.der") {
    const std::string out = dir.file(name);
    ChildProcess c = fetch({"--out", out});
    EXPECT_TRUE(exited_with(c, 0)) << c.transcript();
    EXPECT_TRUE(file_exists(out)) << c.transcript();
    return out;
  }

  // A response built directly by the responder's builder (for statuses the
  // tool never saves), written to dir/name.
  std::string write_response(const OcspBehavior& b, const std::string& name) {
    auto req = make_ocsp_request(f().server.cert.get(), issuer(), false, nullptr);
    EXPECT_TRUE(req.ok());
    auto der = testing::build_ocsp_response(responder->signers(), b, req.ok() ? *req : Bytes());
    EXPECT_TRUE(der.ok()) << der.error().to_string();
    const std::string path = dir.file(name);
    testing::write_file(path, der.ok() ? ByteView(*der) : ByteView());
    return path;
  }

  std::unique_ptr<OcspResponder> responder;
  testing::TempDir dir;
};

// --- fetch -----------------------------------------------------------------------

TEST_F(OcspCli, FetchGoodWritesTheResponse) {
  const std::string out = dir.file("good.der");
  ChildProcess c = fetch({"--out", out});
  ASSERT_TRUE(exited_with(c, 0)) << c.transcript();
  EXPECT_EQ(c.out().rfind("ocsp: good (", 0), 0u) << c.out();
  EXPECT_TRUE(contains(c.out(), "\nurl: " + responder->url() + "\n")) << c.out();
  EXPECT_EQ(c.err(), "");
  EXPECT_EQ(responder->requests(), 1u);
  // What was written is the response, and it verifies.
  const std::string der = testing::read_text_file(out);
  ASSERT_FALSE(der.empty());
  auto status = verify_ocsp_response(ByteView(reinterpret_cast<const uint8_t*>(der.data()), der.size()),
                                     f().server.cert.get(), issuer(), {}, {});
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_EQ(status->status, OcspCertStatus::good);
  EXPECT_FALSE(file_exists(out + ".tmp"));
}

// Without --url, the responder named in the certificate's authorityInfoAccess.
TEST_F(OcspCli, FetchUsesTheCertificatesResponderUrl) {
  testing::CertSpec spec;
  spec.cn = "ocsp-aia";
  spec.dns = {"localhost"};
  spec.ocsp_url = responder->url();
  const testing::Issued leaf = testing::issue(spec, f().intermediate);
  const std::string path = dir.file("aia-chain.pem");
  testing::write_file(path, leaf.cert_pem + f().intermediate.cert_pem);

  ChildProcess c = run_vouch({"ocsp", "fetch", "--cert", path});
  ASSERT_TRUE(exited_with(c, 0)) << c.transcript();
  EXPECT_EQ(c.out().rfind("ocsp: good (", 0), 0u) << c.out();
  EXPECT_TRUE(contains(c.out(), "url: " + responder->url())) << c.out();
  EXPECT_EQ(responder->requests(), 1u);
}

TEST_F(OcspCli, FetchWithoutAnyUrlFails) {
  ChildProcess c = run_vouch({"ocsp", "fetch", "--cert", chain()});
  ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
  EXPECT_EQ(c.err().rfind("vouch ocsp: error: ", 0), 0u) << c.err();
  EXPECT_TRUE(contains(c.err(), "--url")) << c.err();
  EXPECT_EQ(responder->requests(), 0u);
}

TEST_F(OcspCli, FetchRevokedExitsOneAndWritesNothing) {
  set_mode("revoked");
  const std::string out = dir.file("revoked.der");
  ChildProcess c = fetch({"--out", out});
  ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
  EXPECT_EQ(c.out().rfind("ocsp: revoked (", 0), 0u) << c.out();
  EXPECT_TRUE(contains(c.out(), "keyCompromise")) << c.out();
  EXPECT_EQ(c.err().rfind("vouch ocsp: error: ", 0), 0u) << c.err();
  EXPECT_TRUE(contains(c.err(), "revoked")) << c.err();
  EXPECT_FALSE(file_exists(out));
}

TEST_F(OcspCli, FetchUnknownExitsOne) {
  set_mode("unknown");
  const std::string out = dir.file("unknown.der");
  ChildProcess c = fetch({"--out", out});
  ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
  EXPECT_EQ(c.out().rfind("ocsp: unknown (", 0), 0u) << c.out();
  EXPECT_FALSE(file_exists(out));
}

// A good status in a response that does not verify is a failure, not a status.
TEST_F(OcspCli, FetchUnverifiableResponseFails) {
  for (const char* mode : {"wrong-signer", "expired", "garbage", "try-later"}) {
    SCOPED_TRACE(mode);
    set_mode(mode);
    const std::string out = dir.file(std::string(mode) + ".der");
    ChildProcess c = fetch({"--out", out});
    ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
    EXPECT_EQ(c.out(), "");
    EXPECT_EQ(c.err().rfind("vouch ocsp: error: ", 0), 0u) << c.err();
    EXPECT_TRUE(contains(c.err(), responder->url())) << c.err();
    EXPECT_EQ(nonempty_lines(c.err()).size(), 1u) << c.err();
    EXPECT_FALSE(file_exists(out));
  }
}

TEST_F(OcspCli, FetchFromADownResponderNamesTheUrl) {
  set_mode("down");
  const std::string out = dir.file("down.der");
  ChildProcess c = fetch({"--out", out});
  ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
  EXPECT_EQ(c.out(), "");
  EXPECT_EQ(c.err().rfind("vouch ocsp: error: ", 0), 0u) << c.err();
  EXPECT_TRUE(contains(c.err(), responder->url())) << c.err();
  EXPECT_TRUE(contains(c.err(), "cannot connect")) << c.err();
  EXPECT_FALSE(file_exists(out));
}

TEST_F(OcspCli, FetchFromAHungResponderTimesOut) {
  set_mode("hang");
  const auto start = std::chrono::steady_clock::now();
  ChildProcess c = fetch({"--timeout", "1"});
  ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(contains(c.err(), responder->url())) << c.err();
}

TEST_F(OcspCli, FetchWithNonce) {
  ChildProcess good = fetch({"--nonce"});
  ASSERT_TRUE(exited_with(good, 0)) << good.transcript();
  // RFC 6960 §4.4.1: the request carried a nonce.
  EXPECT_GT(responder->last_request().size(), kOcspNonceBytes);

  set_mode("no-nonce");
  ChildProcess missing = fetch({"--nonce"});
  ASSERT_TRUE(exited_with(missing, 1)) << missing.transcript();
  EXPECT_TRUE(contains(missing.err(), "nonce")) << missing.err();
  // Without --nonce, a response without one is fine.
  ChildProcess plain = fetch({});
  EXPECT_TRUE(exited_with(plain, 0)) << plain.transcript();
}

TEST_F(OcspCli, IssuerIsNeededForALoneCertificate) {
  ChildProcess lone =
      run_vouch({"ocsp", "fetch", "--cert", f().server.cert_path, "--url", responder->url()});
  ASSERT_TRUE(exited_with(lone, 1)) << lone.transcript();
  EXPECT_EQ(lone.err().rfind("vouch ocsp: error: ", 0), 0u) << lone.err();
  EXPECT_TRUE(contains(lone.err(), "--issuer is needed")) << lone.err();
  EXPECT_EQ(responder->requests(), 0u);

  ChildProcess with_issuer = run_vouch({"ocsp", "fetch", "--cert", f().server.cert_path, "--issuer",
                                        f().intermediate.cert_path, "--url", responder->url()});
  EXPECT_TRUE(exited_with(with_issuer, 0)) << with_issuer.transcript();
}

TEST_F(OcspCli, BadArguments) {
  ChildProcess timeout = fetch({"--timeout", "0"});
  EXPECT_TRUE(exited_with(timeout, 2)) << timeout.transcript();
  EXPECT_TRUE(contains(timeout.err(), "--timeout")) << timeout.err();

  ChildProcess no_cert = run_vouch({"ocsp", "fetch", "--url", responder->url()});
  EXPECT_TRUE(exited_with(no_cert, 2)) << no_cert.transcript();
  EXPECT_TRUE(contains(no_cert.err(), "--cert")) << no_cert.err();

  ChildProcess no_sub = run_vouch({"ocsp"});
  EXPECT_TRUE(exited_with(no_sub, 2)) << no_sub.transcript();

  ChildProcess missing_file = run_vouch({"ocsp", "fetch", "--cert", dir.file("nope.pem"), "--url",
                                         responder->url()});
  EXPECT_TRUE(exited_with(missing_file, 1)) << missing_file.transcript();
  EXPECT_TRUE(contains(missing_file.err(), dir.file("nope.pem"))) << missing_file.err();
}

// --- check -----------------------------------------------------------------------

TEST_F(OcspCli, CheckSavedResponse) {
  const std::string saved = fetch_good();
  ChildProcess c = run_vouch({"ocsp", "check", "--cert", chain(), "--response", saved});
  ASSERT_TRUE(exited_with(c, 0)) << c.transcript();
  EXPECT_EQ(c.out().rfind("ocsp: good (", 0), 0u) << c.out();
  EXPECT_EQ(c.err(), "");

  // --at within the response's window is good too.
  ChildProcess later = run_vouch({"ocsp", "check", "--cert", chain(), "--response", saved, "--at",
                                  iso8601(system_clock::now() + hours(1))});
  EXPECT_TRUE(exited_with(later, 0)) << later.transcript();
}

TEST_F(OcspCli, CheckAfterNextUpdateIsExpired) {
  const std::string saved = fetch_good();
  // The responder's nextUpdate is a day after now.
  ChildProcess c = run_vouch({"ocsp", "check", "--cert", chain(), "--response", saved, "--at",
                              iso8601(system_clock::now() + hours(48))});
  ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
  EXPECT_EQ(c.out(), "");
  EXPECT_EQ(c.err().rfind("vouch ocsp: error: ", 0), 0u) << c.err();
  EXPECT_TRUE(contains(c.err(), "expired")) << c.err();
  EXPECT_TRUE(contains(c.err(), saved)) << c.err();

  ChildProcess before = run_vouch({"ocsp", "check", "--cert", chain(), "--response", saved, "--at",
                                   iso8601(system_clock::now() - hours(48))});
  ASSERT_TRUE(exited_with(before, 1)) << before.transcript();
  EXPECT_TRUE(contains(before.err(), "not yet valid")) << before.err();
}

TEST_F(OcspCli, CheckRevokedResponse) {
  OcspBehavior b;
  b.status = OcspCertStatus::revoked;
  const std::string path = write_response(b, "revoked.der");
  ChildProcess c = run_vouch({"ocsp", "check", "--cert", chain(), "--response", path});
  ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
  EXPECT_EQ(c.out().rfind("ocsp: revoked (", 0), 0u) << c.out();
  EXPECT_TRUE(contains(c.err(), "revoked")) << c.err();
}

TEST_F(OcspCli, CheckResponseForAnotherCertificateFails) {
  const std::string saved = fetch_good();
  ChildProcess c = run_vouch({"ocsp", "check", "--cert", f().client.chain_path, "--response", saved});
  ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
  EXPECT_EQ(c.out(), "");
  EXPECT_TRUE(contains(c.err(), "no status for the certificate")) << c.err();
}

TEST_F(OcspCli, CheckBadAt) {
  const std::string saved = fetch_good();
  for (const char* at : {"tomorrow", "2026-11-24 10:00:00Z", "2026-11-24T10:00:00", "2026-02-30T10:00:00Z",
                         "2026-11-24T24:00:00Z", "+026-11-24T10:00:00Z"}) {
    SCOPED_TRACE(at);
    ChildProcess c = run_vouch({"ocsp", "check", "--cert", chain(), "--response", saved, "--at", at});
    EXPECT_TRUE(exited_with(c, 2)) << c.transcript();
    EXPECT_TRUE(contains(c.err(), "--at")) << c.err();
  }
}

// --- inspect -----------------------------------------------------------------------

TEST_F(OcspCli, InspectSavedResponse) {
  const std::string saved = fetch_good();
  ChildProcess c = run_vouch({"ocsp", "inspect", "--response", saved});
  ASSERT_TRUE(exited_with(c, 0)) << c.transcript();
  const std::string& out = c.out();
  EXPECT_TRUE(contains(out, "response status: successful (0)\n")) << out;
  EXPECT_TRUE(contains(out, "serial: " + serial_hex(f().server.cert.get()) + "\n")) << out;
  EXPECT_TRUE(contains(out, "cert status: good\n")) << out;
  EXPECT_TRUE(contains(out, "produced at: ")) << out;
  EXPECT_TRUE(contains(out, "next update: ")) << out;
  EXPECT_FALSE(contains(out, "verified")) << out;
  EXPECT_EQ(c.err(), "");

  ChildProcess v = run_vouch({"ocsp", "inspect", "--response", saved, "--cert", chain()});
  ASSERT_TRUE(exited_with(v, 0)) << v.transcript();
  EXPECT_TRUE(contains(v.out(), "\nverified: good (")) << v.out();
}

TEST_F(OcspCli, InspectShowsARevokedResponseAndItsVerification) {
  OcspBehavior b;
  b.status = OcspCertStatus::revoked;
  const std::string path = write_response(b, "revoked.der");
  ChildProcess c = run_vouch({"ocsp", "inspect", "--response", path});
  ASSERT_TRUE(exited_with(c, 0)) << c.transcript();
  EXPECT_TRUE(contains(c.out(), "cert status: revoked\n")) << c.out();
  EXPECT_TRUE(contains(c.out(), "revocation reason: keyCompromise (1)\n")) << c.out();

  ChildProcess v = run_vouch({"ocsp", "inspect", "--response", path, "--cert", f().server.cert_path,
                              "--issuer", f().intermediate.cert_path});
  ASSERT_TRUE(exited_with(v, 1)) << v.transcript();
  EXPECT_TRUE(contains(v.out(), "\nverified: revoked (")) << v.out();
}

TEST_F(OcspCli, InspectReportsFailedVerification) {
  const std::string saved = fetch_good();
  ChildProcess c = run_vouch({"ocsp", "inspect", "--response", saved, "--cert", f().client.chain_path});
  ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
  EXPECT_TRUE(contains(c.out(), "cert status: good\n")) << c.out();
  EXPECT_TRUE(contains(c.out(), "\nverification failed: ")) << c.out();
}

TEST_F(OcspCli, InspectNotSuccessfulResponse) {
  OcspBehavior b;
  b.mode = testing::OcspResponderMode::error_status;
  const std::string path = write_response(b, "trylater.der");
  ChildProcess c = run_vouch({"ocsp", "inspect", "--response", path});
  ASSERT_TRUE(exited_with(c, 0)) << c.transcript();
  EXPECT_EQ(c.out(), "response status: trylater (3)\n");
}

TEST_F(OcspCli, InspectMalformedFilesFail) {
  const std::string saved = fetch_good();
  const std::string good = testing::read_text_file(saved);
  ASSERT_GT(good.size(), 10u);
  const struct {
    const char* name;
    std::string content;
    const char* message;
  } cases[] = {
      {"garbage", "this is not DER\n", "cannot be parsed"},
      {"empty", "", "empty"},
      {"truncated", good.substr(0, good.size() / 2), "cannot be parsed"},
      {"oversized", std::string(kMaxOcspResponseBytes + 1, '\x30'), "larger than"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    const std::string path = dir.file(std::string(k.name) + ".der");
    testing::write_file(path, k.content);
    ChildProcess c = run_vouch({"ocsp", "inspect", "--response", path});
    ASSERT_TRUE(exited_with(c, 1)) << c.transcript();
    EXPECT_EQ(c.out(), "");
    EXPECT_EQ(c.err().rfind("vouch ocsp: error: ", 0), 0u) << c.err();
    EXPECT_TRUE(contains(c.err(), k.message)) << c.err();
    EXPECT_TRUE(contains(c.err(), path)) << c.err();
    EXPECT_EQ(nonempty_lines(c.err()).size(), 1u) << c.err();
  }

  ChildProcess missing = run_vouch({"ocsp", "inspect", "--response", dir.file("missing.der")});
  EXPECT_TRUE(exited_with(missing, 1)) << missing.transcript();
  EXPECT_TRUE(contains(missing.err(), dir.file("missing.der"))) << missing.err();

  // --issuer without --cert is a usage error.
  ChildProcess issuer_only =
      run_vouch({"ocsp", "inspect", "--response", saved, "--issuer", f().intermediate.cert_path});
  EXPECT_TRUE(exited_with(issuer_only, 2)) << issuer_only.transcript();
}

}  // namespace
}  // namespace vouch::interop
