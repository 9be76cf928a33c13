// OCSP stapling in TLS 1.2 in memory with status_request alone (RFC 6066
// §8, RFC 7633; status_request_v2 is ocsp_staple_v2_test.cpp's): the server
// acknowledges status_request with an empty one in its ServerHello only when
// it has a staple for the leaf, and sends it in a CertificateStatus right
// after its Certificate; staples come from the credential, the hooks
// (synchronous and asynchronous), a credential source and the Stapler; the
// client judges them with its policy, must-staple, its revocation providers
// and CRLs, reports them, keeps the verified status in its sessions and does
// not offer a session that its policy would not accept.
//
// Every test runs twice: with the client limited to TLS 1.2, and with a
// default client (1.2 and 1.3) against a server limited to TLS 1.2. Each
// asserts that TLS 1.2 was negotiated.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "handshake/test_hooks.h"
#include "msg/handshake_type.h"
#include "msg/messages.h"
#include "msg/messages12.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "support/staples.h"
#include "support/process.h"
#include "tools/ocsp_response_builder.h"
#include "tools/ocsp_signers.h"
#include "tools/ocsp_staple.h"
#include "vouch/session.h"
#include "vouch/stapler.h"

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

enum class Limited { client, server };

const testing::PkiFamily& f() { return test_pki().ecdsa(); }

std::string err(const Connection& c) { return c.error() ? c.error()->to_string() : "no error"; }


// What a server put on the wire: the handshake message types in order and
// whether its ServerHello acknowledged status_request.
struct Observed {
  std::vector<uint8_t> types;
  bool server_hello_seen = false;
  bool status_acked = false;

  bool sent(HandshakeType t) const {
    return std::find(types.begin(), types.end(), static_cast<uint8_t>(t)) != types.end();
  }
  // The position of the first message of type t (types.size() if none).
  size_t index(HandshakeType t) const {
    return static_cast<size_t>(std::find(types.begin(), types.end(), static_cast<uint8_t>(t)) - types.begin());
  }
};
std::shared_ptr<Observed> observe(Connection& server) {
  auto o = std::make_shared<Observed>();
  test_hooks::set_outgoing_message_hook(server, [o](const Bytes& m) {
    if (m.size() >= kHandshakeHeaderLength) {
      o->types.push_back(m[0]);
      if (m[0] == static_cast<uint8_t>(HandshakeType::server_hello)) {
        ServerHello sh;
        if (parse(ByteView(m).subspan(kHandshakeHeaderLength), sh).ok()) {
          o->server_hello_seen = true;
          o->status_acked = sh.ext.status_request_empty;
        }
      }
    }
    return std::vector<Bytes>{m};
  });
  return o;
}

// The client's report on the server's leaf; a test failure (and an empty
// report) when there is none.
const StapleReport& leaf_report(const Connection& c) {
  static const StapleReport kNone;
  const StapleReport* r = c.peer_ocsp().leaf();
  EXPECT_NE(r, nullptr) << "no report on the server's leaf";
  return r ? *r : kNone;
}

struct Pair {
  std::unique_ptr<Connection> client, server;
  std::shared_ptr<Observed> wire;
  bool ok = false;
};

class OcspStaple12 : public ::testing::TestWithParam<Limited> {
 public:
  std::shared_ptr<ServerConfig> server() const {
    auto sc = server_config_for("ecdsa");
    if (GetParam() == Limited::server) sc->max_version = ProtocolVersion::tls12;
    return sc;
  }
  std::shared_ptr<ServerConfig> stapling_server(std::vector<Bytes> staples) const {
    auto sc = server();
    sc->credentials[0] = stapled(sc->credentials[0], std::move(staples));
    return sc;
  }
  // Staples whatever the hook gives, unchecked (for bad staples).
  std::shared_ptr<ServerConfig> hook_server(Bytes leaf) const {
    auto sc = server();
    sc->ocsp_staple_hook = [leaf](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
      return std::vector<Bytes>{leaf};
    };
    return sc;
  }
  std::shared_ptr<ClientConfig> client(OcspPolicy p = OcspPolicy::soft) const {
    auto cc = client_config_for("ecdsa");
    cc->ocsp_policy = p;
    // status_request alone: this file is about RFC 6066 §8 in TLS 1.2 (a
    // client asking with status_request_v2 too, RFC 6961, is
    // ocsp_staple_v2_test.cpp's).
    cc->request_ocsp_multi = false;
    if (GetParam() == Limited::client) cc->max_version = ProtocolVersion::tls12;
    return cc;
  }
  static Pair run(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
                  std::shared_ptr<const Session> session = nullptr) {
    Pair p;
    p.client = Connection::client(std::move(cc), "localhost", std::move(session));
    p.server = Connection::server(std::move(sc));
    p.wire = observe(*p.server);
    p.ok = pump_handshake(*p.client, *p.server);
    return p;
  }
};

void expect_tls12(const Pair& p) {
  EXPECT_EQ(p.client->info().version, ProtocolVersion::tls12);
  EXPECT_EQ(p.server->info().version, ProtocolVersion::tls12);
}

// The server acknowledged status_request and sent CertificateStatus right
// after Certificate (RFC 6066 §8).
void expect_stapled_on_the_wire(const Pair& p) {
  ASSERT_TRUE(p.wire->server_hello_seen);
  EXPECT_TRUE(p.wire->status_acked);
  ASSERT_TRUE(p.wire->sent(HandshakeType::certificate_status));
  EXPECT_EQ(p.wire->index(HandshakeType::certificate_status), p.wire->index(HandshakeType::certificate) + 1);
  EXPECT_EQ(p.wire->index(HandshakeType::server_key_exchange),
            p.wire->index(HandshakeType::certificate_status) + 1);
}
void expect_not_stapled_on_the_wire(const Pair& p) {
  ASSERT_TRUE(p.wire->server_hello_seen);
  EXPECT_FALSE(p.wire->status_acked);
  EXPECT_FALSE(p.wire->sent(HandshakeType::certificate_status));
}

