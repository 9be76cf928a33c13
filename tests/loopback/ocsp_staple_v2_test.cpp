// status_request_v2 (RFC 6961) in memory: a TLS 1.2 client asking for the
// status of every certificate of the chain (ocsp_multi), a server answering
// with one CertificateStatus carrying an OCSPResponse per certificate (an
// empty one where it has none), the client verifying each against its
// issuer, applying its policy per certificate and reporting each; which
// request a server answers when a client offers several (RFC 6961 §2.2: the
// client's order of preference, never two acknowledgements); the Stapler
// keeping an intermediate's staple fresh; sessions keeping every status; and
// TLS 1.3, which ignores status_request_v2 (RFC 8446 §4.4.2.1 staples per
// CertificateEntry instead).
//
// The pair tests run twice, as ocsp_staple12_test.cpp's: a client limited
// to TLS 1.2, and a default client against a server limited to TLS 1.2.
// Malformed status_request_v2 and ocsp_response_list input is
// bad_input_status_v2_test.cpp's.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "handshake/test_hooks.h"
#include "msg/handshake_type.h"
#include "msg/messages.h"
#include "msg/messages12.h"
#include "record/record.h"
#include "support/client_hellos.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "support/staples.h"
#include "tools/ocsp_response_builder.h"
#include "tools/ocsp_signers.h"
#include "tools/ocsp_staple.h"
#include "vouch/session.h"
#include "vouch/stapler.h"

