// What the handshake established: the peer's certificates, the verify
// result, version, cipher suite and server name.
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <cstdio>

#include "internal/compat_seam.h"
#include "objects.h"

namespace ossl = vouch::ossl;

namespace {

using vouch::CipherSuite;

// libssl's descriptions of the suites vouch implements (what `openssl
// ciphers -v` prints for them).
constexpr ssl_cipher_st kCiphers[] = {
    {CipherSuite::TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", 128, "TLSv1.3",
     "any", "any", "AESGCM(128)"},
    {CipherSuite::TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", 256, "TLSv1.3",
     "any", "any", "AESGCM(256)"},
    {CipherSuite::TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
     256, "TLSv1.3", "any", "any", "CHACHA20/POLY1305(256)"},
    // TLS 1.2 suites go by OpenSSL's names.
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256",
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 128, "TLSv1.2", "ECDH", "ECDSA", "AESGCM(128)"},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384",
     "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 256, "TLSv1.2", "ECDH", "ECDSA", "AESGCM(256)"},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 128, "TLSv1.2", "ECDH", "RSA", "AESGCM(128)"},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384",
     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 256, "TLSv1.2", "ECDH", "RSA", "AESGCM(256)"},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305",
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 256, "TLSv1.2", "ECDH", "ECDSA", "CHACHA20/POLY1305(256)"},
    {CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305",
     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 256, "TLSv1.2", "ECDH", "RSA", "CHACHA20/POLY1305(256)"},
};

const std::vector<vouch::Bytes>* peer_der(const SSL* s) {
  const vouch::Connection* c = s->peer_source();
  if (c == nullptr) return nullptr;
  // A server resuming by session ID reports the chain its session kept
  // from the full handshake (libssl's session object holds it).
  const SSL_SESSION* session = s->session_ref.get();
  if (s->role == ssl_st::Role::server && c->info().resumed && session != nullptr && session->server &&
      !session->peer_chain.empty())
    return &session->peer_chain;
  if (c->peer_chain().empty()) return nullptr;
  return &c->peer_chain();
}

// One certificate of the peer's chain: from the cache verification filled
// (a hash and a lookup), or parsed afresh when the process turned vouch's
// caches off. Null when it does not parse, which cannot happen to a chain
// vouch accepted.
vouch::CertificateHandle parse_peer_certificate(const vouch::Bytes& der) {
  auto parsed = vouch::verify_caching_enabled() ? vouch::CertCache::shared().parse(der)
                                                 : vouch::parse_certificate(der);
  return parsed ? std::move(parsed).value() : nullptr;
}

bool parsed_from(const vouch::CertificateHandle& parsed, const vouch::Bytes& der) {
  return parsed != nullptr && parsed->der == der;
}

// The first `n` certificates of the SSL's parsed chain are those of `der`;
// else the SSL's certificates are made afresh (a new chain arrived).
bool keep_or_reset(vouch::compat::PeerCerts& p, const std::vector<vouch::Bytes>& der, size_t n) {
  bool same = p.parsed.size() >= n && der.size() >= n;
  for (size_t i = 0; same && i < n; ++i) same = parsed_from(p.parsed[i], der[i]);
  if (!same) p = vouch::compat::PeerCerts();
  return same;
}

// The peer's leaf, parsed once per chain vouch holds.
X509* peer_leaf(const SSL* s) {
  const std::vector<vouch::Bytes>* der = peer_der(s);
  if (der == nullptr) return nullptr;
  vouch::compat::PeerCerts& p = s->peer;
  if (!keep_or_reset(p, *der, 1)) {
    vouch::CertificateHandle leaf = parse_peer_certificate(der->front());
    if (!leaf) return nullptr;
    p.parsed.push_back(std::move(leaf));
  }
  return p.parsed.front()->cert.get();
}

