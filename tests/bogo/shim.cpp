// vouch's shim for BoGo, BoringSSL's TLS test runner (../shared/bogo).
//
// The runner starts this program once per test with the test's flags
// (flags.h). The shim connects back to the runner over TCP, sends its shim
// id, and runs one TLS connection — or 1 + -resume-count connections, each
// resuming the session of the one before — through vouch's native API:
// Connection::client/server, receive / pending_output / consume_output,
// read / write / close, and for everything the application answers later,
// Wait + resume(). The runner plays the peer, often a misbehaving one, and
// judges the shim by its exit code and stderr (and by what it sent).
//
// With -async, the shim feeds the connection one byte at a time and every
// application callback answers later through its pending handle: the client
// certificate selector (ClientCertificateChoice::pending), the private key
// (an external PrivateKeySigner), the server's credential source
// (credential_source_async) and its OCSP staple hook
// (ocsp_staple_hook_async). The handle is completed when the connection
// reports the matching Wait, then resume() is called.
//
// After the handshake the shim checks the test's expectations, then echoes:
// every byte the runner sends comes back XORed with 0xff, until the runner's
// close_notify. A failure prints one line to stderr — for a TLS failure
// "vouch: sent alert <name>: <reason>" or "vouch: received alert <name>: ..."
// — which tests/bogo/config.json's ErrorMap matches against the error the
// runner expects. Exit codes: 0 success, 1 failure, 89 a flag or feature
// vouch does not implement (the runner then skips the test).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "flags.h"
#include "vouch/client_auth.h"
#include "vouch/config.h"
#include "vouch/connection.h"
#include "vouch/credential_source.h"
#include "vouch/ocsp.h"
#include "vouch/revocation.h"
#include "vouch/session.h"

namespace vouch_bogo {
namespace {

using vouch::Bytes;
using vouch::ByteView;

constexpr int kExitFailure = 1;
constexpr int kExitUnimplemented = 89;
// The reason of a refusal by the application's own certificate check
// (-use-custom-verify-callback with -verify-fail).
constexpr const char* kCheckRefused =
    "certificate verification failed: the application's check refused the certificate";

// ---- small helpers -----------------------------------------------------------


[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "shim: %s\n", what.c_str());
  std::exit(kExitFailure);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The certificates of a PEM file, DER, in file order.
std::vector<Bytes> pem_certificates(const std::string& path) {
  const std::string pem = read_file(path);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  std::vector<Bytes> out;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    const int len = i2d_X509(x, nullptr);
    Bytes der(static_cast<size_t>(len > 0 ? len : 0));
    uint8_t* p = der.data();
    if (len <= 0 || i2d_X509(x, &p) != len) die("cannot encode a certificate of " + path);
    X509_free(x);
    out.push_back(std::move(der));
  }
  if (out.empty()) die("no certificate in " + path);
  return out;
}

std::string hex(ByteView b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

// VOUCH_BOGO_TRACE=FILE: the shim appends what it did to FILE (stderr is
// the runner's: any output there fails a test that succeeds).
void trace(const std::string& line) {
  static const char* path = std::getenv("VOUCH_BOGO_TRACE");
  if (path == nullptr) return;
  if (FILE* f = std::fopen(path, "a")) {
    std::fprintf(f, "%d: %s\n", static_cast<int>(getpid()), line.c_str());
    std::fclose(f);
  }
}

[[noreturn]] void unimplemented(const std::string& what) {
  trace("unimplemented: " + what);
  std::fprintf(stderr, "unimplemented: %s\n", what.c_str());
  std::exit(kExitUnimplemented);
}

std::string error_line(const vouch::Error& e) {
  return std::string("vouch: ") + (e.from_peer ? "received" : "sent") + " alert " + vouch::alert_name(e.alert) +
         ": " + e.reason;
}

// ---- an external signer --------------------------------------------------------

// Signs as RFC 8446 §4.2.3 / RFC 5246 §7.4.1.4.1 say for each scheme, with
// the key in this process (standing in for an HSM).
vouch::Result<Bytes> sign_now(EVP_PKEY* key, vouch::SignatureScheme scheme, ByteView message) {
  using S = vouch::SignatureScheme;
  const EVP_MD* md = nullptr;
  bool pss = false;
  switch (scheme) {
    case S::rsa_pkcs1_sha1:
    case S::ecdsa_sha1: md = EVP_sha1(); break;
    case S::rsa_pkcs1_sha256:
    case S::ecdsa_secp256r1_sha256: md = EVP_sha256(); break;
    case S::rsa_pkcs1_sha384:
    case S::ecdsa_secp384r1_sha384: md = EVP_sha384(); break;
    case S::rsa_pkcs1_sha512:
    case S::ecdsa_secp521r1_sha512: md = EVP_sha512(); break;
    case S::rsa_pss_rsae_sha256:
    case S::rsa_pss_pss_sha256: md = EVP_sha256(); pss = true; break;
    case S::rsa_pss_rsae_sha384:
    case S::rsa_pss_pss_sha384: md = EVP_sha384(); pss = true; break;
    case S::rsa_pss_rsae_sha512:
    case S::rsa_pss_pss_sha512: md = EVP_sha512(); pss = true; break;
    case S::ed25519:
    case S::ed448: break;
    default: return vouch::fail(vouch::Alert::internal_error, "signer: unknown scheme " + vouch::to_string(scheme));
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key) != 1)
    return vouch::fail(vouch::Alert::internal_error, "signer: cannot start signing");
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA || EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA_PSS) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) != 1 ||
        (pss && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
      return vouch::fail(vouch::Alert::internal_error, "signer: cannot set the RSA padding");
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1)
    return vouch::fail(vouch::Alert::internal_error, "signer: cannot size the signature");
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
    return vouch::fail(vouch::Alert::internal_error, "signer: signing failed");
  sig.resize(len);
  return sig;
}

