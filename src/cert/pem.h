// Reading PEM text (RFC 7468) into libcrypto objects, for credentials and
// trust stores.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/ossl.h"
#include "vouch/credential.h"
#include "vouch/error.h"

namespace vouch {

/// The whole content of a file. An io error naming the file when it cannot
/// be opened or read.
Result<std::string> read_text_file(const std::string& path);

/// Every CERTIFICATE block of `pem`, in order; blocks of other types (a key
/// in the same file) are skipped. With `accept_trusted` the OpenSSL
/// "TRUSTED CERTIFICATE" form is read too (for trust anchors). `what` names
/// the source in reasons. invalid_data when a block is undecodable or when
/// there is no certificate at all.
Result<std::vector<ossl::X509Ptr>> read_pem_certificates(std::string_view pem,
                                                         std::string_view what,
                                                         bool accept_trusted = false);

/// The first private key of `pem` (PKCS#8 or the traditional RSA/EC forms).
/// An encrypted key (PKCS#8 or traditional PEM encryption) is decrypted by
/// libcrypto with what `passphrase` answers (asked at most once); without a
/// callback it is refused: libcrypto's default would prompt on the terminal.
/// invalid_data errors: no key, not a key, encrypted without a passphrase,
/// wrong passphrase.
Result<ossl::EvpPkey> read_pem_private_key(std::string_view pem, std::string_view what,
                                           const PassphraseCallback* passphrase = nullptr);

}  // namespace vouch
