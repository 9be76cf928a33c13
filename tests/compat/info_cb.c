/*
 * SSL_CTX_set_info_callback(3) / SSL_set_info_callback and the alert texts
 * (SSL_alert_type_string(3) and friends). vouch-ssl reports the documented
 * subset — SSL_CB_HANDSHAKE_START, SSL_CB_HANDSHAKE_DONE, and alerts read
 * and written (SSL_CB_READ_ALERT / SSL_CB_WRITE_ALERT with the alert's level
 * and description) — not libssl's state-machine steps (SSL_CB_LOOP,
 * SSL_CB_EXIT, with SSL_state_string): the callback prints the subset, and
 * counts the steps on a line tagged as the documented difference. Both
 * roles in one process: a full handshake, data and close_notify both ways;
 * a resumed handshake; a client refusing the server's chain (a fatal alert
 * written and read); the callback set on an SSL, and the getters.
 *
 *   info_cb PKI_DIR
 */
#include <string.h>

#include "common.h"

static SSL *client_ssl;
static int steps;

static void info_cb(const SSL *ssl, int where, int ret) {
    const char *who = ssl == client_ssl ? "client" : "server";
    if (where & SSL_CB_HANDSHAKE_START) say("  %s info: handshake start", who);
    if (where & SSL_CB_HANDSHAKE_DONE) say("  %s info: handshake done", who);
    if (where & SSL_CB_ALERT) {
        say("  %s info: alert %s %s:%s (%s:%s)", who, (where & SSL_CB_READ) ? "read" : "written",
            SSL_alert_type_string_long(ret), SSL_alert_desc_string_long(ret), SSL_alert_type_string(ret),
            SSL_alert_desc_string(ret));
    }
    if (where & (SSL_CB_LOOP | SSL_CB_EXIT)) ++steps;
}

static void ssl_info_cb(const SSL *ssl, int where, int ret) {
    if (where & (SSL_CB_HANDSHAKE_START | SSL_CB_HANDSHAKE_DONE)) say("  (the SSL's own callback)");
    info_cb(ssl, where, ret);
}

static void report_steps(void) {
    say("[documented difference] state machine steps reported: %s", steps > 0 ? "yes" : "no");
    steps = 0;
}

/* One connection: handshake, data both ways, close_notify both ways.
 * Returns the client's session (a new reference). */
static SSL_SESSION *connect_once(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *offer, int own_callback) {
    SSL *server;
    SSL_SESSION *session = NULL;
    struct link l;
    char buf[16];
    int r;
    client_ssl = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client_ssl && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client_ssl, "localhost") == 1, "SNI");
    if (offer != NULL) require(SSL_set_session(client_ssl, offer) == 1, "SSL_set_session");
    if (own_callback) {
        SSL_set_info_callback(client_ssl, ssl_info_cb);
        say("SSL_get_info_callback: %s", SSL_get_info_callback(client_ssl) == ssl_info_cb ? "the SSL's" : "other");
        say("server's SSL_get_info_callback: %s", SSL_get_info_callback(server) == NULL ? "NULL" : "set");
    }
    SSL_set_connect_state(client_ssl);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client_ssl, server);
    if (handshake_both(&l, client_ssl, server)) {
        say("session_reused: client=%d", SSL_session_reused(client_ssl));
        r = SSL_write(client_ssl, "ping", 4);
        report(client_ssl, "client SSL_write", r);
        link_pump(&l);
        r = SSL_read(server, buf, sizeof buf);
        report(server, "server SSL_read", r);
        r = SSL_write(server, "pong", 4);
        report(server, "server SSL_write", r);
        link_pump(&l);
        r = SSL_read(client_ssl, buf, sizeof buf);
        report(client_ssl, "client SSL_read", r);
        session = SSL_get1_session(client_ssl);
        r = SSL_shutdown(client_ssl);
        report(client_ssl, "client SSL_shutdown", r);
        link_pump(&l);
        r = SSL_read(server, buf, sizeof buf);
        report(server, "server SSL_read", r);
        r = SSL_shutdown(server);
        report(server, "server SSL_shutdown", r);
        link_pump(&l);
        r = SSL_shutdown(client_ssl);
        report(client_ssl, "client SSL_shutdown", r);
    }
    SSL_free(client_ssl);
    client_ssl = NULL;
    SSL_free(server);
    link_done(&l);
    report_steps();
    return session;
}

static void refused(SSL_CTX *sctx) {
    SSL_CTX *cctx = new_ctx(TLS_client_method());
    SSL *server;
    struct link l;
    say("== the client refuses the server's chain");
    SSL_CTX_set_info_callback(cctx, info_cb);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, family_path("rsa", "root.pem"), NULL) == 1, "CA file");
    client_ssl = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client_ssl && server, "SSL_new");
    SSL_set_connect_state(client_ssl);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client_ssl, server);
    handshake_both(&l, client_ssl, server);
    SSL_free(client_ssl);
    client_ssl = NULL;
    SSL_free(server);
    link_done(&l);
    SSL_CTX_free(cctx);
    report_steps();
}

static void alert_texts(void) {
    int desc, level;
    say("== alert texts");
    for (level = 0; level <= 3; ++level)
        say("level %d: %s (%s)", level, SSL_alert_type_string_long(level << 8), SSL_alert_type_string(level << 8));
    for (desc = 0; desc < 256; ++desc) {
        const char *text = SSL_alert_desc_string_long(desc);
        if (strcmp(text, "unknown") == 0 && desc != 255) continue;
        say("alert %d: %s (%s)", desc, text, SSL_alert_desc_string(desc));
    }
}

int main(int argc, char **argv) {
    SSL_CTX *sctx, *cctx;
    SSL_SESSION *first, *second;

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: info_cb PKI_DIR");
    set_pki_dir(argv[1]);
    sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "CA file");
    say("SSL_CTX_get_info_callback before: %s", SSL_CTX_get_info_callback(cctx) == NULL ? "NULL" : "set");
    SSL_CTX_set_info_callback(cctx, info_cb);
    SSL_CTX_set_info_callback(sctx, info_cb);
    say("SSL_CTX_get_info_callback after: %s", SSL_CTX_get_info_callback(cctx) == info_cb ? "the callback" : "other");

    say("== full handshake, data, close_notify both ways");
    first = connect_once(cctx, sctx, NULL, 0);
    say("== resumed handshake");
    second = connect_once(cctx, sctx, first, 0);
    SSL_SESSION_free(first);
    SSL_SESSION_free(second);
    refused(sctx);
    say("== the client's SSL has a callback of its own, the server's context none");
    SSL_CTX_set_info_callback(sctx, NULL);
    first = connect_once(cctx, sctx, NULL, 1);
    SSL_SESSION_free(first);

    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    alert_texts();
    say("end");
    return 0;
}
