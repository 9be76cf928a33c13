// `--keylog FILE` / SSLKEYLOGFILE and `--trace` of `vouch connect` and
// `vouch serve`: where key log lines and trace events go.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "vouch/config.h"

namespace vouch::cli {

/// An NSS key log file (what Wireshark's tls.keylog_file reads), opened for
/// appending and created with mode 0600 (the lines decrypt the traffic). Each
/// line is written with one write(2) on the O_APPEND descriptor, so lines of
/// concurrent connections (and of other processes appending to the same
/// file) never interleave and nothing waits in a buffer. Thread-safe.
class KeyLogFile {
 public:
  /// Opens (creating if needed) `path`. Errors: the file cannot be opened
  /// (the reason from errno).
  static Result<std::shared_ptr<KeyLogFile>> open(const std::string& path);

  /// Only open() makes one (the key keeps the constructor to it).
  class Key {
    Key() = default;
    friend class KeyLogFile;
  };
  KeyLogFile(Key, int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~KeyLogFile();
  KeyLogFile(const KeyLogFile&) = delete;
  KeyLogFile& operator=(const KeyLogFile&) = delete;

  /// Appends `line` and a newline. A failed write is reported once on stderr.
  void write_line(const std::string& line);

 private:
  int fd_;
  std::string path_;
  bool warned_ = false;
};

/// The key log file of `--keylog FILE`, else of the SSLKEYLOGFILE environment
/// variable (when set and not empty), installed as config.keylog; nothing
/// when neither is given (key logging is off unless asked). The file named
/// is reported on stderr ("<command>: logging TLS secrets to FILE") so a
/// forgotten SSLKEYLOGFILE does not go unnoticed.
Status install_keylog(const std::string& flag_path, const std::string& command, CommonConfig& config);

/// Installs a trace hook printing one line per event on stderr:
/// "<command>: trace: <event>", or with `numbered` (serve, several
/// connections at once) "<command>: trace [N]: <event>", N being the
/// connection's trace number. Lines are written whole (one locked
/// fmt::print), so concurrent connections never mix within a line.
void install_trace_printer(const std::string& command, bool numbered, CommonConfig& config);

/// The line install_trace_printer() prints for an event (without newline).
std::string trace_line(const std::string& command, bool numbered, uint64_t connection, const TraceEvent& event);

}  // namespace vouch::cli
