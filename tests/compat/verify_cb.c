/*
 * The verify callback of SSL_CTX_set_verify(3) / SSL_set_verify, both roles
 * in one process over BIO_s_mem pairs. The callback prints every call
 * (preverify_ok, depth, the current certificate's CN, the error code, and
 * whether X509_STORE_CTX_get_ex_data at SSL_get_ex_data_X509_STORE_CTX_idx()
 * gives the SSL being verified, with that SSL's own ex_data), then answers
 * as the case says: pass preverify_ok through; 1 always (a failure accepted:
 * the handshake goes on and SSL_get_verify_result still reports it); 0 at
 * depth 0 (a good chain refused). The call sequence (once per certificate
 * from the anchor down, again at a problem; the name check first) is
 * libcrypto's in both builds. One documented difference: an
 * SSL_VERIFY_NONE client's callback runs once the handshake is complete in
 * vouch-ssl (a tagged line says when); what it sees and what it changes
 * (only SSL_get_verify_result) are the same.
 *
 *   verify_cb PKI_DIR    (PKI_DIR/ecdsa and PKI_DIR/rsa, see tests/support/pki.h)
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "common.h"

enum answer { PASS_THROUGH, ACCEPT_ALL, REJECT_LEAF };

/* The answer of the role the case is about; the other role passes
 * preverify_ok through. */
static enum answer answer;
static int answer_server;
static int app_idx = -1;
static int calls;

static int verify_cb(int preverify_ok, X509_STORE_CTX *store) {
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    const char *who = ssl == NULL ? "?" : SSL_is_server(ssl) ? "server" : "client";
    const char *tag = ssl == NULL ? NULL : SSL_get_ex_data(ssl, app_idx);
    int depth = X509_STORE_CTX_get_error_depth(store);
    char cn[256];
    int r, none;
    switch (ssl != NULL && SSL_is_server(ssl) == answer_server ? answer : PASS_THROUGH) {
    case ACCEPT_ALL: r = 1; break;
    case REJECT_LEAF: r = depth == 0 ? 0 : preverify_ok; break;
    default: r = preverify_ok; break;
    }
    ++calls;
    /* libssl calls it during the handshake whatever the mode; vouch-ssl, for
     * an SSL_VERIFY_NONE client, once its handshake is complete (in the
     * call that completes it): the documented difference. Those calls are
     * tagged too: where they fall among the handshake calls differs (in
     * TLS 1.2 the client's last call comes a round later). */
    none = ssl != NULL && SSL_get_verify_mode(ssl) == SSL_VERIFY_NONE;
    if (calls == 1 && none)
        say("[documented difference] %s verify cb with SSL_VERIFY_NONE called after the handshake: %s", who,
            SSL_is_init_finished(ssl) ? "yes" : "no");
    say("%s  %s verify cb: preverify_ok=%d depth=%d cn=%s error=%d ssl=%s, returns %d",
        none ? "[documented difference]" : "", who, preverify_ok, depth,
        common_name(X509_STORE_CTX_get_current_cert(store), cn, sizeof cn), X509_STORE_CTX_get_error(store),
        tag ? tag : "(no ex_data)", r);
    return r;
}

struct verify_case {
    const char *title;
    /* The server's answer when the case has a client certificate, else the
     * client's. */
    enum answer answer;
    /* The server's family and file prefix ("server" unless set: its
     * "-chain.pem" and "-key.pem"), the client's trust anchor and mode, and
     * the SSL_set1_host name (NULL: none). */
    const char *server_family, *server_prefix, *client_ca;
    int client_verify;
    const char *host;
    /* Client certificate (family) and the server's trust anchor and mode;
     * server_verify 0: the server asks for nothing. */
    const char *client_family, *server_ca;
    int server_verify;
};

static void run_case(const struct verify_case *c) {
    const char *prefix = c->server_prefix ? c->server_prefix : "server";
    char chain[128], key[128];
    SSL_CTX *sctx, *cctx;
    SSL *client, *server;
    struct link l;
    snprintf(chain, sizeof chain, "%s-chain.pem", prefix);
    snprintf(key, sizeof key, "%s-key.pem", prefix);
    sctx = make_ctx(TLS_server_method(), family_path(c->server_family, chain), family_path(c->server_family, key));
    cctx = make_ctx(TLS_client_method(), NULL, NULL);
    say("== %s", c->title);
    answer = c->answer;
    answer_server = c->client_family != NULL;
    calls = 0;
    /* The client's callback comes from its context, the server's is set on
     * the SSL: both setters. */
    SSL_CTX_set_verify(cctx, c->client_verify, verify_cb);
    require(SSL_CTX_load_verify_locations(cctx, c->client_ca, NULL) == 1, "client CA");
    if (c->client_family) {
        require(SSL_CTX_use_certificate_chain_file(cctx, family_path(c->client_family, "client-chain.pem")) == 1,
                "client chain");
        require(SSL_CTX_use_PrivateKey_file(cctx, family_path(c->client_family, "client-key.pem"),
                                            SSL_FILETYPE_PEM) == 1,
                "client key");
    }
    if (c->server_ca) require(SSL_CTX_load_verify_locations(sctx, c->server_ca, NULL) == 1, "server CA");
    client = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client && server, "SSL_new");
    SSL_set_verify(server, c->server_verify, verify_cb);
    if (c->host) require(SSL_set1_host(client, c->host) == 1, "SSL_set1_host");
    require(SSL_set_ex_data(client, app_idx, "client-ssl") == 1, "client ex_data");
    require(SSL_set_ex_data(server, app_idx, "server-ssl") == 1, "server ex_data");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    if (handshake_both(&l, client, server)) {
        print_session(client, "client");
        print_session(server, "server");
    }
    say("verify results: client=%ld server=%ld, callback calls=%d", SSL_get_verify_result(client),
        SSL_get_verify_result(server), calls);
    free_pair(client, server, &l, cctx, sctx);
}

