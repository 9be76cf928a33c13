/*
 * Settings that change what a connection does, each observed: both roles in
 * one process over BIO_s_mem pairs (run in TLS 1.2 and TLS 1.3 by the
 * test's version argument).
 *
 * - Versions: SSL_OP_NO_TLSv1_3 or SSL_set_max_proto_version on the client
 *   gives TLS 1.2 (SSL_get_version, SSL_version on both sides).
 * - SSL_OP_CIPHER_SERVER_PREFERENCE: the client offers AES-128-GCM first,
 *   the server lists AES-256-GCM first; without the option libssl takes the
 *   client's order, with it the server's (SSL_CTX_set_cipher_list for
 *   TLS 1.2, SSL_CTX_set_ciphersuites for TLS 1.3).
 * - SSL_OP_PRIORITIZE_CHACHA (with server preference): a client offering
 *   ChaCha20 first gets it; one offering AES first gets the server's order.
 * - SSL_CTX_set_cipher_list / SSL_set_cipher_list: which TLS 1.2 suite is
 *   negotiated (ChaCha20 only, a rule with '!' and '+', @STRENGTH), and a
 *   client and server with no TLS 1.2 suite in common (TLS 1.3 ignores the
 *   list).
 * - SSL_OP_NO_TICKET on the server: TLS 1.2 resumes by session ID instead
 *   of a ticket (TLS 1.3 with a stateful ticket); SSL_CTX_set_num_tickets(0)
 *   turns off TLS 1.3 tickets only.
 * - SSL_CTX_set_session_id_context: a session made under one context is
 *   not resumed under another, and is again under the first.
 * - SSL_MODE_AUTO_RETRY cleared: an SSL_read that processed a record
 *   without application data (a TLS 1.3 NewSessionTicket) returns -1 with
 *   SSL_ERROR_WANT_READ, even though data follows in the BIO (TLS 1.2 sends
 *   no such record after the handshake: the data comes at once).
 * - SSL_MODE_ENABLE_PARTIAL_WRITE: SSL_write returns after one record
 *   (16384 bytes of a 20000-byte write); without it the whole write.
 * - SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER: a write retried after
 *   SSL_ERROR_WANT_WRITE from another buffer fails ("bad write retry")
 *   without it and goes through with it.
 *
 *   settings PKI_DIR
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

/* A client and a server context; the server's chain is ECDSA. */
static void contexts(SSL_CTX **cctx, SSL_CTX **sctx) {
    *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(*cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(*cctx, path("root.pem"), NULL) == 1, "CA file");
}

struct pair {
    SSL *client, *server;
    struct link l;
    int done;
};

/* A new pair of SSL objects from the contexts, the client offering `offer`
 * (may be NULL); runs the handshake. */
static void connect_pair(struct pair *p, SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *offer) {
    p->client = SSL_new(cctx);
    p->server = SSL_new(sctx);
    require(p->client && p->server, "SSL_new");
    require(SSL_set_tlsext_host_name(p->client, "localhost") == 1, "SNI");
    if (offer != NULL) require(SSL_set_session(p->client, offer) == 1, "SSL_set_session");
    SSL_set_connect_state(p->client);
    SSL_set_accept_state(p->server);
    link_attach(&p->l, "mem", p->client, p->server);
    p->done = handshake_both(&p->l, p->client, p->server);
}

/* Reads what the server sent after its handshake (TLS 1.3 tickets), closes
 * both sides properly (libssl does not resume the session of an SSL freed
 * without a shutdown), frees the pair and returns the client's session. */
static SSL_SESSION *close_pair(struct pair *p) {
    SSL_SESSION *session = NULL;
    if (p->done) {
        char buf[8];
        int r = SSL_write(p->server, "x", 1);
        report(p->server, "server SSL_write", r);
        link_pump(&p->l);
        r = SSL_read(p->client, buf, sizeof buf);
        report(p->client, "client SSL_read", r);
        session = SSL_get1_session(p->client);
        report(p->client, "client SSL_shutdown", SSL_shutdown(p->client));
        link_pump(&p->l);
        report(p->server, "server SSL_shutdown", SSL_shutdown(p->server));
    }
    SSL_free(p->client);
    SSL_free(p->server);
    link_done(&p->l);
    return session;
}

static void show_cipher(struct pair *p) {
    if (p->done)
        say("negotiated: version=%s cipher=%s SSL_version=%#x server SSL_version=%#x", SSL_get_version(p->client),
            SSL_CIPHER_get_name(SSL_get_current_cipher(p->client)), SSL_version(p->client),
            SSL_version(p->server));
}

/* Versions: the SSL_OP_NO_TLSv1_x options, SSL_set_max_proto_version on
 * one SSL. */
