// Application data and closing: SSL_read, SSL_write, SSL_pending,
// SSL_shutdown (RFC 8446 §6.1 close_notify).
#include <algorithm>
#include <climits>
#include <span>
#include <utility>

#include "driver.h"
#include "errors.h"
#include "info.h"
#include "internal/compat_seam.h"
#include "transport.h"

using vouch::compat::Io;
using vouch::compat::raise;
using vouch::compat::Reason;
using vouch::compat::Want;

namespace {

// What every data call checks first; 1 when the connection is established.
// `reading`: SSL_read, which returns 0 at once once the peer closed — with
// close_notify or a fatal alert — before looking at the handshake (libssl's
// order).
int ready_for_data(SSL* s, int num, bool reading) {
  s->want = Want::nothing;
  if (num < 0) {
    raise(Reason::bad_length, "negative length");
    return -1;
  }
  if (s->role == ssl_st::Role::unset) {
    raise(Reason::uninitialized);
    return -1;
  }
  if (reading && (s->shutdown & SSL_RECEIVED_SHUTDOWN)) return 0;
  // As in libssl, a data call first finishes the handshake — or the answer
  // to a post-handshake CertificateRequest that waits for the client
  // certificate callback.
  return s->completed && !s->pending_client_cert ? 1 : vouch::compat::run_handshake(s);
}

// Writes what SSL_shutdown queued; once our close_notify is out, the info
// callback hears of it (once).
bool flush_close_notify(SSL* s) {
  if (vouch::compat::flush_output(s, true) != Io::done) return false;
  if (s->close_notify_unreported) {
    s->close_notify_unreported = false;
    vouch::compat::info_event(s, SSL_CB_WRITE_ALERT, vouch::compat::alert_value(SSL3_AL_WARNING, SSL_AD_CLOSE_NOTIFY));
  }
  return true;
}

}  // namespace

