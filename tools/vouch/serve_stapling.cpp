#include "serve_stapling.h"

#include <fmt/core.h>

#include <fstream>
#include <iterator>

#include "ocsp/ocsp.h"
#include "ocsp/ocsp_time.h"
#include "cert/pem.h"

namespace vouch::cli {
namespace {

Result<Bytes> read_der(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("--staple " + path + ": cannot be read");
  Bytes data;
  // Bounded: one byte more than any acceptable response, to detect "too big".
  char c;
  while (data.size() <= kMaxOcspResponseBytes && in.get(c)) data.push_back(static_cast<uint8_t>(c));
  if (data.size() > kMaxOcspResponseBytes)
    return data_error("--staple " + path + ": larger than an OCSP response can be");
  return data;
}

// One stderr line per Stapler event; a must-staple certificate served
// without a staple is shouted about (RFC 7633: clients will refuse it).
void log_event(const StaplerEvent& e) {
  const char* level = e.must_staple_unserved ? "WARNING: " : "";
  fmt::print(stderr, "vouch serve: {}ocsp {}: {} [{}]: {}{}\n", level, to_string(e.kind), e.subject, e.position,
             e.message,
             e.must_staple_unserved ? " — this certificate is must-staple; clients will refuse it" : "");
}

Status static_staple(const std::string& path, ServerConfig& config) {
  VOUCH_ASSIGN(Bytes der, read_der(path));
  Credential& cred = config.credentials.front();
  auto stapled = cred.with_ocsp_staples({der});
  if (!stapled) return data_error("--staple " + path + ": " + stapled.error().reason);
  cred = std::move(*stapled);
  // Informational: static staples are sent as configured; say what clients
  // will think of it.
  if (cred.chain().size() >= 2) {
    auto st = verify_ocsp_response(der, cred.chain()[0], cred.chain()[1], {}, OcspVerifyOptions{});
    if (st) {
      fmt::print(stderr, "vouch serve: staple {}: {}\n", path, describe(*st));
    } else {
      fmt::print(stderr, "vouch serve: WARNING: staple {} does not verify: {}\n", path, st.error().reason);
    }
  }
  return {};
}

// The certificates of --ocsp-issuer, DER.
Result<std::vector<Bytes>> read_issuers(const std::string& path) {
  VOUCH_ASSIGN(std::string pem, read_text_file(path));
  VOUCH_ASSIGN(std::vector<ossl::X509Ptr> certs, read_pem_certificates(pem, "--ocsp-issuer " + path));
  std::vector<Bytes> out;
  for (const ossl::X509Ptr& c : certs) {
    const int len = i2d_X509(c.get(), nullptr);
    if (len <= 0) return fail(Alert::internal_error, "--ocsp-issuer " + path + ": a certificate cannot be encoded");
    Bytes der(static_cast<size_t>(len));
    unsigned char* p = der.data();
    if (i2d_X509(c.get(), &p) != len)
      return fail(Alert::internal_error, "--ocsp-issuer " + path + ": a certificate cannot be encoded");
    out.push_back(std::move(der));
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<Stapler>> setup_stapling(const StaplingArgs& args, ServerConfig& config,
                                                std::shared_ptr<SharedStore> store) {
  const bool automatic = args.staple == "auto";
  if (!automatic && (!args.cache_dir.empty() || !args.responder_url.empty() || !args.issuers.empty()))
    return config_error("--ocsp-cache, --ocsp-url and --ocsp-issuer need --staple auto");
  if (args.staple == "off") return std::shared_ptr<Stapler>();
  if (!automatic) {
    VOUCH_TRY(static_staple(args.staple, config));
    return std::shared_ptr<Stapler>();
  }
  StaplerOptions opts;
  opts.cache_dir = args.cache_dir;
  if (!args.responder_url.empty()) opts.responder_url = args.responder_url;
  // The whole chain: TLS 1.3 staples per CertificateEntry (RFC 8446
  // §4.4.2.1) and TLS 1.2 clients asking with status_request_v2 get an
  // ocsp_multi list (RFC 6961 §2.2); status_request v1 still gets the leaf's.
  opts.staple_intermediates = true;
  if (!args.issuers.empty()) {
    VOUCH_ASSIGN(opts.issuers, read_issuers(args.issuers));
  }
  opts.on_event = log_event;
  opts.store = std::move(store);
  if (args.fetch_timeout_seconds == 0 || args.fetch_timeout_seconds > 300)
    return config_error("--ocsp-fetch-timeout: 1 to 300 seconds");
  opts.fetch_timeout = std::chrono::seconds(args.fetch_timeout_seconds);
  auto stapler = Stapler::create(std::move(opts));
  for (const Credential& c : config.credentials) {
    auto slot = stapler->add(c);
    if (!slot) {
      Error e = std::move(slot).error();
      e.reason = "--staple auto: " + e.reason;
      return e;
    }
  }
  stapler->attach(config);
  // The first fetch happens before the server listens: the very first
  // client gets a staple (or the cache already provided one).
  stapler->poll();
  for (const StapleState& s : stapler->state()) {
    fmt::print(stderr, "vouch serve: ocsp {} [{}]: {}\n", s.subject, s.position,
               s.serving ? "stapling " + describe(*s.serving) + ", next refresh " + iso8601(s.next_refresh)
                         : "not stapling" + (s.last_error.empty() ? std::string() : ": " + s.last_error));
  }
  stapler->start();
  return stapler;
}

}  // namespace vouch::cli
