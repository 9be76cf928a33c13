// CA name lists (SSL_CTX_set_client_CA_list(3)): libcrypto's
// STACK_OF(X509_NAME) on the API side, DER DistinguishedNames on vouch's
// (RFC 8446 §4.2.4 certificate_authorities).
#pragma once

#include <openssl/ssl.h>

#include <vector>

#include "objects.h"

namespace vouch::compat {

/// The DER encoding of each name (null: none).
std::vector<Bytes> names_to_der(const STACK_OF(X509_NAME) * names);

/// A new stack of the names; null for an empty list (libssl keeps no list
/// when a CertificateRequest names no CA). Names that do not parse are
/// skipped (vouch parsed the extension already).
NameStack names_from_der(const std::vector<Bytes>& der);

}  // namespace vouch::compat