// The client refused the server with `alert`, and the server learned it.
void expect_client_refused(const Pair& p, Alert alert, const std::string& reason_part) {
  EXPECT_FALSE(p.ok);
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->alert, alert) << err(*p.client);
  EXPECT_FALSE(p.client->error()->from_peer);
  EXPECT_NE(p.client->error()->reason.find(reason_part), std::string::npos) << err(*p.client);
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->alert, alert) << err(*p.server);
  EXPECT_TRUE(p.server->error()->from_peer);
}

std::string limited_name(const ::testing::TestParamInfo<Limited>& i) {
  return i.param == Limited::client ? "Client12" : "Server12";
}

// ---- the server's staple reaches the client ------------------------------------------

TEST_P(OcspStaple12, GoodStapleIsVerifiedAndReported) {
  for (OcspPolicy policy : {OcspPolicy::soft, OcspPolicy::require}) {
    SCOPED_TRACE(to_string(policy));
    const Bytes good = leaf_staple();
    Pair p = run(client(policy), stapling_server({good}));
    ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
    expect_tls12(p);
    expect_stapled_on_the_wire(p);
    const PeerOcsp& o = p.client->peer_ocsp();
    EXPECT_TRUE(o.requested);
    EXPECT_FALSE(o.must_staple);
    EXPECT_FALSE(o.from_session);
    ASSERT_EQ(o.staples.size(), 2u);
    ASSERT_TRUE(o.leaf()->present);
    EXPECT_EQ(o.leaf()->response, good);
    ASSERT_TRUE(o.leaf()->status) << o.leaf()->problem;
    EXPECT_EQ(o.leaf()->status->status, OcspCertStatus::good);
    EXPECT_TRUE(o.leaf()->status->next_update.has_value());
    EXPECT_FALSE(o.staples[1].present);
    EXPECT_EQ(o.summary().rfind("good (produced", 0), 0u) << o.summary();
    EXPECT_EQ(send_and_receive(*p.client, *p.server, "hello"), "hello");
  }
}

// RFC 6066 §8 in TLS 1.2 carries the leaf's status only: to a client that
// asks with status_request alone an intermediate's staple is not sent, and
// a server with nothing for the leaf does not acknowledge.
TEST_P(OcspStaple12, OnlyTheLeafsStatusTravels) {
  Pair both = run(client(OcspPolicy::require), stapling_server({leaf_staple(), intermediate_staple()}));
  ASSERT_TRUE(both.ok) << err(*both.client);
  expect_stapled_on_the_wire(both);
  EXPECT_TRUE(leaf_report(*both.client).status);
  ASSERT_EQ(both.client->peer_ocsp().staples.size(), 2u);
  EXPECT_FALSE(both.client->peer_ocsp().staples[1].present);

  Pair intermediate_only = run(client(OcspPolicy::soft), stapling_server({Bytes{}, intermediate_staple()}));
  ASSERT_TRUE(intermediate_only.ok) << err(*intermediate_only.client);
  expect_not_stapled_on_the_wire(intermediate_only);
  EXPECT_FALSE(leaf_report(*intermediate_only.client).present);
  ASSERT_EQ(intermediate_only.client->peer_ocsp().staples.size(), 2u);
  EXPECT_FALSE(intermediate_only.client->peer_ocsp().staples[1].present);
}

TEST_P(OcspStaple12, RevokedLeafIsCertificateRevoked) {
  for (OcspPolicy policy : {OcspPolicy::soft, OcspPolicy::require}) {
    SCOPED_TRACE(to_string(policy));
    Pair p = run(client(policy), hook_server(leaf_staple(with_status(OcspCertStatus::revoked))));
    expect_tls12(p);
    expect_stapled_on_the_wire(p);
    expect_client_refused(p, Alert::certificate_revoked, "revoked");
  }
}

// A genuine, good response about another certificate (the client's), and one
// naming a serial that is not the leaf's.
TEST_P(OcspStaple12, StapleForAnotherCertificateIsRejected) {
  OcspBehavior wrong_serial;
  wrong_serial.wrong_serial = true;
  const Bytes others[] = {staple(f().client.cert.get(), f().intermediate.cert.get(), f().intermediate.key.get()),
                          leaf_staple(wrong_serial)};
  for (const Bytes& other : others) {
    for (OcspPolicy policy : {OcspPolicy::soft, OcspPolicy::require}) {
      SCOPED_TRACE(to_string(policy));
      Pair p = run(client(policy), hook_server(other));
      expect_tls12(p);
      expect_client_refused(p, Alert::bad_certificate_status_response, "no status for the certificate");
    }
  }
}

struct BadStaple {
  const char* name;
  Bytes (*make)();
  const char* reason;  // part of the client's error
};

