/*
 * Error paths, both roles in one process over memory BIOs:
 *  - the server's chain does not verify (wrong CA; expired) with
 *    SSL_VERIFY_PEER (the handshake fails) and SSL_VERIFY_NONE (it completes
 *    and SSL_get_verify_result tells);
 *  - calls on an SSL without a role, before and after the handshake;
 *  - the transport ending without close_notify (with and without
 *    SSL_OP_IGNORE_UNEXPECTED_EOF);
 *  - certificate, key and CA files that do not load or do not match.
 *
 *   errors PKI_DIR      (PKI_DIR/ecdsa and PKI_DIR/rsa, see tests/support/pki.h)
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

struct pairing {
    SSL_CTX *cctx, *sctx;
    SSL *client, *server;
    struct link link;
};

/* A client trusting `ca` with `verify` against a server with `leaf`. */
static int connect_pair(struct pairing *p, const char *server_chain, const char *server_key,
                        const char *ca, int verify, uint64_t client_options) {
    p->sctx = make_ctx(TLS_server_method(), server_chain, server_key);
    p->cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(p->cctx, verify, NULL);
    SSL_CTX_set_options(p->cctx, client_options);
    require(SSL_CTX_load_verify_locations(p->cctx, ca, NULL) == 1, "CA file");
    p->client = SSL_new(p->cctx);
    p->server = SSL_new(p->sctx);
    require(SSL_set_tlsext_host_name(p->client, "localhost") == 1, "SNI");
    SSL_set_connect_state(p->client);
    SSL_set_accept_state(p->server);
    link_attach(&p->link, "mem", p->client, p->server);
    return handshake_both(&p->link, p->client, p->server);
}

static void release(struct pairing *p) {
    SSL_free(p->client);
    SSL_free(p->server);
    SSL_CTX_free(p->cctx);
    SSL_CTX_free(p->sctx);
    link_done(&p->link);
}

static void verify_case(const char *title, const char *chain, const char *key, const char *ca,
                        int verify) {
    struct pairing p;
    int ok;
    say("== %s", title);
    ok = connect_pair(&p, chain, key, ca, verify, 0);
    say("client: verify_result=%ld (%s)", SSL_get_verify_result(p.client),
        X509_verify_cert_error_string(SSL_get_verify_result(p.client)));
    if (ok) {
        print_session(p.client, "client");
        say("client SSL_write: %d", SSL_write(p.client, "hi", 2));
    } else {
        char buf[16];
        int r = SSL_read(p.client, buf, sizeof buf);
        report(p.client, "client SSL_read after the failure", r);
        r = SSL_shutdown(p.client);
        report(p.client, "client SSL_shutdown after the failure", r);
    }
    release(&p);
}

static void eof_case(uint64_t options) {
    struct pairing p;
    char buf[16];
    int r;
    say("== transport ends without close_notify, options=%s",
        options ? "SSL_OP_IGNORE_UNEXPECTED_EOF" : "none");
    if (connect_pair(&p, family_path("ecdsa", "server-chain.pem"), family_path("ecdsa", "server-key.pem"),
                     family_path("ecdsa", "root.pem"), SSL_VERIFY_PEER, options)) {
        /* Let the client take the tickets first: then only the end is left. */
        r = SSL_read(p.client, buf, sizeof buf);
        report(p.client, "client SSL_read (tickets only)", r);
        BIO_set_mem_eof_return(p.link.client_read, 0);
        r = SSL_read(p.client, buf, sizeof buf);
        report(p.client, "client SSL_read at the end", r);
        say("client: get_shutdown=%d", SSL_get_shutdown(p.client));
        r = SSL_read(p.client, buf, sizeof buf);
        report(p.client, "client SSL_read again", r);
        r = SSL_shutdown(p.client);
        report(p.client, "client SSL_shutdown", r);
    }
    release(&p);
}

