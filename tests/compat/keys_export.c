/*
 * Key material a program can get at: SSL_CTX_set_keylog_callback(3) (the
 * NSS key log lines each side logs: their labels in order, their shape,
 * and that both sides log the same lines) and SSL_export_keying_material(3)
 * (RFC 5705 / RFC 8446 §7.5: both sides export the same bytes; with no
 * context, an empty one and another one; other labels and lengths; before
 * the handshake), in a full handshake and in a resumed one.
 *
 *   keys_export PKI_DIR
 */
#include <ctype.h>
#include <string.h>

#include "common.h"

#define MAX_LINES 16

struct keylog {
    int count;
    char lines[MAX_LINES][256];
};

static struct keylog client_log, server_log;
static SSL *client_ssl;

static void keylog_cb(const SSL *ssl, const char *line) {
    struct keylog *log = ssl == client_ssl ? &client_log : &server_log;
    if (log->count < MAX_LINES) snprintf(log->lines[log->count], sizeof log->lines[0], "%s", line);
    ++log->count;
}

static int all_hex(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) return 0;
    return 1;
}

/* "LABEL <64 hex> <hex>": the label, and the lengths of the two fields. */
static void print_log(const char *who, const struct keylog *log) {
    int i;
    say("%s: %d key log lines", who, log->count);
    for (i = 0; i < log->count && i < MAX_LINES; ++i) {
        const char *line = log->lines[i];
        const char *sp1 = strchr(line, ' ');
        const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (sp1 == NULL || sp2 == NULL) {
            say("  malformed: %s", line);
            continue;
        }
        say("  %.*s random=%d hex=%d secret=%d hex=%d", (int)(sp1 - line), line, (int)(sp2 - sp1 - 1),
            all_hex(sp1 + 1, (size_t)(sp2 - sp1 - 1)), (int)strlen(sp2 + 1), all_hex(sp2 + 1, strlen(sp2 + 1)));
    }
}

/* Every line of one side is a line of the other. */
static int same_lines(void) {
    int i, j;
    if (client_log.count != server_log.count) return 0;
    for (i = 0; i < client_log.count && i < MAX_LINES; ++i) {
        int found = 0;
        for (j = 0; j < server_log.count && j < MAX_LINES; ++j) found |= strcmp(client_log.lines[i], server_log.lines[j]) == 0;
        if (!found) return 0;
    }
    return 1;
}

static int export(SSL *ssl, unsigned char *out, size_t len, const char *label, const unsigned char *context,
                  size_t context_len, int use_context) {
    memset(out, 0, len);
    return SSL_export_keying_material(ssl, out, len, label, strlen(label), context, context_len, use_context);
}

static void exports(SSL *client, SSL *server) {
    static const unsigned char ctx1[] = "context one", ctx2[] = "context two";
    unsigned char c[100], s[100], none[32], empty[32], one[32], two[32], other[32];
    size_t lengths[] = {1, 32, 100};
    size_t i;
    int rc, rs;
    for (i = 0; i < 3; ++i) {
        rc = export(client, c, lengths[i], "EXPORTER-vouch-test", ctx1, sizeof ctx1 - 1, 1);
        rs = export(server, s, lengths[i], "EXPORTER-vouch-test", ctx1, sizeof ctx1 - 1, 1);
        say("export %zu bytes with a context: client=%d server=%d same=%s", lengths[i], rc, rs,
            memcmp(c, s, lengths[i]) == 0 ? "yes" : "no");
    }
    rc = export(client, none, 32, "EXPORTER-vouch-test", NULL, 0, 0);
    rs = export(server, s, 32, "EXPORTER-vouch-test", NULL, 0, 0);
    say("export without a context: client=%d server=%d same=%s", rc, rs, memcmp(none, s, 32) == 0 ? "yes" : "no");
    rc = export(client, empty, 32, "EXPORTER-vouch-test", (const unsigned char *)"", 0, 1);
    rs = export(server, s, 32, "EXPORTER-vouch-test", (const unsigned char *)"", 0, 1);
    say("export with an empty context: client=%d server=%d same=%s", rc, rs, memcmp(empty, s, 32) == 0 ? "yes" : "no");
    rc = export(client, one, 32, "EXPORTER-vouch-test", ctx1, sizeof ctx1 - 1, 1);
    rc = export(client, two, 32, "EXPORTER-vouch-test", ctx2, sizeof ctx2 - 1, 1);
    rc = export(client, other, 32, "EXPORTER-other-label", ctx1, sizeof ctx1 - 1, 1);
    say("no context and an empty one give the same bytes: %s", memcmp(none, empty, 32) == 0 ? "yes" : "no");
    say("another context gives other bytes: %s", memcmp(one, two, 32) != 0 ? "yes" : "no");
    say("another label gives other bytes: %s", memcmp(one, other, 32) != 0 ? "yes" : "no");
    say("the context is used: %s", memcmp(one, none, 32) != 0 ? "yes" : "no");
}

