#include "crypto/ossl.h"

#include <openssl/err.h>

namespace vouch::ossl {

std::string last_error() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace vouch::ossl
