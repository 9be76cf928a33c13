// Debian's own nginx (1.22) and curl (7.88), unmodified, on vouch's
// libssl.so.3 (compat/, target vouch_libssl_abi) through LD_LIBRARY_PATH:
// stapling (a file, and the test OCSP responder), client certificates with
// the CA names, TLS 1.2 and 1.3, session resumption. Every scenario runs
// twice — on vouch and on the system's libssl, the reference — and what the
// clients print (status lines, subjects, exit codes) must be the same.
//
// Processes: nginx runs in the foreground (daemon off, master_process off)
// on a free 127.0.0.1 port with its own prefix, pid and log files in a
// temporary directory; each is stopped by PID (ChildProcess). Every wait is
// bounded.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/pki.h"
#include "support/process.h"
#include "support/staples.h"
#include "tools/ocsp_responder.h"

namespace vouch::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNginx = "/usr/sbin/nginx";
constexpr const char* kVouchLibDir = VOUCH_BINARY_DIR "/lib/vouch-libssl";

// Which libssl a program runs on.
enum class Lib { vouch, system };

const char* name_of(Lib lib) { return lib == Lib::vouch ? "vouch" : "system"; }

std::vector<std::string> env_for(Lib lib) {
  if (lib == Lib::system) return {};
  return {std::string("LD_LIBRARY_PATH=") + kVouchLibDir};
}

// What a client run printed.
struct ClientRun {
  ExitStatus status;
  std::string out;
  std::string err;
  std::string transcript;
  int code() const { return status.exited ? status.code : -1; }
};

ClientRun run(const std::vector<std::string>& argv, Lib lib, std::chrono::milliseconds timeout = 20s) {
  SpawnOptions opts;
  opts.extra_env = env_for(lib);
  ChildProcess p = ChildProcess::spawn(argv, opts);
  ClientRun r;
  if (!p.running()) {
    r.err = p.error();
    return r;
  }
  r.status = p.wait(timeout);
  r.out = p.out();
  r.err = p.err();
  r.transcript = p.transcript();
  return r;
}

std::string subject_rfc2253(X509* cert) {
  BIO* b = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(b);
  return s;
}

// The lines of `text` that start with one of `prefixes`, in order: what is
// compared between the two libraries (their other lines name ciphers,
// session IDs, times).
std::string lines_starting(const std::string& text, const std::vector<std::string>& prefixes) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos) continue;
    for (const auto& p : prefixes) {
      if (line.compare(i, p.size(), p) == 0) {
        out += line.substr(i) + "\n";
        break;
      }
    }
  }
  return out;
}

// What openssl s_client lists under "Acceptable client certificate CA
// names" (one name a line), or "none" when that heading is missing.
std::string ca_names_of(const std::string& s_client_out) {
  const std::string heading = "Acceptable client certificate CA names\n";
  size_t i = s_client_out.find(heading);
  if (i == std::string::npos) return "none\n";
  i += heading.size();
  std::string names;
  while (i < s_client_out.size() && s_client_out.compare(i, 6, "Client") != 0 &&
         s_client_out.compare(i, 9, "Requested") != 0 && s_client_out[i] != '-') {
    const size_t end = s_client_out.find('\n', i);
    if (end == std::string::npos) break;
    names += s_client_out.substr(i, end + 1 - i);
    i = end + 1;
  }
  return names;
}