/* One connection; returns the client's session (a new reference). */
static SSL_SESSION *connect_once(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *offer) {
    SSL *server;
    SSL_SESSION *session = NULL;
    struct link l;
    unsigned char out[32];
    char buf[8];
    int r;
    memset(&client_log, 0, sizeof client_log);
    memset(&server_log, 0, sizeof server_log);
    client_ssl = SSL_new(cctx);
    server = SSL_new(sctx);
    require(client_ssl && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client_ssl, "localhost") == 1, "SNI");
    if (offer != NULL) require(SSL_set_session(client_ssl, offer) == 1, "SSL_set_session");
    SSL_set_connect_state(client_ssl);
    SSL_set_accept_state(server);
    r = export(client_ssl, out, sizeof out, "EXPORTER-vouch-test", NULL, 0, 0);
    say("export before the handshake: ret=%d errors=%s", r, drain_errors() ? "yes" : "no");
    link_attach(&l, "mem", client_ssl, server);
    if (handshake_both(&l, client_ssl, server)) {
        say("session_reused: client=%d server=%d", SSL_session_reused(client_ssl), SSL_session_reused(server));
        r = SSL_read(client_ssl, buf, sizeof buf);
        report(client_ssl, "client SSL_read (tickets)", r);
        print_log("client", &client_log);
        print_log("server", &server_log);
        say("both sides logged the same lines: %s", same_lines() ? "yes" : "no");
        exports(client_ssl, server);
        session = SSL_get1_session(client_ssl);
        r = SSL_shutdown(client_ssl);
        report(client_ssl, "client SSL_shutdown", r);
        link_pump(&l);
        r = SSL_shutdown(server);
        report(server, "server SSL_shutdown", r);
        r = export(client_ssl, out, sizeof out, "EXPORTER-vouch-test", NULL, 0, 0);
        say("export after the shutdown: ret=%d errors=%s", r, drain_errors() ? "yes" : "no");
    }
    SSL_free(client_ssl);
    client_ssl = NULL;
    SSL_free(server);
    link_done(&l);
    return session;
}

int main(int argc, char **argv) {
    SSL_CTX *sctx, *cctx;
    SSL_SESSION *first, *second;

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: keys_export PKI_DIR");
    set_pki_dir(argv[1]);
    sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "CA file");
    say("SSL_CTX_get_keylog_callback before: %s", SSL_CTX_get_keylog_callback(cctx) == NULL ? "NULL" : "set");
    SSL_CTX_set_keylog_callback(cctx, keylog_cb);
    SSL_CTX_set_keylog_callback(sctx, keylog_cb);
    say("SSL_CTX_get_keylog_callback after: %s",
        SSL_CTX_get_keylog_callback(cctx) == keylog_cb ? "the callback" : "something else");

    say("== full handshake");
    first = connect_once(cctx, sctx, NULL);
    say("== resumed handshake");
    second = connect_once(cctx, sctx, first);
    SSL_SESSION_free(first);
    SSL_SESSION_free(second);

    say("== no callback");
    SSL_CTX_set_keylog_callback(cctx, NULL);
    SSL_CTX_set_keylog_callback(sctx, NULL);
    first = connect_once(cctx, sctx, NULL);
    SSL_SESSION_free(first);

    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    say("end");
    return 0;
}