const BadStaple kBadStaples[] = {
    {"expired",
     [] {
       OcspBehavior b;
       b.this_update_offset = -hours(48);
       b.next_update_offset = -hours(24);
       return leaf_staple(b);
     },
     "expired"},
    {"future",
     [] {
       OcspBehavior b;
       b.this_update_offset = hours(2);
       return leaf_staple(b);
     },
     "not yet valid"},
    {"wrong_signer",
     [] {
       OcspBehavior b;
       b.signer = testing::OcspSignerChoice::unrelated;
       return leaf_staple(b);
     },
     "invalid"},
    {"unknown", [] { return leaf_staple(with_status(OcspCertStatus::unknown)); }, "says unknown"},
    {"garbage", [] { return Bytes{0x30, 0x03, 0x0a, 0x01, 0x00}; }, "invalid"},
    {"try_later",
     [] {
       OcspBehavior b;
       b.mode = testing::OcspResponderMode::error_status;
       return leaf_staple(b);
     },
     "not successful"},
    {"no_next_update",
     [] {
       OcspBehavior b;
       b.next_update_offset.reset();
       return leaf_staple(b);
     },
     "no nextUpdate"},
    {"oversized", [] { return Bytes(kMaxOcspResponseBytes + 1, 0x30); }, "invalid"},
};

TEST_P(OcspStaple12, UnusableStaplesAreRejectedUnderSoftAndRequire) {
  for (const BadStaple& bad : kBadStaples) {
    for (OcspPolicy policy : {OcspPolicy::soft, OcspPolicy::require}) {
      SCOPED_TRACE(std::string(bad.name) + " / " + to_string(policy));
      Pair p = run(client(policy), hook_server(bad.make()));
      expect_tls12(p);
      expect_stapled_on_the_wire(p);
      expect_client_refused(p, Alert::bad_certificate_status_response, bad.reason);
    }
  }
}

TEST_P(OcspStaple12, AbsenceIsAcceptedUnderSoftAndRejectedUnderRequire) {
  Pair soft = run(client(OcspPolicy::soft), server());
  ASSERT_TRUE(soft.ok) << err(*soft.client);
  expect_tls12(soft);
  expect_not_stapled_on_the_wire(soft);
  EXPECT_TRUE(soft.client->peer_ocsp().requested);
  ASSERT_TRUE(soft.client->peer_ocsp().leaf());
  EXPECT_FALSE(leaf_report(*soft.client).present);
  EXPECT_EQ(soft.client->peer_ocsp().summary(), "none (not stapled)");

  Pair req = run(client(OcspPolicy::require), server());
  expect_tls12(req);
  expect_not_stapled_on_the_wire(req);
  expect_client_refused(req, Alert::bad_certificate_status_response, "no OCSP staple");
}

// RFC 6066 §8: a server that acknowledged status_request "MAY" still send
// no CertificateStatus; a client requiring a staple then refuses it, before
// anything of its own flight.
TEST_P(OcspStaple12, AcknowledgedButNotSentIsAbsence) {
  auto c = Connection::client(client(OcspPolicy::require), "localhost");
  auto s = Connection::server(stapling_server({leaf_staple()}));
  test_hooks::set_outgoing_message_hook(*s, [](const Bytes& m) {
    if (!m.empty() && m[0] == static_cast<uint8_t>(HandshakeType::certificate_status)) return std::vector<Bytes>{};
    return std::vector<Bytes>{m};
  });
  EXPECT_FALSE(pump_handshake(*c, *s));
  ASSERT_TRUE(c->error());
  EXPECT_EQ(c->error()->alert, Alert::bad_certificate_status_response) << err(*c);
  EXPECT_NE(c->error()->reason.find("no OCSP staple"), std::string::npos) << err(*c);
}

// RFC 6066 §8: CertificateStatus only follows an acknowledged request.
TEST_P(OcspStaple12, UnsolicitedCertificateStatusIsUnexpected) {
  auto cc = client(OcspPolicy::soft);
  cc->request_ocsp_status = false;
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(server());
  const Bytes good = leaf_staple();
  test_hooks::set_outgoing_message_hook(*s, [good](const Bytes& m) {
    std::vector<Bytes> out{m};
    if (!m.empty() && m[0] == static_cast<uint8_t>(HandshakeType::certificate)) {
      CertificateStatus cs;
      cs.ocsp_response = good;
      Bytes body;
      Writer w(body);
      write(w, cs);
      Bytes framed;
      frame_handshake(HandshakeType::certificate_status, body, framed);
      out.push_back(framed);
    }
    return out;
  });
  EXPECT_FALSE(pump_handshake(*c, *s));
  ASSERT_TRUE(c->error());
  EXPECT_EQ(c->error()->alert, Alert::unexpected_message) << err(*c);
}

TEST_P(OcspStaple12, NotRequestedMeansNotStapledAndTheHookIsNotCalled) {
  for (bool use_ignore : {false, true}) {
    SCOPED_TRACE(use_ignore ? "ignore" : "request_ocsp_status = false");
    auto cc = client(use_ignore ? OcspPolicy::ignore : OcspPolicy::soft);
    if (!use_ignore) cc->request_ocsp_status = false;
    // A revoked staple on offer: neither sent nor looked at.
    auto sc = stapling_server({leaf_staple(with_status(OcspCertStatus::revoked))});
    int calls = 0;
    sc->ocsp_staple_hook = [&](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
      ++calls;
      return std::vector<Bytes>{leaf_staple(with_status(OcspCertStatus::revoked))};
    };
    Pair p = run(cc, sc);
    ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
    expect_tls12(p);
    expect_not_stapled_on_the_wire(p);
    EXPECT_EQ(calls, 0);
    EXPECT_FALSE(p.client->peer_ocsp().requested);
    ASSERT_TRUE(p.client->peer_ocsp().leaf());
    EXPECT_FALSE(leaf_report(*p.client).present);
    EXPECT_EQ(p.client->peer_ocsp().summary(), "not requested");
  }
}

