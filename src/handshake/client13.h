// The TLS 1.3 client state machine (RFC 8446 §2, §4; the client column of
// Appendix A.1). One enum of states, one function per state.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "crypto/key_share.h"
#include "crypto/ossl.h"
#include "handshake/client12.h"
#include "handshake/client_certificate_selection.h"
#include "handshake/conn_core.h"
#include "handshake/credential_signing.h"
#include "handshake/key_schedule.h"
#include "vouch/session.h"

namespace vouch {

class ClientHandshake13 final : public Handshake {
 public:
  ClientHandshake13(ConnCore& core, std::shared_ptr<const ClientConfig> config,
                    std::string server_name, std::shared_ptr<const Session> session,
                    std::vector<std::shared_ptr<const Session>>& sessions_out);

  Result<Hs> step() override;
  Status post_handshake(const HandshakeMessage& m) override;
  void release_after_handshake() override;

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
    handed_over,  // the server chose TLS 1.2: ClientHandshake12 goes on
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
  /// After step() answered Hs::version_switch: what the ClientHello
  /// committed to, for ClientHandshake12.
  ClientHelloState take_tls12_handoff() { return std::move(handoff_); }
  /// Sessions for the tickets received since the last call (oldest first),
  /// made now; with a session cache configured they were made on arrival
  /// and went to the connection's sessions directly.
  std::vector<std::shared_ptr<const Session>> take_received_sessions();
  const std::vector<SelectionNote>& selection_notes() const { return selection_.notes(); }
  const std::optional<Credential>& chosen_credential() const { return chosen_; }

  // ---- post-handshake authentication (RFC 8446 §4.6.2) ----------------
  /// Sends the answers to outstanding post-handshake CertificateRequests
  /// that are ready, in the order the requests arrived, and stops at the
  /// first one the application has not answered yet. An aborted answer
  /// (PendingClientCertificate::abort) anywhere in the queue is returned as
  /// the connection's error.
  Status answer_post_handshake_requests();
  /// True while a post-handshake CertificateRequest waits for the
  /// application (its selector answered ClientCertificateChoice::pending()).
  bool post_handshake_request_waiting() const { return !pha_requests_.empty(); }
  /// Forgets the outstanding requests: nothing may follow our close_notify
  /// (RFC 8446 §6.1).
  void drop_post_handshake_requests() { pha_requests_.clear(); }

 private:
  /// Parses a CertificateRequest into what selectors see.
  Result<CertificateRequestInfo> request_info(const CertificateRequest& cr, bool post_handshake) const;
  /// Our Certificate message: chosen_'s chain (or empty), with its OCSP
  /// staples when the request asked for status (RFC 8446 §4.4.2.1).
  Certificate client_certificate_message(const Bytes& context, bool status_requested) const;
  /// The CertificateVerify scheme for chosen_ (first of ours the server accepts).
  Result<SignatureScheme> client_scheme(const CertificateRequestInfo& info) const;
  Status on_post_handshake_certificate_request(const HandshakeMessage& m);

  /// A post-handshake CertificateRequest not answered on the wire yet.
  struct PostHandshakeRequest {
    Bytes message;  // as received: our answer's transcript ends with it (§4.4.1)
    Bytes context;  // certificate_request_context, echoed in our Certificate
    CertificateRequestInfo info;
    std::shared_ptr<PendingClientCertificate> pending;  // set until the application answers
    std::optional<Credential> credential;               // the answer; empty = no certificate
  };
  /// Certificate, CertificateVerify (with a certificate) and Finished for
  /// `r`, consecutive on the wire (§4.6.2).
  Status send_post_handshake_answer(const PostHandshakeRequest& r);

  Result<Hs> on_hello_retry_request(const HandshakeMessage& m, const ServerHello& hrr);
  Result<Hs> on_tls12_server_hello(const HandshakeMessage& m, const ServerHello& sh);
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
  std::shared_ptr<const Session> session_;    // a TLS 1.3 session offered as PSK, or null
  std::shared_ptr<const Session> session12_;  // a TLS 1.2 session offered, or null
  bool offer13_ = true;
  bool offer12_ = false;
  ClientHelloState handoff_;
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
  ClientCertificateSelection selection_;
  SignatureScheme client_scheme_{};
  CredentialSigning signing_;

  /// How many post-handshake requests may wait at once. RFC 8446 §4.6.2
  /// expects "multiple CertificateRequests" but sets no limit; each one held
  /// costs memory, so a server that keeps asking without getting answers is
  /// cut off.
  static constexpr size_t kMaxPostHandshakeRequests = 8;
  /// Outstanding post-handshake requests, oldest first; the front one is
  /// always unanswered after answer_post_handshake_requests(). A vector,
  /// not a deque: at most kMaxPostHandshakeRequests, and an empty vector
  /// allocates nothing (an empty std::deque holds ~600 bytes, on every
  /// established client connection).
  std::vector<PostHandshakeRequest> pha_requests_;

  /// A NewSessionTicket received while no session cache was configured:
  /// what is particular to it. take_sessions() makes the Session, adding
  /// what all tickets of the connection share (suite, server name, ALPN,
  /// the server's chain, the OCSP status); until then an idle client holds
  /// no copy of the chain per ticket.
  struct ReceivedTicket {
    Bytes ticket;
    Bytes psk;  // secret: wiped when dropped
    uint32_t lifetime_seconds = 0;
    uint32_t age_add = 0;
    std::chrono::system_clock::time_point received_at{};
    ReceivedTicket() = default;
    ReceivedTicket(ReceivedTicket&&) = default;
    ReceivedTicket& operator=(ReceivedTicket&&) = default;
    ~ReceivedTicket();
  };
  std::shared_ptr<const Session> make_session(ReceivedTicket t) const;
  std::vector<ReceivedTicket> received_tickets_;
};

}  // namespace vouch
