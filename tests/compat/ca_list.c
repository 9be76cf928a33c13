/*
 * Client CA lists (SSL_CTX_set_client_CA_list(3), SSL_load_client_CA_file)
 * and the certificate callback (SSL_CTX_set_cert_cb(3)), both roles in one
 * process over BIO_s_mem pairs. The client certificate callback prints the
 * CA names it sees (SSL_get_client_CA_list) for a server with a list and
 * one without (then the CertificateRequest names none). The certificate
 * callback runs on the server before its certificate is chosen and on the
 * client when asked for a certificate; 0 fails the handshake.
 *
 *   ca_list PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "common.h"

static void print_names(const char *who, const STACK_OF(X509_NAME) *names) {
    int i;
    if (names == NULL) {
        say("  %s CA list: NULL", who);
        return;
    }
    say("  %s CA list: %d names", who, sk_X509_NAME_num(names));
    for (i = 0; i < sk_X509_NAME_num(names); ++i) {
        char buf[256];
        say("    %s", X509_NAME_oneline(sk_X509_NAME_value(names, i), buf, sizeof buf));
    }
}

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    (void)x509;
    (void)pkey;
    say("  client_cert_cb called");
    print_names("client sees", SSL_get_client_CA_list(ssl));
    return 0;
}

static int cert_cb_answer;
static int cert_cb(SSL *ssl, void *arg) {
    say("  cert_cb: %s role=%s, returns %d", (const char *)arg, SSL_is_server(ssl) ? "server" : "client",
        cert_cb_answer);
    return cert_cb_answer;
}

static void run_case(const char *title, int with_list, int server_cert_cb, int client_cert_cb_set, int answer) {
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL *client, *server;
    struct link l;
    say("== %s", title);
    cert_cb_answer = answer;
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(sctx, path("root.pem"), NULL) == 1, "server CA");
    if (with_list) {
        char roots[1024];
        STACK_OF(X509_NAME) *names;
        snprintf(roots, sizeof roots, "%s/roots.pem", pki_dir());
        names = SSL_load_client_CA_file(roots);
        say("SSL_load_client_CA_file: %s", names ? "loaded" : "NULL");
        print_names("loaded", names);
        SSL_CTX_set_client_CA_list(sctx, names); /* takes ownership */
    }
    print_names("SSL_CTX_get_client_CA_list", SSL_CTX_get_client_CA_list(sctx));
    if (server_cert_cb) SSL_CTX_set_cert_cb(sctx, cert_cb, (void *)"server-arg");
    if (client_cert_cb_set) SSL_CTX_set_cert_cb(cctx, cert_cb, (void *)"client-arg");
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "client CA");
    SSL_CTX_set_client_cert_cb(cctx, client_cert_cb);
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    print_names("client before the handshake", SSL_get_client_CA_list(client));
    print_names("server SSL_get_client_CA_list", SSL_get_client_CA_list(server));
    link_attach(&l, "mem", client, server);
    handshake_both(&l, client, server);
    print_names("client after the handshake", SSL_get_client_CA_list(client));
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: ca_list PKI_DIR");
    set_pki_dir(argv[1]);
    say("SSL_load_client_CA_file(missing): %s", SSL_load_client_CA_file("/nonexistent/file.pem") ? "set" : "NULL");
    say("errors=%s", drain_errors() ? "yes" : "no");
    run_case("server with a CA list", 1, 0, 0, 1);
    run_case("server without a CA list", 0, 0, 0, 1);
    run_case("cert_cb on both sides returns 1", 1, 1, 1, 1);
    run_case("server cert_cb returns 0", 0, 1, 0, 0);
    run_case("client cert_cb returns 0", 0, 0, 1, 0);
    say("end");
    return 0;
}
