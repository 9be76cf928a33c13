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
