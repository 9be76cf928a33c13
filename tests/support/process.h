// Running real peers (openssl, gnutls, the vouch tool) from tests.
//
// Everything here is bounded: each wait has a deadline, each loop a maximum
// number of rounds, and a ChildProcess that goes out of scope kills its
// process by PID (SIGTERM, then SIGKILL) and reaps it. Networking helpers use
// 127.0.0.1 only.
//
// Output of a child goes to files (not pipes), so a chatty child can never
// block on a full pipe while the test waits for it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vouch::testing {

using std::chrono::milliseconds;

/// How a child ended.
struct ExitStatus {
  bool exited = false;     // returned from main / called exit()
  int code = -1;           // exit code when exited
  int signal = 0;          // terminating signal when !exited
  bool timed_out = false;  // did not end in time and was killed by us

  bool success() const { return exited && code == 0; }
  /// "exit 0", "exit 1", "signal 9", "timed out (killed: signal 15)".
  std::string describe() const;
};

/// What the child's standard input is.
enum class StdinMode {
  null,  // /dev/null: immediate EOF
  data,  // the bytes of SpawnOptions::stdin_data, then EOF
  pipe,  // a pipe kept open by the parent: write_stdin() / close_stdin()
};

struct SpawnOptions {
  StdinMode stdin_mode = StdinMode::null;
  std::string stdin_data;
  /// Extra environment entries ("NAME=value") on top of the test's own.
  std::vector<std::string> extra_env;
};

/// A running child process. Move-only; the destructor stops and reaps it.
class ChildProcess {
 public:
  /// Starts argv[0] (searched on PATH when it has no '/'). On failure the
  /// returned object is not running() and error() says why.
  static ChildProcess spawn(const std::vector<std::string>& argv, const SpawnOptions& opts = {});

  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  /// True between a successful spawn and the moment it was reaped.
  bool running() const { return pid_ > 0 && !status_; }
  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }
  /// The command line, for messages ("openssl s_server -accept ...").
  const std::string& command() const { return command_; }

  /// Waits up to `timeout` for the child to end; on timeout stops it
  /// (SIGTERM, then SIGKILL) and reports timed_out. Idempotent: later calls
  /// return the same status.
  ExitStatus wait(milliseconds timeout);
  /// Stops the child now (SIGTERM, then SIGKILL after a grace period).
  ExitStatus stop();

  /// Everything the child wrote so far.
  std::string out() const;
  std::string err() const;
  /// Waits until stdout (or stderr, when on_stderr) contains `needle`, the
  /// child exits, or the timeout passes. True only if the text appeared.
  bool wait_for_output(const std::string& needle, milliseconds timeout, bool on_stderr = false);
  /// As wait_for_output, until `needle` occurs at least `count` times
  /// (non-overlapping): the second Finished of a renegotiation, say.
  bool wait_for_count(const std::string& needle, size_t count, milliseconds timeout,
                      bool on_stderr = false);

  /// StdinMode::pipe only. write_stdin returns false when the child is gone.
  bool write_stdin(const std::string& data);
  void close_stdin();

  /// "command\n--- stdout ---\n...\n--- stderr ---\n...\n(status)" for failures.
  std::string transcript() const;

 private:
  void cleanup_files();
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::optional<ExitStatus> status_;
  std::string error_;
  std::string command_;
  std::string out_path_;
  std::string err_path_;
  std::string in_path_;
};

/// Waits up to `timeout` for `pid` to exit and returns its status; on timeout
/// sends SIGTERM, waits a short grace period, then SIGKILL, and reaps it.
ExitStatus wait_exit(pid_t pid, milliseconds timeout);

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read
/// it back, close). Returns 0 on failure.
uint16_t free_port();

/// Tries to connect to 127.0.0.1:port until it succeeds or `timeout` passes.
/// Note: a successful probe is an accepted (and immediately closed)
/// connection — use only with servers that keep accepting.
bool wait_for_port(uint16_t port, milliseconds timeout);

/// Waits until `path` exists and is non-empty; returns its content, or
/// nullopt after `timeout`.
std::optional<std::string> wait_for_file(const std::string& path, milliseconds timeout);

/// The full path of `name` found on PATH, or nullopt.
std::optional<std::string> find_program(const std::string& name);

/// A fresh private directory under $TMPDIR (or /tmp); removed (recursively)
/// when the returned object is destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// path() + "/" + name
  std::string file(const std::string& name) const;

 private:
  std::string path_;
};

/// Reads a whole file ("" when missing).
std::string read_text_file(const std::string& path);

/// How many times `needle` occurs in `text`, not overlapping (0 for an
/// empty needle).
size_t count_occurrences(const std::string& text, const std::string& needle);

}  // namespace vouch::testing
