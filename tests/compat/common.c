#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/pem.h>

void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

void note(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

const char *error_name(int err) {
    switch (err) {
    case SSL_ERROR_NONE: return "SSL_ERROR_NONE";
    case SSL_ERROR_SSL: return "SSL_ERROR_SSL";
    case SSL_ERROR_WANT_READ: return "SSL_ERROR_WANT_READ";
    case SSL_ERROR_WANT_WRITE: return "SSL_ERROR_WANT_WRITE";
    case SSL_ERROR_WANT_X509_LOOKUP: return "SSL_ERROR_WANT_X509_LOOKUP";
    case SSL_ERROR_SYSCALL: return "SSL_ERROR_SYSCALL";
    case SSL_ERROR_ZERO_RETURN: return "SSL_ERROR_ZERO_RETURN";
    default: return "SSL_ERROR_other";
    }
}

int callback_errors_drained;

int drain_errors(void) {
    int any = 0;
    const char *data;
    int flags;
    unsigned long e;
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        note("  error: %s%s%s", buf, (flags & ERR_TXT_STRING) ? " : " : "",
             (flags & ERR_TXT_STRING) ? data : "");
        if ((flags & ERR_TXT_STRING) && strncmp(data, CALLBACK_ERROR_MARK, strlen(CALLBACK_ERROR_MARK)) == 0)
            ++callback_errors_drained;
        any = 1;
    }
    return any;
}

int report(SSL *ssl, const char *what, int ret) {
    int err = SSL_get_error(ssl, ret);
    int queued = drain_errors();
    say("%s: ret=%d err=%s errors=%s", what, ret, error_name(err), queued ? "yes" : "no");
    return err;
}

void require(int ok, const char *what) {
    if (ok) return;
    say("setup failed: %s", what);
    drain_errors();
    exit(2);
}

static int version;

void take_version_arg(int *argc, char **argv) {
    int i, out = 1;
    for (i = 1; i < *argc; ++i) {
        if (strcmp(argv[i], "--tls1_2") == 0) version = TLS1_2_VERSION;
        else if (strcmp(argv[i], "--tls1_3") == 0) version = TLS1_3_VERSION;
        else argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
}

int pinned_version(void) { return version; }

SSL_CTX *new_ctx(const SSL_METHOD *method) {
    SSL_CTX *ctx = SSL_CTX_new(method);
    require(ctx != NULL, "SSL_CTX_new");
    if (version == TLS1_2_VERSION) require(SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) == 1, "TLS 1.2 only");
    if (version == TLS1_3_VERSION) require(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1, "TLS 1.3 only");
    return ctx;
}

SSL_CTX *make_ctx(const SSL_METHOD *method, const char *chain, const char *key) {
    SSL_CTX *ctx = new_ctx(method);
    if (chain != NULL) {
        require(SSL_CTX_use_certificate_chain_file(ctx, chain) == 1, "certificate chain");
        require(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1, "private key");
        require(SSL_CTX_check_private_key(ctx) == 1, "key matches");
    }
    return ctx;
}

const char *common_name(X509 *cert, char *buf, int len) {
    if (cert == NULL || X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName,
                                                  buf, len) < 0) {
        snprintf(buf, (size_t)len, "-");
    }
    return buf;
}

void print_session(SSL *ssl, const char *who) {
    char cn[256];
    X509 *peer = SSL_get1_peer_certificate(ssl);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    say("%s: version=%s cipher=%s verify_result=%ld", who, SSL_get_version(ssl),
        SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)), SSL_get_verify_result(ssl));
    say("%s: peer=%s peer_chain=%d servername=%s", who, common_name(peer, cn, sizeof cn),
        chain ? sk_X509_num(chain) : -1, sni ? sni : "(none)");
    X509_free(peer);
}

/* ---- a BIO_meth_new BIO over a byte queue -------------------------------- */

struct queue {
    unsigned char data[1 << 16];
    size_t len;
};

static struct queue c2s, s2c;
static BIO_METHOD *queue_method;

static int queue_write(BIO *b, const char *in, int len) {
    struct queue *q = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0) return 0;
    if (q->len == sizeof q->data) {
        BIO_set_retry_write(b);
        return -1;
    }
    if ((size_t)len > sizeof q->data - q->len) len = (int)(sizeof q->data - q->len);
    memcpy(q->data + q->len, in, (size_t)len);
    q->len += (size_t)len;
    return len;
}

static int queue_read(BIO *b, char *out, int len) {
    struct queue *q = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0) return 0;
    if (q->len == 0) {
        BIO_set_retry_read(b);
        return -1;
    }
    if ((size_t)len > q->len) len = (int)q->len;
    memcpy(out, q->data, (size_t)len);
    memmove(q->data, q->data + len, q->len - (size_t)len);
    q->len -= (size_t)len;
    return len;
}

static long queue_ctrl(BIO *b, int cmd, long num, void *ptr) {
    struct queue *q = BIO_get_data(b);
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_PENDING: return (long)q->len;
    case BIO_CTRL_WPENDING: return 0;
    default: return 0;
    }
}

static int queue_create(BIO *b) {
    BIO_set_init(b, 1);
    return 1;
}

static BIO *queue_bio(struct queue *q) {
    BIO *b;
    if (queue_method == NULL) {
        queue_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "test queue");
        require(queue_method != NULL, "BIO_meth_new");
        BIO_meth_set_write(queue_method, queue_write);
        BIO_meth_set_read(queue_method, queue_read);
        BIO_meth_set_ctrl(queue_method, queue_ctrl);
        BIO_meth_set_create(queue_method, queue_create);
    }
    b = BIO_new(queue_method);
    require(b != NULL, "BIO_new(custom)");
    BIO_set_data(b, q);
    return b;
}

