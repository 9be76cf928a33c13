#include "bench_pem.h"

#include "support/pki.h"

namespace vouch::bench {

const PemFiles& pem_files() {
  static const PemFiles files = [] {
    const auto& f = vouch::testing::test_pki().ecdsa();
    return PemFiles{f.root.cert_path, f.server.chain_path, f.server.key_path, f.client.chain_path,
                    f.client.key_path};
  }();
  return files;
}

}  // namespace vouch::bench
