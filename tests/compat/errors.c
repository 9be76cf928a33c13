/*
 * Error paths, both roles in one process over memory BIOs:
 *  - the server's chain does not verify (wrong CA; expired) with
 *    SSL_VERIFY_PEER (the handshake fails) and SSL_VERIFY_NONE (it completes
 *    and SSL_get_verify_result tells);
 *  - calls on an SSL without a role, before and after the handshake;
 *  - the transport ending without close_notify (with and without
 *    SSL_OP_IGNORE_UNEXPECTED_EOF);
 *  - certificate, key and CA files that do not load or do not match;
 *  - handshakes failed by the application's callbacks or a missing client
 *    certificate, and API misuse.
 *
 * Wherever a call leaves errors, the transcript shows what a program written
 * for libssl tests: ERR_GET_LIB and ERR_GET_REASON of the oldest queued error
 * (SSL_R_CERTIFICATE_VERIFY_FAILED, SSL_AD_REASON_OFFSET + a received
 * alert, ...); vouch-ssl must raise the same.
 *
 *   errors PKI_DIR      (PKI_DIR/ecdsa and PKI_DIR/rsa, see tests/support/pki.h)
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

static const char *lib_name(unsigned long e) {
    switch (ERR_GET_LIB(e)) {
    case ERR_LIB_SSL: return "ERR_LIB_SSL";
    case ERR_LIB_X509: return "ERR_LIB_X509";
    case ERR_LIB_PEM: return "ERR_LIB_PEM";
    case ERR_LIB_SYS: return "ERR_LIB_SYS";
    default: return "another library";
    }
}

/* "<what>: first error ERR_LIB_SSL reason=134" for the oldest queued error
 * (peeked: the queue stays as it is); nothing when the queue is empty. */
static void first_error(const char *what) {
    unsigned long e = ERR_peek_error();
    if (e != 0) say("%s: first error %s reason=%d", what, lib_name(e), ERR_GET_REASON(e));
}

/* The same for the newest entry: where libssl lets libcrypto push first
 * (a file that does not open), its own reason comes last. */
static void last_error(const char *what) {
    unsigned long e = ERR_peek_last_error();
    if (e != 0) say("%s: last error %s reason=%d", what, lib_name(e), ERR_GET_REASON(e));
}

/* report() with the first queued error before it. */
static int show(SSL *ssl, const char *what, int ret) {
    first_error(what);
    return report(ssl, what, ret);
}

/* Whether the queue held anything, after its first and last entries. */
static const char *queued(const char *what) {
    first_error(what);
    last_error(what);
    return drain_errors() ? "yes" : "no";
}

struct pairing {
    SSL_CTX *cctx, *sctx;
    SSL *client, *server;
    struct link link;
};

/* handshake_both, with the first queued error of each call (bounded). */
static int handshake_showing_errors(struct pairing *p) {
    int client_state = 0, server_state = 0; /* 0 running, 1 done, -1 failed */
    int round;
    for (round = 0; round < 8 && (client_state == 0 || server_state == 0); ++round) {
        if (client_state == 0) {
            int r = SSL_do_handshake(p->client);
            int e = show(p->client, "client SSL_do_handshake", r);
            if (r == 1) client_state = 1;
            else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) client_state = -1;
        }
        link_pump(&p->link);
        if (server_state == 0) {
            int r = SSL_do_handshake(p->server);
            int e = show(p->server, "server SSL_do_handshake", r);
            if (r == 1) server_state = 1;
            else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) server_state = -1;
        }
        link_pump(&p->link);
        if ((client_state == -1 && server_state != 0) || (server_state == -1 && client_state != 0)) break;
        if (round > 0 && (client_state == -1 || server_state == -1)) break;
    }
    say("handshake: client=%s server=%s", client_state == 1 ? "done" : client_state == -1 ? "failed" : "waiting",
        server_state == 1 ? "done" : server_state == -1 ? "failed" : "waiting");
    return client_state == 1 && server_state == 1;
}

/* Contexts for a client trusting `ca` with `verify` and a server with the
 * given chain; callers add their settings, then start_pair. */
static void prepare_pair(struct pairing *p, const char *server_chain, const char *server_key,
                         const char *ca, int verify, uint64_t client_options) {
    p->sctx = make_ctx(TLS_server_method(), server_chain, server_key);
    p->cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(p->cctx, verify, NULL);
    SSL_CTX_set_options(p->cctx, client_options);
    require(SSL_CTX_load_verify_locations(p->cctx, ca, NULL) == 1, "CA file");
}

