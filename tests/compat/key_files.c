/*
 * Loading credentials and anchors from files: password-protected private
 * keys through SSL_CTX_set_default_passwd_cb(3) and its userdata (PKCS#8
 * and traditional PEM encryption; the right password, a wrong one, a
 * callback that fails or gives nothing), SSL_CTX_use_certificate_chain_file
 * (a chain, a missing file, a file without a certificate), and
 * SSL_CTX_set_default_verify_paths(3) (libcrypto's default locations, moved
 * with the SSL_CERT_FILE and SSL_CERT_DIR variables: the test root, another
 * root, nothing there).
 *
 * The encrypted keys are written into KEY_DIR (made if missing) unless
 * they are there already, so that both builds read the same files.
 *
 *   key_files PKI_DIR KEY_DIR
 */
#include <errno.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static char dir[512];
static char pkcs8_key[600], traditional_key[600], not_a_certificate[600];

/* What the password callback answers next. */
static enum { RIGHT, WRONG, FAIL, EMPTY } answer;
static int passwd_calls;

static int passwd_cb(char *buf, int size, int rwflag, void *userdata) {
    const char *password = answer == WRONG ? "not the password" : "the password";
    ++passwd_calls;
    say("  passwd cb: rwflag=%d size>=64=%d userdata=%s", rwflag, size >= 64, userdata ? (const char *)userdata : "NULL");
    if (answer == FAIL) return -1;
    if (answer == EMPTY) return 0;
    snprintf(buf, (size_t)size, "%s", password);
    return (int)strlen(buf);
}

/* Writes `file` with `write` unless it exists: both builds then read the
 * same encrypted files (their salts and IVs are random, and a wrong password
 * fails differently — a bad decrypt, or now and then garbage that decrypts
 * with valid padding — depending on them). Written under another name
 * first, then renamed. */
static void write_once(const char *file, int (*write)(BIO *, EVP_PKEY *), EVP_PKEY *key) {
    char tmp[700];
    BIO *b;
    if (access(file, R_OK) == 0) return;
    snprintf(tmp, sizeof tmp, "%s.%ld", file, (long)getpid());
    b = BIO_new_file(tmp, "w");
    require(b != NULL && write(b, key), file);
    BIO_free(b);
    require(rename(tmp, file) == 0, "rename");
}

static int write_pkcs8(BIO *b, EVP_PKEY *key) {
    return PEM_write_bio_PKCS8PrivateKey(b, key, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"the password");
}

static int write_traditional(BIO *b, EVP_PKEY *key) {
    return PEM_write_bio_PrivateKey_traditional(b, key, EVP_aes_128_cbc(), (unsigned char *)"the password", 12, NULL,
                                                NULL);
}

static int write_plain(BIO *b, EVP_PKEY *key) { return PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL); }

static void write_keys(const char *key_dir) {
    EVP_PKEY *key = load_key(path("server-key.pem"));
    snprintf(dir, sizeof dir, "%s", key_dir);
    require(mkdir(dir, 0700) == 0 || errno == EEXIST, "mkdir");
    snprintf(pkcs8_key, sizeof pkcs8_key, "%s/pkcs8.pem", dir);
    snprintf(traditional_key, sizeof traditional_key, "%s/traditional.pem", dir);
    snprintf(not_a_certificate, sizeof not_a_certificate, "%s/key-only.pem", dir);
    write_once(pkcs8_key, write_pkcs8, key);
    write_once(traditional_key, write_traditional, key);
    write_once(not_a_certificate, write_plain, key);
    EVP_PKEY_free(key);
}

/* A handshake of a client of cctx with a server of sctx. */
static void handshake(SSL_CTX *cctx, SSL_CTX *sctx) {
    SSL *client = SSL_new(cctx), *server = SSL_new(sctx);
    struct link l;
    require(client && server, "SSL_new");
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    link_attach(&l, "pair", client, server);
    if (handshake_both(&l, client, server)) say("client: verify_result=%ld", SSL_get_verify_result(client));
    SSL_free(client);
    SSL_free(server);
    link_done(&l);
}

