#include "support/hex.h"

#include "base/hex.h"

#include <gtest/gtest.h>


namespace vouch::testing {

Bytes hex(std::string_view s) {
  Bytes out;
  int high = -1;
  for (char c : s) {
    const int v = hex_digit_value(c);
    if (v < 0) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ':' || c == '|') continue;
      ADD_FAILURE() << "bad hex character '" << c << "'";
      return {};
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) ADD_FAILURE() << "odd number of hex digits";
  return out;
}

std::string hexs(ByteView b) { return to_hex(b); }

Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace vouch::testing
