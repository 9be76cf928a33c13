// OCSP stapling in TLS 1.3 in memory (RFC 8446 §4.4.2.1, RFC 6066 §8,
// RFC 7633): where staples come from on the server (credential, hook,
// credential source), what the client does with them under each policy,
// client staples asked for by the server, sessions and revocation providers.
#include <gtest/gtest.h>

#include <thread>

#include "support/loopback.h"
#include "support/pki.h"
#include "support/staples.h"
#include "tools/ocsp_staple.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::client_config_for;
using testing::OcspBehavior;
using testing::pump_handshake;
using testing::send_and_receive;
using testing::server_config_for;
using testing::test_pki;
using testing::intermediate_staple;
using testing::leaf_staple;
using testing::staple;
using testing::stapled;
using testing::with_status;

const testing::PkiFamily& f() { return test_pki().ecdsa(); }

std::string err(const Connection& c) { return c.error() ? c.error()->to_string() : "no error"; }


std::shared_ptr<ServerConfig> stapling_server(std::vector<Bytes> staples) {
  auto sc = server_config_for("ecdsa");
  sc->credentials[0] = stapled(sc->credentials[0], std::move(staples));
  return sc;
}
// A server that staples whatever the hook gives, unchecked (for bad staples).
std::shared_ptr<ServerConfig> hook_server(Bytes leaf) {
  auto sc = server_config_for("ecdsa");
  sc->ocsp_staple_hook = [leaf](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
    return std::vector<Bytes>{leaf};
  };
  return sc;
}
std::shared_ptr<ClientConfig> client(OcspPolicy p = OcspPolicy::soft) {
  auto cc = client_config_for("ecdsa");
  cc->ocsp_policy = p;
  return cc;
}

struct Pair {
  std::unique_ptr<Connection> client, server;
  bool ok = false;
};
Pair run(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
         std::shared_ptr<const Session> session = nullptr) {
  Pair p;
  p.client = Connection::client(std::move(cc), "localhost", std::move(session));
  p.server = Connection::server(std::move(sc));
  p.ok = pump_handshake(*p.client, *p.server);
  return p;
}

// ---- the server's staple reaches the client ---------------------------------

TEST(OcspStaple13, GoodStapleIsVerifiedAndReported) {
  Pair p = run(client(), stapling_server({leaf_staple()}));
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  const PeerOcsp& o = p.client->peer_ocsp();
  EXPECT_TRUE(o.requested);
  EXPECT_FALSE(o.must_staple);
  EXPECT_FALSE(o.from_session);
  ASSERT_EQ(o.staples.size(), 2u);
  ASSERT_TRUE(o.leaf()->present);
  ASSERT_TRUE(o.leaf()->status) << o.leaf()->problem;
  EXPECT_EQ(o.leaf()->status->status, OcspCertStatus::good);
  EXPECT_TRUE(o.leaf()->status->next_update.has_value());
  EXPECT_FALSE(o.staples[1].present);
  EXPECT_NE(o.summary().find("good (produced"), std::string::npos) << o.summary();
  EXPECT_EQ(send_and_receive(*p.client, *p.server, "hello"), "hello");
}

TEST(OcspStaple13, IntermediateStapleIsVerifiedToo) {
  Pair p = run(client(OcspPolicy::require), stapling_server({leaf_staple(), intermediate_staple()}));
  ASSERT_TRUE(p.ok) << err(*p.client);
  const PeerOcsp& o = p.client->peer_ocsp();
  ASSERT_EQ(o.staples.size(), 2u);
  for (const StapleReport& r : o.staples) {
    ASSERT_TRUE(r.status) << r.position << ": " << r.problem;
    EXPECT_EQ(r.status->status, OcspCertStatus::good);
  }
}

TEST(OcspStaple13, RevokedIntermediateStapleIsCertificateRevoked) {
  Pair p = run(client(), stapling_server({leaf_staple(), intermediate_staple(with_status(OcspCertStatus::revoked))}));
  EXPECT_FALSE(p.ok);
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->alert, Alert::certificate_revoked) << err(*p.client);
  EXPECT_NE(p.client->error()->reason.find("chain certificate 1"), std::string::npos) << err(*p.client);
}

