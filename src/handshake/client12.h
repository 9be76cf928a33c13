// The TLS 1.2 client state machine (RFC 5246 §7.3, with ECDHE from RFC
// 8422, the extended master secret of RFC 7627, secure renegotiation of RFC
// 5746, session tickets of RFC 5077 and CertificateStatus of RFC 6066 §8 and
// RFC 6961 §2.2).
// One enum of states, one function per state.
//
// The first ClientHello offers TLS 1.3 and 1.2 together and is sent by
// ClientHandshake13; when the ServerHello chooses TLS 1.2 the connection
// hands what the ClientHello committed to (ClientHelloState) to this
// machine. A renegotiation (ClientConfig::renegotiation) runs this machine
// again from its own, TLS 1.2-only, ClientHello.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ossl.h"
#include "handshake/client_certificate_selection.h"
#include "handshake/conn_core.h"
#include "handshake/credential_signing.h"
#include "handshake/master_secret.h"
#include "msg/messages12.h"
#include "vouch/session.h"

namespace vouch {

/// What the first ClientHello committed to, for the TLS 1.2 machine.
struct ClientHelloState {
  std::array<uint8_t, 32> random{};
  Bytes session_id;                              // as sent
  std::shared_ptr<const Session> session12;      // the TLS 1.2 session offered, or null
  std::vector<uint16_t> sent_extensions;         // extension types in the ClientHello
  std::vector<SignatureScheme> offered_schemes;  // its signature_algorithms
  Bytes server_hello;                            // the ServerHello (framed), not yet hashed
};

/// The TLS 1.2 parts of a ClientHello (RFC 5246 §7.4.1.2 and the
/// extensions vouch offers with it): the 1.2 suites, ec_point_formats
/// (uncompressed only, RFC 8422 §5.1.2), extended_master_secret (RFC 7627),
/// renegotiation_info (RFC 5746 §3.4/§3.5; `renegotiated_connection` empty
/// in an initial handshake), session_ticket (RFC 5077 §3.1, carrying
/// `session`'s ticket if it has one) and, when the config asks for status
/// with request_ocsp_multi, status_request_v2 (RFC 6961 §2.2: ocsp_multi,
/// then ocsp). Appends to what `ch` holds.
void add_tls12_offer(ClientHello& ch, const ClientConfig& config, const Session* session,
                     ByteView renegotiated_connection);

/// True if `session` may be offered under `config`'s revocation policy: a
/// client that requires a staple (OcspPolicy::require, or a must-staple
/// leaf) never resumes a session whose full handshake did not verify a good
/// one — it does a full handshake and gets a fresh staple instead.
bool session_meets_ocsp_policy(const Session& session, const ClientConfig& config);

class ClientHandshake12 final : public Handshake {
 public:
  ClientHandshake12(ConnCore& core, std::shared_ptr<const ClientConfig> config, std::string server_name,
                    ClientHelloState hello, std::vector<std::shared_ptr<const Session>>& sessions_out);
  /// Wipes the master secret if the handshake ends before its release.
  ~ClientHandshake12() override;

  Result<Hs> step() override;
  /// HelloRequest (RFC 5246 §7.4.1.1): renegotiate once if configured,
  /// else a no_renegotiation warning.
  Status post_handshake(const HandshakeMessage& m) override;
  Status on_change_cipher_spec() override;
  void release_after_handshake() override;

  enum class State : uint8_t {
    send_client_hello,  // renegotiation only
    read_server_hello,  // renegotiation only
    process_server_hello,
    read_certificate,
    read_certificate_status,  // optional message (RFC 6066 §8)
    read_server_key_exchange,
    read_certificate_request,  // optional message
    read_server_hello_done,
    select_client_certificate,  // may suspend: Hs::client_certificate
    send_client_key_exchange,
    send_certificate_verify,  // may suspend: Hs::private_key
    send_finished,
    read_new_session_ticket,
    read_change_cipher_spec,
    read_finished,
    done,
  };
  State state() const { return state_; }

