#include "serve_fleet.h"

#include <sys/stat.h>

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

#include "crypto/wipe.h"
#include "options.h"
#include "vouch/session.h"
#ifdef VOUCH_CLI_HAVE_REDIS
#include "vouch/redis_store.h"
#endif

namespace vouch::cli {
namespace {

constexpr size_t kWrappingKeyBytes = 32;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::shared_ptr<SharedStore>> open_store(const std::string& spec) {
  if (spec.empty()) return config_error("--store: empty");
  if (spec.rfind("redis://", 0) == 0) {
#ifdef VOUCH_CLI_HAVE_REDIS
    auto store = open_redis_store(spec);
    if (store || store.error().kind != ErrorKind::io) return store;
    // Unreachable now: the server starts anyway, works alone (store_error
    // events), and joins the fleet when Redis answers. A Redis that answers
    // and refuses (AUTH, SELECT) is a configuration error, reported above.
    print_warning("serve", "--store: " + store.error().reason + "; working alone until it answers");
    RedisStoreOptions lazy;
    lazy.connect_at_open = false;
    return open_redis_store(spec, lazy);
#else
    return config_error("--store " + spec + ": this vouch was built without Redis support (VOUCH_WITH_REDIS=OFF)");
#endif
  }
  const auto colon = spec.find("://");
  if (colon != std::string::npos)
    return config_error("--store " + spec + ": expected redis://… or a directory path");
  return open_directory_store(spec);
}

Result<Bytes> read_wrapping_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return io_error("--store-key " + path + ": cannot be read");
  if (!S_ISREG(st.st_mode)) return config_error("--store-key " + path + ": not a regular file");
  if (st.st_size > 4096) return config_error("--store-key " + path + ": too large to be a 32-byte key");
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("--store-key " + path + ": cannot be read");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0)
    print_warning("serve", "--store-key " + path + " is readable by other users; it protects every session ticket");
  Bytes key;
  if (text.size() == kWrappingKeyBytes) {
    key.assign(text.begin(), text.end());
  } else {
    // Hexadecimal, whitespace around it ignored.
    size_t b = 0, e = text.size();
    while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
    if (e - b != 2 * kWrappingKeyBytes) {
      wipe_memory(text);
      return config_error("--store-key " + path + ": expected 32 bytes or 64 hexadecimal digits (openssl rand -hex 32)");
    }
    for (size_t i = b; i < e; i += 2) {
      const int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
      if (hi < 0 || lo < 0) {
        wipe_memory(text);
        wipe_memory(key);
        return config_error("--store-key " + path + ": not hexadecimal");
      }
      key.push_back(static_cast<uint8_t>(hi * 16 + lo));
    }
  }
  wipe_memory(text);
  return key;
}

Result<std::unique_ptr<FleetTicketKeys>> FleetTicketKeys::start(std::shared_ptr<SharedStore> store,
                                                                Bytes wrapping_key, std::chrono::seconds rotation,
                                                                ServerConfig& config) {
  // Rotation is the fleet's decision (SharedTicketKeys), never a server's own.
  auto keys = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  SharedTicketKeysOptions opts;
  opts.wrapping_key = std::move(wrapping_key);
  opts.rotation = rotation;
  auto shared = SharedTicketKeys::create(std::move(store), keys, std::move(opts));
  if (!shared) return std::move(shared).error();
  config.ticket_keys = std::move(keys);
  // Often enough that a rotation reaches every server well within the
  // period the previous key still opens tickets; at most once a minute.
  const auto interval = std::clamp(rotation / 10, std::chrono::seconds(1), std::chrono::seconds(60));
  auto fleet = std::make_unique<FleetTicketKeys>(std::move(*shared), interval);
  fleet->sync_and_log();  // before listening: the first tickets are the fleet's
  fleet->thread_ = std::thread([f = fleet.get()] { f->run(); });
  return fleet;
}

FleetTicketKeys::FleetTicketKeys(std::unique_ptr<SharedTicketKeys> shared, std::chrono::seconds interval)
    : shared_(std::move(shared)), interval_(interval) {}

FleetTicketKeys::~FleetTicketKeys() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::array<uint64_t, 5> FleetTicketKeys::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void FleetTicketKeys::sync_and_log() {
  const TicketKeySyncResult r = shared_->sync();
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto i = static_cast<size_t>(r);
    if (i < counts_.size()) ++counts_[i];
  }
  switch (r) {
    case TicketKeySyncResult::unchanged:
      return;
    case TicketKeySyncResult::imported:
      fmt::print(stderr, "vouch serve: ticket keys imported: the fleet's current keys\n");
      return;
    case TicketKeySyncResult::rotated:
      fmt::print(stderr, "vouch serve: ticket keys rotated: published new keys for the fleet\n");
      return;
    case TicketKeySyncResult::refused:
    case TicketKeySyncResult::store_error:
      fmt::print(stderr, "vouch serve: ticket keys {}: {}; keeping the keys held\n", to_string(r),
                 shared_->last_error());
      return;
  }
}

void FleetTicketKeys::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    sync_and_log();
    lock.lock();
  }
}

}  // namespace vouch::cli
