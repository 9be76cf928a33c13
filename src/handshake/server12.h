// The TLS 1.2 server state machine (RFC 5246 §7.3, ECDHE from RFC 8422,
// the extended master secret of RFC 7627, renegotiation_info of RFC 5746,
// session tickets of RFC 5077, session IDs, CertificateStatus of RFC 6066
// §8 and RFC 6961 §2.2). One enum of states, one function per state.
//
// ServerHandshake13 reads the ClientHello; when the highest version in
// common is TLS 1.2 it hands the message to this machine. A vouch server
// never renegotiates: a later ClientHello gets a no_renegotiation warning.
#pragma once

#include <array>
#include <memory>
#include <optional>

#include "crypto/key_share.h"
#include "handshake/client_verification.h"
#include "handshake/conn_core.h"
#include "handshake/credential_signing.h"
#include "handshake/master_secret.h"
#include "handshake/negotiate.h"
#include "handshake/server_credentials.h"
#include "msg/messages12.h"
#include "vouch/session.h"

namespace vouch {

class ServerHandshake12 final : public Handshake {
 public:
  ServerHandshake12(ConnCore& core, std::shared_ptr<const ServerConfig> config,
                    std::shared_ptr<TicketKeys> ticket_keys, std::shared_ptr<ServerSessionCache> session_cache,
                    Bytes client_hello, std::unique_ptr<ClientHello> parsed = nullptr);
  /// Wipes the master secret if the handshake ends before its release.
  ~ServerHandshake12() override;

  Result<Hs> step() override;
  /// A ClientHello after the handshake (a renegotiation attempt): a
  /// no_renegotiation warning (RFC 5246 §7.2.2), the connection goes on.
  Status post_handshake(const HandshakeMessage& m) override;
  Status on_change_cipher_spec() override;
  void release_after_handshake() override;

  enum class State : uint8_t {
    process_client_hello,
    choose_credential,        // may suspend (Wait::server_certificate)
    settle_staples,           // may suspend (Wait::ocsp_staple)
    sign_key_exchange,        // may suspend (Wait::private_key_operation)
    send_server_flight,
    send_resumed_flight,
    read_client_certificate,
    read_client_key_exchange,
    read_certificate_verify,
    read_change_cipher_spec,
    read_finished,
    send_finished,
    done,
  };
  State state() const { return state_; }

 private:
  Result<Hs> do_process_client_hello();
  Result<Hs> do_choose_credential();
  Result<Hs> do_settle_staples();
  Result<Hs> do_sign_key_exchange();
  Result<Hs> do_send_server_flight();
  Result<Hs> do_send_resumed_flight();
  Result<Hs> do_read_client_certificate();
  Result<Hs> do_read_client_key_exchange();
  Result<Hs> do_read_certificate_verify();
  Result<Hs> do_read_change_cipher_spec();
  Result<Hs> do_read_finished();
  Result<Hs> do_send_finished();

  Status negotiate(const ClientHello& ch);
  /// A session ticket (RFC 5077 §3.4) or session ID offered by the client
  /// that this server can resume; sets resumed_ and the session's state.
  Status try_resumption(const ClientHello& ch);
  bool resumable(const struct TicketContents& t, const ClientHello& ch) const;
  /// ServerHello with the extensions this handshake answers.
  Status send_server_hello();
  /// Picks the status answer for `staples` (one per chain position) and
  /// builds the CertificateStatus it sends (RFC 6066 §8, RFC 6961 §2.2).
  Status choose_status_answer(const std::vector<Bytes>& staples, size_t chain_length);
  Status send_ccs_and_finished();
  Status derive_key_block();
  /// Remembers the session for resumption (session ID or ticket).
  Result<Bytes> session_state() const;
  /// The schemes we accept (and send in a CertificateRequest).
  std::vector<SignatureScheme> our_schemes() const;
  /// The schemes we sign the ServerKeyExchange with, in preference order.
  std::vector<SignatureScheme> signing_schemes() const;

  ConnCore& core_;
  std::shared_ptr<const ServerConfig> config_;
  std::shared_ptr<TicketKeys> ticket_keys_;
  std::shared_ptr<ServerSessionCache> session_cache_;
  Bytes client_hello_;  // framed, until processed
  std::unique_ptr<ClientHello> parsed_client_hello_;  // when the caller parsed it
  State state_ = State::process_client_hello;

  // negotiated from the ClientHello
  std::array<uint8_t, 32> client_random_{};
  std::array<uint8_t, 32> server_random_{};
  Bytes client_session_id_;
  Bytes session_id_;          // ours in the ServerHello
  std::vector<CipherSuite> client_suites_;
  std::vector<SignatureScheme> client_schemes_;
  std::optional<std::vector<NamedGroup>> client_groups_;  // supported_groups as sent
  NamedGroup group_{};
  Suite12 suite_{};
  bool ems_ = false;
  bool client_secure_renegotiation_ = false;
  bool client_wants_ticket_ = false;
  /// ServerConfig::server_name_hook's answer: acknowledge the SNI.
  bool ack_server_name_ = true;
  bool send_ticket_ = false;
  bool client_wants_status_ = false;  // status_request of type ocsp (RFC 6066 §8)
  /// The status types of the client's status_request_v2 that vouch knows,
  /// in its order of preference (RFC 6961 §2.2); empty without one.
  std::vector<CertificateStatusType> client_status_v2_;
  /// How this handshake answers those requests: at most one of them is
  /// acknowledged (RFC 6961 §1: "the server will select the single status
  /// method"), and only when a CertificateStatus will follow.
  enum class StatusAnswer : uint8_t { none, v1_ocsp, v2_ocsp, v2_ocsp_multi };
  StatusAnswer status_answer_ = StatusAnswer::none;
  std::optional<CertificateStatus> certificate_status_;  // what follows Certificate, if anything
  bool point_formats_offered_ = false;
  ClientHelloInfo hello_;

  // resumption
  bool resumed_ = false;
  std::vector<Bytes> session_client_chain_;

  // authentication and key exchange
  ServerCredentials sources_;
  std::optional<Choice12> choice_;
  std::optional<KeyShare> share_;
  Bytes ske_content_;
  CredentialSigning signing_;
  Bytes ske_signature_;
  Bytes master_secret_;
  KeyBlock12 keys_;

  // mutual TLS
  bool cert_requested_ = false;
  std::optional<VerifiedClient> client_;  // the client's verified chain, if it sent one
};

}  // namespace vouch
