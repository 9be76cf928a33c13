/*
 * The vouch extensions of vouch-ssl (no libssl counterpart, so built only
 * against vouch-ssl and checked by compat_vouch_extensions_test), both roles
 * in one process over BIO_s_mem pairs:
 *  - VOUCH_SSL_CTX_set_client_chain_cb: a whole chain (leaf + intermediate)
 *    reaches a server that trusts only the root; nothing is installed into
 *    the SSL, so the next handshake (after SSL_clear) asks again; choosing
 *    by the CA names the server sent; -1 (SSL_ERROR_WANT_X509_LOOKUP) then
 *    1; precedence over SSL_CTX_set_client_cert_cb.
 *  - VOUCH_SSL_TLSEXT_ERR_RETRY_LATER from the server's status callback:
 *    the server's handshake call returns SSL_ERROR_WANT_X509_LOOKUP until the
 *    callback answers SSL_TLSEXT_ERR_OK; the client receives the staple.
 *
 *   extensions PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include "../common.h"

#ifndef VOUCH_SSL_EXTENSIONS
#error "built against vouch-ssl only"
#endif

/* ---- the client chain callback ------------------------------------------ */

/* Answers, one per call; 2 = "1 if the server names our root, else 0". */
static const int *answers;
static int chain_calls, cert_cb_calls;

static int names_root(SSL *ssl) {
    const STACK_OF(X509_NAME) *names = SSL_get_client_CA_list(ssl);
    X509 *root = load_cert(path("root.pem"));
    int i, found = 0;
    for (i = 0; names != NULL && i < sk_X509_NAME_num(names); ++i)
        if (X509_NAME_cmp(sk_X509_NAME_value(names, i), X509_get_subject_name(root)) == 0) found = 1;
    X509_free(root);
    return found;
}

static int chain_cb(SSL *ssl, STACK_OF(X509) **chain, EVP_PKEY **pkey, void *arg) {
    const STACK_OF(X509_NAME) *names = SSL_get_client_CA_list(ssl);
    int r = answers[chain_calls];
    ++chain_calls;
    if (r == 2) r = names_root(ssl);
    say("  chain_cb call %d: arg=%s CA names=%d names our root=%d, returns %d", chain_calls, (const char *)arg,
        names ? sk_X509_NAME_num(names) : -1, names_root(ssl), r);
    if (r == 1) {
        *chain = sk_X509_new_null();
        require(*chain != NULL, "stack");
        sk_X509_push(*chain, load_cert(path("client.pem")));
        sk_X509_push(*chain, load_cert(path("intermediate.pem")));
        *pkey = load_key(path("client-key.pem"));
    } else if (r < 0) {
        /* Handed over even with a negative answer: the library frees it. */
        *pkey = load_key(path("client-key.pem"));
    }
    return r;
}

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    (void)ssl;
    (void)x509;
    (void)pkey;
    ++cert_cb_calls;
    say("  client_cert_cb called");
    return 0;
}

static void print_peer(SSL *server, SSL *client) {
    char cn[128], cn2[128];
    X509 *peer = SSL_get1_peer_certificate(server);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(server);
    say("server: peer=%s peer_chain=%d first=%s verify_result=%ld", common_name(peer, cn, sizeof cn),
        chain ? sk_X509_num(chain) : -1,
        chain && sk_X509_num(chain) > 0 ? common_name(sk_X509_value(chain, 0), cn2, sizeof cn2) : "-",
        SSL_get_verify_result(server));
    X509_free(peer);
    say("client: certificate on the SSL=%s", common_name(SSL_get_certificate(client), cn, sizeof cn));
}

