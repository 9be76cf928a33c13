/*
 * Both roles in one process over an in-memory transport driven by this
 * program: BIO_s_mem pairs ("mem"), a BIO pair ("pair") or a BIO_meth_new
 * BIO ("custom"). A full handshake step by step, application data both
 * ways, then the close_notify exchange and the calls after it.
 *
 *   memory_pair KIND SERVER_CHAIN SERVER_KEY CA_FILE
 */
#include <string.h>

#include "common.h"

static void read_once(SSL *ssl, const char *what, int len) {
    char buf[256];
    int r = SSL_read(ssl, buf, len);
    report(ssl, what, r);
    if (r > 0) say("  data '%.*s' pending=%d", r, buf, SSL_pending(ssl));
}

int main(int argc, char **argv) {
    struct link l;
    SSL_CTX *sctx, *cctx;
    SSL *client, *server;
    int r;

    take_version_arg(&argc, argv);
    require(argc == 5, "usage: memory_pair KIND SERVER_CHAIN SERVER_KEY CA_FILE");
    sctx = make_ctx(TLS_server_method(), argv[2], argv[3]);
    cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, argv[4], NULL) == 1, "CA file");

    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, argv[1], client, server);
    say("client: is_server=%d init_finished=%d pending=%d", SSL_is_server(client),
        SSL_is_init_finished(client), SSL_pending(client));
    say("server: is_server=%d init_finished=%d", SSL_is_server(server), SSL_is_init_finished(server));

    if (handshake_both(&l, client, server)) {
        print_session(client, "client");
        print_session(server, "server");
        say("client: init_finished=%d", SSL_is_init_finished(client));

        read_once(server, "server SSL_read (nothing sent yet)", 100);
        r = SSL_write(client, "ping", 4);
        report(client, "client SSL_write", r);
        link_pump(&l);
        read_once(server, "server SSL_read 2", 2);
        read_once(server, "server SSL_read rest", 100);
        read_once(server, "server SSL_read again", 100);

        r = SSL_write(server, "pong", 4);
        report(server, "server SSL_write", r);
        link_pump(&l);
        read_once(client, "client SSL_read", 100);
        read_once(client, "client SSL_read again", 100);

        /* The client closes first. */
        r = SSL_shutdown(client);
        report(client, "client SSL_shutdown", r);
        say("client: get_shutdown=%d", SSL_get_shutdown(client));
        link_pump(&l);
        read_once(server, "server SSL_read after peer close", 100);
        say("server: get_shutdown=%d", SSL_get_shutdown(server));
        read_once(server, "server SSL_read again", 100);
        r = SSL_shutdown(server);
        report(server, "server SSL_shutdown", r);
        say("server: get_shutdown=%d", SSL_get_shutdown(server));
        link_pump(&l);
        r = SSL_shutdown(client);
        report(client, "client SSL_shutdown again", r);
        say("client: get_shutdown=%d", SSL_get_shutdown(client));
        read_once(client, "client SSL_read after shutdown", 100);
        r = SSL_write(client, "x", 1);
        report(client, "client SSL_write after shutdown", r);
        r = SSL_write(server, "x", 1);
        report(server, "server SSL_write after shutdown", r);
        r = SSL_shutdown(server);
        report(server, "server SSL_shutdown again", r);
    }
    free_pair(client, server, &l, cctx, sctx);
    say("end");
    return 0;
}
