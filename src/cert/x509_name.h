// Printing and encoding X.509 names (RFC 5280 §4.1.2.4) for reasons, logs and
// the certificate_authorities extension.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "vouch/types.h"

namespace vouch {

/// One-line RFC 2253 form of a name, most specific RDN first
/// ("CN=server,O=vouch"). "" for a null name or when printing fails.
std::string name_line(const X509_NAME* name);

/// The subject of `cert` as name_line() prints it; "" for a null cert.
std::string subject_line(const X509* cert);

/// DER encoding of a name (the DistinguishedName of RFC 8446 §4.2.4);
/// empty when encoding fails.
Bytes name_der(const X509_NAME* name);

}  // namespace vouch
