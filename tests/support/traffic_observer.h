// A passive observer of one direction of a TLS 1.3 connection: given that
// direction's first application traffic secret (from a key log), it opens the
// records it is fed and follows KeyUpdates (RFC 8446 §4.6.3, §7.2), so a
// test can see on the wire what a peer sent after the handshake — which
// KeyUpdates, with which update_requested, and the data after each — whoever
// the peer is (vouch, libssl, openssl s_server / s_client).
#pragma once

#include <string>
#include <vector>

#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch::testing {

class TrafficObserver {
 public:
  /// `secret_hex`: the CLIENT_TRAFFIC_SECRET_0 or SERVER_TRAFFIC_SECRET_0 of
  /// the direction, as a key log line writes it.
  TrafficObserver(CipherSuite suite, const std::string& secret_hex);

  /// Feeds bytes of that direction, from the start of the connection or
  /// later (records may be split across calls). Records from before the
  /// application traffic keys (plaintext, change_cipher_spec, handshake-key
  /// records) are skipped until the first one that opens; after that a
  /// record that does not open is an error.
  Status feed(ByteView wire);

  /// update_requested of every KeyUpdate seen, in order.
  const std::vector<bool>& key_updates() const { return key_updates_; }
  /// The application data seen, and how many bytes of it had been seen
  /// when each KeyUpdate arrived.
  const std::string& data() const { return data_; }
  const std::vector<size_t>& data_before_key_update() const { return data_at_update_; }

 private:
  Status open_records();
  Status on_handshake(ByteView messages);

  CipherSuite suite_;
  Bytes secret_;           // the current traffic secret
  uint64_t sequence_ = 0;  // of the next record under it
  Bytes buffer_;
  bool synced_ = false;
  std::vector<bool> key_updates_;
  std::vector<size_t> data_at_update_;
  std::string data_;
};

/// The hex secret of `label` (e.g. "SERVER_TRAFFIC_SECRET_0") in key log
/// lines, "" if absent.
std::string keylog_secret(const std::vector<std::string>& lines, const std::string& label);

}  // namespace vouch::testing
