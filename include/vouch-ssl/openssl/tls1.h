/*
 * vouch-ssl — <openssl/tls1.h> for programs built against vouch instead of
 * libssl. Put -I<prefix>/include/vouch-ssl before the system include path:
 * this file then shadows OpenSSL's own tls1.h, while libcrypto's headers keep
 * coming from the system.
 *
 * Only what vouch-ssl implements is declared here; the values are OpenSSL's
 * so that code written for libssl compiles and behaves the same.
 */
#ifndef OPENSSL_TLS1_H
#define OPENSSL_TLS1_H
#ifndef HEADER_TLS1_H
#define HEADER_TLS1_H
#endif

/* SSL3_VERSION ... TLS1_3_VERSION come from libcrypto's provider header. */
#include <openssl/prov_ssl.h>

#include <openssl/ssl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 6066 §3: the only ServerName type. */
#define TLSEXT_NAMETYPE_host_name 0

/* RFC 6066 §8: CertificateStatusType ocsp. */
#define TLSEXT_STATUSTYPE_ocsp 1

/* What servername, ALPN select and status callbacks return. */
#define SSL_TLSEXT_ERR_OK 0
#define SSL_TLSEXT_ERR_ALERT_WARNING 1
#define SSL_TLSEXT_ERR_ALERT_FATAL 2
#define SSL_TLSEXT_ERR_NOACK 3

/*
 * Server: the servername callback, int cb(SSL *ssl, int *al, void *arg),
 * called for every ClientHello a server of the context answers — with or
 * without a server_name (SSL_get_servername gives it, NULL without), on
 * resumption too — before the ALPN select callback and before the
 * certificate is chosen, so it may switch the SSL to another context
 * (SSL_set_SSL_CTX) or set a certificate (SSL_use_certificate). Answers:
 * SSL_TLSEXT_ERR_OK (the name is acknowledged), SSL_TLSEXT_ERR_NOACK (not
 * acknowledged; the handshake goes on), SSL_TLSEXT_ERR_ALERT_FATAL (the
 * handshake fails with the alert in *al, SSL_AD_UNRECOGNIZED_NAME unless it
 * sets another; "callback failed" queued), SSL_TLSEXT_ERR_ALERT_WARNING
 * (as NOACK; difference from libssl: no warning alert is sent — TLS 1.3
 * has none, and libssl sends it only in TLS 1.2). Any other value counts as
 * SSL_TLSEXT_ERR_OK. Differences from libssl: SSL_session_reused is 0
 * inside the callback (vouch decides on resumption after it); after a
 * HelloRetryRequest it is called for both ClientHellos. The _arg macro sets
 * the callback's third argument. Both return 1.
 */
#define SSL_CTX_set_tlsext_servername_callback(ctx, cb) \
    SSL_CTX_callback_ctrl((ctx), SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, (void (*)(void))(cb))
#define SSL_CTX_set_tlsext_servername_arg(ctx, arg) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, (arg))

/*
 * Client: the name sent as server_name (SNI). As in libssl it is a control
 * over SSL_ctrl, so programs compiled against either header agree.
 * As in libssl, the name is not checked against the server's certificate:
 * SSL_set1_host does that.
 */
#define SSL_set_tlsext_host_name(s, name) \
    SSL_ctrl((s), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)(name))

/*
 * OCSP stapling (RFC 6066 §8: in TLS 1.2 a CertificateStatus message after
 * the server's Certificate; in TLS 1.3 the response travels in the leaf's
 * CertificateEntry, RFC 8446 §4.4.2.1). One status callback per context
 * serves both roles:
 *  - client: after SSL_set_tlsext_status_type(s, TLSEXT_STATUSTYPE_ocsp)
 *    the ClientHello asks for a staple and the callback judges it (read it
 *    with SSL_get_tlsext_status_ocsp_resp): negative = error, 0 = not
 *    acceptable (the handshake fails with bad_certificate_status_response),
 *    positive = acceptable. It runs once the server's flight is read,
 *    after the client certificate callbacks when the server asked for a
 *    certificate, as libssl's. vouch does not call it on a resumed
 *    handshake, as the manual says (libssl 3.0 does in TLS 1.3; in TLS 1.2
 *    neither does).
 *  - server: called when a client asks; SSL_get_certificate gives the
 *    certificate being sent. SSL_TLSEXT_ERR_OK staples what was set with
 *    SSL_set_tlsext_status_ocsp_resp (which takes ownership of
 *    OPENSSL_malloc'd memory), SSL_TLSEXT_ERR_NOACK staples nothing,
 *    SSL_TLSEXT_ERR_ALERT_FATAL fails the handshake.
 * SSL_get_tlsext_status_ocsp_resp returns the length and points *resp at
 * memory the SSL keeps, or -1 and NULL when nothing was stapled.
 */
#define SSL_CTX_set_tlsext_status_cb(ctx, cb) \
    SSL_CTX_callback_ctrl((ctx), SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB, (void (*)(void))(cb))
#define SSL_CTX_get_tlsext_status_cb(ctx, cb) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB, 0, (void *)(cb))
#define SSL_CTX_set_tlsext_status_arg(ctx, arg) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG, 0, (arg))
#define SSL_CTX_get_tlsext_status_arg(ctx, arg) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB_ARG, 0, (arg))
#define SSL_CTX_set_tlsext_status_type(ctx, type) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE, (type), NULL)
#define SSL_CTX_get_tlsext_status_type(ctx) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE, 0, NULL)
#define SSL_set_tlsext_status_type(s, type) \
    SSL_ctrl((s), SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE, (type), NULL)
#define SSL_get_tlsext_status_type(s) SSL_ctrl((s), SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE, 0, NULL)
#define SSL_get_tlsext_status_ocsp_resp(s, arg) \
    SSL_ctrl((s), SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP, 0, (arg))
#define SSL_set_tlsext_status_ocsp_resp(s, arg, arglen) \
    SSL_ctrl((s), SSL_CTRL_SET_TLSEXT_STATUS_REQ_OCSP_RESP, (arglen), (arg))

#ifdef __cplusplus
}
#endif

#endif /* OPENSSL_TLS1_H */
