#include "ssl_api_harness.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <exception>

#include "bench_pem.h"

namespace vouch::bench::sslapi {
namespace {

constexpr const char* kHost = "localhost";

const char* suite13_name(Suite suite) {
  return suite == Suite::chacha20 ? "TLS_CHACHA20_POLY1305_SHA256" : "TLS_AES_128_GCM_SHA256";
}

bool configure_common(SSL_CTX* ctx, const Setup& setup) {
  const int v = setup.version == Version::tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
  // One version and one suite per scenario; the groups offered are libssl's
  // usual first three, the key share x25519 (the first).
  return SSL_CTX_set_min_proto_version(ctx, v) == 1 && SSL_CTX_set_max_proto_version(ctx, v) == 1 &&
         SSL_CTX_set_ciphersuites(ctx, suite13_name(setup.suite)) == 1 &&
         SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") == 1 &&
         SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1;
}

// The anchors and, for mutual TLS, the CA names a server's CertificateRequest
// carries (certificate_authorities), both from the root's file.
bool trust_root(SSL_CTX* ctx, const PemFiles& pem, bool name_cas) {
  if (SSL_CTX_load_verify_locations(ctx, pem.root.c_str(), nullptr) != 1) return false;
  if (!name_cas) return true;
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(pem.root.c_str());
  if (names == nullptr) return false;
  SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
  return true;
}

bool use_credential(SSL_CTX* ctx, const std::string& chain, const std::string& key) {
  return SSL_CTX_use_certificate_chain_file(ctx, chain.c_str()) == 1 &&
         SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) == 1;
}

// SSL_get_error for what a call returned, SSL_ERROR_NONE for success.
int outcome(SSL* ssl, int rc) { return rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, rc); }

const char* name_of(Side side) { return side == Side::client ? "client" : "server"; }

}  // namespace

