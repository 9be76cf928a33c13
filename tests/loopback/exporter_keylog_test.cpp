// Keying material exporters (RFC 5705, RFC 8446 §7.5) and key logging (the
// NSS key log format), checked against libssl in memory: the same secrets
// derived by an independent implementation must give the same exported
// bytes and the same key log lines, in both versions and both roles.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "support/libssl_peer.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::LibsslPeer;
using testing::LibsslPeerOptions;
using testing::pump_with;

int openssl_version(ProtocolVersion v) { return v == ProtocolVersion::tls12 ? TLS1_2_VERSION : TLS1_3_VERSION; }

ByteView view(const std::string& s) { return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

// libssl's exporter; use_context = 0 means "no context" (RFC 5705 §4).
Bytes libssl_export(SSL* ssl, const std::string& label, const std::string* context, size_t length) {
  Bytes out(length);
  const int rc = SSL_export_keying_material(ssl, out.data(), out.size(), label.data(), label.size(),
                                            context ? reinterpret_cast<const unsigned char*>(context->data()) : nullptr,
                                            context ? context->size() : 0, context ? 1 : 0);
  EXPECT_EQ(rc, 1);
  return out;
}

struct Role {
  bool vouch_is_client;
};

class ExporterAgainstLibssl : public ::testing::TestWithParam<std::tuple<ProtocolVersion, bool>> {};

TEST_P(ExporterAgainstLibssl, SameBytesAndKeyLog) {
  const auto [version, vouch_is_client] = GetParam();
  LibsslPeerOptions o;
  o.server = vouch_is_client;
  o.min_version = o.max_version = openssl_version(version);
  LibsslPeer peer(o);
  std::vector<std::string> lines;
  std::unique_ptr<Connection> conn;
  if (vouch_is_client) {
    auto cc = testing::client_config_for("ecdsa");
    cc->keylog = [&](const std::string& line) { lines.push_back(line); };
    conn = Connection::client(cc, "localhost");
  } else {
    auto sc = testing::server_config_for("ecdsa");
    sc->keylog = [&](const std::string& line) { lines.push_back(line); };
    conn = Connection::server(sc);
  }
  // Before the handshake there is nothing to export.
  EXPECT_FALSE(conn->export_keying_material("EXPERIMENTAL early", std::nullopt, 16).ok());
  ASSERT_TRUE(pump_with(*conn, peer)) << (conn->error() ? conn->error()->to_string() : "");
  ASSERT_EQ(conn->info().version, version);

  const std::string label = "EXPERIMENTAL vouch test";
  const std::string context = "context value";
  const std::string empty;
  for (size_t length : {size_t{1}, size_t{32}, size_t{100}}) {
    auto with = conn->export_keying_material(label, view(context), length);
    auto without = conn->export_keying_material(label, std::nullopt, length);
    auto with_empty = conn->export_keying_material(label, view(empty), length);
    ASSERT_TRUE(with.ok() && without.ok() && with_empty.ok());
    EXPECT_EQ(*with, libssl_export(peer.ssl(), label, &context, length)) << length;
    EXPECT_EQ(*without, libssl_export(peer.ssl(), label, nullptr, length)) << length;
    EXPECT_EQ(*with_empty, libssl_export(peer.ssl(), label, &empty, length)) << length;
    // RFC 5705 §4 keeps "no context" and "empty context" apart; RFC 8446
    // §7.5 does not. (A single byte may collide by chance: compare longer.)
    if (length >= 16) {
      EXPECT_EQ(*without == *with_empty, version == ProtocolVersion::tls13) << length;
      EXPECT_NE(*with, *without);
    }
  }
  EXPECT_NE(*conn->export_keying_material("EXPERIMENTAL other", std::nullopt, 32),
            *conn->export_keying_material(label, std::nullopt, 32));
  EXPECT_FALSE(conn->export_keying_material(label, std::nullopt, 0).ok());

  // The key log: exactly libssl's lines (its callback gives the same NSS
  // format), whatever the order.
  std::vector<std::string> ours = lines;
  std::vector<std::string> theirs = peer.keylog;
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(ours.size(), version == ProtocolVersion::tls12 ? 1u : 5u);
}

INSTANTIATE_TEST_SUITE_P(BothVersionsBothRoles, ExporterAgainstLibssl,
                         ::testing::Combine(::testing::Values(ProtocolVersion::tls12, ProtocolVersion::tls13),
                                            ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<ProtocolVersion, bool>>& p) {
                           return std::string(std::get<0>(p.param) == ProtocolVersion::tls12 ? "tls12" : "tls13") +
                                  (std::get<1>(p.param) ? "_vouch_client" : "_vouch_server");
                         });

// Two vouch peers export the same bytes, also after a TLS 1.2 resumption
// (the master secret comes from the session).
TEST(Exporter, VouchPeersAgreeAfterResumption) {
  for (ProtocolVersion v : {ProtocolVersion::tls12, ProtocolVersion::tls13}) {
    auto cc = testing::client_config_for("ecdsa");
    cc->min_version = cc->max_version = v;
    auto sc = testing::server_config_for("ecdsa");
    std::shared_ptr<const Session> session;
    for (int round = 0; round < 2; ++round) {
      auto c = Connection::client(cc, "localhost", session);
      auto s = Connection::server(sc);
      ASSERT_TRUE(testing::pump_handshake(*c, *s));
      EXPECT_EQ(c->info().resumed, round == 1);
      auto a = c->export_keying_material("EXPERIMENTAL x", std::nullopt, 48);
      auto b = s->export_keying_material("EXPERIMENTAL x", std::nullopt, 48);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_EQ(*a, *b);
      auto sessions = c->take_sessions();
      if (!sessions.empty()) session = sessions.front();
    }
  }
}

}  // namespace
}  // namespace vouch
