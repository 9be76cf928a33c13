/*
 * Shared pieces of the differential programs. Each program is compiled
 * twice — against the system's libssl and against vouch-ssl — and run the
 * same way; the test compares what the two print on stdout (the transcript):
 * return values, SSL_get_error values, verify results, negotiated names,
 * outcomes; and on stderr, the error queue's entries (codes and texts; their
 * data texts, vouch-ssl's own reasons, are not compared).
 */
#ifndef VOUCH_COMPAT_TEST_COMMON_H
#define VOUCH_COMPAT_TEST_COMMON_H

#include <openssl/err.h>
#include <openssl/ssl.h>

/* One transcript line on stdout (flushed: the test may kill us). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A diagnostic on stderr. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "SSL_ERROR_WANT_READ" ... for a SSL_get_error value. */
const char *error_name(int err);

/*
 * Prints "<what>: ret=<r> err=<SSL_get_error name>", moves the error queue
 * to stderr (saying on stdout only whether it held anything) and returns
 * the SSL_get_error value.
 */
int report(SSL *ssl, const char *what, int ret);

/* Empties the error queue onto stderr; returns 1 if it held anything. */
int drain_errors(void);

/* How many entries pushed by a program's own callbacks drain_errors has
 * taken off the queue: those raised with ERR_raise_data and a text starting
 * with CALLBACK_ERROR_MARK (ERR_LIB_USER is also the first library code
 * ERR_get_next_error_library hands out, so the code alone does not tell). */
#define CALLBACK_ERROR_MARK "pushed by the "
extern int callback_errors_drained;

/* Prints and exits with status 2 when `ok` is false (setup failures). */
void require(int ok, const char *what);

/* The test PKI directory (every program's first argument); set once. */
void set_pki_dir(const char *dir);
const char *pki_dir(void);
/* "<pki>/ecdsa/<file>" and "<pki>/<family>/<file>", in rotating buffers
 * (up to four results may be in use at once). */
const char *path(const char *file);
const char *family_path(const char *family, const char *file);
/* A PEM certificate / private key from a file; exits (require) on failure. */
X509 *load_cert(const char *file);
EVP_PKEY *load_key(const char *file);

/*
 * The protocol version every program can be run in: "--tls1_2" or
 * "--tls1_3" anywhere on the command line (taken out of argv, so the
 * program's own arguments keep their places) pins the contexts made by
 * new_ctx and make_ctx to that version with SSL_CTX_set_max_proto_version /
 * SSL_CTX_set_min_proto_version; without it they keep libssl's default
 * range (TLS 1.3 between two of them). Call first thing in main.
 */
void take_version_arg(int *argc, char **argv);
/* TLS1_2_VERSION, TLS1_3_VERSION, or 0 (not pinned). */
int pinned_version(void);
/* SSL_CTX_new, pinned to the version given on the command line. */
SSL_CTX *new_ctx(const SSL_METHOD *method);

/* A context (new_ctx) with a certificate chain and key (server) or none (NULL). */
SSL_CTX *make_ctx(const SSL_METHOD *method, const char *chain, const char *key);

/* The subject CN of a certificate ("-" without one). */
const char *common_name(X509 *cert, char *buf, int len);

/* Prints what a finished handshake negotiated and what the peer showed. */
void print_session(SSL *ssl, const char *who);

/*
 * In-memory transport for two SSL objects in one process: each side gets a
 * read and a write BIO; pump() moves what one side wrote to the other
 * side's read BIO. kind: "mem" (BIO_s_mem pairs moved by pump), "pair"
 * (BIO_new_bio_pair, nothing to move) or "custom" (a BIO_meth_new BIO over
 * a byte queue, moved by pump).
 */
struct link {
    const char *kind;
    BIO *client_read, *client_write, *server_read, *server_write;
};
void link_attach(struct link *l, const char *kind, SSL *client, SSL *server);
void link_pump(struct link *l);
/* Frees the custom BIO method (the BIOs belong to the SSL objects). */
void link_done(struct link *l);

/* The end of an in-process case: both SSL objects (and with them their
 * BIOs), the link, both contexts. */
void free_pair(SSL *client, SSL *server, struct link *l, SSL_CTX *cctx, SSL_CTX *sctx);

/* Sends "GET / HTTP/1.0" and reads the answer to its end into `page`
 * (NUL-terminated, at most size - 1 bytes), reporting the SSL_write and the
 * last SSL_read ("SSL_read at the end"); returns that read's SSL_get_error
 * value. */
int http_get(SSL *ssl, char *page, size_t size);

/* A blocking TCP connection to 127.0.0.1:port; exits (require) on failure. */
int connect_loopback(int port);

/*
 * Drives both handshakes step by step until both are done or fail (bounded),
 * printing each call. Returns 1 if both completed.
 */
int handshake_both(struct link *l, SSL *client, SSL *server);

/* The same, with SSL_ERROR_WANT_X509_LOOKUP on either side meaning "call the
 * handshake function again" (a callback answered "later"). */
int handshake_both_retrying(struct link *l, SSL *client, SSL *server);

#endif
