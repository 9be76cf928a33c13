/*
 * The API around connections: defaults and setters of SSL_CTX, ex_data with
 * callbacks, reference counting and ownership (SSL_CTX_up_ref, SSL_set_bio's
 * rules, SSL_CTX_add_extra_chain_cert, SSL_get_certificate vs
 * SSL_get1_peer_certificate), certificates set on the SSL itself, a client
 * certificate with its chain from extra chain certificates, and SSL_clear.
 * Ownership mistakes show as AddressSanitizer/LeakSanitizer failures.
 *
 *   api PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "common.h"

/* ---- ex_data --------------------------------------------------------------- */

static void ex_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent;
    (void)ad;
    (void)idx;
    say("  ex_data new: argl=%ld argp=%s ptr=%s", argl, argp ? (const char *)argp : "NULL",
        ptr ? "set" : "NULL");
}

static void ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent;
    (void)ad;
    (void)idx;
    (void)argp;
    say("  ex_data free: argl=%ld ptr=%s", argl, ptr ? (const char *)ptr : "NULL");
}

static void ex_data_case(void) {
    int ssl_idx, ctx_idx;
    SSL_CTX *ctx;
    SSL *ssl;
    say("== ex_data");
    ssl_idx = SSL_get_ex_new_index(7, "ssl-arg", ex_new, NULL, ex_free);
    ctx_idx = SSL_CTX_get_ex_new_index(9, "ctx-arg", ex_new, NULL, ex_free);
    say("indexes: ssl>0=%d ctx>0=%d", ssl_idx > 0, ctx_idx > 0);
    say("SSL_CTX_new:");
    ctx = SSL_CTX_new(TLS_method());
    say("SSL_CTX_get_ex_data before: %s", SSL_CTX_get_ex_data(ctx, ctx_idx) ? "set" : "NULL");
    say("SSL_CTX_set_ex_data: %d", SSL_CTX_set_ex_data(ctx, ctx_idx, "ctx-value"));
    say("SSL_CTX_get_ex_data: %s", (const char *)SSL_CTX_get_ex_data(ctx, ctx_idx));
    say("SSL_new:");
    ssl = SSL_new(ctx);
    say("SSL_set_ex_data: %d", SSL_set_ex_data(ssl, ssl_idx, "ssl-value"));
    say("SSL_get_ex_data: %s", (const char *)SSL_get_ex_data(ssl, ssl_idx));
    say("SSL_get_ex_data(ctx index): %s", SSL_get_ex_data(ssl, ctx_idx) ? "set" : "NULL");
    say("SSL_free:");
    SSL_free(ssl);
    say("SSL_CTX_free:");
    SSL_CTX_free(ctx);
    CRYPTO_free_ex_index(CRYPTO_EX_INDEX_SSL, ssl_idx);
    CRYPTO_free_ex_index(CRYPTO_EX_INDEX_SSL_CTX, ctx_idx);
}

/* ---- settings ------------------------------------------------------------------ */

