// vouch — a certificate chain shared by its copies.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <vector>

#include "vouch/export.h"
#include "vouch/types.h"

namespace vouch {

/// A certificate chain (DER, leaf first), immutable and shared by its
/// copies: copying a CertChain copies a pointer. A connection, the sessions
/// it hands out and their copies in a session cache hold one chain between
/// them instead of a copy each (a server chain is typically 1–3 KB; an idle
/// TLS 1.3 client with two tickets held it three times).
///
/// It reads like a `const std::vector<Bytes>` and converts to one (a
/// reference, no copy); to change a chain, assign a new one made from a
/// vector. Thread-safe to read and copy from several threads, as the chain
/// never changes once made.
class VOUCH_EXPORT CertChain {
 public:
  using const_iterator = std::vector<Bytes>::const_iterator;

  /// The empty chain.
  CertChain() = default;
  /// A chain of these certificates (implicit: a chain is its certificates,
  /// so `session.peer_chain = der_vector;` reads as it should).
  CertChain(std::vector<Bytes> certs);  // NOLINT(google-explicit-constructor)
  CertChain(std::initializer_list<Bytes> certs);

  /// The certificates; an empty vector for the empty chain. Valid as long
  /// as this CertChain or a copy of it lives.
  const std::vector<Bytes>& certs() const;
  operator const std::vector<Bytes>&() const { return certs(); }  // NOLINT(google-explicit-constructor)

  bool empty() const { return certs().empty(); }
  size_t size() const { return certs().size(); }
  const Bytes& operator[](size_t i) const { return certs()[i]; }
  const Bytes& front() const { return certs().front(); }
  const Bytes& back() const { return certs().back(); }
  const_iterator begin() const { return certs().begin(); }
  const_iterator end() const { return certs().end(); }

  /// Equal when the certificates are, byte for byte.
  friend bool operator==(const CertChain& a, const CertChain& b) { return a.certs() == b.certs(); }
  friend bool operator==(const CertChain& a, const std::vector<Bytes>& b) { return a.certs() == b; }

 private:
  std::shared_ptr<const std::vector<Bytes>> certs_;
};

}  // namespace vouch
