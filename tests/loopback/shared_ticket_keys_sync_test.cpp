// Ticket keys shared through a store (vouch/shared_ticket_keys.h): one
// server rotates and publishes, the others import; tickets from any server
// resume on any other, in TLS 1.3 and 1.2; rotation keeps the previous key
// for one period; a value wrapped with another key, or corrupt, is refused
// and never imported; a failing store changes nothing. The store is the
// directory store (a temporary directory) or a failing stand-in.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "support/loopback.h"
#include "vouch/connection.h"
#include "vouch/shared_ticket_keys.h"
#include "vouch/store.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::system_clock;
using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;
namespace fs = std::filesystem;

Bytes kek(uint8_t fill) { return Bytes(32, fill); }

class SharedTicketKeysSync : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vouch-tk-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<uintptr_t>(this)));
    auto s = open_directory_store(dir_);
    ASSERT_TRUE(s.ok());
    store = *s;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // One server: its keys (not rotating by themselves), its sync, its config.
  struct Server {
    std::shared_ptr<TicketKeys> keys = std::make_shared<TicketKeys>(std::chrono::seconds(0));
    std::unique_ptr<SharedTicketKeys> sync;
    std::shared_ptr<ServerConfig> config;
  };
  Server server(const std::string& name, Bytes wrapping = kek(7), std::shared_ptr<SharedStore> st = nullptr) {
    Server s;
    SharedTicketKeysOptions o;
    o.wrapping_key = std::move(wrapping);
    o.owner = name;
    o.rotation = hours(12);
    o.clock = [this] { return now; };
    auto sync = SharedTicketKeys::create(st ? st : store, s.keys, o);
    EXPECT_TRUE(sync.ok()) << sync.error().to_string();
    if (sync.ok()) s.sync = std::move(*sync);
    s.config = server_config_for("ecdsa");
    s.config->ticket_keys = s.keys;
    s.config->max_version = GetParam();
    return s;
  }
  std::shared_ptr<ClientConfig> client() {
    auto cc = client_config_for("ecdsa");
    cc->max_version = GetParam();
    return cc;
  }
  std::shared_ptr<const Session> session_from(const Server& s) {
    auto c = Connection::client(client(), "localhost");
    auto srv = Connection::server(s.config);
    EXPECT_TRUE(pump_handshake(*c, *srv));
    auto sessions = c->take_sessions();
    return sessions.empty() ? nullptr : sessions.front();
  }
  bool resumes(const Server& s, std::shared_ptr<const Session> session) {
    auto c = Connection::client(client(), "localhost", std::move(session));
    auto srv = Connection::server(s.config);
    EXPECT_TRUE(pump_handshake(*c, *srv));
    return srv->info().resumed;
  }

  fs::path dir_;
  std::shared_ptr<SharedStore> store;
  system_clock::time_point now = std::chrono::floor<std::chrono::seconds>(system_clock::now());
};

TEST_P(SharedTicketKeysSync, ATicketFromAnyServerResumesOnAnyOther) {
  Server a = server("a"), b = server("b"), c = server("c");
  EXPECT_EQ(a.sync->sync(), TicketKeySyncResult::rotated) << a.sync->last_error();  // first: publishes
  EXPECT_EQ(b.sync->sync(), TicketKeySyncResult::imported) << b.sync->last_error();
  EXPECT_EQ(c.sync->sync(), TicketKeySyncResult::imported);
  EXPECT_EQ(b.sync->sync(), TicketKeySyncResult::unchanged);
  for (Server* from : {&a, &b, &c}) {
    auto session = session_from(*from);
    ASSERT_NE(session, nullptr);
    EXPECT_TRUE(resumes(a, session));
    EXPECT_TRUE(resumes(b, session));
    EXPECT_TRUE(resumes(c, session));
  }
}

