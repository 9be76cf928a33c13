/*
 * vouch-ssl — <openssl/ssl.h> for programs built against vouch instead of
 * libssl.
 *
 * Build with -I<prefix>/include/vouch-ssl ahead of the system include path
 * (pkg-config --cflags vouch-ssl) and link -lvouch_ssl -lcrypto instead of
 * -lssl -lcrypto. This header shadows OpenSSL's ssl.h; X509, EVP_PKEY, BIO,
 * ERR and OCSP keep coming from libcrypto's own headers.
 *
 * Only what vouch-ssl implements is declared. Constants have OpenSSL's
 * values; function signatures are OpenSSL 3.0's. Where libssl defines a call
 * as a macro over SSL_ctrl / SSL_CTX_ctrl, so does this header, with the same
 * control numbers. TLS 1.2 and TLS 1.3, as libssl's default range (older
 * versions are never spoken: a range with none of the two left fails with
 * "no protocols available").
 */
#ifndef OPENSSL_SSL_H
#define OPENSSL_SSL_H
#ifndef HEADER_SSL_H
#define HEADER_SSL_H
#endif

#include <stddef.h>
#include <stdint.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/sslerr.h>
#include <openssl/types.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- types (opaque; SSL and SSL_CTX are typedef'd by <openssl/types.h>) -- */

typedef struct ssl_method_st SSL_METHOD;
typedef struct ssl_session_st SSL_SESSION;
typedef struct ssl_cipher_st SSL_CIPHER;

/* Certificate verification callback (see SSL_CTX_set_verify). */
typedef int (*SSL_verify_cb)(int preverify_ok, X509_STORE_CTX *x509_ctx);

/* ---- SSL_get_error() ----------------------------------------------------- */

#define SSL_ERROR_NONE 0
#define SSL_ERROR_SSL 1
#define SSL_ERROR_WANT_READ 2
#define SSL_ERROR_WANT_WRITE 3
#define SSL_ERROR_WANT_X509_LOOKUP 4
#define SSL_ERROR_SYSCALL 5
#define SSL_ERROR_ZERO_RETURN 6
#define SSL_ERROR_WANT_CONNECT 7
#define SSL_ERROR_WANT_ACCEPT 8
#define SSL_ERROR_WANT_ASYNC 9
#define SSL_ERROR_WANT_ASYNC_JOB 10
#define SSL_ERROR_WANT_CLIENT_HELLO_CB 11
#define SSL_ERROR_WANT_RETRY_VERIFY 12

/* SSL_want(): what the last I/O or handshake call stopped for, without
 * looking at the error queue (SSL_get_error does). */
#define SSL_NOTHING 1
#define SSL_WRITING 2
#define SSL_READING 3
#define SSL_X509_LOOKUP 4
#define SSL_ASYNC_PAUSED 5
#define SSL_ASYNC_NO_JOBS 6
#define SSL_CLIENT_HELLO_CB 7
#define SSL_RETRY_VERIFY 8
#define SSL_want_nothing(s) (SSL_want(s) == SSL_NOTHING)
#define SSL_want_read(s) (SSL_want(s) == SSL_READING)
#define SSL_want_write(s) (SSL_want(s) == SSL_WRITING)
#define SSL_want_x509_lookup(s) (SSL_want(s) == SSL_X509_LOOKUP)

/* ---- verification modes --------------------------------------------------- */

#define SSL_VERIFY_NONE 0x00
#define SSL_VERIFY_PEER 0x01
#define SSL_VERIFY_FAIL_IF_NO_PEER_CERT 0x02
#define SSL_VERIFY_CLIENT_ONCE 0x04
#define SSL_VERIFY_POST_HANDSHAKE 0x08

/* ---- file types ------------------------------------------------------------ */

#define SSL_FILETYPE_PEM X509_FILETYPE_PEM
#define SSL_FILETYPE_ASN1 X509_FILETYPE_ASN1