TEST(OcspStaple13, NotRequestedMeansNotStapled) {
  auto cc = client();
  cc->request_ocsp_status = false;
  Pair p = run(cc, stapling_server({leaf_staple()}));
  ASSERT_TRUE(p.ok) << err(*p.client);
  EXPECT_FALSE(p.client->peer_ocsp().requested);
  ASSERT_TRUE(p.client->peer_ocsp().leaf());
  EXPECT_FALSE(p.client->peer_ocsp().leaf()->present);
  EXPECT_EQ(p.client->peer_ocsp().summary(), "not requested");
}

TEST(OcspStaple13, IgnorePolicyDoesNotAsk) {
  Pair p = run(client(OcspPolicy::ignore), stapling_server({leaf_staple(with_status(OcspCertStatus::revoked))}));
  ASSERT_TRUE(p.ok) << err(*p.client);
  EXPECT_FALSE(p.client->peer_ocsp().requested);
  EXPECT_FALSE(p.client->peer_ocsp().leaf()->present);
}

TEST(OcspStaple13, AbsenceIsAcceptedUnderSoftAndRejectedUnderRequire) {
  Pair soft = run(client(OcspPolicy::soft), server_config_for("ecdsa"));
  ASSERT_TRUE(soft.ok) << err(*soft.client);
  EXPECT_TRUE(soft.client->peer_ocsp().requested);
  EXPECT_FALSE(soft.client->peer_ocsp().leaf()->present);
  EXPECT_EQ(soft.client->peer_ocsp().summary(), "none (not stapled)");

  Pair req = run(client(OcspPolicy::require), server_config_for("ecdsa"));
  EXPECT_FALSE(req.ok);
  ASSERT_TRUE(req.client->error());
  EXPECT_EQ(req.client->error()->alert, Alert::bad_certificate_status_response);
  EXPECT_NE(req.client->error()->reason.find("no OCSP staple"), std::string::npos) << err(*req.client);
  // The server learns why from the alert.
  ASSERT_TRUE(req.server->error());
  EXPECT_EQ(req.server->error()->alert, Alert::bad_certificate_status_response);
  EXPECT_TRUE(req.server->error()->from_peer);
}

struct BadStaple {
  const char* name;
  Bytes (*make)();
  const char* reason;  // part of the client's error
};
void PrintTo(const BadStaple& b, std::ostream* os) { *os << b.name; }

class OcspBadStaple13 : public ::testing::TestWithParam<BadStaple> {};