using Defer = std::function<void(std::function<void()>)>;

// A PrivateKeySigner that answers later: the signature is computed when the
// connection reports Wait::private_key_operation.
class DeferredSigner : public vouch::PrivateKeySigner {
 public:
  DeferredSigner(std::shared_ptr<EVP_PKEY> key, Defer defer) : key_(std::move(key)), defer_(std::move(defer)) {}

  vouch::Result<std::optional<Bytes>> sign(vouch::SignatureScheme scheme, ByteView message,
                                           std::shared_ptr<vouch::PendingSignature> pending) override {
    defer_([key = key_, scheme, message = Bytes(message.begin(), message.end()), pending] {
      auto sig = sign_now(key.get(), scheme, message);
      if (sig) {
        pending->complete(std::move(*sig));
      } else {
        pending->fail(sig.error());
      }
    });
    return std::optional<Bytes>{};
  }

 private:
  std::shared_ptr<EVP_PKEY> key_;
  Defer defer_;
};

// ---- per-connection state -------------------------------------------------------

// What the callbacks of one connection share with the driver.
struct ConnState {
  /// Application work answered later (-async): run when the connection
  /// waits for it.
  std::vector<std::function<void()>> deferred;
  /// The verification result as BoringSSL's SSL_get_verify_result reports
  /// it: X509_V_OK, the first error a soft verification accepted, or
  /// X509_V_ERR_APPLICATION_VERIFICATION when the callback refused.
  int verify_result = X509_V_OK;
  /// Client: the last CertificateRequest, as the selector saw it.
  std::optional<vouch::CertificateRequestInfo> request;
  /// Server: the ClientHello, as the credential source saw it.
  std::optional<vouch::ClientHelloInfo> hello;

  Defer defer() {
    return [this](std::function<void()> f) { deferred.push_back(std::move(f)); };
  }
};

// What lives across the connections of one test.
struct Shared {
  std::shared_ptr<vouch::TicketKeys> ticket_keys = std::make_shared<vouch::TicketKeys>();
  std::shared_ptr<vouch::ServerSessionCache> session_cache12 = std::make_shared<vouch::ServerSessionCache>();
  /// Client: the session to resume, and the verification result it carries
  /// (BoringSSL keeps it in the session).
  std::shared_ptr<const vouch::Session> session;
  int session_verify_result = X509_V_OK;
  /// Server: the result of the last full handshake, for resumptions.
  int server_verify_result = X509_V_OK;
  /// The peer's signature scheme and the (EC)DHE group of the last full
  /// handshake. BoringSSL keeps both in the session and reports them on a
  /// resumption that has none of its own; vouch's ConnectionInfo reports
  /// zero then (vouch/connection.h), so the shim keeps them here.
  vouch::SignatureScheme session_peer_scheme{};
  vouch::NamedGroup session_group{};
};

// ---- configuration --------------------------------------------------------------

// Features vouch deliberately lacks: the runner skips the test (exit 89).
void require_supported(const TestConfig& cfg) {
  if (cfg.max_version != 0 && cfg.max_version < 0x0303) unimplemented("TLS versions below 1.2");
  if (cfg.min_version > 0x0304) unimplemented("TLS versions above 1.3");
  if (cfg.no_tls13 && cfg.no_tls12) unimplemented("TLS versions below 1.2");
  if (cfg.reverify_on_resume) unimplemented("re-verification on resumption (BoringSSL's SSL_set_reverify_on_resume)");
  if (cfg.no_ticket && !cfg.is_server) unimplemented("a client that does not ask for session tickets");
  if (cfg.ocsp_response && !cfg.is_server) unimplemented("client OCSP staples from the command line");
}

