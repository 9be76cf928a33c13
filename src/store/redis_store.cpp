// SharedStore on Redis through hiredis (see vouch/redis_store.h). Built into
// the separate library vouch_redis, not into libvouch.
#include "vouch/redis_store.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <charconv>
#include <mutex>
#include <optional>
#include <vector>

namespace vouch {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

timeval to_timeval(milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

Error redis_error(const std::string& what) { return io_error("Redis: " + what); }

// Compare-and-set: ARGV[1] "1" = expect absent, else expect ARGV[2];
// ARGV[3] the new value, ARGV[4] its time to live in ms (0 = none).
constexpr const char* kCasScript = R"lua(
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
)lua";

// Lease: free (or expired, which Redis removed) or ours → (re)set with the
// new time to live.
constexpr const char* kAcquireScript = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
)lua";

constexpr const char* kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
)lua";

class RedisStore final : public SharedStore {
 public:
  RedisStore(RedisUrl url, RedisStoreOptions options) : url_(std::move(url)), options_(std::move(options)) {}

  Status connect_now() {
    std::lock_guard lock(mu_);
    return connect_locked();
  }

  Result<std::optional<Bytes>> get(std::string_view key) override {
    VOUCH_ASSIGN(ReplyPtr r, command({"GET", prefixed(key)}));
    if (r->type == REDIS_REPLY_NIL) return std::optional<Bytes>();
    if (r->type != REDIS_REPLY_STRING) return redis_error("GET: unexpected reply type " + std::to_string(r->type));
    return std::optional<Bytes>(Bytes(r->str, r->str + r->len));
  }

