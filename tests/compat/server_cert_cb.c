/*
 * SSL_CTX_set_cert_cb(3) on a server: the callback runs once per full
 * handshake after the ClientHello, before anything of the server's answer is
 * written. 1 continues (with what the callback set with SSL_use_certificate /
 * SSL_use_PrivateKey, or the context's certificate), 0 fails the handshake,
 * a negative value makes the handshake call return -1 with
 * SSL_ERROR_WANT_X509_LOOKUP, and the next handshake call calls it again.
 * A resumed handshake chooses no certificate and does not call it.
 *
 * Both roles in one process over BIO_s_mem pairs, then a blocking server
 * over a socketpair(AF_UNIX) whose client runs in a child process. The
 * program prints each callback call (with SSL_get_servername), each handshake
 * call's result, whether the server wrote anything while it waited, and the
 * certificate the client saw. With a HelloRetryRequest only the outcome and
 * a tagged call count are printed (libssl and vouch call it a different
 * number of times, see retry_request_case).
 *
 *   server_cert_cb PKI_DIR
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

/* What the callback answers: one return value per call, then END. */
#define END 99
static const int *answers;
static int calls;
/* Set the RSA certificate and key on the SSL when answering 1. */
static int set_certificate;
/* Push an error of our own on the queue before answering (it must stay there). */
static int push_error;
/* Print nothing per call (a case whose calls differ by design). */
static int quiet;

/* say(), unless quiet. */
static void tell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void tell(const char *fmt, ...) {
    va_list ap;
    if (quiet) return;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* report(), unless quiet (then the queue goes to stderr unannounced). */
static int tell_result(SSL *ssl, const char *what, int ret) {
    int err;
    if (!quiet) return report(ssl, what, ret);
    err = SSL_get_error(ssl, ret);
    drain_errors();
    return err;
}

static int cert_cb(SSL *ssl, void *arg) {
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    int r = answers[calls];
    if (r == END) {
        say("  cert_cb called once more than expected, returns 0");
        return 0;
    }
    ++calls;
    tell("  cert_cb call %d: arg=%s servername=%s, returns %d", calls, (const char *)arg, sni ? sni : "(none)", r);
    if (r == 1 && set_certificate) {
        X509 *x = load_cert(family_path("rsa", "server.pem"));
        EVP_PKEY *k = load_key(family_path("rsa", "server-key.pem"));
        const int cert_ok = SSL_use_certificate(ssl, x), key_ok = SSL_use_PrivateKey(ssl, k);
        tell("  cert_cb: SSL_use_certificate=%d SSL_use_PrivateKey=%d", cert_ok, key_ok);
        X509_free(x);
        EVP_PKEY_free(k);
    }
    if (push_error) ERR_raise_data(ERR_LIB_USER, 42, "pushed by the certificate callback");
    return r;
}

/*
 * A server context: with the ECDSA chain and key (`with_cert`), else none
 * but the RSA intermediate as extra chain certificate, sent after whatever
 * leaf the callback sets.
 */
static SSL_CTX *server_ctx(int with_cert) {
    SSL_CTX *ctx;
    if (with_cert) return make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    ctx = make_ctx(TLS_server_method(), NULL, NULL);
    require(SSL_CTX_add_extra_chain_cert(ctx, load_cert(family_path("rsa", "intermediate.pem"))) == 1,
            "extra chain");
    return ctx;
}

static SSL_CTX *client_ctx(void) {
    char roots[1024];
    SSL_CTX *ctx = make_ctx(TLS_client_method(), NULL, NULL);
    snprintf(roots, sizeof roots, "%s/roots.pem", pki_dir());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(ctx, roots, NULL) == 1, "client CA");
    return ctx;
}

/* "subject=<CN> issuer=<CN> chain=<n> verify_result=<r>" of the client's view. */
static void describe_peer(SSL *client, char *out, size_t len) {
    char subject[128], issuer[128];
    X509 *peer = SSL_get1_peer_certificate(client);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(client);
    issuer[0] = 0;
    if (peer == NULL || X509_NAME_get_text_by_NID(X509_get_issuer_name(peer), NID_commonName, issuer,
                                                  (int)sizeof issuer) < 0)
        snprintf(issuer, sizeof issuer, "-");
    snprintf(out, len, "subject=%s issuer=%s chain=%d verify_result=%ld", common_name(peer, subject, sizeof subject),
             issuer, chain ? sk_X509_num(chain) : -1, SSL_get_verify_result(client));
    X509_free(peer);
}

/* Whether the oldest error on the queue is our own (ERR_LIB_USER, 42); only peeks. */
static int own_error_first(void) {
    unsigned long e = ERR_peek_error();
    return ERR_GET_LIB(e) == ERR_LIB_USER && ERR_GET_REASON(e) == 42;
}

