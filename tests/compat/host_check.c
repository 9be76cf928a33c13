/*
 * Which name the client checks the server's certificate against, both roles
 * in one process over BIO_s_mem pairs. libssl checks none unless the program
 * calls SSL_set1_host — the SNI alone (SSL_set_tlsext_host_name) names the
 * server, it is not checked — and records a mismatch in
 * SSL_get_verify_result even with SSL_VERIFY_NONE. The test certificate
 * names localhost, 127.0.0.1 and ::1.
 *
 *   host_check PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

static void run_case(const char *title, int verify, const char *sni, const char *host, int clear_after) {
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL *client, *server;
    struct link l;
    say("== %s", title);
    SSL_CTX_set_verify(cctx, verify, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "client CA");
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    if (sni) require(SSL_set_tlsext_host_name(client, sni) == 1, "SNI");
    if (host) say("SSL_set1_host(%s)=%d", host, SSL_set1_host(client, host));
    if (clear_after) say("SSL_set1_host(NULL)=%d", SSL_set1_host(client, NULL));
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    if (handshake_both(&l, client, server)) print_session(client, "client");
    say("client: verify_result=%ld", SSL_get_verify_result(client));
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: host_check PKI_DIR");
    set_pki_dir(argv[1]);
    run_case("SNI names another host, no SSL_set1_host", SSL_VERIFY_PEER, "not-localhost.example", NULL, 0);
    run_case("no SNI, no SSL_set1_host", SSL_VERIFY_PEER, NULL, NULL, 0);
    run_case("SSL_set1_host matches, SNI differs", SSL_VERIFY_PEER, "not-localhost.example", "localhost", 0);
    run_case("SSL_set1_host does not match", SSL_VERIFY_PEER, "localhost", "other.example", 0);
    run_case("SSL_set1_host does not match, SSL_VERIFY_NONE", SSL_VERIFY_NONE, "localhost", "other.example", 0);
    run_case("SSL_set1_host with a matching IP address", SSL_VERIFY_PEER, NULL, "127.0.0.1", 0);
    run_case("SSL_set1_host with another IP address", SSL_VERIFY_PEER, NULL, "127.0.0.2", 0);
    run_case("SSL_set1_host cleared with NULL", SSL_VERIFY_PEER, "localhost", "other.example", 1);
    say("end");
    return 0;
}
