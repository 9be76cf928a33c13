// TicketKeys shared by several servers (vouch/session.h): export_keys() /
// import_keys() and rotate(). A ticket issued by server A resumes on server
// B once B imported A's keys, in TLS 1.3 (RFC 8446 §4.6.1, §2.2) and TLS 1.2
// (RFC 5077); a rotated-away key keeps opening its tickets until a second
// rotation drops it; garbage is refused with a clear error.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "support/loopback.h"
#include "vouch/connection.h"
#include "vouch/session.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;

std::string errors_of(const Connection& a, const Connection& b) {
  std::string s;
  if (a.error()) s += "client: " + a.error()->to_string() + " ";
  if (b.error()) s += "server: " + b.error()->to_string();
  return s;
}

std::shared_ptr<ServerConfig> server_with(std::shared_ptr<TicketKeys> keys, ProtocolVersion max) {
  auto sc = server_config_for("ecdsa");
  sc->ticket_keys = std::move(keys);
  sc->max_version = max;
  return sc;
}

// A full handshake with `server`; the session it gave the client.
std::shared_ptr<const Session> session_from(std::shared_ptr<const ClientConfig> cc,
                                            std::shared_ptr<const ServerConfig> sc) {
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(sc);
  EXPECT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  auto sessions = c->take_sessions();
  EXPECT_FALSE(sessions.empty());
  return sessions.empty() ? nullptr : sessions.front();
}

// Whether `session` resumes on `server`.
bool resumes(std::shared_ptr<const ClientConfig> cc, std::shared_ptr<const ServerConfig> sc,
             std::shared_ptr<const Session> session) {
  auto c = Connection::client(cc, "localhost", std::move(session));
  auto s = Connection::server(sc);
  EXPECT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  EXPECT_EQ(c->info().resumed, s->info().resumed);
  return s->info().resumed;
}

class SharedTicketKeys : public ::testing::TestWithParam<ProtocolVersion> {};

TEST_P(SharedTicketKeys, TicketFromServerAResumesOnServerBAfterImport) {
  const ProtocolVersion v = GetParam();
  auto cc = client_config_for("ecdsa");
  cc->max_version = v;
  auto keys_a = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  auto keys_b = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  auto a = server_with(keys_a, v);
  auto b = server_with(keys_b, v);

  auto session = session_from(cc, a);
  ASSERT_NE(session, nullptr);
  ASSERT_EQ(session->version, v);
  ASSERT_FALSE(session->ticket.empty());
  // B has keys of its own: A's ticket means nothing to it yet.
  EXPECT_FALSE(resumes(cc, b, session));

  Result<Bytes> exported = keys_a->export_keys();
  ASSERT_TRUE(exported.ok()) << exported.error().to_string();
  ASSERT_TRUE(keys_b->import_keys(*exported).ok());
  EXPECT_TRUE(resumes(cc, b, session));
  // And B's tickets now resume on A.
  auto from_b = session_from(cc, b);
  ASSERT_NE(from_b, nullptr);
  EXPECT_TRUE(resumes(cc, a, from_b));
}

TEST_P(SharedTicketKeys, RotatedAwayKeyOpensUntilItIsDropped) {
  const ProtocolVersion v = GetParam();
  auto cc = client_config_for("ecdsa");
  cc->max_version = v;
  auto keys_a = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  auto keys_b = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  auto a = server_with(keys_a, v);
  auto b = server_with(keys_b, v);

  auto old_session = session_from(cc, a);
  ASSERT_NE(old_session, nullptr);
  // A rotates and hands the keys on: the old key is now the previous one,
  // on both servers, and still opens its tickets.
  keys_a->rotate();
  ASSERT_TRUE(keys_b->import_keys(*keys_a->export_keys()).ok());
  EXPECT_TRUE(resumes(cc, a, old_session));
  EXPECT_TRUE(resumes(cc, b, old_session));
  // A ticket under the new key opens on both too.
  auto new_session = session_from(cc, b);
  ASSERT_NE(new_session, nullptr);
  EXPECT_TRUE(resumes(cc, a, new_session));

  // A second rotation drops the old key: a full handshake instead (and no
  // failure), on A and, after the import, on B.
  keys_a->rotate();
  ASSERT_TRUE(keys_b->import_keys(*keys_a->export_keys()).ok());
  EXPECT_FALSE(resumes(cc, a, old_session));
  EXPECT_FALSE(resumes(cc, b, old_session));
  EXPECT_TRUE(resumes(cc, b, new_session));
}