TEST_P(OcspStaple12, ReportPolicyVerifiesButNeverRejects) {
  const Bytes revoked = leaf_staple(with_status(OcspCertStatus::revoked));
  Pair p = run(client(OcspPolicy::report), hook_server(revoked));
  ASSERT_TRUE(p.ok) << err(*p.client);
  expect_stapled_on_the_wire(p);
  const PeerOcsp& o = p.client->peer_ocsp();
  ASSERT_TRUE(o.leaf());
  ASSERT_TRUE(o.leaf()->status) << o.leaf()->problem;
  EXPECT_EQ(o.leaf()->status->status, OcspCertStatus::revoked);
  EXPECT_EQ(o.leaf()->response, revoked);
  Pair garbage = run(client(OcspPolicy::report), hook_server(Bytes{1, 2, 3}));
  ASSERT_TRUE(garbage.ok) << err(*garbage.client);
  EXPECT_FALSE(leaf_report(*garbage.client).problem.empty());
}

TEST_P(OcspStaple12, WithoutVerificationStaplesAreStillReported) {
  auto cc = client();
  cc->verify_peer = false;
  Pair p = run(cc, hook_server(leaf_staple(with_status(OcspCertStatus::revoked))));
  ASSERT_TRUE(p.ok) << err(*p.client);
  ASSERT_TRUE(leaf_report(*p.client).status) << leaf_report(*p.client).problem;
  EXPECT_EQ(leaf_report(*p.client).status->status, OcspCertStatus::revoked);
}

// ---- must-staple (RFC 7633) --------------------------------------------------------

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
Bytes must_staple_staple(OcspBehavior b = {}) {
  return staple(must_staple().leaf.cert.get(), f().intermediate.cert.get(), f().intermediate.key.get(), b);
}

TEST_P(OcspStaple12, MustStapleWithoutStapleIsRejectedEvenUnderSoft) {
  auto sc = server();
  sc->credentials = {must_staple().credential};
  for (OcspPolicy policy : {OcspPolicy::soft, OcspPolicy::require}) {
    SCOPED_TRACE(to_string(policy));
    Pair p = run(client(policy), sc);
    expect_tls12(p);
    expect_not_stapled_on_the_wire(p);
    expect_client_refused(p, Alert::bad_certificate_status_response, "must-staple");
  }
  // ... even when the client did not ask (it was asked to staple by the certificate).
  auto cc = client(OcspPolicy::soft);
  cc->request_ocsp_status = false;
  Pair unasked = run(cc, sc);
  EXPECT_FALSE(unasked.ok);
  ASSERT_TRUE(unasked.client->error());
  EXPECT_EQ(unasked.client->error()->alert, Alert::bad_certificate_status_response) << err(*unasked.client);
  // ignore means ignore.
  Pair ignored = run(client(OcspPolicy::ignore), sc);
  EXPECT_TRUE(ignored.ok) << err(*ignored.client);
}

TEST_P(OcspStaple12, MustStapleWithGoodStapleIsAccepted) {
  auto sc = server();
  sc->credentials = {stapled(must_staple().credential, {must_staple_staple()})};
  Pair p = run(client(OcspPolicy::soft), sc);
  ASSERT_TRUE(p.ok) << err(*p.client);
  expect_stapled_on_the_wire(p);
  EXPECT_TRUE(p.client->peer_ocsp().must_staple);
  ASSERT_TRUE(leaf_report(*p.client).status);
  EXPECT_EQ(leaf_report(*p.client).status->status, OcspCertStatus::good);
}

// ---- where the server's staples come from -------------------------------------------

TEST_P(OcspStaple12, HookSeesCredentialAndServerName) {
  auto sc = server();
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
  expect_tls12(p);
  expect_stapled_on_the_wire(p);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen_name, "localhost");
  EXPECT_EQ(seen_subject, f().server_credential().subject());
  ASSERT_TRUE(leaf_report(*p.client).status) << leaf_report(*p.client).problem;
  EXPECT_EQ(leaf_report(*p.client).status->status, OcspCertStatus::good);
}

TEST_P(OcspStaple12, HookAnswersNoStapleOrFatal) {
  auto sc = stapling_server({leaf_staple()});
  sc->ocsp_staple_hook = [](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
    return std::vector<Bytes>{};  // "no staple" overrides the credential's
  };
  Pair none = run(client(), sc);
  ASSERT_TRUE(none.ok) << err(*none.client);
  expect_not_stapled_on_the_wire(none);
  EXPECT_FALSE(leaf_report(*none.client).present);

  sc->ocsp_staple_hook = [](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
    return fail(Alert::internal_error, "staple store unavailable");
  };
  Pair fatal = run(client(), sc);
  EXPECT_FALSE(fatal.ok);
  ASSERT_TRUE(fatal.server->error());
  EXPECT_EQ(fatal.server->error()->alert, Alert::internal_error);
  EXPECT_NE(fatal.server->error()->reason.find("staple store unavailable"), std::string::npos);
  ASSERT_TRUE(fatal.client->error());
  EXPECT_EQ(fatal.client->error()->alert, Alert::internal_error);
  EXPECT_TRUE(fatal.client->error()->from_peer);
  EXPECT_FALSE(fatal.wire->server_hello_seen);  // nothing of the flight was sent
}

