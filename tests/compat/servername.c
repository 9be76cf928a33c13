/*
 * The server name (RFC 6066 §3) through libssl's calls: the servername
 * callback (SSL_CTX_set_tlsext_servername_callback and _arg) and its
 * answers — SSL_TLSEXT_ERR_OK, _NOACK, _ALERT_WARNING, _ALERT_FATAL with
 * the default alert and with one it sets — called with and without SNI and
 * on resumption; SSL_set_SSL_CTX inside it switching to a context with
 * another certificate (and outside it, back with NULL);
 * SSL_get_servername / SSL_get_servername_type on both sides.
 *
 *   servername PKI_DIR
 */
#include <string.h>

#include "common.h"

enum answer { OK, NOACK, WARNING, FATAL, FATAL_ACCESS_DENIED, SWITCH };
static enum answer answer;
static SSL_CTX *other_ctx; /* the RSA server's */
static int calls;

static const char *name_or_null(const char *s) { return s ? s : "NULL"; }

static int servername_cb(SSL *ssl, int *al, void *arg) {
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    ++calls;
    say("  servername cb: arg=%s name=%s type=%d al=%d", (const char *)arg, name_or_null(name),
        SSL_get_servername_type(ssl), *al);
    switch (answer) {
    case OK: return SSL_TLSEXT_ERR_OK;
    case NOACK: return SSL_TLSEXT_ERR_NOACK;
    case WARNING: return SSL_TLSEXT_ERR_ALERT_WARNING;
    case FATAL: return SSL_TLSEXT_ERR_ALERT_FATAL;
    case FATAL_ACCESS_DENIED: *al = SSL_AD_ACCESS_DENIED; return SSL_TLSEXT_ERR_ALERT_FATAL;
    case SWITCH: {
        SSL_CTX *got = SSL_set_SSL_CTX(ssl, other_ctx);
        say("  SSL_set_SSL_CTX returned the new context: %d, SSL_get_SSL_CTX is it: %d", got == other_ctx,
            SSL_get_SSL_CTX(ssl) == other_ctx);
        return SSL_TLSEXT_ERR_OK;
    }
    }
    return SSL_TLSEXT_ERR_OK;
}

/* The order in which the server's callbacks run, when all are set. */
static char order[128];

static void note_order(const char *what) {
    if (order[0]) strncat(order, ", ", sizeof order - strlen(order) - 1);
    strncat(order, what, sizeof order - strlen(order) - 1);
}

static int order_servername_cb(SSL *ssl, int *al, void *arg) {
    (void)ssl, (void)al, (void)arg;
    note_order("servername");
    return SSL_TLSEXT_ERR_OK;
}

static int order_cert_cb(SSL *ssl, void *arg) {
    (void)ssl, (void)arg;
    note_order("cert");
    return 1;
}

static int order_alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                         unsigned int inlen, void *arg) {
    (void)ssl, (void)inlen, (void)arg;
    note_order("alpn");
    *out = in + 1;
    *outlen = in[0];
    return SSL_TLSEXT_ERR_OK;
}

static const char *issuer_cn(SSL *ssl, char *buf, int len) {
    X509 *peer = SSL_get0_peer_certificate(ssl);
    if (peer == NULL || X509_NAME_get_text_by_NID(X509_get_issuer_name(peer), NID_commonName, buf, len) < 0)
        snprintf(buf, (size_t)len, "-");
    return buf;
}

