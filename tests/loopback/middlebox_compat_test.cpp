// Middlebox compatibility mode (RFC 8446 Appendix D.4), observed on the wire:
// with it on, the client's ClientHello carries a 32-byte legacy_session_id
// and each side sends one dummy change_cipher_spec record (the client before
// its second flight, the server after its first handshake message, §D.4);
// with it off, the session id is empty and no change_cipher_spec is sent by
// either side. Both roles, against vouch and against libssl in memory.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "record/record.h"
#include "support/hex.h"
#include "support/libssl_peer.h"
#include "support/loopback.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::server_config_for;
using testing::take_output;

// One record as seen on the wire.
struct Seen {
  ContentType type;
  Bytes fragment;
};

std::vector<Seen> records_of(const Bytes& wire) {
  std::vector<Seen> out;
  size_t at = 0;
  while (at + kRecordHeaderLength <= wire.size()) {
    const size_t len = record_fragment_length(ByteView(wire).subspan(at));
    if (at + kRecordHeaderLength + len > wire.size()) break;
    const auto begin = wire.begin() + static_cast<std::ptrdiff_t>(at + kRecordHeaderLength);
    out.push_back({static_cast<ContentType>(wire[at]), Bytes(begin, begin + static_cast<std::ptrdiff_t>(len))});
    at += kRecordHeaderLength + len;
  }
  EXPECT_EQ(at, wire.size()) << "a partial record on the wire";
  return out;
}

// "H" handshake, "C" change_cipher_spec, "A" application_data (protected),
// "L" alert: the record types in order, for readable expectations.
std::string shape(const std::vector<Seen>& records) {
  std::string s;
  for (const Seen& r : records) {
    switch (r.type) {
      case ContentType::handshake: s += 'H'; break;
      case ContentType::change_cipher_spec:
        s += 'C';
        EXPECT_EQ(r.fragment, Bytes{1}) << "a dummy change_cipher_spec is the single byte 1";
        break;
      case ContentType::application_data: s += 'A'; break;
      case ContentType::alert: s += 'L'; break;
      default: s += '?';
    }
  }
  return s;
}

// The record types with runs of protected records collapsed ("HCA").
std::string collapsed(const std::string& s) {
  std::string out;
  for (char c : s)
    if (out.empty() || !(c == 'A' && out.back() == 'A')) out += c;
  return out;
}

// legacy_session_id of the ClientHello that starts a client's output:
// record header, handshake header, legacy_version, random, then the id.
Bytes client_hello_session_id(const Bytes& client_wire) {
  const size_t at = kRecordHeaderLength + 4 + 2 + 32;
  EXPECT_GT(client_wire.size(), at);
  if (client_wire.size() <= at) return {};
  const size_t n = client_wire[at];
  return Bytes(client_wire.begin() + static_cast<std::ptrdiff_t>(at + 1),
               client_wire.begin() + static_cast<std::ptrdiff_t>(at + 1 + n));
}

// Everything each side wrote during a handshake (then a little data each way).
struct Wire {
  Bytes from_client;
  Bytes from_server;
};

Wire run(Connection& client, Connection& server) {
  Wire w;
  EXPECT_TRUE(client.start());
  for (int i = 0; i < 32; ++i) {
    const Bytes c = take_output(client);
    w.from_client.insert(w.from_client.end(), c.begin(), c.end());
    if (!c.empty()) {
      EXPECT_TRUE(server.receive(c)) << server.error()->to_string();
    }
    const Bytes s = take_output(server);
    w.from_server.insert(w.from_server.end(), s.begin(), s.end());
    if (!s.empty()) {
      EXPECT_TRUE(client.receive(s)) << client.error()->to_string();
    }
    if (c.empty() && s.empty()) break;
  }
  EXPECT_TRUE(client.handshake_complete() && server.handshake_complete());
  return w;
}

struct Case {
  bool compat;
  bool hrr;
};

std::string name_of(const Case& c) {
  return std::string(c.compat ? "on" : "off") + (c.hrr ? "_with_hello_retry_request" : "");
}

class MiddleboxVouchBoth : public ::testing::TestWithParam<Case> {};