  Status put(std::string_view key, ByteView value, milliseconds ttl) override {
    std::vector<std::string> args = {"SET", prefixed(key), as_string(value)};
    if (ttl > milliseconds(0)) {
      args.push_back("PX");
      args.push_back(std::to_string(ttl.count()));
    }
    VOUCH_ASSIGN(ReplyPtr r, command(args));
    if (r->type != REDIS_REPLY_STATUS) return redis_error("SET: unexpected reply type " + std::to_string(r->type));
    return {};
  }

  Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected, ByteView desired,
                               milliseconds ttl) override {
    VOUCH_ASSIGN(ReplyPtr r, command({"EVAL", kCasScript, "1", prefixed(key), expected ? "0" : "1",
                                      expected ? as_string(*expected) : std::string(), as_string(desired),
                                      std::to_string(std::max<int64_t>(ttl.count(), 0))}));
    return integer_flag(*r, "compare-and-set");
  }

  Result<bool> acquire_lease(std::string_view name, std::string_view owner, milliseconds ttl) override {
    if (owner.empty() || ttl <= milliseconds(0)) {
      return config_error("store: a lease needs an owner and a positive duration");
    }
    VOUCH_ASSIGN(ReplyPtr r, command({"EVAL", kAcquireScript, "1", prefixed("lease:" + std::string(name)),
                                      std::string(owner), std::to_string(ttl.count())}));
    return integer_flag(*r, "lease");
  }

  Status release_lease(std::string_view name, std::string_view owner) override {
    VOUCH_ASSIGN(ReplyPtr r,
                 command({"EVAL", kReleaseScript, "1", prefixed("lease:" + std::string(name)), std::string(owner)}));
    return {};
  }

  std::string describe() const override {
    return "redis " + url_.host + ":" + std::to_string(url_.port) + "/" + std::to_string(url_.db);
  }

 private:
  std::string prefixed(std::string_view key) const { return options_.key_prefix + std::string(key); }
  static std::string as_string(ByteView v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size()); }

  static Result<bool> integer_flag(const redisReply& r, const char* what) {
    if (r.type != REDIS_REPLY_INTEGER) {
      return redis_error(std::string(what) + ": unexpected reply type " + std::to_string(r.type));
    }
    return r.integer == 1;
  }

  // One command, with the connection (re)opened first if needed. A reply
  // of type error is returned as an Error; an I/O failure drops the
  // connection so that a later call reconnects.
  Result<ReplyPtr> command(const std::vector<std::string>& args) {
    std::lock_guard lock(mu_);
    if (!ctx_) {
      VOUCH_TRY(connect_locked());
    }
    VOUCH_ASSIGN(ReplyPtr r, run_locked(args));
    return r;
  }

  Result<ReplyPtr> run_locked(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    ReplyPtr r(static_cast<redisReply*>(
        redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
    if (!r) {
      std::string why = ctx_->errstr[0] ? ctx_->errstr : "connection lost";
      ctx_.reset();
      retry_after_ = Clock::now() + options_.reconnect_interval;
      return redis_error(args[0] + " on " + describe() + ": " + why);
    }
    if (r->type == REDIS_REPLY_ERROR) {
      return redis_error(args[0] + ": " + std::string(r->str, r->len));
    }
    return r;
  }

  Status connect_locked() {
    if (retry_after_ && Clock::now() < *retry_after_) {
      return redis_error(describe() + " unreachable (next attempt in " +
                         std::to_string(std::chrono::duration_cast<milliseconds>(*retry_after_ - Clock::now()).count()) +
                         " ms): " + last_failure_);
    }
    ContextPtr c(redisConnectWithTimeout(url_.host.c_str(), url_.port, to_timeval(options_.connect_timeout)));
    Status st = c ? finish_connect(c.get()) : redis_error("cannot allocate a connection");
    if (!st) {
      last_failure_ = st.error().reason;
      retry_after_ = Clock::now() + options_.reconnect_interval;
      return st;
    }
    ctx_ = std::move(c);
    retry_after_.reset();
    return {};
  }

  Status finish_connect(redisContext* c) {
    if (c->err) return redis_error("connecting to " + describe() + ": " + c->errstr);
    if (redisSetTimeout(c, to_timeval(options_.command_timeout)) != REDIS_OK) {
      return redis_error("setting the command timeout: " + std::string(c->errstr));
    }
    auto simple = [&](const std::vector<std::string>& args) -> Status {
      std::vector<const char*> argv;
      std::vector<size_t> lens;
      for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      ReplyPtr r(static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
      if (!r) return redis_error(args[0] + " on " + describe() + ": " + (c->errstr[0] ? c->errstr : "no reply"));
      // Redis answered and said no (a wrong password, a database that does
      // not exist): a configuration problem, not an outage.
      if (r->type == REDIS_REPLY_ERROR)
        return config_error("Redis: " + args[0] + " refused by " + describe() + ": " + std::string(r->str, r->len));
      return {};
    };
    if (!url_.password.empty()) {
      if (url_.user.empty()) {
        VOUCH_TRY(simple({"AUTH", url_.password}));
      } else {
        VOUCH_TRY(simple({"AUTH", url_.user, url_.password}));
      }
    }
    if (url_.db != 0) {
      VOUCH_TRY(simple({"SELECT", std::to_string(url_.db)}));
    }
    return {};
  }

  const RedisUrl url_;
  const RedisStoreOptions options_;
  std::mutex mu_;
  ContextPtr ctx_;
  std::optional<Clock::time_point> retry_after_;
  std::string last_failure_;
};

bool parse_int(std::string_view s, int lo, int hi, int& out) {
  if (s.empty()) return false;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  out = v;
  return true;
}

}  // namespace

Result<RedisUrl> parse_redis_url(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  std::string_view rest(url);
  if (rest.substr(0, kScheme.size()) != kScheme) {
    return config_error("Redis URL \"" + url + "\": must start with redis:// (rediss:// is not supported)");
  }
  rest.remove_prefix(kScheme.size());
  RedisUrl out;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view cred = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    auto colon = cred.find(':');
    if (colon == std::string_view::npos) {
      out.password = std::string(cred);  // redis://PASSWORD@host
    } else {
      out.user = std::string(cred.substr(0, colon));
      out.password = std::string(cred.substr(colon + 1));
    }
  }
  std::string_view hostport = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !parse_int(db, 0, 1 << 20, out.db)) {
      return config_error("Redis URL \"" + url + "\": database must be a number");
    }
  }
  std::string_view port;
  if (!hostport.empty() && hostport[0] == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return config_error("Redis URL \"" + url + "\": unclosed [");
    out.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return config_error("Redis URL \"" + url + "\": junk after ]");
      port = after.substr(1);
      if (port.empty()) return config_error("Redis URL \"" + url + "\": empty port");
    }
  } else {
    auto colon = hostport.rfind(':');
    out.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = hostport.substr(colon + 1);
      if (port.empty()) return config_error("Redis URL \"" + url + "\": empty port");
    }
  }
  if (out.host.empty()) return config_error("Redis URL \"" + url + "\": no host");
  if (!port.empty() && !parse_int(port, 1, 65535, out.port)) {
    return config_error("Redis URL \"" + url + "\": port must be 1-65535");
  }
  return out;
}

Result<std::shared_ptr<SharedStore>> open_redis_store(const std::string& url, const RedisStoreOptions& options) {
  VOUCH_ASSIGN(RedisUrl parsed, parse_redis_url(url));
  auto store = std::make_shared<RedisStore>(std::move(parsed), options);
  if (options.connect_at_open) VOUCH_TRY(store->connect_now());
  return std::shared_ptr<SharedStore>(std::move(store));
}

}  // namespace vouch
