// The PEM files the libssl-API and native benchmarks load: the test PKI's
// ECDSA P-256 family (tests/support/pki.h), written once per build directory
// (<build>/test-pki/ecdsa). Declared without vouch or OpenSSL types, so that
// a program compiled against either libssl or vouch-ssl can include it.
#pragma once

#include <string>

namespace vouch::bench {

struct PemFiles {
  std::string root;          // the trust anchor
  std::string server_chain;  // CN=localhost leaf, then the intermediate
  std::string server_key;
  std::string client_chain;  // client leaf (clientAuth), then the intermediate
  std::string client_key;
};

/// Loads (or first generates) the test PKI and returns its files. Throws
/// std::runtime_error if the PKI cannot be made.
const PemFiles& pem_files();

}  // namespace vouch::bench
