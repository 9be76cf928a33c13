// The internal interface of the OpenSSL-compatible skin (compat/, built as
// vouch-ssl). The skin is a C API over vouch's public native API
// (include/vouch/) and keeps no protocol logic of its own; the few pieces of
// the core it needs beyond that API are named here, each with the reason, and
// compat/ includes nothing else from src/ (scripts/check-layout.sh, run by the
// ctest `layout.includes`, enforces it). Not installed, not a stable interface.
#pragma once

// RAII owners for libcrypto objects (X509Ptr, EvpPkeyPtr, ...). OpenSSL's API
// hands X509, EVP_PKEY and STACK_OF(X509) objects across its boundary
// (SSL_get_peer_certificate, SSL_CTX_use_PrivateKey, ...), so the skin holds
// libcrypto objects the native API never shows.
#include "crypto/ossl.h"

// Record framing (RFC 8446 §5.1, RFC 5246 §6.2): kRecordHeaderLength,
// record_fragment_length, kMaxPlaintext. SSL_read/SSL_write over a BIO or a
// file descriptor read exactly one record at a time (never past it, so that
// an application may take the socket back after close_notify, as with libssl)
// before handing it to the native Connection.
#include "record/record.h"

// Chain verification in OpenSSL's terms: x509_verify_error_of maps a vouch
// verification failure to its X509_V_ERR_* code (SSL_get_verify_result and
// verify callbacks report those); verify_peer_chain lets SSL_VERIFY_NONE
// clients still learn the outcome, as libssl does.
#include "cert/verify_chain.h"

// The shared certificate parse cache: SSL_get_peer_certificate and friends
// return X509 objects for certificates the handshake already parsed, instead
// of decoding the DER again.
#include "cert/cert_cache.h"

// SSL_SESSION_get_id: a session's ID is random (TLS 1.3 tickets, RFC 8446
// §4.6.1 has none) or a hash of its ticket. HmacWipeScope: SSL_do_handshake
// and SSL_read feed the connection one record at a time, so without a scope
// around the whole call each record would end in its own wipe of the
// thread's HMAC keys.
#include "crypto/hash.h"
#include "crypto/random.h"
