/*
 * SSL_set_shutdown(3) / SSL_get_shutdown and SSL_set_quiet_shutdown(3) /
 * SSL_CTX_set_quiet_shutdown, both roles in one process over BIO_s_mem
 * pairs: the flags as set and as SSL_clear leaves them; a quiet shutdown
 * (nothing sent, both flags set, 1); SSL_set_shutdown(SENT|RECEIVED) before
 * SSL_free keeping the session resumable (what benchmarks and servers that
 * close without a close_notify do) and SSL_free without it losing it;
 * SSL_SENT_SHUTDOWN set by hand (SSL_write refused, SSL_shutdown only waits
 * for the peer's close_notify); SSL_RECEIVED_SHUTDOWN set by hand (SSL_read
 * answers 0 without reading).
 *
 *   shutdown_modes PKI_DIR
 */
#include <string.h>

#include "common.h"

struct pair {
    SSL *client, *server;
    struct link l;
};

/* A new pair from the contexts (the client offering `offer` if not NULL),
 * handshaken; 1 if both sides completed. */
static int connect_pair(struct pair *p, SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *offer) {
    p->client = SSL_new(cctx);
    p->server = SSL_new(sctx);
    require(p->client && p->server, "SSL_new");
    require(SSL_set_tlsext_host_name(p->client, "localhost") == 1, "SNI");
    if (offer != NULL) require(SSL_set_session(p->client, offer) == 1, "SSL_set_session");
    SSL_set_connect_state(p->client);
    SSL_set_accept_state(p->server);
    link_attach(&p->l, "mem", p->client, p->server);
    return handshake_both(&p->l, p->client, p->server);
}

static void free_pair_only(struct pair *p) {
    SSL_free(p->client);
    SSL_free(p->server);
    link_done(&p->l);
}

/* The client reads what the server sent after the handshake (TLS 1.3
 * tickets) and returns its session (a new reference). */
static SSL_SESSION *client_session(struct pair *p) {
    char buf[8];
    int r = SSL_read(p->client, buf, sizeof buf);
    report(p->client, "client SSL_read (tickets)", r);
    return SSL_get1_session(p->client);
}

static void flags_and_clear(SSL_CTX *cctx) {
    SSL *ssl = SSL_new(cctx);
    require(ssl != NULL, "SSL_new");
    say("== the flags");
    say("SSL_get_shutdown on a new SSL=%d", SSL_get_shutdown(ssl));
    say("SSL_get_quiet_shutdown on a new SSL=%d SSL_CTX_get_quiet_shutdown=%d", SSL_get_quiet_shutdown(ssl),
        SSL_CTX_get_quiet_shutdown(cctx));
    SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN);
    say("after SSL_set_shutdown(SENT): %d", SSL_get_shutdown(ssl));
    SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    say("after SSL_set_shutdown(SENT|RECEIVED): %d", SSL_get_shutdown(ssl));
    SSL_set_shutdown(ssl, SSL_RECEIVED_SHUTDOWN);
    say("after SSL_set_shutdown(RECEIVED): %d", SSL_get_shutdown(ssl));
    SSL_set_connect_state(ssl);
    say("SSL_clear=%d, then SSL_get_shutdown=%d", SSL_clear(ssl), SSL_get_shutdown(ssl));
    SSL_set_quiet_shutdown(ssl, 1);
    say("after SSL_set_quiet_shutdown(1): SSL_get_quiet_shutdown=%d", SSL_get_quiet_shutdown(ssl));
    say("SSL_clear=%d, then SSL_get_quiet_shutdown=%d", SSL_clear(ssl), SSL_get_quiet_shutdown(ssl));
    report(ssl, "SSL_shutdown before the handshake, quiet", SSL_shutdown(ssl));
    say("  SSL_get_shutdown=%d", SSL_get_shutdown(ssl));
    SSL_free(ssl);
}

static void quiet(SSL_CTX *cctx, SSL_CTX *sctx) {
    struct pair p;
    char buf[8];
    int r;
    say("== quiet shutdown (SSL_CTX_set_quiet_shutdown on the client's context)");
    SSL_CTX_set_quiet_shutdown(cctx, 1);
    say("SSL_CTX_get_quiet_shutdown=%d", SSL_CTX_get_quiet_shutdown(cctx));
    if (connect_pair(&p, cctx, sctx, NULL)) {
        say("client SSL_get_quiet_shutdown=%d server=%d", SSL_get_quiet_shutdown(p.client),
            SSL_get_quiet_shutdown(p.server));
        r = SSL_shutdown(p.client);
        report(p.client, "client SSL_shutdown", r);
        say("  client SSL_get_shutdown=%d, bytes written=%d", SSL_get_shutdown(p.client),
            (int)BIO_ctrl_pending(p.l.client_write));
        r = SSL_write(p.client, "x", 1);
        report(p.client, "client SSL_write after it", r);
        r = SSL_read(p.client, buf, sizeof buf);
        report(p.client, "client SSL_read after it", r);
        link_pump(&p.l);
        r = SSL_read(p.server, buf, sizeof buf);
        report(p.server, "server SSL_read (no close_notify came)", r);
        /* The server's own quiet flag, set on the SSL. */
        SSL_set_quiet_shutdown(p.server, 1);
        r = SSL_shutdown(p.server);
        report(p.server, "server SSL_shutdown, quiet", r);
        say("  server SSL_get_shutdown=%d, bytes written=%d", SSL_get_shutdown(p.server),
            (int)BIO_ctrl_pending(p.l.server_write));
    }
    free_pair_only(&p);
    SSL_CTX_set_quiet_shutdown(cctx, 0);
}