/*
 * Like handshake_both, but SSL_ERROR_WANT_X509_LOOKUP on the server means
 * "call the handshake function again"; while it waits, says whether the
 * server wrote anything.
 */
static int drive(struct link *l, SSL *client, SSL *server) {
    int c = 0, s = 0, round;
    for (round = 0; round < 12 && (c == 0 || s == 0); ++round) {
        if (c == 0) {
            int r = SSL_do_handshake(client);
            int e = tell_result(client, "client SSL_do_handshake", r);
            if (r == 1) c = 1;
            else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) c = -1;
        }
        link_pump(l);
        if (s == 0) {
            int r = SSL_do_handshake(server);
            int e;
            if (push_error) tell("  callback's error first on the queue: %s", own_error_first() ? "yes" : "no");
            e = tell_result(server, "server SSL_do_handshake", r);
            if (r == 1) {
                s = 1;
            } else if (e == SSL_ERROR_WANT_X509_LOOKUP) {
                tell("  server output while waiting: %ld bytes", (long)BIO_ctrl_pending(l->server_write));
            } else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                s = -1;
            }
        }
        link_pump(l);
        if (c == -1 || s == -1) {
            if (c == 0 || s == 0) continue; /* let the other side see the alert */
            break;
        }
    }
    say("handshake: client=%s server=%s", c == 1 ? "done" : c == -1 ? "failed" : "waiting",
        s == 1 ? "done" : s == -1 ? "failed" : "waiting");
    return c == 1 && s == 1;
}

struct options {
    int with_cert;     /* the server context has the ECDSA certificate */
    int set_cert;      /* the callback sets the RSA one when answering 1 */
    int push_error;    /* the callback pushes an error of its own */
    int retry_request; /* force a HelloRetryRequest */
};

/*
 * One handshake of a fresh pair over `sctx`/`cctx` (with `session` offered,
 * if any); returns the client's session when `want_session` (its tickets
 * read with one SSL_read), else NULL.
 */
static SSL_SESSION *handshake(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *session, int want_session) {
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    SSL_SESSION *out = NULL;
    struct link l;
    char seen[512];
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    if (session != NULL) require(SSL_set_session(client, session) == 1, "SSL_set_session");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    if (drive(&l, client, server)) {
        describe_peer(client, seen, sizeof seen);
        say("client sees: %s", seen);
        say("session_reused: client=%d server=%d", SSL_session_reused(client), SSL_session_reused(server));
        if (want_session) {
            char byte;
            /* TLS 1.3 tickets come after the handshake: one read takes them. */
            report(client, "client SSL_read for the tickets", SSL_read(client, &byte, 1));
            out = SSL_get1_session(client);
        }
        /* libssl forgets a session whose connection is freed without a shutdown. */
        report(client, "client SSL_shutdown", SSL_shutdown(client));
        link_pump(&l);
        report(server, "server SSL_shutdown", SSL_shutdown(server));
    }
    SSL_free(client);
    SSL_free(server);
    link_done(&l);
    return out;
}

