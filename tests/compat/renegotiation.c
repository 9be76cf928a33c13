/*
 * A TLS 1.2 renegotiation asked for by the server, over a blocking socket,
 * against an interactive `openssl s_server -tls1_2` (no -verify: its R
 * command then asks for a client certificate in the renegotiation). A
 * libssl client accepts a secure renegotiation by default
 * (SSL_OP_NO_RENEGOTIATION turns it off); the renegotiation's
 * CertificateRequest calls the client certificate callback
 * (SSL_CTX_set_client_cert_cb(3): "During a handshake (or renegotiation) a
 * server may request a certificate"), from inside SSL_read. The callback
 * answers from a list ("1", "-1,1", "0"): a negative answer makes the
 * SSL_read return -1 with SSL_ERROR_WANT_X509_LOOKUP, and the next call
 * calls it again.
 *
 * The program connects (no certificate is asked for), says "ready", and
 * reads until the server's "from-server" line; the test sends s_server's R
 * command after "ready" and the line once the renegotiation is done.
 *
 *   renegotiation PKI_DIR PORT ANSWERS [no-renegotiation]   (with --tls1_2)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define MAX_ANSWERS 8

static int answers[MAX_ANSWERS];
static int answer_count;
static int calls;

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    int r = calls < answer_count ? answers[calls] : 0;
    const STACK_OF(X509_NAME) *names = SSL_get_client_CA_list(ssl);
    ++calls;
    say("  client_cert_cb call %d: CA names=%d, init finished=%d, returns %d", calls,
        names ? sk_X509_NAME_num(names) : -1, SSL_is_init_finished(ssl), r);
    if (r == 1) {
        *x509 = load_cert(path("client.pem"));
        *pkey = load_key(path("client-key.pem"));
    }
    return r;
}

static void parse_answers(const char *list) {
    char buf[128];
    char *tok, *save = NULL;
    snprintf(buf, sizeof buf, "%s", list);
    for (tok = strtok_r(buf, ",", &save); tok && answer_count < MAX_ANSWERS; tok = strtok_r(NULL, ",", &save))
        answers[answer_count++] = atoi(tok);
}

int main(int argc, char **argv) {
    SSL_CTX *ctx;
    SSL *ssl;
    int fd, r, err, attempt;
    char line[256];
    size_t have = 0;

    take_version_arg(&argc, argv);
    require(argc == 4 || argc == 5, "usage: renegotiation PKI_DIR PORT ANSWERS [no-renegotiation]");
    set_pki_dir(argv[1]);
    parse_answers(argv[3]);
    ctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(ctx, path("root.pem"), NULL) == 1, "CA file");
    require(SSL_CTX_add_extra_chain_cert(ctx, load_cert(path("intermediate.pem"))) == 1, "extra chain");
    SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    if (argc == 5) {
        require(strcmp(argv[4], "no-renegotiation") == 0, "the fourth argument is no-renegotiation");
        say("SSL_OP_NO_RENEGOTIATION set: %d",
            (SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION) & SSL_OP_NO_RENEGOTIATION) != 0);
    }
    ssl = SSL_new(ctx);
    fd = connect_loopback(atoi(argv[2]));
    require(SSL_set_fd(ssl, fd) == 1, "SSL_set_fd");
    require(SSL_set_tlsext_host_name(ssl, "localhost") == 1, "SNI");
    r = SSL_connect(ssl);
    report(ssl, "SSL_connect", r);
    say("callback calls in the handshake: %d", calls);
    print_session(ssl, "client");
    say("ready");
    /* Bounded: the renegotiation, each WANT_X509_LOOKUP once more, the line. */
    for (attempt = 0; r == 1 && attempt < 16; ++attempt) {
        int n = SSL_read(ssl, line + have, (int)(sizeof line - 1 - have));
        err = SSL_get_error(ssl, n);
        if (n > 0) {
            have += (size_t)n;
            line[have] = 0;
            if (strchr(line, '\n') == NULL) continue;
            say("client SSL_read: got '%.*s'", (int)(strchr(line, '\n') - line), line);
            break;
        }
        report(ssl, "client SSL_read", n);
        if (err != SSL_ERROR_WANT_X509_LOOKUP) break;
        say("  SSL_is_init_finished=%d SSL_want_x509_lookup=%d", SSL_is_init_finished(ssl),
            SSL_want_x509_lookup(ssl));
    }
    say("callback calls: %d", calls);
    say("client certificate on the SSL: %s", SSL_get_certificate(ssl) ? "yes" : "no");
    print_session(ssl, "client after");
    if (have > 0) {
        r = SSL_write(ssl, "from-client\n", 12);
        report(ssl, "client SSL_write", r);
        report(ssl, "client SSL_shutdown", SSL_shutdown(ssl));
    }
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    say("end");
    return 0;
}
