// Key logging checked by Wireshark (issue 14): `vouch serve --keylog FILE`
// and `vouch connect` with SSLKEYLOGFILE talk over loopback while Debian's
// tshark captures the packets on `lo`; tshark then decrypts the capture
// with each key log (tls.keylog_file) and must find the HTTP request and the
// answer inside the TLS application data — in TLS 1.3 and in TLS 1.2.
// Without a key log the same capture must not decrypt (the check can fail).
//
// Capturing needs root or dumpcap's capabilities (`make test` runs as root
// to install packages). tshark missing is a skip saying how to install it
// (scripts/install-deps.sh does); a capture that cannot start is a failure.
#include <sys/stat.h>

#include <string>
#include <thread>
#include <vector>

#include "interop/interop.h"

namespace vouch::interop {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// What tshark decrypts of the first TCP stream on `port`, TLS forced on that
// port (it is not 443): the application data of both directions, as text.
std::string decrypted_stream(const std::string& tshark, const std::string& pcap, uint16_t port,
                             const std::string& keylog) {
  std::vector<std::string> argv = {tshark, "-n", "-r", pcap, "-d", "tcp.port==" + std::to_string(port) + ",tls"};
  if (!keylog.empty()) argv.insert(argv.end(), {"-o", "tls.keylog_file:" + keylog});
  argv.insert(argv.end(), {"-q", "-z", "follow,tls,ascii,0"});
  ChildProcess p = ChildProcess::spawn(argv);
  const testing::ExitStatus st = p.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << p.transcript();
  return p.out();
}

class KeylogTshark : public ::testing::TestWithParam<const char*> {};

TEST_P(KeylogTshark, CaptureDecryptsWithTheKeyLog) {
  const std::optional<std::string> tshark = testing::find_program("tshark");
  // A missing tool fails the test (make test installs it), never skips it.
  ASSERT_TRUE(tshark) << "tshark is not on PATH (Debian: tshark; scripts/install-deps.sh installs it)";
  const std::string version_flag = GetParam();
  const auto& f = family(CertType::ecdsa);
  testing::TempDir dir;
  const std::string server_keys = dir.file("server.keys");
  const std::string client_keys = dir.file("client.keys");
  const std::string pcap = dir.file("capture.pcapng");

  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--once", "--keylog", server_keys});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  // The capture, limited to this server's port; ready once tshark says the
  // capture started (its "Capturing on" line comes before dumpcap is ready).
  // -a duration bounds it should the test never stop it.
  ChildProcess capture = ChildProcess::spawn({*tshark, "-n", "-i", "lo", "-f",
                                              "tcp port " + std::to_string(server.port), "-w", pcap, "-a",
                                              "duration:60"});
  ASSERT_TRUE(capture.wait_for_output("Capture started", kStartTimeout, /*on_stderr=*/true))
      << "tshark cannot capture on lo (needs root or dumpcap capabilities):\n"
      << capture.transcript();

  SpawnOptions env;
  env.extra_env = {"SSLKEYLOGFILE=" + client_keys};
  ChildProcess client = ChildProcess::spawn(
      {vouch_binary(), "connect", "127.0.0.1:" + std::to_string(server.port), "--ca", f.root.cert_path,
       "--servername", "localhost", version_flag, "--request", "GET /keylog-probe HTTP/1.0\\r\\n\\r\\n"},
      env);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  ASSERT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  EXPECT_TRUE(contains(client.out(), "vouch test server")) << client.transcript();
  // Let the last packets reach the capture file, then stop tshark (SIGTERM:
  // it finishes the file).
  std::this_thread::sleep_for(500ms);
  capture.stop();

  // The files: one line per secret, mode 0600, the same secrets on both sides.
  const std::string skeys = testing::read_text_file(server_keys);
  const std::string ckeys = testing::read_text_file(client_keys);
  EXPECT_EQ(skeys, ckeys);
  struct stat sb {};
  ASSERT_EQ(stat(server_keys.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  if (version_flag == "--tls1_3") {
    EXPECT_EQ(testing::count_occurrences(skeys, "\n"), 5u) << skeys;
    EXPECT_TRUE(contains(skeys, "CLIENT_TRAFFIC_SECRET_0 ")) << skeys;
  } else {
    EXPECT_EQ(testing::count_occurrences(skeys, "\n"), 1u) << skeys;
    EXPECT_TRUE(contains(skeys, "CLIENT_RANDOM ")) << skeys;
  }
  EXPECT_TRUE(contains(server.process.err(), "logging TLS secrets to " + server_keys)) << server.process.err();
  EXPECT_TRUE(contains(client.err(), "(SSLKEYLOGFILE)")) << client.err();

  // Either key log decrypts the capture: the request and the answer.
  for (const std::string& keys : {server_keys, client_keys}) {
    const std::string text = decrypted_stream(*tshark, pcap, server.port, keys);
    EXPECT_TRUE(contains(text, "GET /keylog-probe HTTP/1.0")) << keys << ":\n" << text;
    EXPECT_TRUE(contains(text, "vouch test server")) << keys << ":\n" << text;
  }
  // Without it nothing is readable.
  const std::string opaque = decrypted_stream(*tshark, pcap, server.port, "");
  // ... although the capture holds the connection's encrypted records.
  ChildProcess summary = ChildProcess::spawn(
      {*tshark, "-n", "-r", pcap, "-d", "tcp.port==" + std::to_string(server.port) + ",tls"});
  ASSERT_TRUE(summary.wait(kRunTimeout).success()) << summary.transcript();
  EXPECT_TRUE(contains(summary.out(), "Application Data")) << summary.out();
  EXPECT_FALSE(contains(opaque, "keylog-probe")) << opaque;
}

INSTANTIATE_TEST_SUITE_P(Versions, KeylogTshark, ::testing::Values("--tls1_3", "--tls1_2"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           return std::string(i.param).substr(2);
                         });

}  // namespace
}  // namespace vouch::interop