TEST_P(MiddleboxVouchBoth, SessionIdAndChangeCipherSpecFollowTheSetting) {
  const Case c = GetParam();
  auto cc = client_config_for("ecdsa");
  cc->middlebox_compat = c.compat;
  auto sc = server_config_for("ecdsa");
  if (c.hrr) sc->require_cookie = true;
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  const Wire w = run(*client, *server);
  EXPECT_EQ(client->info().hello_retry_request, c.hrr);
  EXPECT_EQ(client_hello_session_id(w.from_client).size(), c.compat ? 32u : 0u);
  const std::string from_client = collapsed(shape(records_of(w.from_client)));
  const std::string from_server = collapsed(shape(records_of(w.from_server)));
  if (c.compat) {
    // Client: ClientHello, (HRR: CCS, second ClientHello,) then its flight.
    // The CCS comes once, before the second flight (§D.4).
    EXPECT_EQ(from_client, c.hrr ? "HCHA" : "HCA");
    // Server: right after its first handshake message (the HRR, if any),
    // and only once.
    EXPECT_EQ(from_server, c.hrr ? "HCHA" : "HCA");
  } else {
    EXPECT_EQ(from_client, c.hrr ? "HHA" : "HA");
    EXPECT_EQ(from_server, c.hrr ? "HHA" : "HA");
  }
  // The server echoed the id in its ServerHello (and HRR): §4.1.3.
  EXPECT_EQ(testing::send_and_receive(*client, *server, "ping"), "ping");
}

INSTANTIATE_TEST_SUITE_P(Settings, MiddleboxVouchBoth,
                         ::testing::Values(Case{true, false}, Case{false, false}, Case{true, true},
                                           Case{false, true}),
                         [](const ::testing::TestParamInfo<Case>& i) { return name_of(i.param); });

// ---- against libssl -------------------------------------------------------------

// Runs a handshake between a vouch connection and libssl, recording both
// directions (vouch's output, libssl's output).
Wire run_with(Connection& vouch, testing::LibsslPeer& peer) {
  Wire w;
  (void)vouch.start();
  for (int i = 0; i < 32; ++i) {
    const Bytes v = take_output(vouch);
    const Bytes l = peer.step(v);
    if (vouch.is_client()) {
      w.from_client.insert(w.from_client.end(), v.begin(), v.end());
      w.from_server.insert(w.from_server.end(), l.begin(), l.end());
    } else {
      w.from_server.insert(w.from_server.end(), v.begin(), v.end());
      w.from_client.insert(w.from_client.end(), l.begin(), l.end());
    }
    if (!l.empty()) {
      EXPECT_TRUE(vouch.receive(l)) << vouch.error()->to_string();
    }
    if (v.empty() && l.empty()) break;
  }
  EXPECT_TRUE(vouch.handshake_complete() && peer.done());
  return w;
}

testing::LibsslPeerOptions tls13(bool server) {
  testing::LibsslPeerOptions o;
  o.server = server;
  o.min_version = TLS1_3_VERSION;
  o.max_version = TLS1_3_VERSION;
  return o;
}

// vouch as the client: its session id and CCS follow its setting. libssl's
// server sends its CCS in either case (§D.4 lets either side send one), which
// the vouch client drops in both.
TEST(MiddleboxWithLibssl, VouchClient) {
  for (bool compat : {true, false}) {
    SCOPED_TRACE(compat ? "on" : "off");
    auto cc = client_config_for("ecdsa");
    cc->middlebox_compat = compat;
    auto client = Connection::client(cc, "localhost");
    testing::LibsslPeer server(tls13(true));
    const Wire w = run_with(*client, server);
    EXPECT_EQ(client_hello_session_id(w.from_client).size(), compat ? 32u : 0u);
    EXPECT_EQ(collapsed(shape(records_of(w.from_client))), compat ? "HCA" : "HA");
    EXPECT_EQ(collapsed(shape(records_of(w.from_server))), "HCA");
  }
}

// vouch as the server: it sends its CCS exactly when the client asked for
// compatibility mode with a non-empty session id (libssl's
// SSL_OP_ENABLE_MIDDLEBOX_COMPAT, on by default).
TEST(MiddleboxWithLibssl, VouchServer) {
  for (bool compat : {true, false}) {
    for (bool hrr : {false, true}) {
      SCOPED_TRACE(std::string(compat ? "on" : "off") + (hrr ? " with HRR" : ""));
      testing::LibsslPeer client(tls13(false));
      if (!compat) SSL_clear_options(client.ssl(), SSL_OP_ENABLE_MIDDLEBOX_COMPAT);
      auto sc = server_config_for("ecdsa");
      sc->require_cookie = hrr;
      auto server = Connection::server(sc);
      const Wire w = run_with(*server, client);
      EXPECT_EQ(client_hello_session_id(w.from_client).size(), compat ? 32u : 0u);
      const std::string from_server = collapsed(shape(records_of(w.from_server)));
      if (compat) {
        EXPECT_EQ(from_server, hrr ? "HCHA" : "HCA");
      } else {
        EXPECT_EQ(from_server, hrr ? "HHA" : "HA");
      }
    }
  }
}

}  // namespace
}  // namespace vouch
