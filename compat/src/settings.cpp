#include "settings.h"

#include <strings.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <string>

namespace vouch::compat {
namespace {

// Splits "a:b:c"; false when an element is empty ("a::b", ":a", "a:").
// Splits "a:b:c". An empty element makes the list malformed, unless
// `skip_empty` (libssl's TLS 1.3 suite lists skip them).
bool split_list(std::string_view text, std::vector<std::string_view>& out, bool skip_empty = false) {
  out.clear();
  if (text.empty()) return true;
  size_t start = 0;
  for (;;) {
    const size_t colon = text.find(':', start);
    const std::string_view item =
        text.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    if (!item.empty()) {
      out.push_back(item);
    } else if (!skip_empty) {
      return false;
    }
    if (colon == std::string_view::npos) return true;
    start = colon + 1;
  }
}

bool equal_nocase(std::string_view a, const char* b) {
  const std::string copy(a);
  return strcasecmp(copy.c_str(), b) == 0;
}

// OpenSSL's spellings of the groups vouch implements (RFC 8446 §4.2.7).
struct GroupSpelling {
  const char* name;
  NamedGroup group;
};
constexpr GroupSpelling kGroups[] = {
    {"X25519", NamedGroup::x25519},       {"x25519", NamedGroup::x25519},
    {"P-256", NamedGroup::secp256r1},     {"prime256v1", NamedGroup::secp256r1},
    {"secp256r1", NamedGroup::secp256r1}, {"P-384", NamedGroup::secp384r1},
    {"secp384r1", NamedGroup::secp384r1},
};

// Groups libssl accepts that vouch has no key exchange for: skipped, so a
// list naming them still configures the rest.
constexpr const char* kUnimplementedGroups[] = {
    "X448",      "P-521",     "secp521r1", "ffdhe2048", "ffdhe3072",
    "ffdhe4096", "ffdhe6144", "ffdhe8192",
};

}  // namespace

CertSlot CertSlot::copy() const {
  CertSlot c;
  c.cert = ossl::up_ref(cert.get());
  c.key = ossl::up_ref(key.get());
  for (const auto& x : chain) c.chain.push_back(ossl::up_ref(x.get()));
  return c;
}

CertSet CertSet::copy() const {
  CertSet c;
  for (size_t i = 0; i < kSlots; ++i) c.slots[i] = slots[i].copy();
  c.current = current;
  return c;
}

int slot_for(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return 0;
    case EVP_PKEY_RSA_PSS: return 1;
    case EVP_PKEY_EC: return 2;
    case EVP_PKEY_ED25519: return 3;
    case EVP_PKEY_ED448: return 4;
    default: return -1;
  }
}

Settings Settings::defaults() {
  Settings s;
  // libssl 3.0's SSL_CTX_new: no compression, middlebox compatibility mode
  // (RFC 8446 §D.4) on; auto-retry is the default mode since 1.1.1.
  s.options = SSL_OP_NO_COMPRESSION | SSL_OP_ENABLE_MIDDLEBOX_COMPAT;
  s.mode = SSL_MODE_AUTO_RETRY;
  // libssl's default TLS 1.3 suite order.
  s.cipher_suites = {CipherSuite::TLS_AES_256_GCM_SHA384, CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                     CipherSuite::TLS_AES_128_GCM_SHA256};
  // libssl's default group order, less the groups vouch does not implement.
  s.groups = {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};
  // libssl's DEFAULT cipher string, less what vouch does not implement.
  (void)parse_cipher_list("DEFAULT", s.cipher_suites12);
  return s;
}

Settings Settings::copy() const {
  Settings s;
  s.options = options;
  s.mode = mode;
  s.verify_mode = verify_mode;
  s.verify_depth = verify_depth;
  s.verify_callback = verify_callback;
  s.verify_host = verify_host;
  s.min_version = min_version;
  s.max_version = max_version;
  // Lists an SSL does not own are its context's, read at each handshake
  // (config.cpp): copying them would only be paid for on every SSL_new.
  if (own_cipher_lists) {
    s.cipher_suites = cipher_suites;
    s.cipher_suites12 = cipher_suites12;
  }
  s.own_cipher_lists = own_cipher_lists;
  s.groups = groups;
  s.session_id_context = session_id_context;
  s.certs = certs.copy();
  s.num_tickets = num_tickets;
  s.post_handshake_auth = post_handshake_auth;
  s.alpn = alpn;
  return s;
}

bool parse_ciphersuites(std::string_view text, std::vector<CipherSuite>& out) {
  std::vector<std::string_view> names;
  (void)split_list(text, names, /*skip_empty=*/true);
  std::vector<CipherSuite> suites;
  for (std::string_view n : names) {
    CipherSuite s;
    if (!parse_cipher_suite(n, s) || !is_tls13_suite(s)) continue;
    bool seen = false;
    for (CipherSuite t : suites) seen = seen || t == s;
    if (!seen) suites.push_back(s);
  }
  // libssl skips names it does not know, but a list naming no TLS 1.3 suite
  // at all is refused (an empty one clears the suites).
  if (!names.empty() && suites.empty()) return false;
  out = std::move(suites);
  return true;
}

