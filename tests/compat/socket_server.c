/*
 * A blocking server over SSL_set_fd: listen on 127.0.0.1:PORT, say "ready",
 * accept one connection (an `openssl s_client`), read one line, answer it,
 * close with close_notify and wait for the client's.
 *
 *   socket_server PORT SERVER_CHAIN SERVER_KEY
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    struct sockaddr_in addr;
    SSL_CTX *ctx;
    SSL *ssl;
    int lfd, fd, r, one = 1;
    char line[256];
    size_t have = 0;

    take_version_arg(&argc, argv);
    require(argc == 4, "usage: socket_server PORT SERVER_CHAIN SERVER_KEY");
    ctx = make_ctx(TLS_server_method(), argv[2], argv[3]);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    require(lfd >= 0, "socket");
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[1]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    require(bind(lfd, (struct sockaddr *)&addr, sizeof addr) == 0, "bind");
    require(listen(lfd, 1) == 0, "listen");
    say("ready");
    fd = accept(lfd, NULL, NULL);
    require(fd >= 0, "accept");
    close(lfd);

    ssl = SSL_new(ctx);
    say("SSL_set_fd=%d", SSL_set_fd(ssl, fd));
    r = SSL_accept(ssl);
    report(ssl, "SSL_accept", r);
    if (r == 1) {
        print_session(ssl, "server");
        while (have < sizeof line - 1) {
            r = SSL_read(ssl, line + have, (int)(sizeof line - 1 - have));
            if (r <= 0) break;
            have += (size_t)r;
            if (memchr(line, '\n', have) != NULL) break;
        }
        line[have] = 0;
        say("line: %s", strtok(line, "\r\n") ? line : "");
        r = SSL_write(ssl, "world\n", 6);
        report(ssl, "SSL_write", r);
        r = SSL_shutdown(ssl);
        report(ssl, "SSL_shutdown", r);
        if (r == 0) {
            r = SSL_shutdown(ssl);
            report(ssl, "SSL_shutdown again", r);
        }
    }
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    say("end");
    return 0;
}