void parse_alpn_wire(const std::string& wire, std::vector<std::string>& out) {
  // -advertise-alpn is the wire format: length-prefixed names.
  out.clear();
  for (size_t i = 0; i < wire.size();) {
    const size_t len = static_cast<uint8_t>(wire[i]);
    if (len == 0 || i + 1 + len > wire.size()) die("malformed -advertise-alpn value");
    out.push_back(wire.substr(i + 1, len));
    i += 1 + len;
  }
}

void apply_common(vouch::CommonConfig& c, const TestConfig& cfg) {
  uint16_t min = 0x0303;
  uint16_t max = 0x0304;
  if (cfg.min_version > min) min = static_cast<uint16_t>(cfg.min_version);
  if (cfg.max_version != 0 && cfg.max_version < max) max = static_cast<uint16_t>(cfg.max_version);
  if (cfg.no_tls13) max = 0x0303;
  if (cfg.no_tls12) min = 0x0304;
  c.min_version = static_cast<vouch::ProtocolVersion>(min);
  c.max_version = static_cast<vouch::ProtocolVersion>(max);
  // BoringSSL offers the extended master secret but does not require it
  // (the runner's tests of peers without it expect a handshake); vouch
  // requires it by default, and this is its switch.
  c.require_extended_master_secret = false;

  // -verify-prefs: the schemes accepted from the peer (and advertised);
  // -signing-prefs: the ones the shim's credential signs with.
  // vouch signs with its accepted list unless told otherwise; BoringSSL's
  // signing defaults do not follow -verify-prefs, so name every scheme
  // vouch signs with then (vouch's own default order).
  for (int s : cfg.verify_prefs) c.signature_schemes.push_back(static_cast<vouch::SignatureScheme>(s));
  for (int s : cfg.signing_prefs) c.signing_schemes.push_back(static_cast<vouch::SignatureScheme>(s));
  if (!cfg.verify_prefs.empty() && cfg.signing_prefs.empty()) {
    using S = vouch::SignatureScheme;
    c.signing_schemes = {S::ecdsa_secp256r1_sha256, S::ecdsa_secp384r1_sha384, S::ecdsa_secp521r1_sha512,
                         S::ed25519,                S::rsa_pss_rsae_sha256,    S::rsa_pss_rsae_sha384,
                         S::rsa_pss_rsae_sha512,    S::rsa_pss_pss_sha256,     S::rsa_pss_pss_sha384,
                         S::rsa_pss_pss_sha512,     S::rsa_pkcs1_sha256,       S::rsa_pkcs1_sha384,
                         S::rsa_pkcs1_sha512};
  }

  if (!cfg.curves.empty()) {
    c.groups.clear();
    for (int g : cfg.curves) {
      const auto group = static_cast<vouch::NamedGroup>(g);
      if (group != vouch::NamedGroup::x25519 && group != vouch::NamedGroup::secp256r1 &&
          group != vouch::NamedGroup::secp384r1)
        unimplemented("group " + std::to_string(g));
      c.groups.push_back(group);
    }
  }
}

// The certificate and key of -cert-file / -key-file. With -async the key
// signs through a DeferredSigner (vouch then waits for it).
std::optional<vouch::Credential> load_credential(const TestConfig& cfg, ConnState& state) {
  if (cfg.cert_file.empty() && cfg.key_file.empty()) return std::nullopt;
  if (cfg.cert_file.empty() || cfg.key_file.empty()) die("-cert-file and -key-file go together");
  if (!cfg.async) {
    auto cred = vouch::Credential::from_pem_files(cfg.cert_file, cfg.key_file);
    if (!cred) die("loading the credential: " + cred.error().to_string());
    return *cred;
  }
  const std::string key_pem = read_file(cfg.key_file);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), BIO_free);
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) die("cannot read the key of " + cfg.key_file);
  std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
  auto signer = std::make_shared<DeferredSigner>(key, state.defer());
  auto cred = vouch::Credential::from_pem_and_signer(read_file(cfg.cert_file), signer);
  if (!cred) die("loading the credential: " + cred.error().to_string());
  return *cred;
}

vouch::TrustStore load_trust(const TestConfig& cfg) {
  if (cfg.trust_cert.empty()) return vouch::TrustStore();
  auto t = vouch::TrustStore::from_pem_file(cfg.trust_cert);
  if (!t) die("loading -trust-cert: " + t.error().to_string());
  return *t;
}

// The application's own acceptance check on the client (BoringSSL's custom
// verify callback, and its OCSP status callback), run by vouch after the
// server's chain verified.
class ClientCheck : public vouch::RevocationProvider {
 public:
  ClientCheck(const TestConfig& cfg, ConnState& state, bool soft) : cfg_(cfg), state_(state), soft_(soft) {}
  std::string name() const override { return "bogo-shim"; }
  vouch::Status check(const vouch::RevocationContext&) const override {
    if (cfg_.use_ocsp_callback && cfg_.fail_ocsp_callback)
      return vouch::fail(vouch::Alert::bad_certificate_status_response, "the OCSP status callback refused");
    if (cfg_.use_custom_verify_callback && cfg_.verify_fail) {
      state_.verify_result = X509_V_ERR_APPLICATION_VERIFICATION;
      if (!soft_)
        return vouch::fail(vouch::Alert::certificate_unknown, kCheckRefused);
    }
    return {};
  }