/* ---- SSL_get_shutdown() --------------------------------------------------- */

#define SSL_SENT_SHUTDOWN 1
#define SSL_RECEIVED_SHUTDOWN 2

/* ---- options (SSL_CTX_set_options) --------------------------------------- */
/*
 * Accepted and reported back by SSL_CTX_get_options. Those that change what
 * vouch does: SSL_OP_NO_TLSv1_2 / SSL_OP_NO_TLSv1_3 (the versions spoken),
 * SSL_OP_CIPHER_SERVER_PREFERENCE (server: its own suite order wins; without
 * it the client's, as in libssl), SSL_OP_NO_TICKET (server: TLS 1.2 sessions
 * are resumed by session ID instead of a ticket), SSL_OP_NO_RENEGOTIATION
 * (client: a TLS 1.2 server's HelloRequest is declined with a
 * no_renegotiation warning; without it every secure renegotiation is
 * accepted, as by libssl), SSL_OP_ENABLE_MIDDLEBOX_COMPAT (client),
 * SSL_OP_IGNORE_UNEXPECTED_EOF. A vouch-ssl server never renegotiates: a
 * client's renegotiating ClientHello gets a no_renegotiation warning, as
 * libssl 3.0's without SSL_OP_ALLOW_CLIENT_RENEGOTIATION (which vouch-ssl
 * does not implement). The others concern older versions or libssl
 * internals and change nothing.
 */
#define SSL_OP_BIT(n) ((uint64_t)1 << (uint64_t)(n))
#define SSL_OP_NO_EXTENDED_MASTER_SECRET SSL_OP_BIT(0)
#define SSL_OP_CLEANSE_PLAINTEXT SSL_OP_BIT(1)
#define SSL_OP_LEGACY_SERVER_CONNECT SSL_OP_BIT(2)
#define SSL_OP_TLSEXT_PADDING SSL_OP_BIT(4)
#define SSL_OP_SAFARI_ECDHE_ECDSA_BUG SSL_OP_BIT(6)
#define SSL_OP_IGNORE_UNEXPECTED_EOF SSL_OP_BIT(7)
#define SSL_OP_ALLOW_CLIENT_RENEGOTIATION SSL_OP_BIT(8)
#define SSL_OP_DISABLE_TLSEXT_CA_NAMES SSL_OP_BIT(9)
#define SSL_OP_ALLOW_NO_DHE_KEX SSL_OP_BIT(10)
#define SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS SSL_OP_BIT(11)
#define SSL_OP_NO_TICKET SSL_OP_BIT(14)
#define SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION SSL_OP_BIT(16)
#define SSL_OP_NO_COMPRESSION SSL_OP_BIT(17)
#define SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION SSL_OP_BIT(18)
#define SSL_OP_NO_ENCRYPT_THEN_MAC SSL_OP_BIT(19)
#define SSL_OP_ENABLE_MIDDLEBOX_COMPAT SSL_OP_BIT(20)
#define SSL_OP_PRIORITIZE_CHACHA SSL_OP_BIT(21)
#define SSL_OP_CIPHER_SERVER_PREFERENCE SSL_OP_BIT(22)
#define SSL_OP_TLS_ROLLBACK_BUG SSL_OP_BIT(23)
#define SSL_OP_NO_ANTI_REPLAY SSL_OP_BIT(24)
#define SSL_OP_NO_SSLv3 SSL_OP_BIT(25)
#define SSL_OP_NO_TLSv1 SSL_OP_BIT(26)
#define SSL_OP_NO_TLSv1_2 SSL_OP_BIT(27)
#define SSL_OP_NO_TLSv1_1 SSL_OP_BIT(28)
#define SSL_OP_NO_TLSv1_3 SSL_OP_BIT(29)
#define SSL_OP_NO_RENEGOTIATION SSL_OP_BIT(30)
#define SSL_OP_CRYPTOPRO_TLSEXT_BUG SSL_OP_BIT(31)
/* The work-arounds libssl 3.0 bundles as "all". */
#define SSL_OP_ALL \
    (SSL_OP_CRYPTOPRO_TLSEXT_BUG | SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS | SSL_OP_TLSEXT_PADDING | \
     SSL_OP_SAFARI_ECDHE_ECDSA_BUG)