TEST_P(OcspStaple12, AsyncHookAnswersLater) {
  auto sc = server();
  std::shared_ptr<PendingOcspStaple> handle;
  std::atomic<int> calls{0};
  sc->ocsp_staple_hook_async = [&](const Credential& c, const std::string& name,
                                   std::shared_ptr<PendingOcspStaple> pending)
      -> std::optional<Result<std::vector<Bytes>>> {
    ++calls;
    EXPECT_EQ(name, "localhost");
    EXPECT_EQ(c.subject(), f().server_credential().subject());
    handle = std::move(pending);
    return std::nullopt;  // later
  };
  sc->ocsp_staple_hook = [](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
    ADD_FAILURE() << "the asynchronous hook takes precedence";
    return std::vector<Bytes>{};
  };
  auto c = Connection::client(client(OcspPolicy::require), "localhost");
  auto s = Connection::server(sc);
  auto wire = observe(*s);
  ASSERT_TRUE(c->start());
  testing::transfer(*c, *s);
  // Suspended before writing any of its flight.
  EXPECT_EQ(s->wait(), Wait::ocsp_staple);
  EXPECT_TRUE(s->pending_output().empty());
  EXPECT_FALSE(wire->server_hello_seen);
  ASSERT_TRUE(handle);
  EXPECT_TRUE(s->resume());  // not answered yet: still waiting, nothing sent
  EXPECT_EQ(s->wait(), Wait::ocsp_staple);
  EXPECT_TRUE(s->pending_output().empty());
  std::thread([&] { handle->provide({leaf_staple()}); }).join();
  ASSERT_TRUE(s->resume()) << err(*s);
  ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(s->info().version, ProtocolVersion::tls12);
  EXPECT_TRUE(wire->status_acked);
  EXPECT_TRUE(wire->sent(HandshakeType::certificate_status));
  ASSERT_TRUE(leaf_report(*c).status) << leaf_report(*c).problem;
  EXPECT_EQ(leaf_report(*c).status->status, OcspCertStatus::good);
}

TEST_P(OcspStaple12, AsyncHookAnswersNowNothingOrFails) {
  auto sc = server();
  sc->ocsp_staple_hook_async = [](const Credential&, const std::string&, std::shared_ptr<PendingOcspStaple>)
      -> std::optional<Result<std::vector<Bytes>>> {
    return Result<std::vector<Bytes>>(std::vector<Bytes>{leaf_staple()});
  };
  Pair now = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(now.ok) << err(*now.client);
  expect_stapled_on_the_wire(now);

  std::shared_ptr<PendingOcspStaple> handle;
  sc->ocsp_staple_hook_async = [&handle](const Credential&, const std::string&, std::shared_ptr<PendingOcspStaple> p)
      -> std::optional<Result<std::vector<Bytes>>> {
    handle = std::move(p);
    return std::nullopt;
  };
  {  // answered later with nothing: no acknowledgement, a soft client goes on
    auto c = Connection::client(client(OcspPolicy::soft), "localhost");
    auto s = Connection::server(sc);
    auto wire = observe(*s);
    EXPECT_FALSE(pump_handshake(*c, *s));
    EXPECT_EQ(s->wait(), Wait::ocsp_staple);
    ASSERT_TRUE(handle);
    handle->provide({});
    ASSERT_TRUE(s->resume()) << err(*s);
    ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
    EXPECT_FALSE(wire->status_acked);
    EXPECT_FALSE(wire->sent(HandshakeType::certificate_status));
  }
  {  // failed later: the error's alert
    auto c = Connection::client(client(), "localhost");
    auto s = Connection::server(sc);
    EXPECT_FALSE(pump_handshake(*c, *s));
    ASSERT_TRUE(handle);
    handle->fail(fail(Alert::internal_error, "responder unreachable"));
    EXPECT_FALSE(s->resume());
    ASSERT_TRUE(s->error());
    EXPECT_NE(s->error()->reason.find("responder unreachable"), std::string::npos);
    testing::transfer(*s, *c);
    ASSERT_TRUE(c->error());
    EXPECT_EQ(c->error()->alert, Alert::internal_error);
  }
}

// The Stapler as ServerConfig::credential_source: fetched, verified and
// served staples; a revocation at the responder stops them.
TEST_P(OcspStaple12, StaplerFeedsTheHandshake) {
  auto signers = testing::make_ocsp_signers(f().intermediate.cert.get(), f().intermediate.key.get());
  ASSERT_TRUE(signers.ok()) << signers.error().to_string();
  struct Responder {
    std::mutex mu;
    OcspBehavior behavior;
    int requests = 0;
  };
  auto responder = std::make_shared<Responder>();
  auto shared_signers = std::make_shared<testing::OcspSigners>(std::move(*signers));
  StaplerOptions opts;
  opts.responder_url = "http://127.0.0.1:9/";  // never contacted: the fetcher answers
  opts.fetcher = [responder, shared_signers](const std::string&, ByteView request) -> Result<Bytes> {
    std::lock_guard<std::mutex> lock(responder->mu);
    ++responder->requests;
    return testing::build_ocsp_response(*shared_signers, responder->behavior, request);
  };
  auto stapler = Stapler::create(opts);
  auto slot = stapler->add(f().server_credential());
  ASSERT_TRUE(slot.ok()) << slot.error().to_string();
  stapler->poll();
  ASSERT_EQ(responder->requests, 1);
  auto sc = server();
  sc->credentials.clear();
  stapler->attach(*sc);

  Pair good = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(good.ok) << err(*good.client) << " / " << err(*good.server);
  expect_tls12(good);
  expect_stapled_on_the_wire(good);
  ASSERT_TRUE(leaf_report(*good.client).status) << leaf_report(*good.client).problem;
  EXPECT_EQ(leaf_report(*good.client).status->status, OcspCertStatus::good);

  {  // revoked at the responder: the Stapler stops stapling at once
    std::lock_guard<std::mutex> lock(responder->mu);
    responder->behavior.status = OcspCertStatus::revoked;
  }
  stapler->refresh_now();
  stapler->poll();
  ASSERT_EQ(responder->requests, 2);
  Pair refused = run(client(OcspPolicy::require), sc);
  expect_not_stapled_on_the_wire(refused);
  expect_client_refused(refused, Alert::bad_certificate_status_response, "no OCSP staple");
  Pair soft = run(client(OcspPolicy::soft), sc);
  ASSERT_TRUE(soft.ok) << err(*soft.client);
  EXPECT_FALSE(leaf_report(*soft.client).present);

  {  // good again (a released hold): stapled again
    std::lock_guard<std::mutex> lock(responder->mu);
    responder->behavior.status = OcspCertStatus::good;
  }
  stapler->refresh_now();
  stapler->poll();
  Pair again = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(again.ok) << err(*again.client);
  expect_stapled_on_the_wire(again);
}