// Whatever the policy (soft or require), a staple that is present but
// unusable rejects the server; under ignore nothing is requested.
TEST_P(OcspBadStaple13, RejectedUnderSoftAndRequire) {
  for (OcspPolicy policy : {OcspPolicy::soft, OcspPolicy::require}) {
    Pair p = run(client(policy), hook_server(GetParam().make()));
    EXPECT_FALSE(p.ok) << to_string(policy);
    ASSERT_TRUE(p.client->error());
    EXPECT_EQ(p.client->error()->alert, Alert::bad_certificate_status_response) << err(*p.client) << " server: " << err(*p.server);
    EXPECT_NE(p.client->error()->reason.find(GetParam().reason), std::string::npos) << err(*p.client);
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, OcspBadStaple13,
    ::testing::Values(
        BadStaple{"expired",
                  [] {
                    OcspBehavior b;
                    b.this_update_offset = -hours(48);
                    b.next_update_offset = -hours(24);
                    return leaf_staple(b);
                  },
                  "expired"},
        BadStaple{"future",
                  [] {
                    OcspBehavior b;
                    b.this_update_offset = hours(2);
                    return leaf_staple(b);
                  },
                  "not yet valid"},
        BadStaple{"wrong_signer",
                  [] {
                    OcspBehavior b;
                    b.signer = testing::OcspSignerChoice::unrelated;
                    return leaf_staple(b);
                  },
                  "invalid"},
        BadStaple{"other_certificate",
                  [] {
                    OcspBehavior b;
                    b.wrong_serial = true;
                    return leaf_staple(b);
                  },
                  "no status for the certificate"},
        BadStaple{"unknown", [] { return leaf_staple(with_status(OcspCertStatus::unknown)); }, "says unknown"},
        BadStaple{"garbage", [] { return Bytes{0x30, 0x03, 0x0a, 0x01, 0x00}; }, "invalid"},
        BadStaple{"truncated",
                  [] {
                    Bytes b = leaf_staple();
                    b.resize(b.size() / 2);
                    return b;
                  },
                  "cannot be parsed"},
        BadStaple{"trailing_bytes",
                  [] {
                    Bytes b = leaf_staple();
                    b.push_back(0);
                    return b;
                  },
                  "after the OCSPResponse"},
        BadStaple{"try_later",
                  [] {
                    OcspBehavior b;
                    b.mode = testing::OcspResponderMode::error_status;
                    return leaf_staple(b);
                  },
                  "not successful"},
        BadStaple{"no_next_update",
                  [] {
                    OcspBehavior b;
                    b.next_update_offset.reset();
                    return leaf_staple(b);
                  },
                  "no nextUpdate"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(OcspStaple13, OversizedStapleFailsTheServerClearly) {
  // A TLS 1.3 extension body is at most 2^16-1 bytes (RFC 8446 §4.2), so an
  // oversized response cannot even be sent; the server says so.
  Pair p = run(client(), hook_server(Bytes(kMaxOcspResponseBytes + 1, 0x30)));
  EXPECT_FALSE(p.ok);
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->alert, Alert::internal_error);
  EXPECT_NE(p.server->error()->reason.find("holds at most"), std::string::npos) << err(*p.server);
}

TEST(OcspStaple13, RevokedLeafIsCertificateRevoked) {
  Pair p = run(client(), hook_server(leaf_staple(with_status(OcspCertStatus::revoked))));
  EXPECT_FALSE(p.ok);
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->alert, Alert::certificate_revoked);
  EXPECT_NE(p.client->error()->reason.find("revoked"), std::string::npos);
}

TEST(OcspStaple13, ReportPolicyVerifiesButNeverRejects) {
  const Bytes revoked = leaf_staple(with_status(OcspCertStatus::revoked));
  Pair p = run(client(OcspPolicy::report), hook_server(revoked));
  ASSERT_TRUE(p.ok) << err(*p.client);
  const PeerOcsp& o = p.client->peer_ocsp();
  EXPECT_TRUE(o.requested);
  ASSERT_TRUE(o.leaf()->status) << o.leaf()->problem;
  EXPECT_EQ(o.leaf()->status->status, OcspCertStatus::revoked);
  EXPECT_EQ(o.leaf()->response, revoked);  // the bytes as received, for the application
  // Nor for garbage, nor for absence: report leaves decisions to providers.
  Pair garbage = run(client(OcspPolicy::report), hook_server(Bytes{1, 2, 3}));
  ASSERT_TRUE(garbage.ok) << err(*garbage.client);
  EXPECT_FALSE(garbage.client->peer_ocsp().leaf()->problem.empty());
  Pair none = run(client(OcspPolicy::report), server_config_for("ecdsa"));
  ASSERT_TRUE(none.ok);
  EXPECT_TRUE(none.client->peer_ocsp().leaf()->response.empty());
}

TEST(OcspStaple13, WithoutVerificationStaplesAreStillReported) {
  auto cc = client();
  cc->verify_peer = false;
  Pair p = run(cc, hook_server(leaf_staple(with_status(OcspCertStatus::revoked))));
  ASSERT_TRUE(p.ok) << err(*p.client);
  ASSERT_TRUE(p.client->peer_ocsp().leaf()->status) << p.client->peer_ocsp().leaf()->problem;
  EXPECT_EQ(p.client->peer_ocsp().leaf()->status->status, OcspCertStatus::revoked);
}

TEST(OcspStaple13, WithoutVerificationProvidersStillRun) {
  class Rejecting final : public RevocationProvider {
   public:
    std::string name() const override { return "app"; }
    Status check(const RevocationContext& ctx) const override {
      if (ctx.ocsp.leaf() && !ctx.ocsp.leaf()->response.empty()) return fail(Alert::bad_certificate_status_response, "no");
      return {};
    }
  };
  auto cc = client();
  cc->verify_peer = false;
  cc->revocation_providers = {std::make_shared<Rejecting>()};
  Pair p = run(cc, hook_server(leaf_staple()));
  EXPECT_FALSE(p.ok);
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->reason, "app: no");
}

// ---- must-staple (RFC 7633) ---------------------------------------------------

struct MustStaple {
  testing::Issued leaf;
  Credential credential;
};
const MustStaple& must_staple() {
  static const MustStaple m = [] {
    testing::CertSpec spec;
    spec.cn = "localhost";
    spec.dns = {"localhost"};
    spec.eku = testing::CertSpec::Eku::server;
    spec.must_staple = true;
    testing::Issued leaf = testing::issue(spec, f().intermediate);
    Credential c = testing::credential_from(leaf, {&f().intermediate});
    return MustStaple{std::move(leaf), c};
  }();
  return m;
}

TEST(OcspStaple13, MustStapleWithoutStapleIsRejectedEvenUnderSoft) {
  auto sc = server_config_for("ecdsa");
  sc->credentials = {must_staple().credential};
  Pair p = run(client(OcspPolicy::soft), sc);
  EXPECT_FALSE(p.ok);
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->alert, Alert::bad_certificate_status_response);
  EXPECT_NE(p.client->error()->reason.find("must-staple"), std::string::npos) << err(*p.client);
  // ... but ignore means ignore.
  Pair ignored = run(client(OcspPolicy::ignore), sc);
  EXPECT_TRUE(ignored.ok) << err(*ignored.client);
}