// The whole chain as libssl's stacks, made once per chain vouch holds (the
// leaf reused when SSL_get0_peer_certificate parsed it already).
const vouch::compat::PeerCerts* peer_certs(const SSL* s) {
  const std::vector<vouch::Bytes>* der = peer_der(s);
  if (der == nullptr) return nullptr;
  vouch::compat::PeerCerts& p = s->peer;
  if (p.all && keep_or_reset(p, *der, der->size())) return &p;
  if (peer_leaf(s) == nullptr) return nullptr;
  std::vector<vouch::CertificateHandle> parsed{p.parsed.front()};
  for (size_t i = 1; i < der->size(); ++i) {
    vouch::CertificateHandle c = parse_peer_certificate((*der)[i]);
    if (!c) return nullptr;
    parsed.push_back(std::move(c));
  }
  ossl::X509Stack all(sk_X509_new_null());
  ossl::X509Stack without_leaf(sk_X509_new_null());
  if (!all || !without_leaf) return nullptr;
  // Each stack holds references of its own (sk_X509_pop_free).
  auto push = [](STACK_OF(X509)* stack, X509* x) {
    ossl::X509Ptr ref = ossl::up_ref(x);
    if (sk_X509_push(stack, ref.get()) <= 0) return false;
    (void)ref.release();
    return true;
  };
  for (size_t i = 0; i < parsed.size(); ++i) {
    X509* x = parsed[i]->cert.get();
    if (!push(all.get(), x) || (i > 0 && !push(without_leaf.get(), x))) return nullptr;
  }
  p.parsed = std::move(parsed);
  p.all = std::move(all);
  p.without_leaf = std::move(without_leaf);
  return &p;
}

// The version of the current connection once its ServerHello chose it.
// Before any handshake, and after SSL_clear (which resets libssl's version
// while the session, with its cipher, stays), libssl reports the highest
// version of its method.
bool session_is_tls12(const SSL* s) {
  return s->conn != nullptr && s->conn->info().version == vouch::ProtocolVersion::tls12;
}

}  // namespace