void link_attach(struct link *l, const char *kind, SSL *client, SSL *server) {
    memset(l, 0, sizeof *l);
    l->kind = kind;
    if (strcmp(kind, "pair") == 0) {
        BIO *c = NULL, *s = NULL;
        require(BIO_new_bio_pair(&c, 0, &s, 0) == 1, "BIO_new_bio_pair");
        SSL_set_bio(client, c, c);
        SSL_set_bio(server, s, s);
        return;
    }
    if (strcmp(kind, "custom") == 0) {
        c2s.len = s2c.len = 0;
        l->client_read = queue_bio(&s2c);
        l->client_write = queue_bio(&c2s);
        l->server_read = queue_bio(&c2s);
        l->server_write = queue_bio(&s2c);
    } else {
        require(strcmp(kind, "mem") == 0, "link kind is mem, pair or custom");
        l->client_read = BIO_new(BIO_s_mem());
        l->client_write = BIO_new(BIO_s_mem());
        l->server_read = BIO_new(BIO_s_mem());
        l->server_write = BIO_new(BIO_s_mem());
        require(l->client_read && l->client_write && l->server_read && l->server_write, "BIO_s_mem");
    }
    SSL_set_bio(client, l->client_read, l->client_write);
    SSL_set_bio(server, l->server_read, l->server_write);
}

static void move_bytes(BIO *from, BIO *to) {
    char buf[4096];
    int n;
    while ((n = BIO_read(from, buf, sizeof buf)) > 0) require(BIO_write(to, buf, n) == n, "BIO_write");
}

void link_pump(struct link *l) {
    if (strcmp(l->kind, "mem") != 0) return; /* pair and custom share their buffers */
    move_bytes(l->client_write, l->server_read);
    move_bytes(l->server_write, l->client_read);
}

void link_done(struct link *l) {
    (void)l;
    BIO_meth_free(queue_method);
    queue_method = NULL;
}

/* A side that stopped with `e` is still running: reading or writing, or
 * asked to call again after a callback's "later" when `retry_lookup`. */
static int still_running(int e, int retry_lookup) {
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE || (retry_lookup && e == SSL_ERROR_WANT_X509_LOOKUP);
}

static int drive_both(struct link *l, SSL *client, SSL *server, int retry_lookup, int max_rounds) {
    int client_state = 0, server_state = 0; /* 0 running, 1 done, -1 failed */
    int round;
    for (round = 0; round < max_rounds && (client_state == 0 || server_state == 0); ++round) {
        if (client_state == 0) {
            int r = SSL_do_handshake(client);
            int e = report(client, "client SSL_do_handshake", r);
            if (r == 1) client_state = 1;
            else if (!still_running(e, retry_lookup)) client_state = -1;
        }
        link_pump(l);
        if (server_state == 0) {
            int r = SSL_do_handshake(server);
            int e = report(server, "server SSL_do_handshake", r);
            if (r == 1) server_state = 1;
            else if (!still_running(e, retry_lookup)) server_state = -1;
        }
        link_pump(l);
        /* One side failed and the other only waits: nothing more will come. */
        if ((client_state == -1 && server_state != 0) || (server_state == -1 && client_state != 0))
            break;
        if (round > 0 && (client_state == -1 || server_state == -1)) break;
    }
    say("handshake: client=%s server=%s", client_state == 1 ? "done" : client_state == -1 ? "failed" : "waiting",
        server_state == 1 ? "done" : server_state == -1 ? "failed" : "waiting");
    return client_state == 1 && server_state == 1;
}

int handshake_both(struct link *l, SSL *client, SSL *server) { return drive_both(l, client, server, 0, 8); }

int handshake_both_retrying(struct link *l, SSL *client, SSL *server) {
    return drive_both(l, client, server, 1, 12);
}

static char pki[512];

void set_pki_dir(const char *dir) { snprintf(pki, sizeof pki, "%s", dir); }

const char *pki_dir(void) { return pki; }

const char *family_path(const char *family, const char *file) {
    static char buf[4][1024];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s/%s", pki, family, file);
    return p;
}

const char *path(const char *file) { return family_path("ecdsa", file); }

X509 *load_cert(const char *file) {
    BIO *b = BIO_new_file(file, "r");
    X509 *x;
    require(b != NULL, file);
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    require(x != NULL, file);
    return x;
}

EVP_PKEY *load_key(const char *file) {
    BIO *b = BIO_new_file(file, "r");
    EVP_PKEY *k;
    require(b != NULL, file);
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    require(k != NULL, file);
    return k;
}

void free_pair(SSL *client, SSL *server, struct link *l, SSL_CTX *cctx, SSL_CTX *sctx) {
    SSL_free(client);
    SSL_free(server);
    link_done(l);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int connect_loopback(int port) {
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    require(fd >= 0, "socket");
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    require(connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0, "connect");
    return fd;
}

int http_get(SSL *ssl, char *page, size_t size) {
    static const char request[] = "GET / HTTP/1.0\r\n\r\n";
    size_t have = 0;
    int r = SSL_write(ssl, request, (int)strlen(request));
    int err;
    report(ssl, "SSL_write", r);
    for (;;) {
        r = SSL_read(ssl, page + have, (int)(size - 1 - have));
        if (r <= 0) break;
        have += (size_t)r;
        if (have == size - 1) break;
    }
    err = report(ssl, "SSL_read at the end", r);
    page[have] = 0;
    return err;
}
