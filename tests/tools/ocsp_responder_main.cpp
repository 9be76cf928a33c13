// vouch-test-ocsp-responder: the test OCSP responder as a program, for the
// demo and for tests that run it as a separate process.
//
//   vouch-test-ocsp-responder --issuer-cert CA.pem --issuer-key CA-key.pem
//       [--responder-cert R.pem --responder-key R-key.pem]  (delegated signing)
//       [--mode NAME] [--port N] [--port-file PATH] [--delay-ms N]
//       [--this-update-offset S] [--next-update-offset S|none]
//       [--revocation-reason N] [--by-key] [--no-certs] [--max-seconds N]
//
// It listens on 127.0.0.1 (port 0: a free one), writes the port number to
// --port-file once it accepts connections, prints its URL, and runs until
// SIGINT/SIGTERM or --max-seconds (default 3600) pass. With a responder
// certificate the default signer is that delegate.
#include <openssl/pem.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "tools/ocsp_responder.h"

namespace {

using vouch::testing::OcspBehavior;
using vouch::testing::OcspResponder;
using vouch::testing::OcspSignerChoice;

void print_usage(std::FILE* to) {
  std::fprintf(to,
               "usage: vouch-test-ocsp-responder --issuer-cert PEM --issuer-key PEM\n"
               "         [--responder-cert PEM --responder-key PEM] [--mode NAME] [--port N]\n"
               "         [--port-file PATH] [--delay-ms N] [--this-update-offset S]\n"
               "         [--next-update-offset S|none] [--revocation-reason N] [--by-key]\n"
               "         [--no-certs] [--max-seconds N]\n"
               "A test OCSP responder (RFC 6960) on 127.0.0.1 (port 0: a free one); never for production.\n"
               "modes:");
  for (const std::string& m : vouch::testing::ocsp_behavior_names()) std::fprintf(to, " %s", m.c_str());
  std::fprintf(to, "\n");
}

int usage(const char* why) {
  std::fprintf(stderr, "vouch-test-ocsp-responder: error: %s\n", why);
  print_usage(stderr);
  return 2;
}

bool parse_long(std::string_view s, long& out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

vouch::ossl::X509Ptr read_cert(const std::string& path) {
  vouch::ossl::Bio bio(BIO_new_file(path.c_str(), "r"));
  return vouch::ossl::X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

vouch::ossl::EvpPkey read_key(const std::string& path) {
  vouch::ossl::Bio bio(BIO_new_file(path.c_str(), "r"));
  return vouch::ossl::EvpPkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

// Written to a temporary name and renamed, so a reader never sees half of it.
bool write_port_file(const std::string& path, uint16_t port) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = std::fprintf(f, "%u\n", static_cast<unsigned>(port)) > 0;
  if (std::fclose(f) != 0 || !ok) return false;
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string issuer_cert, issuer_key, responder_cert, responder_key, port_file, mode = "good";
  long port = 0, max_seconds = 3600;
  std::optional<long> delay_ms, this_update, revocation_reason;
  std::string next_update;
  bool by_key = false, no_certs = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    auto need_long = [&](std::optional<long>& out) {
      const char* v = value();
      long n = 0;
      if (v == nullptr || !parse_long(v, n)) return false;
      out = n;
      return true;
    };
    const std::pair<std::string_view, std::string*> string_options[] = {
        {"--issuer-cert", &issuer_cert},       {"--issuer-key", &issuer_key},
        {"--responder-cert", &responder_cert}, {"--responder-key", &responder_key},
        {"--port-file", &port_file},           {"--mode", &mode},
        {"--next-update-offset", &next_update}};
    std::string* string_option = nullptr;
    for (const auto& [name, target] : string_options) {
      if (arg == name) string_option = target;
    }
    if (arg == "--help" || arg == "-h") {
      print_usage(stdout);
      return 0;
    }
    if (string_option != nullptr) {
      const char* v = value();
      if (v == nullptr) return usage("missing value");
      *string_option = v;
    } else if (arg == "--by-key") {
      by_key = true;
    } else if (arg == "--no-certs") {
      no_certs = true;
    } else if (arg == "--port" || arg == "--max-seconds") {
      std::optional<long> n;
      if (!need_long(n) || *n < 0 || (arg == "--port" && *n > 65535)) return usage("bad number");
      (arg == "--port" ? port : max_seconds) = *n;
    } else if (arg == "--delay-ms") {
      if (!need_long(delay_ms) || *delay_ms < 0) return usage("bad --delay-ms");
    } else if (arg == "--this-update-offset") {
      if (!need_long(this_update)) return usage("bad --this-update-offset");
    } else if (arg == "--revocation-reason") {
      if (!need_long(revocation_reason)) return usage("bad --revocation-reason");
    } else {
      return usage(("unknown argument " + std::string(arg)).c_str());
    }
  }
  if (issuer_cert.empty() || issuer_key.empty()) return usage("--issuer-cert and --issuer-key are required");
  if (responder_cert.empty() != responder_key.empty())
    return usage("--responder-cert and --responder-key go together");

  std::optional<OcspBehavior> behavior = vouch::testing::ocsp_behavior_named(mode);
  if (!behavior) return usage(("unknown mode " + mode).c_str());
  const bool has_delegate = !responder_cert.empty();
  if (has_delegate && behavior->signer == OcspSignerChoice::issuer)
    behavior->signer = OcspSignerChoice::delegate;
  if (delay_ms) behavior->delay = std::chrono::milliseconds(*delay_ms);
  if (this_update) behavior->this_update_offset = std::chrono::seconds(*this_update);
  if (!next_update.empty()) {
    long n = 0;
    if (next_update == "none") {
      behavior->next_update_offset.reset();
    } else if (parse_long(next_update, n)) {
      behavior->next_update_offset = std::chrono::seconds(n);
    } else {
      return usage("bad --next-update-offset");
    }
  }
  if (revocation_reason) behavior->revocation_reason = static_cast<int>(*revocation_reason);
  behavior->responder_id_by_key = by_key;
  behavior->include_signer_cert = !no_certs;

  auto cert = read_cert(issuer_cert);
  auto key = read_key(issuer_key);
  if (!cert || !key) return usage("cannot read the issuer certificate or key");
  vouch::ossl::X509Ptr rcert;
  vouch::ossl::EvpPkey rkey;
  if (has_delegate) {
    rcert = read_cert(responder_cert);
    rkey = read_key(responder_key);
    if (!rcert || !rkey) return usage("cannot read the responder certificate or key");
  }

  // Signals are taken synchronously below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto responder = OcspResponder::create(cert.get(), key.get(), rcert.get(), rkey.get());
  if (!responder) {
    std::fprintf(stderr, "vouch-test-ocsp-responder: %s\n", responder.error().to_string().c_str());
    return 1;
  }
  OcspResponder& r = **responder;
  r.set_behavior(*behavior);
  if (auto s = r.start(static_cast<uint16_t>(port)); !s) {
    std::fprintf(stderr, "vouch-test-ocsp-responder: %s\n", s.error().to_string().c_str());
    return 1;
  }
  if (!port_file.empty() && !write_port_file(port_file, r.port())) {
    std::fprintf(stderr, "vouch-test-ocsp-responder: cannot write %s: %s\n", port_file.c_str(),
                 std::strerror(errno));
    return 1;
  }
  std::printf("vouch-test-ocsp-responder: %s mode %s\n", r.url().c_str(), mode.c_str());
  std::fflush(stdout);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(max_seconds);
  int sig = -1;
  for (;;) {  // ends at a signal or the deadline; EINTR waits again for the rest
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    timespec limit{static_cast<time_t>(left.count() / 1000),
                   static_cast<long>(left.count() % 1000) * 1'000'000};
    sig = sigtimedwait(&signals, nullptr, &limit);
    if (sig >= 0 || errno != EINTR) break;
  }
  r.stop();
  std::printf("vouch-test-ocsp-responder: %s after %llu requests\n",
              sig < 0 ? "time limit reached" : "stopped", static_cast<unsigned long long>(r.requests()));
  return 0;
}