// The files every scenario uses, written once per test.
class AbiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!find_program("curl") || access(kNginx, X_OK) != 0) {
      GTEST_FAIL() << "Debian's nginx and curl are needed (scripts/install-deps.sh installs them)";
    }
    if (access((std::string(kVouchLibDir) + "/libssl.so.3").c_str(), R_OK) != 0) {
      GTEST_FAIL() << "vouch's libssl.so.3 is not built (target vouch_libssl_abi)";
    }
    const PkiFamily& f = test_pki().ecdsa();
    root_ = f.root.cert_path;
    server_chain_ = f.server.chain_path;  // leaf + intermediate: curl finds the issuer in it
    server_key_ = f.server.key_path;
    intermediate_ = f.intermediate.cert_path;
    client_chain_ = f.client.chain_path;
    client_key_ = f.client.key_path;
    client_subject_ = subject_rfc2253(f.client.cert.get());
    good_staple_ = dir_.file("good.der");
    revoked_staple_ = dir_.file("revoked.der");
    write_file(good_staple_, leaf_staple());
    write_file(revoked_staple_, leaf_staple(with_status(OcspCertStatus::revoked)));
  }

  // An nginx on `lib` with one TLS server whose body is `server_lines`
  // (listen and certificate lines are added). Empty optional: it did not
  // start (the test has failed, saying why).
  struct Nginx {
    ChildProcess process;
    uint16_t port = 0;
    std::string error_log;
  };

  std::optional<Nginx> start_nginx(Lib lib, const std::string& server_lines, const std::string& http_lines = "",
                                   int workers = 0) {
    Nginx n;
    n.port = free_port();
    const std::string prefix = dir_.file(std::string("nginx-") + name_of(lib) + "-" + std::to_string(n.port));
    std::filesystem::create_directories(prefix + "/logs");
    n.error_log = prefix + "/logs/error.log";
    std::ostringstream conf;
    // workers 0: one process (no master), the one we start; else a master
    // (ours; SIGTERM stops its workers) and that many workers.
    conf << "daemon off;\n"
         << (workers == 0 ? "master_process off;\nworker_processes 1;\n"
                          : "worker_processes " + std::to_string(workers) + ";\n")
         << "pid " << prefix << "/nginx.pid;\n"
         << "error_log " << n.error_log << " info;\n"
         << "events { worker_connections 64; accept_mutex off; }\n"
         << "http {\n"
         << "  access_log " << prefix << "/logs/access.log;\n"
         << "  client_body_temp_path " << prefix << "/body; proxy_temp_path " << prefix << "/proxy;\n"
         << "  fastcgi_temp_path " << prefix << "/fastcgi; uwsgi_temp_path " << prefix << "/uwsgi;\n"
         << "  scgi_temp_path " << prefix << "/scgi;\n"
         << http_lines
         << "  server {\n"
         << "    listen 127.0.0.1:" << n.port << (workers > 1 ? " ssl reuseport;\n" : " ssl;\n")
         << "    server_name localhost;\n"
         << "    ssl_certificate " << server_chain_ << ";\n"
         << "    ssl_certificate_key " << server_key_ << ";\n"
         << server_lines
         << "  }\n}\n";
    const std::string conf_path = prefix + "/nginx.conf";
    write_file(conf_path, conf.str());
    SpawnOptions opts;
    opts.extra_env = env_for(lib);
    n.process = ChildProcess::spawn({kNginx, "-p", prefix, "-c", conf_path, "-e", n.error_log}, opts);
    if (!n.process.running() || !wait_for_port(n.port, 10s)) {
      ADD_FAILURE() << "nginx on " << name_of(lib) << " did not start: " << n.process.transcript()
                    << "\nerror log:\n" << read_text_file(n.error_log);
      return std::nullopt;
    }
    // The libssl nginx loaded is the one asked for.
    const std::string maps = read_text_file("/proc/" + std::to_string(n.process.pid()) + "/maps");
    const bool on_vouch = maps.find(std::string(kVouchLibDir) + "/libssl.so.3") != std::string::npos;
    const bool on_system = maps.find("/x86_64-linux-gnu/libssl.so.3") != std::string::npos;
    EXPECT_EQ(on_vouch, lib == Lib::vouch) << maps;
    EXPECT_EQ(on_system, lib == Lib::system) << maps;
    return n;
  }

  std::string url(uint16_t port, const std::string& path = "/") const {
    return "https://localhost:" + std::to_string(port) + path;
  }
  // curl resolves localhost to 127.0.0.1 only (nginx listens there).
  std::vector<std::string> curl(uint16_t port, std::vector<std::string> extra) const {
    std::vector<std::string> argv = {"curl", "-sS", "--resolve", "localhost:" + std::to_string(port) + ":127.0.0.1",
                                     "--cacert", root_, "--max-time", "15"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  std::vector<std::string> s_client(uint16_t port, std::vector<std::string> extra) const {
    std::vector<std::string> argv = {"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                                     "-servername", "localhost", "-CAfile", root_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  TempDir dir_;
  std::string root_, server_chain_, server_key_, intermediate_, client_chain_, client_key_;
  std::string client_subject_, good_staple_, revoked_staple_;
};

// The loader gives curl (through libcurl) and nginx vouch's libssl.so.3
// with the environment the tests use, and the system's without it.
TEST_F(AbiTest, ProgramsLoadTheLibsslAskedFor) {
  const std::string vouch_lib = std::string(kVouchLibDir) + "/libssl.so.3";
  for (const char* program : {"/usr/bin/curl", kNginx}) {
    for (Lib lib : {Lib::system, Lib::vouch}) {
      SpawnOptions opts;
      opts.extra_env = env_for(lib);
      opts.extra_env.push_back("LD_TRACE_LOADED_OBJECTS=1");  // what ldd does: list, do not run
      ChildProcess p = ChildProcess::spawn({program}, opts);
      ASSERT_TRUE(p.running()) << p.error();
      ASSERT_TRUE(p.wait(10s).success()) << p.transcript();
      const std::string out = p.out();
      EXPECT_EQ(out.find(vouch_lib) != std::string::npos, lib == Lib::vouch) << program << "\n" << out;
      EXPECT_EQ(out.find("x86_64-linux-gnu/libssl.so.3") != std::string::npos, lib == Lib::system)
          << program << "\n" << out;
    }
  }
}

// ---------------------------------------------------------------- nginx

// Plain HTTPS in each version, by both clients (curl on the same libssl as
// nginx, openssl s_client on the system's).
TEST_F(AbiTest, NginxServesTls12AndTls13) {
  std::map<Lib, std::vector<std::string>> seen;
  for (Lib lib : {Lib::system, Lib::vouch}) {
    auto n = start_nginx(lib, "    ssl_protocols TLSv1.2 TLSv1.3;\n"
                              "    location / { return 200 \"$ssl_protocol $ssl_server_name $ssl_curve\\n\"; }\n");
    ASSERT_TRUE(n);
    for (const char* v : {"1.2", "1.3"}) {
      ClientRun r = run(curl(n->port, {"--tlsv" + std::string(v), "--tls-max", v, url(n->port)}), lib);
      EXPECT_EQ(r.code(), 0) << name_of(lib) << " TLS " << v << "\n" << r.transcript
                             << read_text_file(n->error_log);
      EXPECT_EQ(r.out, "TLSv" + std::string(v) + " localhost X25519\n") << name_of(lib);
      seen[lib].push_back(r.out);
    }
  }
  EXPECT_EQ(seen[Lib::vouch], seen[Lib::system]);
}

// ssl_stapling_file: the clients see the staple; a revoked one is refused by
// curl --cert-status and vouch connect --ocsp require.
TEST_F(AbiTest, NginxStaplesFromAFile) {
  const std::string vouch_cli = std::string(VOUCH_BINARY_DIR) + "/bin/vouch";
  for (const char* proto : {"TLSv1.2", "TLSv1.3"}) {
    std::map<Lib, std::string> printed;
    for (Lib lib : {Lib::system, Lib::vouch}) {
      for (bool revoked : {false, true}) {
        auto n = start_nginx(lib, std::string("    ssl_protocols ") + proto + ";\n" +
                                      "    ssl_stapling on;\n    ssl_stapling_file " +
                                      (revoked ? revoked_staple_ : good_staple_) + ";\n" +
                                      "    location / { return 200 \"stapled\\n\"; }\n");
        ASSERT_TRUE(n);
        ClientRun s = run(s_client(n->port, {"-status"}), Lib::system);
        EXPECT_EQ(s.code(), 0) << s.transcript;
        const std::string status = lines_starting(s.out, {"OCSP Response Status:", "Cert Status:"});
        EXPECT_EQ(status, std::string("OCSP Response Status: successful (0x0)\nCert Status: ") +
                              (revoked ? "revoked" : "good") + "\n")
            << name_of(lib) << " " << proto << "\n" << s.out;
        ClientRun c = run(curl(n->port, {"--cert-status", url(n->port)}), lib);
        if (revoked) {
          EXPECT_EQ(c.code(), 91) << name_of(lib) << " " << c.transcript;  // CURLE_SSL_INVALIDCERTSTATUS
          EXPECT_EQ(c.err, "curl: (91) SSL certificate revocation reason: keyCompromise (1)\n") << name_of(lib);
        } else {
          EXPECT_EQ(c.code(), 0) << name_of(lib) << " " << c.transcript << read_text_file(n->error_log);
          EXPECT_EQ(c.out, "stapled\n");
        }
        if (access(vouch_cli.c_str(), X_OK) == 0) {
          ClientRun v = run({vouch_cli, "connect", "127.0.0.1:" + std::to_string(n->port), "--servername", "localhost",
                       "--ca", root_, "--ocsp", "require", "--request", "GET / HTTP/1.0\r\n\r\n"},
                      Lib::system);
          EXPECT_EQ(v.code() == 0, !revoked) << name_of(lib) << " " << v.transcript;
        } else {
          ADD_FAILURE() << "the vouch command is not built: " << vouch_cli;
        }
        printed[lib] += status + "curl " + std::to_string(c.code()) + " " + c.out + c.err;
      }
    }
    EXPECT_EQ(printed[Lib::vouch], printed[Lib::system]) << proto;
  }
}

// ssl_stapling_responder: nginx fetches from the project's test responder
// (asynchronously, after the first handshake that asks), verifies it with
// ssl_trusted_certificate, and staples it.
TEST_F(AbiTest, NginxStaplesFromTheResponder) {
  const PkiFamily& f = test_pki().ecdsa();
  auto responder = OcspResponder::create(f.intermediate.cert.get(), f.intermediate.key.get());
  ASSERT_TRUE(responder.ok()) << responder.error().to_string();
  ASSERT_TRUE((*responder)->start().ok());
  std::map<Lib, std::string> printed;
  for (Lib lib : {Lib::system, Lib::vouch}) {
    auto n = start_nginx(lib, "    ssl_stapling on;\n    ssl_stapling_responder " + (*responder)->url() +
                                  ";\n    ssl_trusted_certificate " + root_ +
                                  ";\n    location / { return 200 \"ok\\n\"; }\n");
    ASSERT_TRUE(n);
    std::string status;
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    for (int i = 0; i < 60 && std::chrono::steady_clock::now() < deadline; ++i) {
      ClientRun s = run(s_client(n->port, {"-status"}), Lib::system);
      status = lines_starting(s.out, {"OCSP Response Status:", "Cert Status:"});
      if (!status.empty()) break;
      std::this_thread::sleep_for(250ms);
    }
    EXPECT_EQ(status, "OCSP Response Status: successful (0x0)\nCert Status: good\n")
        << name_of(lib) << "\n" << read_text_file(n->error_log);
    ClientRun c = run(curl(n->port, {"--cert-status", url(n->port)}), lib);
    EXPECT_EQ(c.code(), 0) << name_of(lib) << " " << c.transcript;
    printed[lib] = status + "curl " + std::to_string(c.code()) + "\n";
  }
  EXPECT_EQ(printed[Lib::vouch], printed[Lib::system]);
  EXPECT_GE((*responder)->requests(), 2u);
}

// The responder says "revoked": nginx fetches the answer, will not staple
// it, and curl --cert-status fails for want of a staple.
TEST_F(AbiTest, NginxDoesNotStapleARevokedAnswer) {
  const PkiFamily& f = test_pki().ecdsa();
  auto responder = OcspResponder::create(f.intermediate.cert.get(), f.intermediate.key.get());
  ASSERT_TRUE(responder.ok()) << responder.error().to_string();
  (*responder)->set_behavior(with_status(OcspCertStatus::revoked));
  ASSERT_TRUE((*responder)->start().ok());
  std::map<Lib, std::string> printed;
  for (Lib lib : {Lib::system, Lib::vouch}) {
    const uint64_t before = (*responder)->requests();
    auto n = start_nginx(lib, "    ssl_stapling on;\n    ssl_stapling_responder " + (*responder)->url() +
                                  ";\n    ssl_trusted_certificate " + root_ +
                                  ";\n    location / { return 200 \"ok\\n\"; }\n");
    ASSERT_TRUE(n);
    // The first handshake that asks makes nginx fetch; wait for the answer
    // to be read (bounded), then ask again.
    ClientRun first = run(s_client(n->port, {"-status"}), Lib::system);
    for (int i = 0; i < 40 && (*responder)->requests() == before; ++i) std::this_thread::sleep_for(250ms);
    EXPECT_GT((*responder)->requests(), before) << name_of(lib) << " never asked the responder";
    std::this_thread::sleep_for(500ms);
    ClientRun s = run(s_client(n->port, {"-status"}), Lib::system);
    const std::string status = lines_starting(s.out, {"OCSP response:", "Cert Status:"});
    EXPECT_EQ(status, "OCSP response: no response sent\n") << name_of(lib) << "\n" << s.out;
    ClientRun c = run(curl(n->port, {"--cert-status", url(n->port)}), lib);
    EXPECT_EQ(c.code(), 91) << name_of(lib) << " " << c.transcript;
    printed[lib] = status + "curl " + std::to_string(c.code()) + " " + c.err;
  }
  EXPECT_EQ(printed[Lib::vouch], printed[Lib::system]);
}

// ssl_verify_client on: a good certificate gets the page with its subject;
// none gets nginx's 400; the CA names reach the client.
TEST_F(AbiTest, NginxAuthenticatesClients) {
  for (const char* proto : {"TLSv1.2", "TLSv1.3"}) {
    std::map<Lib, std::string> printed;
    for (Lib lib : {Lib::system, Lib::vouch}) {
      auto n = start_nginx(lib, std::string("    ssl_protocols ") + proto + ";\n" +
                                    "    ssl_verify_client on;\n    ssl_verify_depth 3;\n"
                                    "    ssl_client_certificate " + root_ + ";\n" +
                                    "    location / { return 200 \"$ssl_client_verify $ssl_client_s_dn\\n\"; }\n");
      ASSERT_TRUE(n);
      ClientRun good = run(curl(n->port, {"--cert", client_chain_, "--key", client_key_, url(n->port)}), lib);
      EXPECT_EQ(good.code(), 0) << name_of(lib) << " " << good.transcript << read_text_file(n->error_log);
      EXPECT_EQ(good.out, "SUCCESS " + client_subject_ + "\n") << name_of(lib) << " " << proto;
      ClientRun none = run(curl(n->port, {"-o", "/dev/null", "-w", "%{http_code}", url(n->port)}), lib);
      EXPECT_EQ(none.out, "400") << name_of(lib) << " " << none.transcript;
      ClientRun s = run(s_client(n->port, {}), Lib::system);
      const std::string names = ca_names_of(s.out);
      EXPECT_EQ(names, "O = vouch-test, CN = vouch test root ecdsa\n") << name_of(lib) << "\n" << s.out;
      printed[lib] = good.out + none.out + "\n" + names;
    }
    EXPECT_EQ(printed[Lib::vouch], printed[Lib::system]) << proto;
  }
}

// ssl_session_cache shared: (session IDs, nginx's i2d/d2i_SSL_SESSION) and
// tickets: curl's second connection (Connection: close ends the first)
// resumes, as $ssl_session_reused shows.
TEST_F(AbiTest, NginxResumesSessions) {
  for (const char* tickets : {"on", "off"}) {
    for (const char* v : {"1.2", "1.3"}) {
      std::map<Lib, std::string> printed;
      for (Lib lib : {Lib::system, Lib::vouch}) {
        auto n = start_nginx(lib, std::string("    ssl_protocols TLSv1.2 TLSv1.3;\n") +
                                      "    ssl_session_cache shared:vouch:1m;\n    ssl_session_tickets " + tickets +
                                      ";\n    location / { return 200 \"$ssl_session_reused\\n\"; }\n");
        ASSERT_TRUE(n);
        ClientRun r = run(curl(n->port, {"--tlsv" + std::string(v), "--tls-max", v, "-H", "Connection: close",
                                   url(n->port, "/a"), url(n->port, "/b"), url(n->port, "/c")}),
                    lib);
        EXPECT_EQ(r.code(), 0) << name_of(lib) << " " << r.transcript << read_text_file(n->error_log);
        printed[lib] = r.out;
      }
      EXPECT_EQ(printed[Lib::system], ".\nr\nr\n") << "tickets " << tickets << " TLS " << v;
      EXPECT_EQ(printed[Lib::vouch], printed[Lib::system]) << "tickets " << tickets << " TLS " << v;
    }
  }
}

// Two workers (forked by nginx's master after the context was made) share
// the context's ticket keys, as with libssl: a ticket one issued resumes at
// the other. reuseport spreads curl's connections over both.
TEST_F(AbiTest, NginxWorkersShareTicketKeys) {
  for (Lib lib : {Lib::system, Lib::vouch}) {
    auto n = start_nginx(lib, "    ssl_protocols TLSv1.2 TLSv1.3;\n    location / { return 200 \"$pid $ssl_session_reused\\n\"; }\n", "", 2);
    ASSERT_TRUE(n);
    std::vector<std::string> argv = {"--tlsv1.3", "-H", "Connection: close"};
    for (int i = 0; i < 16; ++i) argv.push_back(url(n->port, "/" + std::to_string(i)));
    ClientRun r = run(curl(n->port, argv), lib);
    EXPECT_EQ(r.code(), 0) << r.transcript;
    std::map<std::string, std::string> by_pid;  // pid -> its answers
    std::istringstream in(r.out);
    std::string pid, reused;
    size_t fresh = 0;
    while (in >> pid >> reused) {
      by_pid[pid] += reused;
      if (reused != "r") ++fresh;
    }
    EXPECT_EQ(fresh, 1u) << name_of(lib) << ": only the first connection is a full handshake\n" << r.out;
    // Not an assertion (the kernel spreads the connections): say when one
    // worker took them all.
    if (by_pid.size() < 2) std::printf("note: %s: one worker answered every connection\n", name_of(lib));
  }
}

// ---------------------------------------------------------------- curl

// curl on each libssl against openssl s_server -status_file -Verify: the
// client certificate is sent and verified, the staple checked; revoked and
// missing staples fail --cert-status.
TEST_F(AbiTest, CurlAgainstOpensslServer) {
  for (const char* version : {"1.2", "1.3"}) {
    std::map<Lib, std::string> printed;
    for (Lib lib : {Lib::system, Lib::vouch}) {
      for (const char* staple : {"good", "revoked", "none"}) {
        const uint16_t port = free_port();
        std::vector<std::string> argv = {"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
                                         "-cert", test_pki().ecdsa().server.cert_path, "-key", server_key_,
                                         "-cert_chain", intermediate_, "-CAfile", root_, "-Verify", "3",
                                         "-www"};
        if (std::string(staple) != "none") {
          argv.push_back("-status_file");
          argv.push_back(std::string(staple) == "good" ? good_staple_ : revoked_staple_);
        }
        ChildProcess server = ChildProcess::spawn(argv);
        ASSERT_TRUE(server.running()) << server.error();
        ASSERT_TRUE(wait_for_port(port, 10s)) << server.transcript();
        ClientRun c = run(curl(port, {"--tlsv" + std::string(version), "--tls-max", version, "--cert", client_chain_,
                                "--key", client_key_, "--cert-status", url(port)}),
                    lib);
        server.stop();
        if (std::string(staple) == "good") {
          EXPECT_EQ(c.code(), 0) << name_of(lib) << " " << c.transcript << server.transcript();
          EXPECT_NE(c.out.find("Client certificate"), std::string::npos) << c.out;
          EXPECT_NE(c.out.find(version == std::string("1.2") ? "Protocol  : TLSv1.2" : "Protocol  : TLSv1.3"),
                    std::string::npos)
              << c.out;
        } else {
          EXPECT_EQ(c.code(), 91) << name_of(lib) << " " << staple << " " << c.transcript;
        }
        // curl's error line without the library's prefix ("OpenSSL/3.0.x: ").
        printed[lib] += std::string(staple) + " " + std::to_string(c.code()) + " " +
                        lines_starting(c.out, {"Protocol  :"}) +
                        lines_starting(c.err, {"curl: (91)"});
      }
    }
    EXPECT_EQ(printed[Lib::vouch], printed[Lib::system]) << version;
  }
}

}  // namespace
}  // namespace vouch::testing
