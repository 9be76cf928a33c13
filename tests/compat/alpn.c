/*
 * ALPN (RFC 7301) through libssl's calls: SSL_CTX_set_alpn_protos /
 * SSL_set_alpn_protos on the client (0 on success, 1 for a malformed list,
 * an empty one clearing it), SSL_CTX_set_alpn_select_cb on the server (what
 * the callback is given, each of its answers: OK, NOACK, ALERT_FATAL),
 * SSL_get0_alpn_selected on both sides (before, after, resumed), and
 * SSL_select_next_proto, which callbacks use.
 *
 *   alpn PKI_DIR
 */
#include <string.h>

#include "common.h"

static const unsigned char h2_http11[] = "\x02h2\x08http/1.1";
static const unsigned char server_prefs[] = "\x08http/1.1\x02h2";
static const unsigned char only_smtp[] = "\x04smtp";

static int answer;  /* what the callback returns when it finds no overlap */
static int calls;

/* "h2,http/1.1" for a wire-format list. */
static const char *list_text(const unsigned char *in, unsigned int len) {
    static char buf[256];
    size_t at = 0;
    unsigned int i = 0;
    buf[0] = 0;
    while (i < len && at + 2 < sizeof buf) {
        unsigned int n = in[i++];
        if (at > 0) buf[at++] = ',';
        if (n > len - i) n = len - i;
        if (n > sizeof buf - at - 1) n = (unsigned int)(sizeof buf - at - 1);
        memcpy(buf + at, in + i, n);
        at += n;
        i += n;
        buf[at] = 0;
    }
    return buf;
}

static int select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                     unsigned int inlen, void *arg) {
    const unsigned char *prefs = arg;
    unsigned char *chosen = NULL;
    unsigned char chosen_len = 0;
    int r;
    (void)ssl;
    ++calls;
    r = SSL_select_next_proto(&chosen, &chosen_len, prefs, (unsigned int)strlen((const char *)prefs), in, inlen);
    if (r == OPENSSL_NPN_NEGOTIATED) {
        *out = chosen;
        *outlen = chosen_len;
        say("  select cb: offered=%s, chooses %.*s", list_text(in, inlen), (int)chosen_len, chosen);
        return SSL_TLSEXT_ERR_OK;
    }
    say("  select cb: offered=%s, no overlap, returns %s", list_text(in, inlen),
        answer == SSL_TLSEXT_ERR_NOACK ? "NOACK" : "ALERT_FATAL");
    return answer;
}

static void print_selected(SSL *ssl, const char *who) {
    const unsigned char *data = (const unsigned char *)"x";
    unsigned int len = 99;
    SSL_get0_alpn_selected(ssl, &data, &len);
    if (data == NULL)
        say("%s: SSL_get0_alpn_selected=NULL len=%u", who, len);
    else
        say("%s: SSL_get0_alpn_selected=%.*s len=%u", who, (int)len, data, len);
}

/* One connection; returns the client's session. */
static SSL_SESSION *connect_once(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *offer,
                                 const unsigned char *ssl_protos) {
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    SSL_SESSION *session = NULL;
    struct link l;
    char buf[8];
    require(client && server, "SSL_new");
    require(SSL_set_tlsext_host_name(client, "localhost") == 1, "SNI");
    if (offer != NULL) require(SSL_set_session(client, offer) == 1, "SSL_set_session");
    if (ssl_protos != NULL)
        say("SSL_set_alpn_protos=%d", SSL_set_alpn_protos(client, ssl_protos, (unsigned)strlen((const char *)ssl_protos)));
    print_selected(client, "client before the handshake");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "mem", client, server);
    calls = 0;
    if (handshake_both(&l, client, server)) {
        say("session_reused=%d", SSL_session_reused(client));
        report(client, "client SSL_read (tickets)", SSL_read(client, buf, sizeof buf));
        session = SSL_get1_session(client);
        SSL_set_shutdown(client, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        SSL_set_shutdown(server, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
    say("select cb calls=%d", calls);
    print_selected(client, "client");
    print_selected(server, "server");
    SSL_free(client);
    SSL_free(server);
    link_done(&l);
    return session;
}

static void select_next_proto(void) {
    static const unsigned char bad[] = "\x05h2";
    unsigned char *out = NULL;
    unsigned char outlen = 0;
    int r;
    say("== SSL_select_next_proto");
    r = SSL_select_next_proto(&out, &outlen, server_prefs, sizeof server_prefs - 1, h2_http11, sizeof h2_http11 - 1);
    say("server prefs http/1.1,h2 client h2,http/1.1: %d %.*s", r, (int)outlen, out);
    r = SSL_select_next_proto(&out, &outlen, only_smtp, sizeof only_smtp - 1, h2_http11, sizeof h2_http11 - 1);
    say("server prefs smtp client h2,http/1.1: %d %.*s", r, (int)outlen, out);
    r = SSL_select_next_proto(&out, &outlen, only_smtp, sizeof only_smtp - 1, bad, sizeof bad - 1);
    say("malformed client list: %d out=%s outlen=%u", r, out ? "set" : "NULL", outlen);
    r = SSL_select_next_proto(&out, &outlen, bad, sizeof bad - 1, h2_http11, sizeof h2_http11 - 1);
    say("malformed server list: %d %.*s", r, (int)outlen, out);
}

int main(int argc, char **argv) {
    static const unsigned char malformed[] = "\x05h2";
    static const unsigned char empty_entry[] = "\x00\x02h2";
    SSL_CTX *sctx, *cctx;
    SSL_SESSION *session;
    int r;

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: alpn PKI_DIR");
    set_pki_dir(argv[1]);
    sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "CA file");

    say("== SSL_CTX_set_alpn_protos");
    r = SSL_CTX_set_alpn_protos(cctx, malformed, sizeof malformed - 1);
    say("a malformed list: %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_set_alpn_protos(cctx, empty_entry, 3);
    say("an empty entry: %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_set_alpn_protos(cctx, h2_http11, 0);
    say("length 0: %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_set_alpn_protos(cctx, h2_http11, sizeof h2_http11 - 1);
    say("h2,http/1.1: %d errors=%s", r, drain_errors() ? "yes" : "no");

    say("== no select callback on the server");
    session = connect_once(cctx, sctx, NULL, NULL);
    SSL_SESSION_free(session);

    SSL_CTX_set_alpn_select_cb(sctx, select_cb, (void *)server_prefs);
    say("== the callback chooses by the server's preference");
    session = connect_once(cctx, sctx, NULL, NULL);
    say("== resumed");
    SSL_SESSION_free(connect_once(cctx, sctx, session, NULL));
    SSL_SESSION_free(session);

    say("== no overlap, the callback answers NOACK");
    answer = SSL_TLSEXT_ERR_NOACK;
    SSL_SESSION_free(connect_once(cctx, sctx, NULL, only_smtp));
    say("== no overlap, the callback answers ALERT_FATAL");
    answer = SSL_TLSEXT_ERR_ALERT_FATAL;
    SSL_SESSION_free(connect_once(cctx, sctx, NULL, only_smtp));

    say("== the client offers nothing (SSL_set_alpn_protos with an empty list)");
    SSL_SESSION_free(connect_once(cctx, sctx, NULL, (const unsigned char *)""));

    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    select_next_proto();
    say("end");
    return 0;
}
