// libFuzzer target: loading credentials and trust anchors
// (vouch/credential.h, src/cert/pem.h, src/cert/cert_cache.h). Input: byte 0
// picks what is loaded from the rest:
//   0  Credential::from_pem: bytes 1-2 (big-endian) split the rest into the
//      chain PEM and the key PEM;
//   1  TrustStore::from_pem;
//   2  one DER certificate (parse_certificate), then the chain it heads with
//      the fuzz PKI's intermediate, verified against its root;
//   3  a DER OCSP staple for the fuzz PKI's server leaf
//      (Credential::with_ocsp_staples).
#include <string_view>

#include "cert/cert_cache.h"
#include "cert/verify_chain.h"
#include "fuzz_util.h"
#include "fuzz_world.h"
#include "vouch/credential.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vouch::fuzz::init_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const vouch::ByteView rest(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
  const auto& pki = vouch::fuzz::pki();
  switch (data[0] % 4) {
    case 0: {
      if (rest.size() < 2) return 0;
      const size_t split = std::min<size_t>((size_t{rest[0]} << 8) | rest[1], rest.size() - 2);
      const std::string_view pem = text.substr(2);
      auto cred = vouch::Credential::from_pem(pem.substr(0, split), pem.substr(split));
      if (!cred.ok()) return 0;
      VOUCH_FUZZ_CHECK(!cred->chain().empty() && cred->chain().size() == cred->chain_der().size());
      VOUCH_FUZZ_CHECK(cred->leaf() == cred->chain().front() && cred->private_key() != nullptr);
      (void)cred->subject();
      return 0;
    }
    case 1: {
      auto store = vouch::TrustStore::from_pem(text);
      if (store.ok()) VOUCH_FUZZ_CHECK(!store->empty());
      return 0;
    }
    case 2: {
      if (!vouch::parse_certificate(rest).ok()) return 0;
      const std::vector<vouch::Bytes> chain = {vouch::Bytes(rest.begin(), rest.end()),
                                               pki.server.chain_der().at(1)};
      vouch::PeerVerifyOptions opts;
      opts.host = "localhost";
      auto verified = vouch::verify_peer_chain(pki.roots, chain, opts);
      if (verified.ok()) VOUCH_FUZZ_CHECK(!verified->chain.empty() && verified->leaf_key);
      return 0;
    }
    default: {
      auto unstapled = vouch::Credential::from_pem(pki.server_chain_pem, pki.server_key_pem);
      VOUCH_FUZZ_CHECK(unstapled.ok());
      auto stapled = unstapled->with_ocsp_staples({vouch::Bytes(rest.begin(), rest.end())});
      if (stapled.ok()) {
        // An empty staple means "none for the leaf": then nothing at all is
        // stapled (credential.h), otherwise the leaf's is what was given.
        const std::vector<vouch::Bytes>& staples = stapled->ocsp_staples();
        const vouch::Bytes given(rest.begin(), rest.end());
        VOUCH_FUZZ_CHECK(given.empty() ? staples.empty() || staples[0].empty()
                                       : !staples.empty() && staples[0] == given);
      }
      return 0;
    }
  }
}
