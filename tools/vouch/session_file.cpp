#include "session_file.h"

#include "base/hex.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <set>

namespace vouch::cli {
namespace {

constexpr std::string_view kMagic = "vouch-session 1";

// Field bounds from the wire formats the values come from.
constexpr size_t kMaxTicket = 0xFFFF;      // opaque ticket<1..2^16-1> (RFC 8446 §4.6.1)
constexpr size_t kMaxPsk = 64;             // a HKDF output: Hash.length (at most SHA-384 here)
constexpr size_t kMaxServerName = 255;     // a DNS name
constexpr size_t kMaxAlpn = 255;           // opaque ProtocolName<1..2^8-1> (RFC 7301 §3.1)
constexpr size_t kMaxCert = 0xFFFFFF;      // opaque cert_data<1..2^24-1> (RFC 8446 §4.4.2)
constexpr size_t kMaxPeerCerts = 16;
// RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800
// seconds (7 days)".
constexpr uint32_t kMaxLifetime = 604800;

Result<Bytes> unhex(std::string_view key, std::string_view s, size_t max_bytes) {
  if (s.size() % 2 != 0) return fail(Alert::decode_error, std::string(key) + ": odd hex length");
  if (s.size() / 2 > max_bytes) return fail(Alert::decode_error, std::string(key) + ": too long");
  Bytes out;
  if (!from_hex(s, out)) return fail(Alert::decode_error, std::string(key) + ": bad hex digit");
  return out;
}

template <class T>
Result<T> number(std::string_view key, std::string_view s, int base, T max) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > max) {
    return fail(Alert::decode_error, std::string(key) + ": bad number '" + std::string(s) + "'");
  }
  return v;
}

}  // namespace

std::string format_session(const Session& s) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const auto ms = duration_cast<milliseconds>(s.received_at.time_since_epoch()).count();
  char code[8];
  std::string out(kMagic);
  out += "\n";
  std::snprintf(code, sizeof code, "%04x", static_cast<unsigned>(s.version));
  out += "version " + std::string(code) + "\n";
  std::snprintf(code, sizeof code, "%04x", static_cast<unsigned>(s.cipher_suite));
  out += "cipher_suite " + std::string(code) + "\n";
  out += "ticket " + to_hex(s.ticket) + "\n";
  out += "psk " + to_hex(s.psk) + "\n";
  out += "lifetime " + std::to_string(s.lifetime_seconds) + "\n";
  out += "age_add " + std::to_string(s.age_add) + "\n";
  out += "received_at " + std::to_string(ms < 0 ? 0 : ms) + "\n";
  out += "server_name " +
         to_hex(ByteView(reinterpret_cast<const uint8_t*>(s.server_name.data()), s.server_name.size())) +
         "\n";
  out += "alpn " + to_hex(ByteView(reinterpret_cast<const uint8_t*>(s.alpn.data()), s.alpn.size())) +
         "\n";
  for (const Bytes& cert : s.peer_chain) out += "peer_cert " + to_hex(cert) + "\n";
  return out;
}