static void settings_case(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;
    say("== defaults and setters");
    say("options=%#llx mode=%#lx", (unsigned long long)SSL_CTX_get_options(ctx),
        (unsigned long)SSL_CTX_get_mode(ctx));
    say("set_options(NO_TICKET|ALL)=%#llx", (unsigned long long)SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_ALL));
    say("clear_options(ALL)=%#llx", (unsigned long long)SSL_CTX_clear_options(ctx, SSL_OP_ALL));
    say("set_mode(RELEASE_BUFFERS)=%#lx", (unsigned long)SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS));
    say("set_mode(ENABLE_PARTIAL_WRITE|ACCEPT_MOVING_WRITE_BUFFER)=%#lx",
        (unsigned long)SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER));
    say("clear_mode(AUTO_RETRY)=%#lx", (unsigned long)SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY));
    say("min=%ld max=%ld", SSL_CTX_get_min_proto_version(ctx), SSL_CTX_get_max_proto_version(ctx));
    say("set_min(TLS1_2)=%ld", SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION));
    say("set_max(TLS1_3)=%ld", SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION));
    say("min=%#lx max=%#lx", SSL_CTX_get_min_proto_version(ctx), SSL_CTX_get_max_proto_version(ctx));
    say("set_min(TLS1_3)=%ld", SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION));
    say("set_max(0)=%ld", SSL_CTX_set_max_proto_version(ctx, 0));
    say("max=%ld", SSL_CTX_get_max_proto_version(ctx));
    say("set1_groups_list(X25519:P-256)=%ld", SSL_CTX_set1_groups_list(ctx, "X25519:P-256"));
    say("set1_groups_list(P-384:prime256v1:x25519)=%ld",
        SSL_CTX_set1_groups_list(ctx, "P-384:prime256v1:x25519"));
    say("set_ciphersuites(TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256)=%d",
        SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"));
    drain_errors();
    {
        /* Unknown names and empty elements are skipped; a list naming no
         * TLS 1.3 suite is refused; an empty one clears the suites. */
        static const char *lists[] = {"NOPE", "TLS_AES_128_GCM_SHA256:NOPE", "NOPE:TLS_AES_256_GCM_SHA384",
                                      "TLS_AES_128_GCM_SHA256::TLS_AES_256_GCM_SHA384",
                                      "ECDHE-RSA-AES128-GCM-SHA256", ""};
        SSL_CTX *scratch = SSL_CTX_new(TLS_method());
        size_t i;
        require(scratch != NULL, "SSL_CTX_new");
        for (i = 0; i < sizeof lists / sizeof lists[0]; ++i) {
            int r = SSL_CTX_set_ciphersuites(scratch, lists[i]);
            say("set_ciphersuites(\"%s\")=%d errors=%s", lists[i], r, drain_errors() ? "yes" : "no");
        }
        SSL_CTX_free(scratch);
    }
    say("set_verify(PEER|FAIL_IF_NO_PEER_CERT), depth 3");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_verify_depth(ctx, 3);
    say("verify_mode=%d depth=%d callback=%s", SSL_CTX_get_verify_mode(ctx), SSL_CTX_get_verify_depth(ctx),
        SSL_CTX_get_verify_callback(ctx) ? "set" : "NULL");
    ssl = SSL_new(ctx);
    say("SSL copies: options=%#llx mode=%#lx verify_mode=%d depth=%d min=%#lx",
        (unsigned long long)SSL_get_options(ssl), (unsigned long)SSL_get_mode(ssl), SSL_get_verify_mode(ssl),
        SSL_get_verify_depth(ssl), SSL_get_min_proto_version(ssl));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    say("after changing the context: SSL verify_mode=%d options=%#llx", SSL_get_verify_mode(ssl),
        (unsigned long long)SSL_get_options(ssl));
    SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
    SSL_set_options(ssl, SSL_OP_NO_TICKET);
    say("SSL_set_*: verify_mode=%d options=%#llx", SSL_get_verify_mode(ssl), (unsigned long long)SSL_get_options(ssl));
    say("SSL_get_SSL_CTX is the context: %d", SSL_get_SSL_CTX(ssl) == ctx);
    say("SSL_get_fd without a BIO: %d", SSL_get_fd(ssl));
    say("SSL_set_fd(5)=%d", SSL_set_fd(ssl, 5));
    say("SSL_get_fd=%d", SSL_get_fd(ssl));
    say("rbio==wbio: %d", SSL_get_rbio(ssl) == SSL_get_wbio(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);

    say("== methods");
    ctx = SSL_CTX_new(TLS_method());
    ssl = SSL_new(ctx);
    say("TLS_method: is_server=%d", SSL_is_server(ssl));
    SSL_set_connect_state(ssl);
    say("after set_connect_state: is_server=%d", SSL_is_server(ssl));
    SSL_set_accept_state(ssl);
    say("after set_accept_state: is_server=%d", SSL_is_server(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ctx = SSL_CTX_new(TLS_client_method());
    ssl = SSL_new(ctx);
    say("TLS_client_method: is_server=%d", SSL_is_server(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ctx = SSL_CTX_new(TLS_server_method());
    ssl = SSL_new(ctx);
    say("TLS_server_method: is_server=%d", SSL_is_server(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* ---- ownership ---------------------------------------------------------------- */

static void ownership_case(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;
    BIO *a, *b, *c;
    X509 *cert = load_cert(family_path("ecdsa", "server.pem"));
    EVP_PKEY *key = load_key(family_path("ecdsa", "server-key.pem"));
    X509 *other = load_cert(family_path("rsa", "server.pem"));
    EVP_PKEY *other_key = load_key(family_path("rsa", "server-key.pem"));
    say("== ownership");
    say("SSL_CTX_up_ref=%d", SSL_CTX_up_ref(ctx));
    SSL_CTX_free(ctx); /* the extra reference */
    say("use_certificate=%d", SSL_CTX_use_certificate(ctx, cert));
    say("use_PrivateKey=%d", SSL_CTX_use_PrivateKey(ctx, key));
    say("extra chain cert=%ld", SSL_CTX_add_extra_chain_cert(ctx, load_cert(family_path("ecdsa", "intermediate.pem"))));
    ssl = SSL_new(ctx);
    say("SSL_get_certificate is the one set: %d", SSL_get_certificate(ssl) == cert);
    say("SSL_get_privatekey is the one set: %d", SSL_get_privatekey(ssl) == key);
    say("SSL_use_certificate(rsa)=%d", SSL_use_certificate(ssl, other));
    say("SSL_use_PrivateKey(rsa)=%d", SSL_use_PrivateKey(ssl, other_key));
    say("SSL_get_certificate is the rsa one: %d", SSL_get_certificate(ssl) == other);
    say("SSL_check_private_key=%d", SSL_check_private_key(ssl));
    say("the context keeps its own: %d", SSL_CTX_check_private_key(ctx));
    /* The caller's references stay the caller's. */
    X509_free(cert);
    EVP_PKEY_free(key);
    X509_free(other);
    EVP_PKEY_free(other_key);

    /* SSL_set_bio: the documented reference rules, one case after another. */
    a = BIO_new(BIO_s_mem());
    b = BIO_new(BIO_s_mem());
    c = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, a, a);          /* one reference for both slots */
    SSL_set_bio(ssl, a, a);          /* nothing changes, nothing taken */
    SSL_set_bio(ssl, a, b);          /* only the write side: b's reference taken */
    say("set_bio(a,b): rbio=a %d wbio=b %d", SSL_get_rbio(ssl) == a, SSL_get_wbio(ssl) == b);
    BIO_up_ref(b);
    SSL_set_bio(ssl, b, b);          /* same BIO twice, a new read side: one reference */
    say("set_bio(b,b): rbio=b %d wbio=b %d", SSL_get_rbio(ssl) == b, SSL_get_wbio(ssl) == b);
    SSL_set_bio(ssl, c, b);          /* new read side, write side unchanged (was shared) */
    say("set_bio(c,b): rbio=c %d wbio=b %d", SSL_get_rbio(ssl) == c, SSL_get_wbio(ssl) == b);
    SSL_set_bio(ssl, NULL, NULL);    /* both released */
    say("set_bio(NULL,NULL): rbio=%s", SSL_get_rbio(ssl) ? "set" : "NULL");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* ---- a client certificate, extra chain certificates, SSL_clear ------------- */

static void mutual_case(void) {
    SSL_CTX *sctx = new_ctx(TLS_server_method()), *cctx = new_ctx(TLS_client_method());
    SSL *client, *server;
    struct link l;
    X509 *peer;
    char cn[128];
    say("== client certificate");
    /* The server: leaf and key from files, the intermediate as an extra chain certificate. */
    require(SSL_CTX_use_certificate_file(sctx, family_path("rsa", "server.pem"), SSL_FILETYPE_PEM) == 1, "cert");
    require(SSL_CTX_use_PrivateKey_file(sctx, family_path("rsa", "server-key.pem"), SSL_FILETYPE_PEM) == 1, "key");
    require(SSL_CTX_add_extra_chain_cert(sctx, load_cert(family_path("rsa", "intermediate.pem"))) == 1, "extra");
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    require(SSL_CTX_load_verify_locations(sctx, family_path("ecdsa", "root.pem"), NULL) == 1, "server CA");
    /* The client: the ECDSA client certificate with its chain file. */
    require(SSL_CTX_use_certificate_chain_file(cctx, family_path("ecdsa", "client-chain.pem")) == 1, "chain");
    require(SSL_CTX_use_PrivateKey_file(cctx, family_path("ecdsa", "client-key.pem"), SSL_FILETYPE_PEM) == 1, "key");
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, family_path("rsa", "root.pem"), NULL) == 1, "client CA");
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    if (handshake_both(&l, client, server)) {
        print_session(client, "client");
        print_session(server, "server");
        peer = SSL_get1_peer_certificate(server);
        say("server: peer certificate %s, freed by the caller", common_name(peer, cn, sizeof cn));
        X509_free(peer);
        say("client SSL_write=%d", SSL_write(client, "hello", 5));
        link_pump(&l);
        {
            char buf[16];
            int r = SSL_read(server, buf, sizeof buf);
            report(server, "server SSL_read", r);
        }
        report(client, "client SSL_shutdown", SSL_shutdown(client));
        link_pump(&l);
        report(server, "server SSL_shutdown", SSL_shutdown(server));
        link_pump(&l);
        report(client, "client SSL_shutdown", SSL_shutdown(client));
    }
    say("SSL_clear: client=%d", SSL_clear(client));
    say("SSL_clear: server=%d", SSL_clear(server));
    say("after SSL_clear: shutdown=%d init_finished=%d", SSL_get_shutdown(client), SSL_is_init_finished(client));
    say("after SSL_clear: client certificate kept: %d", SSL_get_certificate(client) != NULL);
    print_session(client, "client after SSL_clear");
    print_session(server, "server after SSL_clear");
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: api PKI_DIR");
    set_pki_dir(argv[1]);
    ex_data_case();
    settings_case();
    ownership_case();
    mutual_case();
    say("end");
    return 0;
}