extern "C" {

X509* SSL_get0_peer_certificate(const SSL* s) { return peer_leaf(s); }

X509* SSL_get1_peer_certificate(const SSL* s) {
  X509* leaf = SSL_get0_peer_certificate(s);
  if (leaf != nullptr) X509_up_ref(leaf);
  return leaf;
}

STACK_OF(X509) * SSL_get_peer_cert_chain(const SSL* s) {
  // libssl keeps the chain in the session object, not in its encoding:
  // after a resumption a server has it only when the session came from
  // memory (TLS 1.2, by session ID), not out of a ticket; a client has none
  // when it resumed a session read back with d2i_SSL_SESSION. The peer's
  // certificate stays.
  if (const vouch::Connection* c = s->peer_source(); c != nullptr && c->info().resumed) {
    const SSL_SESSION* session = s->session_ref.get();
    const bool in_memory = session != nullptr && !session->from_der &&
                           (s->role == ssl_st::Role::client || (session->server && !session->state.empty()));
    if (!in_memory) return nullptr;
  }
  const vouch::compat::PeerCerts* p = peer_certs(s);
  if (p == nullptr) {
    // A server that sent a CertificateRequest (SSL_VERIFY_PEER, full
    // handshake) and received an empty Certificate. With
    // SSL_VERIFY_POST_HANDSHAKE it asks only with
    // SSL_verify_client_post_handshake (RFC 8446 §4.6.2): NULL until then,
    // and while the client has not answered.
    const vouch::Connection* c = s->peer_source();
    const int mode = s->settings.verify_mode;
    const bool pha_answered = s->pha_request_queued && c != nullptr && !c->post_handshake_auth_pending();
    const bool tls12 = c != nullptr && c->info().version == vouch::ProtocolVersion::tls12;
    const bool asked = s->role == ssl_st::Role::server && (mode & SSL_VERIFY_PEER) != 0 &&
                       ((mode & SSL_VERIFY_POST_HANDSHAKE) == 0 || tls12 || pha_answered);
    if (c == nullptr || !asked || !c->handshake_complete() || c->info().resumed) return nullptr;
    if (!s->peer.none) s->peer.none.reset(sk_X509_new_null());
    return s->peer.none.get();
  }
  // libssl: a client's list starts with the server's certificate; a
  // server's list leaves the client's certificate out.
  return s->role == ssl_st::Role::server ? p->without_leaf.get() : p->all.get();
}

long SSL_get_verify_result(const SSL* s) { return s->verify_result; }

const char* SSL_get_version(const SSL* s) { return session_is_tls12(s) ? "TLSv1.2" : "TLSv1.3"; }

int SSL_version(const SSL* s) { return session_is_tls12(s) ? TLS1_2_VERSION : TLS1_3_VERSION; }

const SSL_CIPHER* SSL_get_current_cipher(const SSL* s) {
  const vouch::Connection* c = s->session();
  if (c == nullptr) return nullptr;
  for (const auto& entry : kCiphers)
    if (entry.suite == c->info().cipher_suite) return &entry;
  return nullptr;
}

const char* SSL_CIPHER_get_name(const SSL_CIPHER* c) { return c ? c->name : "(NONE)"; }

const char* SSL_CIPHER_standard_name(const SSL_CIPHER* c) { return c ? c->standard_name : "(NONE)"; }

int SSL_CIPHER_get_bits(const SSL_CIPHER* c, int* alg_bits) {
  if (c == nullptr) return 0;  // *alg_bits untouched, as in libssl
  if (alg_bits != nullptr) *alg_bits = c->bits;
  return c->bits;
}

const char* SSL_CIPHER_get_version(const SSL_CIPHER* c) { return c ? c->version : "(NONE)"; }

uint32_t SSL_CIPHER_get_id(const SSL_CIPHER* c) {
  // libssl's cipher ids: 0x03000000 | the two bytes of the suite.
  return 0x03000000u | static_cast<uint16_t>(c->suite);
}

uint16_t SSL_CIPHER_get_protocol_id(const SSL_CIPHER* c) { return static_cast<uint16_t>(c->suite); }

char* SSL_CIPHER_description(const SSL_CIPHER* c, char* buf, int size) {
  // libssl's layout and its rule: 128 bytes always suffice, and a smaller
  // buffer is refused even when the line would fit.
  constexpr int kNeeded = 128;
  if (buf == nullptr) {
    buf = static_cast<char*>(OPENSSL_malloc(kNeeded));
    if (buf == nullptr) return nullptr;
    size = kNeeded;
  } else if (size < kNeeded) {
    return nullptr;
  }
  std::snprintf(buf, static_cast<size_t>(size), "%-30s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%-4s\n", c->name,
                c->version, c->kx, c->au, c->enc, "AEAD");
  return buf;
}

const SSL_CIPHER* SSL_CIPHER_find(SSL* /*ssl*/, const unsigned char* ptr) {
  // The two-byte suite number, as in a ClientHello; only suites vouch
  // implements are found (libssl's table is larger).
  if (ptr == nullptr) return nullptr;
  const auto id = static_cast<uint16_t>(ptr[0] << 8 | ptr[1]);
  for (const ssl_cipher_st& c : kCiphers)
    if (static_cast<uint16_t>(c.suite) == id) return &c;
  return nullptr;
}

STACK_OF(X509) * SSL_get0_verified_chain(const SSL* s) {
  // libssl keeps the chain its verification built (leaf to anchor). vouch
  // verifies with its own code: the chain is built again here with
  // libcrypto against the same store, once per peer chain, and only when
  // verification succeeded (SSL_get_verify_result X509_V_OK).
  const vouch::compat::PeerCerts* p = peer_certs(s);
  if (p == nullptr || s->verify_result != X509_V_OK) return nullptr;
  if (p->verified) return p->verified.get();
  ossl::X509StoreCtx sctx(X509_STORE_CTX_new());
  X509_STORE* store = s->ctx.ctx->trust.native();
  if (!sctx || store == nullptr) return nullptr;
  if (X509_STORE_CTX_init(sctx.get(), store, sk_X509_value(p->all.get(), 0), p->without_leaf.get()) != 1)
    return nullptr;
  vouch::compat::QuietErrors quiet;
  if (X509_verify_cert(sctx.get()) != 1) return nullptr;
  s->peer.verified.reset(X509_STORE_CTX_get1_chain(sctx.get()));
  return s->peer.verified.get();
}

const char* SSL_get_servername(const SSL* s, const int type) {
  if (type != TLSEXT_NAMETYPE_host_name) return nullptr;
  if (s->role != ssl_st::Role::server) return s->host_name.empty() ? nullptr : s->host_name.c_str();
  const vouch::Connection* c = s->peer_source();
  if (c == nullptr || c->info().server_name.empty()) return nullptr;
  return c->info().server_name.c_str();
}

}  // extern "C"
