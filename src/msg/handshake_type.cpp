// Handshake message names and the 4-byte handshake header (RFC 8446 §4:
// `HandshakeType msg_type; uint24 length; ...`).
#include "msg/handshake_type.h"

#include "base/writer.h"

namespace vouch {

const char* handshake_type_name(uint8_t type) {
  switch (static_cast<HandshakeType>(type)) {
    case HandshakeType::hello_request: return "HelloRequest";
    case HandshakeType::client_hello: return "ClientHello";
    case HandshakeType::server_hello: return "ServerHello";
    case HandshakeType::new_session_ticket: return "NewSessionTicket";
    case HandshakeType::end_of_early_data: return "EndOfEarlyData";
    case HandshakeType::encrypted_extensions: return "EncryptedExtensions";
    case HandshakeType::certificate: return "Certificate";
    case HandshakeType::server_key_exchange: return "ServerKeyExchange";
    case HandshakeType::certificate_request: return "CertificateRequest";
    case HandshakeType::server_hello_done: return "ServerHelloDone";
    case HandshakeType::certificate_verify: return "CertificateVerify";
    case HandshakeType::client_key_exchange: return "ClientKeyExchange";
    case HandshakeType::finished: return "Finished";
    case HandshakeType::certificate_status: return "CertificateStatus";
    case HandshakeType::key_update: return "KeyUpdate";
    case HandshakeType::message_hash: return "message_hash";
  }
  return "unknown";
}

// Precondition: body.size() < 2^24 (every message vouch builds is far
// smaller; the record layer could not carry more anyway).
void frame_handshake(HandshakeType type, ByteView body, Bytes& out) {
  out.reserve(out.size() + kHandshakeHeaderLength + body.size());
  Writer w(out);
  w.u8(static_cast<uint8_t>(type));
  w.vec24(body);
}

}  // namespace vouch
