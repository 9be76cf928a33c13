/*
 * TLS 1.3 post-handshake client authentication (RFC 8446 §4.6.2) through
 * SSL_verify_client_post_handshake(3), both roles in one process over
 * BIO_s_mem pairs. The client offers it (SSL_set_post_handshake_auth); the
 * server verifies with SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, so the
 * handshake asks for nothing. Afterwards the server queues a request,
 * SSL_write sends it, the client's SSL_read processes it and calls the
 * client certificate callback (printing the CA names it sees), and the
 * server's next SSL_read sees the certificate. Cases: the callback answers 1,
 * the callback answers 0, and a client that did not offer it.
 *
 * Then the callback answers -1 first (SSL_CTX_set_client_cert_cb(3): "the
 * handshake will be suspended"): the SSL_read that processed the request
 * returns -1 with SSL_ERROR_WANT_X509_LOOKUP, SSL_is_init_finished is 0
 * meanwhile, and the next SSL_read / SSL_write / SSL_do_handshake calls the
 * callback again, until it answers 1 or 0.
 *
 *   pha PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "common.h"

static int answer;
static int calls;
/* The first `later` calls answer -1, the ones after them `answer`. */
static int later;

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    const STACK_OF(X509_NAME) *names = SSL_get_client_CA_list(ssl);
    ++calls;
    if (calls <= later) {
        say("  client_cert_cb call %d: CA names=%d, returns -1", calls, names ? sk_X509_NAME_num(names) : -1);
        return -1;
    }
    say("  client_cert_cb call %d: CA names=%d, returns %d", calls, names ? sk_X509_NAME_num(names) : -1,
        answer);
    if (answer == 1) {
        *x509 = load_cert(path("client.pem"));
        *pkey = load_key(path("client-key.pem"));
    }
    return answer;
}

static SSL_CTX *server_ctx(void) {
    SSL_CTX *ctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(path("root.pem"));
    require(names != NULL, "CA names");
    SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, NULL);
    require(SSL_CTX_load_verify_locations(ctx, path("root.pem"), NULL) == 1, "server CA");
    return ctx;
}

static SSL_CTX *client_ctx(void) {
    SSL_CTX *ctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(ctx, path("root.pem"), NULL) == 1, "client CA");
    require(SSL_CTX_add_extra_chain_cert(ctx, load_cert(path("intermediate.pem"))) == 1, "extra chain");
    SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    return ctx;
}

static void print_peer(SSL *server, const char *when) {
    char cn[128];
    X509 *peer = SSL_get1_peer_certificate(server);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(server);
    say("server %s: peer=%s peer_chain=%d verify_result=%ld", when, common_name(peer, cn, sizeof cn),
        chain ? sk_X509_num(chain) : -1, SSL_get_verify_result(server));
    X509_free(peer);
}

static void run_case(const char *title, int offer, int cb_answer) {
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    struct link l;
    char buf[32];
    int r;
    say("== %s", title);
    require(client && server, "SSL_new");
    answer = cb_answer;
    calls = 0;
    later = 0;
    if (offer) SSL_set_post_handshake_auth(client, 1);
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    if (handshake_both(&l, client, server)) {
        say("callback calls during the handshake: %d", calls);
        print_peer(server, "after the handshake");
        r = SSL_verify_client_post_handshake(server);
        say("SSL_verify_client_post_handshake=%d errors=%s", r, drain_errors() ? "yes" : "no");
        /* The request leaves with the next write. */
        r = SSL_write(server, "req", 3);
        report(server, "server SSL_write", r);
        link_pump(&l);
        /* The client reads past the tickets and the request, answers it and
         * returns the data. */
        r = SSL_read(client, buf, sizeof buf);
        report(client, "client SSL_read", r);
        if (r > 0) say("  client got '%.*s'", r, buf);
        say("callback calls: %d", calls);
        r = SSL_write(client, "ok", 2);
        report(client, "client SSL_write", r);
        link_pump(&l);
        r = SSL_read(server, buf, sizeof buf);
        report(server, "server SSL_read", r);
        if (r > 0) say("  server got '%.*s'", r, buf);
        print_peer(server, "after the request");
    }
    free_pair(client, server, &l, cctx, sctx);
}