static void version_case(const char *title, uint64_t client_options, uint64_t server_options, int client_max) {
    SSL_CTX *cctx, *sctx;
    struct pair p;
    say("== %s", title);
    contexts(&cctx, &sctx);
    SSL_CTX_set_options(cctx, client_options);
    SSL_CTX_set_options(sctx, server_options);
    p.client = SSL_new(cctx);
    p.server = SSL_new(sctx);
    require(p.client && p.server, "SSL_new");
    if (client_max != 0) {
        say("SSL_set_max_proto_version=%d", (int)SSL_set_max_proto_version(p.client, client_max));
        say("SSL_get_max_proto_version=%#x", (unsigned)SSL_get_max_proto_version(p.client));
    }
    require(SSL_set_tlsext_host_name(p.client, "localhost") == 1, "SNI");
    SSL_set_connect_state(p.client);
    SSL_set_accept_state(p.server);
    link_attach(&p.l, "mem", p.client, p.server);
    p.done = handshake_both(&p.l, p.client, p.server);
    show_cipher(&p);
    SSL_SESSION_free(close_pair(&p));
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void preference_case(int server_preference) {
    SSL_CTX *cctx, *sctx;
    struct pair p;
    say("== client offers AES-128 first, server lists AES-256 first, SSL_OP_CIPHER_SERVER_PREFERENCE=%s",
        server_preference ? "on" : "off");
    contexts(&cctx, &sctx);
    require(SSL_CTX_set_cipher_list(cctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384") == 1,
            "client cipher list");
    require(SSL_CTX_set_cipher_list(sctx, "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256") == 1,
            "server cipher list");
    require(SSL_CTX_set_ciphersuites(cctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384") == 1, "client suites");
    require(SSL_CTX_set_ciphersuites(sctx, "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256") == 1, "server suites");
    if (server_preference)
        say("server options have CIPHER_SERVER_PREFERENCE=%d",
            (SSL_CTX_set_options(sctx, SSL_OP_CIPHER_SERVER_PREFERENCE) & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0);
    connect_pair(&p, cctx, sctx, NULL);
    show_cipher(&p);
    SSL_SESSION_free(close_pair(&p));
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* SSL_OP_PRIORITIZE_CHACHA with SSL_OP_CIPHER_SERVER_PREFERENCE: the server
 * lists AES-256, AES-128, then ChaCha20, the client offers ChaCha20 and
 * AES-128; a client offering ChaCha20 first gets it only with the option,
 * one offering AES-128 first gets the server's order (AES-128) either way. */
static void chacha_case(int prioritize, int client_chacha_first) {
    SSL_CTX *cctx, *sctx;
    struct pair p;
    say("== server prefers its order, SSL_OP_PRIORITIZE_CHACHA=%s, client offers %s first",
        prioritize ? "on" : "off", client_chacha_first ? "ChaCha20" : "AES-128");
    contexts(&cctx, &sctx);
    require(SSL_CTX_set_cipher_list(cctx, client_chacha_first
                                              ? "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256"
                                              : "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305") == 1,
            "client cipher list");
    require(SSL_CTX_set_ciphersuites(cctx, client_chacha_first ? "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
                                                               : "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256") == 1,
            "client suites");
    require(SSL_CTX_set_cipher_list(sctx, "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:"
                                          "ECDHE-ECDSA-CHACHA20-POLY1305") == 1,
            "server cipher list");
    require(SSL_CTX_set_ciphersuites(sctx, "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:"
                                           "TLS_CHACHA20_POLY1305_SHA256") == 1,
            "server suites");
    SSL_CTX_set_options(sctx, SSL_OP_CIPHER_SERVER_PREFERENCE | (prioritize ? SSL_OP_PRIORITIZE_CHACHA : 0));
    connect_pair(&p, cctx, sctx, NULL);
    show_cipher(&p);
    SSL_SESSION_free(close_pair(&p));
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* The client's cipher list (on the context, or on the SSL when `on_ssl`)
 * against the server's. */
static void cipher_list_case(const char *client_list, const char *server_list, int on_ssl) {
    SSL_CTX *cctx, *sctx;
    struct pair p;
    int r;
    say("== client cipher list \"%s\"%s, server \"%s\"", client_list, on_ssl ? " (SSL_set_cipher_list)" : "",
        server_list);
    contexts(&cctx, &sctx);
    if (!on_ssl) {
        r = SSL_CTX_set_cipher_list(cctx, client_list);
        say("SSL_CTX_set_cipher_list=%d errors=%s", r, drain_errors() ? "yes" : "no");
    }
    r = SSL_CTX_set_cipher_list(sctx, server_list);
    say("server SSL_CTX_set_cipher_list=%d errors=%s", r, drain_errors() ? "yes" : "no");
    p.client = SSL_new(cctx);
    p.server = SSL_new(sctx);
    require(p.client && p.server, "SSL_new");
    if (on_ssl) {
        r = SSL_set_cipher_list(p.client, client_list);
        say("SSL_set_cipher_list=%d errors=%s", r, drain_errors() ? "yes" : "no");
    }
    require(SSL_set_tlsext_host_name(p.client, "localhost") == 1, "SNI");
    SSL_set_connect_state(p.client);
    SSL_set_accept_state(p.server);
    link_attach(&p.l, "mem", p.client, p.server);
    p.done = handshake_both(&p.l, p.client, p.server);
    show_cipher(&p);
    SSL_SESSION_free(close_pair(&p));
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* A full handshake, then a resumption from the same contexts. */
static void resume_twice(SSL_CTX *cctx, SSL_CTX *sctx) {
    struct pair p;
    SSL_SESSION *first, *second;
    connect_pair(&p, cctx, sctx, NULL);
    first = close_pair(&p);
    say("first session: %s resumable=%d", first ? "set" : "NULL", first ? SSL_SESSION_is_resumable(first) : -1);
    connect_pair(&p, cctx, sctx, first);
    if (p.done) say("session_reused: client=%d server=%d", SSL_session_reused(p.client), SSL_session_reused(p.server));
    second = close_pair(&p);
    SSL_SESSION_free(first);
    SSL_SESSION_free(second);
}

static void ticket_case(const char *title, int no_ticket, int num_tickets) {
    SSL_CTX *cctx, *sctx;
    say("== %s", title);
    contexts(&cctx, &sctx);
    if (no_ticket) SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    if (num_tickets >= 0) require(SSL_CTX_set_num_tickets(sctx, (size_t)num_tickets) == 1, "num_tickets");
    resume_twice(cctx, sctx);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void session_id_context_case(int no_ticket) {
    static const unsigned char one[] = "context one", two[] = "context two";
    SSL_CTX *cctx, *sctx;
    struct pair p;
    SSL_SESSION *first, *again;
    say("== session id context, %s", no_ticket ? "session IDs" : "tickets");
    contexts(&cctx, &sctx);
    if (no_ticket) SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    require(SSL_CTX_set_session_id_context(sctx, one, sizeof one - 1) == 1, "context one");
    connect_pair(&p, cctx, sctx, NULL);
    first = close_pair(&p);
    /* New server SSL objects take the context's new value. */
    require(SSL_CTX_set_session_id_context(sctx, two, sizeof two - 1) == 1, "context two");
    connect_pair(&p, cctx, sctx, first);
    if (p.done) say("under another context: session_reused client=%d server=%d", SSL_session_reused(p.client),
                    SSL_session_reused(p.server));
    SSL_SESSION_free(close_pair(&p));
    require(SSL_CTX_set_session_id_context(sctx, one, sizeof one - 1) == 1, "context one again");
    connect_pair(&p, cctx, sctx, first);
    if (p.done) say("under the first context again: session_reused client=%d server=%d",
                    SSL_session_reused(p.client), SSL_session_reused(p.server));
    again = close_pair(&p);
    SSL_SESSION_free(first);
    SSL_SESSION_free(again);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void auto_retry_case(int cleared) {
    SSL_CTX *cctx, *sctx;
    struct pair p;
    char buf[16];
    int i, r;
    say("== SSL_MODE_AUTO_RETRY %s", cleared ? "cleared" : "set (the default)");
    contexts(&cctx, &sctx);
    /* One ticket: libssl sends each in a record of its own, vouch both in
     * one record, and the mode is about records. */
    require(SSL_CTX_set_num_tickets(sctx, 1) == 1, "one ticket");
    say("SSL_CTX_get_mode has AUTO_RETRY=%d", (SSL_CTX_get_mode(cctx) & SSL_MODE_AUTO_RETRY) != 0);
    connect_pair(&p, cctx, sctx, NULL);
    if (cleared) say("SSL_clear_mode leaves AUTO_RETRY=%d", (SSL_clear_mode(p.client, SSL_MODE_AUTO_RETRY) & SSL_MODE_AUTO_RETRY) != 0);
    if (p.done) {
        /* Everything the server sent after its handshake, then data, is
         * in the client's read BIO before it reads. */
        report(p.server, "server SSL_write", SSL_write(p.server, "data", 4));
        link_pump(&p.l);
        for (i = 0; i < 5; ++i) {
            r = SSL_read(p.client, buf, sizeof buf);
            if (report(p.client, "client SSL_read", r) != SSL_ERROR_WANT_READ) break;
        }
        if (r > 0) say("  client got '%.*s'", r, buf);
    }
    SSL_free(p.client);
    SSL_free(p.server);
    link_done(&p.l);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void partial_write_case(int partial) {
    static unsigned char data[20000];
    SSL_CTX *cctx, *sctx;
    struct pair p;
    int r, got = 0;
    say("== SSL_MODE_ENABLE_PARTIAL_WRITE %s", partial ? "set" : "not set");
    contexts(&cctx, &sctx);
    if (partial) say("SSL_CTX_set_mode has PARTIAL_WRITE=%d",
                     (SSL_CTX_set_mode(cctx, SSL_MODE_ENABLE_PARTIAL_WRITE) & SSL_MODE_ENABLE_PARTIAL_WRITE) != 0);
    connect_pair(&p, cctx, sctx, NULL);
    if (p.done) {
        memset(data, 'z', sizeof data);
        r = SSL_write(p.client, data, (int)sizeof data);
        report(p.client, "client SSL_write(20000)", r);
        link_pump(&p.l);
        for (;;) {
            unsigned char buf[4096];
            int n = SSL_read(p.server, buf, sizeof buf);
            if (n <= 0) break;
            got += n;
        }
        say("server read %d bytes", got);
    }
    SSL_free(p.client);
    SSL_free(p.server);
    link_done(&p.l);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* A write that stops with SSL_ERROR_WANT_WRITE (a BIO pair, whose buffer
 * takes one record of the two), retried with the same data from another
 * buffer. */
static void moving_buffer_case(int accept_moving) {
    static unsigned char first[20000], second[20000];
    SSL_CTX *cctx, *sctx;
    struct pair p;
    int r, i, got = 0;
    say("== SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER %s", accept_moving ? "set" : "not set");
    contexts(&cctx, &sctx);
    if (accept_moving) SSL_CTX_set_mode(cctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    p.client = SSL_new(cctx);
    p.server = SSL_new(sctx);
    require(p.client && p.server, "SSL_new");
    require(SSL_set_tlsext_host_name(p.client, "localhost") == 1, "SNI");
    SSL_set_connect_state(p.client);
    SSL_set_accept_state(p.server);
    link_attach(&p.l, "pair", p.client, p.server);
    p.done = handshake_both(&p.l, p.client, p.server);
    if (p.done) {
        memset(first, 'm', sizeof first);
        memcpy(second, first, sizeof second);
        r = SSL_write(p.client, first, (int)sizeof first);
        report(p.client, "client SSL_write", r);
        r = SSL_write(p.client, second, (int)sizeof second);
        report(p.client, "client SSL_write again, from another buffer", r);
        for (i = 0; i < 8 && r <= 0 && SSL_get_error(p.client, r) == SSL_ERROR_WANT_WRITE; ++i) {
            unsigned char buf[16384];
            int n = SSL_read(p.server, buf, sizeof buf);
            if (n > 0) got += n;
            r = SSL_write(p.client, second, (int)sizeof second);
        }
        if (r > 0) {
            say("client SSL_write at last: ret=%d", r);
            for (i = 0; i < 8 && got < r; ++i) {
                unsigned char buf[16384];
                int n = SSL_read(p.server, buf, sizeof buf);
                if (n <= 0) break;
                got += n;
            }
            say("server read %d bytes", got);
        }
    }
    SSL_free(p.client);
    SSL_free(p.server);
    link_done(&p.l);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: settings PKI_DIR");
    set_pki_dir(argv[1]);
    version_case("client SSL_OP_NO_TLSv1_3", SSL_OP_NO_TLSv1_3, 0, 0);
    version_case("client SSL_set_max_proto_version(TLS1_2_VERSION)", 0, 0, TLS1_2_VERSION);
    preference_case(0);
    preference_case(1);
    chacha_case(0, 1);
    chacha_case(1, 1);
    chacha_case(1, 0);
    cipher_list_case("ECDHE-ECDSA-CHACHA20-POLY1305", "DEFAULT", 0);
    cipher_list_case("ECDHE-ECDSA-CHACHA20-POLY1305", "DEFAULT", 1);
    cipher_list_case("ECDHE+AESGCM:!AES256", "DEFAULT", 0);
    cipher_list_case("CHACHA20:AES128:+CHACHA20", "DEFAULT:@STRENGTH", 0);
    cipher_list_case("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", 0);
    ticket_case("tickets (the default)", 0, -1);
    ticket_case("SSL_OP_NO_TICKET on the server", 1, -1);
    ticket_case("SSL_CTX_set_num_tickets(0)", 0, 0);
    session_id_context_case(0);
    session_id_context_case(1);
    auto_retry_case(0);
    auto_retry_case(1);
    partial_write_case(0);
    partial_write_case(1);
    moving_buffer_case(0);
    moving_buffer_case(1);
    say("end");
    return 0;
}