static int start_pair(struct pairing *p) {
    p->client = SSL_new(p->cctx);
    p->server = SSL_new(p->sctx);
    require(SSL_set_tlsext_host_name(p->client, "localhost") == 1, "SNI");
    SSL_set_connect_state(p->client);
    SSL_set_accept_state(p->server);
    link_attach(&p->link, "mem", p->client, p->server);
    return handshake_showing_errors(p);
}

/* A client trusting `ca` with `verify` against a server with `leaf`. */
static int connect_pair(struct pairing *p, const char *server_chain, const char *server_key,
                        const char *ca, int verify, uint64_t client_options) {
    prepare_pair(p, server_chain, server_key, ca, verify, client_options);
    return start_pair(p);
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
        int r;
        say("client SSL_write: %d", SSL_write(p.client, "hi", 2));
        /* The client did not offer post-handshake authentication. */
        r = SSL_verify_client_post_handshake(p.server);
        say("server SSL_verify_client_post_handshake: %d errors=%s", r,
            queued("server SSL_verify_client_post_handshake"));
        r = SSL_verify_client_post_handshake(p.client);
        say("client SSL_verify_client_post_handshake: %d errors=%s", r,
            queued("client SSL_verify_client_post_handshake"));
    } else {
        char buf[16];
        int r = SSL_read(p.client, buf, sizeof buf);
        show(p.client, "client SSL_read after the failure", r);
        r = SSL_shutdown(p.client);
        show(p.client, "client SSL_shutdown after the failure", r);
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
        show(p.client, "client SSL_read (tickets only)", r);
        BIO_set_mem_eof_return(p.link.client_read, 0);
        r = SSL_read(p.client, buf, sizeof buf);
        show(p.client, "client SSL_read at the end", r);
        say("client: get_shutdown=%d", SSL_get_shutdown(p.client));
        r = SSL_read(p.client, buf, sizeof buf);
        show(p.client, "client SSL_read again", r);
        r = SSL_shutdown(p.client);
        show(p.client, "client SSL_shutdown", r);
        r = SSL_write(p.client, "x", 1);
        show(p.client, "client SSL_write after SSL_shutdown", r);
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
    show(ssl, "SSL_do_handshake", r);
    r = SSL_read(ssl, buf, sizeof buf);
    show(ssl, "SSL_read", r);
    r = SSL_write(ssl, "x", 1);
    show(ssl, "SSL_write", r);
    r = SSL_shutdown(ssl);
    show(ssl, "SSL_shutdown", r);

    say("== a client before its handshake");
    SSL_set_connect_state(ssl);
    say("is_server=%d", SSL_is_server(ssl));
    r = SSL_shutdown(ssl);
    show(ssl, "SSL_shutdown before anything was sent", r);
    say("get_shutdown=%d", SSL_get_shutdown(ssl));
    SSL_clear(ssl);
    say("after SSL_clear: get_shutdown=%d is_server=%d", SSL_get_shutdown(ssl), SSL_is_server(ssl));
    r = SSL_write(ssl, "x", 1);
    show(ssl, "SSL_write (starts the handshake)", r);
    say("ClientHello written: %s", BIO_ctrl_pending(wb) > 0 ? "yes" : "no");
    r = SSL_read(ssl, buf, sizeof buf);
    show(ssl, "SSL_read (handshake still waiting)", r);
    r = SSL_shutdown(ssl);
    show(ssl, "SSL_shutdown during the handshake", r);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void files_case(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    int r;
    say("== certificate and key files");
    r = SSL_CTX_check_private_key(ctx);
    say("check_private_key with nothing: %d errors=%s", r, queued("check_private_key with nothing"));
    r = SSL_CTX_use_certificate_file(ctx, family_path("ecdsa", "missing.pem"), SSL_FILETYPE_PEM);
    say("use_certificate_file(missing): %d errors=%s", r, queued("use_certificate_file(missing)"));
    r = SSL_CTX_use_certificate_chain_file(ctx, family_path("ecdsa", "missing.pem"));
    say("use_certificate_chain_file(missing): %d errors=%s", r, queued("use_certificate_chain_file(missing)"));
    r = SSL_CTX_use_PrivateKey_file(ctx, family_path("ecdsa", "missing.pem"), SSL_FILETYPE_PEM);
    say("use_PrivateKey_file(missing): %d errors=%s", r, queued("use_PrivateKey_file(missing)"));
    /* Only libcrypto's X509 errors with libssl: their order is libcrypto's
     * business, so only their presence is compared. */
    r = SSL_CTX_load_verify_locations(ctx, family_path("ecdsa", "missing.pem"), NULL);
    say("load_verify_locations(missing): %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_use_certificate_file(ctx, family_path("ecdsa", "../MANIFEST"), SSL_FILETYPE_PEM);
    say("use_certificate_file(not PEM): %d errors=%s", r, queued("use_certificate_file(not PEM)"));
    r = SSL_CTX_use_certificate_file(ctx, family_path("ecdsa", "server.pem"), 77);
    say("use_certificate_file(type 77): %d errors=%s", r, queued("use_certificate_file(type 77)"));
    r = SSL_CTX_use_PrivateKey_file(ctx, family_path("ecdsa", "../MANIFEST"), SSL_FILETYPE_PEM);
    say("use_PrivateKey_file(not PEM): %d errors=%s", r, queued("use_PrivateKey_file(not PEM)"));
    r = SSL_CTX_use_certificate(ctx, NULL);
    say("use_certificate(NULL): %d errors=%s", r, queued("use_certificate(NULL)"));
    r = SSL_CTX_use_PrivateKey(ctx, NULL);
    say("use_PrivateKey(NULL): %d errors=%s", r, queued("use_PrivateKey(NULL)"));
    r = SSL_CTX_use_certificate_file(ctx, family_path("ecdsa", "server.pem"), SSL_FILETYPE_PEM);
    say("use_certificate_file(ecdsa server): %d", r);
    r = SSL_CTX_check_private_key(ctx);
    say("check_private_key without a key: %d errors=%s", r, queued("check_private_key without a key"));
    r = SSL_CTX_use_PrivateKey_file(ctx, family_path("rsa", "server-key.pem"), SSL_FILETYPE_PEM);
    say("use_PrivateKey_file(rsa key for the ecdsa certificate): %d errors=%s", r,
        queued("use_PrivateKey_file(rsa key for the ecdsa certificate)"));
    r = SSL_CTX_use_PrivateKey_file(ctx, family_path("ecdsa", "server-key.pem"), SSL_FILETYPE_PEM);
    say("use_PrivateKey_file(matching key): %d", r);
    r = SSL_CTX_check_private_key(ctx);
    say("check_private_key: %d", r);
    r = SSL_CTX_use_certificate_file(ctx, family_path("rsa", "server.pem"), SSL_FILETYPE_PEM);
    say("use_certificate_file(rsa server, key no longer matches): %d errors=%s", r,
        queued("use_certificate_file(rsa server, key no longer matches)"));
    r = SSL_CTX_check_private_key(ctx);
    say("check_private_key: %d errors=%s", r, queued("check_private_key"));
    /* A key of the certificate's type that is not its own: libssl lets
     * X509_check_private_key say so, in ERR_LIB_X509. */
    r = SSL_CTX_use_certificate_file(ctx, family_path("ecdsa", "server.pem"), SSL_FILETYPE_PEM);
    say("use_certificate_file(ecdsa server again): %d", r);
    r = SSL_CTX_use_PrivateKey_file(ctx, family_path("ecdsa", "client-key.pem"), SSL_FILETYPE_PEM);
    say("use_PrivateKey_file(another ecdsa key): %d errors=%s", r, queued("use_PrivateKey_file(another ecdsa key)"));
    SSL_CTX_free(ctx);
}

static int cert_cb_fails(SSL *ssl, void *arg) {
    (void)ssl;
    (void)arg;
    return 0;
}

static int status_cb_refuses(SSL *ssl, void *arg) {
    (void)ssl;
    (void)arg;
    return 0;
}

static int client_cert_cb_without_certificate(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    (void)ssl;
    (void)x509;
    (void)pkey;
    return 1; /* "here it is", with nothing set */
}

enum callback_failure {
    NO_CLIENT_CERTIFICATE,     /* the server requires one, the client has none */
    SERVER_CERT_CB_FAILS,      /* SSL_CTX_set_cert_cb returns 0 on the server */
    STATUS_CB_REFUSES,         /* the client's status callback returns 0 */
    CLIENT_CERT_CB_BAD_ANSWER, /* the client certificate callback returns 1 without a certificate */
};

/* A handshake failed (or marked) by one side: each side's first error,
 * then, if the client finished its handshake, what its next read sees. */
static void callback_case(const char *title, enum callback_failure failure) {
    struct pairing p;
    char buf[16];
    int r;
    say("== %s", title);
    prepare_pair(&p, family_path("ecdsa", "server-chain.pem"), family_path("ecdsa", "server-key.pem"),
                 family_path("ecdsa", "root.pem"), SSL_VERIFY_PEER, 0);
    switch (failure) {
    case NO_CLIENT_CERTIFICATE:
        SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        break;
    case SERVER_CERT_CB_FAILS: SSL_CTX_set_cert_cb(p.sctx, cert_cb_fails, NULL); break;
    case STATUS_CB_REFUSES: SSL_CTX_set_tlsext_status_cb(p.cctx, status_cb_refuses); break;
    case CLIENT_CERT_CB_BAD_ANSWER:
        SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
        SSL_CTX_set_client_cert_cb(p.cctx, client_cert_cb_without_certificate);
        break;
    }
    p.client = SSL_new(p.cctx);
    p.server = SSL_new(p.sctx);
    require(SSL_set_tlsext_host_name(p.client, "localhost") == 1, "SNI");
    if (failure == STATUS_CB_REFUSES)
        require(SSL_set_tlsext_status_type(p.client, TLSEXT_STATUSTYPE_ocsp) == 1, "status type");
    SSL_set_connect_state(p.client);
    SSL_set_accept_state(p.server);
    link_attach(&p.link, "mem", p.client, p.server);
    (void)handshake_showing_errors(&p);
    /* A TLS 1.3 client may finish before the server's verdict arrives. */
    if (SSL_is_init_finished(p.client)) {
        link_pump(&p.link);
        r = SSL_read(p.client, buf, sizeof buf);
        show(p.client, "client SSL_read", r);
    }
    release(&p);
}

/* Calls a program gets wrong, one error each. */
static void misuse_case(void) {
    SSL_CTX *ctx = make_ctx(TLS_method(), NULL, NULL);
    SSL *ssl = SSL_new(ctx);
    char name[300];
    char buf[8];
    long l;
    int r;
    say("== API misuse");
    /* The call first: queued() must not run before it. */
    r = SSL_CTX_new(NULL) != NULL;
    say("SSL_CTX_new(NULL) made a context: %d errors=%s", r, queued("SSL_CTX_new(NULL)"));
    r = SSL_new(NULL) != NULL;
    say("SSL_new(NULL) made an SSL: %d errors=%s", r, queued("SSL_new(NULL)"));
    r = SSL_read(ssl, buf, -1);
    show(ssl, "SSL_read(num=-1)", r);
    r = SSL_write(ssl, buf, -1);
    show(ssl, "SSL_write(num=-1)", r);
    r = SSL_verify_client_post_handshake(ssl);
    say("SSL_verify_client_post_handshake without a role: %d errors=%s", r,
        queued("SSL_verify_client_post_handshake without a role"));
    l = SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, 5, (void *)"localhost");
    say("server name of type 5: %ld errors=%s", l, queued("server name of type 5"));
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    l = SSL_set_tlsext_host_name(ssl, name);
    say("server name of 299 bytes: %ld errors=%s", l, queued("server name of 299 bytes"));
    l = SSL_CTX_set1_groups_list(ctx, "P-256:no-such-group");
    say("SSL_CTX_set1_groups_list(unknown group): %ld errors=%s", l,
        queued("SSL_CTX_set1_groups_list(unknown group)"));
    r = SSL_CTX_set_cipher_list(ctx, "NOPE");
    say("SSL_CTX_set_cipher_list(\"NOPE\"): %d errors=%s", r, queued("SSL_CTX_set_cipher_list(\"NOPE\")"));
    r = SSL_CTX_set_session_id_context(ctx, (const unsigned char *)name, SSL_MAX_SID_CTX_LENGTH + 1);
    say("SSL_CTX_set_session_id_context(33 bytes): %d errors=%s", r,
        queued("SSL_CTX_set_session_id_context(33 bytes)"));
    SSL_set_accept_state(ssl);
    r = SSL_verify_client_post_handshake(ssl);
    say("SSL_verify_client_post_handshake on a server before its handshake: %d errors=%s", r,
        queued("SSL_verify_client_post_handshake on a server before its handshake"));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
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
    callback_case("the server requires a client certificate, the client has none", NO_CLIENT_CERTIFICATE);
    callback_case("the server's certificate callback returns 0", SERVER_CERT_CB_FAILS);
    callback_case("the client's status callback returns 0", STATUS_CB_REFUSES);
    callback_case("the client certificate callback returns 1 without a certificate", CLIENT_CERT_CB_BAD_ANSWER);
    misuse_case();
    say("end");
    return 0;
}
