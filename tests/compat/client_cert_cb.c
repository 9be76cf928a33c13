/*
 * SSL_CTX_set_client_cert_cb(3), sentence by sentence, both roles in one
 * process over BIO_s_mem pairs or a BIO pair: the callback returning 1 with
 * a certificate and key (installed into the SSL, the library owning what it
 * was handed; the chain comes from SSL_CTX_add_extra_chain_cert, as BUGS
 * suggests),
 * returning 0 (no certificate: a server that insists fails, one that only
 * asks accepts an anonymous client), returning -1 (SSL_ERROR_WANT_X509_LOOKUP,
 * and the next handshake call calls it again), a certificate already set on
 * the SSL (no call), and SSL_clear keeping the installed certificate (the
 * next handshake sends it without calling the callback). TRANSPORT is
 * "mem" (BIO_s_mem pairs, the default) or "pair" (a BIO pair).
 *
 *   client_cert_cb PKI_DIR [TRANSPORT]
 */
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "common.h"

/* The link between the two SSL objects (link_attach's kind). */
static const char *transport = "mem";

/* What the callback answers: a list of return values, one per call. */
static const int *answers;
static int calls;

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    int r = answers[calls];
    ++calls;
    say("  client_cert_cb call %d: certificate on the SSL=%s, returns %d", calls,
        SSL_get_certificate(ssl) ? "yes" : "no", r);
    if (r == 1) {
        /* New references: the library takes them over. */
        *x509 = load_cert(path("client.pem"));
        *pkey = load_key(path("client-key.pem"));
    }
    return r;
}

static SSL_CTX *server_ctx(int verify) {
    SSL_CTX *ctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX_set_verify(ctx, verify, NULL);
    require(SSL_CTX_load_verify_locations(ctx, path("root.pem"), NULL) == 1, "server CA");
    return ctx;
}

static SSL_CTX *client_ctx(void) {
    SSL_CTX *ctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(ctx, path("root.pem"), NULL) == 1, "client CA");
    /* The callback can return only the leaf (BUGS): the intermediate comes from here. */
    require(SSL_CTX_add_extra_chain_cert(ctx, load_cert(path("intermediate.pem"))) == 1, "extra chain");
    SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    return ctx;
}

/*
 * Like handshake_both, but SSL_ERROR_WANT_X509_LOOKUP on the client means
 * "call the handshake function again", as the page says.
 */
static int drive(struct link *l, SSL *client, SSL *server) {
    int c = 0, s = 0, round;
    for (round = 0; round < 10 && (c == 0 || s == 0); ++round) {
        if (c == 0) {
            int r = SSL_do_handshake(client);
            int e = report(client, "client SSL_do_handshake", r);
            if (r == 1) c = 1;
            else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_X509_LOOKUP) c = -1;
        }
        link_pump(l);
        if (s == 0) {
            int r = SSL_do_handshake(server);
            int e = report(server, "server SSL_do_handshake", r);
            if (r == 1) s = 1;
            else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) s = -1;
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

static void print_peer(SSL *server) {
    char cn[128];
    X509 *peer = SSL_get1_peer_certificate(server);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(server);
    say("server: peer=%s peer_chain=%d verify_result=%ld", common_name(peer, cn, sizeof cn),
        chain ? sk_X509_num(chain) : -1, SSL_get_verify_result(server));
    X509_free(peer);
}

/* One handshake of a fresh pair; `keep` gets the client SSL (else freed). */
static void run_case(const char *title, int verify, const int *answer_list, int preset, SSL **keep,
                     struct link *l, SSL **server_out) {
    SSL_CTX *sctx = server_ctx(verify), *cctx = client_ctx();
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    char cn[128];
    say("== %s", title);
    answers = answer_list;
    calls = 0;
    require(client && server, "SSL_new");
    if (preset) {
        X509 *x = load_cert(path("client.pem"));
        EVP_PKEY *k = load_key(path("client-key.pem"));
        say("SSL_use_certificate=%d SSL_use_PrivateKey=%d", SSL_use_certificate(client, x), SSL_use_PrivateKey(client, k));
        X509_free(x);
        EVP_PKEY_free(k);
    }
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(l, transport, client, server);
    if (drive(l, client, server)) print_peer(server);
    say("callback calls: %d", calls);
    say("client: certificate on the SSL=%s",
        common_name(SSL_get_certificate(client), cn, sizeof cn));
    if (keep != NULL) {
        *keep = client;
        *server_out = server;
    } else {
        SSL_free(client);
        SSL_free(server);
        link_done(l);
    }
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv) {
    static const int yes[] = {1, 1, 1};
    static const int no[] = {0, 0, 0};
    static const int later[] = {-1, -1, 1, 1};
    struct link l;
    SSL *client = NULL, *server = NULL;
    SSL_CTX *ctx;
    const int demand = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;

    take_version_arg(&argc, argv);
    require(argc == 2 || argc == 3, "usage: client_cert_cb PKI_DIR [TRANSPORT]");
    set_pki_dir(argv[1]);
    if (argc == 3) transport = argv[2];

    say("== getter");
    ctx = SSL_CTX_new(TLS_client_method());
    say("SSL_CTX_get_client_cert_cb before: %s", SSL_CTX_get_client_cert_cb(ctx) ? "set" : "NULL");
    SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    say("SSL_CTX_get_client_cert_cb after: is the callback %d", SSL_CTX_get_client_cert_cb(ctx) == client_cert_cb);
    SSL_CTX_set_client_cert_cb(ctx, NULL);
    say("SSL_CTX_get_client_cert_cb reset: %s", SSL_CTX_get_client_cert_cb(ctx) ? "set" : "NULL");
    SSL_CTX_free(ctx);

    run_case("callback returns 1 with certificate and key", demand, yes, 0, NULL, &l, NULL);
    run_case("callback returns 0, server demands a certificate", demand, no, 0, NULL, &l, NULL);
    run_case("callback returns 0, server only asks", SSL_VERIFY_PEER, no, 0, NULL, &l, NULL);
    run_case("callback returns -1 twice, then 1", demand, later, 0, NULL, &l, NULL);
    run_case("certificate already set on the SSL", demand, no, 1, NULL, &l, NULL);
    run_case("server does not ask", SSL_VERIFY_NONE, yes, 0, NULL, &l, NULL);

    /* The certificate the callback gave stays across SSL_clear. */
    run_case("installed certificate, then SSL_clear", demand, yes, 0, &client, &l, &server);
    /* Drop what the first connection left in flight (session tickets): a
     * BIO pair's reset empties what its own half wrote. */
    if (l.client_read != NULL) {
        (void)BIO_reset(l.client_read);
        (void)BIO_reset(l.server_read);
    } else {
        (void)BIO_reset(SSL_get_rbio(client));
        (void)BIO_reset(SSL_get_rbio(server));
    }
    say("SSL_clear: client=%d server=%d", SSL_clear(client), SSL_clear(server));
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    calls = 0;
    if (drive(&l, client, server)) print_peer(server);
    say("callback calls after SSL_clear: %d", calls);
    SSL_free(client);
    SSL_free(server);
    link_done(&l);
    say("end");
    return 0;
}