TEST(OcspStaple13, MustStapleWithGoodStapleIsAccepted) {
  auto sc = server_config_for("ecdsa");
  Bytes s = staple(must_staple().leaf.cert.get(), f().intermediate.cert.get(), f().intermediate.key.get());
  sc->credentials = {stapled(must_staple().credential, {s})};
  Pair p = run(client(OcspPolicy::soft), sc);
  ASSERT_TRUE(p.ok) << err(*p.client);
  EXPECT_TRUE(p.client->peer_ocsp().must_staple);
  EXPECT_EQ(p.client->peer_ocsp().leaf()->status->status, OcspCertStatus::good);
}

// ---- where the server's staples come from ------------------------------------

TEST(OcspStaple13, CredentialRefusesStapleForAnotherCertificate) {
  const Credential c = f().server_credential();
  auto r = c.with_ocsp_staples({intermediate_staple()});  // about the intermediate, not the leaf
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().reason.find("chain certificate 0"), std::string::npos) << r.error().reason;
  EXPECT_FALSE(c.with_ocsp_staples({Bytes{1, 2, 3}}).ok());
  EXPECT_FALSE(c.with_ocsp_staples({leaf_staple(), intermediate_staple(), leaf_staple()}).ok());
  auto ok = c.with_ocsp_staples({Bytes{}, intermediate_staple()});
  ASSERT_TRUE(ok.ok()) << ok.error().reason;
  EXPECT_EQ(ok->ocsp_staples().size(), 2u);
  EXPECT_TRUE(ok->ocsp_staples()[0].empty());
  EXPECT_TRUE(c.ocsp_staples().empty());  // the original is unchanged
  auto none = c.with_ocsp_staples({Bytes{}, Bytes{}});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->ocsp_staples().empty());
}

TEST(OcspStaple13, HookSeesCredentialAndServerName) {
  auto sc = server_config_for("ecdsa");
  std::string seen_name, seen_subject;
  int calls = 0;
  sc->ocsp_staple_hook = [&](const Credential& c, const std::string& name) -> Result<std::vector<Bytes>> {
    ++calls;
    seen_name = name;
    seen_subject = c.subject();
    return std::vector<Bytes>{leaf_staple()};
  };
  Pair p = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(p.ok) << err(*p.client);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen_name, "localhost");
  EXPECT_EQ(seen_subject, f().server_credential().subject());
}

TEST(OcspStaple13, HookNotCalledWithoutStatusRequest) {
  auto sc = server_config_for("ecdsa");
  int calls = 0;
  sc->ocsp_staple_hook = [&](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
    ++calls;
    return std::vector<Bytes>{};
  };
  Pair p = run(client(OcspPolicy::ignore), sc);
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(calls, 0);
}

