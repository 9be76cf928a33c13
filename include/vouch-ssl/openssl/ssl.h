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
typedef struct ssl_conf_ctx_st SSL_CONF_CTX;

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
 * accepted; vouch-ssl keeps no read or write buffer between records whether
 * it is set or not. A write retried after
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

#define SSL_CTRL_SET_TMP_DH 3
#define SSL_CTRL_EXTRA_CHAIN_CERT 14
#define SSL_CTRL_SET_MSG_CALLBACK_ARG 16
#define SSL_CTRL_GET_READ_AHEAD 40
#define SSL_CTRL_SET_READ_AHEAD 41
#define SSL_CTRL_MODE 33
#define SSL_CTRL_SET_TLSEXT_SERVERNAME_CB 53
#define SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG 54
#define SSL_CTRL_SET_TLSEXT_HOSTNAME 55
#define SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB 63
#define SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG 64
#define SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE 65
#define SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP 70
#define SSL_CTRL_SET_TLSEXT_STATUS_REQ_OCSP_RESP 71
#define SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB 72
#define SSL_CTRL_CLEAR_MODE 78
#define SSL_CTRL_GET_EXTRA_CHAIN_CERTS 82
#define SSL_CTRL_CLEAR_EXTRA_CHAIN_CERTS 83
#define SSL_CTRL_CHAIN 88
#define SSL_CTRL_CHAIN_CERT 89
#define SSL_CTRL_GET_GROUPS 90
#define SSL_CTRL_SET_GROUPS_LIST 92
#define SSL_CTRL_GET_RAW_CIPHERLIST 110
#define SSL_CTRL_SELECT_CURRENT_CERT 116
#define SSL_CTRL_SET_MIN_PROTO_VERSION 123
#define SSL_CTRL_SET_MAX_PROTO_VERSION 124
#define SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE 127
#define SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB 128
#define SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB_ARG 129
#define SSL_CTRL_GET_MIN_PROTO_VERSION 130
#define SSL_CTRL_GET_MAX_PROTO_VERSION 131
#define SSL_CTRL_GET_NEGOTIATED_GROUP 134

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

/*
 * The extra certificates (SSL_CTX_add_extra_chain_cert), or, when there are
 * none, the current certificate's chain: *sk points into the context (no
 * new reference; valid until the next call). _only: the extra ones alone.
 */
#define SSL_CTX_get_extra_chain_certs(ctx, px509) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_GET_EXTRA_CHAIN_CERTS, 0, (px509))
#define SSL_CTX_get_extra_chain_certs_only(ctx, px509) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_GET_EXTRA_CHAIN_CERTS, 1, (px509))
#define SSL_CTX_clear_extra_chain_certs(ctx) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_CLEAR_EXTRA_CHAIN_CERTS, 0, NULL)
/*
 * The chain sent after the current certificate (the one set last, or
 * selected with SSL_CTX_select_current_cert — the same X509 object).
 * set0 / add0 take over the caller's references (set0: the stack too);
 * set1 / add1 take their own. 0 without a certificate.
 */
#define SSL_CTX_set0_chain(ctx, sk) SSL_CTX_ctrl((ctx), SSL_CTRL_CHAIN, 0, (char *)(sk))
#define SSL_CTX_set1_chain(ctx, sk) SSL_CTX_ctrl((ctx), SSL_CTRL_CHAIN, 1, (char *)(sk))
#define SSL_CTX_add0_chain_cert(ctx, x509) SSL_CTX_ctrl((ctx), SSL_CTRL_CHAIN_CERT, 0, (char *)(x509))
#define SSL_CTX_add1_chain_cert(ctx, x509) SSL_CTX_ctrl((ctx), SSL_CTRL_CHAIN_CERT, 1, (char *)(x509))
#define SSL_set0_chain(s, sk) SSL_ctrl((s), SSL_CTRL_CHAIN, 0, (char *)(sk))
#define SSL_set1_chain(s, sk) SSL_ctrl((s), SSL_CTRL_CHAIN, 1, (char *)(sk))
#define SSL_CTX_select_current_cert(ctx, x509) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_SELECT_CURRENT_CERT, 0, (char *)(x509))
/* Kept for the getter; vouch reads one record at a time regardless. */
#define SSL_CTX_set_read_ahead(ctx, m) SSL_CTX_ctrl((ctx), SSL_CTRL_SET_READ_AHEAD, (m), NULL)
#define SSL_CTX_get_read_ahead(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_GET_READ_AHEAD, 0, NULL)
#define SSL_CTX_set_msg_callback_arg(ctx, arg) \
    SSL_CTX_ctrl((ctx), SSL_CTRL_SET_MSG_CALLBACK_ARG, 0, (arg))
/* The (EC)DHE group of the current session (a NID; 0 without one). */
#define SSL_get_negotiated_group(s) SSL_ctrl((s), SSL_CTRL_GET_NEGOTIATED_GROUP, 0, NULL)
/* Not reported by vouch: 0 (none), as libssl when it has none. */
#define SSL_get0_raw_cipherlist(s, plst) SSL_ctrl((s), SSL_CTRL_GET_RAW_CIPHERLIST, 0, (plst))

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

