// vouch against OpenSSL's libssl, in one process, in memory: TLS 1.3 full
// handshakes (plain and with an OCSP staple), PSK resumption, mutual TLS and
// bulk application data; TLS 1.2 ECDHE-ECDSA full handshakes and ticket
// resumption, both as client + server and as the server's share alone.
//
// Both stacks do the same work in every benchmark:
//  - TLS 1.3 only, TLS_AES_128_GCM_SHA256, key share x25519 (groups offered:
//    x25519, P-256, P-384), middlebox compatibility mode on (both defaults);
//  - the test PKI's ECDSA P-256 server leaf sent with its intermediate, the
//    root as the only anchor; the client verifies chain, purpose and the name
//    "localhost" (libssl: SSL_VERIFY_PEER + SSL_set1_host) and sends SNI;
//  - the server sends its NewSessionTickets (two after a full handshake, one
//    in the resumption benchmarks) and the client processes them inside the
//    timed region;
//  - each iteration creates both endpoints and moves bytes between them in
//    memory (vouch: pending_output()/receive(); libssl: a BIO pair).
// Configuration objects (SSL_CTX, vouch configs, trust stores) are built once
// outside the timed loop, as servers do.
//
// The TLS 1.2 pairs: TLS 1.2 only, ECDHE-ECDSA-AES128-GCM-SHA256, the same
// groups (the client's first, x25519, is chosen), extended master secret
// (both defaults), stateless session tickets (no server-side cache on either
// side). The *_Server variants time only the server's calls (manual time:
// vouch's receive(), libssl's SSL_do_handshake on the server), which is what
// a server's handshake rate depends on.
//
// The stapling pair adds to the full handshake one good OCSP response for the
// server leaf, signed by its issuer (the intermediate), made once per
// benchmark by the test responder's builder (tests/tools/ocsp_staple.h). The
// client asks for status (status_request, RFC 6066 §8), the server sends the
// staple in the leaf's CertificateEntry (RFC 8446 §4.4.2.1), and the client
// verifies it and insists on a good one: vouch with OcspPolicy::require,
// libssl with a status callback doing the equivalent checks.
//
// Not a test: nothing here asserts timing. bench/run.sh runs it and prints
// vouch/libssl ratios.
#include <benchmark/benchmark.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cert/verify_chain.h"
#include "crypto/ossl.h"
#include "support/pki.h"
#include "tools/ocsp_staple.h"
#include "vouch/config.h"
#include "vouch/connection.h"
#include "vouch/revocation.h"
#include "vouch/session.h"

namespace {

using vouch::ByteView;
using vouch::Connection;
using vouch::testing::test_pki;

constexpr size_t kBulkChunk = 16 * 1024;

std::string openssl_error() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "(no OpenSSL error)" : out;
}

// The staple both stacks send: the server leaf's status, good, thisUpdate a
// minute ago and nextUpdate in a day, signed by the leaf's issuer with its
// certificate in the response (the test responder's defaults).
vouch::Result<vouch::Bytes> server_leaf_staple() {
  const auto& f = test_pki().ecdsa();
  return vouch::testing::make_ocsp_staple(f.server.cert.get(), f.intermediate.cert.get(),
                                          f.intermediate.key.get());
}

// ---------------------------------------------------------------- vouch ----

struct VouchConfigs {
  std::shared_ptr<vouch::ClientConfig> client;
  std::shared_ptr<vouch::ServerConfig> server;
};

enum class Auth { server_only, mutual };
enum class Version { tls12, tls13 };

