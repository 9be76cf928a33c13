/*
 * The calls Debian's nginx and curl make that the other programs here do
 * not (docs/libssl-abi.md), as they make them: SSL_CONF_* (nginx's
 * ssl_conf_command), the chain controls and the issuer lookup of nginx's
 * stapling (SSL_CTX_set0_chain, SSL_CTX_select_current_cert,
 * SSL_CTX_get_extra_chain_certs), SSL_CTX_get_cert_store filled after the
 * first SSL_connect (curl), SSL_CTX_add_client_CA, SSL_CIPHER_find,
 * SSL_in_init, SSL_set0_rbio / _wbio, SSL_SESSION_get0_hostname,
 * SSL_get0_verified_chain, SSL_get_negotiated_group, SSL_CTX_remove_session,
 * and the answers for features that are off (early data, sendfile).
 *
 *   abi_calls PKI_DIR
 */
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "common.h"

static void conf(SSL_CTX *ctx) {
    static const char *const cmds[][2] = {
        {"MinProtocol", "TLSv1.2"}, {"maxprotocol", "TLSv1.3"}, {"MinProtocol", "TLSv9"},
        {"Options", "-SessionTicket,ServerPreference"}, {"Options", "NoSuchOption"},
        {"Ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"}, {"Groups", "X25519:P-256"},
        {"Groups", "nonsense"}, {"NoSuchCommand", "x"}, {"Protocol", "-ALL,TLSv1.2,TLSv1.3"},
    };
    SSL_CONF_CTX *cctx = SSL_CONF_CTX_new();
    unsigned i;
    require(cctx != NULL, "SSL_CONF_CTX_new");
    say("SSL_CONF_CTX_set_flags=0x%x",
        SSL_CONF_CTX_set_flags(cctx, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CERTIFICATE |
                                         SSL_CONF_FLAG_SHOW_ERRORS));
    SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
    for (i = 0; i < sizeof cmds / sizeof cmds[0]; ++i) {
        int type = SSL_CONF_cmd_value_type(cctx, cmds[i][0]);
        int r = SSL_CONF_cmd(cctx, cmds[i][0], cmds[i][1]);
        say("SSL_CONF_cmd(%s, %s)=%d type=%d errors=%d", cmds[i][0], cmds[i][1], r, type, drain_errors());
    }
    say("SSL_CONF_cmd_value_type(Certificate)=%d (PrivateKey)=%d", SSL_CONF_cmd_value_type(cctx, "Certificate"),
        SSL_CONF_cmd_value_type(cctx, "PrivateKey"));
    say("SSL_CONF_CTX_finish=%d", SSL_CONF_CTX_finish(cctx));
    SSL_CONF_CTX_free(cctx);
    say("after: min=0x%lx max=0x%lx no_ticket=%d server_pref=%d", SSL_CTX_get_min_proto_version(ctx),
        SSL_CTX_get_max_proto_version(ctx), (SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET) != 0,
        (SSL_CTX_get_options(ctx) & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0);
}

/* What nginx's ngx_ssl_certificate and ngx_ssl_stapling_issuer do. */
static void chain(SSL_CTX *ctx) {
    X509 *leaf = load_cert(path("server.pem"));
    X509 *issuer = load_cert(path("intermediate.pem"));
    X509 *other = load_cert(path("client.pem"));
    EVP_PKEY *key = load_key(path("server-key.pem"));
    STACK_OF(X509) *stack = sk_X509_new_null(), *got = NULL;
    char cn[128];
    say("SSL_CTX_set0_chain without a certificate=%ld errors=%d", SSL_CTX_set0_chain(ctx, NULL), drain_errors());
    require(SSL_CTX_use_certificate(ctx, leaf) == 1, "SSL_CTX_use_certificate");
    require(SSL_CTX_use_PrivateKey(ctx, key) == 1, "SSL_CTX_use_PrivateKey");
    require(stack != NULL && sk_X509_push(stack, issuer) > 0, "chain stack");
    say("SSL_CTX_set0_chain=%ld", SSL_CTX_set0_chain(ctx, stack));
    say("SSL_CTX_select_current_cert(leaf)=%ld (another)=%ld", SSL_CTX_select_current_cert(ctx, leaf),
        SSL_CTX_select_current_cert(ctx, other));
    say("SSL_CTX_get_extra_chain_certs=%ld", SSL_CTX_get_extra_chain_certs(ctx, &got));
    say("chain: %d certificate(s), first %s, issues the leaf: %s", got ? sk_X509_num(got) : -1,
        got && sk_X509_num(got) > 0 ? common_name(sk_X509_value(got, 0), cn, sizeof cn) : "-",
        got && sk_X509_num(got) > 0 && X509_check_issued(sk_X509_value(got, 0), leaf) == X509_V_OK ? "yes" : "no");
    say("SSL_CTX_get_extra_chain_certs_only=%ld: %d", SSL_CTX_get_extra_chain_certs_only(ctx, &got),
        got ? sk_X509_num(got) : -1);
    say("SSL_CTX_check_private_key=%d", SSL_CTX_check_private_key(ctx));
    X509_free(leaf);
    X509_free(other);
    EVP_PKEY_free(key);
}

int main(int argc, char **argv) {
    SSL_CTX *sctx, *cctx;
    SSL *client, *server;
    struct link l;
    const SSL_CIPHER *c;
    static const unsigned char aes128[] = {0x13, 0x01}, unknown[] = {0x00, 0x2f};
    X509 *ca;
    STACK_OF(X509) *verified;
    SSL_SESSION *sess;
    int i;
    size_t n = 7;

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: abi_calls PKI_DIR");
    set_pki_dir(argv[1]);

    say("== SSL_CONF");
    sctx = new_ctx(TLS_server_method());
    conf(sctx);
    SSL_CTX_free(sctx);

    say("== chains");
    sctx = new_ctx(TLS_server_method());
    chain(sctx);

    say("== client CA names");
    ca = load_cert(path("root.pem"));
    i = SSL_CTX_add_client_CA(sctx, ca);
    say("SSL_CTX_add_client_CA=%d count=%d", i, sk_X509_NAME_num(SSL_CTX_get_client_CA_list(sctx)));
    X509_free(ca);

    say("== ciphers");
    server = SSL_new(sctx);
    c = SSL_CIPHER_find(server, aes128);
    say("SSL_CIPHER_find(1301)=%s", c ? SSL_CIPHER_get_name(c) : "NULL");
    /* TLS_RSA_WITH_AES_128_CBC_SHA: libssl knows it, vouch does not. */
    note("SSL_CIPHER_find(002f)=%s", SSL_CIPHER_find(server, unknown) ? "found" : "NULL");
    SSL_free(server);

    say("== features that are off");
    say("SSL_CTX_get_max_early_data=%u SSL_CTX_set_max_early_data(0)=%d", (unsigned)SSL_CTX_get_max_early_data(sctx),
        SSL_CTX_set_max_early_data(sctx, 0));

    say("== a handshake, the client's anchors loaded after its first SSL_connect");
    cctx = new_ctx(TLS_client_method());
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(sctx, path("root.pem"), NULL) == 1, "server anchors");
    require(SSL_CTX_use_certificate_chain_file(cctx, path("client-chain.pem")) == 1, "client chain");
    require(SSL_CTX_use_PrivateKey_file(cctx, path("client-key.pem"), SSL_FILETYPE_PEM) == 1, "client key");
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_SERVER);
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    SSL_set_tlsext_host_name(client, "localhost");
    SSL_set1_host(client, "localhost");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    say("SSL_in_init before=%d", SSL_in_init(client));
    link_attach(&l, "mem", client, server);
    /* curl's order: the first SSL_connect sends the ClientHello, then the
     * anchors go into the context's store. */
    report(client, "first SSL_connect", SSL_connect(client));
    say("SSL_CTX_get_cert_store=%s", SSL_CTX_get_cert_store(cctx) != NULL ? "a store" : "NULL");
    require(X509_STORE_load_file(SSL_CTX_get_cert_store(cctx), path("root.pem")) == 1, "X509_STORE_load_file");
    link_pump(&l);
    i = handshake_both(&l, client, server);
    say("handshake=%d SSL_in_init after=%d verify_result=%ld", i, SSL_in_init(client), SSL_get_verify_result(client));
    verified = SSL_get0_verified_chain(client);
    say("client SSL_get0_verified_chain: %d certificate(s)", verified ? sk_X509_num(verified) : -1);
    verified = SSL_get0_verified_chain(server);
    say("server SSL_get0_verified_chain: %d certificate(s)", verified ? sk_X509_num(verified) : -1);
    say("SSL_get_negotiated_group=%s", OBJ_nid2sn((int)SSL_get_negotiated_group(client)));
    sess = SSL_get1_session(client);
    say("SSL_SESSION_get0_hostname=%s", sess && SSL_SESSION_get0_hostname(sess) ? SSL_SESSION_get0_hostname(sess)
                                                                               : "NULL");
    SSL_SESSION_free(sess);
    if (SSL_version(server) == TLS1_2_VERSION) {
        sess = SSL_get1_session(server);
        say("SSL_CTX_remove_session=%d again=%d", SSL_CTX_remove_session(sctx, sess),
            SSL_CTX_remove_session(sctx, sess));
        SSL_SESSION_free(sess);
    }
    say("SSL_sendfile=%ld errors=%d", (long)SSL_sendfile(server, 0, 0, 1, 0), drain_errors());
    say("SSL_write_early_data=%d written=%zu errors=%d", SSL_write_early_data(client, "x", 1, &n), n,
        drain_errors());

    say("== SSL_set0_rbio / SSL_set0_wbio");
    {
        BIO *r = BIO_new(BIO_s_mem()), *w = BIO_new(BIO_s_mem());
        SSL *s = SSL_new(cctx);
        SSL_set0_rbio(s, r);
        SSL_set0_wbio(s, w);
        say("rbio=%s wbio=%s", SSL_get_rbio(s) == r ? "set" : "other", SSL_get_wbio(s) == w ? "set" : "other");
        SSL_free(s);
    }
    free_pair(client, server, &l, cctx, sctx);
    say("end");
    return 0;
}
