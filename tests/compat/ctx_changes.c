/*
 * What an SSL takes from its context at SSL_new and what it reads from the
 * context later, when the context changes while SSL objects exist — the
 * rules vouch-ssl's per-context caches (the converted certificates, the
 * peer certificates from the parse cache) must keep:
 *
 * - certificates: an SSL made before SSL_CTX_use_certificate_chain_file /
 *   SSL_CTX_use_PrivateKey_file keeps the context's old certificate, one
 *   made after gets the new one; a certificate set on one SSL alone
 *   (SSL_use_certificate) is that SSL's, and the next SSL of the context
 *   gets the context's again;
 * - SSL_CTX_add_extra_chain_cert after SSL_new: read when the certificate
 *   is sent, so it reaches an SSL made before the call, for a certificate
 *   loaded without a chain;
 * - SSL_CTX_set_verify and SSL_CTX_set_ciphersuites after SSL_new: only
 *   SSL objects made after the call;
 * - the peer's certificate getters: SSL_get0_peer_certificate gives the
 *   same object on every call and the first of SSL_get_peer_cert_chain (a
 *   client's), in whichever order they are called; SSL_get1 gives it with
 *   a reference; a new handshake on the same SSL (SSL_clear) with another
 *   server certificate shows the new one; a server sees the client's.
 *
 *   ctx_changes PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "common.h"

/* The key of a certificate, which tells the server certificates apart (they
 * all name localhost): "EC-256", "EC-384". */
static const char *key_of(X509 *x, char *buf, size_t len) {
    EVP_PKEY *k = x != NULL ? X509_get0_pubkey(x) : NULL;
    if (k == NULL) {
        snprintf(buf, len, "-");
    } else {
        snprintf(buf, len, "%s-%d", EVP_PKEY_get_base_id(k) == EVP_PKEY_EC ? "EC" : "other", EVP_PKEY_get_bits(k));
    }
    return buf;
}

static SSL_CTX *client_ctx(int verify) {
    SSL_CTX *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "CA file");
    return cctx;
}

/* Runs the handshake of two SSL objects, then shows what the client saw of
 * the server's certificate (leaf key, chain length, verify result), and
 * frees both. */
static void handshake_and_show(const char *title, SSL *client, SSL *server) {
    struct link l;
    char key[32];
    int done;
    STACK_OF(X509) *chain;
    say("-- %s", title);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    done = handshake_both(&l, client, server);
    chain = SSL_get_peer_cert_chain(client);
    say("handshake=%s server key=%s chain=%d verify_result=%ld", done ? "done" : "failed",
        key_of(SSL_get0_peer_certificate(client), key, sizeof key), chain ? sk_X509_num(chain) : -1,
        SSL_get_verify_result(client));
    SSL_free(client);
    SSL_free(server);
    link_done(&l);
}

