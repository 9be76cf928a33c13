// What an established connection keeps once the handshake is over (issue 13,
// docs/performance.md): no receive or send buffer while idle
// (Connection::buffer_capacity() is 0), handshake-only state released — and
// everything an established connection does still works afterwards, in both
// versions and both roles: application data both ways, TLS 1.3 KeyUpdate
// (RFC 8446 §4.6.3), NewSessionTickets arriving after the client went idle
// and resumption with them (§4.6.1), exporters (RFC 8446 §7.5, RFC 5705),
// the peer's chain, large and odd-sized transfers through small and large
// read buffers, and a corrupted record still ending in bad_record_mac.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/libssl_peer.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::server_config_for;
using testing::take_output;
using testing::test_pki;
using testing::transfer;

struct Params {
  ProtocolVersion version;
  CipherSuite suite;
};

std::string name_of(const ::testing::TestParamInfo<Params>& p) {
  return std::string(p.param.version == ProtocolVersion::tls13 ? "tls13_" : "tls12_") +
         (p.param.suite == CipherSuite::TLS_AES_128_GCM_SHA256 ||
                  p.param.suite == CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
              ? "aes128gcm"
              : "chacha20");
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
  return b;
}

class IdleRelease : public ::testing::TestWithParam<Params> {
 protected:
  std::shared_ptr<ClientConfig> cc = client_config_for("ecdsa");
  std::shared_ptr<ServerConfig> sc = server_config_for("ecdsa");
  std::unique_ptr<Connection> client, server;

  void SetUp() override {
    for (CommonConfig* c : {static_cast<CommonConfig*>(cc.get()), static_cast<CommonConfig*>(sc.get())}) {
      c->min_version = c->max_version = GetParam().version;
      if (GetParam().version == ProtocolVersion::tls13) {
        c->cipher_suites = {GetParam().suite};
      } else {
        c->cipher_suites12 = {GetParam().suite};
      }
    }
  }

  void connect(std::shared_ptr<const Session> session = nullptr) {
    client = Connection::client(cc, "localhost", std::move(session));
    server = Connection::server(sc);
    ASSERT_TRUE(testing::pump_handshake(*client, *server));
    ASSERT_EQ(client->info().cipher_suite, GetParam().suite);
  }

  // Writes `data` on `from`, delivers it in one go, reads it back through a
  // buffer of `chunk` bytes.
  Bytes send(Connection& from, Connection& to, const Bytes& data, size_t chunk) {
    EXPECT_TRUE(from.write(data));
    const Bytes wire = take_output(from);
    EXPECT_EQ(from.buffer_capacity(), 0u) << "send buffer kept after consume_output";
    EXPECT_TRUE(to.receive(wire));
    Bytes got;
    Bytes buf(chunk);
    for (size_t n; (n = to.read(buf)) != 0;) got.insert(got.end(), buf.begin(), buf.begin() + n);
    return got;
  }

  // The client's next two records, `first` and 2000 bytes after it, with
  // one bit of the second record flipped.
  Bytes second_record_corrupted(const Bytes& first) {
    EXPECT_TRUE(client->write(first));
    EXPECT_TRUE(client->write(pattern(2000, 5)));
    Bytes wire = take_output(*client);
    wire[wire.size() - 20] ^= 0x01;  // inside the second record
    return wire;
  }
};

TEST_P(IdleRelease, NoBuffersHeldOnceEstablishedAndIdle) {
  connect();
  // pump_handshake delivered everything, the tickets included.
  EXPECT_EQ(client->buffer_capacity(), 0u);
  EXPECT_EQ(server->buffer_capacity(), 0u);
  const Bytes msg = pattern(100, 1);
  EXPECT_EQ(send(*client, *server, msg, 4096), msg);
  EXPECT_EQ(send(*server, *client, msg, 4096), msg);
  EXPECT_EQ(client->buffer_capacity(), 0u);
  EXPECT_EQ(server->buffer_capacity(), 0u);
}

