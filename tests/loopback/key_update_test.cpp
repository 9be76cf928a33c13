// KeyUpdate (RFC 8446 §4.6.3) seen on the wire: a KeyUpdate with
// update_requested is answered by exactly one KeyUpdate with
// update_not_requested, before the answering side's next data; one without
// is not answered; data keeps flowing under the new keys. A passive observer
// opens each direction's records with the secrets from the key log, so the
// check does not depend on what either implementation says of itself. vouch
// against vouch and against libssl, both roles, in memory.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "support/libssl_peer.h"
#include "support/loopback.h"
#include "support/traffic_observer.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::server_config_for;
using testing::take_output;
using testing::TrafficObserver;

// A vouch client and server that completed a handshake, each direction watched.
struct Pair {
  std::vector<std::string> keylog;
  std::unique_ptr<Connection> client, server;
  std::unique_ptr<TrafficObserver> from_client, from_server;

  Pair() {
    auto cc = client_config_for("ecdsa");
    cc->keylog = [this](const std::string& line) { keylog.push_back(line); };
    client = Connection::client(cc, "localhost");
    server = Connection::server(server_config_for("ecdsa"));
    // The handshake, keeping every byte: the observers count records from
    // the first under the application keys (the server's tickets included).
    Bytes client_wire, server_wire;
    EXPECT_TRUE(client->start());
    for (int i = 0; i < 32; ++i) {
      const Bytes c = take_output(*client);
      client_wire.insert(client_wire.end(), c.begin(), c.end());
      if (!c.empty()) (void)server->receive(c);
      const Bytes s = take_output(*server);
      server_wire.insert(server_wire.end(), s.begin(), s.end());
      if (!s.empty()) (void)client->receive(s);
      if (c.empty() && s.empty()) break;
    }
    EXPECT_TRUE(client->handshake_complete() && server->handshake_complete());
    const CipherSuite suite = client->info().cipher_suite;
    from_client = std::make_unique<TrafficObserver>(suite, testing::keylog_secret(keylog, "CLIENT_TRAFFIC_SECRET_0"));
    from_server = std::make_unique<TrafficObserver>(suite, testing::keylog_secret(keylog, "SERVER_TRAFFIC_SECRET_0"));
    EXPECT_TRUE(from_client->feed(client_wire));
    EXPECT_TRUE(from_server->feed(server_wire));
  }
  Connection& side(bool is_client) { return is_client ? *client : *server; }
  TrafficObserver& watching(bool is_client) { return is_client ? *from_client : *from_server; }

  // Moves what `from` queued to the other side, through its observer.
  void move(bool from_client_side) {
    Connection& from = side(from_client_side);
    Connection& to = side(!from_client_side);
    const Bytes wire = take_output(from);
    EXPECT_TRUE(watching(from_client_side).feed(wire));
    if (!wire.empty()) {
      EXPECT_TRUE(to.receive(wire)) << to.error()->to_string();
    }
  }
  // `from` writes `text`; both directions are moved (answers included).
  std::string say(bool from_client_side, const std::string& text) {
    EXPECT_TRUE(side(from_client_side).write(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
    move(from_client_side);
    move(!from_client_side);
    Connection& to = side(!from_client_side);
    std::string got(to.pending_application_data(), '\0');
    (void)to.read(std::span<uint8_t>(reinterpret_cast<uint8_t*>(got.data()), got.size()));
    return got;
  }
};

class KeyUpdateVouch : public ::testing::TestWithParam<bool> {};  // the requester is the client?

TEST_P(KeyUpdateVouch, RequestedIsAnsweredOnceBeforeTheAnswerersData) {
  const bool requester = GetParam();
  Pair p;
  ASSERT_TRUE(p.side(requester).key_update(true));
  p.move(requester);
  p.move(!requester);  // the answer, sent as soon as the request was read
  EXPECT_EQ(p.watching(requester).key_updates(), std::vector<bool>{true});
  EXPECT_EQ(p.watching(!requester).key_updates(), std::vector<bool>{false});
  // Both directions work under the new keys.
  EXPECT_EQ(p.say(!requester, "after the answer"), "after the answer");
  EXPECT_EQ(p.say(requester, "and back"), "and back");
  EXPECT_EQ(p.watching(!requester).data_before_key_update(), std::vector<size_t>{0});
  // Requested again: answered again.
  ASSERT_TRUE(p.side(requester).key_update(true));
  EXPECT_EQ(p.say(requester, "second"), "second");
  EXPECT_EQ(p.watching(!requester).key_updates(), (std::vector<bool>{false, false}));
  EXPECT_EQ(p.say(!requester, "under the third keys"), "under the third keys");
}

TEST_P(KeyUpdateVouch, NotRequestedIsNotAnswered) {
  const bool requester = GetParam();
  Pair p;
  ASSERT_TRUE(p.side(requester).key_update(false));
  EXPECT_EQ(p.say(requester, "one way"), "one way");
  EXPECT_EQ(p.say(!requester, "the other"), "the other");
  EXPECT_EQ(p.watching(requester).key_updates(), std::vector<bool>{false});
  EXPECT_TRUE(p.watching(!requester).key_updates().empty());
}

INSTANTIATE_TEST_SUITE_P(Requester, KeyUpdateVouch, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "client" : "server"; });

// ---- against libssl -------------------------------------------------------------

struct WithLibssl {
  std::vector<std::string> keylog;
  std::unique_ptr<Connection> vouch;
  std::unique_ptr<testing::LibsslPeer> peer;
  std::unique_ptr<TrafficObserver> from_vouch, from_peer;

