#include "driver.h"

#include <optional>
#include <string>

#include "internal/compat_seam.h"
#include "cert_cb.h"
#include "client_cert.h"
#include "config.h"
#include "errors.h"
#include "info.h"
#include "session.h"
#include "session_cache.h"
#include "status.h"
#include "transport.h"
#include "verify_callback.h"
#include "verify_result.h"

namespace vouch::compat {
namespace {

// A range without TLS 1.2 or TLS 1.3 (the versions vouch speaks) fails
// here, as libssl fails a range it has no version left in.
bool check_versions(const SSL* s) {
  ProtocolVersion min, max;
  if (version_range(s->settings, min, max)) return true;
  raise(Reason::no_protocols_available);
  return false;
}

bool start_connection(SSL* s) {
  info_event(s, SSL_CB_HANDSHAKE_START, 1);
  if (!check_versions(s)) return false;
  count_handshake_start(s);
  s->forget_last();
  QuietErrors quiet;
  if (s->role == ssl_st::Role::client) {
    // libssl drops the last staple when it builds a ClientHello.
    s->ocsp_response.reset();
    s->conn = Connection::client(client_config(s), s->host_name, session_to_offer(s));
    // A failure (no name to verify, no anchors ...) is kept by the
    // connection and reported by the run loop.
    (void)s->conn->start();
  } else {
    s->conn = Connection::server(server_config(s));
  }
  return true;
}

// libssl's own reason for a handshake_failure vouch's server sent, where
// libssl has one: an empty client Certificate under
// SSL_VERIFY_FAIL_IF_NO_PEER_CERT in TLS 1.2 (RFC 5246 §7.4.6; TLS 1.3's
// certificate_required maps to the same reason anyway), no cipher suite in
// common or none a certificate fits.
std::optional<Reason> server_handshake_failure_reason(const SSL* s, const Error& e) {
  if (s->role != ssl_st::Role::server || e.from_peer || e.alert != Alert::handshake_failure) return std::nullopt;
  auto says = [&](const char* text) { return e.reason.find(text) != std::string::npos; };
  if (s->conn->info().version == ProtocolVersion::tls12 && says("sent no certificate"))
    return Reason::peer_did_not_return_a_certificate;
  if (says("cipher suite in common") || says("no certificate fits a TLS 1.2 cipher suite"))
    return Reason::no_shared_cipher;
  return std::nullopt;
}

void on_handshake_complete(SSL* s) {
  s->completed = true;
  note_handshake_session(s);
  count_handshake_done(s);
  info_event(s, SSL_CB_HANDSHAKE_DONE, 1);
  // SSL_VERIFY_NONE on a client: libssl verified anyway and recorded the
  // outcome without acting on it (see verify_result.h).
  if (s->role == ssl_st::Role::client && (s->settings.verify_mode & SSL_VERIFY_PEER) == 0) {
    s->verify_result = verify_result_of(s->ctx.ctx->trust, s->conn->peer_chain(), true,
                                        s->settings.verify_depth, s->settings.verify_host,
                                        verify_callback_for(s));
  }
}

}  // namespace

int fail_connection(SSL* s) {
  (void)flush_output(s, true);  // the alert, best effort
  s->want = Want::nothing;
  const Error* e = s->conn->error();
  // The fatal alert vouch sent, or the one the peer sent (info callback).
  if (e != nullptr)
    info_event(s, e->from_peer ? SSL_CB_READ_ALERT : SSL_CB_WRITE_ALERT,
               alert_value(SSL3_AL_FATAL, static_cast<int>(e->alert)));
  if (s->callback_failure) {
    // An application callback failed the handshake: libssl's reason for it.
    raise(*s->callback_failure, e != nullptr ? e->to_string() : std::string());
  } else if (e == nullptr) {
    raise(Reason::internal_error, "connection failed without an error");
  } else {
    if (!e->from_peer) {
      if (auto code = x509_verify_error_of(*e)) s->verify_result = *code;
    }
    if (auto reason = server_handshake_failure_reason(s, *e)) {
      raise(*reason, e->to_string());
    } else {
      raise_connection_error(*e, !s->completed);
    }
    // libssl: a fatal alert from the peer also counts as its shutdown, so
    // SSL_read answers 0 (SSL_ERROR_ZERO_RETURN) from then on.
    if (e->from_peer) s->shutdown |= SSL_RECEIVED_SHUTDOWN;
  }
  s->fatal = true;
  drop_failed_session(s);
  return -1;
}

int fail_again(SSL* s) {
  // libssl in its error state returns -1 and pushes nothing: the program
  // sees SSL_ERROR_SYSCALL. The first error was reported when it happened.
  s->want = Want::nothing;
  return -1;
}

int unexpected_eof(SSL* s) {
  if (s->settings.options & SSL_OP_IGNORE_UNEXPECTED_EOF) {
    s->shutdown |= SSL_RECEIVED_SHUTDOWN;
    return 0;
  }
  // libssl 3 returns 0 here, with the reason on the queue (SSL_ERROR_SSL).
  raise(Reason::unexpected_eof);
  s->fatal = true;
  return 0;
}

int run_handshake(SSL* s) {
  // One wipe of the thread's HMAC keys when this call returns, not one per
  // record fed to the connection (crypto/hash.h).
  const HmacWipeScope wipe_hmac_keys_on_return;
  s->want = Want::nothing;
  if (s->role == ssl_st::Role::unset) {
    raise(Reason::connection_type_not_set);
    return -1;
  }
  if (s->completed) {
    if (s->pending_client_cert && !s->fatal) {
      // A post-handshake CertificateRequest (RFC 8446 §4.6.2) whose client
      // certificate callback returned a negative value: libssl is in init
      // again, and SSL_read / SSL_write / SSL_do_handshake each call the
      // callback again until it answers (SSL_CTX_set_client_cert_cb(3)).
      {
        QuietErrors quiet;
        if (!retry_client_certificate(s)) {
          s->want = Want::x509_lookup;
          return -1;
        }
        (void)s->conn->resume();
      }
      if (s->conn->failed()) return fail_connection(s);
    }
    // What the established connection queued (a post-handshake
    // CertificateRequest, or the client's answer to one) goes out, as
    // libssl's state machine writes it.
    if (s->conn && !s->conn->pending_output().empty() && flush_output(s, true) != Io::done) return -1;
    return 1;
  }
  if (s->fatal) return fail_again(s);
  if (!s->conn && !start_connection(s)) return -1;
  if (s->pending_client_cert) {
    // SSL_CTX_set_client_cert_cb(3): after a negative answer, the next call
    // of the handshake function calls the callback again.
    QuietErrors quiet;
    if (!retry_client_certificate(s)) {
      s->want = Want::x509_lookup;
      return -1;
    }
    (void)s->conn->resume();
  }
  if (s->pending_staple) {
    // VOUCH_SSL_TLSEXT_ERR_RETRY_LATER (a vouch extension): the next
    // handshake call calls the status callback again.
    QuietErrors quiet;
    if (!retry_status_callback(s)) {
      s->want = Want::x509_lookup;
      return -1;
    }
    (void)s->conn->resume();
  }
  if (s->pending_server_credentials) {
    // SSL_CTX_set_cert_cb(3) on a server: after a negative answer, the next
    // handshake call calls the callback again; nothing was sent meanwhile.
    QuietErrors quiet;
    if (!retry_server_certificate(s)) {
      s->want = Want::x509_lookup;
      return -1;
    }
    (void)s->conn->resume();
  }
  // Each round writes what is queued or reads one record: it ends when the
  // handshake completes, fails, or a BIO has nothing more to give.
  for (;;) {
    if (s->conn->failed()) return fail_connection(s);
    switch (flush_output(s, true)) {
      case Io::done: break;
      case Io::blocked: return -1;
      case Io::eof:
      case Io::failed: return -1;
    }
    if (s->conn->handshake_complete()) {
      on_handshake_complete(s);
      return 1;
    }
    switch (s->conn->wait()) {
      case Wait::read:
        switch (feed_one_record(s)) {
          case Io::done: continue;
          case Io::blocked: return -1;
          case Io::eof:
            // With SSL_OP_IGNORE_UNEXPECTED_EOF this reads as a close_notify
            // (SSL_ERROR_ZERO_RETURN); the handshake still did not finish.
            (void)unexpected_eof(s);
            return -1;
          case Io::failed: return -1;
        }
        return -1;
      case Wait::client_certificate:
        // A client certificate selector answered "later" (the client
        // certificate callback returned a negative value).
        s->want = Want::x509_lookup;
        return -1;
      case Wait::ocsp_staple:
        // The status callback answered VOUCH_SSL_TLSEXT_ERR_RETRY_LATER:
        // reported as WANT_X509_LOOKUP, "call the handshake again".
        s->want = Want::x509_lookup;
        return -1;
      case Wait::server_certificate:
        // The certificate callback (SSL_CTX_set_cert_cb) returned a
        // negative value: "call the handshake again".
        s->want = Want::x509_lookup;
        return -1;
      case Wait::private_key_operation:
      case Wait::none:
        raise(Reason::not_supported_yet, "the handshake waits for an asynchronous operation");
        return -1;
    }
  }
}

}  // namespace vouch::compat

extern "C" {

int SSL_do_handshake(SSL* s) { return vouch::compat::run_handshake(s); }

int SSL_connect(SSL* s) {
  if (s->role == ssl_st::Role::unset) SSL_set_connect_state(s);
  return vouch::compat::run_handshake(s);
}

int SSL_accept(SSL* s) {
  if (s->role == ssl_st::Role::unset) SSL_set_accept_state(s);
  return vouch::compat::run_handshake(s);
}

// A post-handshake request waiting for the client certificate callback puts
// libssl back in init (its state machine runs the handshake states again).
// So does a TLS 1.2 renegotiation, until it completes.
int SSL_is_init_finished(const SSL* s) {
  return s->completed && !s->pending_client_cert && !(s->conn && s->conn->renegotiating()) ? 1 : 0;
}

// libssl: in a handshake, or none has been made yet (nginx's shutdown
// skips SSL_shutdown then).
int SSL_in_init(const SSL* s) { return SSL_is_init_finished(s) ? 0 : 1; }

}  // extern "C"
