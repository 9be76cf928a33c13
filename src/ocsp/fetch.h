// Fetching an OCSP response over HTTP (RFC 6960 Appendix A) with libcrypto's
// HTTP client. Blocking; meant for the Stapler's background refresh and the
// command-line tools, never for a handshake.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// POSTs the DER OCSPRequest `request_der` to `url` (an "http://" URL, as the
/// authorityInfoAccess extension gives it) with Content-Type
/// application/ocsp-request, and returns the body of the answer, which must
/// be "200" with Content-Type application/ocsp-response (RFC 6960 §A.1, §A.2)
/// and at most `max_bytes` long (pass kMaxOcspResponseBytes). The body is not
/// parsed: verify_ocsp_response does that.
///
/// `timeout` bounds the whole exchange (connect, send, receive). The connect
/// honours it to the millisecond; libcrypto's HTTP exchange counts whole
/// seconds, so what is left for it is rounded up to the next second.
/// A direct connection is tried once per address: a refused connection (the
/// responder is down) fails at once rather than being retried until the
/// timeout.
///
/// The HTTP proxy, by `proxy`:
///  - nullopt (the default): the environment decides, as libcrypto reads it
///    (http_proxy, else HTTP_PROXY; no_proxy lists the hosts reached
///    directly), except for loopback hosts (127.0.0.1, ::1, localhost), which
///    are always direct — a proxy elsewhere cannot reach this host's
///    loopback, and many environments export http_proxy without no_proxy;
///  - "": direct, whatever the environment says;
///  - "[http://]host:port": every request goes through this proxy — loopback
///    hosts included and no_proxy ignored: an explicit proxy is a deliberate
///    choice (and the only way to put a proxy on 127.0.0.1 in front of a
///    responder on 127.0.0.1, as the tests do).
/// Through a proxy the request line is in absolute form, "POST
/// http://host:port/path HTTP/1.0" (RFC 9112 §3.2.2), and libcrypto makes
/// the connection to the proxy itself (retrying until the timeout).
/// Errors: internal_error with the URL and libcrypto's reason (not an http://
/// URL, https URL, "cannot connect", "timed out connecting", transfer
/// timeout, HTTP error status, wrong content type, body over max_bytes).
/// Thread-safe.
Result<Bytes> fetch_ocsp(const std::string& url, ByteView request_der, std::chrono::milliseconds timeout,
                         size_t max_bytes, const std::optional<std::string>& proxy = std::nullopt);

}  // namespace vouch