static void no_role_case(void) {
    SSL_CTX *ctx = make_ctx(TLS_method(), NULL, NULL);
    SSL *ssl = SSL_new(ctx);
    BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
    char buf[8];
    int r;
    say("== an SSL without a role");
    SSL_set_bio(ssl, rb, wb);
    say("is_server=%d version=%s cipher=%s verify_result=%ld", SSL_is_server(ssl),
        SSL_get_version(ssl), SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)),
        SSL_get_verify_result(ssl));
    r = SSL_do_handshake(ssl);
    report(ssl, "SSL_do_handshake", r);
    r = SSL_read(ssl, buf, sizeof buf);
    report(ssl, "SSL_read", r);
    r = SSL_write(ssl, "x", 1);
    report(ssl, "SSL_write", r);
    r = SSL_shutdown(ssl);
    report(ssl, "SSL_shutdown", r);

    say("== a client before its handshake");
    SSL_set_connect_state(ssl);
    say("is_server=%d", SSL_is_server(ssl));
    r = SSL_shutdown(ssl);
    report(ssl, "SSL_shutdown before anything was sent", r);
    say("get_shutdown=%d", SSL_get_shutdown(ssl));
    SSL_clear(ssl);
    say("after SSL_clear: get_shutdown=%d is_server=%d", SSL_get_shutdown(ssl), SSL_is_server(ssl));
    r = SSL_write(ssl, "x", 1);
    report(ssl, "SSL_write (starts the handshake)", r);
    say("ClientHello written: %s", BIO_ctrl_pending(wb) > 0 ? "yes" : "no");
    r = SSL_read(ssl, buf, sizeof buf);
    report(ssl, "SSL_read (handshake still waiting)", r);
    r = SSL_shutdown(ssl);
    report(ssl, "SSL_shutdown during the handshake", r);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void files_case(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    int r;
    say("== certificate and key files");
    r = SSL_CTX_check_private_key(ctx);
    say("check_private_key with nothing: %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_use_certificate_file(ctx, family_path("ecdsa", "missing.pem"), SSL_FILETYPE_PEM);
    say("use_certificate_file(missing): %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_use_certificate_chain_file(ctx, family_path("ecdsa", "missing.pem"));
    say("use_certificate_chain_file(missing): %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_use_PrivateKey_file(ctx, family_path("ecdsa", "missing.pem"), SSL_FILETYPE_PEM);
    say("use_PrivateKey_file(missing): %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_load_verify_locations(ctx, family_path("ecdsa", "missing.pem"), NULL);
    say("load_verify_locations(missing): %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_use_certificate_file(ctx, family_path("ecdsa", "server.pem"), SSL_FILETYPE_PEM);
    say("use_certificate_file(ecdsa server): %d", r);
    r = SSL_CTX_check_private_key(ctx);
    say("check_private_key without a key: %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_use_PrivateKey_file(ctx, family_path("rsa", "server-key.pem"), SSL_FILETYPE_PEM);
    say("use_PrivateKey_file(rsa key for the ecdsa certificate): %d errors=%s", r,
        drain_errors() ? "yes" : "no");
    r = SSL_CTX_use_PrivateKey_file(ctx, family_path("ecdsa", "server-key.pem"), SSL_FILETYPE_PEM);
    say("use_PrivateKey_file(matching key): %d", r);
    r = SSL_CTX_check_private_key(ctx);
    say("check_private_key: %d", r);
    r = SSL_CTX_use_certificate_file(ctx, family_path("rsa", "server.pem"), SSL_FILETYPE_PEM);
    say("use_certificate_file(rsa server, key no longer matches): %d errors=%s", r,
        drain_errors() ? "yes" : "no");
    r = SSL_CTX_check_private_key(ctx);
    say("check_private_key: %d errors=%s", r, drain_errors() ? "yes" : "no");
    SSL_CTX_free(ctx);
}

int main(int argc, char **argv) {
    require(argc == 2, "usage: errors PKI_DIR");
    set_pki_dir(argv[1]);

    verify_case("wrong CA, SSL_VERIFY_PEER", family_path("ecdsa", "server-chain.pem"),
                family_path("ecdsa", "server-key.pem"), family_path("rsa", "root.pem"), SSL_VERIFY_PEER);
    verify_case("wrong CA, SSL_VERIFY_NONE", family_path("ecdsa", "server-chain.pem"),
                family_path("ecdsa", "server-key.pem"), family_path("rsa", "root.pem"), SSL_VERIFY_NONE);
    verify_case("expired certificate, SSL_VERIFY_PEER", family_path("ecdsa", "server-expired-chain.pem"),
                family_path("ecdsa", "server-expired-key.pem"), family_path("ecdsa", "root.pem"),
                SSL_VERIFY_PEER);
    verify_case("expired certificate, SSL_VERIFY_NONE", family_path("ecdsa", "server-expired-chain.pem"),
                family_path("ecdsa", "server-expired-key.pem"), family_path("ecdsa", "root.pem"),
                SSL_VERIFY_NONE);
    verify_case("self-signed server, SSL_VERIFY_PEER", family_path("ecdsa", "untrusted-server-chain.pem"),
                family_path("ecdsa", "untrusted-server-key.pem"), family_path("ecdsa", "root.pem"),
                SSL_VERIFY_PEER);
    eof_case(0);
    eof_case(SSL_OP_IGNORE_UNEXPECTED_EOF);
    no_role_case();
    files_case();
    say("end");
    return 0;
}
