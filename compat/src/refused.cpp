// libssl calls for features vouch does not have: 0-RTT early data (RFC 8446
// §4.2.10), kernel TLS sendfile, SRP (RFC 5054), the message callback. Each
// answers what libssl answers when the feature is off or unavailable, so a
// program built for libssl (nginx, curl) takes its ordinary path, and says
// why on the error queue. docs/libssl-abi.md lists them.
#include "errors.h"
#include "objects.h"

using vouch::compat::raise;
using vouch::compat::Reason;

extern "C" {

int SSL_CTX_set_max_early_data(SSL_CTX* ctx, uint32_t max_early_data) {
  // 0 is libssl's default (no early data): accepted. Anything else would
  // promise 0-RTT, which vouch neither accepts nor sends.
  if (ctx == nullptr) return 0;
  if (max_early_data != 0) {
    raise(Reason::not_supported_yet, "SSL_CTX_set_max_early_data: vouch has no 0-RTT early data");
    return 0;
  }
  ctx->max_early_data = 0;
  return 1;
}

uint32_t SSL_CTX_get_max_early_data(const SSL_CTX* ctx) { return ctx == nullptr ? 0 : ctx->max_early_data; }

int SSL_read_early_data(SSL* s, void* /*buf*/, size_t /*num*/, size_t* readbytes) {
  // A libssl server without early data runs the handshake here and answers
  // SSL_READ_EARLY_DATA_FINISH once it is done (no early data read), or
  // SSL_READ_EARLY_DATA_ERROR while it is not (SSL_get_error says why).
  if (readbytes != nullptr) *readbytes = 0;
  if (s == nullptr || !SSL_is_server(s)) {
    raise(Reason::not_server, "SSL_read_early_data");
    return SSL_READ_EARLY_DATA_ERROR;
  }
  return SSL_do_handshake(s) == 1 ? SSL_READ_EARLY_DATA_FINISH : SSL_READ_EARLY_DATA_ERROR;
}

int SSL_write_early_data(SSL* s, const void* /*buf*/, size_t /*num*/, size_t* written) {
  // No session of vouch's allows early data (max_early_data 0): libssl
  // refuses then too.
  (void)s;
  if (written != nullptr) *written = 0;
  raise(Reason::not_supported_yet, "SSL_write_early_data: vouch has no 0-RTT early data");
  return 0;
}

ossl_ssize_t SSL_sendfile(SSL* s, int /*fd*/, off_t /*offset*/, size_t /*size*/, int /*flags*/) {
  // libssl sends files only through kernel TLS; without it (always, with
  // vouch: BIO_get_ktls_send is 0) it answers -1 with this reason.
  (void)s;
  raise(Reason::uninitialized, "SSL_sendfile: no kernel TLS");
  return -1;
}

int SSL_CTX_set_srp_username(SSL_CTX* /*ctx*/, char* /*name*/) {
  raise(Reason::not_supported_yet, "SRP (RFC 5054) is not implemented");
  return 0;
}

int SSL_CTX_set_srp_password(SSL_CTX* /*ctx*/, char* /*password*/) {
  raise(Reason::not_supported_yet, "SRP (RFC 5054) is not implemented");
  return 0;
}

void SSL_CTX_set_msg_callback(SSL_CTX* ctx,
                              void (*cb)(int write_p, int version, int content_type, const void* buf,
                                         size_t len, SSL* ssl, void* arg)) {
  // Kept, never called: vouch has no per-message trace through this
  // callback (curl -v prints less).
  if (ctx != nullptr) ctx->msg_callback = cb;
}

}  // extern "C"