TEST_P(IdleRelease, BuffersHeldOnlyWhileSomethingIsInThem) {
  connect();
  // Output not taken yet is kept, and so is data not read yet.
  ASSERT_TRUE(client->write(pattern(3000, 2)));
  EXPECT_GT(client->buffer_capacity(), 3000u);
  ASSERT_TRUE(server->receive(take_output(*client)));
  EXPECT_EQ(client->buffer_capacity(), 0u);
  EXPECT_EQ(server->pending_application_data(), 3000u);
  EXPECT_GT(server->buffer_capacity(), 0u);
  uint8_t part[1000];
  EXPECT_EQ(server->read(part), sizeof part);
  EXPECT_GT(server->buffer_capacity(), 0u);
  Bytes rest(4000);
  EXPECT_EQ(server->read(rest), 2000u);
  EXPECT_EQ(server->buffer_capacity(), 0u);
  // Half a record is kept until the rest arrives.
  ASSERT_TRUE(server->write(pattern(500, 3)));
  const Bytes wire = take_output(*server);
  ASSERT_TRUE(client->receive(ByteView(wire).first(100)));
  EXPECT_GT(client->buffer_capacity(), 0u);
  ASSERT_TRUE(client->receive(ByteView(wire).subspan(100)));
  Bytes buf(1000);
  EXPECT_EQ(client->read(buf), 500u);
  EXPECT_EQ(Bytes(buf.begin(), buf.begin() + 500), pattern(500, 3));
  EXPECT_EQ(client->buffer_capacity(), 0u);
}

TEST_P(IdleRelease, DataFlowsBothWaysAfterIdle) {
  connect();
  for (int round = 0; round < 3; ++round) {
    const Bytes a = pattern(1 + round * 5000, static_cast<uint8_t>(round));
    EXPECT_EQ(send(*client, *server, a, 16384), a);
    EXPECT_EQ(send(*server, *client, a, 16384), a);
  }
}

// Sizes around record boundaries (2^14, RFC 8446 §5.1) and 1 MiB, read
// through buffers smaller and larger than a record.
TEST_P(IdleRelease, LargeAndOddTransfers) {
  connect();
  for (size_t size : {size_t{1}, size_t{16383}, size_t{16384}, size_t{16385}, size_t{100003}, size_t{1} << 20}) {
    for (size_t chunk : {size_t{1000}, size_t{16384}, size_t{3} << 20}) {
      const Bytes data = pattern(size, static_cast<uint8_t>(size + chunk));
      EXPECT_EQ(send(*client, *server, data, chunk), data) << size << " bytes, read by " << chunk;
      EXPECT_EQ(send(*server, *client, data, chunk), data) << size << " bytes, read by " << chunk;
    }
  }
  EXPECT_EQ(client->buffer_capacity(), 0u);
  EXPECT_EQ(server->buffer_capacity(), 0u);
}

// Records delivered a few bytes at a time go through the reassembly buffer
// rather than straight from the caller's bytes.
TEST_P(IdleRelease, TransferDeliveredInSmallPieces) {
  connect();
  const Bytes data = pattern(40000, 9);
  ASSERT_TRUE(client->write(data));
  const Bytes wire = take_output(*client);
  for (size_t pos = 0; pos < wire.size(); pos += 777)
    ASSERT_TRUE(server->receive(ByteView(wire).subspan(pos, std::min<size_t>(777, wire.size() - pos))));
  Bytes got(50000);
  ASSERT_EQ(server->read(got), data.size());
  got.resize(data.size());
  EXPECT_EQ(got, data);
  EXPECT_EQ(server->buffer_capacity(), 0u);
}

// A record that fails authentication is bad_record_mac (RFC 8446 §5.2,
// RFC 5246 §6.2.3.3); the records before it were authentic and stay
// readable, nothing of the bad one shows.
TEST_P(IdleRelease, CorruptedRecordIsBadRecordMac) {
  connect();
  const Bytes first = pattern(1000, 4);
  const Bytes wire = second_record_corrupted(first);
  Status s = server->receive(wire);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().alert, Alert::bad_record_mac);
  EXPECT_TRUE(server->failed());
  EXPECT_EQ(server->pending_application_data(), first.size());
  Bytes got(5000);
  ASSERT_EQ(server->read(got), first.size());
  got.resize(first.size());
  EXPECT_EQ(got, first);
}

