// The BoGo shim's flag parser (see flags.h).
#include "flags.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <string_view>

namespace vouch_bogo {

namespace {

using BoolFlag = bool TestConfig::*;
using IntFlag = int TestConfig::*;
using StringFlag = std::string TestConfig::*;
using OptionalStringFlag = std::optional<std::string> TestConfig::*;
using Base64Flag = std::optional<vouch::Bytes> TestConfig::*;
using IntListFlag = std::vector<int> TestConfig::*;

// Flags without a value.
const std::map<std::string_view, BoolFlag> kBoolFlags = {
    {"-ipv6", &TestConfig::ipv6},
    {"-server", &TestConfig::is_server},
    {"-async", &TestConfig::async},
    {"-implicit-handshake", &TestConfig::implicit_handshake},
    {"-verify-peer", &TestConfig::verify_peer},
    {"-require-any-client-certificate", &TestConfig::require_any_client_certificate},
    {"-use-custom-verify-callback", &TestConfig::use_custom_verify_callback},
    {"-verify-fail", &TestConfig::verify_fail},
    {"-expect-verify-result", &TestConfig::expect_verify_result},
    {"-reverify-on-resume", &TestConfig::reverify_on_resume},
    {"-use-old-client-cert-callback", &TestConfig::use_old_client_cert_callback},
    {"-enable-ocsp-stapling", &TestConfig::enable_ocsp_stapling},
    {"-use-ocsp-callback", &TestConfig::use_ocsp_callback},
    {"-set-ocsp-in-callback", &TestConfig::set_ocsp_in_callback},
    {"-decline-ocsp-callback", &TestConfig::decline_ocsp_callback},
    {"-fail-ocsp-callback", &TestConfig::fail_ocsp_callback},
    {"-no-tls13", &TestConfig::no_tls13},
    {"-no-tls12", &TestConfig::no_tls12},
    {"-no-tls11", &TestConfig::no_tls11},
    {"-no-tls1", &TestConfig::no_tls1},
    {"-expect-no-alpn", &TestConfig::expect_no_alpn},
    {"-no-ticket", &TestConfig::no_ticket},
    {"-expect-extended-master-secret", &TestConfig::expect_extended_master_secret},
    {"-expect-session-miss", &TestConfig::expect_session_miss},
    {"-expect-no-session", &TestConfig::expect_no_session},
    {"-renegotiate-never", &TestConfig::renegotiate_never},
    {"-renegotiate-once", &TestConfig::renegotiate_once},
    {"-renegotiate-freely", &TestConfig::renegotiate_freely},
    {"-fail-cert-callback", &TestConfig::fail_cert_callback},
    {"-shim-writes-first", &TestConfig::shim_writes_first},
    {"-shim-shuts-down", &TestConfig::shim_shuts_down},
    {"-check-close-notify", &TestConfig::check_close_notify},
    {"-key-update-before-read", &TestConfig::key_update_before_read},
    {"-use-export-context", &TestConfig::use_export_context},
};

// Flags with a decimal integer.
const std::map<std::string_view, IntFlag> kIntFlags = {
    {"-port", &TestConfig::port},
    {"-resume-count", &TestConfig::resume_count},
    {"-min-version", &TestConfig::min_version},
    {"-max-version", &TestConfig::max_version},
    {"-expect-version", &TestConfig::expect_version},
    {"-expect-curve-id", &TestConfig::expect_curve_id},
    {"-expect-peer-signature-algorithm", &TestConfig::expect_peer_signature_algorithm},
    {"-read-size", &TestConfig::read_size},
    {"-export-keying-material", &TestConfig::export_keying_material},
};

const std::map<std::string_view, StringFlag> kStringFlags = {
    {"-cert-file", &TestConfig::cert_file},
    {"-key-file", &TestConfig::key_file},
    {"-trust-cert", &TestConfig::trust_cert},
    {"-expect-peer-cert-file", &TestConfig::expect_peer_cert_file},
    {"-host-name", &TestConfig::host_name},
    {"-expect-server-name", &TestConfig::expect_server_name},
    {"-advertise-alpn", &TestConfig::advertise_alpn},
    {"-select-alpn", &TestConfig::select_alpn},
    {"-expect-alpn", &TestConfig::expect_alpn},
    {"-export-label", &TestConfig::export_label},
    {"-export-context", &TestConfig::export_context},
};

const std::map<std::string_view, OptionalStringFlag> kOptionalStringFlags = {
    {"-use-client-ca-list", &TestConfig::use_client_ca_list},
    {"-expect-client-ca-list", &TestConfig::expect_client_ca_list},
};

const std::map<std::string_view, Base64Flag> kBase64Flags = {
    {"-ocsp-response", &TestConfig::ocsp_response},
    {"-expect-ocsp-response", &TestConfig::expect_ocsp_response},
    {"-expect-certificate-types", &TestConfig::expect_certificate_types},
};

// Flags repeated once per value.
const std::map<std::string_view, IntListFlag> kIntListFlags = {
    {"-expect-peer-verify-pref", &TestConfig::expect_peer_verify_prefs},
    {"-signing-prefs", &TestConfig::signing_prefs},
    {"-verify-prefs", &TestConfig::verify_prefs},
    {"-curves", &TestConfig::curves},
};

bool parse_int(const std::string& s, long long min, long long max, long long& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end == nullptr || *end != '\0' || v < min || v > max) return false;
  out = v;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Applies one flag (name without its -on-... prefix) to `configs`.
// Returns 0 when applied, 1 for an unknown flag, 2 for a bad value.
int apply(std::string_view name, const char* value, std::vector<TestConfig*>& configs, bool& used_value) {
  used_value = false;
  if (auto it = kBoolFlags.find(name); it != kBoolFlags.end()) {
    for (TestConfig* c : configs) c->*(it->second) = true;
    return 0;
  }
  // Every other flag takes one value.
  if (kIntFlags.count(name) || kStringFlags.count(name) || kOptionalStringFlags.count(name) ||
      kBase64Flags.count(name) || kIntListFlags.count(name) || name == "-shim-id") {
    if (value == nullptr) return 2;
    used_value = true;
  } else {
    return 1;
  }
  const std::string v(value);
  if (name == "-shim-id") {
    errno = 0;
    char* end = nullptr;
    const unsigned long long id = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || errno != 0 || *end != '\0') return 2;
    for (TestConfig* c : configs) c->shim_id = id;
    return 0;
  }
  if (auto it = kIntFlags.find(name); it != kIntFlags.end()) {
    long long n = 0;
    if (!parse_int(v, INT_MIN, INT_MAX, n)) return 2;
    for (TestConfig* c : configs) c->*(it->second) = static_cast<int>(n);
    return 0;
  }
  if (auto it = kStringFlags.find(name); it != kStringFlags.end()) {
    for (TestConfig* c : configs) c->*(it->second) = v;
    return 0;
  }
  if (auto it = kOptionalStringFlags.find(name); it != kOptionalStringFlags.end()) {
    for (TestConfig* c : configs) c->*(it->second) = v;
    return 0;
  }
  if (auto it = kBase64Flags.find(name); it != kBase64Flags.end()) {
    vouch::Bytes bytes;
    if (!decode_base64(v, bytes)) return 2;
    for (TestConfig* c : configs) c->*(it->second) = bytes;
    return 0;
  }
  if (auto it = kIntListFlags.find(name); it != kIntListFlags.end()) {
    long long n = 0;
    if (!parse_int(v, INT_MIN, INT_MAX, n)) return 2;
    for (TestConfig* c : configs) (c->*(it->second)).push_back(static_cast<int>(n));
    return 0;
  }
  return 1;
}

}  // namespace