/*
 * The _file calls return 1, or 0 with libcrypto's and libssl's errors on
 * the queue (a file that does not open: "system lib"; one that does not
 * parse: "PEM lib" / "ASN1 lib"). SSL_CTX_use_certificate_chain_file reads
 * a PEM file: the leaf first, then the certificates sent after it (the
 * intermediates), replacing any chain loaded before for that key type.
 * SSL_CTX_use_PrivateKey_file decrypts an encrypted PEM key (PKCS#8
 * "ENCRYPTED PRIVATE KEY" or a traditional one with DEK-Info) with the
 * password the context's callback gives (SSL_CTX_set_default_passwd_cb);
 * the certificate calls pass the callback too (PEM certificates are not
 * encrypted: it is not called).
 */
int SSL_CTX_use_certificate(SSL_CTX *ctx, X509 *x);
int SSL_CTX_use_certificate_file(SSL_CTX *ctx, const char *file, int type);
int SSL_CTX_use_certificate_chain_file(SSL_CTX *ctx, const char *file);
int SSL_CTX_use_PrivateKey(SSL_CTX *ctx, EVP_PKEY *pkey);
int SSL_CTX_use_PrivateKey_file(SSL_CTX *ctx, const char *file, int type);
/*
 * The password callback for encrypted PEM files (pem_password_cb, from
 * <openssl/pem.h>: int cb(char *buf, int size, int rwflag, void *userdata)):
 * called with rwflag 0 (reading) and the userdata set here; it copies the
 * password into buf (at most size bytes) and returns its length, or 0 / -1
 * to give none (the load then fails). libcrypto may call it again after a
 * failure. Without a callback libcrypto's default one asks on the terminal,
 * as with libssl. Neither is copied: both must live as long as the context
 * loads files.
 */