extern "C" {

int SSL_read(SSL* s, void* buf, int num) {
  if (int r = ready_for_data(s, num, true); r <= 0) return r;
  // As in run_handshake: one HMAC key wipe per call, however many records.
  const vouch::HmacWipeScope wipe_hmac_keys_on_return;
  if (s->fatal) return vouch::compat::fail_again(s);
  vouch::Connection& conn = *s->conn;
  // Records without application data (tickets, key updates) are read past,
  // as with SSL_MODE_AUTO_RETRY.
  for (;;) {
    if (conn.pending_application_data() > 0) {
      // Answers queued while reading (a post-handshake Certificate flight)
      // go out before the data is returned, as libssl writes them inside
      // SSL_read.
      if (!conn.pending_output().empty() && vouch::compat::flush_output(s, true) != Io::done) return -1;
      const size_t n = conn.read(std::span<uint8_t>(static_cast<uint8_t*>(buf), static_cast<size_t>(num)));
      return static_cast<int>(n);
    }
    if (conn.peer_closed()) {
      s->shutdown |= SSL_RECEIVED_SHUTDOWN;
      return 0;
    }
    if (conn.failed()) {
      // libssl's SSL_read returns 0 for a fatal alert received from the
      // peer (-1 for what it detects itself); SSL_ERROR_SSL either way.
      const bool peer_alert = conn.error() != nullptr && conn.error()->from_peer;
      const int r = vouch::compat::fail_connection(s);
      return peer_alert ? 0 : r;
    }
    if (s->pending_client_cert) {
      // The record just read was a post-handshake CertificateRequest and
      // the client certificate callback returned a negative value: libssl
      // returns from the SSL_read that processed it, in init again; the
      // next call asks the callback again (run_handshake).
      if (!conn.pending_output().empty() && vouch::compat::flush_output(s, true) != Io::done) return -1;
      s->want = Want::x509_lookup;
      return -1;
    }
    // Answers the connection queued (a KeyUpdate in return) go out first.
    if (vouch::compat::flush_output(s, false) != Io::done) return -1;
    switch (vouch::compat::feed_one_record(s)) {
      case Io::done:
        if ((s->settings.mode & SSL_MODE_AUTO_RETRY) == 0 && conn.pending_application_data() == 0 &&
            !conn.peer_closed() && !conn.failed() && !s->pending_client_cert) {
          // SSL_MODE_AUTO_RETRY cleared: libssl returns from the SSL_read
          // that processed a record without application data (a ticket, a
          // key update ...), asking to be called again, even when more
          // waits in the BIO.
          if (vouch::compat::flush_output(s, false) != Io::done) return -1;
          s->want = Want::read;
          return -1;
        }
        continue;
      case Io::eof: return vouch::compat::unexpected_eof(s);
      case Io::blocked:
      case Io::failed: return -1;
    }
  }
}

int SSL_write(SSL* s, const void* buf, int num) {
  s->want = Want::nothing;
  if (s->shutdown & SSL_SENT_SHUTDOWN) {
    raise(Reason::protocol_is_shutdown);
    return -1;
  }
  if (int r = ready_for_data(s, num, false); r <= 0) return r;
  if (s->fatal) return vouch::compat::fail_again(s);
  // A write that stopped on SSL_ERROR_WANT_WRITE is finished by the retry
  // (libssl asks for the same arguments; its records are already queued).
  // libssl refuses a retry with less data, and one from another buffer
  // unless SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; the connection is then in
  // its error state.
  if (s->write_in_progress >= 0) {
    const bool moved = buf != s->write_buffer && (s->settings.mode & SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER) == 0;
    if (num < s->write_in_progress || moved) {
      raise(moved ? Reason::bad_write_retry : Reason::bad_length,
            moved ? "SSL_write retried from another buffer" : "SSL_write retried with less data");
      s->fatal = true;
      return -1;
    }
  }
  if (s->write_in_progress < 0) {
    if (num == 0) return 0;
    // SSL_MODE_ENABLE_PARTIAL_WRITE: libssl returns once one record is
    // written (at most 2^14 bytes of data, RFC 8446 §5.1, RFC 5246 §6.2.1).
    if (s->settings.mode & SSL_MODE_ENABLE_PARTIAL_WRITE) num = std::min(num, static_cast<int>(vouch::kMaxPlaintext));
    vouch::Status status = [&] {
      vouch::compat::QuietErrors quiet;
      return s->conn->write(vouch::ByteView(static_cast<const uint8_t*>(buf), static_cast<size_t>(num)));
    }();
    if (s->conn->failed()) return vouch::compat::fail_connection(s);
    if (!status) {
      raise(Reason::internal_error, status.error().to_string());
      return -1;
    }
    s->write_in_progress = num;
    s->write_buffer = buf;
  }
  if (vouch::compat::flush_output(s, false) != Io::done) return -1;
  return std::exchange(s->write_in_progress, -1);
}

int SSL_pending(const SSL* s) {
  if (!s->conn) return 0;
  return static_cast<int>(std::min<size_t>(s->conn->pending_application_data(), INT_MAX));
}

int SSL_has_pending(const SSL* s) { return SSL_pending(s) > 0 || s->reader.partial() ? 1 : 0; }

int SSL_shutdown(SSL* s) {
  s->want = Want::nothing;
  if (s->role == ssl_st::Role::unset) {
    raise(Reason::uninitialized);
    return -1;
  }
  // libssl closes only established connections: before or during the
  // handshake (also while a post-handshake CertificateRequest waits for the
  // client certificate callback: libssl is in init then), and after a fatal
  // error, this is an error.
  if (!s->conn || !s->completed || s->pending_client_cert || s->fatal || s->conn->failed()) {
    raise(Reason::shutdown_while_in_init);
    return -1;
  }
  if (s->quiet_shutdown) {
    // SSL_set_quiet_shutdown(3): nothing is sent or awaited; the connection
    // counts as closed both ways.
    s->shutdown = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;
    return 1;
  }
  vouch::Connection& conn = *s->conn;
  if ((s->shutdown & SSL_SENT_SHUTDOWN) == 0) {
    s->shutdown |= SSL_SENT_SHUTDOWN;
    {
      vouch::compat::QuietErrors quiet;
      (void)conn.close();
    }
    s->close_notify_unreported = true;
    if (!flush_close_notify(s)) return -1;
  } else if (!conn.pending_output().empty()) {
    if (!flush_close_notify(s)) return -1;
  } else if ((s->shutdown & SSL_RECEIVED_SHUTDOWN) == 0) {
    // Wait for the peer's close_notify; application data still arriving is
    // discarded.
    while ((s->shutdown & SSL_RECEIVED_SHUTDOWN) == 0 && !conn.peer_closed()) {
      uint8_t scratch[4096];
      while (conn.read(scratch) > 0) {
      }
      if (conn.failed()) return vouch::compat::fail_connection(s);
      switch (vouch::compat::feed_one_record(s)) {
        case Io::done: continue;
        case Io::eof:
          (void)vouch::compat::unexpected_eof(s);
          if (s->fatal) return -1;
          break;
        case Io::blocked:
        case Io::failed: return -1;
      }
    }
  }
  if (conn.peer_closed()) s->shutdown |= SSL_RECEIVED_SHUTDOWN;
  const bool both = s->shutdown == (SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  return both && conn.pending_output().empty() ? 1 : 0;
}

int SSL_get_shutdown(const SSL* s) { return s->shutdown; }

void SSL_set_shutdown(SSL* s, int mode) {
  // The flags as given: SSL_SENT_SHUTDOWN stops SSL_write and makes
  // SSL_shutdown only wait for the peer (and keeps the session resumable
  // through SSL_free); SSL_RECEIVED_SHUTDOWN makes SSL_read answer 0.
  s->shutdown = mode;
}

void SSL_set_quiet_shutdown(SSL* s, int mode) { s->quiet_shutdown = mode; }

int SSL_get_quiet_shutdown(const SSL* s) { return s->quiet_shutdown; }

void SSL_CTX_set_quiet_shutdown(SSL_CTX* ctx, int mode) { ctx->quiet_shutdown = mode; }

int SSL_CTX_get_quiet_shutdown(const SSL_CTX* ctx) { return ctx->quiet_shutdown; }

int SSL_get_error(const SSL* s, int ret) {
  if (ret > 0) return SSL_ERROR_NONE;
  // An error on the queue decides, as in libssl (the program is expected to
  // have cleared the queue before the call).
  if (const unsigned long e = ERR_peek_error(); e != 0) {
    return ERR_GET_LIB(e) == ERR_LIB_SYS ? SSL_ERROR_SYSCALL : SSL_ERROR_SSL;
  }
  switch (s->want) {
    case Want::read: return SSL_ERROR_WANT_READ;
    case Want::write: return SSL_ERROR_WANT_WRITE;
    case Want::x509_lookup: return SSL_ERROR_WANT_X509_LOOKUP;
    case Want::nothing: break;
  }
  if (s->shutdown & SSL_RECEIVED_SHUTDOWN) return SSL_ERROR_ZERO_RETURN;
  return SSL_ERROR_SYSCALL;
}

}  // extern "C"