/* Options that no longer do anything in libssl either. */
#define SSL_OP_SINGLE_ECDH_USE 0x0
#define SSL_OP_SINGLE_DH_USE 0x0
#define SSL_OP_NO_SSLv2 0x0

/* ---- modes (SSL_CTX_set_mode) ---------------------------------------------- */
/*
 * Accepted and reported back. SSL_MODE_AUTO_RETRY (set by default): SSL_read
 * reads past records without application data; cleared, an SSL_read that
 * processed one returns -1 with SSL_ERROR_WANT_READ, as libssl's.
 * SSL_MODE_ENABLE_PARTIAL_WRITE: SSL_write returns once one record (at most
 * 16384 bytes) is written; without it, once all is. SSL_MODE_RELEASE_BUFFERS:
 * no read buffer is kept between records. A write retried after
 * SSL_ERROR_WANT_WRITE must pass at least as much data, from the same
 * buffer unless SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER ("bad write retry"
 * otherwise, and the connection is in its error state), as in libssl.
 */
#define SSL_MODE_ENABLE_PARTIAL_WRITE 0x00000001U
#define SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER 0x00000002U
#define SSL_MODE_AUTO_RETRY 0x00000004U
#define SSL_MODE_NO_AUTO_CHAIN 0x00000008U
#define SSL_MODE_RELEASE_BUFFERS 0x00000010U
#define SSL_MODE_SEND_CLIENTHELLO_TIME 0x00000020U
#define SSL_MODE_SEND_SERVERHELLO_TIME 0x00000040U
#define SSL_MODE_SEND_FALLBACK_SCSV 0x00000080U
#define SSL_MODE_ASYNC 0x00000100U

/* ---- control numbers (SSL_ctrl / SSL_CTX_ctrl) ---------------------------- */

#define SSL_CTRL_EXTRA_CHAIN_CERT 14
#define SSL_CTRL_MODE 33
#define SSL_CTRL_SET_TLSEXT_HOSTNAME 55
#define SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB 63
#define SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG 64
#define SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE 65
#define SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP 70
#define SSL_CTRL_SET_TLSEXT_STATUS_REQ_OCSP_RESP 71
#define SSL_CTRL_CLEAR_MODE 78
#define SSL_CTRL_SET_GROUPS_LIST 92
#define SSL_CTRL_SET_MIN_PROTO_VERSION 123
#define SSL_CTRL_SET_MAX_PROTO_VERSION 124
#define SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE 127
#define SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB 128
#define SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB_ARG 129
#define SSL_CTRL_GET_MIN_PROTO_VERSION 130
#define SSL_CTRL_GET_MAX_PROTO_VERSION 131

long SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg);
long SSL_ctrl(SSL *ssl, int cmd, long larg, void *parg);
/* Controls that carry a function (SSL_CTX_set_tlsext_status_cb). */
long SSL_CTX_callback_ctrl(SSL_CTX *ctx, int cmd, void (*fp)(void));

#define SSL_CTX_set_mode(ctx, op) SSL_CTX_ctrl((ctx), SSL_CTRL_MODE, (op), NULL)
#define SSL_CTX_clear_mode(ctx, op) SSL_CTX_ctrl((ctx), SSL_CTRL_CLEAR_MODE, (op), NULL)
#define SSL_CTX_get_mode(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_MODE, 0, NULL)
#define SSL_set_mode(ssl, op) SSL_ctrl((ssl), SSL_CTRL_MODE, (op), NULL)
#define SSL_clear_mode(ssl, op) SSL_ctrl((ssl), SSL_CTRL_CLEAR_MODE, (op), NULL)
#define SSL_get_mode(ssl) SSL_ctrl((ssl), SSL_CTRL_MODE, 0, NULL)