int main(int argc, char **argv) {
    char ecdsa_root[1024], rsa_root[1024];
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: verify_cb PKI_DIR");
    set_pki_dir(argv[1]);
    snprintf(ecdsa_root, sizeof ecdsa_root, "%s", family_path("ecdsa", "root.pem"));
    snprintf(rsa_root, sizeof rsa_root, "%s", family_path("rsa", "root.pem"));
    app_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    require(app_idx >= 0, "SSL_get_ex_new_index");
    require(SSL_get_ex_data_X509_STORE_CTX_idx() >= 0, "SSL_get_ex_data_X509_STORE_CTX_idx");
    say("SSL_get_ex_data_X509_STORE_CTX_idx stable: %s",
        SSL_get_ex_data_X509_STORE_CTX_idx() == SSL_get_ex_data_X509_STORE_CTX_idx() ? "yes" : "no");
    {
        /* Unset fields: no host to check, no client certificate, a server
         * that asks for nothing. */
        const struct verify_case cases[] = {
            {.title = "client passes preverify_ok through, good chain", .answer = PASS_THROUGH,
             .server_family = "ecdsa", .client_ca = ecdsa_root, .client_verify = SSL_VERIFY_PEER},
            {.title = "client passes preverify_ok through, wrong CA", .answer = PASS_THROUGH,
             .server_family = "ecdsa", .client_ca = rsa_root, .client_verify = SSL_VERIFY_PEER},
            {.title = "client passes preverify_ok through, SSL_set1_host does not match", .answer = PASS_THROUGH,
             .server_family = "ecdsa", .client_ca = ecdsa_root, .client_verify = SSL_VERIFY_PEER,
             .host = "other.example"},
            {.title = "client accepts everything, wrong CA", .answer = ACCEPT_ALL, .server_family = "ecdsa",
             .client_ca = rsa_root, .client_verify = SSL_VERIFY_PEER},
            {.title = "client accepts everything, expired certificate", .answer = ACCEPT_ALL,
             .server_family = "ecdsa", .server_prefix = "server-expired", .client_ca = ecdsa_root,
             .client_verify = SSL_VERIFY_PEER},
            {.title = "client accepts everything, SSL_set1_host does not match", .answer = ACCEPT_ALL,
             .server_family = "ecdsa", .client_ca = ecdsa_root, .client_verify = SSL_VERIFY_PEER,
             .host = "other.example"},
            {.title = "client refuses depth 0 of a good chain", .answer = REJECT_LEAF, .server_family = "ecdsa",
             .client_ca = ecdsa_root, .client_verify = SSL_VERIFY_PEER, .host = "localhost"},
            {.title = "SSL_VERIFY_NONE client passes preverify_ok through, wrong CA", .answer = PASS_THROUGH,
             .server_family = "ecdsa", .client_ca = rsa_root, .client_verify = SSL_VERIFY_NONE},
            {.title = "SSL_VERIFY_NONE client refuses depth 0 of a good chain", .answer = REJECT_LEAF,
             .server_family = "ecdsa", .client_ca = ecdsa_root, .client_verify = SSL_VERIFY_NONE},
            {.title = "server passes preverify_ok through, good client chain", .answer = PASS_THROUGH,
             .server_family = "rsa", .client_ca = rsa_root, .client_verify = SSL_VERIFY_PEER,
             .client_family = "ecdsa", .server_ca = ecdsa_root,
             .server_verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT},
            {.title = "server accepts everything, client of another CA", .answer = ACCEPT_ALL,
             .server_family = "ecdsa", .client_ca = ecdsa_root, .client_verify = SSL_VERIFY_PEER,
             .client_family = "rsa", .server_ca = ecdsa_root,
             .server_verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT},
            {.title = "server refuses depth 0 of a good client chain", .answer = REJECT_LEAF,
             .server_family = "ecdsa", .client_ca = ecdsa_root, .client_verify = SSL_VERIFY_PEER,
             .client_family = "ecdsa", .server_ca = ecdsa_root,
             .server_verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT},
            {.title = "server that asks for nothing never calls it", .answer = ACCEPT_ALL,
             .server_family = "ecdsa", .client_ca = ecdsa_root, .client_verify = SSL_VERIFY_PEER,
             .client_family = "ecdsa", .server_ca = ecdsa_root, .server_verify = SSL_VERIFY_NONE},
        };
        size_t i;
        for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) run_case(&cases[i]);
    }
    say("end");
    return 0;
}