void SSL_CTX_set_default_passwd_cb(SSL_CTX *ctx, pem_password_cb *cb);
void SSL_CTX_set_default_passwd_cb_userdata(SSL_CTX *ctx, void *u);
pem_password_cb *SSL_CTX_get_default_passwd_cb(SSL_CTX *ctx);
void *SSL_CTX_get_default_passwd_cb_userdata(SSL_CTX *ctx);
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
 * Adds libcrypto's default anchors: the PEM file named by the SSL_CERT_FILE
 * environment variable, else X509_get_default_cert_file() (a distribution's
 * CA bundle), and the hashed directory named by SSL_CERT_DIR, else
 * X509_get_default_cert_dir(). Returns 1 — also when they do not exist
 * (nothing is added then and no error is queued), as in libssl. A vouch
 * client verifying with SSL_VERIFY_PEER needs an anchor loaded from a file
 * (or put into SSL_CTX_get_cert_store's store) by the time the server's
 * certificate arrives: anchors only in a directory are not enough (the
 * handshake fails then, "no trust anchors").
 */
int SSL_CTX_set_default_verify_paths(SSL_CTX *ctx);
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
/*
 * SSL_shutdown: 1 once close_notify went both ways, 0 once ours is sent
 * (call again to wait for the peer's), -1 otherwise (SSL_get_error: WANT_READ
 * / WANT_WRITE, or an error: "shutdown while in init" before the handshake
 * completed or after a fatal error).
 */
int SSL_shutdown(SSL *s);
/*
 * SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN as they stand. SSL_set_shutdown
 * sets them as given (SSL_clear resets them to 0): SSL_SENT_SHUTDOWN makes
 * SSL_write fail ("protocol is shutdown") and SSL_shutdown only wait for
 * the peer's close_notify, without sending one; SSL_RECEIVED_SHUTDOWN makes
 * SSL_read return 0 (SSL_ERROR_ZERO_RETURN) without reading. With
 * SSL_SENT_SHUTDOWN set, SSL_free and SSL_clear leave the session resumable
 * although no close_notify was sent — what servers and benchmarks that
 * close without one do: SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN |
 * SSL_RECEIVED_SHUTDOWN); SSL_free(ssl);
 */
int SSL_get_shutdown(const SSL *ssl);
void SSL_set_shutdown(SSL *ssl, int mode);
/*
 * Quiet shutdown (mode 1): SSL_shutdown sends and awaits nothing, sets both
 * flags and returns 1 (on an established connection; before it, the same
 * "shutdown while in init" error as without). An SSL takes its context's
 * setting at SSL_new; SSL_clear keeps it.
 */
void SSL_CTX_set_quiet_shutdown(SSL_CTX *ctx, int mode);
int SSL_CTX_get_quiet_shutdown(const SSL_CTX *ctx);
void SSL_set_quiet_shutdown(SSL *ssl, int mode);
int SSL_get_quiet_shutdown(const SSL *ssl);
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

/*
 * The time a session was made (unix seconds) and how long it may be
 * resumed (seconds: the SSL_CTX_set_timeout of its session context when it
 * was made). A server does not resume a session from its cache once time +
 * timeout has passed (SSL_CTX_sess_timeouts counts it, the remove callback
 * hears of it); a TLS 1.3 client does not offer a session whose ticket is
 * older than the ticket's lifetime (the server's timeout when it issued the
 * ticket); a TLS 1.2 client offers its session whatever its age and the
 * server judges, as with libssl. SSL_SESSION_set_time returns t (0 for a
 * NULL session); SSL_SESSION_set_timeout returns 1 (0 for a NULL session
 * or t < 0). Neither changes the lifetime sealed into a ticket.
 */
long SSL_SESSION_get_time(const SSL_SESSION *s);
long SSL_SESSION_set_time(SSL_SESSION *s, long t);
long SSL_SESSION_get_timeout(const SSL_SESSION *s);
long SSL_SESSION_set_timeout(SSL_SESSION *s, long t);
/*
 * The session ID (at most SSL_MAX_SSL_SESSION_ID_LENGTH bytes, owned by the
 * session; *len its length, may be 0): a TLS 1.2 server's session ID; a
 * TLS 1.3 server gives each ticket's session a random one; a client's is
 * the server's session ID or, once a ticket came, SHA-256 of the ticket,
 * as libssl makes it. A session without an ID is never cached.
 */
#define SSL_MAX_SSL_SESSION_ID_LENGTH 32
const unsigned char *SSL_SESSION_get_id(const SSL_SESSION *s, unsigned int *len);
/*
 * The session as bytes, to keep it outside the process, and back.
 * i2d_SSL_SESSION returns the length (0 for NULL); with pp not NULL it
 * writes at *pp and advances it, or, when *pp is NULL, allocates the buffer
 * (free it with OPENSSL_free) and points *pp at it. d2i_SSL_SESSION reads
 * one session from *pp (at most length bytes), advances *pp past it and
 * returns a new session (one reference; also stored in *a when a is not
 * NULL, freeing the session *a held); NULL with an error on the queue for
 * input that is not a whole session (garbage, truncated), *pp unchanged.
 * The bytes hold the session's secrets: keep them as carefully as a private
 * key. Difference from libssl: the encoding is vouch-ssl's own, not
 * libssl's ASN.1 — bytes round-trip within vouch-ssl only (and libssl's do
 * not decode here); the errors of a failed decode differ (ERR_R_ASN1_LIB
 * under the SSL library). As with libssl, a session read back has no peer
 * chain: a client that resumes it reports none (SSL_get_peer_cert_chain),
 * only the certificate.
 */
int i2d_SSL_SESSION(const SSL_SESSION *in, unsigned char **pp);
SSL_SESSION *d2i_SSL_SESSION(SSL_SESSION **a, const unsigned char **pp, long length);

/* ---- the session cache ------------------------------------------------------- */

/*
 * SSL_CTX_set_session_cache_mode(3), as libssl 3.0 (default
 * SSL_SESS_CACHE_SERVER). The mode of the context an SSL was made from
 * applies (not one SSL_set_SSL_CTX switched to).
 *  - SSL_SESS_CACHE_SERVER: a TLS 1.2 server gives sessions an ID (without
 *    it, and with SSL_OP_NO_TICKET, nothing is resumable); sessions go to
 *    the new session callback and into the internal cache, where a
 *    ClientHello's session ID is looked up, then asked of the get callback.
 *    A TLS 1.3 server's tickets carry their sessions: the callback hears of
 *    one session per ticket; the internal cache keeps them only when a
 *    remove callback is set (or SSL_OP_NO_TICKET), as in libssl.
 *  - SSL_SESS_CACHE_CLIENT: a client's new sessions (TLS 1.2: when the
 *    handshake completes, unless it resumed; TLS 1.3: each ticket, as
 *    SSL_read processes it) go to the new session callback and the internal
 *    cache (which a client never searches: SSL_set_session chooses); a
 *    resumed TLS 1.3 session leaves it and cannot be resumed again.
 *  - SSL_SESS_CACHE_NO_INTERNAL_LOOKUP / _STORE (_NO_INTERNAL: both): the
 *    internal cache is not searched / not filled; the callbacks still are.
 *  - SSL_SESS_CACHE_NO_AUTO_CLEAR: expired sessions are not dropped from the
 *    internal cache every 255 completed handshakes.
 * Set returns the previous mode, get the mode.
 */
#define SSL_SESS_CACHE_OFF 0x0000
#define SSL_SESS_CACHE_CLIENT 0x0001
#define SSL_SESS_CACHE_SERVER 0x0002
#define SSL_SESS_CACHE_BOTH (SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_SERVER)
#define SSL_SESS_CACHE_NO_AUTO_CLEAR 0x0080
#define SSL_SESS_CACHE_NO_INTERNAL_LOOKUP 0x0100
#define SSL_SESS_CACHE_NO_INTERNAL_STORE 0x0200
#define SSL_SESS_CACHE_NO_INTERNAL (SSL_SESS_CACHE_NO_INTERNAL_LOOKUP | SSL_SESS_CACHE_NO_INTERNAL_STORE)
#define SSL_CTRL_SESS_NUMBER 20
#define SSL_CTRL_SESS_CONNECT 21
#define SSL_CTRL_SESS_CONNECT_GOOD 22
#define SSL_CTRL_SESS_ACCEPT 24
#define SSL_CTRL_SESS_ACCEPT_GOOD 25
#define SSL_CTRL_SESS_HIT 27
#define SSL_CTRL_SESS_CB_HIT 28
#define SSL_CTRL_SESS_MISSES 29
#define SSL_CTRL_SESS_TIMEOUTS 30
#define SSL_CTRL_SESS_CACHE_FULL 31
#define SSL_CTRL_SET_SESS_CACHE_SIZE 42
#define SSL_CTRL_GET_SESS_CACHE_SIZE 43
#define SSL_CTRL_SET_SESS_CACHE_MODE 44
#define SSL_CTRL_GET_SESS_CACHE_MODE 45
#define SSL_CTX_set_session_cache_mode(ctx, m) SSL_CTX_ctrl((ctx), SSL_CTRL_SET_SESS_CACHE_MODE, (m), NULL)
#define SSL_CTX_get_session_cache_mode(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_GET_SESS_CACHE_MODE, 0, NULL)
/* The internal cache's capacity (default 20480; 0: unbounded). When full,
 * the oldest session goes (remove callback; SSL_CTX_sess_cache_full counts
 * it). Set returns the previous size (a negative size changes nothing). */
#define SSL_CTX_sess_set_cache_size(ctx, t) SSL_CTX_ctrl((ctx), SSL_CTRL_SET_SESS_CACHE_SIZE, (t), NULL)
#define SSL_CTX_sess_get_cache_size(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_GET_SESS_CACHE_SIZE, 0, NULL)
/*
 * Counters of the context, as libssl's: sessions in the internal cache
 * (SSL_CTX_sess_number); handshakes started and completed as a client
 * (_connect, _connect_good) and as a server (_accept, _accept_good; a
 * server's completed handshakes count on the SSL's current context);
 * resumptions (_hits, both roles, by ticket or ID); sessions the get
 * callback gave (_cb_hits), ID lookups the internal cache failed
 * (_misses), sessions found expired (_timeouts), sessions evicted from a
 * full cache (_cache_full). A TLS 1.2 renegotiation is not counted
 * (libssl's _connect_renegotiate / _accept_renegotiate are not provided).
 */
#define SSL_CTX_sess_number(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_NUMBER, 0, NULL)
#define SSL_CTX_sess_connect(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_CONNECT, 0, NULL)
#define SSL_CTX_sess_connect_good(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_CONNECT_GOOD, 0, NULL)
#define SSL_CTX_sess_accept(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_ACCEPT, 0, NULL)
#define SSL_CTX_sess_accept_good(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_ACCEPT_GOOD, 0, NULL)
#define SSL_CTX_sess_hits(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_HIT, 0, NULL)
#define SSL_CTX_sess_cb_hits(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_CB_HIT, 0, NULL)
#define SSL_CTX_sess_misses(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_MISSES, 0, NULL)
#define SSL_CTX_sess_timeouts(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_TIMEOUTS, 0, NULL)
#define SSL_CTX_sess_cache_full(ctx) SSL_CTX_ctrl((ctx), SSL_CTRL_SESS_CACHE_FULL, 0, NULL)

/*
 * The lifetime of the sessions the context makes from now on, in seconds
 * (default 7200, libssl 3.0's): SSL_SESSION_get_timeout of a new session;
 * a server also seals it into its tickets (their lifetime hint, at most
 * seven days) and resumes a session only within it. Returns the previous
 * value (0 for a NULL context); get returns the value.
 */
long SSL_CTX_set_timeout(SSL_CTX *ctx, long t);
long SSL_CTX_get_timeout(const SSL_CTX *ctx);

/*
 * The session callbacks (SSL_CTX_sess_set_new_cb(3)), of the context an SSL
 * was made from; NULL removes one. Called on the thread driving the SSL,
 * inside SSL_do_handshake / SSL_connect / SSL_accept / SSL_read.
 *  - new_session_cb(ssl, sess), under the cache mode (see above) for each
 *    new session: a reference is taken for the call; returning 1 keeps it
 *    (the callback must SSL_SESSION_free the session later), 0 gives it
 *    back.
 *  - get_session_cb(ssl, id, id_len, &copy), server, TLS 1.2: a ClientHello
 *    offers a session ID the internal cache does not hold (or
 *    SSL_SESS_CACHE_NO_INTERNAL_LOOKUP). Return a session this context made
 *    (one new_session_cb had, or d2i_SSL_SESSION gave back) or NULL. *copy
 *    is 1 on entry: the library then takes a reference of its own; set it
 *    to 0 to hand over a reference the callback owns. A session returned
 *    goes into the internal cache unless SSL_SESS_CACHE_NO_INTERNAL_STORE.
 *    An expired one is not resumed (and goes to the remove callback).
 *  - remove_session_cb(ctx, sess): a session is dropped — found expired,
 *    evicted from a full internal cache, at SSL_CTX_free for each one the
 *    internal cache holds, when a connection that did not shut down is freed
 *    (SSL_free / SSL_clear without SSL_shutdown or SSL_SENT_SHUTDOWN) or
 *    fails with a fatal alert, and (client, SSL_SESS_CACHE_CLIENT) when a
 *    TLS 1.3 session is resumed. Called whether or not the internal cache
 *    held it; sessions without an ID are never reported. No reference is
 *    given: take one with SSL_SESSION_up_ref to keep it.
 * The getters return what was set.
 */
void SSL_CTX_sess_set_new_cb(SSL_CTX *ctx, int (*new_session_cb)(SSL *ssl, SSL_SESSION *sess));
int (*SSL_CTX_sess_get_new_cb(SSL_CTX *ctx))(SSL *ssl, SSL_SESSION *sess);
void SSL_CTX_sess_set_remove_cb(SSL_CTX *ctx, void (*remove_session_cb)(SSL_CTX *ctx, SSL_SESSION *sess));
void (*SSL_CTX_sess_get_remove_cb(SSL_CTX *ctx))(SSL_CTX *ctx, SSL_SESSION *sess);
void SSL_CTX_sess_set_get_cb(SSL_CTX *ctx,
                             SSL_SESSION *(*get_session_cb)(SSL *ssl, const unsigned char *data, int len,
                                                            int *copy));
SSL_SESSION *(*SSL_CTX_sess_get_get_cb(SSL_CTX *ctx))(SSL *ssl, const unsigned char *data, int len, int *copy);

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
/*
 * The suite of the current session (NULL before a handshake completed; kept
 * by SSL_clear until the next handshake, as libssl keeps the session). The
 * SSL_CIPHER is static: never freed. Only the suites vouch implements exist
 * (the three TLS 1.3 suites and the six TLS 1.2 ECDHE AEAD suites).
 */
const SSL_CIPHER *SSL_get_current_cipher(const SSL *s);
/* The names: OpenSSL's (TLS 1.2: "ECDHE-ECDSA-AES128-GCM-SHA256"; TLS 1.3:
 * the IANA name) and the IANA one ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
 * "(NONE)" for a NULL cipher. */
const char *SSL_CIPHER_get_name(const SSL_CIPHER *c);
const char *SSL_CIPHER_standard_name(const SSL_CIPHER *c);
/* The secret bits (128 or 256), also stored in *alg_bits when not NULL; 0
 * for a NULL cipher (*alg_bits untouched). */
int SSL_CIPHER_get_bits(const SSL_CIPHER *c, int *alg_bits);
/* The first version that has the suite: "TLSv1.2" or "TLSv1.3"; "(NONE)"
 * for a NULL cipher. */
const char *SSL_CIPHER_get_version(const SSL_CIPHER *c);
/* 0x03000000 | the suite's two bytes (RFC 8446 §B.4, RFC 5289); the two
 * bytes alone. c must not be NULL. */
uint32_t SSL_CIPHER_get_id(const SSL_CIPHER *c);
uint16_t SSL_CIPHER_get_protocol_id(const SSL_CIPHER *c);
/*
 * One line as `openssl ciphers -v` prints it ("name version Kx= Au= Enc=
 * Mac=", newline-terminated) in buf, which must hold at least 128 bytes
 * (else NULL). With buf NULL a 128-byte buffer is allocated (free it with
 * OPENSSL_free). Returns buf; NULL when allocation fails. c must not be NULL.
 */
char *SSL_CIPHER_description(const SSL_CIPHER *c, char *buf, int size);
#define SSL_get_cipher(s) SSL_CIPHER_get_name(SSL_get_current_cipher(s))
#define SSL_get_cipher_name(s) SSL_CIPHER_get_name(SSL_get_current_cipher(s))
#define SSL_get_cipher_bits(s, np) SSL_CIPHER_get_bits(SSL_get_current_cipher(s), (np))
#define SSL_get_cipher_version(s) SSL_CIPHER_get_version(SSL_get_current_cipher(s))
/*
 * The server name (TLSEXT_NAMETYPE_host_name; NULL for any other type):
 * client — the name SSL_set_tlsext_host_name set (NULL without one);
 * server — the name the client sent in this handshake, from the moment its
 * ClientHello is read (inside the servername callback too), NULL without
 * one or before. SSL_get_servername_type: TLSEXT_NAMETYPE_host_name when
 * SSL_get_servername gives a name, else -1. Difference from libssl: on a
 * TLS 1.2 resumption libssl's server reports the name of the session (NULL
 * if its first handshake's servername callback did not answer
 * SSL_TLSEXT_ERR_OK), vouch-ssl's the name this ClientHello sent (vouch
 * resumes a session only for the name it was made for).
 */
const char *SSL_get_servername(const SSL *s, const int type);
int SSL_get_servername_type(const SSL *s);
/*
 * Moves the SSL to another context — what a servername callback does to
 * serve a name with another certificate: the SSL's certificates and keys
 * become ctx's (SSL_use_certificate on the SSL after this changes them
 * again), and so do the callbacks read from the context (certificate,
 * status, ALPN select, key log, info); a session id context the SSL had
 * from its old context becomes ctx's. What was set on the SSL itself
 * (verification, options, versions, suites) stays, and sessions — tickets,
 * the session cache and its callbacks — remain those of the context the SSL
 * was made from. NULL moves it back to that one. Returns the context the
 * SSL now has (a reference is taken on it, the old one's released).
 * Difference from libssl: inside a servername callback the new context's
 * session id context does not apply to the session made by this handshake.
 */
SSL_CTX *SSL_set_SSL_CTX(SSL *ssl, SSL_CTX *ctx);

/* ---- alerts and the info callback -------------------------------------------- */

/* Alert levels and descriptions (RFC 8446 §6, RFC 5246 §7.2), libssl's names
 * and values: what the info callback reports, what a servername callback
 * sets in *al. */
#define SSL3_AL_WARNING 1
#define SSL3_AL_FATAL 2
#define SSL_AD_CLOSE_NOTIFY 0
#define SSL_AD_UNEXPECTED_MESSAGE 10
#define SSL_AD_BAD_RECORD_MAC 20
#define SSL_AD_DECRYPTION_FAILED 21
#define SSL_AD_RECORD_OVERFLOW 22
#define SSL_AD_DECOMPRESSION_FAILURE 30
#define SSL_AD_HANDSHAKE_FAILURE 40
#define SSL_AD_NO_CERTIFICATE 41
#define SSL_AD_BAD_CERTIFICATE 42
#define SSL_AD_UNSUPPORTED_CERTIFICATE 43
#define SSL_AD_CERTIFICATE_REVOKED 44
#define SSL_AD_CERTIFICATE_EXPIRED 45
#define SSL_AD_CERTIFICATE_UNKNOWN 46
#define SSL_AD_ILLEGAL_PARAMETER 47
#define SSL_AD_UNKNOWN_CA 48
#define SSL_AD_ACCESS_DENIED 49
#define SSL_AD_DECODE_ERROR 50
#define SSL_AD_DECRYPT_ERROR 51
#define SSL_AD_EXPORT_RESTRICTION 60
#define SSL_AD_PROTOCOL_VERSION 70
#define SSL_AD_INSUFFICIENT_SECURITY 71
#define SSL_AD_INTERNAL_ERROR 80
#define SSL_AD_INAPPROPRIATE_FALLBACK 86
#define SSL_AD_USER_CANCELLED 90
#define SSL_AD_NO_RENEGOTIATION 100
#define SSL_AD_MISSING_EXTENSION 109
#define SSL_AD_UNSUPPORTED_EXTENSION 110
#define SSL_AD_CERTIFICATE_UNOBTAINABLE 111
#define SSL_AD_UNRECOGNIZED_NAME 112
#define SSL_AD_BAD_CERTIFICATE_STATUS_RESPONSE 113
#define SSL_AD_BAD_CERTIFICATE_HASH_VALUE 114
#define SSL_AD_UNKNOWN_PSK_IDENTITY 115
#define SSL_AD_CERTIFICATE_REQUIRED 116
#define SSL_AD_NO_APPLICATION_PROTOCOL 120

/* The texts of an alert value (level << 8 | description), libssl's:
 * "warning" / "fatal" / "unknown" ("W", "F", "U") for the level, "close
 * notify", "unknown CA" ... ("CN", "CA" ...) for the description, "unknown"
 * ("UK") for one libssl has no text for. Static strings. */
const char *SSL_alert_type_string_long(int value);
const char *SSL_alert_type_string(int value);
const char *SSL_alert_desc_string_long(int value);
const char *SSL_alert_desc_string(int value);

/*
 * The info callback, cb(ssl, where, ret), with libssl's event values.
 * vouch-ssl reports the documented subset, not libssl's state-machine steps:
 *  - SSL_CB_HANDSHAKE_START (ret 1) in the call that starts a handshake;
 *  - SSL_CB_HANDSHAKE_DONE (ret 1) in the call that completes it;
 *  - SSL_CB_WRITE_ALERT once our close_notify (SSL_shutdown) or fatal alert
 *    is written, SSL_CB_READ_ALERT once the peer's close_notify or fatal
 *    alert is read; ret = level << 8 | description (SSL_alert_*_string).
 * Not reported (a documented difference from libssl): SSL_CB_LOOP and
 * SSL_CB_EXIT steps (SSL_CB_CONNECT_LOOP / _EXIT, SSL_CB_ACCEPT_LOOP / _EXIT:
 * vouch's state machines have other states, and SSL_state_string is not
 * provided), warning alerts other than close_notify (a TLS 1.2
 * no_renegotiation), and the events of a TLS 1.2 renegotiation or a TLS 1.3
 * post-handshake authentication. The SSL's callback (SSL_set_info_callback)
 * takes precedence over its context's; each is read at the event.
 * SSL_get_info_callback returns the SSL's own (NULL if none).
 */
#define SSL_ST_CONNECT 0x1000
#define SSL_ST_ACCEPT 0x2000
#define SSL_CB_LOOP 0x01
#define SSL_CB_EXIT 0x02
#define SSL_CB_READ 0x04
#define SSL_CB_WRITE 0x08
#define SSL_CB_ALERT 0x4000
#define SSL_CB_READ_ALERT (SSL_CB_ALERT | SSL_CB_READ)
#define SSL_CB_WRITE_ALERT (SSL_CB_ALERT | SSL_CB_WRITE)
#define SSL_CB_ACCEPT_LOOP (SSL_ST_ACCEPT | SSL_CB_LOOP)
#define SSL_CB_ACCEPT_EXIT (SSL_ST_ACCEPT | SSL_CB_EXIT)
#define SSL_CB_CONNECT_LOOP (SSL_ST_CONNECT | SSL_CB_LOOP)
#define SSL_CB_CONNECT_EXIT (SSL_ST_CONNECT | SSL_CB_EXIT)
#define SSL_CB_HANDSHAKE_START 0x10
#define SSL_CB_HANDSHAKE_DONE 0x20
void SSL_CTX_set_info_callback(SSL_CTX *ctx, void (*cb)(const SSL *ssl, int type, int val));
void (*SSL_CTX_get_info_callback(SSL_CTX *ctx))(const SSL *ssl, int type, int val);
void SSL_set_info_callback(SSL *ssl, void (*cb)(const SSL *ssl, int type, int val));
void (*SSL_get_info_callback(const SSL *ssl))(const SSL *ssl, int type, int val);

/* ---- ALPN (RFC 7301) ------------------------------------------------------------ */

/*
 * The protocols a client offers, in the wire format (each name preceded by
 * its length byte: "\x02h2\x08http/1.1"), copied. Returns 0 on success —
 * the reverse of the usual convention, as in libssl — and 1 for a malformed
 * list (an empty name, a length past the end; nothing changes then, no
 * error is queued). NULL or length 0 offers none. An SSL takes its
 * context's list at SSL_new; SSL_set_alpn_protos replaces the SSL's. A
 * server's own list is not used: it chooses with its select callback.
 */
int SSL_CTX_set_alpn_protos(SSL_CTX *ctx, const unsigned char *protos, unsigned int protos_len);
int SSL_set_alpn_protos(SSL *ssl, const unsigned char *protos, unsigned int protos_len);
/*
 * Server: called for each ClientHello offering ALPN (a resumed handshake's
 * too), after the servername callback, with the client's list (in, inlen:
 * wire format, valid during the call). Answer SSL_TLSEXT_ERR_OK with
 * *out / *outlen naming the protocol (memory that outlives the call, e.g.
 * inside `in` or a static list; SSL_select_next_proto finds one), or
 * SSL_TLSEXT_ERR_NOACK to negotiate none (the handshake goes on); any other
 * value fails the handshake with a no_application_protocol alert ("no
 * application protocol" queued). The context's callback at the moment of the
 * ClientHello is used (after SSL_set_SSL_CTX, the new context's). Without a
 * callback a server negotiates no protocol. Differences from libssl: a
 * protocol the client did not offer fails the handshake at the server
 * (internal_error) — libssl sends it and the client refuses it; in TLS 1.2
 * it is called before the certificate callback (SSL_CTX_set_cert_cb), as in
 * TLS 1.3 — libssl's TLS 1.2 server calls it after (vouch lets the
 * certificate depend on the protocol, as RFC 8737's acme-tls/1 needs).
 */
typedef int (*SSL_CTX_alpn_select_cb_func)(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                           const unsigned char *in, unsigned int inlen, void *arg);
void SSL_CTX_set_alpn_select_cb(SSL_CTX *ctx, SSL_CTX_alpn_select_cb_func cb, void *arg);
/* The protocol negotiated on the current connection: *data points into the
 * SSL (valid until the next handshake, SSL_clear or SSL_free), *len its
 * length; NULL and 0 when none was (or before the handshake). */
void SSL_get0_alpn_selected(const SSL *ssl, const unsigned char **data, unsigned int *len);
/*
 * The first protocol of `server` (wire format, in the server's preference)
 * that `client` also lists: *out / *outlen point at it inside `server`,
 * OPENSSL_NPN_NEGOTIATED. Without one: the client's first protocol (inside
 * `client`) and OPENSSL_NPN_NO_OVERLAP — an ALPN callback must not accept
 * it then. A client list not starting with a well-formed protocol: *out
 * NULL, *outlen 0, OPENSSL_NPN_NO_OVERLAP.
 */
#define OPENSSL_NPN_UNSUPPORTED 0
#define OPENSSL_NPN_NEGOTIATED 1
#define OPENSSL_NPN_NO_OVERLAP 2
int SSL_select_next_proto(unsigned char **out, unsigned char *outlen, const unsigned char *server,
                          unsigned int server_len, const unsigned char *client, unsigned int client_len);

/* ---- key material ----------------------------------------------------------- */

/*
 * Key logging for debugging (Wireshark's SSLKEYLOGFILE format): the callback
 * gets one NSS key log line per secret, without a newline, as each is
 * derived — TLS 1.2: "CLIENT_RANDOM <client random> <master secret>" (also
 * on resumption); TLS 1.3: CLIENT_HANDSHAKE_TRAFFIC_SECRET,
 * SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0,
 * SERVER_TRAFFIC_SECRET_0 and EXPORTER_SECRET, each with the client random;
 * lower-case hex, in libssl's order. `line` is valid during the call only.
 * The context's callback at the moment of logging is called (set before
 * the handshake starts; NULL logs nothing). Whoever reads these lines can
 * decrypt the connection.
 */
typedef void (*SSL_CTX_keylog_cb_func)(const SSL *ssl, const char *line);
void SSL_CTX_set_keylog_callback(SSL_CTX *ctx, SSL_CTX_keylog_cb_func cb);
SSL_CTX_keylog_cb_func SSL_CTX_get_keylog_callback(const SSL_CTX *ctx);

/*
 * Keying material exporter (RFC 5705 in TLS 1.2, RFC 8446 §7.5 in TLS
 * 1.3): olen bytes into out, both peers getting the same, for the label
 * (llen bytes) and, when use_context is non-zero, the context (contextlen
 * bytes, possibly 0). In TLS 1.2 no context and an empty one differ; in TLS
 * 1.3 they are the same. Returns 1; -1 when the SSL has no session (a fresh
 * SSL before its handshake); 0 with an error on the queue when the
 * handshake has not completed although a session is set (SSL_set_session,
 * or mid-handshake), for olen 0, or a TLS 1.2 context longer than 65535
 * bytes. Works after SSL_shutdown, on the session's keys.
 */
int SSL_export_keying_material(SSL *s, unsigned char *out, size_t olen, const char *label, size_t llen,
                               const unsigned char *context, size_t contextlen, int use_context);

/* ---- application data (ex_data) ------------------------------------------- */

#define SSL_get_ex_new_index(l, p, newf, dupf, freef) \
    CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, (l), (p), (newf), (dupf), (freef))