 private:
  const TestConfig& cfg_;
  ConnState& state_;
  bool soft_;
};

std::shared_ptr<const vouch::ClientConfig> client_config(const TestConfig& cfg, ConnState& state) {
  auto c = std::make_shared<vouch::ClientConfig>();
  apply_common(*c, cfg);
  if (!cfg.advertise_alpn.empty()) parse_alpn_wire(cfg.advertise_alpn, c->alpn);

  // BoringSSL's client always verifies the server's chain: -verify-peer makes
  // a failure fatal, without it the result is only recorded ("soft").
  // A soft verification needs anchors to verify against; without
  // -trust-cert there is nothing to record, and vouch does not verify.
  const bool soft = !cfg.verify_peer;
  c->verify_peer = cfg.verify_peer || !cfg.trust_cert.empty();
  c->verify_name = "";  // the runner's certificates name no host
  c->trust = load_trust(cfg);
  const bool x509_fail = cfg.verify_fail && !cfg.use_custom_verify_callback;
  if (soft || x509_fail) {
    c->verify_callback = [&state, soft, x509_fail](bool ok, X509_STORE_CTX* ctx) {
      if (!ok && state.verify_result == X509_V_OK) state.verify_result = X509_STORE_CTX_get_error(ctx);
      if (x509_fail) {
        X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
        state.verify_result = X509_V_ERR_APPLICATION_VERIFICATION;
        return soft;
      }
      return soft || ok;
    };
  }
  if (cfg.use_custom_verify_callback || cfg.use_ocsp_callback)
    c->revocation_providers.push_back(std::make_shared<ClientCheck>(cfg, state, soft));

  // Staples are the runner's test bytes, not OCSP responses: report them,
  // never reject the server for them.
  c->ocsp_policy = vouch::OcspPolicy::report;
  c->request_ocsp_status = cfg.enable_ocsp_stapling;

  if (cfg.renegotiate_once) c->renegotiation = vouch::Renegotiation::once;
  if (cfg.renegotiate_freely) c->renegotiation = vouch::Renegotiation::freely;

  // Client certificates: the built-in selector by default; a selector that
  // answers at once with the configured credential for the legacy callback;
  // one that answers later for -async. Every selector records the request.
  std::optional<vouch::Credential> cred = load_credential(cfg, state);
  if (cred) c->client_credentials.push_back(*cred);
  const bool custom = cfg.async || cfg.use_old_client_cert_callback || cfg.expect_client_ca_list ||
                      cfg.expect_certificate_types || !cfg.expect_peer_verify_prefs.empty() ||
                      cfg.fail_cert_callback;
  if (custom) {
    c->client_certificate_selector = [&state, &cfg, cred](const vouch::CertificateRequestInfo& request,
                                                          std::shared_ptr<vouch::PendingClientCertificate> pending) {
      state.request = request;
      if (cfg.fail_cert_callback) {
        // BoringSSL's certificate callback returning an error: the selector
        // aborts the handshake through its pending handle.
        state.deferred.push_back([pending] {
          pending->abort(vouch::fail(vouch::Alert::internal_error, "the certificate callback failed"));
        });
        return vouch::ClientCertificateChoice::pending();
      }
      std::optional<vouch::Credential> answer;
      if (cred) {
        if (cfg.use_old_client_cert_callback) {
          answer = cred;
        } else if (vouch::select_client_credential({*cred}, request)) {
          answer = cred;
        }
      }
      if (cfg.async) {
        state.deferred.push_back([pending, answer] {
          if (answer) {
            pending->choose(*answer);
          } else {
            pending->decline();
          }
        });
        return vouch::ClientCertificateChoice::pending();
      }
      return answer ? vouch::ClientCertificateChoice::use(*answer) : vouch::ClientCertificateChoice::no_certificate();
    };
  }
  return c;
}

