#include "ocsp/fetch.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <string_view>

#include "base/sigpipe_guard.h"
#include "crypto/ossl.h"

namespace vouch {
namespace {

using Clock = std::chrono::steady_clock;

void free_c_string(char* s) { OPENSSL_free(s); }
using CString = ossl::Ptr<char, free_c_string>;

Error fetch_error(const std::string& url, const std::string& what) {
  std::string reason = "OCSP fetch from " + url + ": " + what;
  const std::string detail = ossl::last_error();
  if (!detail.empty()) reason += ": " + detail;
  return io_error(std::move(reason));
}

// A request that cannot be made as asked: nothing was sent.
Error request_error(const std::string& url, const std::string& what) {
  return config_error("OCSP fetch from " + url + ": " + what);
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "[::1]" || host == "localhost";
}

bool starts_with_nocase(const std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, INT_MAX));
}

// One connection attempt (per resolved address) to host:port, bounded by the
// deadline. libcrypto's own connect retries refused connections until its
// timeout — right for a flaky network, wrong for telling "responder down"
// from "responder slow" — so the direct case connects here, once.
Result<ossl::Bio> connect_once(const std::string& url, const char* host, const char* port,
                               Clock::time_point deadline) {
  ossl::Bio bio(BIO_new_connect(host));
  if (!bio || BIO_set_conn_port(bio.get(), port) <= 0 || BIO_set_nbio(bio.get(), 1) <= 0)
    return fetch_error(url, "out of memory");
  for (int round = 0; round < 64; ++round) {  // each address: connect, wait, check
    if (BIO_do_connect(bio.get()) > 0) return bio;
    if (!BIO_should_retry(bio.get()))
      return fetch_error(url, std::string("cannot connect to ") + host + ":" + port);
    int fd = -1;
    if (BIO_get_fd(bio.get(), &fd) <= 0 || fd < 0) continue;  // still resolving
    pollfd p{fd, POLLOUT, 0};
    const int ms = remaining_ms(deadline);
    if (ms == 0 || poll(&p, 1, ms) == 0)
      return fetch_error(url, std::string("timed out connecting to ") + host + ":" + port);
  }
  return fetch_error(url, std::string("cannot connect to ") + host + ":" + port);
}

}  // namespace

Result<Bytes> fetch_ocsp(const std::string& url, ByteView request_der, std::chrono::milliseconds timeout,
                         size_t max_bytes, const std::optional<std::string>& proxy) {
  const Clock::time_point deadline = Clock::now() + std::max(timeout, std::chrono::milliseconds(1));
  // A responder that closes the connection while libcrypto still writes the
  // request must cost one failed fetch, not the process (SIGPIPE).
  const SigpipeGuard no_sigpipe;
  if (request_der.empty() || request_der.size() > INT_MAX) return request_error(url, "invalid request size");
  if (max_bytes == 0) return request_error(url, "max_bytes must be positive");
  // RFC 6960 §A.1 is plain HTTP; the response is signed, TLS adds nothing
  // but a circular dependency (and libssl is not ours to link).
  if (starts_with_nocase(url, "https://")) return request_error(url, "https OCSP URLs are not supported");
  if (!starts_with_nocase(url, "http://")) return request_error(url, "not an http:// URL");

  int use_ssl = 0;
  char* host_raw = nullptr;
  char* port_raw = nullptr;
  char* path_raw = nullptr;
  char* query_raw = nullptr;
  if (OSSL_HTTP_parse_url(url.c_str(), &use_ssl, nullptr, &host_raw, &port_raw, nullptr, &path_raw,
                          &query_raw, nullptr) != 1) {
    return request_error(url, "not a valid URL");
  }
  const CString host(host_raw), port(port_raw), path_only(path_raw), query(query_raw);
  std::string path = path_only ? path_only.get() : "/";
  if (query && *query.get() != '\0') path += std::string("?") + query.get();

  // For libcrypto, proxy "" means direct and nullptr "consult http_proxy";
  // no_proxy nullptr means "consult the no_proxy variable" and "" "none".
  // An explicit proxy is used for every host: no_proxy "" (OpenSSL's
  // default no_proxy handling would otherwise apply the environment's list).
  const char* proxy_arg = nullptr;
  const char* no_proxy_arg = nullptr;
  if (proxy) {
    proxy_arg = proxy->c_str();
    no_proxy_arg = "";
  } else if (is_loopback(host.get())) {
    proxy_arg = "";
  }
  const char* const chosen_proxy = OSSL_HTTP_adapt_proxy(proxy_arg, no_proxy_arg, host.get(), 0);
  const bool via_proxy = chosen_proxy != nullptr;
  ossl::Bio conn;
  if (!via_proxy) {
    VOUCH_ASSIGN(conn, connect_once(url, host.get(), port.get(), deadline));
  }

  ossl::Bio req(BIO_new_mem_buf(request_der.data(), static_cast<int>(request_der.size())));
  if (!req) return fetch_error(url, "out of memory");
  // libcrypto counts whole seconds, and 0 would mean "no timeout": round the
  // time left up, to at least one second.
  const int ms_left = remaining_ms(deadline);
  if (ms_left == 0) return fetch_error(url, "timed out");
  const int secs = ms_left / 1000 + (ms_left % 1000 != 0 ? 1 : 0);

  // Given a connection of ours (direct), libcrypto wants proxy and no_proxy
  // both null; through a proxy, it applies them again to the same effect.
  ossl::Bio body(OSSL_HTTP_transfer(nullptr, host.get(), port.get(), path.c_str(), /*use_ssl=*/0,
                                    chosen_proxy, via_proxy ? no_proxy_arg : nullptr, conn.get(),
                                    /*rbio=*/nullptr, /*bio_update_fn=*/nullptr, /*arg=*/nullptr,
                                    /*buf_size=*/0, /*headers=*/nullptr, "application/ocsp-request",
                                    req.get(), "application/ocsp-response", /*expect_asn1=*/0, max_bytes,
                                    secs,
                                    /*keep_alive=*/0));
  if (!body) return fetch_error(url, "request failed");

  Bytes out;
  for (;;) {  // bounded: the memory BIO holds at most max_bytes
    unsigned char buf[4096];
    const int n = BIO_read(body.get(), buf, sizeof buf);
    if (n <= 0) break;
    out.insert(out.end(), buf, buf + n);
    if (out.size() > max_bytes)
      return fetch_error(url, "response larger than " + std::to_string(max_bytes) + " bytes");
  }
  ERR_clear_error();
  if (out.empty()) return fetch_error(url, "empty response body");
  return out;
}

}  // namespace vouch
