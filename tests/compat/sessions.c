/*
 * Sessions (SSL_get1_session(3), SSL_set_session(3), SSL_session_reused(3),
 * SSL_CTX_set_num_tickets(3)), both roles in one process over BIO_s_mem
 * pairs: a full handshake; the client reads so that the TLS 1.3 tickets,
 * sent after the handshake, arrive; SSL_get1_session; a new pair of SSL
 * objects from the same contexts, the client given the session with
 * SSL_set_session, resumes. Then a server sending no tickets leaves nothing
 * to resume. Also the session id context a server sets (stored; TLS 1.3
 * tickets do not need it), and SSL_CTX_set_cipher_list (TLS 1.2 ciphers:
 * refused when nothing matches; settings.c shows their effect).
 *
 *   sessions PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

/* One handshake of a new pair; the client offers `offer` if not NULL. Returns the
 * client's session (a new reference) after reading the tickets, or NULL. */
static SSL_SESSION *connect_once(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *offer) {
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    SSL_SESSION *got = NULL;
    struct link l;
    char buf[16];
    int r;
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    say("client: SSL_get_session before=%s", SSL_get_session(client) ? "set" : "NULL");
    if (offer != NULL) {
        say("SSL_set_session=%d", SSL_set_session(client, offer));
        say("client: SSL_get_session is the offered one=%d", SSL_get_session(client) == offer);
    }
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    if (handshake_both(&l, client, server)) {
        say("session_reused: client=%d server=%d", SSL_session_reused(client), SSL_session_reused(server));
        say("server: SSL_get_session=%s", SSL_get_session(server) ? "set" : "NULL");
        /* TLS 1.3 tickets come after the handshake: reading processes them. */
        r = SSL_read(client, buf, sizeof buf);
        report(client, "client SSL_read (tickets)", r);
        got = SSL_get1_session(client);
        say("client: SSL_get1_session=%s resumable=%d same as SSL_get_session=%d", got ? "set" : "NULL",
            got ? SSL_SESSION_is_resumable(got) : -1, got == SSL_get_session(client));
        r = SSL_write(client, "hi", 2);
        report(client, "client SSL_write", r);
        link_pump(&l);
        r = SSL_read(server, buf, sizeof buf);
        report(server, "server SSL_read", r);
        /* libssl forgets (marks not resumable) the session of an SSL freed
         * without a shutdown: close properly. */
        r = SSL_shutdown(client);
        report(client, "client SSL_shutdown", r);
        link_pump(&l);
        r = SSL_shutdown(server);
        report(server, "server SSL_shutdown", r);
    }
    SSL_free(client);
    SSL_free(server);
    link_done(&l);
    return got;
}

static void cipher_lists(void) {
    /* libssl 3.0 takes OpenSSL's names, not the standard (IANA) ones. */
    static const char *lists[] = {"DEFAULT", "HIGH:!aNULL", "NOPE", "ECDHE-ECDSA-AES128-GCM-SHA256",
                                  "TLS_AES_128_GCM_SHA256", "NOPE:AES256", "ALL:!COMPLEMENTOFDEFAULT:!eNULL",
                                  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE+AESGCM:!ECDSA:@STRENGTH"};
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx);
    size_t i;
    say("== SSL_CTX_set_cipher_list");
    for (i = 0; i < sizeof lists / sizeof lists[0]; ++i) {
        int r = SSL_CTX_set_cipher_list(ctx, lists[i]);
        int queued = drain_errors();
        say("SSL_CTX_set_cipher_list(\"%s\")=%d errors=%s", lists[i], r, queued ? "yes" : "no");
        r = SSL_set_cipher_list(ssl, lists[i]);
        queued = drain_errors();
        say("SSL_set_cipher_list(\"%s\")=%d errors=%s", lists[i], r, queued ? "yes" : "no");
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

int main(int argc, char **argv) {
    SSL_CTX *sctx, *cctx;
    SSL_SESSION *first, *second;
    static const unsigned char sid[] = "sessions-test";
    unsigned char long_sid[SSL_MAX_SID_CTX_LENGTH + 1];
    int r;

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: sessions PKI_DIR");
    set_pki_dir(argv[1]);
    sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "CA file");

    say("== settings");
    say("SSL_CTX_get_num_tickets default=%zu", SSL_CTX_get_num_tickets(sctx));
    say("SSL_CTX_set_session_id_context=%d", SSL_CTX_set_session_id_context(sctx, sid, sizeof sid - 1));
    memset(long_sid, 'x', sizeof long_sid);
    r = SSL_CTX_set_session_id_context(sctx, long_sid, sizeof long_sid);
    say("SSL_CTX_set_session_id_context(33 bytes)=%d errors=%s", r, drain_errors() ? "yes" : "no");

    say("== full handshake");
    first = connect_once(cctx, sctx, NULL);
    say("== resumption with SSL_set_session");
    second = connect_once(cctx, sctx, first);
    /* The SSL objects are gone; the sessions live on by their own references. */
    say("SSL_SESSION_up_ref=%d", SSL_SESSION_up_ref(first));
    SSL_SESSION_free(first);
    SSL_SESSION_free(first);
    SSL_SESSION_free(second);

    say("== a server that sends no tickets");
    say("SSL_CTX_set_num_tickets(0)=%d", SSL_CTX_set_num_tickets(sctx, 0));
    say("SSL_CTX_get_num_tickets=%zu", SSL_CTX_get_num_tickets(sctx));
    first = connect_once(cctx, sctx, NULL);
    second = connect_once(cctx, sctx, first);
    SSL_SESSION_free(first);
    SSL_SESSION_free(second);

    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    cipher_lists();
    say("end");
    return 0;
}