TEST(OcspStaple13, HookAnswersNoStapleOrFatal) {
  auto sc = server_config_for("ecdsa");
  sc->credentials[0] = stapled(sc->credentials[0], {leaf_staple()});
  sc->ocsp_staple_hook = [](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
    return std::vector<Bytes>{};  // "no staple" overrides the credential's
  };
  Pair none = run(client(), sc);
  ASSERT_TRUE(none.ok);
  EXPECT_FALSE(none.client->peer_ocsp().leaf()->present);

  sc->ocsp_staple_hook = [](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
    return fail(Alert::internal_error, "staple store unavailable");
  };
  Pair fatal = run(client(), sc);
  EXPECT_FALSE(fatal.ok);
  ASSERT_TRUE(fatal.server->error());
  EXPECT_EQ(fatal.server->error()->alert, Alert::internal_error);
  EXPECT_NE(fatal.server->error()->reason.find("staple store unavailable"), std::string::npos);
  ASSERT_TRUE(fatal.client->error());
  EXPECT_TRUE(fatal.client->error()->from_peer);
}

// ---- asynchronous staple hook ----------------------------------------------------

TEST(OcspStaple13, AsyncHookAnswersLater) {
  auto sc = server_config_for("ecdsa");
  std::shared_ptr<PendingOcspStaple> handle;
  int calls = 0;
  sc->ocsp_staple_hook_async = [&](const Credential&, const std::string& name,
                                   std::shared_ptr<PendingOcspStaple> pending)
      -> std::optional<Result<std::vector<Bytes>>> {
    ++calls;
    EXPECT_EQ(name, "localhost");
    handle = std::move(pending);
    return std::nullopt;  // later
  };
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(client->start());
  testing::transfer(*client, *server);
  // The server suspended before writing any of its flight.
  EXPECT_EQ(server->wait(), Wait::ocsp_staple);
  ASSERT_TRUE(handle);
  EXPECT_TRUE(server->resume());  // not answered yet: still waiting, nothing sent
  EXPECT_EQ(server->wait(), Wait::ocsp_staple);
  // Answered from another thread.
  std::thread([&] { handle->provide({leaf_staple()}); }).join();
  ASSERT_TRUE(server->resume()) << err(*server);
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(client->peer_ocsp().leaf()->status) << client->peer_ocsp().leaf()->problem;
  EXPECT_EQ(client->peer_ocsp().leaf()->status->status, OcspCertStatus::good);
}

TEST(OcspStaple13, AsyncHookAnswersNowOrFails) {
  auto sc = server_config_for("ecdsa");
  sc->ocsp_staple_hook = [](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
    ADD_FAILURE() << "the asynchronous hook takes precedence";
    return std::vector<Bytes>{};
  };
  sc->ocsp_staple_hook_async = [](const Credential&, const std::string&, std::shared_ptr<PendingOcspStaple>)
      -> std::optional<Result<std::vector<Bytes>>> { return Result<std::vector<Bytes>>(std::vector<Bytes>{leaf_staple()}); };
  Pair now = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(now.ok) << err(*now.client);

  sc->ocsp_staple_hook_async = [](const Credential&, const std::string&, std::shared_ptr<PendingOcspStaple> pending)
      -> std::optional<Result<std::vector<Bytes>>> {
    pending->fail(fail(Alert::internal_error, "responder unreachable"));  // answered before returning
    return std::nullopt;
  };
  Pair failed = run(client(), sc);
  EXPECT_FALSE(failed.ok);
  ASSERT_TRUE(failed.server->error());
  EXPECT_NE(failed.server->error()->reason.find("responder unreachable"), std::string::npos);
}