/* One call on the client while a post-handshake answer may be pending:
 * 'r' SSL_read, 'w' SSL_write ("early"), 'h' SSL_do_handshake, 's'
 * SSL_shutdown (which does not call the callback). */
static void client_call(SSL *client, char how) {
    char buf[32];
    int r;
    switch (how) {
    case 'r':
        r = SSL_read(client, buf, sizeof buf);
        report(client, "client SSL_read", r);
        if (r > 0) say("  client got '%.*s'", r, buf);
        break;
    case 'w':
        r = SSL_write(client, "early", 5);
        report(client, "client SSL_write", r);
        break;
    case 's':
        r = SSL_shutdown(client);
        report(client, "client SSL_shutdown", r);
        break;
    default:
        r = SSL_do_handshake(client);
        report(client, "client SSL_do_handshake", r);
        break;
    }
    say("  then: SSL_is_init_finished=%d callback calls=%d", SSL_is_init_finished(client), calls);
}

/* The request is read by an SSL_read whose callback answers -1; then each
 * call in `retries` ('r', 'w', 'h', 's' as above) retries it: the last one
 * gets `final` from the callback, the ones before it -1 again. */
static void run_later_case(const char *title, const char *retries, int final) {
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    struct link l;
    char buf[32];
    int r, i;
    say("== %s", title);
    require(client && server, "SSL_new");
    answer = final;
    calls = 0;
    later = 0;
    for (i = 0; retries[i] != '\0'; ++i) later += retries[i] != 's';
    SSL_set_post_handshake_auth(client, 1);
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    if (handshake_both(&l, client, server)) {
        r = SSL_verify_client_post_handshake(server);
        say("SSL_verify_client_post_handshake=%d errors=%s", r, drain_errors() ? "yes" : "no");
        r = SSL_write(server, "req", 3);
        report(server, "server SSL_write", r);
        link_pump(&l);
        client_call(client, 'r');
        /* Nothing of the answer reached the server yet. */
        link_pump(&l);
        r = SSL_read(server, buf, sizeof buf);
        report(server, "server SSL_read", r);
        {
            char cn[128];
            X509 *peer = SSL_get1_peer_certificate(server);
            STACK_OF(X509) *chain = SSL_get_peer_cert_chain(server);
            say("server while the client waits: peer=%s peer_chain=%d", common_name(peer, cn, sizeof cn),
                chain ? sk_X509_num(chain) : -1);
            X509_free(peer);
        }
        for (i = 0; retries[i] != '\0'; ++i) client_call(client, retries[i]);
        /* The server's 'req' is still to be read unless an SSL_read answered. */
        if (retries[strlen(retries) - 1] != 'r') client_call(client, 'r');
        r = SSL_write(client, "ok", 2);
        report(client, "client SSL_write", r);
        link_pump(&l);
        for (i = 0; i < 3; ++i) {
            r = SSL_read(server, buf, sizeof buf);
            if (report(server, "server SSL_read", r) != SSL_ERROR_NONE) break;
            say("  server got '%.*s'", r, buf);
        }
        print_peer(server, "after the answer");
    }
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: pha PKI_DIR");
    set_pki_dir(argv[1]);
    run_case("client offers, callback returns 1", 1, 1);
    run_case("client offers, callback returns 0", 1, 0);
    run_case("client does not offer", 0, 1);
    run_later_case("callback returns -1, then 1 (retried by SSL_read)", "r", 1);
    run_later_case("callback returns -1 twice, then 1 (retried by SSL_do_handshake, then SSL_read)", "hr", 1);
    run_later_case("callback returns -1, then 1 (retried by SSL_write)", "w", 1);
    run_later_case("callback returns -1, then 0 (SSL_shutdown meanwhile, retried by SSL_read)", "sr", 0);
    say("end");

    return 0;
}