INSTANTIATE_TEST_SUITE_P(Versions, SharedTicketKeys,
                         ::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                         [](const auto& param_info) {
                           return param_info.param == ProtocolVersion::tls13 ? std::string("tls13")
                                                                       : std::string("tls12");
                         });

TEST(TicketKeysExport, FormatHoldsCurrentThenPrevious) {
  TicketKeys keys(std::chrono::seconds(0));
  Bytes one = *keys.export_keys();
  ASSERT_EQ(one.size(), 7u + 36u);
  EXPECT_EQ(std::string(one.begin(), one.begin() + 4), "vTkK");
  EXPECT_EQ(one[6], 1);
  keys.rotate();
  Bytes two = *keys.export_keys();
  ASSERT_EQ(two.size(), 7u + 2 * 36u);
  EXPECT_EQ(two[6], 2);
  // The old current key is now second.
  EXPECT_TRUE(std::equal(one.begin() + 7, one.end(), two.begin() + 7 + 36));
  EXPECT_FALSE(std::equal(one.begin() + 7, one.end(), two.begin() + 7));

  // A ticket sealed before the import opens after it on another object.
  Result<Bytes> ticket = keys.seal(Bytes{1, 2, 3});
  ASSERT_TRUE(ticket.ok());
  TicketKeys other(std::chrono::seconds(0));
  EXPECT_FALSE(other.open(*ticket).ok());
  ASSERT_TRUE(other.import_keys(two).ok());
  Result<Bytes> opened = other.open(*ticket);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(*opened, (Bytes{1, 2, 3}));
}

TEST(TicketKeysExport, GarbageIsRefusedAndChangesNothing) {
  TicketKeys keys(std::chrono::seconds(0));
  const Bytes good = *keys.export_keys();
  Result<Bytes> ticket = keys.seal(Bytes{9});
  ASSERT_TRUE(ticket.ok());

  struct Case {
    Bytes bytes;
    std::string reason_part;
  };
  std::vector<Case> cases;
  cases.push_back({Bytes{}, "truncated"});
  cases.push_back({Bytes{'v', 'T', 'k'}, "truncated"});
  Bytes magic = good;
  magic[0] = 'x';
  cases.push_back({magic, "not exported ticket keys"});
  Bytes format = good;
  format[5] = 7;
  cases.push_back({format, "unknown format 7"});
  Bytes zero = good;
  zero[6] = 0;
  cases.push_back({zero, "0 keys, expected 1 or 2"});
  Bytes three = good;
  three[6] = 3;
  cases.push_back({three, "3 keys, expected 1 or 2"});
  Bytes short_key = good;
  short_key.pop_back();
  cases.push_back({short_key, "bytes for 1 keys"});
  Bytes long_key = good;
  long_key.push_back(0);
  cases.push_back({long_key, "bytes for 1 keys"});
  Bytes same_id = good;
  same_id[6] = 2;
  same_id.insert(same_id.end(), good.begin() + 7, good.end());
  cases.push_back({same_id, "same id"});
  for (const Case& c : cases) {
    TicketKeys target(std::chrono::seconds(0));
    ASSERT_TRUE(target.import_keys(good).ok());
    Status st = target.import_keys(c.bytes);
    ASSERT_FALSE(st.ok()) << c.reason_part;
    EXPECT_EQ(st.error().kind, ErrorKind::invalid_data);
    EXPECT_NE(st.error().reason.find(c.reason_part), std::string::npos) << st.error().reason;
    // Still the keys imported before.
    EXPECT_TRUE(target.open(*ticket).ok()) << c.reason_part;
  }
}

}  // namespace
}  // namespace vouch