/* ca: "root", "other" or NULL (no list). `again`: a second handshake after SSL_clear. */
static void chain_case(const char *title, int verify, const char *ca, const int *answer_list, int with_cert_cb,
                       int again) {
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL *client, *server;
    struct link l;
    say("== %s", title);
    SSL_CTX_set_verify(sctx, verify, NULL);
    /* The server trusts only the root: the intermediate must come from the client. */
    require(SSL_CTX_load_verify_locations(sctx, path("root.pem"), NULL) == 1, "server CA");
    if (ca != NULL) {
        STACK_OF(X509_NAME) *names =
            SSL_load_client_CA_file(path(strcmp(ca, "root") == 0 ? "root.pem" : "untrusted-root.pem"));
        require(names != NULL, "CA names");
        SSL_CTX_set_client_CA_list(sctx, names);
    }
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "client CA");
    if (with_cert_cb) SSL_CTX_set_client_cert_cb(cctx, client_cert_cb);
    VOUCH_SSL_CTX_set_client_chain_cb(cctx, chain_cb, (void *)"chain-arg");
    answers = answer_list;
    chain_calls = cert_cb_calls = 0;
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    if (handshake_both_retrying(&l, client, server)) print_peer(server, client);
    say("chain_cb calls: %d client_cert_cb calls: %d", chain_calls, cert_cb_calls);
    if (again) {
        (void)BIO_reset(l.client_read);
        (void)BIO_reset(l.server_read);
        say("SSL_clear: client=%d server=%d", SSL_clear(client), SSL_clear(server));
        SSL_set_connect_state(client);
        SSL_set_accept_state(server);
        if (handshake_both_retrying(&l, client, server)) print_peer(server, client);
        say("chain_cb calls after SSL_clear: %d", chain_calls);
    }
    free_pair(client, server, &l, cctx, sctx);
}

/* ---- the status callback that answers later ------------------------------ */

static int status_calls, status_later;

static int server_status_cb(SSL *ssl, void *arg) {
    unsigned char *der = NULL, *p;
    OCSP_RESPONSE *resp;
    int len;
    (void)arg;
    ++status_calls;
    if (status_calls <= status_later) {
        say("  server status cb call %d: returns RETRY_LATER", status_calls);
        return VOUCH_SSL_TLSEXT_ERR_RETRY_LATER;
    }
    /* Any DER OCSP response will do: the client callback judges it. */
    resp = OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, NULL);
    require(resp != NULL, "OCSP response");
    len = i2d_OCSP_RESPONSE(resp, NULL);
    der = OPENSSL_malloc((size_t)len);
    require(der != NULL, "malloc");
    p = der;
    i2d_OCSP_RESPONSE(resp, &p);
    OCSP_RESPONSE_free(resp);
    say("  server status cb call %d: staples %d bytes, returns OK", status_calls, len);
    require(SSL_set_tlsext_status_ocsp_resp(ssl, der, len) == 1, "set staple");
    return SSL_TLSEXT_ERR_OK;
}

static int client_status_cb(SSL *ssl, void *arg) {
    const unsigned char *resp = NULL;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
    (void)arg;
    say("  client status cb: staple len=%ld", len);
    return 1;
}

static void status_case(const char *title, int later) {
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL *client, *server;
    struct link l;
    const unsigned char *resp = NULL;
    say("== %s", title);
    SSL_CTX_set_tlsext_status_cb(sctx, server_status_cb);
    SSL_CTX_set_tlsext_status_cb(cctx, client_status_cb);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "client CA");
    status_calls = 0;
    status_later = later;
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_tlsext_status_type(client, TLSEXT_STATUSTYPE_ocsp);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    handshake_both_retrying(&l, client, server);
    say("server status cb calls: %d", status_calls);
    say("client: SSL_get_tlsext_status_ocsp_resp=%ld", SSL_get_tlsext_status_ocsp_resp(client, &resp));
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    static const int yes[] = {1, 1, 1};
    static const int later[] = {-1, 1, 1};
    static const int by_ca[] = {2, 2, 2};
    const int demand = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: extensions PKI_DIR");
    set_pki_dir(argv[1]);

    chain_case("chain callback returns leaf and intermediate, asked again after SSL_clear", demand, NULL, yes, 0, 1);
    chain_case("chain callback chooses by CA: server names our root", SSL_VERIFY_PEER, "root", by_ca, 0, 0);
    chain_case("chain callback chooses by CA: server names another CA", SSL_VERIFY_PEER, "other", by_ca, 0, 0);
    chain_case("chain callback returns -1, then 1", demand, NULL, later, 0, 0);
    chain_case("chain callback takes precedence over the client cert callback", demand, NULL, yes, 1, 0);
    status_case("status callback answers later twice, then staples", 2);
    status_case("status callback staples at once", 0);
    say("end");
    return 0;
}
