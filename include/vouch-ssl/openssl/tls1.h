/*
 * vouch-ssl — <openssl/tls1.h> for programs built against vouch instead of
 * libssl. Put -I<prefix>/include/vouch-ssl before the system include path:
 * this file then shadows OpenSSL's own tls1.h, while libcrypto's headers keep
 * coming from the system.
 *
 * Only what vouch-ssl implements is declared here; the values are OpenSSL's
 * so that code written for libssl compiles and behaves the same.
 */
#ifndef OPENSSL_TLS1_H
#define OPENSSL_TLS1_H
#ifndef HEADER_TLS1_H
#define HEADER_TLS1_H
#endif

/* SSL3_VERSION ... TLS1_3_VERSION come from libcrypto's provider header. */
#include <openssl/prov_ssl.h>

#include <openssl/ssl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 6066 §3: the only ServerName type. */
#define TLSEXT_NAMETYPE_host_name 0

/* RFC 6066 §8: CertificateStatusType ocsp. */
#define TLSEXT_STATUSTYPE_ocsp 1

/* What servername and status callbacks return. */
#define SSL_TLSEXT_ERR_OK 0
#define SSL_TLSEXT_ERR_ALERT_WARNING 1
#define SSL_TLSEXT_ERR_ALERT_FATAL 2
#define SSL_TLSEXT_ERR_NOACK 3

/*
 * Client: the name sent as server_name (SNI). As in libssl it is a control
 * over SSL_ctrl, so programs compiled against either header agree.
 * vouch also verifies the server certificate against this name when
 * SSL_VERIFY_PEER is set (libssl needs SSL_set1_host for that).
 */
#define SSL_set_tlsext_host_name(s, name) \
    SSL_ctrl((s), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)(name))

#ifdef __cplusplus
}
#endif

#endif /* OPENSSL_TLS1_H */
