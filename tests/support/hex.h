// Byte helpers shared by the tests: hex dumps as they appear in RFCs.
#pragma once

#include <string>
#include <string_view>

#include "vouch/types.h"

namespace vouch::testing {

/// Hex to bytes. White space and the separators ':' and '|' are skipped, so
/// RFC hex dumps paste as they are; any other character or an odd number of
/// digits is a test failure.
Bytes hex(std::string_view s);
/// Lower-case hex of the bytes, no separators.
std::string hexs(ByteView b);
/// a followed by b.
Bytes concat(ByteView a, ByteView b);

}  // namespace vouch::testing

namespace vouch {
/// Concatenation for readable expected encodings: hex("16") + body.
inline Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace vouch
