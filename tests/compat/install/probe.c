/*
 * Built by install_check.cmake against an installed vouch-ssl with
 *   cc probe.c $(pkg-config --cflags --libs vouch-ssl) -lcrypto
 * Starts a client handshake over memory BIOs and shows that errors are
 * raised as libssl raises them (ERR_LIB_SSL, "SSL routines") with vouch-ssl's
 * reason strings loaded.
 */
#include <openssl/ssl.h>
#include <stdio.h>

int main(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = SSL_new(ctx);
    BIO *out = BIO_new(BIO_s_mem());
    int ok = 1, r;
    SSL_set_bio(ssl, BIO_new(BIO_s_mem()), out);
    r = SSL_connect(ssl);
    ok &= r == -1 && SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ && BIO_ctrl_pending(out) > 0;
    SSL_free(ssl);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3);
    ssl = SSL_new(ctx);
    SSL_set_connect_state(ssl);
    r = SSL_do_handshake(ssl);
    ok &= r == -1 && SSL_get_error(ssl, r) == SSL_ERROR_SSL;
    printf("library: %s\n", ERR_lib_error_string(ERR_peek_error()));
    printf("reason: %s\n", ERR_reason_error_string(ERR_peek_error()));
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    printf("probe %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
