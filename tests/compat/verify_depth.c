/*
 * SSL_CTX_set_verify_depth(3): how many intermediate CA certificates may
 * stand between the peer's certificate and the trust anchor, both roles in
 * one process over BIO_s_mem pairs. The test chains are leaf ← intermediate
 * ← root. Too long a chain fails an SSL_VERIFY_PEER handshake
 * (X509_V_ERR_CERT_CHAIN_TOO_LONG in SSL_get_verify_result) and is recorded
 * with SSL_VERIFY_NONE.
 *
 *   verify_depth PKI_DIR
 */
#include <stdio.h>

#include "common.h"

static void run_case(const char *title, int client_verify, int client_depth, int server_depth) {
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX *cctx = make_ctx(TLS_client_method(), path("client-chain.pem"), path("client-key.pem"));
    SSL *client, *server;
    struct link l;
    say("== %s", title);
    SSL_CTX_set_verify(cctx, client_verify, NULL);
    if (client_depth != -1) SSL_CTX_set_verify_depth(cctx, client_depth);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "client CA");
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    if (server_depth != -1) SSL_CTX_set_verify_depth(sctx, server_depth);
    require(SSL_CTX_load_verify_locations(sctx, path("root.pem"), NULL) == 1, "server CA");
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    (void)handshake_both(&l, client, server);
    say("verify_result: client=%ld server=%ld", SSL_get_verify_result(client), SSL_get_verify_result(server));
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: verify_depth PKI_DIR");
    set_pki_dir(argv[1]);
    run_case("default depths", SSL_VERIFY_PEER, -1, -1);
    run_case("client depth 1", SSL_VERIFY_PEER, 1, -1);
    run_case("client depth 0", SSL_VERIFY_PEER, 0, -1);
    run_case("client depth 0, SSL_VERIFY_NONE", SSL_VERIFY_NONE, 0, -1);
    run_case("server depth 1", SSL_VERIFY_PEER, -1, 1);
    run_case("server depth 0", SSL_VERIFY_PEER, -1, 0);
    say("end");
    return 0;
}