  const std::vector<SelectionNote>& selection_notes() const { return selection_.notes(); }
  const std::optional<Credential>& chosen_credential() const { return chosen_; }
  /// The server declined our renegotiation with a no_renegotiation warning
  /// (RFC 5246 §7.2.2): the connection goes on with what the last handshake
  /// established. Nothing happens unless a renegotiation is waiting for the
  /// ServerHello.
  void abandon_renegotiation();

 private:
  Result<Hs> do_send_client_hello();
  Result<Hs> do_read_server_hello();
  Result<Hs> do_process_server_hello();
  Result<Hs> do_read_certificate();
  Result<Hs> do_read_certificate_status();
  Result<Hs> do_read_server_key_exchange();
  Result<Hs> do_read_certificate_request();
  Result<Hs> do_read_server_hello_done();
  Result<Hs> do_select_client_certificate();
  Result<Hs> do_send_client_key_exchange();
  Result<Hs> do_send_certificate_verify();
  Result<Hs> do_send_finished();
  Result<Hs> do_read_new_session_ticket();
  Result<Hs> do_read_change_cipher_spec();
  Result<Hs> do_read_finished();

  /// The next handshake message; HelloRequests are skipped (RFC 5246
  /// §7.4.1.1: ignored while negotiating, and never hashed).
  std::optional<HandshakeMessage> next_message();
  Status on_server_hello(const ServerHello& sh, ByteView message);
  Result<Hs> on_server_key_exchange(const HandshakeMessage& m);
  Result<Hs> on_certificate_request(const HandshakeMessage& m);
  Result<Hs> on_server_hello_done(const HandshakeMessage& m);
  /// The revocation decision on the server's chain (RFC 6066 §8, RFC 6961
  /// §2.2): runs at ServerHelloDone (whether a certificate was asked for is
  /// known then), with what the CertificateStatus carried. `staples` holds one entry per chain position (nullopt: none for
  /// that certificate); it may be shorter than the chain.
  Status check_revocation(std::vector<std::optional<Bytes>> staples);
  /// Master secret and key block from the ECDHE secret (RFC 7627 §4 /
  /// RFC 5246 §8.1, §6.3).
  Status derive_keys(ByteView pre_master_secret);
  Status derive_key_block();
  /// The session the handshake established (or resumed), for later
  /// resumption; none when the server gave neither ID nor ticket.
  void publish_session();
  /// Starts a renegotiation (RFC 5746 §3.5): a fresh handshake on this
  /// connection.
  Status start_renegotiation();

  ConnCore& core_;
  std::shared_ptr<const ClientConfig> config_;
  std::string server_name_;
  ClientHelloState hello_;
  std::vector<std::shared_ptr<const Session>>& sessions_out_;
  State state_ = State::process_server_hello;

  Suite12 suite_{};
  std::array<uint8_t, 32> server_random_{};
  Bytes server_session_id_;
  bool resumed_ = false;
  bool ems_ = false;
  bool ticket_expected_ = false;  // the server acknowledged session_ticket
  bool status_acked_ = false;     // the server acknowledged status_request
  bool status_v2_acked_ = false;  // the server acknowledged status_request_v2 (RFC 6961)
  Bytes master_secret_;
  KeyBlock12 keys_;
  Bytes new_ticket_;
  uint32_t new_ticket_lifetime_ = 0;

  // the server's authentication
  std::vector<Bytes> server_chain_;
  std::vector<ossl::X509Ptr> verified_chain_;  // leaf..anchor; empty when not verified
  ossl::EvpPkey server_key_;
  NamedGroup group_{};
  Bytes server_share_;

  // mutual TLS
  bool cert_requested_ = false;
  /// The CertificateStatus's staples, judged at ServerHelloDone.
  std::vector<std::optional<Bytes>> staples_;
  CertificateRequestInfo request_;
  ClientCertificateSelection selection_;
  std::shared_ptr<PendingClientCertificate> pending_;
  std::optional<Credential> chosen_;
  SignatureScheme client_scheme_{};
  CredentialSigning signing_;

  // renegotiation (RFC 5746): what the previous handshake established
  bool renegotiation_ = false;
  unsigned renegotiations_ = 0;
  std::vector<Bytes> previous_server_chain_;
  std::optional<Credential> previous_chosen_;
};

}  // namespace vouch