static void certificate_case(void) {
    SSL_CTX *cctx = client_ctx(1);
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL *before, *after, *own, *next;
    X509 *x;
    EVP_PKEY *k;
    say("== certificates changed on the context after SSL_new");
    /* A first handshake, so that the context's certificate has been used. */
    handshake_and_show("the context's first certificate", SSL_new(cctx), SSL_new(sctx));
    before = SSL_new(sctx);
    require(SSL_CTX_use_certificate_chain_file(sctx, path("server-p384-chain.pem")) == 1, "P-384 chain");
    require(SSL_CTX_use_PrivateKey_file(sctx, path("server-p384-key.pem"), SSL_FILETYPE_PEM) == 1, "P-384 key");
    after = SSL_new(sctx);
    own = SSL_new(sctx);
    /* The P-256 leaf alone: no chain of its own, no extra certificates in
     * the context, so the client cannot verify it. */
    x = load_cert(path("server.pem"));
    k = load_key(path("server-key.pem"));
    say("SSL_use_certificate=%d", SSL_use_certificate(own, x));
    say("SSL_use_PrivateKey=%d", SSL_use_PrivateKey(own, k));
    X509_free(x);
    EVP_PKEY_free(k);
    handshake_and_show("SSL made before the change", SSL_new(cctx), before);
    handshake_and_show("SSL made after the change", SSL_new(cctx), after);
    handshake_and_show("SSL with a certificate of its own", SSL_new(cctx), own);
    next = SSL_new(sctx);
    handshake_and_show("the next SSL of the context", SSL_new(cctx), next);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void extra_chain_case(void) {
    SSL_CTX *cctx = client_ctx(0);
    SSL_CTX *sctx = make_ctx(TLS_server_method(), NULL, NULL);
    SSL *before;
    X509 *leaf = load_cert(path("server.pem"));
    EVP_PKEY *key = load_key(path("server-key.pem"));
    say("== SSL_CTX_add_extra_chain_cert after SSL_new");
    require(SSL_CTX_use_certificate(sctx, leaf) == 1 && SSL_CTX_use_PrivateKey(sctx, key) == 1, "leaf and key");
    X509_free(leaf);
    EVP_PKEY_free(key);
    handshake_and_show("without extra chain certificates", SSL_new(cctx), SSL_new(sctx));
    before = SSL_new(sctx);
    /* The context takes this reference. */
    say("SSL_CTX_add_extra_chain_cert=%ld", SSL_CTX_add_extra_chain_cert(sctx, load_cert(path("intermediate.pem"))));
    handshake_and_show("SSL made before the call", SSL_new(cctx), before);
    handshake_and_show("SSL made after the call", SSL_new(cctx), SSL_new(sctx));
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void settings_case(void) {
    SSL_CTX *cctx = client_ctx(1);
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL *server_before, *client_before;
    say("== verify mode and suites changed on the context after SSL_new");
    server_before = SSL_new(sctx);
    client_before = SSL_new(cctx);
    /* The client has no certificate: a server asking for one and requiring
     * it fails the handshake. */
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    say("SSL_CTX_set_ciphersuites=%d", SSL_CTX_set_ciphersuites(cctx, "TLS_CHACHA20_POLY1305_SHA256"));
    require(SSL_CTX_set_cipher_list(cctx, "ECDHE-ECDSA-CHACHA20-POLY1305") == 1, "cipher list");
    {
        SSL *probe = SSL_new(sctx);
        say("server SSL_get_verify_mode: made before=%d made after=%d", SSL_get_verify_mode(server_before),
            SSL_get_verify_mode(probe));
        SSL_free(probe);
    }
    {
        SSL *c = client_before;
        SSL *s = server_before;
        struct link l;
        int done;
        say("-- both made before the changes");
        SSL_set_connect_state(c);
        SSL_set_accept_state(s);
        link_attach(&l, "mem", c, s);
        done = handshake_both(&l, c, s);
        say("handshake=%s cipher=%s", done ? "done" : "failed",
            done ? SSL_CIPHER_get_name(SSL_get_current_cipher(c)) : "-");
        SSL_free(c);
        SSL_free(s);
        link_done(&l);
    }
    handshake_and_show("both made after the changes", SSL_new(cctx), SSL_new(sctx));
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* The getters on both sides of a mutual TLS connection, in both orders. */
static void peer_getters_case(void) {
    SSL_CTX *cctx = make_ctx(TLS_client_method(), path("client-chain.pem"), path("client-key.pem"));
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX *sctx384 = make_ctx(TLS_server_method(), path("server-p384-chain.pem"), path("server-p384-key.pem"));
    SSL *client, *server;
    struct link l;
    char key[32], cn[256];
    int done;
    say("== the peer's certificate getters");
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "client CA file");
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    require(SSL_CTX_load_verify_locations(sctx, path("root.pem"), NULL) == 1, "server CA file");
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    done = handshake_both(&l, client, server);
    say("handshake=%s", done ? "done" : "failed");
    {
        /* Client: the chain first, then the leaf. */
        STACK_OF(X509) *chain = SSL_get_peer_cert_chain(client);
        X509 *leaf = SSL_get0_peer_certificate(client);
        X509 *again = SSL_get0_peer_certificate(client);
        X509 *ref = SSL_get1_peer_certificate(client);
        say("client: chain=%d leaf key=%s same on every call=%d first of the chain=%d get1 same=%d",
            chain ? sk_X509_num(chain) : -1, key_of(leaf, key, sizeof key), leaf == again,
            chain != NULL && sk_X509_value(chain, 0) == leaf, ref == leaf);
        X509_free(ref);
    }
    {
        /* Server: the leaf first, then the chain (without the leaf). */
        X509 *leaf = SSL_get0_peer_certificate(server);
        STACK_OF(X509) *chain = SSL_get_peer_cert_chain(server);
        say("server: client cn=%s chain=%d same on every call=%d", common_name(leaf, cn, sizeof cn),
            chain ? sk_X509_num(chain) : -1, leaf == SSL_get0_peer_certificate(server));
        if (chain != NULL && sk_X509_num(chain) > 0)
            say("server: chain[0] cn=%s", common_name(sk_X509_value(chain, 0), cn, sizeof cn));
    }
    /* A new handshake on the same client SSL, with a server of another
     * certificate. */
    SSL_free(server);
    link_done(&l);
    say("SSL_clear=%d", SSL_clear(client));
    server = SSL_new(sctx384);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    done = handshake_both(&l, client, server);
    {
        X509 *leaf = SSL_get0_peer_certificate(client);
        STACK_OF(X509) *chain = SSL_get_peer_cert_chain(client);
        say("after SSL_clear: handshake=%s leaf key=%s chain=%d first of the chain=%d", done ? "done" : "failed",
            key_of(leaf, key, sizeof key), chain ? sk_X509_num(chain) : -1,
            chain != NULL && sk_X509_value(chain, 0) == leaf);
    }
    SSL_CTX_free(sctx384);
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: ctx_changes PKI_DIR");
    set_pki_dir(argv[1]);
    certificate_case();
    extra_chain_case();
    settings_case();
    peer_getters_case();
    say("end");
    return 0;
}