/* One connection; returns the client's session. */
static SSL_SESSION *connect_once(SSL_CTX *cctx, SSL_CTX *sctx, const char *sni, SSL_SESSION *offer) {
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    SSL_SESSION *session = NULL;
    struct link l;
    char buf[128];
    require(client && server, "SSL_new");
    if (sni != NULL) require(SSL_set_tlsext_host_name(client, sni) == 1, "SNI");
    if (offer != NULL) require(SSL_set_session(client, offer) == 1, "SSL_set_session");
    say("client before: SSL_get_servername=%s type=%d", name_or_null(SSL_get_servername(client, TLSEXT_NAMETYPE_host_name)),
        SSL_get_servername_type(client));
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    say("server before: SSL_get_servername=%s type=%d", name_or_null(SSL_get_servername(server, TLSEXT_NAMETYPE_host_name)),
        SSL_get_servername_type(server));
    link_attach(&l, "mem", client, server);
    calls = 0;
    if (handshake_both(&l, client, server)) {
        say("session_reused=%d, client sees issuer %s", SSL_session_reused(client), issuer_cn(client, buf, sizeof buf));
        report(client, "client SSL_read (tickets)", SSL_read(client, buf, sizeof buf));
        session = SSL_get1_session(client);
        SSL_set_shutdown(client, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        SSL_set_shutdown(server, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
    say("servername cb calls=%d", calls);
    say("client: SSL_get_servername=%s type=%d", name_or_null(SSL_get_servername(client, TLSEXT_NAMETYPE_host_name)),
        SSL_get_servername_type(client));
    say("server: SSL_get_servername=%s type=%d, other name types=%s", name_or_null(SSL_get_servername(server, TLSEXT_NAMETYPE_host_name)),
        SSL_get_servername_type(server), name_or_null(SSL_get_servername(server, 1)));
    say("server: SSL_get_SSL_CTX is the context it was made from: %d", SSL_get_SSL_CTX(server) == sctx);
    SSL_free(client);
    SSL_free(server);
    link_done(&l);
    return session;
}

static void switch_outside(SSL_CTX *sctx) {
    SSL *ssl = SSL_new(sctx);
    char cn[128];
    require(ssl != NULL, "SSL_new");
    say("== SSL_set_SSL_CTX outside the callback");
    say("certificate issuer before: %s",
        X509_NAME_get_text_by_NID(X509_get_issuer_name(SSL_get_certificate(ssl)), NID_commonName, cn, sizeof cn) > 0 ? cn : "-");
    say("SSL_set_SSL_CTX(other)=%s", SSL_set_SSL_CTX(ssl, other_ctx) == other_ctx ? "the other context" : "something else");
    say("certificate issuer after: %s",
        X509_NAME_get_text_by_NID(X509_get_issuer_name(SSL_get_certificate(ssl)), NID_commonName, cn, sizeof cn) > 0 ? cn : "-");
    say("SSL_set_SSL_CTX(same)=%s", SSL_set_SSL_CTX(ssl, other_ctx) == other_ctx ? "the other context" : "something else");
    say("SSL_set_SSL_CTX(NULL)=%s", SSL_set_SSL_CTX(ssl, NULL) == sctx ? "the first context" : "something else");
    say("certificate issuer at last: %s",
        X509_NAME_get_text_by_NID(X509_get_issuer_name(SSL_get_certificate(ssl)), NID_commonName, cn, sizeof cn) > 0 ? cn : "-");
    SSL_free(ssl);
}

int main(int argc, char **argv) {
    SSL_CTX *sctx, *cctx;
    SSL_SESSION *session;
    char roots[1024];

    take_version_arg(&argc, argv);
    require(argc == 2, "usage: servername PKI_DIR");
    set_pki_dir(argv[1]);
    sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    other_ctx = make_ctx(TLS_server_method(), family_path("rsa", "server-chain.pem"), family_path("rsa", "server-key.pem"));
    cctx = make_ctx(TLS_client_method(), NULL, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    snprintf(roots, sizeof roots, "%s/roots.pem", pki_dir());
    require(SSL_CTX_load_verify_locations(cctx, roots, NULL) == 1, "CA file");
    say("SSL_CTX_set_tlsext_servername_callback=%ld", SSL_CTX_set_tlsext_servername_callback(sctx, servername_cb));
    say("SSL_CTX_set_tlsext_servername_arg=%ld", SSL_CTX_set_tlsext_servername_arg(sctx, (void *)"server-arg"));

    say("== SNI localhost, OK");
    answer = OK;
    session = connect_once(cctx, sctx, "localhost", NULL);
    say("== resumed, OK");
    SSL_SESSION_free(connect_once(cctx, sctx, "localhost", session));
    SSL_SESSION_free(session);
    say("== no SNI, OK");
    SSL_SESSION_free(connect_once(cctx, sctx, NULL, NULL));
    say("== SNI other.example, the callback switches to the RSA server's context");
    answer = SWITCH;
    SSL_SESSION_free(connect_once(cctx, sctx, "other.example", NULL));
    say("== SNI localhost, NOACK");
    answer = NOACK;
    SSL_SESSION_free(connect_once(cctx, sctx, "localhost", NULL));
    say("== SNI localhost, ALERT_WARNING");
    answer = WARNING;
    SSL_SESSION_free(connect_once(cctx, sctx, "localhost", NULL));
    say("== SNI unknown.example, ALERT_FATAL");
    answer = FATAL;
    SSL_SESSION_free(connect_once(cctx, sctx, "unknown.example", NULL));
    say("== SNI unknown.example, ALERT_FATAL with access_denied");
    answer = FATAL_ACCESS_DENIED;
    SSL_SESSION_free(connect_once(cctx, sctx, "unknown.example", NULL));

    say("== the servername, certificate and ALPN select callbacks together");
    {
        SSL_CTX *all = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
        SSL_CTX_set_tlsext_servername_callback(all, order_servername_cb);
        SSL_CTX_set_cert_cb(all, order_cert_cb, NULL);
        SSL_CTX_set_alpn_select_cb(all, order_alpn_cb, NULL);
        require(SSL_CTX_set_alpn_protos(cctx, (const unsigned char *)"\x02h2", 3) == 0, "ALPN");
        order[0] = 0;
        SSL_SESSION_free(connect_once(cctx, all, "localhost", NULL));
        /* libssl chooses ALPN after the certificate in TLS 1.2, before it in
         * TLS 1.3; vouch before it in both. */
        say("[documented difference] callback order: %s", order);
        SSL_CTX_free(all);
    }

    switch_outside(sctx);
    SSL_CTX_free(cctx);
    SSL_CTX_free(other_ctx);
    SSL_CTX_free(sctx);
    say("end");
    return 0;
}
