#include "vouch/types.h"

#include <cstdio>
#include <string_view>

namespace vouch {
namespace {

std::string unknown(unsigned v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "unknown(0x%04x)", v);
  return buf;
}

struct SuiteName {
  CipherSuite id;
  const char* name;     // IANA
  const char* openssl;  // OpenSSL's name (what `openssl ciphers` prints)
};
constexpr SuiteName kSuites[] = {
    {CipherSuite::TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"},
    {CipherSuite::TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"},
    {CipherSuite::TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256"},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
     "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
     "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
     "ECDHE-RSA-AES128-GCM-SHA256"},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     "ECDHE-RSA-AES256-GCM-SHA384"},
    {CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     "ECDHE-RSA-CHACHA20-POLY1305"},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
     "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
     "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
};

struct GroupName {
  NamedGroup id;
  const char* name;
};
constexpr GroupName kGroups[] = {
    {NamedGroup::secp256r1, "secp256r1"}, {NamedGroup::secp384r1, "secp384r1"},
    {NamedGroup::secp521r1, "secp521r1"}, {NamedGroup::x25519, "x25519"},
    {NamedGroup::x448, "x448"},
};

struct SchemeName {
  SignatureScheme id;
  const char* name;
};
constexpr SchemeName kSchemes[] = {
    {SignatureScheme::rsa_pkcs1_sha256, "rsa_pkcs1_sha256"},
    {SignatureScheme::rsa_pkcs1_sha384, "rsa_pkcs1_sha384"},
    {SignatureScheme::rsa_pkcs1_sha512, "rsa_pkcs1_sha512"},
    {SignatureScheme::ecdsa_secp256r1_sha256, "ecdsa_secp256r1_sha256"},
    {SignatureScheme::ecdsa_secp384r1_sha384, "ecdsa_secp384r1_sha384"},
    {SignatureScheme::ecdsa_secp521r1_sha512, "ecdsa_secp521r1_sha512"},
    {SignatureScheme::rsa_pss_rsae_sha256, "rsa_pss_rsae_sha256"},
    {SignatureScheme::rsa_pss_rsae_sha384, "rsa_pss_rsae_sha384"},
    {SignatureScheme::rsa_pss_rsae_sha512, "rsa_pss_rsae_sha512"},
    {SignatureScheme::ed25519, "ed25519"},
    {SignatureScheme::ed448, "ed448"},
    {SignatureScheme::rsa_pss_pss_sha256, "rsa_pss_pss_sha256"},
    {SignatureScheme::rsa_pss_pss_sha384, "rsa_pss_pss_sha384"},
    {SignatureScheme::rsa_pss_pss_sha512, "rsa_pss_pss_sha512"},
    {SignatureScheme::rsa_pkcs1_sha1, "rsa_pkcs1_sha1"},
    {SignatureScheme::ecdsa_sha1, "ecdsa_sha1"},
};

}  // namespace

std::string to_string(CipherSuite s) {
  for (const auto& e : kSuites)
    if (e.id == s) return e.name;
  return unknown(static_cast<unsigned>(s));
}

std::string to_string(NamedGroup g) {
  for (const auto& e : kGroups)
    if (e.id == g) return e.name;
  return unknown(static_cast<unsigned>(g));
}

std::string to_string(SignatureScheme s) {
  for (const auto& e : kSchemes)
    if (e.id == s) return e.name;
  return unknown(static_cast<unsigned>(s));
}

std::string to_string(ProtocolVersion v) {
  switch (v) {
    case ProtocolVersion::tls12: return "TLSv1.2";
    case ProtocolVersion::tls13: return "TLSv1.3";
  }
  return unknown(static_cast<unsigned>(v));
}

bool parse_cipher_suite(std::string_view name, CipherSuite& out) {
  for (const auto& e : kSuites)
    if (name == e.name || name == e.openssl) {
      out = e.id;
      return true;
    }
  return false;
}

std::string openssl_name(CipherSuite s) {
  for (const auto& e : kSuites)
    if (e.id == s) return e.openssl;
  return unknown(static_cast<unsigned>(s));
}

bool is_tls12_suite(CipherSuite s) {
  switch (s) {
    case CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
    case CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
    case CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
    case CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
    case CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
    case CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: return true;
    default: return false;
  }
}

bool is_tls13_suite(CipherSuite s) {
  return s == CipherSuite::TLS_AES_128_GCM_SHA256 || s == CipherSuite::TLS_AES_256_GCM_SHA384 ||
         s == CipherSuite::TLS_CHACHA20_POLY1305_SHA256;
}

bool parse_protocol_version(std::string_view name, ProtocolVersion& out) {
  if (name == "TLSv1.2" || name == "tls1.2" || name == "1.2") return (out = ProtocolVersion::tls12), true;
  if (name == "TLSv1.3" || name == "tls1.3" || name == "1.3") return (out = ProtocolVersion::tls13), true;
  return false;
}

bool parse_named_group(std::string_view name, NamedGroup& out) {
  for (const auto& e : kGroups)
    if (name == e.name) {
      out = e.id;
      return true;
    }
  // OpenSSL's aliases, so command lines read the same as s_client's.
  if (name == "P-256" || name == "prime256v1") return (out = NamedGroup::secp256r1), true;
  if (name == "P-384") return (out = NamedGroup::secp384r1), true;
  if (name == "X25519") return (out = NamedGroup::x25519), true;
  return false;
}

}  // namespace vouch
