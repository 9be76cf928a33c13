// A redis-server of the test's own: Debian's binary on 127.0.0.1, a free
// port (or a given one, to restart after a kill), no persistence, ready when
// the port accepts; stopped (SIGTERM, then SIGKILL) by PID with the object.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "support/process.h"

namespace vouch::testing {

struct RedisServer {
  ChildProcess proc;
  uint16_t port = 0;

  /// Starts one; `extra` are more redis-server arguments ("--requirepass", "x").
  static RedisServer start(uint16_t port = 0, const std::vector<std::string>& extra = {}) {
    RedisServer r;
    r.port = port ? port : free_port();
    std::vector<std::string> argv = {"redis-server", "--port", std::to_string(r.port), "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no", "--daemonize", "no",
                                     "--protected-mode", "yes"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    r.proc = ChildProcess::spawn(argv);
    if (r.proc.running() && !wait_for_port(r.port, std::chrono::seconds(10))) r.proc.stop();
    return r;
  }
  bool ok() const { return proc.running(); }
  /// redis://[AUTH@]127.0.0.1:PORT[/DB]
  std::string url(const std::string& auth = "", int db = 0) const {
    return "redis://" + (auth.empty() ? "" : auth + "@") + "127.0.0.1:" + std::to_string(port) +
           (db ? "/" + std::to_string(db) : "");
  }
};

inline bool have_redis_server() { return find_program("redis-server").has_value(); }

}  // namespace vouch::testing
