// The single-machine SharedStore (src/store/directory_store.cpp): values,
// expiry, compare-and-set, leases, key checks, files it did not write, and
// atomicity between processes (fork).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "vouch/store.h"

namespace vouch {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }

class DirectoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vouch-store-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto s = open_directory_store(dir_);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = *s;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::shared_ptr<SharedStore> store_;
};

TEST_F(DirectoryStoreTest, PutThenGetReturnsTheBytes) {
  Bytes value = b("staple");
  value.push_back(0);  // binary-safe
  value.push_back(0xff);
  ASSERT_TRUE(store_->put("ocsp:abc", value, 0ms).ok());
  auto got = store_->get("ocsp:abc");
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, value);
  EXPECT_FALSE(store_->get("ocsp:other")->has_value());
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST_F(DirectoryStoreTest, AValueExpiresAfterItsTimeToLive) {
  ASSERT_TRUE(store_->put("k", b("v"), 50ms).ok());
  EXPECT_TRUE(store_->get("k")->has_value());
  std::this_thread::sleep_for(80ms);
  EXPECT_FALSE(store_->get("k")->has_value());
}

TEST_F(DirectoryStoreTest, CompareAndSetOnlyReplacesTheExpectedValue) {
  Bytes one = b("one"), two = b("two"), three = b("three");
  EXPECT_TRUE(*store_->compare_and_set("k", std::nullopt, one, 0ms));    // absent → set
  EXPECT_FALSE(*store_->compare_and_set("k", std::nullopt, two, 0ms));   // present now
  EXPECT_FALSE(*store_->compare_and_set("k", ByteView(two), three, 0ms));  // wrong expectation
  EXPECT_TRUE(*store_->compare_and_set("k", ByteView(one), two, 0ms));
  EXPECT_EQ(**store_->get("k"), two);
}

TEST_F(DirectoryStoreTest, ALeaseHasOneHolderUntilReleasedOrExpired) {
  EXPECT_TRUE(*store_->acquire_lease("fetch", "server-a", 10s));
  EXPECT_FALSE(*store_->acquire_lease("fetch", "server-b", 10s));
  EXPECT_TRUE(*store_->acquire_lease("fetch", "server-a", 10s));  // renewal
  ASSERT_TRUE(store_->release_lease("fetch", "server-b").ok());   // not the holder: no effect
  EXPECT_FALSE(*store_->acquire_lease("fetch", "server-b", 10s));
  ASSERT_TRUE(store_->release_lease("fetch", "server-a").ok());
  EXPECT_TRUE(*store_->acquire_lease("fetch", "server-b", 50ms));
  std::this_thread::sleep_for(80ms);  // b died without releasing
  EXPECT_TRUE(*store_->acquire_lease("fetch", "server-a", 10s));
}

TEST_F(DirectoryStoreTest, ALeaseNeedsAnOwnerAndADuration) {
  EXPECT_FALSE(store_->acquire_lease("x", "", 1s).ok());
  EXPECT_FALSE(store_->acquire_lease("x", "me", 0ms).ok());
}

TEST_F(DirectoryStoreTest, KeysThatCouldLeaveTheDirectoryAreRefused) {
  for (const char* key : {"../escape", "a/b", "", ".lock", "sp ace", "nul\x01"}) {
    auto st = store_->put(key, b("x"), 0ms);
    ASSERT_FALSE(st.ok()) << key;
    EXPECT_NE(st.error().reason.find("key"), std::string::npos) << st.error().reason;
    EXPECT_EQ(st.error().kind, ErrorKind::config);
    EXPECT_FALSE(store_->get(key).ok()) << key;
  }
  EXPECT_FALSE(fs::exists(dir_.parent_path() / "escape"));
}

TEST_F(DirectoryStoreTest, AFileItDidNotWriteReadsAsAbsent) {
  {
    std::ofstream(dir_ / "planted") << "not a store file";
    std::ofstream(dir_ / "short") << "VST";
  }
  EXPECT_FALSE(store_->get("planted")->has_value());
  EXPECT_FALSE(store_->get("short")->has_value());
  // and is replaced by the next put
  ASSERT_TRUE(store_->put("planted", b("mine"), 0ms).ok());
  EXPECT_EQ(**store_->get("planted"), b("mine"));
}

TEST_F(DirectoryStoreTest, DescribeNamesTheDirectory) {
  EXPECT_EQ(store_->describe(), "directory " + dir_.string());
}

TEST(DirectoryStore, OpeningAFileFails) {
  const fs::path file = fs::temp_directory_path() / ("vouch-store-file-" + std::to_string(::getpid()));
  std::ofstream(file) << "x";
  auto s = open_directory_store(file);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().local());
  fs::remove(file);
}

// Compare-and-set is atomic between processes: 4 processes × 25 increments
// of one counter, each a read followed by compare-and-set retried until it
// wins, must end at exactly 100.
TEST_F(DirectoryStoreTest, CompareAndSetIsAtomicBetweenProcesses) {
  ASSERT_TRUE(store_->put("counter", b("0"), 0ms).ok());
  constexpr int kProcs = 4, kIncrements = 25;
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto s = open_directory_store(dir_);
      if (!s.ok()) ::_exit(2);
      for (int i = 0; i < kIncrements; ++i) {
        for (int attempt = 0;; ++attempt) {
          if (attempt > 10000) ::_exit(3);
          auto cur = (*s)->get("counter");
          if (!cur.ok() || !cur->has_value()) ::_exit(4);
          const int n = std::stoi(std::string((*cur)->begin(), (*cur)->end()));
          auto won = (*s)->compare_and_set("counter", ByteView(**cur), b(std::to_string(n + 1)), 0ms);
          if (!won.ok()) ::_exit(5);
          if (*won) break;
        }
      }
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  EXPECT_EQ(**store_->get("counter"), b(std::to_string(kProcs * kIncrements)));
}

}  // namespace
}  // namespace vouch