#define SSL_CTX_set_min_proto_version(ctx, version) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_SET_MIN_PROTO_VERSION, (version), NULL)
#define SSL_CTX_set_max_proto_version(ctx, version) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_SET_MAX_PROTO_VERSION, (version), NULL)
#define SSL_CTX_get_min_proto_version(ctx) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_GET_MIN_PROTO_VERSION, 0, NULL)
#define SSL_CTX_get_max_proto_version(ctx) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_GET_MAX_PROTO_VERSION, 0, NULL)
#define SSL_set_min_proto_version(s, version) \
    SSL_ctrl((s), SSL_CTRL_SET_MIN_PROTO_VERSION, (version), NULL)
#define SSL_set_max_proto_version(s, version) \
    SSL_ctrl((s), SSL_CTRL_SET_MAX_PROTO_VERSION, (version), NULL)
#define SSL_get_min_proto_version(s) SSL_ctrl((s), SSL_CTRL_GET_MIN_PROTO_VERSION, 0, NULL)
#define SSL_get_max_proto_version(s) SSL_ctrl((s), SSL_CTRL_GET_MAX_PROTO_VERSION, 0, NULL)

/* Takes over the caller's reference to x509 on success. */
#define SSL_CTX_add_extra_chain_cert(ctx, x509) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_EXTRA_CHAIN_CERT, 0, (char *)(x509))

/* Colon-separated group names: X25519, P-256 (prime256v1), P-384, ... */
#define SSL_CTX_set1_groups_list(ctx, s) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_SET_GROUPS_LIST, 0, (char *)(s))
#define SSL_set1_groups_list(ssl, s) SSL_ctrl((ssl), SSL_CTRL_SET_GROUPS_LIST, 0, (char *)(s))

/* ---- library initialisation ------------------------------------------------ */

#define OPENSSL_INIT_NO_LOAD_SSL_STRINGS 0x00100000L
#define OPENSSL_INIT_LOAD_SSL_STRINGS 0x00200000L
#define OPENSSL_INIT_SSL_DEFAULT (OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS)

/* Initialises libcrypto and loads vouch-ssl's error strings. Optional. */
int OPENSSL_init_ssl(uint64_t opts, const OPENSSL_INIT_SETTINGS *settings);
#define SSL_library_init() OPENSSL_init_ssl(0, NULL)
#define SSL_load_error_strings() \
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL)

/* ---- methods and contexts --------------------------------------------------- */

const SSL_METHOD *TLS_method(void);
const SSL_METHOD *TLS_client_method(void);
const SSL_METHOD *TLS_server_method(void);

SSL_CTX *SSL_CTX_new(const SSL_METHOD *method);
int SSL_CTX_up_ref(SSL_CTX *ctx);
void SSL_CTX_free(SSL_CTX *ctx);

uint64_t SSL_CTX_set_options(SSL_CTX *ctx, uint64_t op);
uint64_t SSL_CTX_clear_options(SSL_CTX *ctx, uint64_t op);
uint64_t SSL_CTX_get_options(const SSL_CTX *ctx);
uint64_t SSL_set_options(SSL *s, uint64_t op);
uint64_t SSL_clear_options(SSL *s, uint64_t op);
uint64_t SSL_get_options(const SSL *s);

/* TLS 1.3 suites by IANA name, colon-separated; unknown names are skipped. */
int SSL_CTX_set_ciphersuites(SSL_CTX *ctx, const char *str);
int SSL_set_ciphersuites(SSL *s, const char *str);