TEST(OcspStaple13, CredentialSourceIsConsultedPerHandshake) {
  auto sc = server_config_for("ecdsa");
  auto current = std::make_shared<std::shared_ptr<const std::vector<Credential>>>(
      std::make_shared<const std::vector<Credential>>(std::vector<Credential>{f().server_credential()}));
  sc->credentials.clear();
  sc->credential_source = [current] { return *current; };
  Pair before = run(client(), sc);
  ASSERT_TRUE(before.ok) << err(*before.server);
  EXPECT_FALSE(before.client->peer_ocsp().leaf()->present);
  // Swap in a stapled credential: the next handshake uses it.
  *current = std::make_shared<const std::vector<Credential>>(
      std::vector<Credential>{stapled(f().server_credential(), {leaf_staple()})});
  Pair after = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(after.ok) << err(*after.client);
  EXPECT_TRUE(after.client->peer_ocsp().leaf()->status);
  // An empty source fails the handshake cleanly.
  *current = nullptr;
  Pair empty = run(client(), sc);
  EXPECT_FALSE(empty.ok);
  ASSERT_TRUE(empty.server->error());
  EXPECT_EQ(empty.server->error()->alert, Alert::internal_error);
}

// ---- the client's staple, asked for by the server ------------------------------

Bytes client_staple(OcspBehavior b = {}) {
  return staple(f().client.cert.get(), f().intermediate.cert.get(), f().intermediate.key.get(), b);
}
std::shared_ptr<ServerConfig> mtls_server(OcspPolicy policy) {
  auto sc = server_config_for("ecdsa");
  sc->client_auth = ClientAuth::required;
  sc->client_trust = f().trust();
  sc->request_client_ocsp = true;
  sc->client_ocsp_policy = policy;
  return sc;
}
std::shared_ptr<ClientConfig> mtls_client(std::vector<Bytes> staples) {
  auto cc = client();
  cc->client_credentials.push_back(stapled(f().client_credential(), std::move(staples)));
  return cc;
}

TEST(OcspStaple13, ServerAsksClientToStaple) {
  Pair p = run(mtls_client({client_staple()}), mtls_server(OcspPolicy::require));
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  const PeerOcsp& o = p.server->peer_ocsp();
  EXPECT_TRUE(o.requested);
  ASSERT_TRUE(o.leaf() && o.leaf()->status) << (o.leaf() ? o.leaf()->problem : "no leaf");
  EXPECT_EQ(o.leaf()->status->status, OcspCertStatus::good);
}

TEST(OcspStaple13, ClientStapleNotSentUnlessAsked) {
  auto sc = mtls_server(OcspPolicy::soft);
  sc->request_client_ocsp = false;
  Pair p = run(mtls_client({client_staple()}), sc);
  ASSERT_TRUE(p.ok) << err(*p.server);
  EXPECT_FALSE(p.server->peer_ocsp().requested);
  EXPECT_FALSE(p.server->peer_ocsp().leaf()->present);
}

TEST(OcspStaple13, ClientWithoutStapleUnderRequireIsRejected) {
  Pair p = run(mtls_client({}), mtls_server(OcspPolicy::require));
  EXPECT_FALSE(p.ok);
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->alert, Alert::bad_certificate_status_response);
  EXPECT_NE(p.server->error()->reason.find("client sent no OCSP staple"), std::string::npos);
  Pair soft = run(mtls_client({}), mtls_server(OcspPolicy::soft));
  EXPECT_TRUE(soft.ok) << err(*soft.server);
}

TEST(OcspStaple13, RevokedClientStapleIsRejected) {
  auto cc = client();
  // The credential check (with_ocsp_staples) only matches the CertID, so a
  // revoked response can be attached; the server must refuse it.
  cc->client_credentials.push_back(stapled(f().client_credential(), {client_staple(with_status(OcspCertStatus::revoked))}));
  Pair p = run(cc, mtls_server(OcspPolicy::soft));
  EXPECT_FALSE(p.ok);
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->alert, Alert::certificate_revoked);
}

// ---- sessions -------------------------------------------------------------------

std::shared_ptr<const Session> first_session(Connection& c, Connection& s) {
  // Tickets arrive after the handshake; one exchange carries them.
  send_and_receive(s, c, "tickets");
  auto sessions = c.take_sessions();
  return sessions.empty() ? nullptr : sessions.front();
}