VouchConfigs vouch_configs(Auth auth, unsigned num_tickets, Version version = Version::tls13) {
  const auto& f = test_pki().ecdsa();
  VouchConfigs c;
  c.client = std::make_shared<vouch::ClientConfig>();
  c.client->trust = f.trust();
  c.client->cipher_suites = {vouch::CipherSuite::TLS_AES_128_GCM_SHA256};
  c.client->cipher_suites12 = {vouch::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  // One version, as the libssl contexts are pinned to one.
  const auto v = version == Version::tls12 ? vouch::ProtocolVersion::tls12 : vouch::ProtocolVersion::tls13;
  c.client->min_version = c.client->max_version = v;
  c.client->groups = {vouch::NamedGroup::x25519, vouch::NamedGroup::secp256r1,
                      vouch::NamedGroup::secp384r1};
  c.client->key_share_groups = {vouch::NamedGroup::x25519};
  c.server = std::make_shared<vouch::ServerConfig>();
  c.server->credentials.push_back(f.server_credential());
  c.server->cipher_suites = {vouch::CipherSuite::TLS_AES_128_GCM_SHA256};
  c.server->cipher_suites12 = c.client->cipher_suites12;
  c.server->min_version = c.server->max_version = v;
  c.server->num_tickets = num_tickets;
  if (auth == Auth::mutual) {
    c.server->client_auth = vouch::ClientAuth::required;
    c.server->client_trust = f.trust();
    c.client->client_credentials.push_back(f.client_credential());
  }
  return c;
}

// Hands everything `from` queued to `to` without a copy: the view stays
// valid because `from` is not touched until consume_output().
bool vouch_move(Connection& from, Connection& to, size_t* moved) {
  ByteView out = from.pending_output();
  *moved = out.size();
  if (out.empty()) return true;
  vouch::Status s = to.receive(out);
  from.consume_output(out.size());
  return s.ok();
}

// Runs the handshake to completion, including the tickets the server sends
// after it. Returns "" or what failed.
std::string vouch_handshake(Connection& client, Connection& server) {
  if (!client.start().ok()) return "client start failed";
  for (int round = 0; round < 16; ++round) {
    size_t a = 0;
    size_t b = 0;
    const bool ok = vouch_move(client, server, &a) && vouch_move(server, client, &b);
    if (!ok || client.failed() || server.failed()) break;
    if (client.handshake_complete() && server.handshake_complete() &&
        client.pending_output().empty() && server.pending_output().empty())
      return "";
    if (a == 0 && b == 0) return "handshake stalled";
  }
  if (const vouch::Error* e = client.error()) return "client: " + e->to_string();
  if (const vouch::Error* e = server.error()) return "server: " + e->to_string();
  return "handshake did not finish";
}

// The same handshake, timing only the server's work (its receive() calls:
// every byte it sends is produced inside them). Returns the seconds spent,
// or a negative value on failure (err set).
double vouch_server_seconds(Connection& client, Connection& server, std::string& err) {
  using Clock = std::chrono::steady_clock;
  Clock::duration spent{};
  if (!client.start().ok()) {
    err = "client start failed";
    return -1;
  }
  for (int round = 0; round < 16; ++round) {
    ByteView to_server = client.pending_output();
    const size_t a = to_server.size();
    if (a) {
      const auto t0 = Clock::now();
      const bool ok = server.receive(to_server).ok();
      spent += Clock::now() - t0;
      client.consume_output(a);
      if (!ok) break;
    }
    size_t b = 0;
    if (!vouch_move(server, client, &b) || client.failed()) break;
    if (client.handshake_complete() && server.handshake_complete() && client.pending_output().empty() &&
        server.pending_output().empty())
      return std::chrono::duration<double>(spent).count();
    if (a == 0 && b == 0) break;
  }
  err = client.error() ? "client: " + client.error()->to_string()
        : server.error() ? "server: " + server.error()->to_string()
                         : "handshake did not finish";
  return -1;
}

void vouch_server_handshakes(benchmark::State& state, const VouchConfigs& cfg,
                             std::shared_ptr<const vouch::Session> session = nullptr) {
  for (auto _ : state) {
    auto client = Connection::client(cfg.client, "localhost", session);
    auto server = Connection::server(cfg.server);
    std::string err;
    const double seconds = vouch_server_seconds(*client, *server, err);
    if (seconds < 0 || (session && !server->info().resumed)) {
      state.SkipWithError(err.empty() ? "not resumed" : err.c_str());
      break;
    }
    state.SetIterationTime(seconds);
  }
}

// A session to resume from one untimed full handshake, or null (err set).
std::shared_ptr<const vouch::Session> vouch_first_session(const VouchConfigs& cfg, std::string& err) {
  auto client = Connection::client(cfg.client, "localhost");
  auto server = Connection::server(cfg.server);
  err = vouch_handshake(*client, *server);
  auto sessions = client->take_sessions();
  if (err.empty() && sessions.empty()) err = "no session received";
  return err.empty() ? sessions.front() : nullptr;
}

void vouch_full_handshakes(benchmark::State& state, const VouchConfigs& cfg) {
  for (auto _ : state) {
    auto client = Connection::client(cfg.client, "localhost");
    auto server = Connection::server(cfg.server);
    const std::string err = vouch_handshake(*client, *server);
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
    benchmark::DoNotOptimize(client->info());
  }
}

void BM_Vouch_Handshake13(benchmark::State& state) {
  vouch_full_handshakes(state, vouch_configs(Auth::server_only, 2));
}

// The same with vouch's certificate caches switched off: what every
// handshake costs when each chain is parsed and verified afresh, as libssl
// does.
void BM_Vouch_Handshake13_NoVerifyCache(benchmark::State& state) {
  const bool was = vouch::verify_caching_enabled();
  vouch::set_verify_caching(false);
  vouch_full_handshakes(state, vouch_configs(Auth::server_only, 2));
  vouch::set_verify_caching(was);
}

void BM_Vouch_HandshakeMtls13(benchmark::State& state) {
  vouch_full_handshakes(state, vouch_configs(Auth::mutual, 2));
}

// The server's credential carries the leaf's staple; the client requires a
// staple that verifies and says good (OcspPolicy::require), so a handshake
// that completes has checked it.
void BM_Vouch_HandshakeStapled13(benchmark::State& state) {
  VouchConfigs cfg = vouch_configs(Auth::server_only, 2);
  auto staple = server_leaf_staple();
  if (!staple.ok()) {
    state.SkipWithError(("making the staple: " + staple.error().to_string()).c_str());
    return;
  }
  auto stapled = cfg.server->credentials.front().with_ocsp_staples({*staple});
  if (!stapled.ok()) {
    state.SkipWithError(("with_ocsp_staples: " + stapled.error().to_string()).c_str());
    return;
  }
  cfg.server->credentials.front() = *stapled;
  cfg.client->ocsp_policy = vouch::OcspPolicy::require;
  {
    // Once, untimed: the staple reached the client and verified as good.
    auto client = Connection::client(cfg.client, "localhost");
    auto server = Connection::server(cfg.server);
    std::string err = vouch_handshake(*client, *server);
    const vouch::StapleReport* leaf = client->peer_ocsp().leaf();
    if (err.empty() && !(leaf != nullptr && leaf->status &&
                         leaf->status->status == vouch::OcspCertStatus::good))
      err = "leaf staple not verified as good: " + client->peer_ocsp().summary();
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      return;
    }
  }
  vouch_full_handshakes(state, cfg);
}

