// A server that staples OCSP responses with the Stapler: fetched from the
// certificate's responder, verified, cached in a directory, refreshed in the
// background. Serves one line per connection, one connection at a time.
//
//   stapling_server PORT CHAIN.pem KEY.pem [CACHE_DIR]
//
// The chain must contain the leaf's issuer (needed to build and verify OCSP
// requests). Try it with: vouch connect 127.0.0.1:PORT --ca ROOT.pem --ocsp require
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "vouch/connection.h"
#include "vouch/stapler.h"
#include "vouch/stream.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PORT CHAIN.pem KEY.pem [CACHE_DIR]\n", argv[0]);
    return 2;
  }
  auto cred = vouch::Credential::from_pem_files(argv[2], argv[3]);
  if (!cred) {
    std::fprintf(stderr, "%s\n", cred.error().to_string().c_str());
    return 1;
  }
  vouch::StaplerOptions opts;
  if (argc > 4) opts.cache_dir = argv[4];
  opts.on_event = [](const vouch::StaplerEvent& e) {
    std::fprintf(stderr, "ocsp %s: %s: %s%s\n", vouch::to_string(e.kind), e.subject.c_str(), e.message.c_str(),
                 e.must_staple_unserved ? " (WARNING: must-staple certificate without a staple)" : "");
  };
  auto stapler = vouch::Stapler::create(opts);
  if (auto slot = stapler->add(*cred); !slot) {
    std::fprintf(stderr, "%s\n", slot.error().to_string().c_str());
    return 1;
  }
  auto config = std::make_shared<vouch::ServerConfig>();
  stapler->attach(*config);  // every handshake staples from the Stapler's snapshot
  stapler->poll();           // first fetch now, so the first client gets a staple
  stapler->start();          // then refresh in the background

  auto listener = vouch::tcp_listen("127.0.0.1", static_cast<uint16_t>(std::atoi(argv[1])));
  if (!listener) {
    std::fprintf(stderr, "%s\n", listener.error().to_string().c_str());
    return 1;
  }
  for (;;) {
    const int fd = accept(*listener, nullptr, nullptr);
    if (fd < 0) continue;
    vouch::Stream tls(fd, vouch::Connection::server(config), /*own_fd=*/true);
    if (auto s = tls.handshake(); !s) {
      std::fprintf(stderr, "handshake failed: %s\n", s.error().to_string().c_str());
      continue;
    }
    for (const vouch::StapleState& st : stapler->state())
      std::fprintf(stderr, "served %s: staple %s\n", st.subject.c_str(), st.serving ? "good" : "none");
    const std::string line = "hello from a stapling server\n";
    (void)tls.write(vouch::ByteView(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
    (void)tls.close();
  }
}