#define SSL_CTX_get_ex_new_index(l, p, newf, dupf, freef) \
    CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, (l), (p), (newf), (dupf), (freef))

int SSL_set_ex_data(SSL *ssl, int idx, void *data);
void *SSL_get_ex_data(const SSL *ssl, int idx);
int SSL_CTX_set_ex_data(SSL_CTX *ctx, int idx, void *data);
void *SSL_CTX_get_ex_data(const SSL_CTX *ctx, int idx);

/* ---- configuration by name (SSL_CONF_cmd(3)) ------------------------------- */

#define SSL_CONF_FLAG_CMDLINE 0x1
#define SSL_CONF_FLAG_FILE 0x2
#define SSL_CONF_FLAG_CLIENT 0x4
#define SSL_CONF_FLAG_SERVER 0x8
#define SSL_CONF_FLAG_SHOW_ERRORS 0x10
#define SSL_CONF_FLAG_CERTIFICATE 0x20
#define SSL_CONF_FLAG_REQUIRE_PRIVATE 0x40
#define SSL_CONF_TYPE_UNKNOWN 0x0
#define SSL_CONF_TYPE_STRING 0x1
#define SSL_CONF_TYPE_FILE 0x2
#define SSL_CONF_TYPE_DIR 0x3
#define SSL_CONF_TYPE_NONE 0x4
#define SSL_CONF_TYPE_STORE 0x5

