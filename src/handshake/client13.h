// The TLS 1.3 client state machine (RFC 8446 §2, §4; the client column of
// Appendix A.1). One enum of states, one function per state.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/key_share.h"
#include "crypto/ossl.h"
#include "handshake/conn_core.h"
#include "handshake/credential_signing.h"
#include "handshake/key_schedule.h"
#include "vouch/session.h"

namespace vouch {

class ClientHandshake13 final : public Handshake13 {
 public:
  ClientHandshake13(ConnCore& core, std::shared_ptr<const ClientConfig> config,
                    std::string server_name, std::shared_ptr<const Session> session,
                    std::vector<std::shared_ptr<const Session>>& sessions_out);

  Result<Hs> step() override;
  Status post_handshake(const HandshakeMessage& m) override;

  enum class State : uint8_t {
    send_client_hello,
    read_server_hello,
    read_encrypted_extensions,
    read_certificate_request,
    read_certificate,
    read_certificate_verify,
    read_finished,
    select_client_certificate,   // may suspend: Hs::client_certificate
    send_client_certificate,
    send_client_certificate_verify,  // may suspend: Hs::private_key
    send_client_finished,
    done,
  };
  State state() const { return state_; }

 private:
  Result<Hs> do_send_client_hello();
  Result<Hs> do_read_server_hello();
  Result<Hs> do_read_encrypted_extensions();
  Result<Hs> do_read_certificate_request();
  Result<Hs> do_read_certificate();
  Result<Hs> do_read_certificate_verify();
  Result<Hs> do_read_finished();
  Result<Hs> do_select_client_certificate();
  Result<Hs> do_send_client_certificate();
  Result<Hs> do_send_client_certificate_verify();
  Result<Hs> do_send_client_finished();

 public:
  const std::vector<SelectionNote>& selection_notes() const { return notes_; }
  const std::optional<Credential>& chosen_credential() const { return chosen_; }

 private:
  /// Parses a CertificateRequest into what selectors see.
  Result<CertificateRequestInfo> request_info(const CertificateRequest& cr, bool post_handshake) const;
  /// Runs the configured selection once; sets chosen_ (or nothing) and
  /// returns false while a pending answer is outstanding.
  Result<bool> select(const CertificateRequestInfo& info);
  /// Our Certificate message: chosen_'s chain (or empty), with its OCSP
  /// staples when the request asked for status (RFC 8446 §4.4.2.1).
  Certificate client_certificate_message(const Bytes& context, bool status_requested) const;
  /// The CertificateVerify scheme for chosen_ (first of ours the server accepts).
  Result<SignatureScheme> client_scheme(const CertificateRequestInfo& info) const;
  Status on_post_handshake_certificate_request(const HandshakeMessage& m);

  Result<Hs> on_hello_retry_request(const HandshakeMessage& m, const ServerHello& hrr);
  Result<Hs> on_certificate(const HandshakeMessage& m);
  Status on_new_session_ticket(const NewSessionTicket& nst);
  /// Builds, binds (PSK binder, §4.2.11.2) and queues a ClientHello.
  Status send_client_hello();
  /// §4.2: extensions in a server message must answer ones we sent.
  Status check_solicited(const Extensions& ext, const char* where) const;
  bool psk_offered() const { return session_ != nullptr; }

  ConnCore& core_;
  std::shared_ptr<const ClientConfig> config_;
  std::string server_name_;
  bool server_name_is_ip_ = false;
  std::shared_ptr<const Session> session_;  // offered for resumption, or null
  std::vector<std::shared_ptr<const Session>>& sessions_out_;

  State state_ = State::send_client_hello;
  std::array<uint8_t, 32> random_{};
  Bytes session_id_;
  std::vector<KeyShare> shares_;
  std::vector<SignatureScheme> offered_schemes_;
  std::vector<uint16_t> sent_extensions_;
  Bytes cookie_;
  bool hrr_seen_ = false;
  CipherSuite hrr_suite_{};
  std::optional<KeySchedule> schedule_;
  bool cert_requested_ = false;
  Bytes cert_request_context_;
  ossl::EvpPkey peer_key_;

  // mutual TLS
  CertificateRequestInfo request_;
  std::shared_ptr<PendingClientCertificate> pending_;
  std::optional<Credential> chosen_;
  std::vector<SelectionNote> notes_;
  SignatureScheme client_scheme_{};
  CredentialSigning signing_;
};

}  // namespace vouch