void BM_Vouch_Resumption13(benchmark::State& state) {
  const VouchConfigs cfg = vouch_configs(Auth::server_only, 1);
  std::shared_ptr<const vouch::Session> session;
  {
    auto client = Connection::client(cfg.client, "localhost");
    auto server = Connection::server(cfg.server);
    const std::string err = vouch_handshake(*client, *server);
    auto sessions = client->take_sessions();
    if (!err.empty() || sessions.empty()) {
      state.SkipWithError(err.empty() ? "no ticket received" : err.c_str());
      return;
    }
    session = sessions.front();
  }
  for (auto _ : state) {
    // One ticket offered again and again: the server's tickets are
    // stateless, and so are libssl's in BM_LibSSL_Resumption13.
    auto client = Connection::client(cfg.client, "localhost", session);
    auto server = Connection::server(cfg.server);
    const std::string err = vouch_handshake(*client, *server);
    if (!err.empty() || !client->info().resumed) {
      state.SkipWithError(err.empty() ? "not resumed" : err.c_str());
      break;
    }
  }
}

void BM_Vouch_Handshake12(benchmark::State& state) {
  vouch_full_handshakes(state, vouch_configs(Auth::server_only, 1, Version::tls12));
}

void BM_Vouch_Handshake12_Server(benchmark::State& state) {
  vouch_server_handshakes(state, vouch_configs(Auth::server_only, 1, Version::tls12));
}

void vouch_resumptions12(benchmark::State& state, bool server_only) {
  const VouchConfigs cfg = vouch_configs(Auth::server_only, 1, Version::tls12);
  std::string err;
  auto session = vouch_first_session(cfg, err);
  if (!session) {
    state.SkipWithError(err.c_str());
    return;
  }
  if (server_only) return vouch_server_handshakes(state, cfg, session);
  for (auto _ : state) {
    // The same ticket offered again and again, as libssl's client does.
    auto client = Connection::client(cfg.client, "localhost", session);
    auto server = Connection::server(cfg.server);
    err = vouch_handshake(*client, *server);
    if (!err.empty() || !client->info().resumed) {
      state.SkipWithError(err.empty() ? "not resumed" : err.c_str());
      break;
    }
  }
}