/*
 * The commands vouch maps (FILE names, case-insensitive; CMDLINE names after
 * '-'): MinProtocol / min_protocol, MaxProtocol / max_protocol, Protocol,
 * Options (SessionTicket, ServerPreference, PrioritizeChaCha, ... — the
 * SSL_OP_* this header has), CipherString / cipher, Ciphersuites,
 * Groups / Curves, NumTickets (SERVER), Certificate / PrivateKey
 * (CERTIFICATE). SSL_CONF_cmd: 2 applied; 0 a bad value (SSL_R_BAD_VALUE
 * with SHOW_ERRORS); -2 any other command, also those libssl knows
 * (SSL_R_UNKNOWN_CMD_NAME with SHOW_ERRORS); -3 no value. Each is applied
 * to the SSL_CTX at once, through the function of the same effect.
 */
SSL_CONF_CTX *SSL_CONF_CTX_new(void);
void SSL_CONF_CTX_free(SSL_CONF_CTX *cctx);
unsigned int SSL_CONF_CTX_set_flags(SSL_CONF_CTX *cctx, unsigned int flags);
unsigned int SSL_CONF_CTX_clear_flags(SSL_CONF_CTX *cctx, unsigned int flags);
void SSL_CONF_CTX_set_ssl_ctx(SSL_CONF_CTX *cctx, SSL_CTX *ctx);
int SSL_CONF_cmd(SSL_CONF_CTX *cctx, const char *cmd, const char *value);
int SSL_CONF_cmd_value_type(SSL_CONF_CTX *cctx, const char *cmd);
int SSL_CONF_CTX_finish(SSL_CONF_CTX *cctx);

