/*
 * SSL_CTX_set_client_cert_cb(3) over a blocking socket (SSL_set_fd), against
 * an `openssl s_server -www -verify/-Verify` that asks for a certificate.
 * The callback answers from a list (e.g. "-1,-1,1"): a negative answer makes
 * the blocking SSL_connect return -1 with SSL_ERROR_WANT_X509_LOOKUP — the
 * socket is fine, the application is asked to look up a certificate — and
 * the next SSL_connect calls the callback again. Then one HTTP request; the
 * page says which client certificate the server saw.
 *
 *   socket_client_cert PKI_DIR PORT ANSWERS
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
    say("  client_cert_cb call %d: CA names=%d, returns %d", calls, names ? sk_X509_NAME_num(names) : -1, r);
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
    static char page[1 << 16];
    SSL_CTX *ctx;
    SSL *ssl;
    int fd, r = 0, err = SSL_ERROR_NONE, attempt;
    const char *subject;

    take_version_arg(&argc, argv);
    require(argc == 4, "usage: socket_client_cert PKI_DIR PORT ANSWERS");
    set_pki_dir(argv[1]);
    parse_answers(argv[3]);
    ctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(ctx, path("root.pem"), NULL) == 1, "CA file");
    /* The callback returns only the leaf (BUGS): the intermediate from here. */
    require(SSL_CTX_add_extra_chain_cert(ctx, load_cert(path("intermediate.pem"))) == 1, "extra chain");
    SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    ssl = SSL_new(ctx);
    fd = connect_loopback(atoi(argv[2]));
    require(SSL_set_fd(ssl, fd) == 1, "SSL_set_fd");
    require(SSL_set_tlsext_host_name(ssl, "localhost") == 1, "SNI");
    /* Bounded: each WANT_X509_LOOKUP is one more call, as the page says. */
    for (attempt = 0; attempt < MAX_ANSWERS + 1; ++attempt) {
        r = SSL_connect(ssl);
        err = report(ssl, "SSL_connect", r);
        if (err != SSL_ERROR_WANT_X509_LOOKUP) break;
        say("  SSL_is_init_finished=%d SSL_want_x509_lookup=%d", SSL_is_init_finished(ssl),
            SSL_want_x509_lookup(ssl));
    }
    say("callback calls: %d", calls);
    if (r == 1) {
        say("client certificate on the SSL: %s", SSL_get_certificate(ssl) ? "yes" : "no");
        err = http_get(ssl, page, sizeof page);
        subject = strstr(page, "Subject: O=vouch-test, CN=client-");
        say("page names a client certificate: %s", subject ? "yes" : "no");
        if (err == SSL_ERROR_ZERO_RETURN) report(ssl, "SSL_shutdown", SSL_shutdown(ssl));
    }
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    say("end");
    return 0;
}
