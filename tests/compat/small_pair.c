/*
 * Both roles over a BIO pair with tiny buffers, so that writes stop with
 * SSL_ERROR_WANT_WRITE in the middle of handshake flights and of
 * application data, and the program retries (SSL_write with the same
 * arguments, as libssl requires). How many retries each side needs depends
 * on how a library cuts its output, so only the outcome is printed: which
 * SSL_get_error values were seen, and that every byte arrived.
 *
 *   small_pair SERVER_CHAIN SERVER_KEY CA_FILE
 */
#include <string.h>

#include "common.h"

static int seen[16];

static int note_error(SSL *ssl, int r) {
    int e = SSL_get_error(ssl, r);
    if (e >= 0 && e < 16) seen[e] = 1;
    if (e != SSL_ERROR_NONE && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        say("unexpected: ret=%d err=%s", r, error_name(e));
        drain_errors();
    }
    return e;
}

int main(int argc, char **argv) {
    static unsigned char sent[20000], got[20000];
    SSL_CTX *sctx, *cctx;
    SSL *client, *server;
    BIO *c = NULL, *s = NULL;
    int client_done = 0, server_done = 0, rounds, written = 0, received = 0;
    size_t i;

    take_version_arg(&argc, argv);
    require(argc == 4, "usage: small_pair SERVER_CHAIN SERVER_KEY CA_FILE");
    sctx = make_ctx(TLS_server_method(), argv[1], argv[2]);
    cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, argv[3], NULL) == 1, "CA file");
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    require(BIO_new_bio_pair(&c, 300, &s, 300) == 1, "BIO_new_bio_pair");
    SSL_set_bio(client, c, c);
    SSL_set_bio(server, s, s);

    for (rounds = 0; rounds < 1000 && !(client_done && server_done); ++rounds) {
        int r;
        if (!client_done) {
            r = SSL_do_handshake(client);
            if (r == 1) client_done = 1;
            else if (note_error(client, r) == SSL_ERROR_SSL) break;
        } else {
            /* The server's tickets only fit through if the client reads. */
            unsigned char none[16];
            r = SSL_read(client, none, sizeof none);
            if (r > 0 || note_error(client, r) == SSL_ERROR_SSL) break;
        }
        if (!server_done) {
            r = SSL_do_handshake(server);
            if (r == 1) server_done = 1;
            else if (note_error(server, r) == SSL_ERROR_SSL) break;
        }
    }
    say("handshake: client=%d server=%d", client_done, server_done);
    say("during the handshake: WANT_READ=%d WANT_WRITE=%d", seen[SSL_ERROR_WANT_READ],
        seen[SSL_ERROR_WANT_WRITE]);
    memset(seen, 0, sizeof seen);

    for (i = 0; i < sizeof sent; ++i) sent[i] = (unsigned char)(i * 7 + 3);
    for (rounds = 0; rounds < 100000 && received < (int)sizeof sent; ++rounds) {
        int r;
        if (written < (int)sizeof sent) {
            /* One logical write of what is left, retried with the same arguments. */
            r = SSL_write(client, sent + written, (int)sizeof sent - written);
            if (r > 0) written += r;
            else if (note_error(client, r) == SSL_ERROR_SSL) break;
        }
        r = SSL_read(server, got + received, (int)sizeof got - received);
        if (r > 0) received += r;
        else if (note_error(server, r) == SSL_ERROR_SSL) break;
    }
    say("data: written=%d received=%d intact=%d", written, received,
        received == (int)sizeof sent && memcmp(sent, got, sizeof sent) == 0);
    say("during the data: WANT_READ=%d WANT_WRITE=%d", seen[SSL_ERROR_WANT_READ],
        seen[SSL_ERROR_WANT_WRITE]);
    SSL_free(client);
    SSL_free(server);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    say("end");
    return 0;
}
