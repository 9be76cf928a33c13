// Child processes, ports and files for tests that run real peers.
#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

extern char** environ;

namespace vouch::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Polling interval for waits that have no event to block on (a file that
// appears, a child that exits). Short, so readiness is noticed quickly; every
// such loop is also bounded by its deadline.
constexpr milliseconds kPollInterval{5};
// Between SIGTERM and SIGKILL.
constexpr milliseconds kTermGrace{2000};

std::string temp_root() {
  const char* t = std::getenv("TMPDIR");
  return (t != nullptr && *t != '\0') ? t : "/tmp";
}

// One directory per test process for children's output files; each child
// removes its own files, the directory goes at process exit.
struct OutputDir {
  std::string path;
  bool created = false;
  OutputDir() {
    std::string tmpl = temp_root() + "/vouch-proc-XXXXXX";
    created = ::mkdtemp(tmpl.data()) != nullptr;
    path = created ? tmpl : temp_root();
  }
  ~OutputDir() {
    if (created) ::rmdir(path.c_str());
  }
};

const std::string& output_dir() {
  static const OutputDir dir;
  return dir.path;
}

std::string next_output_path(const char* kind) {
  static std::atomic<unsigned> counter{0};
  return output_dir() + "/" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "." +
         kind;
}

bool write_whole_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

ExitStatus decode(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) {
    s.exited = true;
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

// Non-blocking reap; nullopt while still running.
std::optional<ExitStatus> try_reap(pid_t pid) {
  int wstatus = 0;
  pid_t r;
  do {
    r = ::waitpid(pid, &wstatus, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid) return decode(wstatus);
  if (r < 0) {
    // Not our child (or already reaped elsewhere): nothing left to wait for.
    ExitStatus s;
    s.code = -1;
    return s;
  }
  return std::nullopt;
}

std::optional<ExitStatus> poll_exit(pid_t pid, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (auto s = try_reap(pid)) return s;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::string join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    const bool quote = a.empty() || a.find_first_of(" \t\r\n'\"\\") != std::string::npos;
    if (!quote) {
      s += a;
      continue;
    }
    s += '\'';
    for (char c : a) {
      if (c == '\r') s += "\\r";
      else if (c == '\n') s += "\\n";
      else s += c;
    }
    s += '\'';
  }
  return s;
}

// RAII for posix_spawn's attribute objects.
struct SpawnAttrs {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnAttrs() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnAttrs() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnAttrs(const SpawnAttrs&) = delete;
  SpawnAttrs& operator=(const SpawnAttrs&) = delete;
};

}  // namespace

std::string ExitStatus::describe() const {
  std::string s;
  if (exited) {
    s = "exit " + std::to_string(code);
  } else if (signal != 0) {
    s = "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  } else {
    s = "unknown status";
  }
  if (timed_out) s = "timed out (then " + s + ")";
  return s;
}

ChildProcess ChildProcess::spawn(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  ChildProcess c;
  c.command_ = join(argv);
  if (argv.empty()) {
    c.error_ = "empty argv";
    return c;
  }
  c.out_path_ = next_output_path("out");
  c.err_path_ = next_output_path("err");

  SpawnAttrs sa;
  int pipe_fds[2] = {-1, -1};
  switch (opts.stdin_mode) {
    case StdinMode::null:
      posix_spawn_file_actions_addopen(&sa.actions, 0, "/dev/null", O_RDONLY, 0);
      break;
    case StdinMode::data:
      c.in_path_ = next_output_path("in");
      if (!write_whole_file(c.in_path_, opts.stdin_data)) {
        c.error_ = "cannot write stdin file " + c.in_path_;
        return c;
      }
      posix_spawn_file_actions_addopen(&sa.actions, 0, c.in_path_.c_str(), O_RDONLY, 0);
      break;
    case StdinMode::pipe:
      if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        c.error_ = std::string("pipe: ") + std::strerror(errno);
        return c;
      }
      posix_spawn_file_actions_adddup2(&sa.actions, pipe_fds[0], 0);
      break;
  }
  posix_spawn_file_actions_addopen(&sa.actions, 1, c.out_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&sa.actions, 2, c.err_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);

  // The child starts with default signal dispositions and an empty mask, even
  // if the test runner blocks or ignores some (SIGPIPE, SIGTERM).
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigmask(&sa.attr, &empty);
  posix_spawnattr_setsigdefault(&sa.attr, &defaults);
  posix_spawnattr_setflags(&sa.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> env_store;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env_store.emplace_back(*e);
  for (const auto& e : opts.extra_env) env_store.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  std::vector<std::string> args_store = argv;
  std::vector<char*> args;
  for (auto& a : args_store) args.push_back(a.data());
  args.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &sa.actions, &sa.attr, args.data(), envp.data());
  if (pipe_fds[0] >= 0) ::close(pipe_fds[0]);
  if (rc != 0) {
    if (pipe_fds[1] >= 0) ::close(pipe_fds[1]);
    c.error_ = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return c;
  }
  c.pid_ = pid;
  c.stdin_fd_ = pipe_fds[1];
  return c;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      stdin_fd_(std::exchange(o.stdin_fd_, -1)),
      status_(std::exchange(o.status_, std::nullopt)),
      error_(std::move(o.error_)),
      command_(std::move(o.command_)),
      out_path_(std::exchange(o.out_path_, {})),
      err_path_(std::exchange(o.err_path_, {})),
      in_path_(std::exchange(o.in_path_, {})) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (running()) stop();
    close_stdin();
    cleanup_files();
    pid_ = std::exchange(o.pid_, -1);
    stdin_fd_ = std::exchange(o.stdin_fd_, -1);
    status_ = std::exchange(o.status_, std::nullopt);
    error_ = std::move(o.error_);
    command_ = std::move(o.command_);
    out_path_ = std::exchange(o.out_path_, {});
    err_path_ = std::exchange(o.err_path_, {});
    in_path_ = std::exchange(o.in_path_, {});
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  close_stdin();
  if (running()) stop();
  cleanup_files();
}

