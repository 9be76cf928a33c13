/*
 * A blocking client over SSL_set_fd, as most OpenSSL programs are written:
 * connect to 127.0.0.1:PORT (an `openssl s_server -www`), handshake, send one
 * HTTP request, read the page to the end, close.
 *
 *   socket_client PORT CA_FILE peer|none
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    static char page[1 << 16];
    SSL_CTX *ctx;
    SSL *ssl;
    int fd, r, err;
    char expect[128];
    char *eol;

    take_version_arg(&argc, argv);
    require(argc == 4, "usage: socket_client PORT CA_FILE peer|none");
    ctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(ctx, strcmp(argv[3], "peer") == 0 ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    require(SSL_CTX_load_verify_locations(ctx, argv[2], NULL) == 1, "CA file");
    ssl = SSL_new(ctx);
    fd = connect_loopback(atoi(argv[1]));
    say("SSL_set_fd=%d", SSL_set_fd(ssl, fd));
    say("SSL_get_fd is the socket: %d", SSL_get_fd(ssl) == fd);
    say("SSL_set_tlsext_host_name=%ld", (long)SSL_set_tlsext_host_name(ssl, "localhost"));
    r = SSL_connect(ssl);
    err = report(ssl, "SSL_connect", r);
    if (r == 1) {
        print_session(ssl, "client");
        err = http_get(ssl, page, sizeof page);
        eol = strstr(page, "\r\n");
        say("status: %.*s", eol ? (int)(eol - page) : 0, page);
        snprintf(expect, sizeof expect, "Cipher is %s", SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
        say("page says \"%s\": %s", expect, strstr(page, expect) ? "yes" : "no");
        say("SSL_pending=%d", SSL_pending(ssl));
        if (err == SSL_ERROR_ZERO_RETURN) {
            r = SSL_shutdown(ssl);
            report(ssl, "SSL_shutdown", r);
        }
    } else {
        say("verify_result=%ld", SSL_get_verify_result(ssl));
    }
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    say("end");
    return 0;
}