bool parse_groups(std::string_view text, std::vector<NamedGroup>& out) {
  std::vector<std::string_view> names;
  if (!split_list(text, names) || names.empty()) return false;
  std::vector<NamedGroup> groups;
  for (std::string_view n : names) {
    const GroupSpelling* found = nullptr;
    for (const auto& g : kGroups)
      if (equal_nocase(n, g.name)) found = &g;
    if (found == nullptr) {
      bool known = false;
      for (const char* u : kUnimplementedGroups) known = known || equal_nocase(n, u);
      if (!known) return false;
      continue;
    }
    bool seen = false;
    for (NamedGroup g : groups) seen = seen || g == found->group;
    if (!seen) groups.push_back(found->group);
  }
  if (groups.empty()) return false;
  out = std::move(groups);
  return true;
}

bool valid_proto_version(long version) {
  return version == 0 || version == SSL3_VERSION || version == TLS1_VERSION ||
         version == TLS1_1_VERSION || version == TLS1_2_VERSION || version == TLS1_3_VERSION;
}

}  // namespace vouch::compat

namespace vouch::compat {
namespace {

// The aliases of OpenSSL 3.0's cipher-string language (ciphers(1)) that
// select TLS 1.2-and-older ciphers its default provider has.
constexpr const char* kCipherAliases[] = {
    "ALL",      "DEFAULT",  "COMPLEMENTOFALL", "HIGH",      "MEDIUM",   "kRSA",     "RSA",
    "aRSA",     "kEDH",     "kDHE",            "EDH",       "DHE",      "kECDHE",   "kEECDH",
    "ECDHE",    "EECDH",    "aECDSA",          "ECDSA",     "aDSS",     "DSS",      "aNULL",
    "eNULL",    "NULL",     "ADH",             "AECDH",     "AES",      "AES128",   "AES256",
    "AESGCM",   "AESCCM",   "AESCCM8",         "CHACHA20",  "CAMELLIA", "CAMELLIA128",
    "CAMELLIA256", "ARIA",  "ARIAGCM",         "ARIA128",   "ARIA256",  "SHA1",     "SHA",
    "SHA256",   "SHA384",   "TLSv1",           "TLSv1.0",   "TLSv1.2",  "SSLv3",    "PSK",
    "kPSK",     "aPSK",     "ECDHEPSK",        "DHEPSK",    "RSAPSK",   "kECDHEPSK", "kDHEPSK",
    "kRSAPSK",  "SRP",      "kSRP",            "aSRP",      "FIPS",
};

// OpenSSL's names of the common TLS 1.2 suites.
constexpr const char* kCipherNames[] = {
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", "DHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-SHA384",     "ECDHE-RSA-AES256-SHA384",     "DHE-RSA-AES256-SHA256",
    "ECDHE-ECDSA-AES128-SHA256",     "ECDHE-RSA-AES128-SHA256",     "DHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES256-SHA",        "ECDHE-RSA-AES256-SHA",        "DHE-RSA-AES256-SHA",
    "ECDHE-ECDSA-AES128-SHA",        "ECDHE-RSA-AES128-SHA",        "DHE-RSA-AES128-SHA",
    "AES256-GCM-SHA384",             "AES128-GCM-SHA256",           "AES256-SHA256",
    "AES128-SHA256",                 "AES256-SHA",                  "AES128-SHA",
};

// The pieces of `text` between any of the `separators` (OpenSSL's cipher
// strings: elements split on ':', ' ', ',' or ';', words joined by '+');
// empty pieces included.
std::vector<std::string_view> split_any(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(separators, start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool known_cipher_word(std::string_view w) {
  for (const char* a : kCipherAliases)
    if (w == a) return true;
  for (const char* n : kCipherNames)
    if (w == n) return true;
  // Not the standard (IANA) names: libssl 3.0's cipher strings refuse them.
  return false;
}

}  // namespace

bool cipher_list_matches(std::string_view text) {
  // Elements are separated by ':' (or ' ', ',', ';'); '!' and '-' remove,
  // '+' moves, '@' is a directive; a bare element adds the ciphers that all
  // of its '+'-joined words select. Unknown words select nothing, as in
  // libssl, which fails only when no cipher is left.
  bool matched = false;
  for (std::string_view element : split_any(text, ": ,;")) {
    if (element.empty() || element[0] == '!' || element[0] == '-' || element[0] == '+' ||
        element[0] == '@')
      continue;
    bool all_known = true;
    for (std::string_view word : split_any(element, "+")) all_known = all_known && known_cipher_word(word);
    matched = matched || all_known;
  }
  return matched;
}

}  // namespace vouch::compat

namespace vouch::compat {
namespace {

// The TLS 1.2 suites vouch implements, in the order libssl 3.0 lists them
// before applying a cipher string (`openssl ciphers -v ALL`): key length
// first, ECDSA before RSA.
struct Suite12 {
  CipherSuite suite;
  bool ecdsa;
  enum class Enc { aes256gcm, chacha20, aes128gcm } enc;
  int strength_bits;
};
constexpr Suite12 kLibsslOrder12[] = {
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, true, Suite12::Enc::aes256gcm, 256},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, false, Suite12::Enc::aes256gcm, 256},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, true, Suite12::Enc::chacha20, 256},
    {CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, false, Suite12::Enc::chacha20, 256},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true, Suite12::Enc::aes128gcm, 128},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, false, Suite12::Enc::aes128gcm, 128},
};
constexpr size_t kSuites12 = std::size(kLibsslOrder12);

