// vouch — resumption state (RFC 8446 §4.6.1, §2.2).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vouch/error.h"
#include "vouch/revocation.h"
#include "vouch/types.h"

namespace vouch {

/// What a client keeps from one NewSessionTicket to resume later. Immutable
/// once created; shared via std::shared_ptr<const Session>.
struct Session {
  ProtocolVersion version = ProtocolVersion::tls13;
  CipherSuite cipher_suite{};
  Bytes ticket;                 // opaque to the client
  Bytes psk;                    // derived from the resumption master secret
  uint32_t lifetime_seconds = 0;
  uint32_t age_add = 0;
  std::chrono::system_clock::time_point received_at{};
  std::string server_name;
  std::string alpn;
  std::vector<Bytes> peer_chain;  // the server chain verified in the full handshake
  /// The OCSP status the full handshake established (RFC 6066 §8), reported
  /// again on resumption. A session whose verified leaf status has passed
  /// its nextUpdate is not resumed (the client does a full handshake to get
  /// a fresh staple).
  PeerOcsp ocsp;

  /// True while now < received_at + lifetime and the stapled leaf status
  /// (if any) is before its nextUpdate.
  bool usable(std::chrono::system_clock::time_point now) const;
};

/// A thread-safe client-side store of sessions keyed by server name. Each
/// ticket is used once (RFC 8446 §C.4: clients SHOULD NOT reuse a ticket).
class SessionCache {
 public:
  explicit SessionCache(size_t max_per_name = 4) : max_per_name_(max_per_name) {}
  void put(const std::string& server_name, std::shared_ptr<const Session> s);
  /// Removes and returns a usable session for the name, or null.
  std::shared_ptr<const Session> take(const std::string& server_name);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  size_t max_per_name_;
  std::map<std::string, std::vector<std::shared_ptr<const Session>>> by_name_;
};

/// The server's ticket encryption keys: AES-256-GCM keys that rotate every
/// `rotation` period; tickets sealed under the previous key still open until
/// they expire. Thread-safe.
class TicketKeys {
 public:
  explicit TicketKeys(std::chrono::seconds rotation = std::chrono::hours(12));
  ~TicketKeys();
  /// Seals plaintext into an opaque ticket (key id || nonce || ciphertext || tag).
  Result<Bytes> seal(ByteView plaintext);
  /// Opens a ticket; an unknown key id or a bad tag is an error (the server
  /// then simply ignores the PSK, RFC 8446 §4.2.11).
  Result<Bytes> open(ByteView ticket);
  /// Forces a rotation now (for tests and for operators).
  void rotate();

  struct State;

 private:
  std::unique_ptr<State> s_;
};

}  // namespace vouch
