// libFuzzer target: OCSP response decoding and verification (RFC 6960;
// src/ocsp/ocsp.h, src/ocsp/inspect.h): inspection without trust, the CertID
// match, and full verification for the fuzz PKI's server leaf (issuer: the
// intermediate) and for the intermediate (issuer: the root), at the fuzz
// clock. Input: the DER OCSPResponse.
#include "base/clock.h"
#include "ocsp/ocsp.h"
#include "ocsp/inspect.h"
#include "fuzz_util.h"
#include "fuzz_world.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vouch::fuzz::init_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const vouch::ByteView der(data, size);
  const auto& pki = vouch::fuzz::pki();
  if (auto inspected = vouch::inspect_ocsp_response(der); inspected.ok()) {
    (void)vouch::format_ocsp_inspection(inspected.value());
  }
  vouch::OcspVerifyOptions opts;
  opts.now = vouch::wall_clock_now();
  struct Pair {
    X509* cert;
    X509* issuer;
  };
  for (const Pair& p : {Pair{pki.leaf, pki.intermediate}, Pair{pki.intermediate, pki.root}}) {
    (void)vouch::ocsp_response_names(der, p.cert, p.issuer);
    auto status = vouch::verify_ocsp_response(der, p.cert, p.issuer, {}, opts);
    if (status.ok()) (void)vouch::describe(status.value());
  }
  return 0;
}
