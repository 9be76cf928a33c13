// The server's hooks into its answer to a ClientHello, both versions, in
// memory between a vouch client and a vouch server (what the
// OpenSSL-compatible layer maps libssl's callbacks onto):
//  - ServerConfig::server_name_hook (OpenSSL's servername callback): called
//    for every ClientHello, with or without SNI, also when resuming, before
//    the ALPN and certificate choices it may steer; acknowledge or not; fail
//    with its alert;
//  - ServerConfig::alpn_selector (OpenSSL's ALPN select callback): the
//    application's choice among the client's protocols, none, a failure, a
//    protocol the client did not offer refused;
//  - ServerSessionCache as a base class (OpenSSL's external session cache
//    callbacks): put/get of a subclass, and stores_sessions() false giving
//    a TLS 1.2 session no ID.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "handshake/test_hooks.h"
#include "msg/messages.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "vouch/session.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;

std::string errors_of(const Connection& c, const Connection& s) {
  return "client: " + (c.error() ? c.error()->to_string() : std::string("ok")) +
         " / server: " + (s.error() ? s.error()->to_string() : std::string("ok"));
}

class ServerHooks : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  ProtocolVersion version() const { return GetParam(); }
  bool tls12() const { return version() == ProtocolVersion::tls12; }
  std::shared_ptr<ClientConfig> client() const {
    auto cc = client_config_for("ecdsa");
    cc->min_version = cc->max_version = version();
    return cc;
  }
  std::shared_ptr<ServerConfig> server() const {
    auto sc = server_config_for("ecdsa");
    sc->ticket_keys = std::make_shared<TicketKeys>();
    return sc;
  }
};

// Whether the server acknowledged the SNI: an empty server_name in its
// EncryptedExtensions (TLS 1.3) or ServerHello (TLS 1.2, RFC 6066 §3).
struct AckWatch {
  bool seen = false;
  bool acked = false;
  void attach(Connection& server, bool tls12) {
    test_hooks::set_outgoing_message_hook(server, [this, tls12](const Bytes& m) {
      const ByteView body = ByteView(m).subspan(4);
      if (tls12 && m[0] == static_cast<uint8_t>(HandshakeType::server_hello)) {
        ServerHello sh;
        if (parse(body, sh)) {
          seen = true;
          acked = sh.ext.server_name_ack;
        }
      } else if (!tls12 && m[0] == static_cast<uint8_t>(HandshakeType::encrypted_extensions)) {
        EncryptedExtensions ee;
        if (parse(body, ee)) {
          seen = true;
          acked = ee.ext.server_name_ack;
        }
      }
      return std::vector<Bytes>{m};
    });
  }
};

TEST_P(ServerHooks, ServerNameHookAcknowledgesOrNot) {
  for (bool ack : {true, false}) {
    SCOPED_TRACE(ack ? "acknowledge" : "do not acknowledge");
    auto sc = server();
    std::vector<std::string> names;
    sc->server_name_hook = [&](const std::string& name) -> Result<bool> {
      names.push_back(name);
      return ack;
    };
    auto c = Connection::client(client(), "localhost");
    auto s = Connection::server(sc);
    AckWatch watch;
    watch.attach(*s, tls12());
    ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
    EXPECT_EQ(names, std::vector<std::string>{"localhost"});
    EXPECT_TRUE(watch.seen);
    EXPECT_EQ(watch.acked, ack);
    EXPECT_EQ(s->info().server_name, "localhost");
  }
}

TEST_P(ServerHooks, ServerNameHookRunsWithoutSniAndOnResumption) {
  auto sc = server();
  std::vector<std::string> names;
  sc->server_name_hook = [&](const std::string& name) -> Result<bool> {
    names.push_back(name);
    return true;
  };
  // No SNI: the name to verify comes from verify_name.
  auto cc = client();
  cc->verify_name = "localhost";
  auto c = Connection::client(cc, "");
  auto s = Connection::server(sc);
  AckWatch watch;
  watch.attach(*s, tls12());
  ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  EXPECT_EQ(names, std::vector<std::string>{""});
  EXPECT_FALSE(watch.acked) << "nothing to acknowledge";

  // A resumed handshake asks again.
  names.clear();
  auto first = Connection::client(client(), "localhost");
  auto s1 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*first, *s1)) << errors_of(*first, *s1);
  if (!tls12()) testing::send_and_receive(*s1, *first, "tickets");
  auto sessions = first->take_sessions();
  ASSERT_FALSE(sessions.empty());
  auto again = Connection::client(client(), "localhost", sessions.back());
  auto s2 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*again, *s2)) << errors_of(*again, *s2);
  EXPECT_TRUE(again->info().resumed);
  EXPECT_EQ(names, (std::vector<std::string>{"localhost", "localhost"}));
}