TEST_P(OcspStaple12, CredentialSourceIsConsultedPerHandshake) {
  auto sc = server();
  auto current = std::make_shared<std::shared_ptr<const std::vector<Credential>>>(
      std::make_shared<const std::vector<Credential>>(std::vector<Credential>{f().server_credential()}));
  sc->credentials.clear();
  sc->credential_source = [current] { return *current; };
  Pair before = run(client(), sc);
  ASSERT_TRUE(before.ok) << err(*before.server);
  expect_not_stapled_on_the_wire(before);
  *current = std::make_shared<const std::vector<Credential>>(
      std::vector<Credential>{stapled(f().server_credential(), {leaf_staple()})});
  Pair after = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(after.ok) << err(*after.client);
  expect_stapled_on_the_wire(after);
  EXPECT_TRUE(leaf_report(*after.client).status);
}

// An asynchronous credential source answering later with a stapled
// credential: its staple is what the CertificateStatus carries.
TEST_P(OcspStaple12, AsyncCredentialSourceWithStaple) {
  auto sc = server();
  sc->credentials.clear();
  std::shared_ptr<PendingCredentials> handle;
  ClientHelloInfo seen;
  sc->credential_source_async = [&](const ClientHelloInfo& hello, std::shared_ptr<PendingCredentials> pending)
      -> std::optional<CredentialSnapshot> {
    seen = hello;
    handle = std::move(pending);
    return std::nullopt;
  };
  auto c = Connection::client(client(OcspPolicy::require), "localhost");
  auto s = Connection::server(sc);
  auto wire = observe(*s);
  EXPECT_FALSE(pump_handshake(*c, *s));
  EXPECT_EQ(s->wait(), Wait::server_certificate);
  ASSERT_TRUE(handle);
  EXPECT_EQ(seen.version, ProtocolVersion::tls12);
  EXPECT_TRUE(seen.status_requested);
  EXPECT_FALSE(wire->server_hello_seen);
  handle->provide(std::make_shared<const std::vector<Credential>>(
      std::vector<Credential>{stapled(f().server_credential(), {leaf_staple()})}));
  ASSERT_TRUE(s->resume()) << err(*s);
  ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
  EXPECT_TRUE(wire->status_acked);
  EXPECT_TRUE(wire->sent(HandshakeType::certificate_status));
  ASSERT_TRUE(leaf_report(*c).status) << leaf_report(*c).problem;
  EXPECT_EQ(leaf_report(*c).status->status, OcspCertStatus::good);
}

// ---- mutual TLS and stapling together ---------------------------------------------

TEST_P(OcspStaple12, StapleWithClientAuthentication) {
  auto sc = stapling_server({leaf_staple()});
  sc->client_auth = ClientAuth::required;
  sc->client_trust = f().trust();
  auto cc = client(OcspPolicy::require);
  cc->client_credentials = {f().client_credential()};
  Pair p = run(cc, sc);
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  expect_tls12(p);
  expect_stapled_on_the_wire(p);
  EXPECT_TRUE(p.wire->sent(HandshakeType::certificate_request));
  ASSERT_TRUE(leaf_report(*p.client).status) << leaf_report(*p.client).problem;
  EXPECT_EQ(leaf_report(*p.client).status->status, OcspCertStatus::good);
  EXPECT_EQ(p.server->verified_peer_chain().size(), 3u);
  // TLS 1.2 has no client staples (RFC 6066 §8 is the server's).
  EXPECT_FALSE(p.server->peer_ocsp().requested);
}

// ---- sessions ---------------------------------------------------------------------

std::shared_ptr<const Session> only_session(Connection& c) {
  auto sessions = c.take_sessions();
  EXPECT_EQ(sessions.size(), 1u);
  return sessions.empty() ? nullptr : sessions.front();
}

void check_resumption_reports_status(OcspStaple12& t, bool by_ticket) {
  auto sc = t.stapling_server({leaf_staple()});
  if (!by_ticket) {
    sc->num_tickets = 0;
    sc->session_cache12 = std::make_shared<ServerSessionCache>();
  }
  Pair full = OcspStaple12::run(t.client(OcspPolicy::require), sc);
  ASSERT_TRUE(full.ok) << err(*full.client);
  auto session = only_session(*full.client);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->version, ProtocolVersion::tls12);
  EXPECT_EQ(session->ticket.empty(), !by_ticket);
  ASSERT_TRUE(session->ocsp.leaf() && session->ocsp.leaf()->status);
  EXPECT_FALSE(session->ocsp.from_session);

  Pair resumed = OcspStaple12::run(t.client(OcspPolicy::require), sc, session);
  ASSERT_TRUE(resumed.ok) << err(*resumed.client) << " / " << err(*resumed.server);
  expect_tls12(resumed);
  EXPECT_TRUE(resumed.client->info().resumed);
  EXPECT_TRUE(resumed.server->info().resumed);
  // No Certificate, so no CertificateStatus, in an abbreviated handshake.
  EXPECT_FALSE(resumed.wire->sent(HandshakeType::certificate));
  EXPECT_FALSE(resumed.wire->sent(HandshakeType::certificate_status));
  const PeerOcsp& o = resumed.client->peer_ocsp();
  EXPECT_TRUE(o.from_session);
  ASSERT_TRUE(o.leaf() && o.leaf()->status);
  EXPECT_EQ(o.leaf()->status->status, OcspCertStatus::good);
  EXPECT_EQ(o.leaf()->status->next_update, session->ocsp.leaf()->status->next_update);
  EXPECT_NE(o.summary().find("[from the resumed session]"), std::string::npos) << o.summary();
  // The session kept for the next resumption holds the status, not "from session".
  auto next = only_session(*resumed.client);
  ASSERT_TRUE(next);
  ASSERT_TRUE(next->ocsp.leaf() && next->ocsp.leaf()->status);
  EXPECT_FALSE(next->ocsp.from_session);
}