// Whether one word of a cipher string selects `s`; false for words that
// select none of vouch's suites (those of CBC, static RSA, DHE, PSK ...,
// and unknown words, which libssl ignores).
bool word_selects(std::string_view w, const Suite12& s) {
  using Enc = Suite12::Enc;
  const bool aes = s.enc != Enc::chacha20;
  if (w == "ALL" || w == "DEFAULT" || w == "HIGH" || w == "kECDHE" || w == "kEECDH" || w == "ECDHE" ||
      w == "EECDH" || w == "TLSv1.2")
    return true;
  if (w == "aECDSA" || w == "ECDSA") return s.ecdsa;
  if (w == "aRSA") return !s.ecdsa;
  if (w == "AES" || w == "AESGCM" || w == "FIPS") return aes;
  if (w == "AES128") return s.enc == Enc::aes128gcm;
  if (w == "AES256") return s.enc == Enc::aes256gcm;
  if (w == "CHACHA20") return s.enc == Enc::chacha20;
  // A cipher's own name (OpenSSL's).
  return w == openssl_name(s.suite);
}

}  // namespace

bool parse_cipher_list(std::string_view text, std::vector<CipherSuite>& out) {
  enum class State { inactive, active, killed };
  std::vector<size_t> order;  // indices into kLibsslOrder12, current order
  for (size_t i = 0; i < kSuites12; ++i) order.push_back(i);
  std::array<State, kSuites12> state{};
  state.fill(State::inactive);
  // Moves the listed entries (in list order) to the end or the front.
  auto move = [&](const std::vector<size_t>& which, bool to_front) {
    std::vector<size_t> rest;
    for (size_t i : order)
      if (std::find(which.begin(), which.end(), i) == which.end()) rest.push_back(i);
    order = to_front ? which : rest;
    order.insert(order.end(), (to_front ? rest : which).begin(), (to_front ? rest : which).end());
  };
  for (std::string_view element : split_any(text, ": ,;")) {
    if (element.empty()) continue;
    if (element == "@STRENGTH") {
      // libssl moves the active ciphers to the end, strongest first.
      for (int bits : {256, 128}) {
        std::vector<size_t> these;
        for (size_t i : order)
          if (state[i] == State::active && kLibsslOrder12[i].strength_bits == bits) these.push_back(i);
        move(these, false);
      }
      continue;
    }
    if (element[0] == '@') continue;  // @SECLEVEL=n: vouch's suites pass every level
    char op = 0;
    if (element[0] == '!' || element[0] == '-' || element[0] == '+') {
      op = element[0];
      element.remove_prefix(1);
    }
    std::vector<size_t> selected;
    for (size_t i : order) {
      bool all = !element.empty();
      for (std::string_view word : split_any(element, "+")) all = all && word_selects(word, kLibsslOrder12[i]);
      if (all && state[i] != State::killed) selected.push_back(i);
    }
    std::vector<size_t> moved;
    for (size_t i : selected) {
      switch (op) {
        case 0:  // add at the end what is not in the list yet
          if (state[i] == State::inactive) {
            state[i] = State::active;
            moved.push_back(i);
          }
          break;
        case '-':  // out of the list, first in line to come back
          if (state[i] == State::active) {
            state[i] = State::inactive;
            moved.push_back(i);
          }
          break;
        case '+':  // to the end
          if (state[i] == State::active) moved.push_back(i);
          break;
        default: state[i] = State::killed; break;
      }
    }
    if (!moved.empty()) move(moved, op == '-');
  }
  out.clear();
  for (size_t i : order)
    if (state[i] == State::active) out.push_back(kLibsslOrder12[i].suite);
  return cipher_list_matches(text);
}

}  // namespace vouch::compat
