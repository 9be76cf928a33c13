// Hexadecimal text for bytes: diagnostics (OCSP responder key hashes,
// serials), the CLI's session files, test vectors. One codec for all of them.
#pragma once

#include <string>
#include <string_view>

#include "vouch/types.h"

namespace vouch {

/// Lower-case hex, two digits per byte, no separators.
std::string to_hex(ByteView bytes);
/// The value of one hex digit (either case), or -1.
int hex_digit_value(char c);
/// Strict decoding: an even number of hex digits and nothing else. False on
/// anything else (out is then unspecified).
bool from_hex(std::string_view text, Bytes& out);

}  // namespace vouch
