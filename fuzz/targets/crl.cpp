// libFuzzer target: CRL loading (RFC 5280 §5) both ways vouch reads CRLs.
// Input: byte 0 picks the way, the rest is the CRL file's content:
//   0  TrustStore::add_crl_pem on a store of the fuzz PKI's root, then the
//      server chain verified against it (revocation checked);
//   1  crl_provider (vouch/revocation.h) over the content written to a file,
//      then its check of the server chain at the fuzz clock (whole chain,
//      a CRL required).
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/clock.h"
#include "cert/verify_chain.h"
#include "fuzz_util.h"
#include "fuzz_world.h"
#include "vouch/revocation.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vouch::fuzz::init_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string content(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto& pki = vouch::fuzz::pki();
  if (data[0] % 2 == 0) {
    auto store = vouch::TrustStore::from_pem(pki.root_pem);
    VOUCH_FUZZ_CHECK(store.ok());
    if (!store->add_crl_pem(content).ok()) return 0;
    vouch::PeerVerifyOptions opts;
    opts.host = "localhost";
    (void)vouch::verify_peer_chain(store.value(), pki.server.chain_der(), opts);
    return 0;
  }
  static const std::string path = "/tmp/vouch-fuzz-crl-" + std::to_string(getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  VOUCH_FUZZ_CHECK(f != nullptr);
  VOUCH_FUZZ_CHECK(std::fwrite(content.data(), 1, content.size(), f) == content.size());
  std::fclose(f);
  vouch::CrlOptions options;
  options.files = {path};
  options.check_whole_chain = true;
  auto provider = vouch::crl_provider(options);
  std::remove(path.c_str());
  if (!provider.ok()) return 0;
  const std::vector<X509*> chain = {pki.leaf, pki.intermediate, pki.root};
  const vouch::PeerOcsp ocsp;
  const vouch::RevocationContext ctx{true, chain, ocsp, vouch::wall_clock_now(), false};
  (void)provider.value()->check(ctx);
  return 0;
}
