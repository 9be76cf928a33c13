// SSL: creation from a context, SSL_clear, roles, per-connection settings
// and application data.
#include <openssl/crypto.h>

#include <memory>
#include <string>

#include "errors.h"
#include "objects.h"
#include "session.h"

using vouch::compat::raise;
using vouch::compat::Reason;

namespace {

// The SSL's own suite lists, from its context's current ones, before a
// change to one of them: libssl copies the context's list at the first
// SSL_set_ciphersuites / SSL_set_cipher_list, and the SSL keeps its lists
// from then on.
void own_cipher_lists(SSL* s) {
  vouch::compat::Settings& st = s->settings;
  if (st.own_cipher_lists) return;
  st.cipher_suites = s->ctx.ctx->settings.cipher_suites;
  st.cipher_suites12 = s->ctx.ctx->settings.cipher_suites12;
  st.own_cipher_lists = true;
}

}  // namespace

extern "C" {

SSL* SSL_new(SSL_CTX* ctx) {
  if (ctx == nullptr) {
    raise(Reason::null_ssl_ctx, "SSL_new: no context");
    return nullptr;
  }
  auto s = std::make_unique<ssl_st>(ctx);
  // libssl copies the context's settings here; later changes to the context
  // do not reach this SSL.
  s->settings = ctx->settings.copy();
  s->status_type = ctx->status_type;
  s->quiet_shutdown = ctx->quiet_shutdown;
  // The role is chosen by SSL_set_connect_state / SSL_set_accept_state, or
  // implicitly by SSL_connect / SSL_accept, whatever the method (libssl).
  if (CRYPTO_new_ex_data(CRYPTO_EX_INDEX_SSL, s.get(), &s->ex_data) != 1) {
    raise(Reason::internal_error, "SSL_new: cannot allocate ex_data");
    return nullptr;
  }
  return s.release();
}

void SSL_free(SSL* s) {
  if (s == nullptr) return;
  vouch::compat::clear_bad_session(s);
  CRYPTO_free_ex_data(CRYPTO_EX_INDEX_SSL, s, &s->ex_data);
  // Each slot holds its own reference (SSL_set_bio).
  BIO_free_all(s->rbio);
  BIO_free_all(s->wbio);
  std::unique_ptr<ssl_st> owned(s);
}

int SSL_want(const SSL* s) {
  switch (s->want) {
    case vouch::compat::Want::read: return SSL_READING;
    case vouch::compat::Want::write: return SSL_WRITING;
    case vouch::compat::Want::x509_lookup: return SSL_X509_LOOKUP;
    case vouch::compat::Want::nothing: break;
  }
  return SSL_NOTHING;
}

int SSL_clear(SSL* s) {
  // Ready for a new connection with the same settings, certificate, BIOs
  // and role; the session stays, unless it may not be resumed.
  vouch::compat::clear_bad_session(s);
  s->reset_connection();
  return 1;
}

SSL_CTX* SSL_get_SSL_CTX(const SSL* s) { return s->ctx.ctx; }

void SSL_set_connect_state(SSL* s) {
  s->reset_connection();
  s->role = ssl_st::Role::client;
}

void SSL_set_accept_state(SSL* s) {
  s->reset_connection();
  s->role = ssl_st::Role::server;
}

int SSL_is_server(const SSL* s) {
  if (s->role != ssl_st::Role::unset) return s->role == ssl_st::Role::server ? 1 : 0;
  // libssl: an SSL of a method that can accept counts as a server until a
  // role is chosen.
  return s->ctx.ctx->method->role == ssl_method_st::Role::client ? 0 : 1;
}

uint64_t SSL_set_options(SSL* s, uint64_t op) { return s->settings.options |= op; }

uint64_t SSL_clear_options(SSL* s, uint64_t op) { return s->settings.options &= ~op; }

uint64_t SSL_get_options(const SSL* s) { return s->settings.options; }

int SSL_set_ciphersuites(SSL* s, const char* str) {
  own_cipher_lists(s);
  if (str == nullptr || !vouch::compat::parse_ciphersuites(str, s->settings.cipher_suites)) {
    raise(Reason::no_cipher_match, "cipher suite list");
    return 0;
  }
  return 1;
}

int SSL_set_cipher_list(SSL* s, const char* str) {
  own_cipher_lists(s);
  if (str == nullptr || !vouch::compat::parse_cipher_list(str, s->settings.cipher_suites12)) {
    raise(Reason::no_cipher_match, str ? std::string("cipher list \"") + str + "\"" : "NULL");
    return 0;
  }
  return 1;
}

void SSL_set_verify(SSL* s, int mode, SSL_verify_cb callback) {
  s->settings.verify_mode = mode;
  if (callback != nullptr) s->settings.verify_callback = callback;
}

void SSL_set_verify_depth(SSL* s, int depth) { s->settings.verify_depth = depth; }

int SSL_set1_host(SSL* s, const char* hostname) {
  const std::string name = hostname != nullptr ? hostname : "";
  if (name.size() > 253) {  // RFC 1035 §2.3.4: a DNS name's limit
    raise(Reason::bad_value, "SSL_set1_host: a name longer than 253 bytes");
    return 0;
  }
  s->settings.verify_host = name;
  return 1;
}

int SSL_get_verify_mode(const SSL* s) { return s->settings.verify_mode; }

int SSL_get_verify_depth(const SSL* s) { return s->settings.verify_depth; }

int SSL_set_ex_data(SSL* s, int idx, void* data) {
  return CRYPTO_set_ex_data(&s->ex_data, idx, data);
}

void* SSL_get_ex_data(const SSL* s, int idx) { return CRYPTO_get_ex_data(&s->ex_data, idx); }

}  // extern "C"
