#include "stapler/staple_cache.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

#include "base/hex.h"
#include "base/unique_fd.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "vouch/ocsp.h"

namespace vouch {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFinalSuffix = ".der";
constexpr const char* kTempInfix = ".tmp.";

Error cache_error(const fs::path& path, const std::string& what, int err) {
  std::string reason = "OCSP cache " + path.string() + ": " + what;
  if (err != 0) reason += ": " + std::string(std::strerror(err));
  return io_error(std::move(reason));
}

Status write_all(int fd, ByteView data, const fs::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return cache_error(path, "write", n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
  return {};
}

// True while a process with this pid exists (EPERM: it exists, not ours).
bool process_alive(long pid) {
  if (pid <= 0 || pid > static_cast<long>(INT32_MAX)) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

Result<std::string> staple_cache_name(ByteView cert_der) {
  VOUCH_ASSIGN(const Bytes hash, digest(HashAlg::sha256, cert_der));
  return to_hex(hash);
}

fs::path StapleCache::file_for(const std::string& name) const { return dir_ / (name + kFinalSuffix); }

Result<std::optional<Bytes>> StapleCache::read(const std::string& name) const {
  if (!enabled()) return std::optional<Bytes>();
  remove_stale_temps(name);
  const fs::path path = file_for(name);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.ok()) {
    if (errno == ENOENT) return std::optional<Bytes>();
    return cache_error(path, "open", errno);
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return cache_error(path, "stat", errno);
  if (!S_ISREG(st.st_mode)) return cache_error(path, "not a regular file", 0);
  // Refused before reading: the file is as untrusted as the network.
  if (st.st_size > static_cast<off_t>(kMaxOcspResponseBytes))
    return cache_error(path, std::to_string(st.st_size) + " bytes, more than the " +
                                 std::to_string(kMaxOcspResponseBytes) + " an OCSP response may have", 0);
  if (st.st_size == 0) return cache_error(path, "empty file", 0);

  // Read at most one byte more than the limit, in case the file grows.
  Bytes data(kMaxOcspResponseBytes + 1);
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = ::read(fd.get(), data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return cache_error(path, "read", errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > kMaxOcspResponseBytes) return cache_error(path, "larger than an OCSP response may be", 0);
  if (got == 0) return cache_error(path, "empty file", 0);
  data.resize(got);
  return std::optional<Bytes>(std::move(data));
}

Status StapleCache::write(const std::string& name, ByteView der) const {
  if (!enabled()) return {};
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return cache_error(dir_, "cannot create the directory", ec.value());

  // A unique temporary name in the same directory (rename(2) must not cross
  // file systems): the pid tells later loads whether the writer still runs.
  std::array<uint8_t, 8> rnd{};
  VOUCH_TRY(random_public_bytes(rnd));
  const fs::path tmp = dir_ / (name + kTempInfix + std::to_string(::getpid()) + "." + to_hex(rnd));
  const fs::path final_path = file_for(name);

  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.ok()) return cache_error(tmp, "create", errno);
  auto fail_and_unlink = [&](Error e) {
    ::unlink(tmp.c_str());
    return e;
  };
  if (Status s = write_all(fd.get(), der, tmp); !s) return fail_and_unlink(s.error());
  // The data must be on disk before the rename makes it the cache file.
  if (::fsync(fd.get()) != 0) return fail_and_unlink(cache_error(tmp, "fsync", errno));
  if (fd.close_checked() != 0) return fail_and_unlink(cache_error(tmp, "close", errno));
  if (::rename(tmp.c_str(), final_path.c_str()) != 0)
    return fail_and_unlink(cache_error(final_path, "rename", errno));

  // And the directory entry must be on disk for the rename to survive.
  UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.ok()) return cache_error(dir_, "open directory", errno);
  if (::fsync(dir.get()) != 0) return cache_error(dir_, "fsync directory", errno);
  return {};
}

Status StapleCache::remove(const std::string& name) const {
  if (!enabled()) return {};
  const fs::path path = file_for(name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return cache_error(path, "remove", errno);
  return {};
}

size_t StapleCache::remove_stale_temps(const std::string& name) const {
  if (!enabled()) return 0;
  const std::string prefix = name + kTempInfix;
  size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (file.size() <= prefix.size() || file.compare(0, prefix.size(), prefix) != 0) continue;
    // "<pid>.<random>": a writer that still runs is left alone.
    const std::string rest = file.substr(prefix.size());
    long pid = 0;
    const auto [end_ptr, err] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    const char* const rest_end = rest.data() + rest.size();
    const bool parsed = err == std::errc() && end_ptr != rest.data() && end_ptr != rest_end && *end_ptr == '.';
    if (parsed && process_alive(pid)) continue;
    std::error_code rm_ec;
    if (fs::remove(it->path(), rm_ec)) ++removed;
  }
  return removed;
}

}  // namespace vouch
