/*
 * The order in which the callbacks of both seed pages run when a program
 * sets them all, both roles in one process over BIO_s_mem pairs: on the
 * server its certificate callback (SSL_CTX_set_cert_cb) and its status
 * callback; on the client its certificate callback, its client certificate
 * callback (SSL_CTX_set_client_cert_cb) and its status callback. libssl
 * calls the client's status callback once the server's flight is read —
 * after the client certificate callbacks when the server asked for a
 * certificate — so a client status callback refusing the staple still sees
 * the client certificate callback called first. Cases: with and without a
 * CertificateRequest, the client certificate callback answering -1 first,
 * and the status callback refusing (0).
 *
 *   callback_order PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

static int client_cert_answers[4];
static int client_cert_calls;
static int client_status_answer;

static int server_cert_cb(SSL *ssl, void *arg) {
    (void)ssl;
    (void)arg;
    say("  server cert_cb, returns 1");
    return 1;
}

static int server_status_cb(SSL *ssl, void *arg) {
    (void)ssl;
    (void)arg;
    say("  server status cb, returns NOACK");
    return SSL_TLSEXT_ERR_NOACK;
}

static int client_cert_cb_general(SSL *ssl, void *arg) {
    (void)arg;
    say("  client cert_cb (certificate on the SSL=%s), returns 1", SSL_get_certificate(ssl) ? "yes" : "no");
    return 1;
}

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    int r = client_cert_answers[client_cert_calls++];
    (void)ssl;
    say("  client_cert_cb call %d, returns %d", client_cert_calls, r);
    if (r == 1) {
        *x509 = load_cert(path("client.pem"));
        *pkey = load_key(path("client-key.pem"));
    }
    return r;
}

static int client_status_cb(SSL *ssl, void *arg) {
    unsigned char *resp = NULL;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
    (void)arg;
    say("  client status cb (staple=%s, peer certificate=%s), returns %d", len > 0 ? "yes" : "no",
        SSL_get0_peer_certificate(ssl) ? "yes" : "no", client_status_answer);
    return client_status_answer;
}

static void run_case(const char *title, int request_cert, int a0, int a1, int status_answer) {
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL *client, *server;
    struct link l;
    say("== %s", title);
    client_cert_answers[0] = a0;
    client_cert_answers[1] = a1;
    client_cert_calls = 0;
    client_status_answer = status_answer;
    SSL_CTX_set_verify(sctx, request_cert ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    require(SSL_CTX_load_verify_locations(sctx, path("root.pem"), NULL) == 1, "server CA");
    SSL_CTX_set_cert_cb(sctx, server_cert_cb, NULL);
    SSL_CTX_set_tlsext_status_cb(sctx, server_status_cb);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "client CA");
    require(SSL_CTX_add_extra_chain_cert(cctx, load_cert(path("intermediate.pem"))) == 1, "extra chain");
    SSL_CTX_set_cert_cb(cctx, client_cert_cb_general, NULL);
    SSL_CTX_set_client_cert_cb(cctx, client_cert_cb);
    SSL_CTX_set_tlsext_status_cb(cctx, client_status_cb);
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    require(SSL_set_tlsext_status_type(client, TLSEXT_STATUSTYPE_ocsp) == 1, "status type");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    handshake_both_retrying(&l, client, server);
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: callback_order PKI_DIR");
    set_pki_dir(argv[1]);
    run_case("server asks for a certificate, everything accepts", 1, 1, 1, 1);
    run_case("server asks, client_cert_cb answers -1 first", 1, -1, 1, 1);
    run_case("server asks, client_cert_cb declines", 1, 0, 0, 1);
    run_case("server asks, client status callback refuses", 1, 1, 1, 0);
    run_case("server asks, client status callback fails (-1)", 1, 1, 1, -1);
    run_case("server does not ask", 0, 1, 1, 1);
    run_case("server does not ask, client status callback refuses", 0, 1, 1, 0);
    say("end");
    return 0;
}