void BM_Vouch_Resumption12(benchmark::State& state) { vouch_resumptions12(state, false); }
void BM_Vouch_Resumption12_Server(benchmark::State& state) { vouch_resumptions12(state, true); }

void BM_Vouch_Bulk(benchmark::State& state) {
  const VouchConfigs cfg = vouch_configs(Auth::server_only, 0);
  auto client = Connection::client(cfg.client, "localhost");
  auto server = Connection::server(cfg.server);
  const std::string err = vouch_handshake(*client, *server);
  if (!err.empty()) {
    state.SkipWithError(err.c_str());
    return;
  }
  const std::vector<uint8_t> data(kBulkChunk, 0x5a);
  std::vector<uint8_t> in(kBulkChunk);
  for (auto _ : state) {
    size_t moved = 0;
    if (!client->write(data).ok() || !vouch_move(*client, *server, &moved)) {
      state.SkipWithError("write or receive failed");
      break;
    }
    size_t got = 0;
    while (got < kBulkChunk) {
      const size_t n = server->read(std::span<uint8_t>(in).subspan(got));
      if (n == 0) break;
      got += n;
    }
    if (got != kBulkChunk) {
      state.SkipWithError("short read");
      break;
    }
    benchmark::DoNotOptimize(in.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(kBulkChunk));
}

// --------------------------------------------------------------- libssl ----

struct SslCtxFree {
  void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const noexcept { SSL_free(p); }
};
struct SessionFree {
  void operator()(SSL_SESSION* p) const noexcept { SSL_SESSION_free(p); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using SessionPtr = std::unique_ptr<SSL_SESSION, SessionFree>;
using OcspResponsePtr = vouch::ossl::Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicPtr = vouch::ossl::Ptr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = vouch::ossl::Ptr<OCSP_CERTID, OCSP_CERTID_free>;

// What the status callbacks are given (SSL_CTX_set_tlsext_status_arg).
struct LibsslStapling {
  vouch::Bytes staple;                // server: the DER OCSPResponse it sends
  vouch::ossl::X509Store responders;  // client: who may sign responses (the intermediate)
};

struct LibsslContexts {
  // Declared first, so destroyed after the contexts that point to it; held
  // on the heap so those pointers survive moves of this struct.
  std::unique_ptr<LibsslStapling> stapling;  // null: no OCSP stapling
  SslCtxPtr client;
  SslCtxPtr server;
  std::string error;  // non-empty if setting up failed
};

bool common_ctx(SSL_CTX* ctx, Version version) {
  const int v = version == Version::tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
  return SSL_CTX_set_min_proto_version(ctx, v) == 1 && SSL_CTX_set_max_proto_version(ctx, v) == 1 &&
         SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") == 1 &&
         SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") == 1 &&
         SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1;
}

LibsslContexts libssl_contexts(Auth auth, size_t num_tickets, Version version = Version::tls13) {
  const auto& f = test_pki().ecdsa();
  LibsslContexts c;
  c.client.reset(SSL_CTX_new(TLS_client_method()));
  c.server.reset(SSL_CTX_new(TLS_server_method()));
  if (!c.client || !c.server || !common_ctx(c.client.get(), version) || !common_ctx(c.server.get(), version)) {
    c.error = "SSL_CTX setup: " + openssl_error();
    return c;
  }
  // Client: verify the server's chain against the root (the name is set per
  // connection with SSL_set1_host).
  SSL_CTX_set_verify(c.client.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(c.client.get(), f.root.cert_path.c_str(), nullptr) != 1) {
    c.error = "client anchors: " + openssl_error();
    return c;
  }
  // Server: the leaf and its intermediate; stateless tickets (no server-side
  // session cache, like vouch's TicketKeys).
  if (SSL_CTX_use_certificate_chain_file(c.server.get(), f.server.chain_path.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(c.server.get(), f.server.key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    c.error = "server credential: " + openssl_error();
    return c;
  }
  SSL_CTX_set_session_cache_mode(c.server.get(), SSL_SESS_CACHE_OFF);
  if (SSL_CTX_set_num_tickets(c.server.get(), num_tickets) != 1) {
    c.error = "num_tickets: " + openssl_error();
    return c;
  }
  if (auth == Auth::mutual) {
    // As vouch's ClientAuth::required with client_trust: ask, require,
    // verify against the root, and name it in certificate_authorities.
    SSL_CTX_set_verify(c.server.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(f.root.cert_path.c_str());
    if (SSL_CTX_load_verify_locations(c.server.get(), f.root.cert_path.c_str(), nullptr) != 1 ||
        names == nullptr) {
      c.error = "server client-CA setup: " + openssl_error();
      return c;
    }
    SSL_CTX_set_client_CA_list(c.server.get(), names);
    if (SSL_CTX_use_certificate_chain_file(c.client.get(), f.client.chain_path.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(c.client.get(), f.client.key_path.c_str(), SSL_FILETYPE_PEM) !=
            1) {
      c.error = "client credential: " + openssl_error();
      return c;
    }
  }
  return c;
}

// Server side of status_request (RFC 6066 §8): libssl takes ownership of the
// response and frees it with OPENSSL_free, so each connection gets a copy.
int libssl_server_status(SSL* ssl, void* arg) {
  const auto* st = static_cast<const LibsslStapling*>(arg);
  auto* der = static_cast<unsigned char*>(OPENSSL_malloc(st->staple.size()));
  if (der == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
  std::memcpy(der, st->staple.data(), st->staple.size());
  if (SSL_set_tlsext_status_ocsp_resp(ssl, der, static_cast<long>(st->staple.size())) != 1) {
    OPENSSL_free(der);
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

// Client side: libssl hands the staple over unchecked, so this is what a
// careful application must do itself to match vouch's OcspPolicy::require
// (RFC 6960 §3.2): a successful response, its signature by an authorized
// responder, a SingleResponse for this leaf saying good, and a current time
// window (5 minutes of skew, as vouch's default) with a nextUpdate (vouch
// refuses responses without one). 1 accepts; 0 fails the handshake with
// bad_certificate_status_response.
int libssl_client_status(SSL* ssl, void* arg) {
  const auto* st = static_cast<const LibsslStapling*>(arg);
  const unsigned char* der = nullptr;
  const long len = SSL_get_tlsext_status_ocsp_resp(ssl, &der);
  if (der == nullptr || len <= 0) return 0;  // not stapled: refused, as by require
  OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &der, len));
  if (!resp || OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return 0;
  OcspBasicPtr basic(OCSP_response_get1_basic(resp.get()));
  if (!basic) return 0;
  // The chain is verified by now (TLS 1.3 clients run this callback after
  // the server's Certificate has been checked); fall back to the chain as
  // sent otherwise. Leaf first, its issuer next.
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
  if (chain == nullptr) chain = SSL_get_peer_cert_chain(ssl);
  if (chain == nullptr || sk_X509_num(chain) < 2) return 0;
  // The signer must chain to the store, which holds the intermediate alone:
  // OCSP_PARTIAL_CHAIN lets that non-self-signed certificate be the anchor.
  // OCSP_basic_verify then also checks the signer is the leaf's issuer or
  // a responder it delegated to (RFC 6960 §4.2.2.2).
  if (OCSP_basic_verify(basic.get(), chain, st->responders.get(), OCSP_PARTIAL_CHAIN) != 1) return 0;
  OcspCertIdPtr id(OCSP_cert_to_id(nullptr, sk_X509_value(chain, 0), sk_X509_value(chain, 1)));
  int status = -1;
  int reason = -1;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (!id || OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at, &this_update,
                                   &next_update) != 1 ||
      status != V_OCSP_CERTSTATUS_GOOD || next_update == nullptr)
    return 0;
  return OCSP_check_validity(this_update, next_update, 300, -1) == 1 ? 1 : 0;
}

// Turns on stapling in both contexts: the server staples `staple`, the
// client demands a good one signed for the leaf by the intermediate.
std::string libssl_enable_stapling(LibsslContexts& c, vouch::Bytes staple) {
  const auto& f = test_pki().ecdsa();
  c.stapling = std::make_unique<LibsslStapling>();
  c.stapling->staple = std::move(staple);
  c.stapling->responders.reset(X509_STORE_new());
  if (!c.stapling->responders ||
      X509_STORE_add_cert(c.stapling->responders.get(), f.intermediate.cert.get()) != 1)
    return "responder store: " + openssl_error();
  if (SSL_CTX_set_tlsext_status_cb(c.server.get(), libssl_server_status) != 1 ||
      SSL_CTX_set_tlsext_status_arg(c.server.get(), c.stapling.get()) != 1 ||
      SSL_CTX_set_tlsext_status_cb(c.client.get(), libssl_client_status) != 1 ||
      SSL_CTX_set_tlsext_status_arg(c.client.get(), c.stapling.get()) != 1)
    return "status callbacks: " + openssl_error();
  return "";
}

struct LibsslPair {
  SslPtr client;
  SslPtr server;

  // Freed as after a clean close (flags only, no I/O): libssl marks the
  // session of a connection freed without a shutdown as bad
  // (ssl_clear_bad_session), and it could not be resumed again.
  ~LibsslPair() {
    if (client) SSL_set_shutdown(client.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    if (server) SSL_set_shutdown(server.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  }
};

// Both endpoints joined by a BIO pair (each side writes into a buffer the
// other reads from; no sockets).
bool libssl_pair(const LibsslContexts& ctx, LibsslPair& pair, SSL_SESSION* session = nullptr) {
  pair.client.reset(SSL_new(ctx.client.get()));
  pair.server.reset(SSL_new(ctx.server.get()));
  if (!pair.client || !pair.server) return false;
  BIO* cb = nullptr;
  BIO* sb = nullptr;
  if (BIO_new_bio_pair(&cb, 64 * 1024, &sb, 64 * 1024) != 1) return false;
  SSL_set_bio(pair.client.get(), cb, cb);
  SSL_set_bio(pair.server.get(), sb, sb);
  SSL_set_connect_state(pair.client.get());
  SSL_set_accept_state(pair.server.get());
  // Ask for status per connection (vouch: ClientConfig::request_ocsp_status).
  if (ctx.stapling &&
      SSL_set_tlsext_status_type(pair.client.get(), TLSEXT_STATUSTYPE_ocsp) != 1)
    return false;
  return SSL_set_tlsext_host_name(pair.client.get(), "localhost") == 1 &&
         SSL_set1_host(pair.client.get(), "localhost") == 1 &&
         (session == nullptr || SSL_set_session(pair.client.get(), session) == 1);
}

bool want_io(SSL* ssl, int rc) {
  const int e = SSL_get_error(ssl, rc);
  return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

// Runs the handshake to completion, then lets the client read the server's
// NewSessionTickets (libssl processes them in SSL_read). Returns "" or what
// failed.
std::string libssl_handshake(LibsslPair& p) {
  SSL* c = p.client.get();
  SSL* s = p.server.get();
  bool c_done = false;
  bool s_done = false;
  for (int round = 0; round < 16 && !(c_done && s_done); ++round) {
    if (!c_done) {
      const int rc = SSL_do_handshake(c);
      if (rc == 1) {
        c_done = true;
      } else if (!want_io(c, rc)) {
        return "client: " + openssl_error() + " (verify: " +
               X509_verify_cert_error_string(SSL_get_verify_result(c)) + ")";
      }
    }
    if (!s_done) {
      const int rs = SSL_do_handshake(s);
      if (rs == 1) {
        s_done = true;
      } else if (!want_io(s, rs)) {
        return "server: " + openssl_error();
      }
    }
  }
  if (!(c_done && s_done)) return "handshake did not finish";
  unsigned char byte;
  const int n = SSL_read(c, &byte, 1);
  if (n > 0 || !want_io(c, n)) return "unexpected data or error after the handshake";
  return "";
}

void libssl_full_handshakes(benchmark::State& state, const LibsslContexts& ctx) {
  if (!ctx.error.empty()) {
    state.SkipWithError(ctx.error.c_str());
    return;
  }
  for (auto _ : state) {
    LibsslPair p;
    if (!libssl_pair(ctx, p)) {
      state.SkipWithError("SSL setup failed");
      break;
    }
    const std::string err = libssl_handshake(p);
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
  }
}

void BM_LibSSL_Handshake13(benchmark::State& state) {
  libssl_full_handshakes(state, libssl_contexts(Auth::server_only, 2));
}

void BM_LibSSL_HandshakeMtls13(benchmark::State& state) {
  libssl_full_handshakes(state, libssl_contexts(Auth::mutual, 2));
}

// The client's status callback refuses anything but a verified good staple,
// so a handshake that completes has checked it.
void BM_LibSSL_HandshakeStapled13(benchmark::State& state) {
  LibsslContexts ctx = libssl_contexts(Auth::server_only, 2);
  if (ctx.error.empty()) {
    auto staple = server_leaf_staple();
    ctx.error = staple.ok() ? libssl_enable_stapling(ctx, std::move(*staple))
                            : "making the staple: " + staple.error().to_string();
  }
  if (ctx.error.empty()) {
    // Once, untimed: the client did receive the staple (the callback passed).
    LibsslPair p;
    ctx.error = libssl_pair(ctx, p) ? libssl_handshake(p) : "SSL setup failed";
    const unsigned char* der = nullptr;
    if (ctx.error.empty() && SSL_get_tlsext_status_ocsp_resp(p.client.get(), &der) <= 0)
      ctx.error = "no staple received";
  }
  libssl_full_handshakes(state, ctx);
}

void BM_LibSSL_Resumption13(benchmark::State& state) {
  const LibsslContexts ctx = libssl_contexts(Auth::server_only, 1);
  if (!ctx.error.empty()) {
    state.SkipWithError(ctx.error.c_str());
    return;
  }
  SessionPtr session;
  {
    LibsslPair p;
    const bool ok = libssl_pair(ctx, p);
    const std::string err = ok ? libssl_handshake(p) : "SSL setup failed";
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      return;
    }
    session.reset(SSL_get1_session(p.client.get()));
    if (!session || SSL_SESSION_is_resumable(session.get()) != 1) {
      state.SkipWithError("no resumable session");
      return;
    }
  }
  for (auto _ : state) {
    LibsslPair p;
    if (!libssl_pair(ctx, p, session.get())) {
      state.SkipWithError("SSL setup failed");
      break;
    }
    const std::string err = libssl_handshake(p);
    if (!err.empty() || SSL_session_reused(p.client.get()) != 1) {
      state.SkipWithError(err.empty() ? "not resumed" : err.c_str());
      break;
    }
  }
}

// The handshake timing only the server's SSL_do_handshake calls (the
// client's run outside the timer). Seconds, or negative on failure.
double libssl_server_seconds(LibsslPair& p, std::string& err) {
  using Clock = std::chrono::steady_clock;
  Clock::duration spent{};
  SSL* c = p.client.get();
  SSL* s = p.server.get();
  bool c_done = false;
  bool s_done = false;
  for (int round = 0; round < 16 && !(c_done && s_done); ++round) {
    if (!c_done) {
      const int rc = SSL_do_handshake(c);
      if (rc == 1) {
        c_done = true;
      } else if (!want_io(c, rc)) {
        err = "client: " + openssl_error();
        return -1;
      }
    }
    if (!s_done) {
      const auto t0 = Clock::now();
      const int rs = SSL_do_handshake(s);
      spent += Clock::now() - t0;
      if (rs == 1) {
        s_done = true;
      } else if (!want_io(s, rs)) {
        err = "server: " + openssl_error();
        return -1;
      }
    }
  }
  // The client reads what the server sent last (its Finished, tickets).
  unsigned char byte;
  const int n = SSL_read(c, &byte, 1);
  if (!(c_done && s_done) || n > 0 || !want_io(c, n)) {
    err = "handshake did not finish";
    return -1;
  }
  return std::chrono::duration<double>(spent).count();
}

void libssl_server_handshakes(benchmark::State& state, const LibsslContexts& ctx, SSL_SESSION* session) {
  if (!ctx.error.empty()) {
    state.SkipWithError(ctx.error.c_str());
    return;
  }
  for (auto _ : state) {
    LibsslPair p;
    if (!libssl_pair(ctx, p, session)) {
      state.SkipWithError("SSL setup failed");
      break;
    }
    std::string err;
    const double seconds = libssl_server_seconds(p, err);
    if (seconds < 0 || (session && SSL_session_reused(p.server.get()) != 1)) {
      state.SkipWithError(err.empty() ? "not resumed" : err.c_str());
      break;
    }
    state.SetIterationTime(seconds);
  }
}

// One untimed full handshake's session (null on failure, err set).
SessionPtr libssl_first_session(const LibsslContexts& ctx, std::string& err) {
  LibsslPair p;
  err = !ctx.error.empty() ? ctx.error : !libssl_pair(ctx, p) ? "SSL setup failed" : libssl_handshake(p);
  if (!err.empty()) return nullptr;
  SessionPtr session(SSL_get1_session(p.client.get()));
  if (!session || SSL_SESSION_is_resumable(session.get()) != 1) {
    err = "no resumable session";
    return nullptr;
  }
  return session;
}

void BM_LibSSL_Handshake12(benchmark::State& state) {
  libssl_full_handshakes(state, libssl_contexts(Auth::server_only, 1, Version::tls12));
}

void BM_LibSSL_Handshake12_Server(benchmark::State& state) {
  libssl_server_handshakes(state, libssl_contexts(Auth::server_only, 1, Version::tls12), nullptr);
}

void libssl_resumptions12(benchmark::State& state, bool server_only) {
  const LibsslContexts ctx = libssl_contexts(Auth::server_only, 1, Version::tls12);
  std::string err;
  SessionPtr session = libssl_first_session(ctx, err);
  if (!session) {
    state.SkipWithError(err.c_str());
    return;
  }
  if (server_only) return libssl_server_handshakes(state, ctx, session.get());
  for (auto _ : state) {
    LibsslPair p;
    if (!libssl_pair(ctx, p, session.get())) {
      state.SkipWithError("SSL setup failed");
      break;
    }
    err = libssl_handshake(p);
    if (!err.empty() || SSL_session_reused(p.client.get()) != 1) {
      state.SkipWithError(err.empty() ? "not resumed" : err.c_str());
      break;
    }
  }
}

void BM_LibSSL_Resumption12(benchmark::State& state) { libssl_resumptions12(state, false); }
void BM_LibSSL_Resumption12_Server(benchmark::State& state) { libssl_resumptions12(state, true); }

void BM_LibSSL_Bulk(benchmark::State& state) {
  const LibsslContexts ctx = libssl_contexts(Auth::server_only, 0);
  LibsslPair p;
  const std::string err = !ctx.error.empty()      ? ctx.error
                          : !libssl_pair(ctx, p) ? "SSL setup failed"
                                                 : libssl_handshake(p);
  if (!err.empty()) {
    state.SkipWithError(err.c_str());
    return;
  }
  const std::vector<uint8_t> data(kBulkChunk, 0x5a);
  std::vector<uint8_t> in(kBulkChunk);
  for (auto _ : state) {
    if (SSL_write(p.client.get(), data.data(), static_cast<int>(data.size())) !=
        static_cast<int>(data.size())) {
      state.SkipWithError("SSL_write failed");
      break;
    }
    size_t got = 0;
    while (got < kBulkChunk) {
      const int n = SSL_read(p.server.get(), in.data() + got, static_cast<int>(kBulkChunk - got));
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    if (got != kBulkChunk) {
      state.SkipWithError("short read");
      break;
    }
    benchmark::DoNotOptimize(in.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(kBulkChunk));
}

}  // namespace

// Pairs are registered next to each other so the output reads as a table.
BENCHMARK(BM_Vouch_Handshake13)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LibSSL_Handshake13)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Vouch_Handshake13_NoVerifyCache)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Vouch_HandshakeStapled13)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LibSSL_HandshakeStapled13)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Vouch_Resumption13)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LibSSL_Resumption13)->Unit(benchmark::kMicrosecond);
// ServerConfig::client_auth / client_trust and ClientConfig::client_credentials
// exist (include/vouch/config.h), so the vouch side of the mTLS pair is
// registered; if the server side of mutual TLS is not finished, it reports
// the handshake error instead of a time.
BENCHMARK(BM_Vouch_HandshakeMtls13)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LibSSL_HandshakeMtls13)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Vouch_Handshake12)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LibSSL_Handshake12)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Vouch_Handshake12_Server)->Unit(benchmark::kMicrosecond)->UseManualTime();
BENCHMARK(BM_LibSSL_Handshake12_Server)->Unit(benchmark::kMicrosecond)->UseManualTime();
BENCHMARK(BM_Vouch_Resumption12)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LibSSL_Resumption12)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Vouch_Resumption12_Server)->Unit(benchmark::kMicrosecond)->UseManualTime();
BENCHMARK(BM_LibSSL_Resumption12_Server)->Unit(benchmark::kMicrosecond)->UseManualTime();
BENCHMARK(BM_Vouch_Bulk)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LibSSL_Bulk)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