TEST_P(OcspStaple12, ResumptionByTicketReportsTheFullHandshakesStatus) {
  check_resumption_reports_status(*this, /*by_ticket=*/true);
}
TEST_P(OcspStaple12, ResumptionBySessionIdReportsTheFullHandshakesStatus) {
  check_resumption_reports_status(*this, /*by_ticket=*/false);
}

// A client that requires a staple never offers a session whose full
// handshake did not verify a good one: it does a full handshake and gets a
// fresh staple. The same session is resumed by a client that does not
// require one (so it was resumable).
void check_require_does_not_offer_unstapled_session(OcspStaple12& t, bool by_ticket) {
  auto sc = t.stapling_server({leaf_staple()});
  if (!by_ticket) {
    sc->num_tickets = 0;
    sc->session_cache12 = std::make_shared<ServerSessionCache>();
  }
  auto unasking = t.client(OcspPolicy::soft);
  unasking->request_ocsp_status = false;
  Pair full = OcspStaple12::run(unasking, sc);
  ASSERT_TRUE(full.ok) << err(*full.client);
  auto session = only_session(*full.client);
  ASSERT_TRUE(session);
  ASSERT_TRUE(session->ocsp.leaf());
  EXPECT_FALSE(session->ocsp.leaf()->status);

  Pair strict = OcspStaple12::run(t.client(OcspPolicy::require), sc, session);
  ASSERT_TRUE(strict.ok) << err(*strict.client) << " / " << err(*strict.server);
  EXPECT_FALSE(strict.client->info().resumed);
  EXPECT_FALSE(strict.server->info().resumed);
  expect_stapled_on_the_wire(strict);
  EXPECT_FALSE(strict.client->peer_ocsp().from_session);
  ASSERT_TRUE(leaf_report(*strict.client).status);
  EXPECT_EQ(leaf_report(*strict.client).status->status, OcspCertStatus::good);

  Pair lenient = OcspStaple12::run(t.client(OcspPolicy::soft), sc, session);
  ASSERT_TRUE(lenient.ok) << err(*lenient.client);
  EXPECT_TRUE(lenient.client->info().resumed);
  EXPECT_TRUE(lenient.client->peer_ocsp().from_session);
}

TEST_P(OcspStaple12, RequireDoesNotOfferATicketWithoutAGoodStaple) {
  check_require_does_not_offer_unstapled_session(*this, /*by_ticket=*/true);
}
TEST_P(OcspStaple12, RequireDoesNotOfferASessionIdWithoutAGoodStaple) {
  check_require_does_not_offer_unstapled_session(*this, /*by_ticket=*/false);
}

// A CertificateStatus may carry up to 2^24-1 bytes (RFC 6066 §8), more than
// a response vouch verifies (kMaxOcspResponseBytes). Under `report` such a
// staple is reported, not judged, and the session of the connection must
// still survive being saved and read back (vouch connect --sess-out/--sess-in).
TEST_P(OcspStaple12, ReportedOversizedStapleKeepsTheSessionReadable) {
  const Bytes oversized(kMaxOcspResponseBytes + 1, 0x30);
  Pair p = run(client(OcspPolicy::report), hook_server(oversized));
  ASSERT_TRUE(p.ok) << err(*p.client);
  expect_stapled_on_the_wire(p);
  ASSERT_TRUE(leaf_report(*p.client).present);
  EXPECT_FALSE(leaf_report(*p.client).status);
  EXPECT_NE(leaf_report(*p.client).problem.find("limit"), std::string::npos)
      << leaf_report(*p.client).problem;
  auto session = only_session(*p.client);
  ASSERT_TRUE(session);
  Result<Session> decoded = Session::deserialize(session->serialize());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  ASSERT_TRUE(decoded->ocsp.leaf());
  EXPECT_TRUE(decoded->ocsp.leaf()->present);
  EXPECT_FALSE(decoded->ocsp.leaf()->status);
  EXPECT_EQ(decoded->ocsp.leaf()->problem, session->ocsp.leaf()->problem);
  // ... and resumes.
  Pair resumed = run(client(OcspPolicy::report), hook_server(oversized),
                     std::make_shared<const Session>(std::move(*decoded)));
  ASSERT_TRUE(resumed.ok) << err(*resumed.client);
  EXPECT_TRUE(resumed.client->info().resumed);
  EXPECT_TRUE(resumed.client->peer_ocsp().from_session);
}