static void passwords(const char *what, const char *file) {
    static const char *names[] = {"right password", "wrong password", "callback fails", "empty password"};
    int i, r;
    for (i = RIGHT; i <= EMPTY; ++i) {
        SSL_CTX *sctx = new_ctx(TLS_server_method());
        say("== %s key, %s", what, names[i]);
        require(SSL_CTX_use_certificate_chain_file(sctx, path("server-chain.pem")) == 1, "chain");
        SSL_CTX_set_default_passwd_cb(sctx, passwd_cb);
        SSL_CTX_set_default_passwd_cb_userdata(sctx, (void *)"the-userdata");
        answer = i;
        passwd_calls = 0;
        r = SSL_CTX_use_PrivateKey_file(sctx, file, SSL_FILETYPE_PEM);
        say("SSL_CTX_use_PrivateKey_file=%d errors=%s passwd cb calls=%d", r, drain_errors() ? "yes" : "no",
            passwd_calls);
        if (r == 1) {
            SSL_CTX *cctx = new_ctx(TLS_client_method());
            say("SSL_CTX_check_private_key=%d", SSL_CTX_check_private_key(sctx));
            SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
            require(SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL) == 1, "CA file");
            handshake(cctx, sctx);
            SSL_CTX_free(cctx);
        }
        SSL_CTX_free(sctx);
    }
}

static void callback_getters(void) {
    SSL_CTX *ctx = new_ctx(TLS_server_method());
    say("== the getters");
    say("SSL_CTX_get_default_passwd_cb=%s userdata=%s", SSL_CTX_get_default_passwd_cb(ctx) ? "set" : "NULL",
        SSL_CTX_get_default_passwd_cb_userdata(ctx) ? "set" : "NULL");
    SSL_CTX_set_default_passwd_cb(ctx, passwd_cb);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)"the-userdata");
    say("after setting: cb is ours=%d userdata=%s", SSL_CTX_get_default_passwd_cb(ctx) == passwd_cb,
        (const char *)SSL_CTX_get_default_passwd_cb_userdata(ctx));
    SSL_CTX_free(ctx);
}

static void chain_files(void) {
    SSL_CTX *ctx = new_ctx(TLS_server_method());
    int r;
    say("== SSL_CTX_use_certificate_chain_file");
    r = SSL_CTX_use_certificate_chain_file(ctx, path("server-chain.pem"));
    say("a chain: %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_use_certificate_chain_file(ctx, "/nonexistent/chain.pem");
    say("a missing file: %d errors=%s", r, drain_errors() ? "yes" : "no");
    r = SSL_CTX_use_certificate_chain_file(ctx, not_a_certificate);
    say("a file holding only a key: %d errors=%s", r, drain_errors() ? "yes" : "no");
    SSL_CTX_free(ctx);
}

static void default_paths(const char *what, const char *file, int verify) {
    SSL_CTX *sctx = make_ctx(TLS_server_method(), path("server-chain.pem"), path("server-key.pem"));
    SSL_CTX *cctx = new_ctx(TLS_client_method());
    int r;
    say("== SSL_CTX_set_default_verify_paths, SSL_CERT_FILE=%s, %s", what,
        verify ? "SSL_VERIFY_PEER" : "SSL_VERIFY_NONE");
    require(setenv("SSL_CERT_FILE", file, 1) == 0 && setenv("SSL_CERT_DIR", dir, 1) == 0, "setenv");
    r = SSL_CTX_set_default_verify_paths(cctx);
    say("SSL_CTX_set_default_verify_paths=%d errors=%s", r, drain_errors() ? "yes" : "no");
    SSL_CTX_set_verify(cctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    handshake(cctx, sctx);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv) {
    take_version_arg(&argc, argv);
    require(argc == 3, "usage: key_files PKI_DIR KEY_DIR");
    set_pki_dir(argv[1]);
    write_keys(argv[2]);

    callback_getters();
    passwords("PKCS#8 encrypted", pkcs8_key);
    passwords("traditional encrypted", traditional_key);
    chain_files();
    default_paths("the test root", path("root.pem"), 1);
    default_paths("another root", family_path("rsa", "root.pem"), 0);

    say("end");
    return 0;
}
