// The single-machine SharedStore: one file per key in a directory.
//
// Every call takes an exclusive flock(2) on DIR/.lock for its duration, so a
// compare-and-set or a lease decision is atomic between all threads and
// processes using the directory (flock locks belong to open file
// descriptions: two descriptors of one process exclude each other too).
// Values are written to a temporary file and renamed into place, so a reader
// never sees half a value even without the lock, and a crash leaves either
// the old or the new value.
//
// File format (store/directory_record.h): "VST1", the expiry as 8 bytes
// big-endian (milliseconds since the Unix epoch; 0 = never), then the value.
// Anything else is treated as absent (and replaced by the next put).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "base/unique_fd.h"
#include "store/directory_record.h"
#include "vouch/store.h"

namespace vouch {
namespace {

using std::chrono::milliseconds;

int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool key_ok(std::string_view key) {
  if (key.empty() || key.size() > 200 || key[0] == '.') return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

Error file_error(const std::string& what, const std::filesystem::path& p, int err) {
  return io_error("store: " + what + " " + p.string() + ": " + std::strerror(err));
}

class DirectoryStore final : public SharedStore {
 public:
  explicit DirectoryStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  Result<std::optional<Bytes>> get(std::string_view key) override {
    VOUCH_TRY(check_key(key));
    VOUCH_ASSIGN(UniqueFd lock, take_lock());
    return read_value(key);
  }

  Status put(std::string_view key, ByteView value, milliseconds ttl) override {
    VOUCH_TRY(check_key(key));
    VOUCH_ASSIGN(UniqueFd lock, take_lock());
    return write_value(key, value, ttl);
  }

  Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected, ByteView desired,
                               milliseconds ttl) override {
    VOUCH_TRY(check_key(key));
    VOUCH_ASSIGN(UniqueFd lock, take_lock());
    VOUCH_ASSIGN(std::optional<Bytes> current, read_value(key));
    const bool match = expected ? (current && std::equal(current->begin(), current->end(), expected->begin(),
                                                         expected->end()))
                                : !current.has_value();
    if (!match) return false;
    VOUCH_TRY(write_value(key, desired, ttl));
    return true;
  }

  Result<bool> acquire_lease(std::string_view name, std::string_view owner, milliseconds ttl) override {
    const std::string key = "lease:" + std::string(name);
    VOUCH_TRY(check_key(key));
    if (owner.empty() || ttl <= milliseconds(0)) {
      return config_error("store: a lease needs an owner and a positive duration");
    }
    VOUCH_ASSIGN(UniqueFd lock, take_lock());
    VOUCH_ASSIGN(std::optional<Bytes> holder, read_value(key));
    if (holder && std::string_view(reinterpret_cast<const char*>(holder->data()), holder->size()) != owner) {
      return false;
    }
    VOUCH_TRY(write_value(key, ByteView(reinterpret_cast<const uint8_t*>(owner.data()), owner.size()), ttl));
    return true;
  }

  Status release_lease(std::string_view name, std::string_view owner) override {
    const std::string key = "lease:" + std::string(name);
    VOUCH_TRY(check_key(key));
    VOUCH_ASSIGN(UniqueFd lock, take_lock());
    VOUCH_ASSIGN(std::optional<Bytes> holder, read_value(key));
    if (holder && std::string_view(reinterpret_cast<const char*>(holder->data()), holder->size()) == owner) {
      if (::unlink(path_of(key).c_str()) != 0 && errno != ENOENT) return file_error("removing", path_of(key), errno);
    }
    return {};
  }

  std::string describe() const override { return "directory " + dir_.string(); }

 private:
  Status check_key(std::string_view key) const {
    if (!key_ok(key)) {
      return config_error("store: key \"" + std::string(key.substr(0, 64)) +
                                             "\" has characters other than letters, digits and -_.:");
    }
    return {};
  }

  std::filesystem::path path_of(std::string_view key) const { return dir_ / std::string(key); }

  Result<UniqueFd> take_lock() const {
    const auto p = dir_ / ".lock";
    UniqueFd fd(::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) return file_error("opening", p, errno);
    // Bounded: the lock is held only for one small file operation.
    while (::flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) return file_error("locking", p, errno);
    }
    return fd;  // closing the descriptor releases the lock
  }

  Result<std::optional<Bytes>> read_value(std::string_view key) const {
    const auto p = path_of(key);
    UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) return std::optional<Bytes>();
      return file_error("opening", p, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return file_error("reading", p, errno);
    if (static_cast<uint64_t>(st.st_size) > kDirectoryMaxValue + kDirectoryRecordHeader) {
      return std::optional<Bytes>();
    }
    Bytes all(static_cast<size_t>(st.st_size));
    size_t have = 0;
    while (have < all.size()) {
      const ssize_t n = ::read(fd.get(), all.data() + have, all.size() - have);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return file_error("reading", p, errno);
      if (n == 0) break;
      have += static_cast<size_t>(n);
    }
    if (have != all.size()) return std::optional<Bytes>();  // changed while read: absent
    const auto record = decode_directory_record(all);
    if (!record) return std::optional<Bytes>();  // not ours or torn: absent
    if (record->expired_at(now_ms())) return std::optional<Bytes>();
    return std::optional<Bytes>(Bytes(record->value.begin(), record->value.end()));
  }

  Status write_value(std::string_view key, ByteView value, milliseconds ttl) const {
    if (value.size() > kDirectoryMaxValue) return config_error("store: value larger than 16 MiB");
    // A ttl too long to add to now (milliseconds::max(), say) saturates
    // rather than overflowing: the value then never expires in practice.
    const int64_t now = now_ms();
    const int64_t until = ttl.count() > INT64_MAX - now ? INT64_MAX : now + ttl.count();
    const uint64_t expiry = ttl > milliseconds(0) ? static_cast<uint64_t>(until) : 0;
    const Bytes all = encode_directory_record(value, expiry);
    const auto p = path_of(key);
    const auto tmp = dir_ / (".tmp-" + std::string(key));
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return file_error("creating", tmp, errno);
    size_t done = 0;
    while (done < all.size()) {
      const ssize_t n = ::write(fd.get(), all.data() + done, all.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return file_error("writing", tmp, err);
      }
      done += static_cast<size_t>(n);
    }
    fd.reset();
    if (::rename(tmp.c_str(), p.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      return file_error("renaming into", p, err);
    }
    return {};
  }

  std::filesystem::path dir_;
};

}  // namespace

Result<std::shared_ptr<SharedStore>> open_directory_store(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("store: cannot create " + dir.string() + ": " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) {
    return config_error("store: " + dir.string() + " is not a directory");
  }
  ::chmod(dir.c_str(), 0700);
  return std::shared_ptr<SharedStore>(std::make_shared<DirectoryStore>(dir));
}

}  // namespace vouch
