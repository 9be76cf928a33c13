// The subcommands of the `vouch` tool. Each registers its flags on the parent
// App; after a successful parse, main() runs the one that was given. `run`
// returns the process exit code (kExitOk, kExitFailure, kExitUsage).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace vouch::cli {

struct Command {
  CLI::App* app = nullptr;    // the subcommand (owned by the parent App)
  std::function<int()> run;   // valid while the parent App lives
};

Command add_serve_command(CLI::App& parent);
Command add_connect_command(CLI::App& parent);
Command add_demo_command(CLI::App& parent);
Command add_ocsp_command(CLI::App& parent);

}  // namespace vouch::cli
