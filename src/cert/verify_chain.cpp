#include "cert/verify_chain.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <ctime>

#include "cert/cert_cache.h"
#include "ocsp/ocsp.h"
#include "cert/verify_cache.h"
#include "cert/x509_name.h"

namespace vouch {
namespace {

// The tag that ends every chain-verification reason, followed by the
// X509_V_ERR_* code and ")"; x509_verify_error_of reads it back.
constexpr std::string_view kX509ErrorTag = "(X509_V_ERR ";

}  // namespace

namespace {

// One CertificateEntry.cert_data (RFC 8446 §4.4.2): exactly one DER
// Certificate, nothing before or after it; through the shared cache when its
// digest is given.
Result<CertificateHandle> parse_entry(ByteView der, const Sha256Digest* digest, size_t index,
                                      size_t count) {
  auto parsed = digest ? CertCache::shared().parse(der, *digest) : parse_certificate(der);
  if (!parsed) {
    return fail(parsed.error().alert, "certificate " + std::to_string(index + 1) + " of " +
                                          std::to_string(count) + ": " + parsed.error().reason);
  }
  return parsed;
}

// The address form of an IP literal host, brackets of "[::1]" removed;
// nullopt for a DNS name. RFC 6125 §3.1.3.2: an IP reference identity is
// checked against iPAddress subjectAltNames, never against DNS names.
std::optional<std::string> ip_literal(const std::string& host) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned char buf[16];
  if (inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1) {
    return h;
  }
  return std::nullopt;
}

Status configure(X509_VERIFY_PARAM* param, const PeerVerifyOptions& opts) {
  const bool server = opts.purpose == PeerVerifyOptions::Purpose::server_auth;
  // The same purpose and trust settings libssl applies ("ssl_server" /
  // "ssl_client"): the leaf's extendedKeyUsage (RFC 5280 §4.2.1.12) must
  // allow the role, and so must any explicit trust settings on the anchor.
  if (X509_VERIFY_PARAM_set_purpose(param, server ? X509_PURPOSE_SSL_SERVER
                                                  : X509_PURPOSE_SSL_CLIENT) != 1 ||
      X509_VERIFY_PARAM_set_trust(param, server ? X509_TRUST_SSL_SERVER
                                                : X509_TRUST_SSL_CLIENT) != 1) {
    return fail(Alert::internal_error, "cannot set verification purpose: " + ossl::last_error());
  }
  // Not X509_STRICT: deployed CAs break its extra profile checks, and the
  // checks RFC 8446 needs are made here. No partial chains: a path must end at
  // a self-signed anchor of the store, never at an intermediate it holds.
  X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_depth(param, static_cast<int>(std::min<unsigned>(opts.max_depth, INT_MAX)));
  if (opts.now) X509_VERIFY_PARAM_set_time(param, *opts.now);
  if (!opts.host.empty()) {
    int ok;
    if (auto ip = ip_literal(opts.host)) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(param, ip->c_str());
    } else {
      // "*.example.com" matches one whole label; "w*.example.com" never.
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = X509_VERIFY_PARAM_set1_host(param, opts.host.data(), opts.host.size());
    }
    if (ok != 1) {
      ERR_clear_error();
      return fail(Alert::internal_error, "invalid host name to verify: \"" + opts.host + "\"");
    }
  }
  return {};
}

}  // namespace

std::optional<int> x509_verify_error_of(const Error& error) {
  const size_t at = error.reason.rfind(kX509ErrorTag);
  if (at == std::string::npos) return std::nullopt;
  const char* digits = error.reason.c_str() + at + kX509ErrorTag.size();
  char* end = nullptr;
  const long code = std::strtol(digits, &end, 10);
  if (end == digits || *end != ')' || end[1] != '\0' || code <= 0 || code > INT_MAX) return std::nullopt;
  return static_cast<int>(code);
}

