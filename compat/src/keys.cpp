// Key material for the program: the NSS key log lines
// (SSL_CTX_set_keylog_callback(3), vouch's CommonConfig::keylog) and keying
// material exporters (SSL_export_keying_material(3), vouch's
// Connection::export_keying_material: RFC 5705, RFC 8446 §7.5).
#include "keys.h"

#include <array>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>

#include "errors.h"

namespace vouch::compat {

namespace {

// The order libssl logs TLS 1.3 secrets in (as it installs each key): a
// client reads the server's flight first, a server writes its flight first.
// vouch derives them in another order; the lines are held back until the
// ones libssl logs before them are out, so a callback sees libssl's order
// (and, when a handshake fails half-way, the same first lines).
constexpr std::string_view kClientOrder13[] = {"SERVER_HANDSHAKE_TRAFFIC_SECRET", "EXPORTER_SECRET",
                                               "SERVER_TRAFFIC_SECRET_0", "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                                               "CLIENT_TRAFFIC_SECRET_0"};
constexpr std::string_view kServerOrder13[] = {"SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                                               "EXPORTER_SECRET", "SERVER_TRAFFIC_SECRET_0",
                                               "CLIENT_TRAFFIC_SECRET_0"};
constexpr size_t kOrdered = std::size(kClientOrder13);

struct KeylogOrder {
  const std::string_view* order;
  std::array<std::optional<std::string>, kOrdered> held;
  size_t next = 0;  // the first position not logged yet
};

void log_line(SSL* s, const std::string& line) {
  if (auto cb = s->ctx.ctx->keylog_cb) {
    CallbackErrors keep;
    cb(s, line.c_str());
  }
}

}  // namespace

std::function<void(const std::string&)> keylog_for(SSL* s) {
  // Only when a callback is set (formatting the lines costs a little on
  // every handshake); the context's callback at the moment of logging, as
  // libssl reads it.
  if (s->ctx.ctx->keylog_cb == nullptr) return nullptr;
  auto state = std::make_shared<KeylogOrder>();
  state->order = s->role == ssl_st::Role::server ? kServerOrder13 : kClientOrder13;
  return [s, state](const std::string& line) {
    const std::string_view label = std::string_view(line).substr(0, line.find(' '));
    size_t at = kOrdered;
    for (size_t i = 0; i < kOrdered; ++i)
      if (state->order[i] == label) at = i;
    if (at == kOrdered || at < state->next) {
      log_line(s, line);  // TLS 1.2's CLIENT_RANDOM, or a secret derived again
      return;
    }
    state->held[at] = line;
    while (state->next < kOrdered && state->held[state->next]) {
      log_line(s, *state->held[state->next]);
      state->held[state->next].reset();
      ++state->next;
    }
  };
}

}  // namespace vouch::compat

extern "C" {

void SSL_CTX_set_keylog_callback(SSL_CTX* ctx, SSL_CTX_keylog_cb_func cb) { ctx->keylog_cb = cb; }

SSL_CTX_keylog_cb_func SSL_CTX_get_keylog_callback(const SSL_CTX* ctx) { return ctx->keylog_cb; }

int SSL_export_keying_material(SSL* s, unsigned char* out, size_t olen, const char* label, size_t llen,
                               const unsigned char* context, size_t contextlen, int use_context) {
  const vouch::Connection* c = s->session();
  if (c == nullptr) {
    // libssl: -1 while the SSL has no session at all; with one (offered with
    // SSL_set_session, or a handshake under way) the export fails inside.
    if (!s->session_ref && !s->conn) return -1;
    vouch::compat::raise(vouch::compat::Reason::internal_error, "no established connection to export from");
    return 0;
  }
  std::optional<vouch::ByteView> ctx;
  if (use_context) ctx = vouch::ByteView(context, contextlen);
  auto exported = c->export_keying_material(std::string_view(label, llen), ctx, olen);
  if (!exported) {
    vouch::compat::raise(vouch::compat::Reason::internal_error, exported.error().to_string());
    return 0;
  }
  if (olen > 0) std::memcpy(out, exported->data(), olen);
  return 1;
}

}  // extern "C"
