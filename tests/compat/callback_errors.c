/*
 * What stays on the error queue after the callbacks of the seed pages ran,
 * both roles in one process over BIO_s_mem pairs. libssl leaves there what a
 * callback pushed (ERR_raise inside it) and what it raised about a
 * callback's answer, even when the handshake goes on: the client certificate
 * callback returning 1 without a certificate (BAD_DATA_RETURNED_BY_CALLBACK)
 * or with a key that does not match (KEY_VALUES_MISMATCH from
 * SSL_use_PrivateKey), then sending no certificate. A program that does not
 * empty the queue then sees SSL_ERROR_SSL from the next SSL_get_error, so
 * vouch must leave the same entries.
 *
 * Each callback here may push an error of its own (ERR_raise_data with
 * CALLBACK_ERROR_MARK); report() (via drain_errors) counts those it takes off
 * the queue, and the transcript prints that count and the "errors=" of every
 * call.
 *
 *   callback_errors PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

#define USER_REASON 42

enum client_answer {
    CERT_AND_KEY,   /* 1 with the client certificate and its key */
    ONE_WITH_NULLS, /* 1 without a certificate or key */
    WRONG_KEY,      /* 1 with the client certificate and another key */
    DECLINE,        /* 0 */
};

static struct {
    enum client_answer client_cert;
    int client_cert_pushes;   /* the client certificate callback pushes an error */
    int client_status_pushes; /* the client status callback pushes one, returns 1 */
    int server_status_pushes; /* the server status callback pushes one, returns NOACK */
    int client_cert_cb_pushes; /* the client's SSL_CTX_set_cert_cb callback pushes one, returns 1 */
} c;

static void push_user_error(const char *who) {
    ERR_raise_data(ERR_LIB_USER, USER_REASON, CALLBACK_ERROR_MARK "%s", who);
}

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    (void)ssl;
    say("  client_cert_cb: answer=%d pushes=%d", (int)c.client_cert, c.client_cert_pushes);
    if (c.client_cert_pushes) push_user_error("client certificate callback");
    switch (c.client_cert) {
        case CERT_AND_KEY:
            *x509 = load_cert(path("client.pem"));
            *pkey = load_key(path("client-key.pem"));
            return 1;
        case ONE_WITH_NULLS: return 1;
        case WRONG_KEY:
            *x509 = load_cert(path("client.pem"));
            *pkey = load_key(path("server-key.pem"));
            return 1;
        case DECLINE: return 0;
    }
    return 0;
}

static int client_status_cb(SSL *ssl, void *arg) {
    (void)ssl;
    (void)arg;
    say("  client status cb: pushes=%d, returns 1", c.client_status_pushes);
    if (c.client_status_pushes) push_user_error("client status callback");
    return 1;
}

static int server_status_cb(SSL *ssl, void *arg) {
    (void)ssl;
    (void)arg;
    say("  server status cb: pushes=%d, returns NOACK", c.server_status_pushes);
    if (c.server_status_pushes) push_user_error("server status callback");
    return SSL_TLSEXT_ERR_NOACK;
}

static int client_cert_cb_general(SSL *ssl, void *arg) {
    (void)ssl;
    (void)arg;
    say("  client cert_cb: pushes=%d, returns 1", c.client_cert_cb_pushes);
    if (c.client_cert_cb_pushes) push_user_error("client certificate (cert_cb) callback");
    return 1;
}

static void run_case(const char *title, int verify) {
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL *client, *server;
    struct link l;
    char cn[128];
    say("== %s", title);
    SSL_CTX_set_verify(sctx, verify, NULL);
    require(SSL_CTX_load_verify_locations(sctx, path("root.pem"), NULL) == 1, "server CA");
    SSL_CTX_set_tlsext_status_cb(sctx, server_status_cb);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "client CA");
    require(SSL_CTX_add_extra_chain_cert(cctx, load_cert(path("intermediate.pem"))) == 1, "extra chain");
    SSL_CTX_set_client_cert_cb(cctx, client_cert_cb);
    SSL_CTX_set_tlsext_status_cb(cctx, client_status_cb);
    SSL_CTX_set_cert_cb(cctx, client_cert_cb_general, NULL);
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    require(SSL_set_tlsext_status_type(client, TLSEXT_STATUSTYPE_ocsp) == 1, "status type");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    callback_errors_drained = 0;
    if (handshake_both(&l, client, server)) {
        X509 *peer = SSL_get1_peer_certificate(server);
        say("server sees client certificate: %s", common_name(peer, cn, sizeof cn));
        X509_free(peer);
        say("client: certificate on the SSL=%s", SSL_get_certificate(client) ? "yes" : "no");
    }
    say("callback errors seen on the queue: %d", callback_errors_drained);
    say("queue empty at the end: %s", drain_errors() ? "no" : "yes");
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: callback_errors PKI_DIR");
    set_pki_dir(argv[1]);

    memset(&c, 0, sizeof c);
    c.client_cert = CERT_AND_KEY;
    run_case("nothing pushed, certificate sent", SSL_VERIFY_PEER);

    c.client_cert = ONE_WITH_NULLS;
    run_case("client_cert_cb returns 1 without certificate, server only asks", SSL_VERIFY_PEER);
    run_case("client_cert_cb returns 1 without certificate, server demands",
             SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);

    c.client_cert = WRONG_KEY;
    run_case("client_cert_cb returns 1 with a key of another certificate", SSL_VERIFY_PEER);

    c.client_cert = DECLINE;
    c.client_cert_pushes = 1;
    run_case("client_cert_cb pushes an error and returns 0", SSL_VERIFY_PEER);

    memset(&c, 0, sizeof c);
    c.client_cert = CERT_AND_KEY;
    c.client_status_pushes = 1;
    run_case("client status callback pushes an error and returns 1", SSL_VERIFY_PEER);

    memset(&c, 0, sizeof c);
    c.client_cert = CERT_AND_KEY;
    c.server_status_pushes = 1;
    run_case("server status callback pushes an error and returns NOACK", SSL_VERIFY_PEER);

    memset(&c, 0, sizeof c);
    c.client_cert = CERT_AND_KEY;
    c.client_cert_cb_pushes = 1;
    run_case("client cert_cb pushes an error and returns 1", SSL_VERIFY_PEER);

    say("end");
    return 0;
}
