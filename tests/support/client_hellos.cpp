#include "support/client_hellos.h"

#include "base/writer.h"

namespace vouch::testing {

ClientHello minimal_client_hello12(uint8_t random_fill) {
  ClientHello ch;
  ch.random.fill(random_fill);
  ch.cipher_suites = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  ch.ext.server_name = "localhost";
  ch.ext.supported_groups = std::vector<NamedGroup>{NamedGroup::x25519, NamedGroup::secp256r1};
  ch.ext.signature_algorithms = std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256};
  ch.ext.ec_point_formats = std::vector<uint8_t>{0};
  ch.ext.extended_master_secret = true;
  ch.ext.renegotiation_info = Bytes{};
  return ch;
}

Bytes with_raw_extension(const ClientHello& ch, uint16_t type, const Bytes& body, ExtensionPosition where) {
  Bytes m;
  Writer w(m);
  write(w, ch);
  // RFC 5246 §7.4.1.2 / RFC 8446 §4.1.2: legacy_version and random, then
  // three length-prefixed fields; the extensions block's length follows.
  size_t at = 2 + 32;
  at += 1 + m.at(at);                                   // legacy_session_id
  at += 2 + ((size_t{m.at(at)} << 8) | m.at(at + 1));  // cipher_suites
  at += 1 + m.at(at);                                   // legacy_compression_methods
  const size_t block = ((size_t{m.at(at)} << 8) | m.at(at + 1)) + 4 + body.size();
  m[at] = static_cast<uint8_t>(block >> 8);
  m[at + 1] = static_cast<uint8_t>(block);
  Bytes ext = {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), static_cast<uint8_t>(body.size() >> 8),
               static_cast<uint8_t>(body.size())};
  ext.insert(ext.end(), body.begin(), body.end());
  const size_t insert_at = where == ExtensionPosition::first ? at + 2 : m.size();
  m.insert(m.begin() + static_cast<std::ptrdiff_t>(insert_at), ext.begin(), ext.end());
  Bytes out;
  frame_handshake(HandshakeType::client_hello, m, out);
  return out;
}

}  // namespace vouch::testing
