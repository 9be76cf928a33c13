// The HTTP side of the test OCSP responder (RFC 6960 Appendix A): parsing one
// HTTP/1.x request from the bytes received so far, finding the OCSPRequest in
// it (POST body or GET path), and formatting the response. Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "vouch/types.h"

namespace vouch::testing {

/// Limits on what the responder reads: enough for any OCSPRequest.
inline constexpr size_t kMaxHttpHeaderBytes = 16 * 1024;
inline constexpr size_t kMaxHttpBodyBytes = 64 * 1024;

struct HttpRequest {
  std::string method;  // "POST", "GET", ...
  std::string target;  // "/", "/MEQw...%3D"
  std::string content_type;
  Bytes body;
};

enum class HttpParse {
  incomplete,  // need more bytes
  complete,    // `out` holds the request
  bad,         // not an acceptable HTTP request; `error` says why
};

/// Parses `data` (everything received so far on the connection). POST needs
/// a Content-Length (at most kMaxHttpBodyBytes); chunked bodies are refused.
HttpParse parse_http_request(std::string_view data, HttpRequest& out, std::string& error);

/// The DER OCSPRequest of a request: the body of a POST, or for a GET the
/// last path segments, URL-decoded and base64-decoded (RFC 6960 §A.1; a
/// base path before them is skipped). nullopt when there is none.
std::optional<Bytes> ocsp_request_der(const HttpRequest& req);

/// "HTTP/1.0 <code> <reason>" with Content-Type (if any), Content-Length and
/// Connection: close, then the body.
std::string http_response(int code, std::string_view reason, std::string_view content_type, ByteView body);

}  // namespace vouch::testing
