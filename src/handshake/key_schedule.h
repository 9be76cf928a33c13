// The TLS 1.3 key schedule (RFC 8446 §7.1), Finished keys (§4.4.4) and
// resumption PSKs (§4.6.1). Traffic keys (§7.3) and key updates (§7.2) are
// in crypto/traffic_keys.h, below both this layer and the record layer.
#pragma once

#include "crypto/aead.h"
#include "crypto/hkdf.h"
#include "crypto/traffic_keys.h"

namespace vouch {

/// finished_key = HKDF-Expand-Label(base_key, "finished", "", Hash.length),
/// verify_data = HMAC(finished_key, transcript_hash) (§4.4.4).
Result<Bytes> finished_verify_data(HashAlg alg, ByteView base_key, ByteView transcript_hash);
/// PSK for a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption",
/// ticket_nonce, Hash.length) (§4.6.1).
Result<Bytes> resumption_psk(HashAlg alg, ByteView resumption_master_secret,
                             ByteView ticket_nonce);

class KeySchedule;
struct ConnCore;
/// Key logging (CommonConfig::keylog) of the TLS 1.3 application traffic
/// secrets and the exporter secret, once KeySchedule::master() ran.
void log_application_secrets(const ConnCore& core, const KeySchedule& schedule);
/// Moves what the connection keeps after its handshake (application traffic,
/// exporter and resumption secrets) from the schedule into `core`, once
/// KeySchedule::resumption() ran.
void keep_application_secrets(ConnCore& core, KeySchedule& schedule);

/// Walks Early Secret → Handshake Secret → Master Secret. Each step needs the
/// previous one; calling out of order is internal_error.
class KeySchedule {
 public:
  explicit KeySchedule(HashAlg alg) : alg_(alg) {}
  KeySchedule(const KeySchedule&) = default;
  KeySchedule(KeySchedule&&) noexcept = default;
  KeySchedule& operator=(const KeySchedule&) = default;
  KeySchedule& operator=(KeySchedule&&) noexcept = default;
  /// Wipes every secret it still holds (crypto/wipe.h).
  ~KeySchedule();
  HashAlg alg() const { return alg_; }

  /// Early Secret = HKDF-Extract(0, PSK or zeros).
  Status start(ByteView psk);
  /// binder_key: "res binder" for resumption PSKs, "ext binder" for external.
  Result<Bytes> binder_key(bool external) const;
  /// Handshake Secret from the (EC)DHE shared secret, then the client/server
  /// handshake traffic secrets over Transcript-Hash(ClientHello..ServerHello).
  Status handshake(ByteView ecdhe, ByteView hash_ch_sh);
  /// Master Secret, then client/server application traffic secret 0 and the
  /// exporter master secret over Transcript-Hash(ClientHello..server Finished).
  Status master(ByteView hash_ch_sf);
  /// resumption_master_secret over Transcript-Hash(ClientHello..client Finished).
  Status resumption(ByteView hash_ch_cf);

  /// What a connection keeps of the schedule after its handshake.
  struct ApplicationSecrets {
    Bytes client, server, exporter, resumption;
  };
  /// Moves the application traffic secrets, the exporter and the resumption
  /// master secret out (no copy left behind to wipe); their getters return
  /// empty afterwards. Call after resumption().
  ApplicationSecrets take_application_secrets();

  const Bytes& client_handshake_secret() const { return c_hs_; }
  const Bytes& server_handshake_secret() const { return s_hs_; }
  const Bytes& client_application_secret() const { return c_ap_; }
  const Bytes& server_application_secret() const { return s_ap_; }
  const Bytes& exporter_master_secret() const { return exp_; }
  const Bytes& resumption_master_secret() const { return res_; }
  /// The stage secrets themselves, for test vectors and exporters. Each is
  /// wiped (empty) once the next stage has been derived from it: the Early
  /// Secret by handshake(), the Handshake Secret by master(), the Master
  /// Secret by resumption().
  const Bytes& early_secret() const { return early_; }
  const Bytes& handshake_secret() const { return handshake_; }
  const Bytes& master_secret() const { return master_; }

 private:
  HashAlg alg_;
  bool psk_ = false;  // start() was given a PSK (else the no-PSK constants apply)
  Bytes early_, handshake_, master_;
  Bytes c_hs_, s_hs_, c_ap_, s_ap_, exp_, res_;
};

}  // namespace vouch
