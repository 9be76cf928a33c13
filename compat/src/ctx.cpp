// SSL_CTX: creation, reference counting, options, suites, verification
// settings and application data.
#include <openssl/crypto.h>

#include <chrono>
#include <memory>
#include <string>

#include "errors.h"
#include "objects.h"
#include "session_cache.h"

using vouch::compat::raise;
using vouch::compat::Reason;

extern "C" {

SSL_CTX* SSL_CTX_new(const SSL_METHOD* method) {
  if (method == nullptr) {
    raise(Reason::null_ssl_method_passed, "SSL_CTX_new: no method");
    return nullptr;
  }
  if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, nullptr) != 1) return nullptr;
  auto ctx = std::make_unique<ssl_ctx_st>();
  ctx->method = method;
  ctx->settings = vouch::compat::Settings::defaults();
  // libssl's context starts with an empty client CA list (not NULL).
  ctx->client_ca_names.reset(sk_X509_NAME_new_null());
  // libssl draws a context's ticket keys in SSL_CTX_new and never rotates
  // them: processes forked after it (nginx's workers) share them, so a
  // ticket one worker issued resumes at any other.
  ctx->ticket_keys = std::make_shared<vouch::TicketKeys>(std::chrono::seconds(0));
  if (CRYPTO_new_ex_data(CRYPTO_EX_INDEX_SSL_CTX, ctx.get(), &ctx->ex_data) != 1) {
    raise(Reason::internal_error, "SSL_CTX_new: cannot allocate ex_data");
    return nullptr;
  }
  return ctx.release();
}

int SSL_CTX_up_ref(SSL_CTX* ctx) {
  if (ctx == nullptr) return 0;
  ctx->references.fetch_add(1, std::memory_order_relaxed);
  return 1;
}

void SSL_CTX_free(SSL_CTX* ctx) {
  if (ctx == nullptr) return;
  if (ctx->references.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // Every cached session leaves (remove callback) while the context's
  // ex_data is still there for the callback, as in libssl.
  vouch::compat::flush_sessions(ctx, 0);
  // Application free callbacks see a complete context, as in libssl.
  CRYPTO_free_ex_data(CRYPTO_EX_INDEX_SSL_CTX, ctx, &ctx->ex_data);
  std::unique_ptr<ssl_ctx_st> owned(ctx);
}

uint64_t SSL_CTX_set_options(SSL_CTX* ctx, uint64_t op) { return ctx->settings.options |= op; }

uint64_t SSL_CTX_clear_options(SSL_CTX* ctx, uint64_t op) { return ctx->settings.options &= ~op; }

uint64_t SSL_CTX_get_options(const SSL_CTX* ctx) { return ctx->settings.options; }

int SSL_CTX_set_ciphersuites(SSL_CTX* ctx, const char* str) {
  if (str == nullptr) {
    raise(Reason::null_argument, "SSL_CTX_set_ciphersuites");
    return 0;
  }
  if (!vouch::compat::parse_ciphersuites(str, ctx->settings.cipher_suites)) {
    raise(Reason::no_cipher_match, std::string("cipher suite list \"") + str + "\"");
    return 0;
  }
  return 1;
}

int SSL_CTX_set_cipher_list(SSL_CTX* ctx, const char* str) {
  // The TLS 1.2 suites, in the order the string gives them.
  if (str == nullptr || !vouch::compat::parse_cipher_list(str, ctx->settings.cipher_suites12)) {
    raise(Reason::no_cipher_match, str ? std::string("cipher list \"") + str + "\"" : "NULL");
    return 0;
  }
  return 1;
}

void SSL_CTX_set_verify(SSL_CTX* ctx, int mode, SSL_verify_cb callback) {
  ctx->settings.verify_mode = mode;
  ctx->settings.verify_callback = callback;
}

void SSL_CTX_set_verify_depth(SSL_CTX* ctx, int depth) { ctx->settings.verify_depth = depth; }

int SSL_CTX_get_verify_mode(const SSL_CTX* ctx) { return ctx->settings.verify_mode; }

int SSL_CTX_get_verify_depth(const SSL_CTX* ctx) { return ctx->settings.verify_depth; }

SSL_verify_cb SSL_CTX_get_verify_callback(const SSL_CTX* ctx) {
  return ctx->settings.verify_callback;
}

int SSL_CTX_set_ex_data(SSL_CTX* ctx, int idx, void* data) {
  return CRYPTO_set_ex_data(&ctx->ex_data, idx, data);
}

void* SSL_CTX_get_ex_data(const SSL_CTX* ctx, int idx) {
  return CRYPTO_get_ex_data(&ctx->ex_data, idx);
}

}  // extern "C"
