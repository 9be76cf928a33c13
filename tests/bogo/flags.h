// The BoGo shim's command line: the flags BoringSSL's runner passes
// (../shared/bogo/README.md; their meaning is BoringSSL's
// ssl/test/test_config.cc), parsed into one TestConfig per connection.
//
// A flag may carry a prefix that limits it to one connection: -on-initial-
// (the first), -on-resume- (every resumption, -resume-count N), -on-retry-
// (a 0-RTT retry, which vouch never makes). A flag the shim does not know
// makes parse_flags fail: the shim then exits with 89, which the runner
// counts as "unimplemented" rather than as a failure (PORTING.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vouch/types.h"

namespace vouch_bogo {

struct TestConfig {
  // ---- connection to the runner -------------------------------------------
  int port = 0;
  uint64_t shim_id = 0;
  bool ipv6 = false;
  bool is_server = false;
  int resume_count = 0;

  // ---- how the shim drives vouch ------------------------------------------
  /// Feed the connection one byte at a time and let every application
  /// callback answer later (Wait + resume): the client certificate selector,
  /// the private key (an external signer), the server's credential source and
  /// its OCSP staple hook.
  bool async = false;
  /// No explicit handshake: the first read or write drives it (vouch has no
  /// separate handshake call; the shim simply starts with the exchange).
  bool implicit_handshake = false;

  // ---- credentials and verification ---------------------------------------
  std::string cert_file;
  std::string key_file;
  std::string trust_cert;
  /// Client: fail the handshake when the server's chain does not verify
  /// (without it BoringSSL's client verifies "soft": it records the result
  /// and goes on). Server: ask for a client certificate (optional).
  bool verify_peer = false;
  /// Server: ask for a client certificate and require one.
  bool require_any_client_certificate = false;
  /// Decide in the application's own check (ServerConfig::
  /// client_certificate_check, a client RevocationProvider) instead of
  /// libcrypto's per-certificate callback.
  bool use_custom_verify_callback = false;
  /// The verification callback refuses the peer.
  bool verify_fail = false;
  /// Check the recorded verification result after the handshake.
  bool expect_verify_result = false;
  bool reverify_on_resume = false;
  std::string expect_peer_cert_file;

  // ---- client certificates ------------------------------------------------
  /// Client: answer the CertificateRequest from a selector that answers at
  /// once with the configured credential (BoringSSL's legacy client_cert_cb).
  bool use_old_client_cert_callback = false;
  /// Server: the CA names to send: comma-separated hex DER names, "<NULL>"
  /// or "<EMPTY>" (no names). Unset: vouch's default (the trust anchors).
  std::optional<std::string> use_client_ca_list;
  /// Client: the CA names the CertificateRequest must carry (same syntax).
  std::optional<std::string> expect_client_ca_list;
  std::optional<vouch::Bytes> expect_certificate_types;
  std::vector<int> expect_peer_verify_prefs;

  // ---- OCSP stapling ------------------------------------------------------
  bool enable_ocsp_stapling = false;
  std::optional<vouch::Bytes> ocsp_response;
  std::optional<vouch::Bytes> expect_ocsp_response;
  bool use_ocsp_callback = false;
  bool set_ocsp_in_callback = false;
  bool decline_ocsp_callback = false;
  bool fail_ocsp_callback = false;

  // ---- negotiation --------------------------------------------------------
  int min_version = 0;
  int max_version = 0;
  int expect_version = 0;
  bool no_tls13 = false;
  bool no_tls12 = false;
  bool no_tls11 = false;
  bool no_tls1 = false;
  std::vector<int> signing_prefs;
  std::vector<int> verify_prefs;
  std::vector<int> curves;
  int expect_curve_id = 0;
  int expect_peer_signature_algorithm = 0;
  std::string host_name;
  std::string expect_server_name;
  std::string advertise_alpn;  // wire format: length-prefixed names
  std::string select_alpn;
  std::string expect_alpn;
  bool expect_no_alpn = false;
  bool no_ticket = false;
  bool expect_extended_master_secret = false;
  bool expect_session_miss = false;
  bool expect_no_session = false;
  bool renegotiate_never = false;
  bool renegotiate_once = false;
  bool renegotiate_freely = false;
  bool fail_cert_callback = false;

  // ---- the exchange after the handshake ----------------------------------
  bool shim_writes_first = false;
  bool shim_shuts_down = false;
  bool check_close_notify = false;
  int read_size = 0;
  bool key_update_before_read = false;
  int export_keying_material = 0;
  std::string export_label;
  std::string export_context;
  bool use_export_context = false;
};

/// The configuration of each connection: initial (the first), resume (the
/// -resume-count later ones), retry (0-RTT retries; parsed, never used).
struct TestConfigs {
  TestConfig initial;
  TestConfig resume;
  TestConfig retry;
};

/// Parses argv[1..]. On an unknown flag or a malformed value returns false
/// and says why in `error`; `unimplemented` is then true when the flag is
/// one the shim does not know (exit 89), false for a bad value (exit 1).
bool parse_flags(int argc, char** argv, TestConfigs& out, std::string& error, bool& unimplemented);

/// Decodes base64 (RFC 4648, with padding); false on anything else.
bool decode_base64(const std::string& in, vouch::Bytes& out);

/// Decodes a CA list flag value: comma-separated hex DER names; "<NULL>" and
/// "<EMPTY>" are the empty list. False on bad hex.
bool decode_ca_list(const std::string& in, std::vector<vouch::Bytes>& out);

}  // namespace vouch_bogo