namespace vouch {
namespace {

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

constexpr uint16_t kV1 = static_cast<uint16_t>(ExtensionType::status_request);
constexpr uint16_t kV2 = static_cast<uint16_t>(ExtensionType::status_request_v2);

const testing::PkiFamily& f() { return test_pki().ecdsa(); }

std::string err(const Connection& c) { return c.error() ? c.error()->to_string() : "no error"; }


bool has(const std::vector<uint16_t>& v, uint16_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// What a server sent: its handshake messages in order, its ServerHello's
// extensions (and EncryptedExtensions' in TLS 1.3), its CertificateStatus.
struct ServerWire {
  std::vector<uint8_t> types;
  bool server_hello_seen = false;
  std::vector<uint16_t> server_hello_extensions;
  std::vector<uint16_t> encrypted_extensions;
  std::optional<CertificateStatus> status;

  bool sent(HandshakeType t) const {
    return std::find(types.begin(), types.end(), static_cast<uint8_t>(t)) != types.end();
  }
  bool v1_acked() const { return has(server_hello_extensions, kV1); }
  bool v2_acked() const { return has(server_hello_extensions, kV2); }
};

std::shared_ptr<ServerWire> watch_server(Connection& server) {
  auto w = std::make_shared<ServerWire>();
  test_hooks::set_outgoing_message_hook(server, [w](const Bytes& m) {
    if (m.size() < kHandshakeHeaderLength) return std::vector<Bytes>{m};
    const ByteView body = ByteView(m).subspan(kHandshakeHeaderLength);
    w->types.push_back(m[0]);
    if (m[0] == static_cast<uint8_t>(HandshakeType::server_hello)) {
      ServerHello sh;
      if (parse(body, sh).ok()) {
        w->server_hello_seen = true;
        w->server_hello_extensions = sh.ext.present;
      }
    } else if (m[0] == static_cast<uint8_t>(HandshakeType::encrypted_extensions)) {
      Reader r(body);
      Extensions e;
      if (parse_extensions(r, ExtContext::encrypted_extensions, e).ok()) w->encrypted_extensions = e.present;
    } else if (m[0] == static_cast<uint8_t>(HandshakeType::certificate_status)) {
      CertificateStatus cs;
      if (parse(body, cs).ok()) w->status = std::move(cs);
    }
    return std::vector<Bytes>{m};
  });
  return w;
}

// The ClientHello a client sent (the first one).
std::shared_ptr<std::optional<ClientHello>> watch_client_hello(Connection& client) {
  auto seen = std::make_shared<std::optional<ClientHello>>();
  test_hooks::set_outgoing_message_hook(client, [seen](const Bytes& m) {
    if (!*seen && m.size() >= kHandshakeHeaderLength && m[0] == static_cast<uint8_t>(HandshakeType::client_hello)) {
      ClientHello ch;
      if (parse(ByteView(m).subspan(kHandshakeHeaderLength), ch).ok()) *seen = std::move(ch);
    }
    return std::vector<Bytes>{m};
  });
  return seen;
}

enum class Limited { client, server };

struct Pair {
  std::unique_ptr<Connection> client, server;
  std::shared_ptr<ServerWire> wire;
  bool ok = false;
};

// The report on chain position `i` (a test failure and an empty report when
// there is none).
const StapleReport& report_at(const Connection& c, size_t i) {
  static const StapleReport kNone;
  const auto& staples = c.peer_ocsp().staples;
  EXPECT_LT(i, staples.size()) << "no report for position " << i;
  return i < staples.size() ? staples[i] : kNone;
}

class OcspStapleV2 : public ::testing::TestWithParam<Limited> {
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
  // Staples whatever it is given, unchecked (for bad staples).
  std::shared_ptr<ServerConfig> hook_server(std::vector<Bytes> staples) const {
    auto sc = server();
    sc->ocsp_staple_hook = [staples](const Credential&, const std::string&) -> Result<std::vector<Bytes>> {
      return staples;
    };
    return sc;
  }
  std::shared_ptr<ClientConfig> client(OcspPolicy p = OcspPolicy::soft) const {
    auto cc = client_config_for("ecdsa");
    cc->ocsp_policy = p;
    if (GetParam() == Limited::client) cc->max_version = ProtocolVersion::tls12;
    return cc;
  }
  static Pair run(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
                  std::shared_ptr<const Session> session = nullptr) {
    Pair p;
    p.client = Connection::client(std::move(cc), "localhost", std::move(session));
    p.server = Connection::server(std::move(sc));
    p.wire = watch_server(*p.server);
    p.ok = pump_handshake(*p.client, *p.server);
    return p;
  }
};

void expect_tls12(const Pair& p) {
  EXPECT_EQ(p.client->info().version, ProtocolVersion::tls12);
  EXPECT_EQ(p.server->info().version, ProtocolVersion::tls12);
}

// RFC 6961 §2.2: the empty status_request_v2 in the ServerHello (and not
// status_request), then a CertificateStatus of type ocsp_multi right after
// the Certificate, before the ServerKeyExchange.
void expect_multi_on_the_wire(const Pair& p, const std::vector<Bytes>& list) {
  ASSERT_TRUE(p.wire->server_hello_seen);
  EXPECT_TRUE(p.wire->v2_acked());
  EXPECT_FALSE(p.wire->v1_acked());
  ASSERT_TRUE(p.wire->status.has_value());
  EXPECT_EQ(p.wire->status->status_type, CertificateStatusType::ocsp_multi);
  EXPECT_EQ(p.wire->status->ocsp_response_list, list);
  const auto at = [&](HandshakeType t) {
    return std::find(p.wire->types.begin(), p.wire->types.end(), static_cast<uint8_t>(t)) - p.wire->types.begin();
  };
  EXPECT_EQ(at(HandshakeType::certificate_status), at(HandshakeType::certificate) + 1);
  EXPECT_EQ(at(HandshakeType::server_key_exchange), at(HandshakeType::certificate_status) + 1);
}
void expect_nothing_acknowledged(const Pair& p) {
  ASSERT_TRUE(p.wire->server_hello_seen);
  EXPECT_FALSE(p.wire->v1_acked());
  EXPECT_FALSE(p.wire->v2_acked());
  EXPECT_FALSE(p.wire->sent(HandshakeType::certificate_status));
}

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

void expect_good(const StapleReport& r) {
  ASSERT_TRUE(r.present);
  ASSERT_TRUE(r.status) << r.problem;
  EXPECT_EQ(r.status->status, OcspCertStatus::good);
}

std::string limited_name(const ::testing::TestParamInfo<Limited>& i) {
  return i.param == Limited::client ? "Client12" : "Server12";
}

// ---- what the client offers ------------------------------------------------------------

TEST_P(OcspStapleV2, ClientHelloOffersBothRequestsWhenAskingForStatus) {
  struct Case {
    const char* name;
    bool request_status, multi;
    OcspPolicy policy;
    bool want_v1, want_v2;
  };
  const Case cases[] = {
      {"default", true, true, OcspPolicy::soft, true, true},
      {"report", true, true, OcspPolicy::report, true, true},
      {"require", true, true, OcspPolicy::require, true, true},
      {"request_ocsp_multi = false", true, false, OcspPolicy::soft, true, false},
      {"request_ocsp_status = false", false, true, OcspPolicy::soft, false, false},
      {"ignore", true, true, OcspPolicy::ignore, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto cc = client(c.policy);
    cc->request_ocsp_status = c.request_status;
    cc->request_ocsp_multi = c.multi;
    auto conn = Connection::client(cc, "localhost");
    auto seen = watch_client_hello(*conn);
    ASSERT_TRUE(conn->start());
    ASSERT_TRUE(seen->has_value());
    const Extensions& e = (*seen)->ext;
    EXPECT_EQ(e.status_request.has_value(), c.want_v1);
    ASSERT_EQ(e.status_request_v2.has_value(), c.want_v2);
    if (!c.want_v2) continue;
    // RFC 6961 §2.2: ocsp_multi first (favourite), then ocsp; each with an
    // empty OCSPStatusRequest, as status_request's.
    ASSERT_EQ(e.status_request_v2->size(), 2u);
    EXPECT_EQ((*e.status_request_v2)[0].status_type, CertificateStatusType::ocsp_multi);
    EXPECT_EQ((*e.status_request_v2)[1].status_type, CertificateStatusType::ocsp);
    for (const StatusRequestV2Item& item : *e.status_request_v2) {
      EXPECT_TRUE(item.request.responder_id_list.empty());
      EXPECT_TRUE(item.request.request_extensions.empty());
    }
  }
}

// A client that cannot speak TLS 1.2 has no use for a TLS 1.2-only
// extension (RFC 8446 §4.4.2.1 carries every staple).
TEST(OcspStapleV2Tls13, Tls13OnlyClientDoesNotOfferIt) {
  auto cc = client_config_for("ecdsa");
  cc->min_version = ProtocolVersion::tls13;
  auto conn = Connection::client(cc, "localhost");
  auto seen = watch_client_hello(*conn);
  ASSERT_TRUE(conn->start());
  ASSERT_TRUE(seen->has_value());
  EXPECT_TRUE((*seen)->ext.status_request.has_value());
  EXPECT_FALSE((*seen)->ext.has(ExtensionType::status_request_v2));
}

// ---- every certificate's status travels ----------------------------------------------

TEST_P(OcspStapleV2, LeafAndIntermediateStaplesAreVerifiedAndReported) {
  const Bytes leaf = leaf_staple();
  const Bytes inter = intermediate_staple();
  for (OcspPolicy policy : {OcspPolicy::soft, OcspPolicy::require, OcspPolicy::report}) {
    SCOPED_TRACE(to_string(policy));
    Pair p = run(client(policy), stapling_server({leaf, inter}));
    ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
    expect_tls12(p);
    expect_multi_on_the_wire(p, {leaf, inter});
    const PeerOcsp& o = p.client->peer_ocsp();
    EXPECT_TRUE(o.requested);
    ASSERT_EQ(o.staples.size(), 2u);
    expect_good(report_at(*p.client, 0));
    expect_good(report_at(*p.client, 1));
    EXPECT_EQ(report_at(*p.client, 0).response, leaf);
    EXPECT_EQ(report_at(*p.client, 1).response, inter);
    EXPECT_EQ(report_at(*p.client, 1).position, 1u);
    EXPECT_EQ(o.summary().rfind("good (produced", 0), 0u) << o.summary();
    EXPECT_EQ(o.summary_at(1).rfind("good (produced", 0), 0u) << o.summary_at(1);
    EXPECT_NE(o.summary_at(1).find("responder"), std::string::npos) << o.summary_at(1);
    EXPECT_EQ(send_and_receive(*p.client, *p.server, "hello"), "hello");
  }
}

// "Individual elements of the list MAY have a length of 0 (zero) bytes if the
// server does not have the OCSP response for that particular certificate"
// (RFC 6961 §2.2): one entry per certificate sent, empty where none.
TEST_P(OcspStapleV2, OneEntryPerCertificateEmptyWhereThereIsNone) {
  const Bytes leaf = leaf_staple();
  const Bytes inter = intermediate_staple();

  Pair leaf_only = run(client(OcspPolicy::require), stapling_server({leaf}));
  ASSERT_TRUE(leaf_only.ok) << err(*leaf_only.client);
  expect_multi_on_the_wire(leaf_only, {leaf, Bytes{}});
  expect_good(report_at(*leaf_only.client, 0));
  EXPECT_FALSE(report_at(*leaf_only.client, 1).present);
  EXPECT_EQ(leaf_only.client->peer_ocsp().summary_at(1), "none (not stapled)");

  // Only the intermediate's: still answered (ocsp_multi has something), the
  // leaf counts as not stapled — fine under soft, not under require.
  Pair soft = run(client(OcspPolicy::soft), stapling_server({Bytes{}, inter}));
  ASSERT_TRUE(soft.ok) << err(*soft.client);
  expect_multi_on_the_wire(soft, {Bytes{}, inter});
  EXPECT_FALSE(report_at(*soft.client, 0).present);
  expect_good(report_at(*soft.client, 1));
  EXPECT_EQ(soft.client->peer_ocsp().summary(), "none (not stapled)");

  Pair require = run(client(OcspPolicy::require), stapling_server({Bytes{}, inter}));
  expect_client_refused(require, Alert::bad_certificate_status_response, "no OCSP staple");
}

TEST_P(OcspStapleV2, NothingToStapleNothingAcknowledged) {
  Pair soft = run(client(OcspPolicy::soft), server());
  ASSERT_TRUE(soft.ok) << err(*soft.client);
  expect_tls12(soft);
  expect_nothing_acknowledged(soft);
  EXPECT_EQ(soft.client->peer_ocsp().summary(), "none (not stapled)");
  Pair require = run(client(OcspPolicy::require), server());
  expect_nothing_acknowledged(require);
  expect_client_refused(require, Alert::bad_certificate_status_response, "no OCSP staple");
}

// A client asking with status_request alone gets RFC 6066's answer: the
// leaf's status in a CertificateStatus of type ocsp.
TEST_P(OcspStapleV2, ClientWithoutMultiGetsTheLeafsStatusOnly) {
  auto cc = client(OcspPolicy::require);
  cc->request_ocsp_multi = false;
  const Bytes leaf = leaf_staple();
  Pair p = run(cc, stapling_server({leaf, intermediate_staple()}));
  ASSERT_TRUE(p.ok) << err(*p.client);
  EXPECT_TRUE(p.wire->v1_acked());
  EXPECT_FALSE(p.wire->v2_acked());
  ASSERT_TRUE(p.wire->status);
  EXPECT_EQ(p.wire->status->status_type, CertificateStatusType::ocsp);
  EXPECT_EQ(p.wire->status->ocsp_response, leaf);
  expect_good(report_at(*p.client, 0));
  EXPECT_FALSE(report_at(*p.client, 1).present);
}

// ---- the policy per certificate ---------------------------------------------------------

TEST_P(OcspStapleV2, RevokedIntermediateIsCertificateRevoked) {
  const Bytes leaf = leaf_staple();
  const Bytes revoked = intermediate_staple(with_status(OcspCertStatus::revoked));
  for (OcspPolicy policy : {OcspPolicy::soft, OcspPolicy::require}) {
    SCOPED_TRACE(to_string(policy));
    Pair p = run(client(policy), hook_server({leaf, revoked}));
    expect_tls12(p);
    expect_multi_on_the_wire(p, {leaf, revoked});
    expect_client_refused(p, Alert::certificate_revoked, "chain certificate 1 is revoked");
  }
  // report: verified and reported, never refused.
  Pair reported = run(client(OcspPolicy::report), hook_server({leaf_staple(), revoked}));
  ASSERT_TRUE(reported.ok) << err(*reported.client);
  ASSERT_TRUE(report_at(*reported.client, 1).status) << report_at(*reported.client, 1).problem;
  EXPECT_EQ(report_at(*reported.client, 1).status->status, OcspCertStatus::revoked);
  EXPECT_EQ(reported.client->peer_ocsp().summary_at(1).rfind("revoked", 0), 0u)
      << reported.client->peer_ocsp().summary_at(1);
  // ignore: not asked, not looked at.
  Pair ignored = run(client(OcspPolicy::ignore), hook_server({leaf_staple(), revoked}));
  ASSERT_TRUE(ignored.ok) << err(*ignored.client);
  expect_nothing_acknowledged(ignored);
}

TEST_P(OcspStapleV2, UnusableIntermediateStaplesAreRejected) {
  OcspBehavior expired;
  expired.this_update_offset = -std::chrono::hours(48);
  expired.next_update_offset = -std::chrono::hours(24);
  OcspBehavior unrelated_signer;
  unrelated_signer.signer = testing::OcspSignerChoice::unrelated;
  struct Bad {
    const char* name;
    Bytes staple;
    const char* reason;
  };
  const Bad bads[] = {
      {"expired", intermediate_staple(expired), "expired"},
      {"wrong signer", intermediate_staple(unrelated_signer), "invalid"},
      // the leaf's own (genuine, good) response in the intermediate's place:
      // signed by the intermediate, which is no responder for the root's
      // certificates (RFC 6960 §4.2.2.2)
      {"another certificate's", leaf_staple(), "lacks id-kp-OCSPSigning"},
      // signed by the intermediate itself rather than its issuer, the root
      {"signed by the certificate itself",
       staple(f().intermediate.cert.get(), f().intermediate.cert.get(), f().intermediate.key.get()), "invalid"},
      {"unknown", intermediate_staple(with_status(OcspCertStatus::unknown)), "says unknown"},
      {"garbage", Bytes{0x30, 0x03, 0x0a, 0x01, 0x00}, "invalid"},
  };
  for (const Bad& bad : bads) {
    SCOPED_TRACE(bad.name);
    Pair p = run(client(OcspPolicy::soft), hook_server({leaf_staple(), bad.staple}));
    expect_tls12(p);
    expect_client_refused(p, Alert::bad_certificate_status_response, "chain certificate 1");
    EXPECT_NE(p.client->error()->reason.find(bad.reason), std::string::npos) << err(*p.client);
  }
}

// ---- where the staples come from ------------------------------------------------------

TEST_P(OcspStapleV2, AsyncHookAnswersLaterWithEveryStaple) {
  auto sc = server();
  std::shared_ptr<PendingOcspStaple> handle;
  sc->ocsp_staple_hook_async = [&](const Credential&, const std::string&, std::shared_ptr<PendingOcspStaple> pending)
      -> std::optional<Result<std::vector<Bytes>>> {
    handle = std::move(pending);
    return std::nullopt;
  };
  auto c = Connection::client(client(OcspPolicy::require), "localhost");
  auto s = Connection::server(sc);
  auto wire = watch_server(*s);
  EXPECT_FALSE(pump_handshake(*c, *s));
  EXPECT_EQ(s->wait(), Wait::ocsp_staple);
  EXPECT_FALSE(wire->server_hello_seen);
  ASSERT_TRUE(handle);
  handle->provide({leaf_staple(), intermediate_staple()});
  ASSERT_TRUE(s->resume()) << err(*s);
  ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
  EXPECT_TRUE(wire->v2_acked());
  ASSERT_TRUE(wire->status);
  EXPECT_EQ(wire->status->ocsp_response_list.size(), 2u);
  expect_good(report_at(*c, 0));
  expect_good(report_at(*c, 1));
}

// An asynchronous credential source is told that status was asked for when
// only status_request_v2 carried the question.
TEST_P(OcspStapleV2, CredentialSourceSeesTheStatusRequest) {
  auto sc = server();
  sc->credentials.clear();
  bool status_requested = false;
  sc->credential_source_async = [&](const ClientHelloInfo& hello, std::shared_ptr<PendingCredentials>)
      -> std::optional<CredentialSnapshot> {
    status_requested = hello.status_requested;
    return std::make_shared<const std::vector<Credential>>(
        std::vector<Credential>{stapled(f().server_credential(), {leaf_staple(), intermediate_staple()})});
  };
  auto cc = client(OcspPolicy::require);
  Pair p = run(cc, sc);
  ASSERT_TRUE(p.ok) << err(*p.client);
  EXPECT_TRUE(status_requested);
  expect_good(report_at(*p.client, 1));
}

// A chain whose leaf and intermediate name their responders (AIA), the
// root given to the Stapler as the intermediate's issuer (servers do not
// send it): both are fetched, verified, kept fresh and stapled; an
// intermediate revoked at its responder stops being stapled at once.
TEST_P(OcspStapleV2, StaplerStaplesTheWholeChain) {
  testing::CertSpec ca;
  ca.cn = "vouch v2 test intermediate";
  ca.ca = true;
  ca.path_len = 0;
  ca.ocsp_url = "http://root-responder.test/";
  const testing::Issued inter = testing::issue(ca, f().root);
  testing::CertSpec leaf_spec;
  leaf_spec.cn = "localhost";
  leaf_spec.dns = {"localhost"};
  leaf_spec.eku = testing::CertSpec::Eku::server;
  leaf_spec.ocsp_url = "http://intermediate-responder.test/";
  const testing::Issued leaf = testing::issue(leaf_spec, inter);
  const Credential cred = testing::credential_from(leaf, {&inter});

  auto inter_signers = testing::make_ocsp_signers(inter.cert.get(), inter.key.get());
  auto root_signers = testing::make_ocsp_signers(f().root.cert.get(), f().root.key.get());
  ASSERT_TRUE(inter_signers.ok() && root_signers.ok());
  struct Responders {
    std::mutex mu;
    OcspBehavior root, intermediate;
    std::vector<std::string> urls;
  };
  auto responders = std::make_shared<Responders>();
  StaplerOptions opts;
  opts.staple_intermediates = true;
  opts.issuers = {f().root.der};
  opts.fetcher = [&, responders](const std::string& url, ByteView request) -> Result<Bytes> {
    std::lock_guard<std::mutex> lock(responders->mu);
    responders->urls.push_back(url);
    const bool root = url == "http://root-responder.test/";
    return testing::build_ocsp_response(root ? *root_signers : *inter_signers,
                                        root ? responders->root : responders->intermediate, request);
  };
  auto stapler = Stapler::create(opts);
  ASSERT_TRUE(stapler->add(cred).ok());
  stapler->poll();
  {
    std::lock_guard<std::mutex> lock(responders->mu);
    EXPECT_EQ(responders->urls.size(), 2u);
  }
  const auto states = stapler->state();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_TRUE(states[1].serving.has_value()) << states[1].last_error;
  auto sc = server();
  sc->credentials.clear();
  stapler->attach(*sc);

  Pair good = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(good.ok) << err(*good.client) << " / " << err(*good.server);
  expect_tls12(good);
  ASSERT_TRUE(good.wire->status);
  EXPECT_EQ(good.wire->status->status_type, CertificateStatusType::ocsp_multi);
  expect_good(report_at(*good.client, 0));
  expect_good(report_at(*good.client, 1));

  {  // the intermediate revoked at the root's responder
    std::lock_guard<std::mutex> lock(responders->mu);
    responders->root.status = OcspCertStatus::revoked;
  }
  stapler->refresh_now();
  stapler->poll();
  Pair after = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(after.ok) << err(*after.client);
  ASSERT_TRUE(after.wire->status);
  ASSERT_EQ(after.wire->status->ocsp_response_list.size(), 2u);
  EXPECT_FALSE(after.wire->status->ocsp_response_list[0].empty());
  EXPECT_TRUE(after.wire->status->ocsp_response_list[1].empty());  // never a revoked staple
  expect_good(report_at(*after.client, 0));
  EXPECT_FALSE(report_at(*after.client, 1).present);
}

// ---- sessions --------------------------------------------------------------------------

TEST_P(OcspStapleV2, ResumptionReportsEveryCertificatesStatus) {
  auto sc = stapling_server({leaf_staple(), intermediate_staple()});
  Pair full = run(client(OcspPolicy::require), sc);
  ASSERT_TRUE(full.ok) << err(*full.client);
  auto sessions = full.client->take_sessions();
  ASSERT_EQ(sessions.size(), 1u);
  const Session& session = *sessions[0];
  ASSERT_EQ(session.ocsp.staples.size(), 2u);
  ASSERT_TRUE(session.ocsp.staples[1].status);
  // Saved and read back (vouch connect --sess-out/--sess-in) it keeps both.
  Result<Session> decoded = Session::deserialize(session.serialize());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  ASSERT_EQ(decoded->ocsp.staples.size(), 2u);
  ASSERT_TRUE(decoded->ocsp.staples[1].status);
  EXPECT_EQ(decoded->ocsp.staples[1].response, session.ocsp.staples[1].response);

  Pair resumed = run(client(OcspPolicy::require), sc, std::make_shared<const Session>(std::move(*decoded)));
  ASSERT_TRUE(resumed.ok) << err(*resumed.client);
  EXPECT_TRUE(resumed.client->info().resumed);
  EXPECT_FALSE(resumed.wire->sent(HandshakeType::certificate_status));
  const PeerOcsp& o = resumed.client->peer_ocsp();
  EXPECT_TRUE(o.from_session);
  expect_good(report_at(*resumed.client, 1));
  EXPECT_NE(o.summary_at(1).find("[from the resumed session]"), std::string::npos) << o.summary_at(1);
}

// A session whose intermediate status has passed its nextUpdate is not
// offered: the full handshake gets fresh staples.
TEST_P(OcspStapleV2, NoResumptionPastAnIntermediatesNextUpdate) {
  auto sc = stapling_server({leaf_staple(), intermediate_staple()});
  Pair full = run(client(), sc);
  ASSERT_TRUE(full.ok) << err(*full.client);
  auto sessions = full.client->take_sessions();
  ASSERT_EQ(sessions.size(), 1u);
  const auto now = std::chrono::system_clock::now();
  ASSERT_TRUE(sessions[0]->usable(now));
  auto stale = std::make_shared<Session>(*sessions[0]);
  ASSERT_EQ(stale->ocsp.staples.size(), 2u);
  ASSERT_TRUE(stale->ocsp.staples[1].status);
  stale->ocsp.staples[1].status->next_update = now - std::chrono::seconds(1);
  EXPECT_FALSE(stale->usable(now));
  Pair again = run(client(), sc, stale);
  ASSERT_TRUE(again.ok) << err(*again.client);
  EXPECT_FALSE(again.client->info().resumed);
  expect_good(report_at(*again.client, 1));
}

INSTANTIATE_TEST_SUITE_P(OneSideTls12, OcspStapleV2, ::testing::Values(Limited::client, Limited::server),
                         limited_name);

// ---- TLS 1.3 ignores status_request_v2 -------------------------------------------------

// The client offers it (it may end up speaking TLS 1.2), a TLS 1.3 server
// answers status_request only: the staples travel in the CertificateEntries
// (RFC 8446 §4.4.2.1), leaf and intermediate alike.
TEST(OcspStapleV2Tls13, ServerNeverAnswersIt) {
  auto sc = server_config_for("ecdsa");
  sc->credentials[0] = stapled(sc->credentials[0], {leaf_staple(), intermediate_staple()});
  auto cc = client_config_for("ecdsa");
  cc->ocsp_policy = OcspPolicy::require;
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(sc);
  auto hello = watch_client_hello(*c);
  auto wire = watch_server(*s);
  ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
  EXPECT_EQ(c->info().version, ProtocolVersion::tls13);
  ASSERT_TRUE(hello->has_value());
  EXPECT_TRUE((*hello)->ext.status_request_v2.has_value());
  EXPECT_FALSE(has(wire->server_hello_extensions, kV2));
  EXPECT_FALSE(has(wire->encrypted_extensions, kV2));
  EXPECT_FALSE(wire->sent(HandshakeType::certificate_status));
  expect_good(report_at(*c, 0));
  expect_good(report_at(*c, 1));
}

// ---- which request a server answers (raw ClientHellos) ---------------------------------

std::vector<StatusRequestV2Item> items(std::initializer_list<CertificateStatusType> types) {
  std::vector<StatusRequestV2Item> out;
  for (CertificateStatusType t : types) out.push_back({t, OcspStatusRequest{}});
  return out;
}

Bytes hex_bytes_unknown_only() {
  // certificate_status_req_list: {9, request_length 2, ff ff}, {255, request_length 0}
  return Bytes{0x00, 0x08, 0x09, 0x00, 0x02, 0xff, 0xff, 0xff, 0x00, 0x00};
}

// The server's plaintext flight for one ClientHello: its messages by type,
// or the alert it sent.
struct Flight {
  std::optional<Alert> alert;
  std::vector<std::pair<uint8_t, Bytes>> messages;

  const Bytes* find(HandshakeType t) const {
    for (const auto& [type, body] : messages)
      if (type == static_cast<uint8_t>(t)) return &body;
    return nullptr;
  }
  std::vector<uint16_t> server_hello_extensions() const {
    ServerHello sh;
    const Bytes* b = find(HandshakeType::server_hello);
    if (b == nullptr || !parse(*b, sh).ok()) return {};
    return sh.ext.present;
  }
  std::optional<CertificateStatus> status() const {
    CertificateStatus cs;
    const Bytes* b = find(HandshakeType::certificate_status);
    if (b == nullptr || !parse(*b, cs).ok()) return std::nullopt;
    return cs;
  }
};

Flight answer(const Bytes& client_hello_message, std::shared_ptr<ServerConfig> sc) {
  auto server = Connection::server(std::move(sc));
  Bytes record;
  write_plaintext_record(ContentType::handshake, 0x0301, client_hello_message, record);
  const Status st = server->receive(record);
  Flight out;
  if (!st) out.alert = st.error().alert;
  // The records, as long as they are handshake records (before the server
  // would change cipher spec): their bodies form the message stream.
  const ByteView wire = server->pending_output();
  Bytes stream;
  for (size_t p = 0; p + 5 <= wire.size();) {
    const size_t len = (size_t{wire[p + 3]} << 8) | wire[p + 4];
    if (wire[p] != static_cast<uint8_t>(ContentType::handshake) || p + 5 + len > wire.size()) break;
    stream.insert(stream.end(), wire.begin() + static_cast<long>(p + 5), wire.begin() + static_cast<long>(p + 5 + len));
    p += 5 + len;
  }
  Reader r(stream);
  while (!r.empty()) {
    uint8_t type = 0;
    Bytes body;
    if (!r.u8(type) || !r.copy_prefixed24(body)) break;
    out.messages.emplace_back(type, std::move(body));
  }
  return out;
}

std::shared_ptr<ServerConfig> server12_with(std::vector<Bytes> staples) {
  auto sc = server_config_for("ecdsa");
  sc->max_version = ProtocolVersion::tls12;
  if (!staples.empty()) sc->credentials[0] = stapled(sc->credentials[0], std::move(staples));
  return sc;
}

TEST(OcspStapleV2ServerChoice, ClientPreferenceDecides) {
  using T = CertificateStatusType;
  const Bytes leaf = leaf_staple();
  const Bytes inter = intermediate_staple();
  struct Case {
    const char* name;
    bool v1;
    std::optional<std::vector<StatusRequestV2Item>> v2;
    std::vector<Bytes> staples;
    // expected: which extension the ServerHello acknowledges (0: none) and
    // what the CertificateStatus holds
    uint16_t acked;
    std::optional<T> type;
    std::vector<Bytes> list;  // ocsp_multi
  };
  const Case cases[] = {
      {"v2 ocsp_multi, ocsp + v1", true, items({T::ocsp_multi, T::ocsp}), {leaf, inter}, kV2, T::ocsp_multi,
       {leaf, inter}},
      {"v2 ocsp_multi only", false, items({T::ocsp_multi}), {leaf, inter}, kV2, T::ocsp_multi, {leaf, inter}},
      // "when v2 carries only the ocsp item": the leaf's response, type ocsp
      {"v2 ocsp only", false, items({T::ocsp}), {leaf, inter}, kV2, T::ocsp, {}},
      {"v2 ocsp only + v1", true, items({T::ocsp}), {leaf, inter}, kV2, T::ocsp, {}},
      // the client prefers the leaf's status alone
      {"v2 ocsp, ocsp_multi", false, items({T::ocsp, T::ocsp_multi}), {leaf, inter}, kV2, T::ocsp, {}},
      // ... but the server has nothing for the leaf: the next item
      {"v2 ocsp, ocsp_multi; intermediate only", false, items({T::ocsp, T::ocsp_multi}), {Bytes{}, inter}, kV2,
       T::ocsp_multi, {Bytes{}, inter}},
      {"v2 ocsp + v1; intermediate only", true, items({T::ocsp}), {Bytes{}, inter}, 0, std::nullopt, {}},
      {"v2 ocsp_multi; leaf only", false, items({T::ocsp_multi}), {leaf}, kV2, T::ocsp_multi, {leaf, Bytes{}}},
      // types vouch does not know were skipped: status_request answers
      {"v2 of unknown types + v1", true, std::vector<StatusRequestV2Item>{}, {leaf, inter}, kV1, T::ocsp, {}},
      {"v2 of unknown types", false, std::vector<StatusRequestV2Item>{}, {leaf, inter}, 0, std::nullopt, {}},
      {"v1 only", true, std::nullopt, {leaf, inter}, kV1, T::ocsp, {}},
      {"no staples", true, items({T::ocsp_multi, T::ocsp}), {}, 0, std::nullopt, {}},
      {"nothing asked", false, std::nullopt, {leaf, inter}, 0, std::nullopt, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ClientHello ch = testing::minimal_client_hello12(0x6d);
    if (c.v1) ch.ext.status_request = OcspStatusRequest{};
    if (c.v2) ch.ext.status_request_v2 = c.v2;
    // A list of unknown types only is written by hand (vouch's writer
    // leaves out an extension it has nothing to put in): status types 9 and
    // 255 with request bodies vouch cannot read.
    const Bytes message = c.v2 && c.v2->empty()
                              ? testing::with_raw_extension(ch, kV2, hex_bytes_unknown_only())
                              : framed(HandshakeType::client_hello, ch);
    const Flight flight = answer(message, server12_with(c.staples));
    ASSERT_FALSE(flight.alert) << alert_name(*flight.alert);
    const std::vector<uint16_t> acks = flight.server_hello_extensions();
    ASSERT_NE(flight.find(HandshakeType::server_hello), nullptr);
    // Never both (RFC 6961 §1: a single status method).
    EXPECT_EQ(has(acks, kV1), c.acked == kV1);
    EXPECT_EQ(has(acks, kV2), c.acked == kV2);
    const std::optional<CertificateStatus> cs = flight.status();
    ASSERT_EQ(cs.has_value(), c.type.has_value());
    if (!cs) continue;
    EXPECT_EQ(cs->status_type, *c.type);
    if (*c.type == T::ocsp)
      EXPECT_EQ(cs->ocsp_response, leaf);
    else
      EXPECT_EQ(cs->ocsp_response_list, c.list);
  }
}

// RFC 6961 §2.2: request_length lets a server step over items of status
// types it does not know, wherever they are in the list; and the
// OCSPStatusRequest's responder list and extensions do not stop vouch from
// answering with the staples it has (its sources fetch for themselves).
TEST(OcspStapleV2ServerChoice, UnknownItemsAreSkipped) {
  const Bytes leaf = leaf_staple();
  const Bytes inter = intermediate_staple();
  const Bytes bodies[] = {
      // {7, "abcdef"}, {ocsp_multi, empty request}, {255, nothing}
      {0x00, 0x10, 0x07, 0x00, 0x03, 0xab, 0xcd, 0xef, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00},
      // {ocsp_multi, responder_id_list {aabb}, request_extensions 300100}
      {0x00, 0x0e, 0x02, 0x00, 0x0b, 0x00, 0x04, 0x00, 0x02, 0xaa, 0xbb, 0x00, 0x03, 0x30, 0x01, 0x00},
  };
  for (const Bytes& body : bodies) {
    const Flight flight = answer(testing::with_raw_extension(testing::minimal_client_hello12(0x6d), kV2, body), server12_with({leaf, inter}));
    ASSERT_FALSE(flight.alert) << alert_name(*flight.alert);
    EXPECT_TRUE(has(flight.server_hello_extensions(), kV2));
    const std::optional<CertificateStatus> cs = flight.status();
    ASSERT_TRUE(cs);
    EXPECT_EQ(cs->status_type, CertificateStatusType::ocsp_multi);
    EXPECT_EQ(cs->ocsp_response_list, (std::vector<Bytes>{leaf, inter}));
  }
}

}  // namespace
}  // namespace vouch
