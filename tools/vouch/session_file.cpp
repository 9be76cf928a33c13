#include "session_file.h"

#include "base/hex.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vouch::cli {
namespace {

constexpr std::string_view kMagicPrefix = "vouch-session ";
constexpr std::string_view kFormat = "2";
constexpr std::string_view kSessionKey = "session ";

Error bad(std::string reason) { return data_error(std::move(reason)); }

// The start of untrusted text for a message: up to the first newline, at
// most 40 characters.
std::string excerpt(std::string_view text) {
  constexpr size_t n = 40;
  const std::string_view line = text.substr(0, text.find('\n'));
  return line.size() <= n ? std::string(line) : std::string(line.substr(0, n)) + "...";
}

}  // namespace

std::string format_session(const Session& s) {
  std::string out(kMagicPrefix);
  out += kFormat;
  out += "\n";
  out += kSessionKey;
  out += to_hex(s.serialize());
  out += "\n";
  return out;
}

Result<Session> parse_session(std::string_view text) {
  if (text.size() > kMaxSessionFileBytes) return bad("session file too large");
  const size_t first_nl = text.find('\n');
  const std::string_view header = text.substr(0, first_nl);
  if (!header.starts_with(kMagicPrefix)) {
    return bad("not a vouch session file (expected 'vouch-session " + std::string(kFormat) +
               "' on the first line)");
  }
  const std::string_view format = header.substr(kMagicPrefix.size());
  if (format == "1") return bad("session file format 1 is no longer read; save the session again");
  if (format != kFormat) {
    return bad("unknown session file format '" + excerpt(format) + "' (this vouch reads format " +
               std::string(kFormat) + ")");
  }
  if (text.back() != '\n') return bad("truncated session file (no newline at the end)");

  // Exactly one more line: "session <hex>".
  const std::string_view rest = text.substr(first_nl + 1);
  if (rest.empty()) return bad("missing line 'session'");
  const size_t nl = rest.find('\n');  // present: the text ends with '\n'
  const std::string_view line = rest.substr(0, nl);
  if (rest.size() > nl + 1) {
    return bad("unexpected line after 'session': '" + excerpt(rest.substr(nl + 1)) + "'");
  }
  if (!line.starts_with(kSessionKey)) {
    return bad("expected 'session <hex>' on the second line, not '" + excerpt(line) + "'");
  }
  const std::string_view hex = line.substr(kSessionKey.size());
  if (hex.empty()) return bad("session: empty");
  if (hex.size() % 2 != 0) return bad("session: odd hex length");
  Bytes bytes;
  if (!from_hex(hex, bytes)) return bad("session: bad hex digit");
  Result<Session> s = Session::deserialize(bytes);
  if (!s) return bad("corrupt session data: " + s.error().reason);
  return s;
}

Status write_session_file(const std::string& path, const Session& s) {
  const std::string text = format_session(s);
  if (text.size() > kMaxSessionFileBytes) {
    return data_error(path + ": the session is too large for a session file (" +
                                           std::to_string(text.size()) + " bytes)");
  }
  const std::string tmp = path + ".tmp";
  // 0600: the file holds a resumption secret (a PSK or a master secret).
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return io_error(tmp + ": " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_error(path + ": " + std::strerror(err));
  }
  return {};
}

Result<std::shared_ptr<const Session>> read_session_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(path + ": " + std::strerror(errno));
  std::string text;
  char buf[4096];
  // Bounded by kMaxSessionFileBytes.
  while (text.size() <= kMaxSessionFileBytes) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return io_error(path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  Result<Session> s = parse_session(text);
  if (!s) return data_error(path + ": " + s.error().reason);
  return std::make_shared<const Session>(std::move(s).value());
}

}  // namespace vouch::cli
