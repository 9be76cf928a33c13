// The TLS 1.3 server state machine (RFC 8446 §2, §4; the server column of
// Appendix A.2). One enum of states, one function per state.
#pragma once

#include <memory>
#include <optional>

#include "crypto/key_share.h"
#include "handshake/client_verification.h"
#include "handshake/conn_core.h"
#include "handshake/credential_signing.h"
#include "handshake/server_credentials.h"
#include "handshake/key_schedule.h"
#include "handshake/negotiate.h"
#include "vouch/session.h"

namespace vouch {

class ServerHandshake13 final : public Handshake {
 public:
  ServerHandshake13(ConnCore& core, std::shared_ptr<const ServerConfig> config,
                    std::shared_ptr<TicketKeys> ticket_keys);

  Result<Hs> step() override;
  /// Post-handshake client authentication answers (§4.6.2).
  Status post_handshake(const HandshakeMessage& m) override;
  void release_after_handshake() override;
  /// Sends a post-handshake CertificateRequest (§4.6.2).
  Status request_client_certificate();
  bool post_handshake_auth_pending() const { return pha_.has_value(); }
  /// After step() answered Hs::version_switch: the ClientHello that chose
  /// TLS 1.2, framed and as parsed, for the TLS 1.2 machine (which need not
  /// parse it again).
  struct Tls12Handoff {
    Bytes framed;
    std::unique_ptr<ClientHello> parsed;
  };
  Tls12Handoff take_client_hello() { return {std::move(client_hello_), std::move(client_hello12_)}; }

  enum class State : uint8_t {
    read_client_hello,
    choose_credential,  // may suspend (Wait::server_certificate)
    send_server_hello,
    send_server_flight,
    send_certificate_verify,  // may suspend (Wait::private_key_operation)
    send_server_finished,
    read_client_certificate,
    read_client_certificate_verify,
    read_client_finished,
    send_tickets,
    done,
  };
  State state() const { return state_; }

 private:
  Result<Hs> do_read_client_hello();
  Result<Hs> do_choose_credential();
  Result<Hs> do_send_server_hello();
  Result<Hs> do_send_server_flight();
  Result<Hs> do_send_certificate_verify();
  Result<Hs> do_send_server_finished();
  Result<Hs> do_read_client_certificate();
  Result<Hs> do_read_client_certificate_verify();
  Result<Hs> do_read_client_finished();
  Result<Hs> do_send_tickets();

  /// Everything decided from one ClientHello (§4.1.1).
  Status negotiate(const ClientHello& ch);
  Status check_second_client_hello(const ClientHello& ch);
  Result<Hs> send_hello_retry_request(const HandshakeMessage& m, const ClientHello& ch,
                                      bool need_share);
  /// Tries the offered PSKs (§4.2.11); sets psk_ on success. A PSK that
  /// decrypts but whose binder fails is decrypt_error.
  Status try_resumption(const HandshakeMessage& m, const ClientHello& ch);

  CertificateRequest make_certificate_request(Bytes context) const;
  /// A client Certificate (in-handshake or post-handshake): chain checks
  /// and verification against client_trust (purpose clientAuth).
  Status on_client_certificate(const Certificate& cert, ByteView expected_context);
  /// A client CertificateVerify over `transcript_hash`, then the
  /// application's accept hook.
  Status on_client_certificate_verify(const CertificateVerify& cv, ByteView transcript_hash,
                                      bool post_handshake);
  /// The server Certificate message for credential_, with staples_ in the
  /// entries (RFC 8446 §4.4.2.1).
  Result<Certificate> server_certificate() const;
  /// Sets credential_ from the credential sources or `credentials`; false
  /// while an asynchronous source has not answered.
  Result<bool> settle_credential();

  ConnCore& core_;
  std::shared_ptr<const ServerConfig> config_;
  std::shared_ptr<TicketKeys> ticket_keys_;
  State state_ = State::read_client_hello;

  bool hrr_sent_ = false;
  bool client_hello_hashed_ = false;  // try_resumption put the ClientHello in the transcript
  Bytes cookie_;
  Bytes client_session_id_;
  CipherSuite suite_{};
  HashAlg hash_ = HashAlg::sha256;
  NamedGroup group_{};
  Bytes client_share_;
  std::optional<Bytes> psk_;
  uint16_t psk_index_ = 0;
  /// Kept from the final ClientHello for the states after it (the message's
  /// views die with it): what choosing a credential needs, the message itself
  /// (it enters the transcript with the ServerHello, §4.4.1), our key share
  /// and the (EC)DHE secret (§7.4), wiped once the key schedule took it.
  ClientHelloInfo hello_;
  Bytes client_hello_;
  // Parsed, when TLS 1.2 was chosen; on the heap, so that a TLS 1.3
  // connection's handshake object (kept while it lives) does not carry one.
  std::unique_ptr<ClientHello> client_hello12_;
  Bytes server_share_;
  Bytes ecdhe_;
  std::optional<CredentialChoice> credential_;
  /// Where credential_ and the staples come from (kept alive for the
  /// handshake); suspends on asynchronous sources.
  ServerCredentials sources_;
  /// The client sent status_request (RFC 6066 §8) in its ClientHello.
  bool client_wants_status_ = false;
  /// What the CertificateVerify signs, and the signer while it works.
  Bytes certificate_verify_input_;
  CredentialSigning signing_;
  std::optional<KeySchedule> schedule_;
  unsigned tickets_sent_ = 0;

  // mutual TLS
  bool cert_requested_ = false;
  bool client_offered_pha_ = false;
  /// ServerConfig::server_name_hook's answer: acknowledge the SNI.
  bool ack_server_name_ = true;
  std::vector<SignatureScheme> cr_schemes_;
  std::optional<VerifiedClient> client_;    // the client's verified chain, if it sent one
  std::vector<Bytes> ticket_client_chain_;  // from a resumed session

  // post-handshake authentication in progress
  struct Pha {
    Bytes context;
    Transcript transcript;
    enum class Step { certificate, certificate_verify, finished } step = Step::certificate;
  };
  std::optional<Pha> pha_;
};

}  // namespace vouch