/* ---- further libssl calls (the ones Debian's nginx and curl import) --------- */

/* The suite with this two-byte number (network order), or NULL if vouch does
 * not implement it. */
const SSL_CIPHER *SSL_CIPHER_find(SSL *ssl, const unsigned char *ptr);
/* Appends the certificate's subject to the context's CA name list. */
int SSL_CTX_add_client_CA(SSL_CTX *ctx, X509 *x);
/* The X509_STORE peers are verified against (no new reference): anchors and
 * CRLs added to it count. _set takes over the caller's reference. */
X509_STORE *SSL_CTX_get_cert_store(const SSL_CTX *ctx);
void SSL_CTX_set_cert_store(SSL_CTX *ctx, X509_STORE *store);
/* Out of the internal cache (1 if it was there), not resumable any more;
 * the remove callback is called. */
int SSL_CTX_remove_session(SSL_CTX *ctx, SSL_SESSION *session);
/* The server name the session was made under, or NULL. */
const char *SSL_SESSION_get0_hostname(const SSL_SESSION *s);
/* The peer's chain from leaf to trust anchor, when it verified (NULL
 * otherwise); owned by the SSL. */
STACK_OF(X509) *SSL_get0_verified_chain(const SSL *s);
/* 1 while a handshake is to come or under way, 0 once it completed. */
int SSL_in_init(const SSL *s);
/* One BIO slot each, taking over the caller's reference. */
void SSL_set0_rbio(SSL *s, BIO *rbio);
void SSL_set0_wbio(SSL *s, BIO *wbio);