// Connection::receive(data, out, n): records that fit in `out` are
// decrypted straight into it, the rest is buffered for read(); the bytes
// are the same either way, whatever the sizes.
TEST_P(IdleRelease, ReceiveIntoCallerBuffer) {
  connect();
  for (size_t size : {size_t{1}, size_t{16384}, size_t{16385}, size_t{100003}, size_t{1} << 20}) {
    for (size_t room : {size_t{1000}, size_t{20000}, size_t{2} << 20}) {
      for (bool in_pieces : {false, true}) {
        const Bytes data = pattern(size, static_cast<uint8_t>(size + room));
        ASSERT_TRUE(client->write(data));
        const Bytes wire = take_output(*client);
        Bytes got;
        Bytes out(room);
        const size_t piece = in_pieces ? 5000 : wire.size();
        for (size_t pos = 0; pos < wire.size(); pos += piece) {
          size_t n = 0;
          ASSERT_TRUE(server->receive(ByteView(wire).subspan(pos, std::min(piece, wire.size() - pos)), out, n));
          ASSERT_LE(n, out.size());
          got.insert(got.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
        }
        for (size_t n; (n = server->read(out)) != 0;) got.insert(got.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_EQ(got, data) << size << " bytes into " << room << (in_pieces ? ", in pieces" : "");
        EXPECT_EQ(server->buffer_capacity(), 0u);
      }
    }
  }
  // Data buffered by receive() comes out first.
  ASSERT_TRUE(client->write(pattern(300, 1)));
  ASSERT_TRUE(server->receive(take_output(*client)));
  ASSERT_TRUE(client->write(pattern(400, 2)));
  Bytes out(1000);
  size_t n = 0;
  ASSERT_TRUE(server->receive(take_output(*client), out, n));
  ASSERT_EQ(n, 700u);
  Bytes want = pattern(300, 1);
  const Bytes second = pattern(400, 2);
  want.insert(want.end(), second.begin(), second.end());
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 700), want);
}

TEST_P(IdleRelease, ReceiveIntoCallerBufferStopsAtACorruptedRecord) {
  connect();
  const Bytes first = pattern(1000, 4);
  const Bytes wire = second_record_corrupted(first);
  Bytes out(5000);
  size_t n = 99;
  Status s = server->receive(wire, out, n);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().alert, Alert::bad_record_mac);
  ASSERT_EQ(n, first.size());
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 1000), first);
  EXPECT_EQ(server->pending_application_data(), 0u);
}

