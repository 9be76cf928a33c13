// TLS 1.3 handshake messages as plain structs (RFC 8446 §4), each with a
// parse and a write function. Parsers take the message body (no 4-byte
// header), consume it entirely (trailing bytes → decode_error) and return the
// RFC alert on failure; writers append the body to a Writer.
//
// One file per message in src/msg/ implements these; this header is the
// shared vocabulary.
#pragma once

#include <array>
#include <vector>

#include "base/reader.h"
#include "base/writer.h"
#include "ext/extensions.h"
#include "msg/handshake_type.h"

namespace vouch {

// RFC 8446 §4.1.3: the special ServerHello.random marking a HelloRetryRequest.
extern const std::array<uint8_t, 32> kHelloRetryRequestRandom;
// §4.1.3 downgrade sentinels in the last 8 bytes of ServerHello.random.
extern const std::array<uint8_t, 8> kDowngradeTls12;  // "DOWNGRD\x01"
extern const std::array<uint8_t, 8> kDowngradeTls11;  // "DOWNGRD\x00"
/// Not RFC 8446's: the sentinel Java 11's first releases wrote (from a
/// draft) when a 1.3-capable server chose 1.2. It means the same.
extern const std::array<uint8_t, 8> kDowngradeJdk11Draft;

// Bounds from the RFC's presentation language, as named constants.
constexpr size_t kMaxSessionIdLength = 32;              // legacy_session_id<0..32>
constexpr size_t kMaxCertificateListBytes = (1u << 24) - 1;
constexpr size_t kMaxFinishedLength = 64;

/// §4.1.2
struct ClientHello {
  uint16_t legacy_version = 0x0303;
  std::array<uint8_t, 32> random{};
  Bytes legacy_session_id;                       // 0..32 bytes
  std::vector<CipherSuite> cipher_suites;        // 2..2^16-2 bytes on the wire
  Bytes legacy_compression_methods{0};           // 1..2^8-1 bytes
  Extensions ext;
  /// Set by parse: bytes at the end of the body occupied by the PSK binders
  /// list (0 without pre_shared_key); see parse_extensions().
  size_t binders_length = 0;
};
/// Errors: decode_error for any malformed field (incl. odd cipher_suites
/// length, empty suites or compression list, session id > 32); TLS 1.3 rules
/// that depend on negotiation (compression must be exactly {0}) are checked by
/// the server state machine, not here.
Status parse(ByteView body, ClientHello& out);
/// binders_offset: as write_extensions().
void write(Writer& w, const ClientHello& m, size_t* binders_offset = nullptr);

/// §4.1.3 (and §4.1.4: a HelloRetryRequest is a ServerHello whose random is
/// kHelloRetryRequestRandom; parse() picks ExtContext::hello_retry_request
/// for its extensions in that case).
struct ServerHello {
  uint16_t legacy_version = 0x0303;
  std::array<uint8_t, 32> random{};
  Bytes legacy_session_id_echo;
  CipherSuite cipher_suite{};
  uint8_t legacy_compression_method = 0;
  Extensions ext;

  bool is_hello_retry_request() const { return random == kHelloRetryRequestRandom; }
};
/// The extension table is chosen from the message itself: a HelloRetryRequest
/// random → hello_retry_request; otherwise server_hello if a
/// supported_versions extension is present, else server_hello12. Semantic
/// checks (compression 0, version, echo of the session id) belong to the
/// client state machine.
Status parse(ByteView body, ServerHello& out);
void write(Writer& w, const ServerHello& m);

/// §4.3.1
struct EncryptedExtensions {
  Extensions ext;
};
Status parse(ByteView body, EncryptedExtensions& out);
void write(Writer& w, const EncryptedExtensions& m);

/// §4.3.2
struct CertificateRequest {
  Bytes certificate_request_context;  // 0..255
  Extensions ext;                     // signature_algorithms is required
};
/// Missing signature_algorithms → missing_extension (§4.3.2).
Status parse(ByteView body, CertificateRequest& out);
void write(Writer& w, const CertificateRequest& m);

/// §4.4.2
struct CertificateEntry {
  Bytes cert_data;  // DER X.509 (1..2^24-1)
  Extensions ext;   // status_request (OCSP response) etc.
};
struct Certificate {
  Bytes certificate_request_context;  // 0..255
  std::vector<CertificateEntry> certificate_list;
};
/// A zero-length cert_data is decode_error.
Status parse(ByteView body, Certificate& out);
void write(Writer& w, const Certificate& m);

/// §4.4.3
struct CertificateVerify {
  SignatureScheme algorithm{};
  Bytes signature;  // 0..2^16-1
};
Status parse(ByteView body, CertificateVerify& out);
void write(Writer& w, const CertificateVerify& m);

/// The content covered by a CertificateVerify signature (§4.4.3): 64 spaces,
/// the context string, a zero byte, the transcript hash.
Bytes certificate_verify_input(bool server, ByteView transcript_hash);

/// §4.4.4. The body is exactly Hash.length bytes; any other length is
/// decode_error.
struct Finished {
  Bytes verify_data;
};
Status parse(ByteView body, size_t hash_length, Finished& out);
void write(Writer& w, const Finished& m);

/// §4.6.1
struct NewSessionTicket {
  uint32_t ticket_lifetime = 0;  // seconds, ≤ 604800 (7 days)
  uint32_t ticket_age_add = 0;
  Bytes ticket_nonce;            // 0..255
  Bytes ticket;                  // 1..2^16-1
  Extensions ext;
};
/// lifetime > 604800 is illegal_parameter; empty ticket is decode_error.
Status parse(ByteView body, NewSessionTicket& out);
void write(Writer& w, const NewSessionTicket& m);

/// §4.6.3
struct KeyUpdate {
  bool update_requested = false;
};
/// A value other than 0 or 1 is illegal_parameter.
Status parse(ByteView body, KeyUpdate& out);
void write(Writer& w, const KeyUpdate& m);

/// Appends a message with its 4-byte handshake header (RFC 8446 §4: type,
/// then a 24-bit length patched afterwards) to `out`, writing the body in
/// place rather than building it apart and copying it behind the header.
/// False if a length field overflowed (`out` then holds a partial message).
template <class M>
bool write_framed(HandshakeType type, const M& m, Bytes& out) {
  Writer w(out);
  w.u8(static_cast<uint8_t>(type));
  w.prefixed24([&] { write(w, m); });
  return w.ok();
}

/// Convenience: serialize a message with its 4-byte handshake header.
template <class M>
Bytes framed(HandshakeType type, const M& m) {
  Bytes out;
  (void)write_framed(type, m, out);
  return out;
}

}  // namespace vouch