/*
 * Features vouch does not have, answering as libssl does when they are off
 * (docs/libssl-abi.md): no 0-RTT — SSL_CTX_set_max_early_data accepts only
 * 0 (else 0 returned), the getter says 0, SSL_read_early_data runs the
 * handshake and answers SSL_READ_EARLY_DATA_FINISH / _ERROR,
 * SSL_write_early_data fails (0); no kernel TLS — SSL_sendfile returns -1;
 * no SRP — the setters return 0; the message callback is kept, never called.
 */
#define SSL_READ_EARLY_DATA_ERROR 0
#define SSL_READ_EARLY_DATA_SUCCESS 1
#define SSL_READ_EARLY_DATA_FINISH 2
int SSL_CTX_set_max_early_data(SSL_CTX *ctx, uint32_t max_early_data);
uint32_t SSL_CTX_get_max_early_data(const SSL_CTX *ctx);
int SSL_read_early_data(SSL *s, void *buf, size_t num, size_t *readbytes);
int SSL_write_early_data(SSL *s, const void *buf, size_t num, size_t *written);
ossl_ssize_t SSL_sendfile(SSL *s, int fd, off_t offset, size_t size, int flags);
int SSL_CTX_set_srp_username(SSL_CTX *ctx, char *name);
int SSL_CTX_set_srp_password(SSL_CTX *ctx, char *password);
void SSL_CTX_set_msg_callback(SSL_CTX *ctx,
                              void (*cb)(int write_p, int version, int content_type, const void *buf,
                                         size_t len, SSL *ssl, void *arg));

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