TEST_P(ServerHooks, ServerNameHookFailsTheHandshakeWithItsAlert) {
  auto sc = server();
  sc->server_name_hook = [](const std::string& name) -> Result<bool> {
    return fail(Alert::unrecognized_name, "no certificate for " + name);
  };
  auto c = Connection::client(client(), "localhost");
  auto s = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*c, *s));
  ASSERT_NE(s->error(), nullptr);
  EXPECT_EQ(s->error()->alert, Alert::unrecognized_name);
  EXPECT_FALSE(s->error()->from_peer);
  ASSERT_NE(c->error(), nullptr);
  EXPECT_EQ(c->error()->alert, Alert::unrecognized_name);
  EXPECT_TRUE(c->error()->from_peer);
}

// The order of the hooks, and the name steering the certificate: the hook
// picks the RSA credential for one name.
TEST_P(ServerHooks, ServerNameHookRunsBeforeAlpnAndCertificateChoice) {
  auto sc = server();
  std::vector<std::string> order;
  bool use_rsa = false;
  sc->server_name_hook = [&](const std::string& name) -> Result<bool> {
    order.push_back("server_name");
    use_rsa = name == "localhost";
    return true;
  };
  sc->alpn_selector = [&](const std::vector<std::string>& offered) -> Result<std::optional<std::string>> {
    order.push_back("alpn");
    return std::optional<std::string>(offered.front());
  };
  sc->credential_source_async = [&](const ClientHelloInfo& hello,
                                    std::shared_ptr<PendingCredentials>) -> std::optional<CredentialSnapshot> {
    order.push_back("certificate alpn=" + hello.alpn);
    const auto& f = use_rsa ? testing::test_pki().rsa() : testing::test_pki().ecdsa();
    return std::make_shared<const std::vector<Credential>>(std::vector<Credential>{f.server_credential()});
  };
  auto cc = client();
  cc->trust = TrustStore::from_pem_file(testing::test_pki().all_roots_path()).value();
  cc->alpn = {"h2"};
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  EXPECT_EQ(order, (std::vector<std::string>{"server_name", "alpn", "certificate alpn=h2"}));
  EXPECT_NE(c->peer_subject().find("localhost"), std::string::npos);
  EXPECT_EQ(c->peer_chain().size(), 2u);
  // The leaf is the RSA family's.
  const Bytes& leaf = c->peer_chain().front();
  const auto rsa_leaf = testing::test_pki().rsa().server_credential().chain_der().front();
  EXPECT_EQ(leaf, rsa_leaf);
}

TEST_P(ServerHooks, AlpnSelectorChoosesAmongTheClientsProtocols) {
  auto sc = server();
  sc->alpn = {"h2"};  // the selector takes precedence
  std::vector<std::vector<std::string>> calls;
  sc->alpn_selector = [&](const std::vector<std::string>& offered) -> Result<std::optional<std::string>> {
    calls.push_back(offered);
    return std::optional<std::string>(offered.back());
  };
  auto cc = client();
  cc->alpn = {"h2", "http/1.1"};
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  EXPECT_EQ(calls, (std::vector<std::vector<std::string>>{{"h2", "http/1.1"}}));
  EXPECT_EQ(c->info().alpn, "http/1.1");
  EXPECT_EQ(s->info().alpn, "http/1.1");

  // A client without ALPN: the selector is not asked, nothing is chosen.
  calls.clear();
  auto plain = Connection::client(client(), "localhost");
  auto s2 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*plain, *s2)) << errors_of(*plain, *s2);
  EXPECT_TRUE(calls.empty());
  EXPECT_EQ(plain->info().alpn, "");
}

TEST_P(ServerHooks, AlpnSelectorMayChooseNone) {
  auto sc = server();
  sc->alpn_selector = [](const std::vector<std::string>&) -> Result<std::optional<std::string>> {
    return std::optional<std::string>();
  };
  auto cc = client();
  cc->alpn = {"h2"};
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  EXPECT_EQ(c->info().alpn, "");
  EXPECT_EQ(s->info().alpn, "");
}

TEST_P(ServerHooks, AlpnSelectorFailuresAndForeignChoices) {
  struct Case {
    const char* name;
    std::function<Result<std::optional<std::string>>(const std::vector<std::string>&)> selector;
    Alert alert;
  };
  const Case cases[] = {
      {"refuses",
       [](const std::vector<std::string>&) -> Result<std::optional<std::string>> {
         return fail(Alert::no_application_protocol, "nothing we speak");
       },
       Alert::no_application_protocol},
      {"chooses a protocol not offered",
       [](const std::vector<std::string>&) -> Result<std::optional<std::string>> {
         return std::optional<std::string>("spdy/3");
       },
       Alert::internal_error},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    auto sc = server();
    sc->alpn_selector = k.selector;
    auto cc = client();
    cc->alpn = {"h2"};
    auto c = Connection::client(cc, "localhost");
    auto s = Connection::server(sc);
    EXPECT_FALSE(pump_handshake(*c, *s));
    ASSERT_NE(s->error(), nullptr);
    EXPECT_EQ(s->error()->alert, k.alert) << s->error()->to_string();
    ASSERT_NE(c->error(), nullptr);
    EXPECT_TRUE(c->error()->from_peer);
  }
}

