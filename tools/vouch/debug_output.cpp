#include "debug_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/core.h>
#include <mutex>

#include "options.h"

namespace vouch::cli {

Result<std::shared_ptr<KeyLogFile>> KeyLogFile::open(const std::string& path) {
  // 0600: whoever reads the file can decrypt every logged connection.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return fail(Alert::internal_error, path + ": " + std::strerror(errno));
  return std::make_shared<KeyLogFile>(Key{}, fd, path);
}

KeyLogFile::~KeyLogFile() { ::close(fd_); }

void KeyLogFile::write_line(const std::string& line) {
  const std::string text = line + "\n";
  // One write(2) per line: with O_APPEND the line lands whole at the end of
  // the file (a regular file's write is not split by signals here: the
  // tool blocks or ignores the ones it handles).
  ssize_t n;
  do {
    n = ::write(fd_, text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(text.size())) {
    static std::mutex mu;
    std::lock_guard lock(mu);
    if (!warned_) {
      warned_ = true;
      print_warning("", "key log " + path_ + ": " + (n < 0 ? std::string(std::strerror(errno)) : "short write"));
    }
  }
}

Status install_keylog(const std::string& flag_path, const std::string& command, CommonConfig& config) {
  std::string path = flag_path;
  std::string origin = "--keylog";
  if (path.empty()) {
    const char* env = std::getenv("SSLKEYLOGFILE");
    if (env == nullptr || *env == '\0') return {};
    path = env;
    origin = "SSLKEYLOGFILE";
  }
  Result<std::shared_ptr<KeyLogFile>> file = KeyLogFile::open(path);
  if (!file) return fail(Alert::internal_error, origin + ": " + file.error().reason);
  fmt::print(stderr, "{}: logging TLS secrets to {} ({}); anyone who reads it can decrypt these connections\n",
             command, path, origin);
  config.keylog = [f = std::move(file).value()](const std::string& line) { f->write_line(line); };
  return {};
}

std::string trace_line(const std::string& command, bool numbered, uint64_t connection, const TraceEvent& event) {
  if (numbered) return fmt::format("{}: trace [{}]: {}", command, connection, to_string(event));
  return fmt::format("{}: trace: {}", command, to_string(event));
}

void install_trace_printer(const std::string& command, bool numbered, CommonConfig& config) {
  config.trace = [command, numbered](uint64_t connection, const TraceEvent& event) {
    const std::string line = trace_line(command, numbered, connection, event) + "\n";
    static std::mutex mu;
    std::lock_guard lock(mu);
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  };
}

}  // namespace vouch::cli
