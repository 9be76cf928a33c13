// SSL_CTX_set_info_callback(3) and the alert texts (SSL_alert_type_string(3)).
//
// libssl reports each step of its state machine (SSL_CB_LOOP, SSL_CB_EXIT,
// named by SSL_state_string); vouch's state machines are other, so only the
// documented events are reported, at the moments libssl reports them:
// SSL_CB_HANDSHAKE_START in the first handshake call, SSL_CB_HANDSHAKE_DONE
// in the one that completes it, SSL_CB_WRITE_ALERT once our alert is
// written (close_notify, a fatal alert), SSL_CB_READ_ALERT once the peer's
// is read.
#include "info.h"

#include "errors.h"

namespace vouch::compat {

void info_event(const SSL* s, int where, int value) {
  auto cb = s->info_cb != nullptr ? s->info_cb : s->ctx.ctx->info_cb;
  if (cb == nullptr) return;
  CallbackErrors keep;
  cb(s, where, value);
}

}  // namespace vouch::compat

namespace {

// libssl 3.0's texts: the short and the long form of each alert description
// it names (RFC 5246 §7.2, RFC 6066, RFC 7301), "unknown" for the others —
// including some TLS 1.3 ones it never got texts for.
struct AlertText {
  int description;
  const char* short_text;
  const char* long_text;
};
constexpr AlertText kAlertTexts[] = {
    {0, "CN", "close notify"},
    {10, "UM", "unexpected_message"},
    {20, "BM", "bad record mac"},
    {21, "DC", "decryption failed"},
    {22, "RO", "record overflow"},
    {30, "DF", "decompression failure"},
    {40, "HF", "handshake failure"},
    {41, "NC", "no certificate"},
    {42, "BC", "bad certificate"},
    {43, "UC", "unsupported certificate"},
    {44, "CR", "certificate revoked"},
    {45, "CE", "certificate expired"},
    {46, "CU", "certificate unknown"},
    {47, "IP", "illegal parameter"},
    {48, "CA", "unknown CA"},
    {49, "AD", "access denied"},
    {50, "DE", "decode error"},
    {51, "CY", "decrypt error"},
    {60, "ER", "export restriction"},
    {70, "PV", "protocol version"},
    {71, "IS", "insufficient security"},
    {80, "IE", "internal error"},
    {90, "US", "user canceled"},
    {100, "NR", "no renegotiation"},
    {110, "UE", "unsupported extension"},
    {111, "CO", "certificate unobtainable"},
    {112, "UN", "unrecognized name"},
    {113, "BR", "bad certificate status response"},
    {114, "BH", "bad certificate hash value"},
    {115, "UP", "unknown PSK identity"},
    {120, "UK", "no application protocol"},  // libssl's short text, "UK" as for unknown
};

const AlertText* alert_text(int value) {
  for (const AlertText& t : kAlertTexts)
    if (t.description == (value & 0xff)) return &t;
  return nullptr;
}

}  // namespace

extern "C" {

void SSL_CTX_set_info_callback(SSL_CTX* ctx, void (*cb)(const SSL* ssl, int type, int val)) { ctx->info_cb = cb; }

void (*SSL_CTX_get_info_callback(SSL_CTX* ctx))(const SSL* ssl, int type, int val) { return ctx->info_cb; }

void SSL_set_info_callback(SSL* ssl, void (*cb)(const SSL* ssl, int type, int val)) { ssl->info_cb = cb; }

void (*SSL_get_info_callback(const SSL* ssl))(const SSL* ssl, int type, int val) { return ssl->info_cb; }

const char* SSL_alert_type_string_long(int value) {
  switch (value >> 8) {
    case 1: return "warning";
    case 2: return "fatal";
    default: return "unknown";
  }
}

const char* SSL_alert_type_string(int value) {
  switch (value >> 8) {
    case 1: return "W";
    case 2: return "F";
    default: return "U";
  }
}

const char* SSL_alert_desc_string_long(int value) {
  const AlertText* t = alert_text(value);
  return t != nullptr ? t->long_text : "unknown";
}

const char* SSL_alert_desc_string(int value) {
  const AlertText* t = alert_text(value);
  return t != nullptr ? t->short_text : "UK";
}

}  // extern "C"
