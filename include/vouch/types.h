// vouch — protocol identifiers shared by the native API and the internals.
//
// These are enum classes with the IANA code points as values. Parsing may
// store a value that has no enumerator (an unknown suite the peer offered);
// that is well-defined for enums with a fixed underlying type.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/export.h"

namespace vouch {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

/// TLS versions (RFC 8446 §4.2.1).
enum class ProtocolVersion : uint16_t {
  tls12 = 0x0303,
  tls13 = 0x0304,
};

/// Cipher suites. TLS 1.3 suites (RFC 8446 §B.4); TLS 1.2 ECDHE suites
/// (RFC 8422, RFC 5288, RFC 7905) are listed for the 1.2 implementation.
enum class CipherSuite : uint16_t {
  TLS_AES_128_GCM_SHA256 = 0x1301,
  TLS_AES_256_GCM_SHA384 = 0x1302,
  TLS_CHACHA20_POLY1305_SHA256 = 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xC02C,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xC02F,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xC030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA9,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00FF,
};

/// Key exchange groups (RFC 8446 §4.2.7).
enum class NamedGroup : uint16_t {
  secp256r1 = 0x0017,
  secp384r1 = 0x0018,
  secp521r1 = 0x0019,
  x25519 = 0x001D,
  x448 = 0x001E,
};

/// Signature schemes (RFC 8446 §4.2.3).
enum class SignatureScheme : uint16_t {
  rsa_pkcs1_sha256 = 0x0401,
  rsa_pkcs1_sha384 = 0x0501,
  rsa_pkcs1_sha512 = 0x0601,
  ecdsa_secp256r1_sha256 = 0x0403,
  ecdsa_secp384r1_sha384 = 0x0503,
  ecdsa_secp521r1_sha512 = 0x0603,
  rsa_pss_rsae_sha256 = 0x0804,
  rsa_pss_rsae_sha384 = 0x0805,
  rsa_pss_rsae_sha512 = 0x0806,
  ed25519 = 0x0807,
  ed448 = 0x0808,
  rsa_pss_pss_sha256 = 0x0809,
  rsa_pss_pss_sha384 = 0x080A,
  rsa_pss_pss_sha512 = 0x080B,
  rsa_pkcs1_sha1 = 0x0201,
  ecdsa_sha1 = 0x0203,
};

/// IANA name, e.g. "TLS_AES_128_GCM_SHA256"; "unknown(0x1234)" otherwise.
VOUCH_EXPORT std::string to_string(CipherSuite s);
/// IANA name, e.g. "x25519", "secp256r1"; "unknown(0x..)" otherwise.
VOUCH_EXPORT std::string to_string(NamedGroup g);
/// IANA name, e.g. "ecdsa_secp256r1_sha256"; "unknown(0x..)" otherwise.
VOUCH_EXPORT std::string to_string(SignatureScheme s);
/// "TLSv1.3", "TLSv1.2" (the strings OpenSSL prints), "unknown(0x..)" otherwise.
VOUCH_EXPORT std::string to_string(ProtocolVersion v);

/// OpenSSL's name of a suite, e.g. "ECDHE-ECDSA-AES128-GCM-SHA256" (TLS 1.3
/// suites keep their IANA names, as in OpenSSL); "unknown(0x..)" otherwise.
VOUCH_EXPORT std::string openssl_name(CipherSuite s);
/// True for the TLS 1.2 suites vouch implements (ECDHE + AEAD).
VOUCH_EXPORT bool is_tls12_suite(CipherSuite s);
/// True for the TLS 1.3 suites vouch implements.
VOUCH_EXPORT bool is_tls13_suite(CipherSuite s);

/// Parses the names printed by to_string(); suites also by their OpenSSL
/// names ("ECDHE-RSA-AES256-GCM-SHA384"); false if unknown.
VOUCH_EXPORT bool parse_cipher_suite(std::string_view name, CipherSuite& out);
/// "TLSv1.2"/"TLSv1.3" (also "1.2", "tls1.2", ...); false otherwise.
VOUCH_EXPORT bool parse_protocol_version(std::string_view name, ProtocolVersion& out);
VOUCH_EXPORT bool parse_named_group(std::string_view name, NamedGroup& out);

}  // namespace vouch