Alert alert_for_verify_error(int err) {
  switch (err) {
    // RFC 8446 §6.2 certificate_expired: "A certificate has expired or is
    // not currently valid."
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return Alert::certificate_expired;
    // unknown_ca: "the CA certificate could not be located or could not be
    // matched with a known trust anchor."
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return Alert::unknown_ca;
    // unsupported_certificate: "a certificate was of an unsupported type"
    // — here, not issued for this role.
    case X509_V_ERR_INVALID_PURPOSE:
      return Alert::unsupported_certificate;
    case X509_V_ERR_CERT_REVOKED:
      return Alert::certificate_revoked;
    // A certificate's own signature failing is a corrupt certificate:
    // bad_certificate. decrypt_error is for handshake signatures (§4.4.3).
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    default:
      return Alert::bad_certificate;
  }
}

namespace {

std::atomic<bool> g_caching{true};
std::atomic<uint64_t> g_bypassed{0};

// What the verify callback trampoline reaches through the store context's
// ex_data: the application's callback, and what it did.
struct CallbackState {
  const X509VerifyCallback* callback = nullptr;
  /// It answered false for a certificate libcrypto had accepted.
  bool overruled = false;
  /// It threw (the exception stops here: libcrypto is C).
  bool threw = false;
};

// The X509_STORE_CTX ex_data slot holding a CallbackState*, allocated once
// per process (a function-local static: thread-safe initialisation).
int callback_state_index() {
  static const int index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Installed with X509_STORE_CTX_set_verify_cb: libcrypto calls it for each
// certificate and each problem found, and its answer is the verdict.
int verify_callback_trampoline(int preverify_ok, X509_STORE_CTX* ctx) {
  auto* state = static_cast<CallbackState*>(X509_STORE_CTX_get_ex_data(ctx, callback_state_index()));
  if (state == nullptr || state->callback == nullptr || !*state->callback) return preverify_ok;
  bool verdict = false;
  try {
    verdict = (*state->callback)(preverify_ok != 0, ctx);
  } catch (...) {
    state->threw = true;
    return 0;
  }
  if (!verdict && preverify_ok != 0) state->overruled = true;
  return verdict ? 1 : 0;
}

// The failure of a chain the verify callback refused although libcrypto
// had accepted it: libcrypto 3 then reports X509_V_ERR_UNSPECIFIED unless
// the callback set an error of its own (X509_STORE_CTX_set_error).
Error refused_by_callback(X509_STORE_CTX* ctx, const std::string& where) {
  int err = X509_STORE_CTX_get_error(ctx);
  if (err == X509_V_OK) err = X509_V_ERR_UNSPECIFIED;
  // Neither code says what is wrong with the certificate, only that the
  // application does not accept it: bad_certificate (RFC 8446 §6.2), where
  // libssl would send internal_error / handshake_failure.
  const Alert alert = err == X509_V_ERR_UNSPECIFIED || err == X509_V_ERR_APPLICATION_VERIFICATION
                          ? Alert::bad_certificate
                          : alert_for_verify_error(err);
  return fail(alert, where + ": refused by the verify callback: " + X509_verify_cert_error_string(err) + " " +
                         std::string(kX509ErrorTag) + std::to_string(err) + ")");
}

// Path building and validation (RFC 5280 §6) by libcrypto over already
// parsed certificates: leaf first, the rest untrusted helpers.
Result<VerifiedChain> verify_parsed(const TrustStore& trust,
                                    const std::vector<CertificateHandle>& certs,
                                    const PeerVerifyOptions& opts) {
  X509* leaf = certs.front()->cert.get();
  ossl::X509Stack untrusted(sk_X509_new_reserve(nullptr, static_cast<int>(certs.size())));
  if (!untrusted) return fail(Alert::internal_error, "out of memory");
  for (size_t i = 1; i < certs.size(); ++i) {
    // RFC 8446 §4.4.2: certificates after the leaf only help build a path;
    // they are untrusted and their order is not relied on.
    ossl::X509Ptr ref = ossl::up_ref(certs[i]->cert.get());
    if (sk_X509_push(untrusted.get(), ref.get()) <= 0) {
      return fail(Alert::internal_error, "out of memory");
    }
    (void)ref.release();  // now owned by the stack
  }

  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  if (!ctx) return fail(Alert::internal_error, "out of memory");
  ERR_clear_error();
  if (X509_STORE_CTX_init(ctx.get(), trust.native(), leaf, untrusted.get()) != 1) {
    return fail(Alert::internal_error, "cannot start verification: " + ossl::last_error());
  }
  VOUCH_TRY(configure(X509_STORE_CTX_get0_param(ctx.get()), opts));
  CallbackState callback;
  if (opts.verify_callback) {
    // Replaces the store's own callback, as libssl's SSL_set_verify does.
    callback.callback = &opts.verify_callback;
    const int index = callback_state_index();
    if (index < 0 || X509_STORE_CTX_set_ex_data(ctx.get(), index, &callback) != 1) {
      return fail(Alert::internal_error, "cannot install the verify callback: " + ossl::last_error());
    }
    X509_STORE_CTX_set_verify_cb(ctx.get(), verify_callback_trampoline);
  }

  const int rc = X509_verify_cert(ctx.get());
  if (rc != 1) {
    if (callback.threw) {
      ERR_clear_error();
      return fail(Alert::internal_error, "certificate verification failed: the verify callback threw");
    }
    const int err = X509_STORE_CTX_get_error(ctx.get());
    if (err == X509_V_OK && !callback.overruled) {
      return fail(Alert::internal_error, "certificate verification failed: " + ossl::last_error());
    }
    ERR_clear_error();
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    std::string subject = subject_line(X509_STORE_CTX_get_current_cert(ctx.get()));
    if (subject.empty()) subject = "?";
    const std::string where =
        "certificate verification failed at depth " + std::to_string(depth) + " (" + subject + ")";
    if (callback.overruled) return refused_by_callback(ctx.get(), where);
    return fail(alert_for_verify_error(err), where + ": " + X509_verify_cert_error_string(err) + " " +
                                                 std::string(kX509ErrorTag) + std::to_string(err) + ")");
  }

  VerifiedChain out;
  // X509_V_OK unless a verify callback accepted a failure (libcrypto keeps
  // the last error it found).
  out.accepted_error = X509_STORE_CTX_get_error(ctx.get());
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  out.chain.reserve(static_cast<size_t>(std::max(sk_X509_num(built), 0)));
  for (int i = 0; i < sk_X509_num(built); ++i) out.chain.push_back(ossl::up_ref(sk_X509_value(built, i)));
  // The key decoded when the leaf was parsed (shared with every other
  // handshake that sent this leaf).
  out.leaf_key = ossl::up_ref(certs.front()->key.get());
  if (!out.leaf_key) {
    // Ask again only to recover libcrypto's reason for the report.
    ossl::EvpPkey retry(X509_get_pubkey(leaf));
    const std::string detail = ossl::last_error();
    return fail(Alert::unsupported_certificate,
                "certificate verification failed at depth 0 (" + subject_line(leaf) +
                    "): its public key cannot be used: " + detail);
  }
  ERR_clear_error();
  return out;
}

// Every chain parsed afresh and verified, nothing remembered.
Result<VerifiedChain> verify_uncached(const TrustStore& trust, const std::vector<Bytes>& der_chain,
                                      const PeerVerifyOptions& opts) {
  std::vector<CertificateHandle> certs;
  certs.reserve(der_chain.size());
  for (size_t i = 0; i < der_chain.size(); ++i) {
    VOUCH_ASSIGN(CertificateHandle c, parse_entry(der_chain[i], nullptr, i, der_chain.size()));
    certs.push_back(std::move(c));
  }
  return verify_parsed(trust, certs, opts);
}

}  // namespace

Result<VerifiedChain> verify_peer_chain(const TrustStore& trust, const std::vector<Bytes>& der_chain,
                                        const PeerVerifyOptions& opts) {
  if (der_chain.empty()) return fail(Alert::decode_error, "the peer sent no certificate");
  if (trust.native() == nullptr) return fail(Alert::internal_error, "trust store is not allocated");
  if (!g_caching.load(std::memory_order_relaxed)) return verify_uncached(trust, der_chain, opts);

  // Without resumption, every mutual-TLS reconnect sends the same chain:
  // hash each certificate once, and both caches are keyed from there.
  std::vector<Sha256Digest> digests;
  digests.reserve(der_chain.size());
  for (const Bytes& der : der_chain) {
    auto d = sha256_digest(der);
    if (!d) return verify_uncached(trust, der_chain, opts);
    digests.push_back(*d);
  }

  std::optional<Sha256Digest> key;
  if (opts.verify_callback) {
    // libssl calls the verify callback on every handshake: a remembered
    // result would skip it (and what it logs or decides).
    g_bypassed.fetch_add(1, std::memory_order_relaxed);
  } else if (auto store = cacheable_store_identity(trust.native())) {
    auto k = verify_cache_key(*store, digests, opts);
    if (k) key = *k;
  } else {
    g_bypassed.fetch_add(1, std::memory_order_relaxed);
  }
  if (key) {
    // The time libcrypto would use: the override, else the clock now.
    const time_t now = opts.now ? *opts.now : std::time(nullptr);
    if (auto hit = VerifyCache::shared().find(*key, now)) return std::move(*hit);
  }

  std::vector<CertificateHandle> certs;
  certs.reserve(der_chain.size());
  for (size_t i = 0; i < der_chain.size(); ++i) {
    VOUCH_ASSIGN(CertificateHandle c, parse_entry(der_chain[i], &digests[i], i, der_chain.size()));
    certs.push_back(std::move(c));
  }
  VOUCH_ASSIGN(VerifiedChain verified, verify_parsed(trust, certs, opts));
  // Only successes are remembered: a failing chain is verified (and its
  // error reported) afresh every time.
  if (key) VerifyCache::shared().insert(*key, verified);
  return verified;
}

void set_verify_caching(bool enabled) { g_caching.store(enabled, std::memory_order_relaxed); }

bool verify_caching_enabled() { return g_caching.load(std::memory_order_relaxed); }

void clear_verify_caches() {
  CertCache::shared().clear();
  VerifyCache::shared().clear();
  clear_ocsp_verify_cache();
  g_bypassed.store(0, std::memory_order_relaxed);
}

void set_verify_cache_capacity(size_t certificates, size_t chains) {
  CertCache::shared().set_capacity(certificates);
  VerifyCache::shared().set_capacity(chains);
}

VerifyCacheStats verify_cache_stats() {
  const CacheCounters certs = CertCache::shared().counters();
  const VerifyCacheCounters chains = VerifyCache::shared().counters();
  VerifyCacheStats s;
  s.chain_hits = chains.hits;
  s.chain_stale = chains.stale;
  s.chain_misses = chains.misses;
  s.chain_bypassed = g_bypassed.load(std::memory_order_relaxed);
  s.chain_evictions = chains.evictions;
  s.chain_entries = chains.size;
  s.cert_hits = certs.hits;
  s.cert_misses = certs.misses;
  s.cert_evictions = certs.evictions;
  s.cert_entries = certs.size;
  return s;
}

Result<std::vector<Bytes>> der_chain(const VerifiedChain& chain) {
  std::vector<Bytes> out;
  out.reserve(chain.chain.size());
  for (const auto& x : chain.chain) {
    const int len = i2d_X509(x.get(), nullptr);
    if (len <= 0) return fail(Alert::internal_error, "cannot DER-encode a verified certificate");
    Bytes der(static_cast<size_t>(len));
    unsigned char* p = der.data();
    if (i2d_X509(x.get(), &p) != len)
      return fail(Alert::internal_error, "cannot DER-encode a verified certificate");
    out.push_back(std::move(der));
  }
  return out;
}

Result<VerifiedChain> verify_server_chain(const ClientConfig& config, const std::string& server_name,
                                          const std::vector<Bytes>& der_chain) {
  // Checked when the chain arrives rather than before the ClientHello: a
  // libssl program may fill the store in between (curl loads its CA file
  // after its first SSL_connect call has sent the ClientHello).
  if (config.trust.empty()) return config_error("client: no trust anchors configured");
  PeerVerifyOptions opts;
  opts.purpose = PeerVerifyOptions::Purpose::server_auth;
  opts.host = config.verify_name.value_or(server_name);
  opts.verify_callback = config.verify_callback;
  opts.max_depth = config.verify_depth;
  return verify_peer_chain(config.trust, der_chain, opts);
}

}  // namespace vouch