/*
 * The TLS 1.2 cipher suites (OpenSSL's cipher-string syntax, ciphers(1):
 * names, aliases such as DEFAULT, HIGH, ECDHE, aECDSA, AESGCM, CHACHA20 joined
 * with '+', and the '!', '-', '+' and @STRENGTH rules), in the order the
 * string gives them; TLS 1.3 suites are not affected. vouch implements the
 * ECDHE suites with AES-GCM and ChaCha20-Poly1305; others a string names
 * (CBC, static RSA, DHE) are left out. A string that selects no cipher
 * libssl knows fails (0, "no cipher match") and, as in libssl, leaves no
 * TLS 1.2 suite. vouch judges that failure by the string's words:
 * "HIGH:!HIGH" is accepted here although libssl would refuse it.
 */
int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *str);
int SSL_set_cipher_list(SSL *s, const char *str);

/* ---- certificates and keys ------------------------------------------------- */

int SSL_CTX_use_certificate(SSL_CTX *ctx, X509 *x);
int SSL_CTX_use_certificate_file(SSL_CTX *ctx, const char *file, int type);
int SSL_CTX_use_certificate_chain_file(SSL_CTX *ctx, const char *file);
int SSL_CTX_use_PrivateKey(SSL_CTX *ctx, EVP_PKEY *pkey);
int SSL_CTX_use_PrivateKey_file(SSL_CTX *ctx, const char *file, int type);
int SSL_CTX_check_private_key(const SSL_CTX *ctx);

int SSL_use_certificate(SSL *ssl, X509 *x);
int SSL_use_PrivateKey(SSL *ssl, EVP_PKEY *pkey);
int SSL_check_private_key(const SSL *ssl);

/*
 * Client: called when the server asks for a certificate and none is set on
 * the SSL (SSL_use_certificate, or the context's). Return 1 with *x509 and
 * *pkey set: they are installed into the SSL as by SSL_use_certificate /
 * SSL_use_PrivateKey (kept across SSL_clear; the library takes over the
 * references handed to it); 0: no certificate is sent; negative: the
 * handshake call returns with SSL_ERROR_WANT_X509_LOOKUP and the next one
 * calls the callback again.
 */
void SSL_CTX_set_client_cert_cb(SSL_CTX *ctx,
                                int (*client_cert_cb)(SSL *ssl, X509 **x509, EVP_PKEY **pkey));
int (*SSL_CTX_get_client_cert_cb(SSL_CTX *ctx))(SSL *ssl, X509 **x509, EVP_PKEY **pkey);

/*
 * Called before a certificate is chosen (server: after the ClientHello of a
 * full handshake; client: when the server asks for a certificate, before
 * the client certificate callback), so it may set one with
 * SSL_use_certificate / SSL_use_PrivateKey. 1: continue; 0: the handshake
 * fails (internal_error). A negative value (libssl: suspend with
 * SSL_ERROR_WANT_X509_LOOKUP) is supported on the client, where the next
 * handshake call calls it again; a server cannot suspend in vouch yet and
 * fails the handshake, saying so on the error queue.
 */
void SSL_CTX_set_cert_cb(SSL_CTX *c, int (*cert_cb)(SSL *ssl, void *arg), void *arg);

/*
 * The CA names a server sends in its CertificateRequest
 * (certificate_authorities): none unless set here. SSL_CTX_set_client_CA_list
 * takes ownership of the stack; SSL_load_client_CA_file returns a new stack
 * of the subjects of the certificates in a PEM file (NULL on error).
 * SSL_get_client_CA_list: server — the list configured; client — the names
 * the server sent in its last CertificateRequest (NULL when it named none),
 * e.g. inside the client certificate callback. No new reference.
 */
void SSL_CTX_set_client_CA_list(SSL_CTX *ctx, STACK_OF(X509_NAME) *name_list);
STACK_OF(X509_NAME) *SSL_CTX_get_client_CA_list(const SSL_CTX *ctx);
STACK_OF(X509_NAME) *SSL_get_client_CA_list(const SSL *s);
STACK_OF(X509_NAME) *SSL_load_client_CA_file(const char *file);

/* The certificate / key in use by this SSL (no new reference). */
X509 *SSL_get_certificate(const SSL *ssl);
EVP_PKEY *SSL_get_privatekey(const SSL *ssl);

