// vouch — a TLS 1.2 and TLS 1.3 client and server on the command line.
//
//   vouch serve   --listen 127.0.0.1:8443 --cert chain.pem --key key.pem
//   vouch connect localhost:8443 --ca root.pem
//   vouch demo
//   vouch ocsp fetch --cert chain.pem --out staple.der
//   vouch help [COMMAND]      vouch --version
#include <fcntl.h>
#include <openssl/crypto.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <string>
#include <vector>

#include "commands.h"
#include "options.h"

#ifndef VOUCH_VERSION
#error "VOUCH_VERSION is defined by tools/CMakeLists.txt"
#endif

namespace {

// The deepest subcommand that was parsed ("connect", "ocsp fetch"), for the
// prefix of a parse error; "" when none was.
std::string parsed_command(CLI::App& app) {
  std::string name;
  CLI::App* at = &app;
  // Bounded by the nesting depth of the commands (two).
  for (int depth = 0; depth < 4; ++depth) {
    std::vector<CLI::App*> subs = at->get_subcommands();
    if (subs.empty()) break;
    at = subs.front();
    name += (name.empty() ? "" : " ") + at->get_name();
  }
  return name;
}

// `vouch help [COMMAND [SUBCOMMAND]]`: the --help text of the tool or of a
// command; an unknown command is a usage error.
int run_help(CLI::App& app, const std::vector<std::string>& words) {
  CLI::App* at = &app;
  std::string path;
  for (const std::string& w : words) {
    CLI::App* next = nullptr;
    for (CLI::App* sub : at->get_subcommands({})) {
      if (sub->get_name() == w) next = sub;
    }
    path += (path.empty() ? "" : " ") + w;
    if (next == nullptr) {
      vouch::cli::print_error("help", "unknown command '" + path + "' (commands: vouch help)");
      return vouch::cli::kExitUsage;
    }
    at = next;
  }
  // The formatter directly: App::help() would describe the parsed `help`
  // subcommand itself.
  fmt::print("{}", at->get_formatter()->make_help(at, path.empty() ? "vouch" : "vouch " + path,
                                                   CLI::AppFormatMode::Normal));
  return vouch::cli::kExitOk;
}

}  // namespace

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
  app.name("vouch");  // "Usage: vouch ..." whatever the path it was started by
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("vouch ") + VOUCH_VERSION + " (" +
                                        OpenSSL_version(OPENSSL_VERSION) + ")");
  app.footer(std::string(vouch::cli::kExitCodesHelp) + "\nMore about a command: vouch help COMMAND\n");
  const vouch::cli::Command commands[] = {
      vouch::cli::add_serve_command(app),
      vouch::cli::add_connect_command(app),
      vouch::cli::add_demo_command(app),
      vouch::cli::add_ocsp_command(app),
  };
  std::vector<std::string> help_words;
  CLI::App* help = app.add_subcommand("help", "Print the usage of vouch or of one command (vouch help ocsp fetch)");
  help->add_option("command", help_words, "the command (and subcommand) to describe");
  // After a command's own footer (serve's signals), if it has one.
  for (CLI::App* sub : app.get_subcommands({})) {
    const std::string own = sub->get_footer();
    sub->footer(own.empty() ? std::string(vouch::cli::kExitCodesHelp) : own + "\n\n" + vouch::cli::kExitCodesHelp);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    // --help and --version.
    return app.exit(e) == 0 ? vouch::cli::kExitOk : vouch::cli::kExitUsage;
  } catch (const CLI::ParseError& e) {
    const std::string command = parsed_command(app);
    vouch::cli::print_error(command, e.what());
    fmt::print(stderr, "usage: vouch help{}\n", command.empty() ? "" : " " + command);
    return vouch::cli::kExitUsage;
  }
  if (help->parsed()) return run_help(app, help_words);
  for (const auto& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  return vouch::cli::kExitUsage;
}