static void resumption_after_free(SSL_CTX *cctx, SSL_CTX *sctx, int set_flags) {
    struct pair p;
    SSL_SESSION *session = NULL;
    say("== SSL_free %s", set_flags ? "after SSL_set_shutdown(SENT|RECEIVED)" : "without any shutdown");
    if (connect_pair(&p, cctx, sctx, NULL)) {
        session = client_session(&p);
        if (set_flags) {
            SSL_set_shutdown(p.client, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
            SSL_set_shutdown(p.server, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        }
        say("bytes written by the client=%d", (int)BIO_ctrl_pending(p.l.client_write));
    }
    free_pair_only(&p);
    say("session resumable after SSL_free=%d", session ? SSL_SESSION_is_resumable(session) : -1);
    if (connect_pair(&p, cctx, sctx, session))
        say("session_reused: client=%d server=%d", SSL_session_reused(p.client), SSL_session_reused(p.server));
    SSL_set_shutdown(p.client, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(p.server, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    free_pair_only(&p);
    SSL_SESSION_free(session);
}

static void sent_by_hand(SSL_CTX *cctx, SSL_CTX *sctx) {
    struct pair p;
    int r;
    say("== SSL_set_shutdown(SSL_SENT_SHUTDOWN) on an established client");
    if (connect_pair(&p, cctx, sctx, NULL)) {
        SSL_set_shutdown(p.client, SSL_SENT_SHUTDOWN);
        r = SSL_write(p.client, "x", 1);
        report(p.client, "client SSL_write", r);
        r = SSL_shutdown(p.client);
        report(p.client, "client SSL_shutdown (waits for the server's close_notify)", r);
        say("  client SSL_get_shutdown=%d, bytes written=%d", SSL_get_shutdown(p.client),
            (int)BIO_ctrl_pending(p.l.client_write));
        r = SSL_shutdown(p.server);
        report(p.server, "server SSL_shutdown", r);
        link_pump(&p.l);
        r = SSL_shutdown(p.client);
        report(p.client, "client SSL_shutdown again", r);
        say("  client SSL_get_shutdown=%d", SSL_get_shutdown(p.client));
        r = SSL_shutdown(p.server);
        report(p.server, "server SSL_shutdown again (no close_notify will come)", r);
        say("  server SSL_get_shutdown=%d", SSL_get_shutdown(p.server));
    }
    free_pair_only(&p);
}

static void received_by_hand(SSL_CTX *cctx, SSL_CTX *sctx) {
    struct pair p;
    char buf[8];
    int r;
    say("== SSL_set_shutdown(SSL_RECEIVED_SHUTDOWN) on an established server");
    if (connect_pair(&p, cctx, sctx, NULL)) {
        r = SSL_write(p.client, "data", 4);
        report(p.client, "client SSL_write", r);
        link_pump(&p.l);
        SSL_set_shutdown(p.server, SSL_RECEIVED_SHUTDOWN);
        r = SSL_read(p.server, buf, sizeof buf);
        report(p.server, "server SSL_read", r);
        say("  server SSL_pending=%d", SSL_pending(p.server));
        r = SSL_shutdown(p.server);
        report(p.server, "server SSL_shutdown", r);
        say("  server SSL_get_shutdown=%d", SSL_get_shutdown(p.server));
        link_pump(&p.l);
        r = SSL_read(p.client, buf, sizeof buf);
        report(p.client, "client SSL_read", r);
    }
    free_pair_only(&p);
}

int main(int argc, char **argv) {
    SSL_CTX *sctx, *cctx;

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: shutdown_modes PKI_DIR");
    set_pki_dir(argv[1]);
    sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "CA file");

    flags_and_clear(cctx);
    quiet(cctx, sctx);
    resumption_after_free(cctx, sctx, 1);
    resumption_after_free(cctx, sctx, 0);
    sent_by_hand(cctx, sctx);
    received_by_hand(cctx, sctx);

    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    say("end");
    return 0;
}
