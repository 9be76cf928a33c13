// A mutual-TLS client: verifies the server, answers its CertificateRequest
// with whichever configured credential fits, sends a line, prints the reply.
//
//   mtls_client HOST PORT ROOTS.pem [CHAIN.pem KEY.pem]...
#include <cstdio>
#include <cstdlib>
#include <string>

#include "vouch/connection.h"
#include "vouch/stream.h"

int main(int argc, char** argv) {
  if (argc < 4 || (argc - 4) % 2 != 0) {
    std::fprintf(stderr, "usage: %s HOST PORT ROOTS.pem [CHAIN.pem KEY.pem]...\n", argv[0]);
    return 2;
  }
  auto config = std::make_shared<vouch::ClientConfig>();
  auto trust = vouch::TrustStore::from_pem_file(argv[3]);
  if (!trust) {
    std::fprintf(stderr, "%s\n", trust.error().to_string().c_str());
    return 1;
  }
  config->trust = *trust;
  for (int i = 4; i + 1 < argc; i += 2) {
    auto cred = vouch::Credential::from_pem_files(argv[i], argv[i + 1]);
    if (!cred) {
      std::fprintf(stderr, "%s\n", cred.error().to_string().c_str());
      return 1;
    }
    config->client_credentials.push_back(*cred);
  }

  auto fd = vouch::tcp_connect(argv[1], static_cast<uint16_t>(std::atoi(argv[2])));
  if (!fd) {
    std::fprintf(stderr, "%s\n", fd.error().to_string().c_str());
    return 1;
  }
  vouch::Stream tls(*fd, vouch::Connection::client(config, argv[1]), /*own_fd=*/true);
  if (auto s = tls.handshake(); !s) {
    std::fprintf(stderr, "handshake failed: %s\n", s.error().to_string().c_str());
    return 1;
  }
  for (const auto& note : tls.connection().client_certificate_notes())
    std::fprintf(stderr, "%s %s: %s\n", note.chosen ? "chose" : "skipped", note.subject.c_str(),
                 note.reason.c_str());

  const std::string request = "GET / HTTP/1.0\r\n\r\n";
  if (auto s = tls.write(vouch::ByteView(reinterpret_cast<const uint8_t*>(request.data()),
                                         request.size()));
      !s) {
    std::fprintf(stderr, "%s\n", s.error().to_string().c_str());
    return 1;
  }
  uint8_t buf[4096];
  for (;;) {
    auto n = tls.read(buf);
    if (!n) {
      std::fprintf(stderr, "%s\n", n.error().to_string().c_str());
      return 1;
    }
    if (*n == 0) break;
    std::fwrite(buf, 1, *n, stdout);
  }
  (void)tls.close();
  return 0;
}