Result<Session> parse_session(std::string_view text) {
  if (text.size() > kMaxSessionFileBytes) return fail(Alert::decode_error, "session file too large");
  const size_t first_nl = text.find('\n');
  if (first_nl == std::string_view::npos || text.substr(0, first_nl) != kMagic) {
    return fail(Alert::decode_error, "not a vouch session file (expected '" +
                                         std::string(kMagic) + "' on the first line)");
  }
  if (text.back() != '\n') return fail(Alert::decode_error, "truncated session file");

  Session s;
  std::set<std::string, std::less<>> seen;
  std::string_view rest = text.substr(first_nl + 1);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');  // present: the text ends with '\n'
    const std::string_view line = rest.substr(0, nl);
    rest = rest.substr(nl + 1);
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) {
      return fail(Alert::decode_error, "malformed line '" + std::string(line.substr(0, 40)) + "'");
    }
    const std::string_view key = line.substr(0, sp);
    const std::string_view value = line.substr(sp + 1);
    if (key != "peer_cert" && !seen.emplace(key).second) {
      return fail(Alert::decode_error, "repeated key '" + std::string(key) + "'");
    }
    if (key == "version") {
      VOUCH_ASSIGN(const uint16_t v, number<uint16_t>(key, value, 16, 0xFFFF));
      if (v != static_cast<uint16_t>(ProtocolVersion::tls13)) {
        return fail(Alert::decode_error, "version: only TLS 1.3 sessions are supported");
      }
      s.version = ProtocolVersion::tls13;
    } else if (key == "cipher_suite") {
      VOUCH_ASSIGN(const uint16_t v, number<uint16_t>(key, value, 16, 0xFFFF));
      s.cipher_suite = static_cast<CipherSuite>(v);
    } else if (key == "ticket") {
      VOUCH_ASSIGN(s.ticket, unhex(key, value, kMaxTicket));
    } else if (key == "psk") {
      VOUCH_ASSIGN(s.psk, unhex(key, value, kMaxPsk));
    } else if (key == "lifetime") {
      VOUCH_ASSIGN(s.lifetime_seconds, number<uint32_t>(key, value, 10, kMaxLifetime));
    } else if (key == "age_add") {
      VOUCH_ASSIGN(s.age_add, number<uint32_t>(key, value, 10, 0xFFFFFFFFu));
    } else if (key == "received_at") {
      VOUCH_ASSIGN(const uint64_t ms, number<uint64_t>(key, value, 10, uint64_t{1} << 52));
      s.received_at = std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::milliseconds(ms)));
    } else if (key == "server_name") {
      VOUCH_ASSIGN(const Bytes b, unhex(key, value, kMaxServerName));
      s.server_name.assign(b.begin(), b.end());
    } else if (key == "alpn") {
      VOUCH_ASSIGN(const Bytes b, unhex(key, value, kMaxAlpn));
      s.alpn.assign(b.begin(), b.end());
    } else if (key == "peer_cert") {
      if (s.peer_chain.size() == kMaxPeerCerts) {
        return fail(Alert::decode_error, "peer_cert: too many certificates");
      }
      VOUCH_ASSIGN(Bytes cert, unhex(key, value, kMaxCert));
      if (cert.empty()) return fail(Alert::decode_error, "peer_cert: empty");
      s.peer_chain.push_back(std::move(cert));
    } else {
      return fail(Alert::decode_error, "unknown key '" + std::string(key.substr(0, 40)) + "'");
    }
  }
  for (const char* required : {"version", "cipher_suite", "ticket", "psk", "lifetime", "age_add",
                               "received_at", "server_name", "alpn"}) {
    if (seen.find(std::string_view(required)) == seen.end()) {
      return fail(Alert::decode_error, std::string("missing key '") + required + "'");
    }
  }
  if (s.ticket.empty()) return fail(Alert::decode_error, "ticket: empty");
  if (s.psk.empty()) return fail(Alert::decode_error, "psk: empty");
  return s;
}

Status write_session_file(const std::string& path, const Session& s) {
  const std::string text = format_session(s);
  const std::string tmp = path + ".tmp";
  // 0600: the file holds a resumption PSK.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(Alert::internal_error, tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(Alert::internal_error, tmp + ": " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail(Alert::internal_error, path + ": " + std::strerror(err));
  }
  return {};
}

Result<std::shared_ptr<const Session>> read_session_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Alert::internal_error, path + ": " + std::strerror(errno));
  std::string text;
  char buf[4096];
  // Bounded by kMaxSessionFileBytes.
  while (text.size() <= kMaxSessionFileBytes) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return fail(Alert::internal_error, path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  Result<Session> s = parse_session(text);
  if (!s) return fail(Alert::internal_error, path + ": " + s.error().reason);
  return std::make_shared<const Session>(std::move(s).value());
}

}  // namespace vouch::cli
