// A throw-away PKI for `vouch demo`: an ECDSA P-256 root CA and a leaf for
// localhost (DNS localhost, IP 127.0.0.1 and ::1, serverAuth) issued by it,
// plus two client CAs ("A" and "B"), each issuing one clientAuth leaf, for
// the mutual TLS part; all
// generated in memory with libcrypto and written as PEM files into a fresh
// temporary directory that is removed again when the DemoPki is destroyed.
#pragma once

#include <string>

#include "vouch/error.h"

namespace vouch::cli {

class DemoPki {
 public:
  /// Generates the keys and certificates and writes the files.
  static Result<DemoPki> create();

  DemoPki(DemoPki&& other) noexcept;
  DemoPki& operator=(DemoPki&&) = delete;
  DemoPki(const DemoPki&) = delete;
  DemoPki& operator=(const DemoPki&) = delete;
  ~DemoPki();

  const std::string& dir() const { return dir_; }
  std::string root_path() const { return dir_ + "/root.pem"; }        // the trust anchor
  std::string chain_path() const { return dir_ + "/server-chain.pem"; }  // the leaf
  std::string key_path() const { return dir_ + "/server-key.pem"; }   // PKCS#8
  /// Client CA `ca` ('A' or 'B'): its certificate, and its client's leaf and key.
  std::string client_ca_path(char ca) const { return dir_ + "/client-ca-" + ca + ".pem"; }
  std::string client_chain_path(char ca) const { return dir_ + "/client-" + ca + ".pem"; }
  std::string client_key_path(char ca) const { return dir_ + "/client-" + ca + "-key.pem"; }

 private:
  explicit DemoPki(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace vouch::cli
