// The process harness itself: spawning, output capture, stdin modes, exit
// statuses, the kill-on-timeout path, ports and files. These run without any
// TLS peer, so a broken harness is told apart from a broken handshake.
#include "support/process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace vouch::testing {
namespace {

using namespace std::chrono_literals;

TEST(Process, CapturesStdoutStderrAndExitCode) {
  ChildProcess c = ChildProcess::spawn({"sh", "-c", "echo out-text; echo err-text >&2; exit 3"});
  ASSERT_TRUE(c.running()) << c.error();
  const ExitStatus s = c.wait(10s);
  EXPECT_TRUE(s.exited);
  EXPECT_EQ(s.code, 3);
  EXPECT_FALSE(s.timed_out);
  EXPECT_FALSE(s.success());
  EXPECT_EQ(c.out(), "out-text\n");
  EXPECT_EQ(c.err(), "err-text\n");
  EXPECT_EQ(s.describe(), "exit 3");
}

TEST(Process, StdinDataIsDeliveredThenEof) {
  ChildProcess c = ChildProcess::spawn({"cat"}, {StdinMode::data, "line one\r\nline two", {}});
  ASSERT_TRUE(c.running()) << c.error();
  EXPECT_TRUE(c.wait(10s).success());
  EXPECT_EQ(c.out(), "line one\r\nline two");
}

TEST(Process, StdinNullIsImmediateEof) {
  ChildProcess c = ChildProcess::spawn({"cat"});
  EXPECT_TRUE(c.wait(10s).success());
  EXPECT_EQ(c.out(), "");
}

TEST(Process, StdinPipeStaysOpenUntilClosed) {
  ChildProcess c = ChildProcess::spawn({"cat"}, {StdinMode::pipe, {}, {}});
  ASSERT_TRUE(c.running()) << c.error();
  ASSERT_TRUE(c.write_stdin("hello\n"));
  // cat echoes while stdin is still open: the pipe is live, not EOF.
  EXPECT_TRUE(c.wait_for_output("hello\n", 10s));
  EXPECT_TRUE(c.running());
  c.close_stdin();
  EXPECT_TRUE(c.wait(10s).success());
}

TEST(Process, ExtraEnvironmentIsPassed) {
  ChildProcess c = ChildProcess::spawn({"sh", "-c", "printf %s \"$VOUCH_PROCESS_TEST\""},
                                       {StdinMode::null, {}, {"VOUCH_PROCESS_TEST=42"}});
  EXPECT_TRUE(c.wait(10s).success());
  EXPECT_EQ(c.out(), "42");
}

TEST(Process, TimeoutKillsTheChild) {
  // `exec` so the shell is the sleeping process and SIGTERM reaches it.
  ChildProcess c = ChildProcess::spawn({"sh", "-c", "exec sleep 60"});
  ASSERT_TRUE(c.running()) << c.error();
  const ExitStatus s = c.wait(50ms);
  EXPECT_TRUE(s.timed_out);
  EXPECT_FALSE(s.exited);
  EXPECT_EQ(s.signal, SIGTERM);
  EXPECT_FALSE(c.running());
  // Idempotent.
  EXPECT_TRUE(c.wait(0ms).timed_out);
}

TEST(Process, SigkillWhenSigtermIsIgnored) {
  ChildProcess c = ChildProcess::spawn({"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"});
  ASSERT_TRUE(c.wait_for_output("ready", 10s));
  const ExitStatus s = c.wait(10ms);
  EXPECT_TRUE(s.timed_out);
  EXPECT_EQ(s.signal, SIGKILL);
}

TEST(Process, DestructorStopsARunningChild) {
  pid_t pid;
  {
    ChildProcess c = ChildProcess::spawn({"sleep", "60"});
    ASSERT_TRUE(c.running());
    pid = c.pid();
  }
  // Reaped by the destructor: the PID is no longer our child.
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(Process, MissingProgramIsAnError) {
  ChildProcess c = ChildProcess::spawn({"/nonexistent/vouch-no-such-program"});
  EXPECT_FALSE(c.running());
  EXPECT_FALSE(c.error().empty());
  EXPECT_NE(c.transcript().find("spawn error"), std::string::npos);
}

TEST(Process, WaitForOutputGivesUpWhenTheChildExits) {
  ChildProcess c = ChildProcess::spawn({"sh", "-c", "echo something-else"});
  EXPECT_FALSE(c.wait_for_output("never-printed", 10s));
  EXPECT_FALSE(c.running());
}

// A child that exited leaves the pipe without a reader: the write fails
// (EPIPE) and the SIGPIPE it raises must not end the test program.
TEST(Process, WriteStdinToAnExitedChildReturnsFalse) {
  ChildProcess c = ChildProcess::spawn({"true"}, {StdinMode::pipe, {}, {}});
  ASSERT_TRUE(c.running()) << c.error();
  // Keep the pipe open (wait() would close it): poll for the exit without
  // reaping (WNOWAIT), so that the harness still reaps its own child.
  bool exited = false;
  for (int i = 0; i < 2000 && !exited; ++i) {
    siginfo_t info{};
    exited = ::waitid(P_PID, static_cast<id_t>(c.pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
             info.si_pid == c.pid();
    if (!exited) std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(exited);
  EXPECT_FALSE(c.write_stdin(std::string(100000, 'x')));
  EXPECT_FALSE(c.write_stdin("again\n"));
}

TEST(Process, WaitForCountCountsOccurrences) {
  ChildProcess c = ChildProcess::spawn({"sh", "-c", "echo tick; sleep 0.2; echo tick; echo tock"});
  ASSERT_TRUE(c.running()) << c.error();
  EXPECT_TRUE(c.wait_for_count("tick", 2, 10s));
  EXPECT_FALSE(c.wait_for_count("tick", 3, 10s));  // the child exits with two
  EXPECT_EQ(count_occurrences("abababa", "aba"), 2u);
  EXPECT_EQ(count_occurrences("abc", ""), 0u);
}

TEST(Process, MovedFromObjectOwnsNothing) {
  ChildProcess a = ChildProcess::spawn({"sh", "-c", "echo moved"});
  ChildProcess b = std::move(a);
  EXPECT_FALSE(a.running());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(b.wait(10s).success());
  EXPECT_EQ(b.out(), "moved\n");
}

TEST(Process, FindProgram) {
  EXPECT_TRUE(find_program("sh").has_value());
  EXPECT_FALSE(find_program("vouch-no-such-program-xyz").has_value());
}

TEST(Ports, FreePortCanBeBoundAndWaitForPortSeesAListener) {
  const uint16_t port = free_port();
  ASSERT_NE(port, 0);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  EXPECT_TRUE(wait_for_port(port, 5s));
  ::close(fd);
}

TEST(Ports, WaitForPortTimesOutWithoutAListener) {
  const uint16_t port = free_port();
  ASSERT_NE(port, 0);
  EXPECT_FALSE(wait_for_port(port, 30ms));
}

TEST(Files, WaitForFileAndTempDir) {
  std::string dir_path;
  {
    TempDir dir;
    dir_path = dir.path();
    ASSERT_FALSE(dir_path.empty());
    EXPECT_FALSE(wait_for_file(dir.file("absent"), 20ms).has_value());
    // A child writes the file; the wait sees it.
    ChildProcess c =
        ChildProcess::spawn({"sh", "-c", "printf 1234 > \"$0\"", dir.file("port")});
    const std::optional<std::string> text = wait_for_file(dir.file("port"), 10s);
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text, "1234");
    EXPECT_EQ(read_text_file(dir.file("port")), "1234");
  }
  EXPECT_NE(::access(dir_path.c_str(), F_OK), 0) << "TempDir was not removed";
}

}  // namespace
}  // namespace vouch::testing