std::string openssl_errors() {
  std::string out;
  char buf[256];
  while (const unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no error queued" : out;
}

Contexts make_contexts(const Setup& setup) {
  Contexts c;
  const PemFiles* files = nullptr;
  try {
    files = &pem_files();
  } catch (const std::exception& e) {
    c.error = e.what();
    return c;
  }
  const PemFiles& pem = *files;
  c.client.reset(SSL_CTX_new(TLS_client_method()));
  c.server.reset(SSL_CTX_new(TLS_server_method()));
  if (!c.client || !c.server || !configure_common(c.client.get(), setup) ||
      !configure_common(c.server.get(), setup)) {
    c.error = "SSL_CTX setup: " + openssl_errors();
    return c;
  }
  // The client verifies the server's chain against the root; the name is
  // set per connection (SSL_set1_host).
  SSL_CTX_set_verify(c.client.get(), SSL_VERIFY_PEER, nullptr);
  if (!trust_root(c.client.get(), pem, false)) {
    c.error = "client anchors: " + openssl_errors();
    return c;
  }
  // Stateless tickets only: no server-side session cache.
  SSL_CTX_set_session_cache_mode(c.server.get(), SSL_SESS_CACHE_OFF);
  if (!use_credential(c.server.get(), pem.server_chain, pem.server_key) ||
      SSL_CTX_set_num_tickets(c.server.get(), static_cast<size_t>(setup.num_tickets)) != 1) {
    c.error = "server credential: " + openssl_errors();
    return c;
  }
  if (setup.mutual) {
    SSL_CTX_set_verify(c.server.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    if (!trust_root(c.server.get(), pem, true) ||
        !use_credential(c.client.get(), pem.client_chain, pem.client_key)) {
      c.error = "mutual TLS setup: " + openssl_errors();
      return c;
    }
  }
  return c;
}

Pair::Pair(const Contexts& contexts, bool release_when_empty)
    : contexts_(contexts), link_(release_when_empty) {}

Pair::~Pair() {
  SideMeter untimed(Side::client);
  free_side(untimed, Side::client);
  free_side(untimed, Side::server);
}

std::string Pair::open(SideMeter& meter, const SessionPtr& resume) {
  // Making the BIOs is transport, not a TLS library call: untimed.
  BIO* cb = client_bio(link_);
  BIO* sb = server_bio(link_);
  if (cb == nullptr || sb == nullptr) {
    BIO_free(cb);
    BIO_free(sb);
    return "making the BIOs: " + openssl_errors();
  }
  const bool client_ok = meter.on(Side::client, [&] {
    client_ = SSL_new(contexts_.client.get());
    if (client_ == nullptr) return false;
    SSL_set_bio(client_, cb, cb);
    SSL_set_connect_state(client_);
    return SSL_set_tlsext_host_name(client_, kHost) == 1 && SSL_set1_host(client_, kHost) == 1 &&
           (resume == nullptr || SSL_set_session(client_, resume.get()) == 1);
  });
  if (client_ == nullptr) BIO_free(cb);
  const bool server_ok = meter.on(Side::server, [&] {
    server_ = SSL_new(contexts_.server.get());
    if (server_ == nullptr) return false;
    SSL_set_bio(server_, sb, sb);
    SSL_set_accept_state(server_);
    return true;
  });
  if (server_ == nullptr) BIO_free(sb);
  if (!client_ok) return "client setup: " + openssl_errors();
  if (!server_ok) return "server setup: " + openssl_errors();
  return "";
}

std::string Pair::handshake(SideMeter& meter) {
  bool client_done = false;
  bool server_done = false;
  // A full TLS 1.3 handshake takes two rounds, TLS 1.2 three; a stall shows
  // as running out of rounds.
  for (int round = 0; round < 8 && !(client_done && server_done); ++round) {
    for (const Side side : {Side::client, Side::server}) {
      bool& done = side == Side::client ? client_done : server_done;
      if (done) continue;
      SSL* ssl = end(side);
      const int e = meter.on(side, [&] { return outcome(ssl, SSL_do_handshake(ssl)); });
      if (e == SSL_ERROR_NONE) {
        done = true;
      } else if (e != SSL_ERROR_WANT_READ) {
        std::string why = std::string(name_of(side)) + " handshake: " + openssl_errors();
        if (side == Side::client && SSL_get_verify_result(ssl) != X509_V_OK)
          why += std::string(" (verify: ") + X509_verify_cert_error_string(SSL_get_verify_result(ssl)) + ")";
        return why;
      }
    }
  }
  if (!(client_done && server_done)) return "handshake did not finish";
  for (const Side side : {Side::client, Side::server}) {
    std::string err = drain(meter, side);
    if (!err.empty()) return err;
  }
  return "";
}

std::string Pair::drain(SideMeter& meter, Side side) {
  SSL* ssl = end(side);
  unsigned char byte;
  const int e = meter.on(side, [&] { return outcome(ssl, SSL_read(ssl, &byte, 1)); });
  if (e == SSL_ERROR_WANT_READ) return "";
  if (e == SSL_ERROR_NONE) return std::string(name_of(side)) + ": unexpected application data";
  return std::string(name_of(side)) + " read: SSL_get_error " + std::to_string(e) + ": " + openssl_errors();
}

std::string Pair::check(const Setup& setup, bool resumed) const {
  if (SSL_get_verify_result(client_) != X509_V_OK) return "client: server chain not verified";
  if (setup.mutual &&
      (SSL_get0_peer_certificate(server_) == nullptr || SSL_get_verify_result(server_) != X509_V_OK))
    return "server: client chain not received or not verified";
  if (resumed && (SSL_session_reused(server_) != 1 || SSL_session_reused(client_) != 1)) return "not resumed";
  const char* want = setup.version == Version::tls12 ? "ECDHE-ECDSA-AES128-GCM-SHA256" : suite13_name(setup.suite);
  const char* got = SSL_CIPHER_get_name(SSL_get_current_cipher(client_));
  if (got == nullptr || std::string(got) != want) return std::string("negotiated ") + (got ? got : "nothing");
  return "";
}

SessionPtr Pair::take_session(SideMeter& meter) {
  return SessionPtr(meter.on(Side::client, [&] { return SSL_get1_session(client_); }));
}

std::string Pair::transfer(const std::vector<unsigned char>& data, std::vector<unsigned char>& in, int64_t& ns) {
  int written = 0;
  size_t got = 0;
  {
    CpuSpan span(ns);
    const CollectScope collect;
    written = SSL_write(client_, data.data(), static_cast<int>(data.size()));
    while (got < in.size()) {
      const int n = SSL_read(server_, in.data() + got, static_cast<int>(in.size() - got));
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
  }
  if (written != static_cast<int>(data.size())) return "SSL_write: " + openssl_errors();
  if (got != in.size()) return "SSL_read: " + openssl_errors();
  return "";
}

std::string Pair::client_subject(SideMeter& meter) {
  char line[256] = "";
  meter.on(Side::server, [&] {
    const X509* leaf = SSL_get0_peer_certificate(server_);
    if (leaf != nullptr) X509_NAME_oneline(X509_get_subject_name(leaf), line, sizeof line);
  });
  return line;
}

void Pair::free_side(SideMeter& meter, Side side) {
  SSL*& ssl = side == Side::client ? client_ : server_;
  if (ssl == nullptr) return;
  meter.on(side, [&] {
    // libssl marks the session of an SSL freed without a shutdown as not
    // resumable; a program that closed cleanly would have these flags.
    SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl);
  });
  ssl = nullptr;
}

}  // namespace vouch::bench::sslapi