TEST_P(ServerHooks, AlpnSelectorIsAskedOnResumption) {
  auto sc = server();
  int calls = 0;
  sc->alpn_selector = [&](const std::vector<std::string>& offered) -> Result<std::optional<std::string>> {
    ++calls;
    return std::optional<std::string>(offered.front());
  };
  auto cc = client();
  cc->alpn = {"h2"};
  auto first = Connection::client(cc, "localhost");
  auto s1 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*first, *s1)) << errors_of(*first, *s1);
  if (!tls12()) testing::send_and_receive(*s1, *first, "tickets");
  auto sessions = first->take_sessions();
  ASSERT_FALSE(sessions.empty());
  auto again = Connection::client(cc, "localhost", sessions.back());
  auto s2 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*again, *s2)) << errors_of(*again, *s2);
  EXPECT_TRUE(again->info().resumed);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(again->info().alpn, "h2");
}

INSTANTIATE_TEST_SUITE_P(Versions, ServerHooks, ::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                         [](const auto& p) { return p.param == ProtocolVersion::tls12 ? "TLS12" : "TLS13"; });

// ---- ServerSessionCache as a base class (TLS 1.2 session IDs) ----------

// Keeps sessions in a map of its own and records what the server asked.
class RecordingCache : public ServerSessionCache {
 public:
  explicit RecordingCache(bool stores) : ServerSessionCache(0), stores_(stores) {}
  void put(ByteView id, Bytes state, std::chrono::system_clock::time_point) override {
    ++puts;
    kept[key(id)] = std::move(state);
  }
  std::optional<Bytes> get(ByteView id) const override {
    ++gets;
    auto it = kept.find(key(id));
    if (it == kept.end()) return std::nullopt;
    return it->second;
  }
  bool stores_sessions() const override { return stores_; }

  // Keyed by the id's bytes as a string (std::map over Bytes trips a GCC 12
  // false -Wstringop-overread).
  static std::string key(ByteView id) { return std::string(id.begin(), id.end()); }

  int puts = 0;
  mutable int gets = 0;
  std::map<std::string, Bytes> kept;

 private:
  bool stores_;
};

std::shared_ptr<ClientConfig> client12() {
  auto cc = client_config_for("ecdsa");
  cc->max_version = ProtocolVersion::tls12;
  return cc;
}

std::shared_ptr<ServerConfig> server12_with(std::shared_ptr<ServerSessionCache> cache) {
  auto sc = server_config_for("ecdsa");
  sc->tickets12 = false;  // session IDs
  sc->session_cache12 = std::move(cache);
  return sc;
}

TEST(ServerSessionCacheSubclass, KeepsAndFindsSessions) {
  auto cache = std::make_shared<RecordingCache>(true);
  auto sc = server12_with(cache);
  auto c = Connection::client(client12(), "localhost");
  auto s = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  EXPECT_EQ(cache->puts, 1);
  EXPECT_EQ(cache->gets, 0) << "the client offered no session";
  auto sessions = c->take_sessions();
  ASSERT_EQ(sessions.size(), 1u);
  ASSERT_EQ(sessions.front()->session_id.size(), 32u);
  EXPECT_EQ(cache->kept.count(RecordingCache::key(sessions.front()->session_id)), 1u);

  auto again = Connection::client(client12(), "localhost", sessions.front());
  auto s2 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*again, *s2)) << errors_of(*again, *s2);
  EXPECT_TRUE(again->info().resumed);
  EXPECT_TRUE(s2->info().resumed);
  EXPECT_EQ(cache->gets, 1);
  EXPECT_EQ(cache->puts, 1) << "a resumed session is not put again";

  // What get() answers decides: a cache that lost the session gives a full
  // handshake.
  cache->kept.clear();
  auto third = Connection::client(client12(), "localhost", sessions.front());
  auto s3 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*third, *s3)) << errors_of(*third, *s3);
  EXPECT_FALSE(third->info().resumed);
  EXPECT_EQ(cache->puts, 2);
}

TEST(ServerSessionCacheSubclass, NotStoringGivesNoSessionId) {
  auto cache = std::make_shared<RecordingCache>(false);
  auto sc = server12_with(cache);
  auto c = Connection::client(client12(), "localhost");
  auto s = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  EXPECT_EQ(cache->puts, 0);
  for (const auto& session : c->take_sessions()) {
    EXPECT_TRUE(session->session_id.empty());
    EXPECT_TRUE(session->ticket.empty());
  }
}

TEST(ServerSessionCacheSubclass, ZeroCapacityGivesNoSessionId) {
  auto sc = server12_with(std::make_shared<ServerSessionCache>(0));
  auto c = Connection::client(client12(), "localhost");
  auto s = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  for (const auto& session : c->take_sessions()) EXPECT_TRUE(session->session_id.empty());
}

}  // namespace
}  // namespace vouch