static void memory_case(const char *title, const int *answer_list, struct options o) {
    SSL_CTX *sctx = server_ctx(o.with_cert), *cctx = client_ctx();
    say("== %s", title);
    answers = answer_list;
    calls = 0;
    set_certificate = o.set_cert;
    push_error = o.push_error;
    SSL_CTX_set_cert_cb(sctx, cert_cb, (void *)"server-arg");
    if (o.retry_request) {
        require(SSL_CTX_set1_groups_list(cctx, "X25519:P-256") == 1, "client groups");
        require(SSL_CTX_set1_groups_list(sctx, "P-256") == 1, "server groups");
    }
    (void)handshake(sctx, cctx, NULL, 0);
    tell("callback calls: %d", calls);
    push_error = 0;
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* A full handshake, then one resuming its session: no call then. */
static void resumption_case(void) {
    static const int fine[] = {1, END};
    SSL_CTX *sctx = server_ctx(1), *cctx = client_ctx();
    SSL_SESSION *session;
    say("== resumption: returns 1 in the full handshake, not called when resuming");
    answers = fine;
    calls = 0;
    set_certificate = 0;
    SSL_CTX_set_cert_cb(sctx, cert_cb, (void *)"server-arg");
    session = handshake(sctx, cctx, NULL, 1);
    require(session != NULL, "a session to resume");
    say("callback calls in the full handshake: %d", calls);
    (void)handshake(sctx, cctx, session, 0);
    say("callback calls in all: %d", calls);
    SSL_SESSION_free(session);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/*
 * With a HelloRetryRequest, libssl calls the callback for each ClientHello
 * (a negative answer to the first one suspends before the HelloRetryRequest
 * is sent); vouch calls it once, for the ClientHello it answers with a
 * ServerHello (the first one only leads to the retry). Only the outcome and
 * one tagged line with the number of calls are printed.
 */
static void retry_request_case(void) {
    static const int answer_list[] = {-1, 1, 1, END};
    struct options o = {0, 1, 0, 1};
    quiet = 1;
    memory_case("HelloRetryRequest: returns -1, then 1 setting the certificate", answer_list, o);
    quiet = 0;
    say("[documented difference] callback calls with a HelloRetryRequest: %d", calls);
}

/*
 * The client of the socket case, in the child: a blocking handshake, then
 * one message telling the server what it saw, then wait for the server's
 * close. Prints nothing on stdout (the parent does); the exit status says
 * how far it got.
 */
static void socket_client(int fd) {
    SSL_CTX *ctx = client_ctx();
    SSL *ssl = SSL_new(ctx);
    char seen[512], buf[64];
    int r, closed;
    require(ssl != NULL, "SSL_new");
    require(SSL_set_tlsext_host_name(ssl, "localhost") == 1, "SNI");
    require(SSL_set_fd(ssl, fd) == 1, "SSL_set_fd");
    r = SSL_connect(ssl);
    if (r != 1) {
        note("child: SSL_connect=%d err=%s", r, error_name(SSL_get_error(ssl, r)));
        drain_errors();
        _exit(3);
    }
    describe_peer(ssl, seen, sizeof seen);
    if (SSL_write(ssl, seen, (int)strlen(seen)) <= 0) _exit(4);
    while ((r = SSL_read(ssl, buf, sizeof buf)) > 0) {
    }
    closed = SSL_get_error(ssl, r) == SSL_ERROR_ZERO_RETURN;
    (void)SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    _exit(closed ? 0 : 5);
}

static void socket_case(const char *title, const int *answer_list) {
    SSL_CTX *sctx = server_ctx(0);
    SSL *server;
    int fds[2], r, e, status = 0, attempt;
    pid_t child;
    char got[512];
    say("== %s", title);
    answers = answer_list;
    calls = 0;
    set_certificate = 1;
    SSL_CTX_set_cert_cb(sctx, cert_cb, (void *)"socket-arg");
    require(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0, "socketpair");
    child = fork();
    require(child >= 0, "fork");
    if (child == 0) {
        close(fds[0]);
        SSL_CTX_free(sctx);
        socket_client(fds[1]);
    }
    close(fds[1]);
    server = SSL_new(sctx);
    require(server != NULL, "SSL_new");
    say("SSL_set_fd=%d", SSL_set_fd(server, fds[0]));
    /* Blocking: each call reads until the callback answers or the handshake ends. */
    for (attempt = 0; attempt < 6; ++attempt) {
        r = SSL_accept(server);
        e = report(server, "SSL_accept", r);
        if (e != SSL_ERROR_WANT_X509_LOOKUP) break;
    }
    if (r == 1) {
        r = SSL_read(server, got, (int)sizeof got - 1);
        if (r > 0) {
            got[r] = 0;
            say("client sees: %s", got);
        } else {
            report(server, "SSL_read", r);
        }
        say("SSL_shutdown=%d", SSL_shutdown(server));
        drain_errors();
    }
    SSL_free(server);
    close(fds[0]);
    require(waitpid(child, &status, 0) == child, "waitpid");
    say("client exit status: %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    say("callback calls: %d", calls);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv) {
    static const int later_once[] = {-1, 1, END};
    static const int later_twice[] = {-1, -1, 1, END};
    static const int refuse[] = {0, END};
    static const int fine[] = {1, END};
    const struct options set_it = {0, 1, 0, 0}, ctx_cert = {1, 0, 0, 0}, ctx_cert_push = {1, 0, 1, 0};
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: server_cert_cb PKI_DIR");
    set_pki_dir(argv[1]);
    signal(SIGPIPE, SIG_IGN);
    alarm(60); /* a bound, should anything block for good */
    memory_case("returns -1 once, then 1 setting the certificate", later_once, set_it);
    memory_case("returns -1 twice, then 1 setting the certificate", later_twice, set_it);
    memory_case("returns 0", refuse, ctx_cert);
    memory_case("returns 1 without setting anything, the context has a certificate", fine, ctx_cert);
    memory_case("returns -1, then 1 without setting anything, the context has a certificate", later_once, ctx_cert);
    resumption_case();
    retry_request_case();
    socket_case("blocking socket: returns -1 twice, then 1 setting the certificate", later_twice);
    /* What the callback pushes on the error queue stays there, before the library's own entry. */
    memory_case("returns 0 with an error of its own on the queue", refuse, ctx_cert_push);
    say("end");
    return 0;
}
