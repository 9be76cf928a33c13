#include "objects.h"

namespace vouch::compat {

void OcspResponse::reset(unsigned char* d, long l) {
  OPENSSL_free(data);
  data = d;
  len = l;
}

CtxRef::CtxRef(SSL_CTX* c) : ctx(c) {
  if (ctx) SSL_CTX_up_ref(ctx);
}

CtxRef::~CtxRef() { SSL_CTX_free(ctx); }

void CtxRef::reset(SSL_CTX* c) {
  if (c != nullptr) SSL_CTX_up_ref(c);
  SSL_CTX_free(ctx);
  ctx = c;
}

}  // namespace vouch::compat

void ssl_st::reset_connection() {
  if (conn && completed) {
    last = std::move(conn);
  } else {
    conn.reset();
  }
  reader.reset();
  want = vouch::compat::Want::nothing;
  pending_client_cert.reset();
  pending_staple.reset();
  pending_server_credentials.reset();
  client_cert_retry_cert_cb = false;
  pha_request_queued = false;
  callback_failure.reset();
  shutdown = 0;
  close_notify_unreported = false;
  verify_result = X509_V_OK;
  completed = false;
  client_status_due = false;
  session_from_handshake = false;
  fatal = false;
  write_in_progress = -1;
  write_buffer = nullptr;
  peer = vouch::compat::PeerCerts();
}

void ssl_st::forget_last() {
  last.reset();
  peer = vouch::compat::PeerCerts();
}

const vouch::Connection* ssl_st::session() const {
  if (conn) return completed ? conn.get() : nullptr;
  return last.get();
}

const vouch::Connection* ssl_st::peer_source() const { return conn ? conn.get() : last.get(); }
