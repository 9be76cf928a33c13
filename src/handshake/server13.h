// The TLS 1.3 server state machine (RFC 8446 §2, §4; the server column of
// Appendix A.2). One enum of states, one function per state.
#pragma once

#include <memory>
#include <optional>

#include "crypto/key_share.h"
#include "handshake/conn_core.h"
#include "handshake/key_schedule.h"
#include "handshake/negotiate.h"
#include "vouch/session.h"

namespace vouch {

class ServerHandshake13 final : public Handshake13 {
 public:
  ServerHandshake13(ConnCore& core, std::shared_ptr<const ServerConfig> config,
                    std::shared_ptr<TicketKeys> ticket_keys);

  Result<Hs> step() override;

  enum class State : uint8_t {
    read_client_hello,
    send_server_flight,
    read_client_finished,
    send_tickets,
    done,
  };
  State state() const { return state_; }

 private:
  Result<Hs> do_read_client_hello();
  Result<Hs> do_send_server_flight();
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

  ConnCore& core_;
  std::shared_ptr<const ServerConfig> config_;
  std::shared_ptr<TicketKeys> ticket_keys_;
  State state_ = State::read_client_hello;

  bool hrr_sent_ = false;
  Bytes cookie_;
  Bytes client_session_id_;
  CipherSuite suite_{};
  HashAlg hash_ = HashAlg::sha256;
  NamedGroup group_{};
  Bytes client_share_;
  std::optional<Bytes> psk_;
  uint16_t psk_index_ = 0;
  std::optional<CredentialChoice> credential_;
  std::optional<KeySchedule> schedule_;
  unsigned tickets_sent_ = 0;
};

}  // namespace vouch
