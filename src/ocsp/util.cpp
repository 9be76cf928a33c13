#include "ocsp/util.h"

#include <openssl/err.h>

#include "cert/x509_name.h"

namespace vouch {
namespace {

// Drains libcrypto's error queue into one line, with the detail text some
// errors carry.
std::string drain_errors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  for (int i = 0; i < 32; ++i) {  // the queue holds at most 16 entries
    const unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags);
    if (e == 0) break;
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0')
      out += std::string(" (") + data + ")";
  }
  ERR_clear_error();
  return out;
}

}  // namespace

Error ocsp_fail(std::string reason) {
  return fail(Alert::bad_certificate_status_response, std::move(reason));
}

Error ocsp_fail_ossl(std::string reason) {
  const std::string detail = drain_errors();
  if (!detail.empty()) reason += ": " + detail;
  return ocsp_fail(std::move(reason));
}

Result<ossl::OcspResponse> decode_ocsp_response(ByteView der) {
  if (der.size() > kMaxOcspResponseBytes) {
    return ocsp_fail("OCSP response is " + std::to_string(der.size()) + " bytes, more than the " +
                     std::to_string(kMaxOcspResponseBytes) + "-byte limit");
  }
  if (der.empty()) return ocsp_fail("OCSP response cannot be parsed: it is empty");
  const unsigned char* p = der.data();
  ossl::OcspResponse resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!resp) return ocsp_fail_ossl("OCSP response cannot be parsed");
  if (p != der.data() + der.size()) {
    return ocsp_fail("OCSP response cannot be parsed: " + std::to_string(der.data() + der.size() - p) +
                     " bytes after the OCSPResponse");
  }
  return resp;
}

std::string quoted_subject(const X509* cert) {
  const std::string s = subject_line(cert);
  return "\"" + (s.empty() ? std::string("?") : s) + "\"";
}

}  // namespace vouch
