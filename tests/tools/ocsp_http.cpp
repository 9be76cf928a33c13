#include "tools/ocsp_http.h"

#include "base/hex.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace vouch::testing {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<std::string> url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_digit_value(s[i + 1]), lo = hex_digit_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string s) {
  if (s.empty()) return std::nullopt;
  while (s.size() % 4 != 0) s += '=';  // tolerate clients that drop padding
  size_t pad = 0;
  if (s.size() >= 1 && s[s.size() - 1] == '=') ++pad;
  if (s.size() >= 2 && s[s.size() - 2] == '=') ++pad;
  Bytes out(s.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()),
                                static_cast<int>(s.size()));
  if (n < 0 || static_cast<size_t>(n) < pad) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

bool is_ocsp_request(const Bytes& der) {
  const unsigned char* p = der.data();
  OCSP_REQUEST* req = d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size()));
  const bool whole = req != nullptr && p == der.data() + der.size();
  OCSP_REQUEST_free(req);
  ERR_clear_error();
  return whole;
}

}  // namespace

HttpParse parse_http_request(std::string_view data, HttpRequest& out, std::string& error) {
  const size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (data.size() > kMaxHttpHeaderBytes) {
      error = "request header too long";
      return HttpParse::bad;
    }
    return HttpParse::incomplete;
  }
  if (end > kMaxHttpHeaderBytes) {
    error = "request header too long";
    return HttpParse::bad;
  }
  std::string_view head = data.substr(0, end);
  const size_t line_end = std::min(head.find("\r\n"), head.size());
  const std::string_view line = head.substr(0, line_end);
  // Request-Line = Method SP Request-URI SP HTTP-Version
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0) {
    error = "malformed request line";
    return HttpParse::bad;
  }
  HttpRequest req;
  req.method = std::string(line.substr(0, sp1));
  req.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (req.target.empty() || req.target.front() != '/') {
    error = "request target is not a path";
    return HttpParse::bad;
  }

  std::optional<size_t> content_length;
  std::string_view rest = line_end < head.size() ? head.substr(line_end + 2) : std::string_view();
  while (!rest.empty()) {  // one header line per round; rest shrinks each time
    const size_t eol = std::min(rest.find("\r\n"), rest.size());
    const std::string_view field = rest.substr(0, eol);
    rest = eol < rest.size() ? rest.substr(eol + 2) : std::string_view();
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos) {
      error = "malformed header line";
      return HttpParse::bad;
    }
    const std::string name = lower(trim(field.substr(0, colon)));
    const std::string_view value = trim(field.substr(colon + 1));
    if (name == "content-length") {
      size_t n = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size() || content_length) {
        error = "bad Content-Length";
        return HttpParse::bad;
      }
      content_length = n;
    } else if (name == "content-type") {
      req.content_type = lower(value);
    } else if (name == "transfer-encoding") {
      error = "Transfer-Encoding is not supported";
      return HttpParse::bad;
    }
  }

  if (req.method == "POST") {
    if (!content_length) {
      error = "POST without Content-Length";
      return HttpParse::bad;
    }
    if (*content_length > kMaxHttpBodyBytes) {
      error = "request body too long";
      return HttpParse::bad;
    }
    const std::string_view body = data.substr(end + 4);
    if (body.size() < *content_length) return HttpParse::incomplete;
    req.body.assign(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(*content_length));
  }
  out = std::move(req);
  return HttpParse::complete;
}

std::optional<Bytes> ocsp_request_der(const HttpRequest& req) {
  if (req.method == "POST") {
    if (req.body.empty()) return std::nullopt;
    return req.body;
  }
  if (req.method != "GET") return std::nullopt;
  // GET {url}/{url-encoding of base-64 of the DER OCSPRequest}. The base
  // path of {url} is unknown here and unencoded base64 may itself contain
  // '/', so try every suffix that starts after a '/', longest first.
  const std::string& t = req.target;
  for (size_t slash = t.find('/'); slash != std::string::npos; slash = t.find('/', slash + 1)) {
    const auto decoded = url_decode(std::string_view(t).substr(slash + 1));
    if (!decoded) continue;
    auto der = base64_decode(*decoded);
    if (der && is_ocsp_request(*der)) return der;
  }
  return std::nullopt;
}

std::string http_response(int code, std::string_view reason, std::string_view content_type, ByteView body) {
  std::string out = "HTTP/1.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  if (!content_type.empty()) out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out.append(reinterpret_cast<const char*>(body.data()), body.size());
  return out;
}

}  // namespace vouch::testing
