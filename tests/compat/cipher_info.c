/*
 * What a program learns about the negotiated suite: the SSL_get_cipher*
 * macros (SSL_get_cipher, SSL_get_cipher_name, SSL_get_cipher_bits,
 * SSL_get_cipher_version) and SSL_CIPHER_get_name, _standard_name,
 * _get_bits, _get_version, _get_id, _get_protocol_id, _description
 * (SSL_CIPHER_get_name(3), SSL_CIPHER_description), on both sides, for
 * every suite of the version the program runs in (TLS 1.3: the three
 * suites; TLS 1.2: the six ECDHE AEAD suites, against an ECDSA and an RSA
 * server); and before any handshake (no cipher).
 *
 *   cipher_info PKI_DIR
 */
#include <openssl/crypto.h>
#include <string.h>

#include "common.h"

static void describe(SSL *ssl, const char *who) {
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    const char *standard;
    char buf[128], small[127], *allocated;
    int alg_bits = -7, bits;
    say("%s: SSL_get_cipher=%s SSL_get_cipher_name=%s", who, SSL_get_cipher(ssl), SSL_get_cipher_name(ssl));
    bits = SSL_get_cipher_bits(ssl, &alg_bits);
    say("%s: SSL_get_cipher_bits=%d alg_bits=%d SSL_get_cipher_bits(NULL)=%d", who, bits, alg_bits,
        SSL_get_cipher_bits(ssl, NULL));
    say("%s: SSL_get_cipher_version=%s", who, SSL_get_cipher_version(ssl));
    standard = SSL_CIPHER_standard_name(c);
    say("%s: SSL_CIPHER_standard_name=%s", who, standard ? standard : "NULL");
    if (c == NULL) return;
    say("%s: SSL_CIPHER_get_id=0x%08lx SSL_CIPHER_get_protocol_id=0x%04x", who, (unsigned long)SSL_CIPHER_get_id(c),
        (unsigned)SSL_CIPHER_get_protocol_id(c));
    say("%s: SSL_CIPHER_description=[%s]", who, SSL_CIPHER_description(c, buf, sizeof buf));
    say("%s: SSL_CIPHER_description into 127 bytes=%s", who,
        SSL_CIPHER_description(c, small, sizeof small) == NULL ? "NULL" : "set");
    allocated = SSL_CIPHER_description(c, NULL, 0);
    say("%s: SSL_CIPHER_description(NULL) allocates: %s", who,
        allocated != NULL && strcmp(allocated, buf) == 0 ? "the same text" : "something else");
    OPENSSL_free(allocated);
}

static void one_suite(const char *family, const char *suite) {
    SSL_CTX *sctx = make_ctx(TLS_server_method(), family_path(family, "server-chain.pem"),
                             family_path(family, "server-key.pem"));
    SSL_CTX *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL *client, *server;
    struct link l;
    say("== %s, %s server", suite, family);
    if (pinned_version() == TLS1_2_VERSION)
        require(SSL_CTX_set_cipher_list(cctx, suite) == 1, "cipher list");
    else
        require(SSL_CTX_set_ciphersuites(cctx, suite) == 1, "cipher suites");
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "pair", client, server);
    if (handshake_both(&l, client, server)) {
        describe(client, "client");
        describe(server, "server");
    }
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    static const char *suites13[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                     "TLS_CHACHA20_POLY1305_SHA256"};
    static const char *suites12_ecdsa[] = {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                           "ECDHE-ECDSA-CHACHA20-POLY1305"};
    static const char *suites12_rsa[] = {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                                         "ECDHE-RSA-CHACHA20-POLY1305"};
    SSL_CTX *ctx;
    SSL *ssl;
    size_t i;

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: cipher_info PKI_DIR");
    set_pki_dir(argv[1]);

    say("== before any handshake");
    ctx = new_ctx(TLS_client_method());
    ssl = SSL_new(ctx);
    require(ssl != NULL, "SSL_new");
    say("SSL_get_current_cipher=%s", SSL_get_current_cipher(ssl) ? "set" : "NULL");
    describe(ssl, "client");
    SSL_free(ssl);
    SSL_CTX_free(ctx);

    for (i = 0; i < 3; ++i) {
        if (pinned_version() == TLS1_2_VERSION) {
            one_suite("ecdsa", suites12_ecdsa[i]);
            one_suite("rsa", suites12_rsa[i]);
        } else {
            one_suite("ecdsa", suites13[i]);
        }
    }
    say("end");
    return 0;
}