/* ---- verification --------------------------------------------------------- */

int SSL_CTX_load_verify_locations(SSL_CTX *ctx, const char *CAfile, const char *CApath);
/*
 * The callback is called by libcrypto as in libssl: for each certificate
 * of the peer's path, from the anchor down to the leaf, and again for each
 * problem found (preverify_ok 0; X509_STORE_CTX_get_error, _error_depth
 * and _current_cert say which), on every handshake. Its answer is the
 * verdict: returning 1 for a failure accepts it (the handshake goes on, and
 * SSL_get_verify_result still reports the error), returning 0 for a good
 * certificate refuses it (SSL_get_verify_result: the error it set, else
 * X509_V_ERR_UNSPECIFIED). Inside, the SSL is
 * X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx()).
 * A server calls it for a client's chain (SSL_VERIFY_PEER), also after
 * SSL_verify_client_post_handshake.
 * Differences from libssl: with SSL_VERIFY_NONE, a client calls it once
 * its handshake is complete (inside the SSL_connect / SSL_do_handshake call
 * that completes it) rather than when the server's Certificate arrives —
 * its answer then only changes SSL_get_verify_result, in both; and a
 * certificate the callback refuses although libcrypto accepted it is
 * reported to the peer with a bad_certificate alert (libssl sends
 * internal_error, or handshake_failure for X509_V_ERR_APPLICATION_VERIFICATION).
 */
void SSL_CTX_set_verify(SSL_CTX *ctx, int mode, SSL_verify_cb callback);
void SSL_CTX_set_verify_depth(SSL_CTX *ctx, int depth);
int SSL_CTX_get_verify_mode(const SSL_CTX *ctx);
int SSL_CTX_get_verify_depth(const SSL_CTX *ctx);
SSL_verify_cb SSL_CTX_get_verify_callback(const SSL_CTX *ctx);
void SSL_set_verify(SSL *s, int mode, SSL_verify_cb callback);
void SSL_set_verify_depth(SSL *s, int depth);
int SSL_get_verify_mode(const SSL *s);
int SSL_get_verify_depth(const SSL *s);
long SSL_get_verify_result(const SSL *ssl);
/*
 * The X509_STORE_CTX ex_data index at which the SSL being verified is
 * stored while its verify callback runs (allocated once per process; -1
 * if that failed).
 */
int SSL_get_ex_data_X509_STORE_CTX_idx(void);
/*
 * The name (DNS name or IP literal) the peer's certificate must match, as
 * in libssl: without it no name is checked, whatever SSL_set_tlsext_host_name
 * sent. NULL or "" clears it. A mismatch fails an SSL_VERIFY_PEER handshake
 * (SSL_get_verify_result: X509_V_ERR_HOSTNAME_MISMATCH or
 * X509_V_ERR_IP_ADDRESS_MISMATCH) and is recorded with SSL_VERIFY_NONE.
 * Returns 1 (0 only for a name longer than 253 bytes).
 */
int SSL_set1_host(SSL *s, const char *hostname);

/* ---- connections ------------------------------------------------------------ */

SSL *SSL_new(SSL_CTX *ctx);
int SSL_clear(SSL *s);
void SSL_free(SSL *ssl);
SSL_CTX *SSL_get_SSL_CTX(const SSL *ssl);

int SSL_set_fd(SSL *s, int fd);
int SSL_get_fd(const SSL *s);
void SSL_set_bio(SSL *s, BIO *rbio, BIO *wbio);
BIO *SSL_get_rbio(const SSL *s);
BIO *SSL_get_wbio(const SSL *s);

void SSL_set_connect_state(SSL *s);
void SSL_set_accept_state(SSL *s);
int SSL_is_server(const SSL *s);

int SSL_connect(SSL *ssl);
int SSL_accept(SSL *ssl);
int SSL_do_handshake(SSL *s);
int SSL_is_init_finished(const SSL *s);

