// Extracting a peer's public key from its certificate.
#pragma once

#include "crypto/ossl.h"
#include "vouch/credential.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// Parses one DER certificate (the whole input must be the certificate) and
/// returns it. Undecodable input is bad_certificate... decode_error: RFC 8446
/// gives no specific alert; like BoringSSL we answer decode_error.
Result<ossl::X509Ptr> parse_certificate_der(ByteView der);

/// The subject public key of a DER certificate.
Result<ossl::EvpPkey> public_key_of(ByteView der);

/// Checks that a peer's leaf certificate (DER) lets its key sign, as every
/// handshake vouch speaks has the peer sign with it: RFC 8446 §4.4.2.2 "the
/// digitalSignature bit MUST be set if the Key Usage extension is present";
/// RFC 5246 §7.4.2 and §7.4.6, RFC 8422 §5.3 and §5.6 (ECDHE_RSA,
/// ECDHE_ECDSA, and the client's signing certificate) "MUST allow the key to
/// be used for signing". Independent of chain verification (it holds even
/// when the chain is not verified). `who` names the certificate in the
/// reason. An undecodable certificate passes: the caller's own parsing
/// reports it, with its usual alert. Errors: unsupported_certificate "... keyUsage does not allow
/// digitalSignature ...".
Status check_leaf_allows_signing(ByteView leaf_der, const std::string& who);

/// One-line subject (RFC 2253 form) of a DER certificate, "" if unparsable.
std::string subject_of(ByteView der);
/// One-line issuer of a DER certificate, "" if unparsable.
std::string issuer_of(ByteView der);

/// True if `issuer`'s subject, key identifier and key usage make it the
/// issuer of `cert` (X509_check_issued; the signature is not checked).
bool is_issued_by(X509* cert, X509* issuer);
/// True if both are the same certificate (same DER).
bool same_certificate(const X509* a, const X509* b);

/// True if the credential's leaf is issued for `host` (SAN DNS/IP, RFC 6125
/// rules as X509_check_host applies them), for SNI-based selection.
bool leaf_matches_host(const Credential& credential, const std::string& host);

}  // namespace vouch