  explicit WithLibssl(bool vouch_is_client) {
    testing::LibsslPeerOptions o;
    o.server = vouch_is_client;
    o.min_version = TLS1_3_VERSION;
    o.max_version = TLS1_3_VERSION;
    peer = std::make_unique<testing::LibsslPeer>(o);
    auto log = [this](const std::string& line) { keylog.push_back(line); };
    if (vouch_is_client) {
      auto cc = client_config_for("ecdsa");
      cc->keylog = log;
      vouch = Connection::client(cc, "localhost");
    } else {
      auto sc = server_config_for("ecdsa");
      sc->keylog = log;
      vouch = Connection::server(sc);
    }
    // The handshake, keeping every byte (see Pair).
    Bytes vouch_wire, peer_wire;
    (void)vouch->start();
    for (int i = 0; i < 32; ++i) {
      const Bytes v = take_output(*vouch);
      vouch_wire.insert(vouch_wire.end(), v.begin(), v.end());
      const Bytes l = peer->step(v);
      peer_wire.insert(peer_wire.end(), l.begin(), l.end());
      if (!l.empty()) (void)vouch->receive(l);
      if (v.empty() && l.empty()) break;
    }
    EXPECT_TRUE(vouch->handshake_complete() && peer->done());
    const CipherSuite suite = vouch->info().cipher_suite;
    const std::string mine = vouch_is_client ? "CLIENT_TRAFFIC_SECRET_0" : "SERVER_TRAFFIC_SECRET_0";
    const std::string theirs = vouch_is_client ? "SERVER_TRAFFIC_SECRET_0" : "CLIENT_TRAFFIC_SECRET_0";
    from_vouch = std::make_unique<TrafficObserver>(suite, testing::keylog_secret(keylog, mine));
    from_peer = std::make_unique<TrafficObserver>(suite, testing::keylog_secret(keylog, theirs));
    EXPECT_TRUE(from_vouch->feed(vouch_wire));
    EXPECT_TRUE(from_peer->feed(peer_wire));
  }
  // vouch's output to libssl, then libssl's to vouch.
  void exchange() {
    const Bytes out = take_output(*vouch);
    EXPECT_TRUE(from_vouch->feed(out));
    const Bytes back = peer->step(out);
    EXPECT_TRUE(from_peer->feed(back));
    if (!back.empty()) {
      EXPECT_TRUE(vouch->receive(back)) << vouch->error()->to_string();
    }
  }
  void peer_writes(const std::string& text) {
    peer->write(text);
    const Bytes back = peer->drain();
    EXPECT_TRUE(from_peer->feed(back));
    EXPECT_TRUE(vouch->receive(back)) << vouch->error()->to_string();
  }
  std::string vouch_reads() {
    std::string got(vouch->pending_application_data(), '\0');
    (void)vouch->read(std::span<uint8_t>(reinterpret_cast<uint8_t*>(got.data()), got.size()));
    return got;
  }
};

class KeyUpdateLibssl : public ::testing::TestWithParam<bool> {};  // vouch is the client?

// vouch asks; libssl's KeyUpdate(update_not_requested) comes before its data.
TEST_P(KeyUpdateLibssl, VouchRequestsLibsslAnswers) {
  WithLibssl w(GetParam());
  ASSERT_TRUE(w.vouch->key_update(true));
  w.exchange();
  w.peer_writes("pong");
  EXPECT_EQ(w.vouch_reads(), "pong");
  EXPECT_EQ(w.from_vouch->key_updates(), std::vector<bool>{true});
  EXPECT_EQ(w.from_peer->key_updates(), std::vector<bool>{false});
  EXPECT_EQ(w.from_peer->data_before_key_update(), std::vector<size_t>{0});
  EXPECT_EQ(w.from_peer->data(), "pong");
}

// libssl asks; vouch answers at once, and libssl reads vouch's data under the
// keys the answer announced.
TEST_P(KeyUpdateLibssl, LibsslRequestsVouchAnswers) {
  WithLibssl w(GetParam());
  ASSERT_EQ(SSL_key_update(w.peer->ssl(), SSL_KEY_UPDATE_REQUESTED), 1);
  w.peer_writes("ping");  // sends the KeyUpdate, then the data
  EXPECT_EQ(w.vouch_reads(), "ping");
  EXPECT_EQ(w.from_peer->key_updates(), std::vector<bool>{true});
  const std::string text = "answered";
  ASSERT_TRUE(w.vouch->write(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
  w.exchange();
  EXPECT_EQ(w.from_vouch->key_updates(), std::vector<bool>{false});
  EXPECT_EQ(w.from_vouch->data_before_key_update(), std::vector<size_t>{0});
  EXPECT_EQ(w.peer->received, "answered");
}

INSTANTIATE_TEST_SUITE_P(VouchRole, KeyUpdateLibssl, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "client" : "server"; });

}  // namespace
}  // namespace vouch
