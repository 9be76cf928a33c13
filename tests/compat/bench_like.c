/*
 * An in-memory handshake loop as a libssl user writes one for a benchmark:
 * one client and one server context (TLS_method, the server's session cache
 * on, the client's new-session callback keeping the latest session), a BIO
 * pair per connection, a few full handshakes and a few resumptions, one
 * request each way, then SSL_set_shutdown(SENT|RECEIVED) and SSL_free
 * without a close_notify. Compiles unchanged against libssl and vouch-ssl;
 * prints what happened (never how long it took).
 *
 *   bench_like PKI_DIR [--tls1_2]
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common.h"

#define ITERATIONS 4

static SSL_SESSION *latest;
static int new_sessions;

static int keep_session(SSL *ssl, SSL_SESSION *sess) {
    (void)ssl;
    ++new_sessions;
    SSL_SESSION_free(latest);
    latest = sess; /* our reference now */
    return 1;
}

/* Moves bytes until both sides finish the handshake. */
static int do_handshake(SSL *client, SSL *server) {
    int client_done = 0, server_done = 0, rounds;
    for (rounds = 0; rounds < 100 && !(client_done && server_done); ++rounds) {
        if (!client_done) {
            int r = SSL_do_handshake(client);
            if (r == 1) client_done = 1;
            else if (SSL_get_error(client, r) != SSL_ERROR_WANT_READ) return 0;
        }
        if (!server_done) {
            int r = SSL_do_handshake(server);
            if (r == 1) server_done = 1;
            else if (SSL_get_error(server, r) != SSL_ERROR_WANT_READ) return 0;
        }
    }
    return client_done && server_done;
}

static void one_connection(SSL_CTX *cctx, SSL_CTX *sctx, int resume, int i) {
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    BIO *client_bio = NULL, *server_bio = NULL;
    char buf[64];
    int n;
    require(client != NULL && server != NULL, "SSL_new");
    require(BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) == 1, "BIO_new_bio_pair");
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_tlsext_host_name(client, "localhost");
    if (resume && latest != NULL) SSL_set_session(client, latest);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    if (!do_handshake(client, server)) {
        say("%d: handshake failed", i);
        drain_errors();
    } else {
        require(SSL_write(client, "ping", 4) == 4, "client write");
        n = SSL_read(server, buf, sizeof buf);
        require(n == 4 && memcmp(buf, "ping", 4) == 0, "server read");
        require(SSL_write(server, "pong", 4) == 4, "server write");
        /* Reading the answer also reads the TLS 1.3 tickets sent before it. */
        n = SSL_read(client, buf, sizeof buf);
        require(n == 4 && memcmp(buf, "pong", 4) == 0, "client read");
        say("%d: %s %s reused=%d/%d", i, SSL_get_version(client), SSL_get_cipher(client), SSL_session_reused(client),
            SSL_session_reused(server));
    }
    /* No close_notify: the sessions stay resumable all the same. */
    SSL_set_shutdown(client, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(server, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(client);
    SSL_free(server);
}

int main(int argc, char **argv) {
    SSL_CTX *sctx, *cctx;
    int i;

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: bench_like PKI_DIR");
    set_pki_dir(argv[1]);

    sctx = new_ctx(TLS_method());
    cctx = new_ctx(TLS_method());
    require(sctx != NULL && cctx != NULL, "SSL_CTX_new");
    require(SSL_CTX_use_certificate_chain_file(sctx, path("server-chain.pem")) == 1, "chain");
    require(SSL_CTX_use_PrivateKey_file(sctx, path("server-key.pem"), SSL_FILETYPE_PEM) == 1, "key");
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(cctx, keep_session);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "CA file");

    for (i = 0; i < ITERATIONS; ++i) one_connection(cctx, sctx, 0, i);
    for (i = ITERATIONS; i < 2 * ITERATIONS; ++i) one_connection(cctx, sctx, 1, i);

    say("new sessions: %d", new_sessions);
    say("client: connect=%ld connect_good=%ld hits=%ld", SSL_CTX_sess_connect(cctx), SSL_CTX_sess_connect_good(cctx),
        SSL_CTX_sess_hits(cctx));
    say("server: accept=%ld accept_good=%ld hits=%ld cached=%ld", SSL_CTX_sess_accept(sctx),
        SSL_CTX_sess_accept_good(sctx), SSL_CTX_sess_hits(sctx), SSL_CTX_sess_number(sctx));
    SSL_SESSION_free(latest);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    say("end");
    return 0;
}