int SSL_read(SSL *ssl, void *buf, int num);
int SSL_write(SSL *ssl, const void *buf, int num);
int SSL_pending(const SSL *ssl);
int SSL_has_pending(const SSL *s);
int SSL_shutdown(SSL *s);
int SSL_get_shutdown(const SSL *ssl);
int SSL_get_error(const SSL *s, int ret_code);
/* SSL_READING / SSL_WRITING when the BIO had no data / no room,
 * SSL_X509_LOOKUP when a callback asked to be called again, else
 * SSL_NOTHING. */
int SSL_want(const SSL *s);

/*
 * TLS 1.3 post-handshake authentication (RFC 8446 §4.6.2). In TLS 1.2,
 * which has none, SSL_VERIFY_POST_HANDSHAKE is ignored (a server with
 * SSL_VERIFY_PEER asks during the handshake) and
 * SSL_verify_client_post_handshake fails ("wrong ssl version"), as in
 * libssl. A client offers
 * it after SSL_CTX_set_post_handshake_auth / SSL_set_post_handshake_auth
 * (val 1); its client certificate callback answers the request inside
 * SSL_read. A server (SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE to ask
 * only after the handshake) calls SSL_verify_client_post_handshake: the
 * request goes out with the next SSL_write / SSL_read / SSL_do_handshake,
 * and the certificate shows after the SSL_read that received it.
 */
void SSL_CTX_set_post_handshake_auth(SSL_CTX *ctx, int val);
void SSL_set_post_handshake_auth(SSL *s, int val);
int SSL_verify_client_post_handshake(SSL *s);

/* ---- sessions ---------------------------------------------------------------- */

#define SSL_MAX_SID_CTX_LENGTH 32

/*
 * A TLS 1.3 client's session becomes resumable when a NewSessionTicket
 * arrives, after the handshake (SSL_read processes it); a TLS 1.2 client's
 * when the handshake completes (a ticket, or the server's session ID with
 * SSL_OP_NO_TICKET). The session of a connection that was not closed with
 * SSL_shutdown when SSL_free or SSL_clear ends it, or that failed, cannot be
 * resumed any more, as in libssl. SSL_get1_session adds a
 * reference, SSL_get_session does not; SSL_set_session (before the
 * handshake) offers the session for resumption; SSL_session_reused says
 * whether the handshake resumed. A server's tickets are sealed with keys of
 * its SSL_CTX, so any SSL of that context resumes them.
 */
SSL_SESSION *SSL_get_session(const SSL *ssl);
SSL_SESSION *SSL_get1_session(SSL *ssl);
int SSL_set_session(SSL *to, SSL_SESSION *session);
int SSL_SESSION_up_ref(SSL_SESSION *ses);
void SSL_SESSION_free(SSL_SESSION *session);
int SSL_SESSION_is_resumable(const SSL_SESSION *s);
int SSL_session_reused(const SSL *s);
/* Copied into each SSL made afterwards; a server resumes only sessions made
 * under the same context. At most SSL_MAX_SID_CTX_LENGTH bytes. */
int SSL_CTX_set_session_id_context(SSL_CTX *ctx, const unsigned char *sid_ctx,
                                   unsigned int sid_ctx_len);
/* How many TLS 1.3 tickets a server sends after a handshake (default 2);
 * TLS 1.2 tickets are not counted (SSL_OP_NO_TICKET turns them off). */
int SSL_CTX_set_num_tickets(SSL_CTX *ctx, size_t num_tickets);
size_t SSL_CTX_get_num_tickets(const SSL_CTX *ctx);
int SSL_set_num_tickets(SSL *s, size_t num_tickets);
size_t SSL_get_num_tickets(const SSL *s);

/* ---- what was negotiated --------------------------------------------------- */

X509 *SSL_get1_peer_certificate(const SSL *s);
#define SSL_get_peer_certificate SSL_get1_peer_certificate
/* The peer's certificate without a new reference (owned by the SSL, valid
 * until it is freed or a new handshake starts); NULL without one. Usable
 * inside callbacks once the peer's Certificate was read. */