std::shared_ptr<const vouch::ServerConfig> server_config(const TestConfig& cfg, ConnState& state, Shared& shared) {
  auto c = std::make_shared<vouch::ServerConfig>();
  apply_common(*c, cfg);
  if (!cfg.select_alpn.empty()) c->alpn = {cfg.select_alpn};
  c->ticket_keys = shared.ticket_keys;
  c->session_cache12 = shared.session_cache12;
  if (cfg.no_ticket) {
    // BoringSSL's SSL_OP_NO_TICKET: no tickets issued, none accepted. vouch
    // accepts what its ticket keys decrypt, so this connection gets keys of
    // its own: tickets of earlier connections are not resumed.
    c->num_tickets = 0;
    c->tickets12 = false;
    c->ticket_keys = std::make_shared<vouch::TicketKeys>();
  }

  std::optional<vouch::Credential> cred = load_credential(cfg, state);
  if (cred) c->credentials.push_back(*cred);
  if (cfg.async || cfg.fail_cert_callback || !cfg.expect_peer_verify_prefs.empty()) {
    auto snapshot = std::make_shared<const std::vector<vouch::Credential>>(c->credentials);
    c->credential_source_async = [&state, &cfg, snapshot](const vouch::ClientHelloInfo& hello,
                                                          std::shared_ptr<vouch::PendingCredentials> pending)
        -> std::optional<vouch::CredentialSnapshot> {
      state.hello = hello;
      if (cfg.fail_cert_callback) {
        pending->fail(vouch::fail(vouch::Alert::internal_error, "the certificate callback failed"));
        return std::nullopt;
      }
      if (cfg.async) {
        state.deferred.push_back([pending, snapshot] { pending->provide(snapshot); });
        return std::nullopt;
      }
      return snapshot;
    };
  }

  // Client certificates.
  if (cfg.require_any_client_certificate) {
    c->client_auth = vouch::ClientAuth::required;
  } else if (cfg.verify_peer) {
    c->client_auth = vouch::ClientAuth::optional;
  }
  c->client_trust = load_trust(cfg);
  if (cfg.use_client_ca_list) {
    std::vector<Bytes> names;
    if (!decode_ca_list(*cfg.use_client_ca_list, names)) die("malformed -use-client-ca-list");
    c->client_ca_names = names;
  }
  if (cfg.verify_fail && !cfg.use_custom_verify_callback) {
    c->client_verify_callback = [&state](bool, X509_STORE_CTX* ctx) {
      X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
      state.verify_result = X509_V_ERR_APPLICATION_VERIFICATION;
      return false;
    };
  }
  if (!cfg.verify_fail && !cfg.use_custom_verify_callback) {
    // BoringSSL's shim accepts whatever client chain it gets (its
    // certificate verify callback says yes): record libcrypto's verdict,
    // as the client side does, and go on.
    c->client_verify_callback = [&state](bool ok, X509_STORE_CTX* ctx) {
      if (!ok && state.verify_result == X509_V_OK) state.verify_result = X509_STORE_CTX_get_error(ctx);
      return true;
    };
  }
  if (cfg.use_custom_verify_callback && cfg.verify_fail) {
    c->client_certificate_check = [&state](const vouch::PeerCertificateInfo&) -> vouch::Status {
      state.verify_result = X509_V_ERR_APPLICATION_VERIFICATION;
      return vouch::fail(vouch::Alert::certificate_unknown, kCheckRefused);
    };
  }

  // OCSP: the runner's staples are test bytes, which only the hooks send as
  // given (Credential::with_ocsp_staples checks for real responses).
  if (cfg.ocsp_response || cfg.use_ocsp_callback) {
    auto answer = [&cfg]() -> vouch::Result<std::vector<Bytes>> {
      if (cfg.use_ocsp_callback && cfg.fail_ocsp_callback)
        return vouch::fail(vouch::Alert::internal_error, "the OCSP status callback failed");
      if (cfg.use_ocsp_callback && cfg.decline_ocsp_callback) return std::vector<Bytes>{};
      if (!cfg.ocsp_response) return std::vector<Bytes>{};
      return std::vector<Bytes>{*cfg.ocsp_response};
    };
    if (cfg.async) {
      c->ocsp_staple_hook_async = [&state, answer](const vouch::Credential&, const std::string&,
                                                   std::shared_ptr<vouch::PendingOcspStaple> pending)
          -> std::optional<vouch::Result<std::vector<Bytes>>> {
        state.deferred.push_back([pending, answer] {
          auto r = answer();
          if (r) {
            pending->provide(std::move(*r));
          } else {
            pending->fail(r.error());
          }
        });
        return std::nullopt;
      };
    } else {
      c->ocsp_staple_hook = [answer](const vouch::Credential&, const std::string&) { return answer(); };
    }
  }
  return c;
}

// ---- the transport ----------------------------------------------------------------

