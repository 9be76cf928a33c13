/*
 * The session cache and the calls around it, both roles in one process over
 * BIO_s_mem pairs: SSL_CTX_set_session_cache_mode(3) and its modes taking
 * effect; the new / get / remove session callbacks (SSL_CTX_sess_set_new_cb(3))
 * with their reference rules (new_cb returning 1 keeps a reference, get_cb's
 * *copy, remove_cb when a session is dropped: expired, SSL_CTX_free);
 * SSL_CTX_set_timeout(3) (the timeout of new sessions; a session aged with
 * SSL_SESSION_set_time past it is not resumed); i2d_SSL_SESSION /
 * d2i_SSL_SESSION (a round-tripped session resumes; garbage and truncated
 * input give NULL and an error); the SSL_CTX_sess_* counters; and
 * SSL_get_peer_cert_chain after a resumption, on both sides.
 *
 * "Tickets off" is SSL_OP_NO_TICKET in TLS 1.2 (sessions are then cached
 * by session ID) and SSL_CTX_set_num_tickets(0) in TLS 1.3.
 *
 *   session_cache PKI_DIR
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"

#define MAX_KEPT 16

/* What the callbacks saw. */
static int new_calls, get_calls, remove_calls;
static int new_cb_keeps = 1; /* new_cb returns 1 (keeps the reference) */
static int get_cb_copy = 1;  /* what get_cb stores in *copy */
static SSL_SESSION *kept[MAX_KEPT];
static int nkept;
static SSL_CTX *remove_cb_expected_ctx;

static int tls13(void) { return pinned_version() != TLS1_2_VERSION; }

static int on_new(SSL *ssl, SSL_SESSION *sess) {
    unsigned int id_len = 0;
    (void)SSL_SESSION_get_id(sess, &id_len);
    ++new_calls;
    say("  new_cb %d: %s resumable=%d id_len=%u timeout=%ld", new_calls, SSL_is_server(ssl) ? "server" : "client",
        SSL_SESSION_is_resumable(sess), id_len, SSL_SESSION_get_timeout(sess));
    if (new_cb_keeps && nkept < MAX_KEPT) {
        kept[nkept++] = sess;
        return 1;
    }
    return 0;
}

static SSL_SESSION *on_get(SSL *ssl, const unsigned char *id, int id_len, int *copy) {
    int i;
    ++get_calls;
    say("  get_cb %d: %s id_len=%d *copy=%d", get_calls, SSL_is_server(ssl) ? "server" : "client", id_len, *copy);
    for (i = 0; i < nkept; ++i) {
        unsigned int len = 0;
        const unsigned char *kid = SSL_SESSION_get_id(kept[i], &len);
        if ((int)len == id_len && memcmp(kid, id, len) == 0) {
            say("  get_cb: found the session new_cb kept (%d), *copy=%d", i, get_cb_copy);
            *copy = get_cb_copy;
            /* *copy = 0: the reference returned is the library's. */
            if (!get_cb_copy) SSL_SESSION_up_ref(kept[i]);
            return kept[i];
        }
    }
    say("  get_cb: not found");
    return NULL;
}

static void on_remove(SSL_CTX *ctx, SSL_SESSION *sess) {
    int i, known = 0;
    ++remove_calls;
    for (i = 0; i < nkept; ++i) known |= kept[i] == sess;
    say("  remove_cb %d: ctx is the server's=%d kept by new_cb=%d", remove_calls, ctx == remove_cb_expected_ctx,
        known);
}

static void reset_counts(void) {
    int i;
    for (i = 0; i < nkept; ++i) SSL_SESSION_free(kept[i]);
    nkept = 0;
    new_calls = get_calls = remove_calls = 0;
    new_cb_keeps = 1;
    get_cb_copy = 1;
}

static void print_counts(const char *what) {
    say("%s: new_cb=%d get_cb=%d remove_cb=%d", what, new_calls, get_calls, remove_calls);
}