TEST_P(IdleRelease, ExportersAgreeAfterTheHandshake) {
  connect();
  EXPECT_EQ(send(*client, *server, pattern(10, 1), 100), pattern(10, 1));
  auto a = client->export_keying_material("EXPERIMENTAL vouch", ByteView(), 32);
  auto b = server->export_keying_material("EXPERIMENTAL vouch", ByteView(), 32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  auto c = client->export_keying_material("EXPERIMENTAL vouch", std::nullopt, 48);
  auto d = server->export_keying_material("EXPERIMENTAL vouch", std::nullopt, 48);
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_EQ(*c, *d);
}

// The documented rule: the peer's chain (and the server's view of a
// verified client chain) stays for the connection's lifetime.
TEST_P(IdleRelease, PeerChainStaysAvailable) {
  sc->client_auth = ClientAuth::required;
  sc->client_trust = test_pki().ecdsa().trust();
  cc->client_credentials.push_back(test_pki().ecdsa().client_credential());
  connect();
  EXPECT_EQ(send(*server, *client, pattern(10, 1), 100), pattern(10, 1));
  ASSERT_FALSE(client->peer_chain().empty());
  EXPECT_EQ(client->peer_chain().front(), test_pki().ecdsa().server_credential().chain_der().front());
  EXPECT_FALSE(client->peer_subject().empty());
  ASSERT_FALSE(server->peer_chain().empty());
  EXPECT_FALSE(server->verified_peer_chain().empty());
  EXPECT_EQ(server->verified_peer_chain().front(), server->peer_chain().front());
}

// RFC 8446 §4.6.1: tickets may come at any time after the handshake; here
// the client finished, sent its Finished and released everything before
// the server's tickets reach it.
TEST_P(IdleRelease, TicketArrivingWhenIdleResumes) {
  if (GetParam().version == ProtocolVersion::tls12) {
    // TLS 1.2's NewSessionTicket is part of the handshake (RFC 5077 §3.3).
    connect();
    auto sessions = client->take_sessions();
    ASSERT_FALSE(sessions.empty());
    connect(sessions.back());
    EXPECT_TRUE(client->info().resumed);
    EXPECT_EQ(send(*client, *server, pattern(5, 6), 100), pattern(5, 6));
    return;
  }
  client = Connection::client(cc, "localhost");
  server = Connection::server(sc);
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(server->receive(take_output(*client)));
  ASSERT_TRUE(client->receive(take_output(*server)));
  ASSERT_TRUE(client->handshake_complete());
  const Bytes client_finished = take_output(*client);
  EXPECT_EQ(client->buffer_capacity(), 0u);
  ASSERT_TRUE(server->receive(client_finished));
  ASSERT_TRUE(server->handshake_complete());
  const Bytes tickets = take_output(*server);
  ASSERT_FALSE(tickets.empty());
  ASSERT_TRUE(client->receive(tickets));
  EXPECT_EQ(client->buffer_capacity(), 0u);
  auto sessions = client->take_sessions();
  ASSERT_FALSE(sessions.empty());
  connect(sessions.back());
  EXPECT_TRUE(client->info().resumed);
  EXPECT_TRUE(server->info().resumed);
  EXPECT_EQ(send(*client, *server, pattern(5, 6), 100), pattern(5, 6));
}

INSTANTIATE_TEST_SUITE_P(
    Versions, IdleRelease,
    ::testing::Values(Params{ProtocolVersion::tls13, CipherSuite::TLS_AES_128_GCM_SHA256},
                      Params{ProtocolVersion::tls13, CipherSuite::TLS_CHACHA20_POLY1305_SHA256},
                      Params{ProtocolVersion::tls12, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
                      Params{ProtocolVersion::tls12, CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}),
    name_of);

// RFC 8446 §4.6.3 after the release: both sides update, one at the other's
// request, and data keeps flowing under the new keys.
TEST(IdleRelease13, KeyUpdateAfterRelease) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(testing::pump_handshake(*client, *server));
  ASSERT_EQ(client->info().version, ProtocolVersion::tls13);
  ASSERT_EQ(client->buffer_capacity(), 0u);
  for (bool client_updates : {true, false}) {
    Connection& a = client_updates ? *client : *server;
    Connection& b = client_updates ? *server : *client;
    ASSERT_TRUE(a.key_update(/*request_peer_update=*/true));
    ASSERT_TRUE(b.receive(take_output(a)));  // b answers with its own KeyUpdate
    ASSERT_TRUE(a.receive(take_output(b)));
    for (Connection* from : {&a, &b}) {
      Connection& to = from == &a ? b : a;
      ASSERT_TRUE(from->write(pattern(20000, 7)));
      ASSERT_TRUE(to.receive(take_output(*from)));
      Bytes got(30000);
      ASSERT_EQ(to.read(got), 20000u);
      got.resize(20000);
      EXPECT_EQ(got, pattern(20000, 7));
    }
    EXPECT_EQ(a.buffer_capacity(), 0u);
    EXPECT_EQ(b.buffer_capacity(), 0u);
  }
}

// Post-handshake authentication (RFC 8446 §4.6.2) hashes on from the
// handshake's transcript, which is kept when the client offered it.
TEST(IdleRelease13, PostHandshakeAuthAfterRelease) {
  auto cc = client_config_for("ecdsa");
  cc->post_handshake_auth = true;
  cc->client_credentials.push_back(test_pki().ecdsa().client_credential());
  auto sc = server_config_for("ecdsa");
  sc->client_trust = test_pki().ecdsa().trust();
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(testing::pump_handshake(*client, *server));
  EXPECT_TRUE(server->verified_peer_chain().empty());
  ASSERT_TRUE(server->request_client_certificate());
  ASSERT_TRUE(client->receive(take_output(*server)));
  ASSERT_TRUE(server->receive(take_output(*client)));
  EXPECT_FALSE(server->post_handshake_auth_pending());
  EXPECT_FALSE(server->verified_peer_chain().empty());
  EXPECT_EQ(client->buffer_capacity(), 0u);
  EXPECT_EQ(server->buffer_capacity(), 0u);
}

}  // namespace
}  // namespace vouch