TEST(OcspStaple13, ResumptionReportsTheFullHandshakesStatus) {
  auto sc = stapling_server({leaf_staple()});
  Pair full = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(full.ok) << err(*full.client);
  auto session = first_session(*full.client, *full.server);
  ASSERT_TRUE(session);
  ASSERT_TRUE(session->ocsp.leaf() && session->ocsp.leaf()->status);

  Pair resumed = run(client(OcspPolicy::require), sc, session);
  ASSERT_TRUE(resumed.ok) << err(*resumed.client);
  EXPECT_TRUE(resumed.client->info().resumed);
  const PeerOcsp& o = resumed.client->peer_ocsp();
  EXPECT_TRUE(o.from_session);
  ASSERT_TRUE(o.leaf() && o.leaf()->status);
  EXPECT_EQ(o.leaf()->status->status, OcspCertStatus::good);
  EXPECT_NE(o.summary().find("[from the resumed session]"), std::string::npos) << o.summary();
}

TEST(OcspStaple13, NoResumptionPastTheStatusNextUpdate) {
  auto sc = stapling_server({leaf_staple()});
  Pair full = run(client(), sc);
  ASSERT_TRUE(full.ok);
  auto session = first_session(*full.client, *full.server);
  ASSERT_TRUE(session && session->ocsp.leaf() && session->ocsp.leaf()->status);
  const auto now = std::chrono::system_clock::now();
  EXPECT_TRUE(session->usable(now));
  // The same session as it would look once its status is stale.
  auto stale = std::make_shared<Session>(*session);
  stale->ocsp.staples[0].status->next_update = now - seconds(1);
  EXPECT_FALSE(stale->usable(now));
  Pair again = run(client(), sc, stale);
  ASSERT_TRUE(again.ok) << err(*again.client);
  EXPECT_FALSE(again.client->info().resumed);  // a full handshake instead
  EXPECT_FALSE(again.client->peer_ocsp().from_session);
  EXPECT_TRUE(again.client->peer_ocsp().leaf()->status);
}

// ---- revocation providers --------------------------------------------------------

class RecordingProvider final : public RevocationProvider {
 public:
  explicit RecordingProvider(bool reject) : reject_(reject) {}
  std::string name() const override { return "recording"; }
  Status check(const RevocationContext& ctx) const override {
    ++calls;
    chain_length = ctx.chain.size();
    saw_staple = ctx.ocsp.leaf() && ctx.ocsp.leaf()->status.has_value();
    peer_is_server = ctx.peer_is_server;
    if (reject_) return fail(Alert::certificate_revoked, "listed in the local deny list");
    return {};
  }
  mutable int calls = 0;
  mutable size_t chain_length = 0;
  mutable bool saw_staple = false;
  mutable bool peer_is_server = false;

 private:
  bool reject_;
};

TEST(OcspStaple13, ProvidersRunAfterTheStapleCheck) {
  auto accept = std::make_shared<RecordingProvider>(false);
  auto cc = client();
  cc->revocation_providers = {accept};
  Pair p = run(cc, stapling_server({leaf_staple()}));
  ASSERT_TRUE(p.ok) << err(*p.client);
  EXPECT_EQ(accept->calls, 1);
  EXPECT_EQ(accept->chain_length, 3u);  // leaf, intermediate, root
  EXPECT_TRUE(accept->saw_staple);
  EXPECT_TRUE(accept->peer_is_server);

  auto reject = std::make_shared<RecordingProvider>(true);
  cc->revocation_providers = {accept, reject};
  Pair r = run(cc, stapling_server({leaf_staple()}));
  EXPECT_FALSE(r.ok);
  ASSERT_TRUE(r.client->error());
  EXPECT_EQ(r.client->error()->alert, Alert::certificate_revoked);
  EXPECT_NE(r.client->error()->reason.find("recording: listed in the local deny list"), std::string::npos);
}

TEST(OcspStaple13, ServerRunsClientProviders) {
  auto reject = std::make_shared<RecordingProvider>(true);
  auto sc = mtls_server(OcspPolicy::soft);
  sc->client_revocation_providers = {reject};
  Pair p = run(mtls_client({client_staple()}), sc);
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(reject->calls, 1);
  EXPECT_FALSE(reject->peer_is_server);
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->alert, Alert::certificate_revoked);
}

}  // namespace
}  // namespace vouch
