// The test OCSP responder's HTTP handling (tests/tools/ocsp_http.cpp): a
// parser like any other, so it gets its malformed-input tests too.
#include "tools/ocsp_http.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "ocsp/ocsp.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::HttpParse;
using testing::HttpRequest;
using testing::parse_http_request;

HttpParse parse(const std::string& text, HttpRequest& out) {
  std::string error;
  return parse_http_request(text, out, error);
}

std::string base64(const Bytes& der) {
  std::string out(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), der.data(), static_cast<int>(der.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string url_encode(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '/' || c == '+' || c == '=') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

Bytes a_request() {
  const auto& f = testing::test_pki().ecdsa();
  auto r = make_ocsp_request(f.server.cert.get(), f.intermediate.cert.get(), true, nullptr);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : Bytes();
}

TEST(OcspHttp, PostInPieces) {
  const std::string body = "\x30\x03\x02\x01\x05";
  const std::string text =
      "POST /ocsp HTTP/1.0\r\nHost: x\r\ncontent-TYPE: Application/OCSP-Request\r\n"
      "Content-Length: 5\r\n\r\n" +
      body;
  HttpRequest req;
  for (size_t n = 0; n < text.size(); ++n)
    EXPECT_EQ(parse(text.substr(0, n), req), HttpParse::incomplete) << n;
  ASSERT_EQ(parse(text, req), HttpParse::complete);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/ocsp");
  EXPECT_EQ(req.content_type, "application/ocsp-request");
  EXPECT_EQ(req.body, Bytes(body.begin(), body.end()));
  EXPECT_EQ(testing::ocsp_request_der(req), req.body);
}

TEST(OcspHttp, GetWithBase64Path) {
  const Bytes der = a_request();
  const std::string b64 = base64(der);
  for (const std::string& target :
       {"/" + url_encode(b64), "/" + b64, "/base/path/" + url_encode(b64), "/ocsp/" + b64}) {
    HttpRequest req;
    ASSERT_EQ(parse("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n", req), HttpParse::complete) << target;
    EXPECT_EQ(testing::ocsp_request_der(req), std::optional<Bytes>(der)) << target;
  }
  for (const std::string& target :
       {std::string("/"), std::string("/%ZZ"), std::string("/not-base64!"), "/" + base64(Bytes{1, 2, 3})}) {
    HttpRequest req;
    ASSERT_EQ(parse("GET " + target + " HTTP/1.0\r\n\r\n", req), HttpParse::complete) << target;
    EXPECT_EQ(testing::ocsp_request_der(req), std::nullopt) << target;
  }
}

TEST(OcspHttp, MalformedRequests) {
  const std::string cases[] = {
      "garbage\r\n\r\n",
      "POST /ocsp\r\n\r\n",
      "POST /ocsp SPDY/3\r\n\r\n",
      "POST ocsp HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
      "POST / HTTP/1.0\r\n\r\n",  // no Content-Length
      "POST / HTTP/1.0\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.0\r\nContent-Length: 12x\r\n\r\n",
      "POST / HTTP/1.0\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
      "POST / HTTP/1.0\r\nContent-Length: 99999999\r\n\r\n",  // over the body limit
      "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET / HTTP/1.0\r\nno colon here\r\n\r\n",
  };
  for (const std::string& text : cases) {
    HttpRequest req;
    std::string error;
    EXPECT_EQ(parse_http_request(text, req, error), HttpParse::bad) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
  // A header that never ends is refused once it passes the limit.
  HttpRequest req;
  std::string error;
  const std::string endless = "GET / HTTP/1.0\r\nX: " + std::string(testing::kMaxHttpHeaderBytes, 'a');
  EXPECT_EQ(parse_http_request(endless, req, error), HttpParse::bad);
}

TEST(OcspHttp, ResponseFormat) {
  const Bytes body = {0x30, 0x03, 0x0a, 0x01, 0x03};
  EXPECT_EQ(testing::http_response(200, "OK", "application/ocsp-response", body),
            "HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: 5\r\n"
            "Connection: close\r\n\r\n" +
                std::string(body.begin(), body.end()));
}

}  // namespace
}  // namespace vouch