int connect_to_runner(const TestConfig& cfg) {
  const int fd = socket(cfg.ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
  int rc;
  if (cfg.ipv6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<uint16_t>(cfg.port));
    a.sin6_addr = in6addr_loopback;
    rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(cfg.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (rc != 0) die(std::string("connect to the runner: ") + std::strerror(errno));
  const int one = 1;
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // The shim id, 8 bytes little-endian, starts every connection.
  uint8_t id[8];
  for (int i = 0; i < 8; ++i) id[i] = static_cast<uint8_t>(cfg.shim_id >> (8 * i));
  if (send(fd, id, sizeof id, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof id)) die("cannot send the shim id");
  return fd;
}

// After a failure: let the alert reach the runner before the socket closes
// (closing with unread input would reset the connection and lose it). Shut
// down the write side, then read and discard for a bounded time.
void linger_close(int fd) {
  (void)shutdown(fd, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  uint8_t buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
  }
  close(fd);
}

// Moves bytes between the socket and the connection and answers what the
// connection waits for.
class Driver {
 public:
  Driver(int fd, vouch::Connection& conn, const TestConfig& cfg, ConnState& state,
         std::function<bool()> on_handshake_done)
      : fd_(fd), conn_(conn), cfg_(cfg), state_(state), on_handshake_done_(std::move(on_handshake_done)) {}

  /// Runs until the handshake completed and its checks passed.
  bool handshake() {
    while (!conn_.handshake_complete()) {
      if (conn_.failed()) return false;
      switch (step()) {
        case Progress::ok: break;
        case Progress::eof: return failure("the runner closed the connection during the handshake");
        case Progress::failed: return false;
      }
    }
    if (!checked_) {
      checked_ = true;
      if (!on_handshake_done_()) return false;
    }
    return true;
  }

  /// Application data: > 0 bytes read, 0 at the runner's close_notify, -1 on
  /// failure.
  long read(uint8_t* buf, size_t len) {
    if (!handshake()) return -1;
    for (;;) {
      const size_t n = conn_.read(std::span<uint8_t>(buf, len));
      if (n > 0) return static_cast<long>(n);
      if (conn_.peer_closed()) return 0;
      if (conn_.failed()) return -1;
      switch (step()) {
        case Progress::ok: break;
        case Progress::eof: failure("the transport closed without close_notify"); return -1;
        case Progress::failed: return -1;
      }
    }
  }

  bool write(ByteView data) {
    if (!handshake()) return false;
    if (auto s = conn_.write(data); !s) return failure(error_line(s.error()));
    return flush_or_fail();
  }

  /// Sends close_notify.
  bool close_notify() {
    if (auto s = conn_.close(); !s) return failure(error_line(s.error()));
    return flush_or_fail();
  }

  bool key_update() {
    if (auto s = conn_.key_update(false); !s) return failure(error_line(s.error()));
    return flush_or_fail();
  }

  /// Prints the reason of a failure (the connection's own error first) once.
  bool failure(const std::string& what) {
    if (!reported_) {
      reported_ = true;
      if (const vouch::Error* e = conn_.error()) {
        std::fprintf(stderr, "%s\n", error_line(*e).c_str());
      } else {
        std::fprintf(stderr, "shim: %s\n", what.c_str());
      }
    }
    return false;
  }

  bool reported() const { return reported_; }

 private:
  enum class Progress { ok, eof, failed };

  bool flush() {
    for (;;) {
      ByteView out = conn_.pending_output();
      if (out.empty()) return true;
      const ssize_t n = send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      conn_.consume_output(static_cast<size_t>(n));
    }
  }

  bool flush_or_fail() {
    if (!flush()) return failure(std::string("writing to the runner: ") + std::strerror(errno));
    return true;
  }

  // One unit of progress: what the application owes, or bytes from the peer.
  Progress step() {
    if (!flush_or_fail()) return Progress::failed;
    if (conn_.failed()) {
      failure("the connection failed");
      return Progress::failed;
    }
    switch (conn_.wait()) {
      case vouch::Wait::client_certificate:
      case vouch::Wait::private_key_operation:
      case vouch::Wait::ocsp_staple:
      case vouch::Wait::server_certificate: {
        if (state_.deferred.empty()) {
          failure("the connection waits for the application, but nothing is pending");
          return Progress::failed;
        }
        trace(std::string("answering Wait::") + vouch::to_string(conn_.wait()));
        auto work = std::move(state_.deferred);
        state_.deferred.clear();
        for (auto& f : work) f();
        const vouch::Status s = conn_.resume();
        (void)flush();
        if (!s) {
          failure(error_line(s.error()));
          return Progress::failed;
        }
        return Progress::ok;
      }
      case vouch::Wait::none:
      case vouch::Wait::read: break;
    }
    // -async: one byte at a time, so that every message arrives in pieces.
    uint8_t buf[16384];
    const ssize_t n = recv(fd_, buf, cfg_.async ? 1 : sizeof buf, 0);
    if (n == 0) return Progress::eof;
    if (n < 0) {
      if (errno == EINTR) return Progress::ok;
      failure(std::string("reading from the runner: ") + std::strerror(errno));
      return Progress::failed;
    }
    const vouch::Status s = conn_.receive(ByteView(buf, static_cast<size_t>(n)));
    (void)flush();  // the alert of a failure, or what the input made us send
    if (!s) {
      failure(error_line(s.error()));
      return Progress::failed;
    }
    return Progress::ok;
  }

  int fd_;
  vouch::Connection& conn_;
  const TestConfig& cfg_;
  ConnState& state_;
  std::function<bool()> on_handshake_done_;
  bool checked_ = false;
  bool reported_ = false;
};

// ---- checks after the handshake ---------------------------------------------

bool expect(Driver& d, bool ok, const std::string& what) {
  if (!ok) return d.failure(what);
  return true;
}

bool check_handshake(Driver& d, vouch::Connection& conn, const TestConfig& cfg, ConnState& state, bool is_resume,
                     Shared& shared) {
  vouch::ConnectionInfo info = conn.info();
  if (!info.resumed) {
    shared.session_peer_scheme = info.peer_signature_scheme;
    shared.session_group = info.group;
  } else {
    // What BoringSSL's SSL_get_peer_signature_algorithm and
    // SSL_get_curve_id report on a resumption: the session's values, unless
    // this handshake has its own (a TLS 1.3 (EC)DHE group).
    if (info.peer_signature_scheme == vouch::SignatureScheme{}) info.peer_signature_scheme = shared.session_peer_scheme;
    if (info.group == vouch::NamedGroup{}) info.group = shared.session_group;
  }
  const bool expect_resumed = is_resume && !cfg.expect_session_miss;
  if (!expect(d, info.resumed == expect_resumed,
              std::string("session unexpectedly was ") + (info.resumed ? "" : "not ") + "reused"))
    return false;
  if (cfg.expect_version != 0 &&
      !expect(d, static_cast<int>(info.version) == cfg.expect_version,
              "version " + vouch::to_string(info.version) + ", expected " + std::to_string(cfg.expect_version)))
    return false;
  if (cfg.expect_curve_id != 0 &&
      !expect(d, static_cast<int>(info.group) == cfg.expect_curve_id,
              "group " + vouch::to_string(info.group) + ", expected " + std::to_string(cfg.expect_curve_id)))
    return false;
  if (cfg.expect_peer_signature_algorithm != 0 &&
      !expect(d, static_cast<int>(info.peer_signature_scheme) == cfg.expect_peer_signature_algorithm,
              "peer signature scheme " + vouch::to_string(info.peer_signature_scheme)))
    return false;
  if (!cfg.expect_alpn.empty() && !expect(d, info.alpn == cfg.expect_alpn, "ALPN protocol '" + info.alpn + "'"))
    return false;
  if (cfg.expect_no_alpn && !expect(d, info.alpn.empty(), "unexpected ALPN protocol '" + info.alpn + "'"))
    return false;
  if (!cfg.expect_server_name.empty() &&
      !expect(d, info.server_name == cfg.expect_server_name, "server name '" + info.server_name + "'"))
    return false;

  if (cfg.expect_ocsp_response) {
    const vouch::StapleReport* leaf = conn.peer_ocsp().leaf();
    const Bytes got = leaf != nullptr && leaf->present ? leaf->response : Bytes{};
    if (!expect(d, got == *cfg.expect_ocsp_response, "OCSP response " + hex(got) + ", expected " +
                                                         hex(*cfg.expect_ocsp_response)))
      return false;
  }
  if (!cfg.expect_peer_cert_file.empty()) {
    const std::vector<Bytes> want = pem_certificates(cfg.expect_peer_cert_file);
    if (!expect(d, conn.peer_chain() == want,
                "peer chain of " + std::to_string(conn.peer_chain().size()) + " certificates differs from " +
                    cfg.expect_peer_cert_file))
      return false;
  }

  // The verification result (SSL_get_verify_result): from this handshake, or
  // on resumption the one the session was established with.
  int result = state.verify_result;
  if (info.resumed) result = conn.is_client() ? shared.session_verify_result : shared.server_verify_result;
  if (!info.resumed && !conn.is_client()) shared.server_verify_result = state.verify_result;
  if (cfg.expect_verify_result) {
    const int want = cfg.verify_fail ? X509_V_ERR_APPLICATION_VERIFICATION : X509_V_OK;
    if (!expect(d, result == want, "verify result " + std::to_string(result) + ", expected " + std::to_string(want)))
      return false;
  }

  // What the peer asked for or offered.
  if (cfg.expect_client_ca_list || cfg.expect_certificate_types ||
      (!cfg.expect_peer_verify_prefs.empty() && conn.is_client())) {
    if (!expect(d, state.request.has_value(), "no CertificateRequest was received")) return false;
  }
  if (cfg.expect_client_ca_list) {
    std::vector<Bytes> want;
    if (!decode_ca_list(*cfg.expect_client_ca_list, want)) return d.failure("malformed -expect-client-ca-list");
    if (!expect(d, state.request->certificate_authorities == want, "CertificateRequest CA names differ")) return false;
  }
  if (cfg.expect_certificate_types &&
      !expect(d, state.request->certificate_types == *cfg.expect_certificate_types,
              "certificate types " + hex(state.request->certificate_types)))
    return false;
  if (!cfg.expect_peer_verify_prefs.empty()) {
    const std::vector<vouch::SignatureScheme>* got = nullptr;
    if (conn.is_client()) {
      got = &state.request->signature_schemes;
    } else if (state.hello) {
      got = &state.hello->signature_schemes;
    }
    std::vector<vouch::SignatureScheme> want;
    for (int s : cfg.expect_peer_verify_prefs) want.push_back(static_cast<vouch::SignatureScheme>(s));
    if (!expect(d, got != nullptr && *got == want, "the peer's signature schemes differ")) return false;
  }
  return true;
}

// ---- one connection -------------------------------------------------------------

int run_connection(const TestConfig& cfg, bool is_resume, Shared& shared) {
  require_supported(cfg);
  ConnState state;
  std::unique_ptr<vouch::Connection> conn;
  if (cfg.is_server) {
    conn = vouch::Connection::server(server_config(cfg, state, shared));
  } else {
    auto config = client_config(cfg, state);
    conn = vouch::Connection::client(config, cfg.host_name, is_resume ? shared.session : nullptr);
  }
  const int fd = connect_to_runner(cfg);
  Driver d(fd, *conn, cfg, state,
           [&] { return check_handshake(d, *conn, cfg, state, is_resume, shared); });

  auto fail = [&] {
    d.failure("failed");
    linger_close(fd);
    return kExitFailure;
  };

  if (auto s = conn->start(); !s) {
    d.failure(error_line(s.error()));
    return fail();
  }
  // -implicit-handshake: the first read or write drives the handshake (the
  // driver's read and write do that in any case).
  if (!cfg.implicit_handshake && !d.handshake()) return fail();

  if (cfg.export_keying_material > 0) {
    if (!d.handshake()) return fail();
    std::optional<ByteView> context;
    if (cfg.use_export_context)
      context = ByteView(reinterpret_cast<const uint8_t*>(cfg.export_context.data()), cfg.export_context.size());
    auto km = conn->export_keying_material(cfg.export_label, context, static_cast<size_t>(cfg.export_keying_material));
    if (!km) {
      d.failure(error_line(km.error()));
      return fail();
    }
    if (!d.write(*km)) return fail();
  }

  if (cfg.shim_writes_first) {
    static const uint8_t kHello[] = {'h', 'e', 'l', 'l', 'o'};
    if (!d.write(ByteView(kHello, sizeof kHello))) return fail();
  }

  if (cfg.shim_shuts_down) {
    if (!d.handshake() || !d.close_notify()) return fail();
    if (cfg.check_close_notify) {
      // Bidirectional shutdown: the runner's close_notify must come back.
      uint8_t buf[256];
      for (;;) {
        const long n = d.read(buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) return fail();
        // Data after our close_notify is not read by the application.
      }
    }
  } else {
    // Echo until the runner's close_notify.
    std::vector<uint8_t> buf(cfg.read_size > 0 ? static_cast<size_t>(cfg.read_size) : 16384);
    for (;;) {
      if (cfg.key_update_before_read && d.handshake() && !d.key_update()) return fail();
      const long n = d.read(buf.data(), buf.size());
      if (n < 0) return fail();
      if (n == 0) break;
      for (long i = 0; i < n; ++i) buf[static_cast<size_t>(i)] ^= 0xff;
      if (!d.write(ByteView(buf.data(), static_cast<size_t>(n)))) return fail();
    }
    // Answer the runner's close_notify. It may have closed the transport
    // already; that only matters when the test checks the shutdown.
    if (!d.close_notify() && cfg.check_close_notify) return fail();
  }

  if (!conn->is_client()) {
    close(fd);
    return 0;
  }
  // The client keeps the newest session for the next connection.
  auto sessions = conn->take_sessions();
  if (cfg.expect_no_session && !sessions.empty()) {
    d.failure("a session was established, but -expect-no-session");
    return fail();
  }
  if (!sessions.empty()) {
    shared.session = sessions.back();
    shared.session_verify_result = conn->info().resumed ? shared.session_verify_result : state.verify_result;
  }
  close(fd);
  return 0;
}

}  // namespace
}  // namespace vouch_bogo

int main(int argc, char** argv) {
  using namespace vouch_bogo;
  // The runner asks once whether split handshakes are possible; they need
  // BoringSSL's handshaker, so: no.
  if (argc == 2 && std::strcmp(argv[1], "-is-handshaker-supported") == 0) {
    std::printf("No\n");
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  TestConfigs configs;
  std::string error;
  bool unknown = false;
  if (!parse_flags(argc, argv, configs, error, unknown)) {
    if (unknown) unimplemented(error);
    std::fprintf(stderr, "%s\n", error.c_str());
    return kExitFailure;
  }
  Shared shared;
  for (int i = 0; i <= configs.initial.resume_count; ++i) {
    const int rc = run_connection(i == 0 ? configs.initial : configs.resume, i > 0, shared);
    if (rc != 0) return rc;
  }
  return 0;
}