void ChildProcess::cleanup_files() {
  for (auto* p : {&out_path_, &err_path_, &in_path_}) {
    if (!p->empty()) ::unlink(p->c_str());
    p->clear();
  }
}

ExitStatus ChildProcess::wait(milliseconds timeout) {
  if (status_) return *status_;
  if (pid_ <= 0) {
    ExitStatus s;
    status_ = s;
    return s;
  }
  status_ = wait_exit(pid_, timeout);
  close_stdin();
  return *status_;
}

ExitStatus ChildProcess::stop() {
  if (status_) return *status_;
  if (pid_ <= 0) return wait(milliseconds(0));
  ::kill(pid_, SIGTERM);
  // Not a timeout of ours: the test asked for the stop.
  status_ = wait_exit(pid_, kTermGrace);
  close_stdin();
  return *status_;
}

std::string ChildProcess::out() const { return read_text_file(out_path_); }
std::string ChildProcess::err() const { return read_text_file(err_path_); }

bool ChildProcess::wait_for_output(const std::string& needle, milliseconds timeout,
                                   bool on_stderr) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const std::string text = on_stderr ? err() : out();
    if (text.find(needle) != std::string::npos) return true;
    if (!running()) return false;
    if (pid_ > 0) {
      if (auto s = try_reap(pid_)) {
        status_ = s;
        // The child may have written the text just before exiting.
        const std::string last = on_stderr ? err() : out();
        return last.find(needle) != std::string::npos;
      }
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

size_t count_occurrences(const std::string& text, const std::string& needle) {
  if (needle.empty()) return 0;
  size_t n = 0;
  // Bounded: each round moves past one occurrence.
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

bool ChildProcess::wait_for_count(const std::string& needle, size_t count, milliseconds timeout,
                                  bool on_stderr) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (count_occurrences(on_stderr ? err() : out(), needle) >= count) return true;
    if (!running()) return false;
    if (pid_ > 0) {
      if (auto s = try_reap(pid_)) {
        status_ = s;
        // The child may have written the text just before exiting.
        return count_occurrences(on_stderr ? err() : out(), needle) >= count;
      }
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

bool ChildProcess::write_stdin(const std::string& data) {
  if (stdin_fd_ < 0) return false;
  // A child that has exited leaves a pipe without a reader: the write fails
  // with EPIPE and raises SIGPIPE, whose default action would end the whole
  // test program. SIGPIPE is blocked in this thread for the write, and one
  // it raised is taken off the pending set before the mask is restored.
  sigset_t pipe_set, old_mask;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending;
  sigemptyset(&pending);
  const bool already_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  size_t off = 0;
  bool ok = true;
  // Bounded: each round writes at least one byte or returns.
  while (off < data.size()) {
    const ssize_t n = ::write(stdin_fd_, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    off += static_cast<size_t>(n);
  }
  if (!ok && errno == EPIPE && !already_pending) {
    const timespec no_wait{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &no_wait) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return ok;
}

void ChildProcess::close_stdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

std::string ChildProcess::transcript() const {
  std::string s = "$ " + command_ + "\n";
  if (!error_.empty()) s += "spawn error: " + error_ + "\n";
  s += "--- stdout ---\n" + out() + "\n--- stderr ---\n" + err() + "\n";
  s += "--- status: " + (status_ ? status_->describe() : std::string("running")) + "\n";
  return s;
}

ExitStatus wait_exit(pid_t pid, milliseconds timeout) {
  if (auto s = poll_exit(pid, timeout)) return *s;
  ::kill(pid, SIGTERM);
  std::optional<ExitStatus> s = poll_exit(pid, kTermGrace);
  if (!s) {
    ::kill(pid, SIGKILL);
    // SIGKILL cannot be caught; a blocking reap ends promptly.
    int wstatus = 0;
    pid_t r;
    do {
      r = ::waitpid(pid, &wstatus, 0);
    } while (r < 0 && errno == EINTR);
    s = (r == pid) ? decode(wstatus) : ExitStatus{};
  }
  s->timed_out = true;
  return *s;
}

uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

bool wait_for_port(uint16_t port, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::close(fd);
    if (rc == 0) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::optional<std::string> wait_for_file(const std::string& path, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    std::string text = read_text_file(path);
    if (!text.empty()) return text;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::optional<std::string> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    // An empty PATH entry means the current directory.
    const std::string full = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat st {};
    if (::stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(full.c_str(), X_OK) == 0) {
      return full;
    }
  }
  return std::nullopt;
}

TempDir::TempDir() {
  std::string tmpl = temp_root() + "/vouch-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::file(const std::string& name) const { return path_ + "/" + name; }

std::string read_text_file(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace vouch::testing