TEST_P(SharedTicketKeysSync, RotationKeepsThePreviousKeyForOnePeriod) {
  Server a = server("a"), b = server("b");
  ASSERT_EQ(a.sync->sync(), TicketKeySyncResult::rotated);
  ASSERT_EQ(b.sync->sync(), TicketKeySyncResult::imported);
  auto old_ticket = session_from(a);
  ASSERT_NE(old_ticket, nullptr);

  now += hours(13);  // due: whoever syncs first rotates for everyone
  EXPECT_EQ(b.sync->sync(), TicketKeySyncResult::rotated);
  EXPECT_EQ(a.sync->sync(), TicketKeySyncResult::imported);
  EXPECT_TRUE(resumes(b, old_ticket)) << "the previous key still opens";
  auto new_ticket = session_from(b);
  EXPECT_TRUE(resumes(a, new_ticket));

  now += hours(13);
  EXPECT_EQ(a.sync->sync(), TicketKeySyncResult::rotated);
  EXPECT_EQ(b.sync->sync(), TicketKeySyncResult::imported);
  EXPECT_FALSE(resumes(a, old_ticket)) << "two rotations later the old key is gone";
  EXPECT_FALSE(resumes(b, old_ticket));
  EXPECT_TRUE(resumes(a, new_ticket));
}

TEST_P(SharedTicketKeysSync, KeysWrappedWithAnotherKeyOrCorruptAreRefused) {
  Server a = server("a");
  ASSERT_EQ(a.sync->sync(), TicketKeySyncResult::rotated);
  auto session = session_from(a);
  Server other = server("other", kek(9));
  EXPECT_EQ(other.sync->sync(), TicketKeySyncResult::refused);
  EXPECT_NE(other.sync->last_error().find("wrapping key"), std::string::npos) << other.sync->last_error();
  EXPECT_FALSE(resumes(other, session)) << "nothing was imported";
  EXPECT_TRUE(resumes(other, session_from(other))) << "its own keys still work";

  auto published = store->get("ticket-keys");
  ASSERT_TRUE(published.ok() && published->has_value());
  Bytes corrupt = **published;
  corrupt[corrupt.size() / 2] ^= 0x40;
  ASSERT_TRUE(store->put("ticket-keys", corrupt, std::chrono::milliseconds(0)).ok());
  Server d = server("d");
  EXPECT_EQ(d.sync->sync(), TicketKeySyncResult::refused);
  ASSERT_TRUE(store->put("ticket-keys", Bytes{1, 2, 3}, std::chrono::milliseconds(0)).ok());
  EXPECT_EQ(d.sync->sync(), TicketKeySyncResult::refused);
  EXPECT_FALSE(resumes(d, session));
}

// A store that fails every call.
class DownStore final : public SharedStore {
 public:
  Result<std::optional<Bytes>> get(std::string_view) override { return io_error("store down"); }
  Status put(std::string_view, ByteView, std::chrono::milliseconds) override { return io_error("store down"); }
  Result<bool> compare_and_set(std::string_view, std::optional<ByteView>, ByteView,
                               std::chrono::milliseconds) override {
    return io_error("store down");
  }
  Result<bool> acquire_lease(std::string_view, std::string_view, std::chrono::milliseconds) override {
    return io_error("store down");
  }
  Status release_lease(std::string_view, std::string_view) override { return io_error("store down"); }
  std::string describe() const override { return "down"; }
};

TEST_P(SharedTicketKeysSync, AFailingStoreChangesNothing) {
  Server a = server("a", kek(7), std::make_shared<DownStore>());
  auto session = session_from(a);
  EXPECT_EQ(a.sync->sync(), TicketKeySyncResult::store_error);
  EXPECT_NE(a.sync->last_error().find("store down"), std::string::npos);
  EXPECT_TRUE(resumes(a, session));
}

TEST(SharedTicketKeysCreate, BadSettingsAreConfigErrors) {
  auto dir = fs::temp_directory_path() / ("vouch-tk-create-" + std::to_string(::getpid()));
  auto store = open_directory_store(dir);
  ASSERT_TRUE(store.ok());
  auto keys = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  SharedTicketKeysOptions o;
  o.wrapping_key = Bytes(16, 1);
  auto r = SharedTicketKeys::create(*store, keys, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::config);
  o.wrapping_key = Bytes(32, 1);
  o.rotation = std::chrono::seconds(5);
  EXPECT_FALSE(SharedTicketKeys::create(*store, keys, o).ok());
  o.rotation = hours(1);
  EXPECT_FALSE(SharedTicketKeys::create(nullptr, keys, o).ok());
  EXPECT_FALSE(SharedTicketKeys::create(*store, nullptr, o).ok());
  EXPECT_TRUE(SharedTicketKeys::create(*store, keys, o).ok());
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Versions, SharedTicketKeysSync,
                         ::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                         [](const auto& p) { return p.param == ProtocolVersion::tls13 ? "TLS13" : "TLS12"; });

}  // namespace
}  // namespace vouch
