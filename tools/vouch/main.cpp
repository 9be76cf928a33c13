// vouch — a TLS 1.2 and TLS 1.3 client and server on the command line.
//
//   vouch serve   --listen 127.0.0.1:8443 --cert chain.pem --key key.pem
//   vouch connect localhost:8443 --ca root.pem
//   vouch demo
//   vouch ocsp fetch --cert chain.pem --out staple.der
#include <fcntl.h>
#include <signal.h>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "options.h"

int main(int argc, char** argv) {
  // A closed stdin/stdout/stderr would be reused by the first socket, and
  // `vouch connect` would then copy the connection into itself.
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd) return vouch::cli::kExitFailure;
  }
  // A closed stdout must become a write error, not a silent death (sockets use
  // MSG_NOSIGNAL already).
  signal(SIGPIPE, SIG_IGN);

  CLI::App app{"vouch: TLS 1.2 and TLS 1.3 client and server tool"};
  app.require_subcommand(1);
  const vouch::cli::Command commands[] = {
      vouch::cli::add_serve_command(app),
      vouch::cli::add_connect_command(app),
      vouch::cli::add_demo_command(app),
      vouch::cli::add_ocsp_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help arrives as a parse error with exit code 0.
    return app.exit(e) == 0 ? vouch::cli::kExitOk : vouch::cli::kExitUsage;
  }
  for (const auto& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  return vouch::cli::kExitUsage;
}