bool decode_base64(const std::string& in, vouch::Bytes& out) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out.clear();
  if (in.size() % 4 != 0) return false;
  for (size_t i = 0; i < in.size(); i += 4) {
    uint32_t group = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = in[i + j];
      uint32_t v = 0;
      if (c == '=') {
        // Padding only at the end of the last group, at most two.
        if (i + 4 != in.size() || j < 2) return false;
        ++pad;
      } else {
        if (pad > 0) return false;
        const size_t pos = kAlphabet.find(c);
        if (pos == std::string_view::npos) return false;
        v = static_cast<uint32_t>(pos);
      }
      group = (group << 6) | v;
    }
    out.push_back(static_cast<uint8_t>(group >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>(group >> 8));
    if (pad < 1) out.push_back(static_cast<uint8_t>(group));
  }
  return true;
}

bool decode_ca_list(const std::string& in, std::vector<vouch::Bytes>& out) {
  out.clear();
  if (in == "<NULL>" || in == "<EMPTY>" || in.empty()) return true;
  size_t start = 0;
  for (;;) {
    const size_t comma = in.find(',', start);
    const std::string item = in.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.size() % 2 != 0) return false;
    vouch::Bytes name;
    for (size_t i = 0; i < item.size(); i += 2) {
      const int hi = hex_value(item[i]);
      const int lo = hex_value(item[i + 1]);
      if (hi < 0 || lo < 0) return false;
      name.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
    out.push_back(std::move(name));
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

bool parse_flags(int argc, char** argv, TestConfigs& out, std::string& error, bool& unimplemented) {
  unimplemented = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    std::vector<TestConfig*> targets = {&out.initial, &out.resume, &out.retry};
    std::string name(arg);
    struct Prefix {
      std::string_view text;
      TestConfig* config;
    };
    for (const Prefix& p : {Prefix{"-on-initial-", &out.initial}, Prefix{"-on-resume-", &out.resume},
                            Prefix{"-on-retry-", &out.retry}}) {
      if (arg.substr(0, p.text.size()) == p.text) {
        name = "-" + std::string(arg.substr(p.text.size()));
        targets = {p.config};
        break;
      }
    }
    bool used_value = false;
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    switch (apply(name, value, targets, used_value)) {
      case 0:
        if (used_value) ++i;
        break;
      case 1:
        error = "unknown flag " + std::string(arg);
        unimplemented = true;
        return false;
      default:
        error = "bad value for " + std::string(arg);
        return false;
    }
  }
  return true;
}

}  // namespace vouch_bogo
