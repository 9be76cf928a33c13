/*
 * The same handshake as ../handshake.cpp through vouch-ssl, the
 * OpenSSL-compatible C API: a program written for libssl, compiled against
 * vouch's <openssl/ssl.h> and linked with vouch::ssl instead of libssl.
 * Client and server in one process over a BIO pair; the server's self-signed
 * certificate for "localhost" is made with libcrypto and handed to the
 * client as its CA file.
 *
 *   ssl_handshake LABEL
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *label = "ssl_handshake";

static void die(const char *what) {
    fprintf(stderr, "%s: %s failed\n", label, what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static X509 *self_signed_localhost(EVP_PKEY *key) {
    X509 *cert = X509_new();
    X509_NAME *name;
    X509V3_CTX ctx;
    X509_EXTENSION *san;
    if (cert == NULL) die("X509_new");
    name = X509_get_subject_name(cert);
    if (!X509_set_version(cert, X509_VERSION_3) ||
        !ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) ||
        !X509_gmtime_adj(X509_getm_notBefore(cert), -60) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert), 3600) || !X509_set_pubkey(cert, key) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)"localhost", -1, -1, 0) ||
        !X509_set_issuer_name(cert, name))
        die("building the certificate");
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    san = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "DNS:localhost");
    if (san == NULL || !X509_add_ext(cert, san, -1)) die("subjectAltName");
    X509_EXTENSION_free(san);
    if (X509_sign(cert, key, EVP_sha256()) <= 0) die("X509_sign");
    return cert;
}

/* Drives both handshakes until each has finished; 0 if one fails. */
static int handshake_both(SSL *client, SSL *server) {
    int round, client_done = 0, server_done = 0;
    for (round = 0; round < 20 && !(client_done && server_done); round++) {
        int r;
        if (!client_done) {
            r = SSL_do_handshake(client);
            if (r == 1) client_done = 1;
            else if (SSL_get_error(client, r) != SSL_ERROR_WANT_READ) return 0;
        }
        if (!server_done) {
            r = SSL_do_handshake(server);
            if (r == 1) server_done = 1;
            else if (SSL_get_error(server, r) != SSL_ERROR_WANT_READ) return 0;
        }
    }
    return client_done && server_done;
}

int main(int argc, char **argv) {
    char ca_file[] = "/tmp/vouch-consumer-ca-XXXXXX";
    EVP_PKEY *key;
    X509 *cert;
    FILE *f;
    int fd;
    SSL_CTX *server_ctx, *client_ctx;
    SSL *client, *server;
    BIO *client_bio, *server_bio;
    char buf[16];
    int n;

    if (argc > 1) label = argv[1];
    key = EVP_EC_gen("P-256");
    if (key == NULL) die("EVP_EC_gen");
    cert = self_signed_localhost(key);

    /* The client's trust anchor: the certificate itself, in a file. */
    fd = mkstemp(ca_file);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) die("mkstemp");
    if (!PEM_write_X509(f, cert)) die("PEM_write_X509");
    fclose(f);

    server_ctx = SSL_CTX_new(TLS_server_method());
    client_ctx = SSL_CTX_new(TLS_client_method());
    if (server_ctx == NULL || client_ctx == NULL) die("SSL_CTX_new");
    if (SSL_CTX_use_certificate(server_ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey(server_ctx, key) != 1)
        die("server certificate");
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_load_verify_locations(client_ctx, ca_file, NULL) != 1) die("CA file");
    unlink(ca_file);

    client = SSL_new(client_ctx);
    server = SSL_new(server_ctx);
    if (client == NULL || server == NULL) die("SSL_new");
    if (SSL_set_tlsext_host_name(client, "localhost") != 1 || SSL_set1_host(client, "localhost") != 1)
        die("server name");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    if (BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) != 1) die("BIO_new_bio_pair");
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_bio(server, server_bio, server_bio);

    if (!handshake_both(client, server)) die("the handshake");
    if (SSL_get_verify_result(client) != X509_V_OK) die("verification");
    if (SSL_write(client, "ping", 4) != 4) die("SSL_write");
    n = SSL_read(server, buf, sizeof buf);
    if (n != 4 || memcmp(buf, "ping", 4) != 0) die("SSL_read");
    printf("%s: %s %s, ping ok\n", label, SSL_get_version(client),
           SSL_CIPHER_get_name(SSL_get_current_cipher(client)));

    SSL_free(client);
    SSL_free(server);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
    X509_free(cert);
    EVP_PKEY_free(key);
    return 0;
}
