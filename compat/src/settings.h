// What an SSL_CTX hands to each SSL it creates: libssl copies these at
// SSL_new (later changes to the context do not reach existing SSL objects),
// and an SSL may then change its own copy (SSL_set_verify, SSL_use_certificate,
// SSL_set_options ...).
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "internal/compat_seam.h"
#include "vouch/types.h"

namespace vouch::compat {

/// The certificate and key of one SSL / SSL_CTX (libssl's CERT for one key
/// type), and the chain that goes with them when it was loaded from a chain
/// file. Holds one reference on each object.
struct CertSlot {
  ossl::X509Ptr cert;
  ossl::EvpPkey key;
  std::vector<ossl::X509Ptr> chain;

  /// A copy holding its own references.
  CertSlot copy() const;
};

/// libssl keeps one certificate/key slot per key type (RSA, RSA-PSS, EC,
/// Ed25519, Ed448), so a server can hold an RSA and an ECDSA certificate at
/// once; the slot set last is the current one (SSL_get_certificate,
/// SSL_CTX_check_private_key).
struct CertSet {
  static constexpr size_t kSlots = 5;
  std::array<CertSlot, kSlots> slots;
  int current = -1;

  CertSlot* current_slot() { return current < 0 ? nullptr : &slots[static_cast<size_t>(current)]; }
  const CertSlot* current_slot() const {
    return current < 0 ? nullptr : &slots[static_cast<size_t>(current)];
  }
  CertSet copy() const;
};

/// The slot for a key of this type, or -1 for a type libssl has no slot for.
int slot_for(const EVP_PKEY* key);

struct Settings {
  uint64_t options = 0;
  uint32_t mode = 0;
  int verify_mode = SSL_VERIFY_NONE;
  int verify_depth = -1;  // -1: libcrypto's default (100)
  SSL_verify_cb verify_callback = nullptr;
  /// SSL_set1_host: the name the peer's certificate must match; empty = no
  /// name is checked (libssl's default, even with SNI set).
  std::string verify_host;
  int min_version = 0;  // 0: the lowest supported
  int max_version = 0;  // 0: the highest supported
  std::vector<CipherSuite> cipher_suites;
  /// SSL_CTX_set_cipher_list: the TLS 1.2 suites vouch implements, in the
  /// order libssl's cipher string gives them (libssl's DEFAULT order).
  std::vector<CipherSuite> cipher_suites12;
  /// An SSL's: SSL_set_ciphersuites or SSL_set_cipher_list gave it suite
  /// lists of its own. Until then its handshakes use its context's lists
  /// as they are at that moment, as libssl's (an SSL has no cipher list of
  /// its own until one is set, and reads its context's): a change on the
  /// context after SSL_new reaches it.
  bool own_cipher_lists = false;
  std::vector<NamedGroup> groups;
  /// SSL_CTX_set_session_id_context / SSL_set_session_id_context: a server
  /// resumes only sessions made under the same context (at most 32 bytes).
  std::string session_id_context;
  CertSet certs;
  /// SSL_CTX_set_num_tickets: TLS 1.3 tickets a server sends (libssl: 2).
  size_t num_tickets = 2;
  /// SSL_CTX_set_post_handshake_auth: a client offers post_handshake_auth.
  bool post_handshake_auth = false;
  /// SSL_CTX_set_alpn_protos / SSL_set_alpn_protos: the protocols a client
  /// offers (RFC 7301), in order; empty offers none.
  std::vector<std::string> alpn;

  /// A fresh context's settings (libssl's defaults: middlebox compatibility
  /// on, auto-retry mode, its default TLS 1.3 suite and group order).
  static Settings defaults();
  /// The settings SSL_new gives an SSL: a copy holding its own references,
  /// without the cipher lists unless these settings own them (an SSL reads
  /// its context's until it has its own).
  Settings copy() const;
};

/// Parses SSL_CTX_set_ciphersuites' colon-separated IANA names. Names that
/// are not TLS 1.3 suites vouch knows are skipped, as libssl skips unknown
/// names and empty elements; an empty string gives an empty list. False
/// (`out` untouched) when a non-empty list names no TLS 1.3 suite at all,
/// which libssl refuses with "no cipher match".
bool parse_ciphersuites(std::string_view text, std::vector<CipherSuite>& out);

/// Parses SSL_CTX_set1_groups_list's colon-separated names (OpenSSL's
/// spellings: X25519, P-256, prime256v1, secp384r1 ...). Groups libssl knows
/// but vouch does not implement (X448, P-521, ffdhe*) are skipped; an unknown
/// name or an empty result is an error, as in libssl.
bool parse_groups(std::string_view text, std::vector<NamedGroup>& out);

/// True for the values SSL_CTX_set_min/max_proto_version accept (0 or an SSL
/// 3.0 ... TLS 1.3 version number).
bool valid_proto_version(long version);

/// Checks an OpenSSL cipher string for TLS 1.2 and older
/// (SSL_CTX_set_cipher_list): true when at least one element names ciphers
/// libssl knows (a cipher name, an alias such as DEFAULT, HIGH, ECDHE, or a
/// combination of them with +).
bool cipher_list_matches(std::string_view text);

/// The TLS 1.2 suites vouch implements that an OpenSSL cipher string
/// selects, in the order libssl's rules give them (ciphers(1): elements
/// add at the end, '-' removes, '!' removes for good, '+' moves to the end,
/// @STRENGTH sorts by key length; libssl's default order to start from).
/// False when cipher_list_matches says libssl refuses the string — `out`
/// is set all the same, as libssl keeps the list it made (with no TLS 1.2
/// suite in it then); a string that selects only ciphers vouch does not
/// implement (CBC, static RSA, DHE) gives an empty list.
bool parse_cipher_list(std::string_view text, std::vector<CipherSuite>& out);

}  // namespace vouch::compat