// A must-staple leaf makes soft a requirement for sessions too.
TEST_P(OcspStaple12, MustStapleSessionWithoutStapleIsNotOfferedUnderSoft) {
  auto sc = server();
  sc->credentials = {stapled(must_staple().credential, {must_staple_staple()})};
  Pair full = run(client(OcspPolicy::ignore), sc);
  ASSERT_TRUE(full.ok) << err(*full.client);
  auto session = only_session(*full.client);
  ASSERT_TRUE(session);
  EXPECT_FALSE(session->ocsp.leaf() && session->ocsp.leaf()->status);

  Pair soft = run(client(OcspPolicy::soft), sc, session);
  ASSERT_TRUE(soft.ok) << err(*soft.client);
  EXPECT_FALSE(soft.client->info().resumed);
  EXPECT_TRUE(soft.client->peer_ocsp().must_staple);
  ASSERT_TRUE(leaf_report(*soft.client).status);

  Pair ignoring = run(client(OcspPolicy::ignore), sc, session);
  ASSERT_TRUE(ignoring.ok) << err(*ignoring.client);
  EXPECT_TRUE(ignoring.client->info().resumed);
}

TEST_P(OcspStaple12, NoResumptionPastTheStatusNextUpdate) {
  auto sc = stapling_server({leaf_staple()});
  Pair full = run(client(), sc);
  ASSERT_TRUE(full.ok) << err(*full.client);
  auto session = only_session(*full.client);
  ASSERT_TRUE(session && session->ocsp.leaf() && session->ocsp.leaf()->status);
  const auto now = std::chrono::system_clock::now();
  EXPECT_TRUE(session->usable(now));
  Pair fresh = run(client(), sc, session);
  ASSERT_TRUE(fresh.ok);
  EXPECT_TRUE(fresh.client->info().resumed);  // control
  auto stale = std::make_shared<Session>(*session);
  stale->ocsp.staples[0].status->next_update = now - seconds(1);
  EXPECT_FALSE(stale->usable(now));
  Pair again = run(client(), sc, stale);
  ASSERT_TRUE(again.ok) << err(*again.client);
  EXPECT_FALSE(again.client->info().resumed);
  EXPECT_FALSE(again.client->peer_ocsp().from_session);
  EXPECT_TRUE(leaf_report(*again.client).status);
}

// ---- revocation providers and CRLs ---------------------------------------------------

class RecordingProvider final : public RevocationProvider {
 public:
  explicit RecordingProvider(bool reject) : reject_(reject) {}
  std::string name() const override { return "recording"; }
  Status check(const RevocationContext& ctx) const override {
    ++calls;
    chain_length = ctx.chain.size();
    saw_good_staple = ctx.ocsp.leaf() && ctx.ocsp.leaf()->status &&
                      ctx.ocsp.leaf()->status->status == OcspCertStatus::good;
    peer_is_server = ctx.peer_is_server;
    if (reject_) return fail(Alert::certificate_revoked, "listed in the local deny list");
    return {};
  }
  mutable int calls = 0;
  mutable size_t chain_length = 0;
  mutable bool saw_good_staple = false;
  mutable bool peer_is_server = false;

 private:
  bool reject_;
};

TEST_P(OcspStaple12, ProvidersRunAfterTheStapleCheck) {
  auto accept = std::make_shared<RecordingProvider>(false);
  auto cc = client();
  cc->revocation_providers = {accept};
  Pair p = run(cc, stapling_server({leaf_staple()}));
  ASSERT_TRUE(p.ok) << err(*p.client);
  EXPECT_EQ(accept->calls, 1);
  EXPECT_EQ(accept->chain_length, 3u);
  EXPECT_TRUE(accept->saw_good_staple);
  EXPECT_TRUE(accept->peer_is_server);

  auto reject = std::make_shared<RecordingProvider>(true);
  cc->revocation_providers = {accept, reject};
  Pair r = run(cc, stapling_server({leaf_staple()}));
  expect_client_refused(r, Alert::certificate_revoked, "recording: listed in the local deny list");
  // A revoked staple stops the handshake before any provider.
  auto counting = std::make_shared<RecordingProvider>(false);
  cc->revocation_providers = {counting};
  Pair revoked = run(cc, hook_server(leaf_staple(with_status(OcspCertStatus::revoked))));
  EXPECT_FALSE(revoked.ok);
  EXPECT_EQ(counting->calls, 0);
}

TEST_P(OcspStaple12, CrlProvider) {
  testing::TempDir dir;
  const std::string revoking = dir.file("revoking.pem");
  testing::write_file(revoking, testing::to_pem(testing::make_crl(f().intermediate, {&f().server}).get()));
  const std::string clean = dir.file("clean.pem");
  testing::write_file(clean, testing::to_pem(testing::make_crl(f().intermediate, {&f().client}).get()));
  auto with_crl = [&](const std::string& file, bool require_crl) {
    CrlOptions o;
    if (!file.empty()) o.files = {file};
    o.require_crl = require_crl;
    auto provider = crl_provider(o);
    EXPECT_TRUE(provider.ok()) << provider.error().to_string();
    auto cc = client();
    if (provider.ok()) cc->revocation_providers = {*provider};
    return cc;
  };
  Pair revoked = run(with_crl(revoking, true), stapling_server({leaf_staple()}));
  expect_tls12(revoked);
  expect_client_refused(revoked, Alert::certificate_revoked, "crl");
  Pair ok = run(with_crl(clean, true), stapling_server({leaf_staple()}));
  EXPECT_TRUE(ok.ok) << err(*ok.client);
  Pair missing = run(with_crl("", true), server());
  expect_client_refused(missing, Alert::certificate_unknown, "no CRL");
  Pair lenient = run(with_crl("", false), server());
  EXPECT_TRUE(lenient.ok) << err(*lenient.client);
}

INSTANTIATE_TEST_SUITE_P(OneSideTls12, OcspStaple12, ::testing::Values(Limited::client, Limited::server),
                         limited_name);

}  // namespace
}  // namespace vouch
