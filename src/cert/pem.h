// Reading PEM text (RFC 7468) into libcrypto objects, for credentials and
// trust stores.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/ossl.h"
#include "vouch/error.h"

namespace vouch {

/// The whole content of a file. internal_error naming the file when it
/// cannot be opened or read.
Result<std::string> read_text_file(const std::string& path);

/// Every CERTIFICATE block of `pem`, in order; blocks of other types (a key
/// in the same file) are skipped. With `accept_trusted` the OpenSSL
/// "TRUSTED CERTIFICATE" form is read too (for trust anchors). `what` names
/// the source in reasons. internal_error when a block is undecodable or when
/// there is no certificate at all.
Result<std::vector<ossl::X509Ptr>> read_pem_certificates(std::string_view pem,
                                                         std::string_view what,
                                                         bool accept_trusted = false);

/// The first private key of `pem` (PKCS#8 or the traditional RSA/EC forms).
/// Encrypted keys are refused (no passphrase prompt ever reaches a terminal).
Result<ossl::EvpPkey> read_pem_private_key(std::string_view pem, std::string_view what);

}  // namespace vouch