X509 *SSL_get0_peer_certificate(const SSL *s);
STACK_OF(X509) *SSL_get_peer_cert_chain(const SSL *s);

const char *SSL_get_version(const SSL *s);
int SSL_version(const SSL *s);
const SSL_CIPHER *SSL_get_current_cipher(const SSL *s);
const char *SSL_CIPHER_get_name(const SSL_CIPHER *c);
const char *SSL_get_servername(const SSL *s, const int type);

/* ---- application data (ex_data) ------------------------------------------- */

#define SSL_get_ex_new_index(l, p, newf, dupf, freef) \
    CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, (l), (p), (newf), (dupf), (freef))
#define SSL_CTX_get_ex_new_index(l, p, newf, dupf, freef) \
    CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, (l), (p), (newf), (dupf), (freef))

int SSL_set_ex_data(SSL *ssl, int idx, void *data);
void *SSL_get_ex_data(const SSL *ssl, int idx);
int SSL_CTX_set_ex_data(SSL_CTX *ctx, int idx, void *data);
void *SSL_CTX_get_ex_data(const SSL_CTX *ctx, int idx);

/* ==== vouch extensions (not in OpenSSL) =====================================
 * Functions and constants libssl does not have. A program that uses them
 * builds only against vouch-ssl; guard them with #ifdef VOUCH_SSL_EXTENSIONS.
 */
#define VOUCH_SSL_EXTENSIONS 1

/*
 * A client certificate callback that returns a whole chain, for this
 * handshake only (what SSL_CTX_set_client_cert_cb(3) BUGS asks for: that
 * callback can return only a leaf and installs it into the SSL for good).
 * Called when the server asks for a certificate (in the handshake, a TLS 1.2
 * renegotiation, or after it, TLS 1.3 post-handshake authentication) and
 * none is set on the SSL;
 * takes precedence over SSL_CTX_set_client_cert_cb. Inside it,
 * SSL_get_client_CA_list gives the CA names the server sent, so the callback
 * can choose by CA.
 *   1: *chain (leaf first, then the intermediates) and *pkey (the leaf's key)
 *      are sent. The library takes ownership of the stack, its certificates
 *      and the key. Nothing is installed into the SSL: the next handshake
 *      asks again.
 *   0: no certificate is sent (anything returned is freed).
 *   negative: the handshake call returns -1 with SSL_ERROR_WANT_X509_LOOKUP;
 *      the next handshake call calls the callback again. (In the handshake
 *      only: a post-handshake request cannot be suspended yet.)
 * A NULL cb removes it.
 */
typedef int (*VOUCH_client_chain_cb)(SSL *ssl, STACK_OF(X509) **chain, EVP_PKEY **pkey, void *arg);
void VOUCH_SSL_CTX_set_client_chain_cb(SSL_CTX *ctx, VOUCH_client_chain_cb cb, void *arg);

/*
 * A server status callback (SSL_CTX_set_tlsext_status_cb) may return this
 * to answer later, e.g. once a staple fetched on another thread is there.
 * The handshake then suspends: SSL_accept / SSL_do_handshake return -1 and
 * SSL_get_error gives SSL_ERROR_WANT_X509_LOOKUP (reused: libssl has no
 * "waiting for a staple" code; as with the client certificate callback it
 * means "call the handshake function again"). The next handshake call calls
 * the status callback again, which answers SSL_TLSEXT_ERR_OK / _NOACK /
 * _ALERT_FATAL as usual, or this value once more. Nothing of the server's
 * flight is sent while it waits. Differs from every SSL_TLSEXT_ERR_* value.
 */
#define VOUCH_SSL_TLSEXT_ERR_RETRY_LATER 0x7672

#ifdef __cplusplus
}
#endif

#include <openssl/tls1.h>

#endif /* OPENSSL_SSL_H */