static void print_stats(const char *who, SSL_CTX *ctx) {
    say("%s stats: number=%ld connect=%ld connect_good=%ld accept=%ld accept_good=%ld hits=%ld cb_hits=%ld "
        "misses=%ld timeouts=%ld",
        who, SSL_CTX_sess_number(ctx), SSL_CTX_sess_connect(ctx), SSL_CTX_sess_connect_good(ctx),
        SSL_CTX_sess_accept(ctx), SSL_CTX_sess_accept_good(ctx), SSL_CTX_sess_hits(ctx), SSL_CTX_sess_cb_hits(ctx),
        SSL_CTX_sess_misses(ctx), SSL_CTX_sess_timeouts(ctx));
}

static void tickets_off(SSL_CTX *sctx) {
    if (tls13())
        require(SSL_CTX_set_num_tickets(sctx, 0) == 1, "num_tickets");
    else
        SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
}

static int chain_len(SSL *ssl) {
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    return chain ? sk_X509_num(chain) : -1;
}

/* One handshake of a new pair, the client offering `offer` if not NULL;
 * closed with SSL_shutdown both ways. Returns the client's session (a new
 * reference) after it read what came after the handshake (TLS 1.3 tickets). */
static SSL_SESSION *connect_once(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *offer) {
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    SSL_SESSION *got = NULL;
    struct link l;
    char buf[16];
    int r;
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    if (offer != NULL) say("SSL_set_session=%d", SSL_set_session(client, offer));
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    if (handshake_both(&l, client, server)) {
        say("session_reused: client=%d server=%d", SSL_session_reused(client), SSL_session_reused(server));
        say("peer_cert_chain: client=%d server=%d", chain_len(client), chain_len(server));
        r = SSL_read(client, buf, sizeof buf);
        report(client, "client SSL_read (tickets)", r);
        got = SSL_get1_session(client);
        if (got != NULL) {
            unsigned int id_len = 0;
            (void)SSL_SESSION_get_id(got, &id_len);
            say("client session: resumable=%d id_len=%u timeout=%ld", SSL_SESSION_is_resumable(got), id_len,
                SSL_SESSION_get_timeout(got));
        }
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

static SSL_CTX *server_ctx(void) {
    return make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
}

static SSL_CTX *client_ctx(void) {
    SSL_CTX *cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "CA file");
    return cctx;
}

static void settings(void) {
    static const long modes[] = {SSL_SESS_CACHE_OFF,
                                 SSL_SESS_CACHE_CLIENT,
                                 SSL_SESS_CACHE_SERVER,
                                 SSL_SESS_CACHE_BOTH,
                                 SSL_SESS_CACHE_BOTH | SSL_SESS_CACHE_NO_AUTO_CLEAR,
                                 SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_LOOKUP,
                                 SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_STORE,
                                 SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL};
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    size_t i;
    long prev;
    require(ctx != NULL, "SSL_CTX_new");
    say("== settings");
    say("constants: OFF=0x%x CLIENT=0x%x SERVER=0x%x BOTH=0x%x NO_AUTO_CLEAR=0x%x NO_INTERNAL_LOOKUP=0x%x "
        "NO_INTERNAL_STORE=0x%x NO_INTERNAL=0x%x",
        SSL_SESS_CACHE_OFF, SSL_SESS_CACHE_CLIENT, SSL_SESS_CACHE_SERVER, SSL_SESS_CACHE_BOTH,
        SSL_SESS_CACHE_NO_AUTO_CLEAR, SSL_SESS_CACHE_NO_INTERNAL_LOOKUP, SSL_SESS_CACHE_NO_INTERNAL_STORE,
        SSL_SESS_CACHE_NO_INTERNAL);
    say("SSL_CTX_get_session_cache_mode default=0x%lx", SSL_CTX_get_session_cache_mode(ctx));
    for (i = 0; i < sizeof modes / sizeof modes[0]; ++i) {
        prev = SSL_CTX_set_session_cache_mode(ctx, modes[i]);
        say("SSL_CTX_set_session_cache_mode(0x%lx)=0x%lx, get=0x%lx", modes[i], prev,
            SSL_CTX_get_session_cache_mode(ctx));
    }
    say("SSL_CTX_get_timeout default=%ld", SSL_CTX_get_timeout(ctx));
    prev = SSL_CTX_set_timeout(ctx, 100);
    say("SSL_CTX_set_timeout(100)=%ld, get=%ld", prev, SSL_CTX_get_timeout(ctx));
    say("callbacks before: new=%s get=%s remove=%s", SSL_CTX_sess_get_new_cb(ctx) ? "set" : "NULL",
        SSL_CTX_sess_get_get_cb(ctx) ? "set" : "NULL", SSL_CTX_sess_get_remove_cb(ctx) ? "set" : "NULL");
    SSL_CTX_sess_set_new_cb(ctx, on_new);
    SSL_CTX_sess_set_get_cb(ctx, on_get);
    SSL_CTX_sess_set_remove_cb(ctx, on_remove);
    say("callbacks after: new=%d get=%d remove=%d", SSL_CTX_sess_get_new_cb(ctx) == on_new,
        SSL_CTX_sess_get_get_cb(ctx) == on_get, SSL_CTX_sess_get_remove_cb(ctx) == on_remove);
    print_stats("new context", ctx);
    SSL_CTX_free(ctx);
}

/* The client's new-session callback fires only under SSL_SESS_CACHE_CLIENT. */
static void client_new_cb(int mode) {
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL_SESSION *first, *second;
    say("== client new_cb, client cache mode 0x%x", mode);
    SSL_CTX_set_session_cache_mode(cctx, mode);
    SSL_CTX_sess_set_new_cb(cctx, on_new);
    first = connect_once(cctx, sctx, NULL);
    print_counts("after the full handshake");
    /* The callback kept its own reference: the session outlives ours. */
    SSL_SESSION_free(first);
    second = connect_once(cctx, sctx, nkept > 0 ? kept[0] : NULL);
    print_counts("after resuming the session new_cb kept");
    SSL_SESSION_free(second);
    say("== client new_cb returning 0 (the library drops its reference)");
    new_cb_keeps = 0;
    first = connect_once(cctx, sctx, NULL);
    print_counts("after the full handshake");
    SSL_SESSION_free(first);
    print_stats("client", cctx);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    reset_counts();
}

/* A server whose sessions live in the application's cache only. */
static void server_external_cache(void) {
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL_SESSION *first, *again;
    say("== server cache callbacks, SSL_SESS_CACHE_SERVER|SSL_SESS_CACHE_NO_INTERNAL, tickets off");
    remove_cb_expected_ctx = sctx;
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(sctx, on_new);
    SSL_CTX_sess_set_get_cb(sctx, on_get);
    SSL_CTX_sess_set_remove_cb(sctx, on_remove);
    if (!tls13()) tickets_off(sctx);
    say("SSL_CTX_set_timeout(600)=%ld", SSL_CTX_set_timeout(sctx, 600));
    first = connect_once(cctx, sctx, NULL);
    print_counts("after the full handshake");
    say("-- resumption, get_cb answering *copy=1");
    again = connect_once(cctx, sctx, first);
    SSL_SESSION_free(again);
    print_counts("after it");
    say("-- resumption, get_cb answering *copy=0 with a reference of its own");
    get_cb_copy = 0;
    again = connect_once(cctx, sctx, first);
    SSL_SESSION_free(again);
    print_counts("after it");
    print_stats("server", sctx);
    if (!tls13() && nkept > 0) {
        /* The server's session, aged past its timeout, is not resumed. */
        say("-- the server's session aged past its timeout");
        say("SSL_SESSION_set_time=%d", SSL_SESSION_set_time(kept[0], (long)time(NULL) - 1000) != 0);
        again = connect_once(cctx, sctx, first);
        SSL_SESSION_free(again);
        print_counts("after it");
        print_stats("server", sctx);
    }
    SSL_SESSION_free(first);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    print_counts("after SSL_CTX_free");
    reset_counts();
}

/* The server's own (internal) cache: what it holds, its hits, and the
 * remove callback for each session it drops when the context goes. */
static void server_internal_cache(void) {
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL_SESSION *first, *again;
    say("== server internal cache (SSL_SESS_CACHE_SERVER), tickets off in TLS 1.2, remove_cb");
    remove_cb_expected_ctx = sctx;
    new_cb_keeps = 0;
    SSL_CTX_sess_set_new_cb(sctx, on_new);
    SSL_CTX_sess_set_remove_cb(sctx, on_remove);
    if (!tls13()) tickets_off(sctx);
    say("SSL_CTX_set_timeout(60)=%ld", SSL_CTX_set_timeout(sctx, 60));
    first = connect_once(cctx, sctx, NULL);
    print_counts("after the full handshake");
    print_stats("server", sctx);
    again = connect_once(cctx, sctx, first);
    SSL_SESSION_free(again);
    print_counts("after resuming");
    print_stats("server", sctx);
    SSL_SESSION_free(first);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    print_counts("after SSL_CTX_free");
    reset_counts();
}

/* SSL_SESS_CACHE_OFF on the server: with tickets off nothing resumes (TLS
 * 1.2: the server gives no session ID); with tickets it still does. */
static void server_cache_off(int with_tickets) {
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL_SESSION *first, *again;
    say("== server SSL_SESS_CACHE_OFF, tickets %s", with_tickets ? "on" : "off");
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_sess_set_new_cb(sctx, on_new);
    if (!with_tickets) tickets_off(sctx);
    first = connect_once(cctx, sctx, NULL);
    again = connect_once(cctx, sctx, first);
    SSL_SESSION_free(first);
    SSL_SESSION_free(again);
    print_counts("server callbacks");
    print_stats("server", sctx);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    reset_counts();
}

/* A client's session aged past its lifetime: TLS 1.3 does not offer it any
 * more (the ticket's lifetime); a TLS 1.2 client offers it and the server
 * judges (its own copy is young). */
static void client_session_aged(void) {
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL_SESSION *first, *again;
    long t;
    say("== the client's session aged by 8000 s");
    first = connect_once(cctx, sctx, NULL);
    t = SSL_SESSION_get_time(first);
    say("SSL_SESSION_get_time is now=%d", t >= (long)time(NULL) - 5 && t <= (long)time(NULL));
    say("SSL_SESSION_set_time returns the time=%d", SSL_SESSION_set_time(first, t - 8000) == t - 8000);
    say("SSL_SESSION_get_time went back 8000 s=%d", SSL_SESSION_get_time(first) == t - 8000);
    say("SSL_SESSION_set_timeout(100000)=%ld", SSL_SESSION_set_timeout(first, 100000));
    say("SSL_SESSION_get_timeout=%ld", SSL_SESSION_get_timeout(first));
    again = connect_once(cctx, sctx, first);
    SSL_SESSION_free(first);
    SSL_SESSION_free(again);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void der_round_trip(void) {
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL_SESSION *first, *decoded, *again, *out;
    unsigned char *der, *p;
    const unsigned char *in;
    static const unsigned char garbage[] = "this is not a session at all, not even close";
    int len, len2;
    say("== i2d_SSL_SESSION / d2i_SSL_SESSION");
    first = connect_once(cctx, sctx, NULL);
    len = i2d_SSL_SESSION(first, NULL);
    say("i2d_SSL_SESSION(NULL) > 0: %d", len > 0);
    der = OPENSSL_malloc((size_t)len);
    require(der != NULL, "malloc");
    p = der;
    len2 = i2d_SSL_SESSION(first, &p);
    say("i2d_SSL_SESSION(&p)=same length %d, p advanced by it %d", len2 == len, p == der + len);
    SSL_SESSION_free(first);
    in = der;
    decoded = d2i_SSL_SESSION(NULL, &in, len);
    say("d2i_SSL_SESSION=%s, in advanced by the length %d, errors=%s", decoded ? "set" : "NULL", in == der + len,
        ERR_peek_error() ? "yes" : "no");
    require(decoded != NULL, "d2i");
    say("decoded: resumable=%d", SSL_SESSION_is_resumable(decoded));
    again = connect_once(cctx, sctx, decoded);
    SSL_SESSION_free(again);
    /* Into an existing pointer: *a is replaced. */
    in = der;
    out = NULL;
    again = d2i_SSL_SESSION(&out, &in, len);
    say("d2i_SSL_SESSION(&out)=%s, same as out=%d", again ? "set" : "NULL", again == out);
    SSL_SESSION_free(out);
    SSL_SESSION_free(decoded);

    in = garbage;
    decoded = d2i_SSL_SESSION(NULL, &in, (long)sizeof garbage);
    /* Which errors: vouch-ssl's encoding is its own, not libssl's ASN.1. */
    say("d2i_SSL_SESSION(garbage)=%s, errors=%s", decoded ? "set" : "NULL", ERR_peek_error() ? "yes" : "no");
    ERR_clear_error();
    SSL_SESSION_free(decoded);
    for (len2 = 0; len2 < len; len2 += len2 < 8 ? 1 : len / 5) {
        in = der;
        decoded = d2i_SSL_SESSION(NULL, &in, len2);
        if (decoded != NULL || !ERR_peek_error()) say("d2i_SSL_SESSION(first %d bytes) did not fail", len2);
        ERR_clear_error();
        SSL_SESSION_free(decoded);
    }
    say("d2i_SSL_SESSION of every truncation checked");
    OPENSSL_free(der);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* SSL_get_peer_cert_chain after a resumption with a client certificate,
 * with tickets and without (TLS 1.2: by session ID, from the server's
 * cache). */
static void peer_chain_with_client_cert(int with_tickets) {
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL_SESSION *first, *again;
    X509 *cert;
    EVP_PKEY *key;
    static const unsigned char sid[] = "session_cache";
    say("== SSL_get_peer_cert_chain with a client certificate, tickets %s", with_tickets ? "on" : "off");
    if (!with_tickets) tickets_off(sctx);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_set_session_id_context(sctx, sid, sizeof sid - 1) == 1, "sid ctx");
    require(SSL_CTX_load_verify_locations(sctx, path("root.pem"), NULL) == 1, "server CA");
    cert = load_cert(path("client.pem"));
    key = load_key(path("client-key.pem"));
    require(SSL_CTX_use_certificate(cctx, cert) == 1, "client cert");
    require(SSL_CTX_use_PrivateKey(cctx, key) == 1, "client key");
    X509_free(cert);
    EVP_PKEY_free(key);
    require(SSL_CTX_add_extra_chain_cert(cctx, load_cert(path("intermediate.pem"))) == 1, "extra chain");
    first = connect_once(cctx, sctx, NULL);
    again = connect_once(cctx, sctx, first);
    SSL_SESSION_free(first);
    SSL_SESSION_free(again);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 2, "usage: session_cache PKI_DIR");
    set_pki_dir(argv[1]);
    settings();
    client_new_cb(SSL_SESS_CACHE_CLIENT);
    client_new_cb(SSL_SESS_CACHE_SERVER);
    server_external_cache();
    server_internal_cache();
    server_cache_off(0);
    server_cache_off(1);
    client_session_aged();
    der_round_trip();
    peer_chain_with_client_cert(1);
    peer_chain_with_client_cert(0);
    say("end");
    return 0;
}
