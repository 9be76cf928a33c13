#include "config.h"

#include <algorithm>
#include <iterator>

#include "alpn.h"
#include "ca_names.h"
#include "cert_cb.h"
#include "client_cert.h"
#include "credential_cache.h"
#include "errors.h"
#include "servername.h"
#include "session_cache.h"
#include "keys.h"
#include "status.h"
#include "verify_callback.h"
#include "verify_result.h"

namespace vouch::compat {
namespace {

// The seven days RFC 8446 §4.6.1 allows a ticket at most.
constexpr long kMaxSessionLifetime = 604800;

void apply_common(SSL* s, const Settings& settings, CommonConfig& c) {
  c.keylog = keylog_for(s);
  // The context's lists at this moment unless the SSL has its own
  // (settings.h).
  const Settings& suites = settings.own_cipher_lists ? settings : s->ctx.ctx->settings;
  c.cipher_suites = suites.cipher_suites;
  c.cipher_suites12 = suites.cipher_suites12;
  c.groups = settings.groups;
  // driver.cpp refuses a range without a version vouch speaks first.
  ProtocolVersion min = ProtocolVersion::tls12, max = ProtocolVersion::tls13;
  (void)version_range(settings, min, max);
  c.min_version = min;
  c.max_version = max;
  // libssl uses the extended master secret (RFC 7627) whenever the peer
  // does, and goes on without it otherwise (SSL_OP_NO_EXTENDED_MASTER_SECRET
  // turns it off, which vouch cannot: it is always offered).
  c.require_extended_master_secret = false;
}

// A libssl client asks for status with status_request alone, never with
// RFC 6961's status_request_v2 (where the native config has that option).
template <typename Config>
void disable_ocsp_multi(Config& c) {
  if constexpr (requires { c.request_ocsp_multi; }) c.request_ocsp_multi = false;
}

}  // namespace

bool version_range(const Settings& st, ProtocolVersion& min, ProtocolVersion& max) {
  auto allowed = [&](int v, uint64_t no_flag) {
    return (st.options & no_flag) == 0 && (st.min_version == 0 || st.min_version <= v) &&
           (st.max_version == 0 || st.max_version >= v);
  };
  const bool tls12 = allowed(TLS1_2_VERSION, SSL_OP_NO_TLSv1_2);
  const bool tls13 = allowed(TLS1_3_VERSION, SSL_OP_NO_TLSv1_3);
  if (!tls12 && !tls13) return false;
  min = tls12 ? ProtocolVersion::tls12 : ProtocolVersion::tls13;
  max = tls13 ? ProtocolVersion::tls13 : ProtocolVersion::tls12;
  return true;
}

CredentialSnapshot credentials_of(const SSL* s) {
  const CertSet& set = s->settings.certs;
  const SSL_CTX* ctx = s->ctx.ctx;
  if (auto hit = s->credentials.find(set, ctx->extra_certs)) return hit;
  if (auto hit = ctx->credentials.find(set, ctx->extra_certs)) return hit;
  auto converted = convert_credentials(set, ctx->extra_certs);
  CredentialSnapshot out = converted->credentials;
  // What the context holds goes in its cache, for every SSL_new after this
  // one; certificates set on this SSL alone stay with it (and its next
  // handshakes, SSL_clear keeps them), so that they do not push the
  // context's out.
  (same_slots(set, ctx->settings.certs) ? ctx->credentials : s->credentials).store(std::move(converted));
  return out;
}

// Every handshake gets a fresh native configuration, copied from one default
// instance: a default-constructed config builds an empty X509_STORE for its
// TrustStore (and frees it when the SSL's store is assigned), a copy only
// shares the default's — which nothing changes: the configs handed to
// connections are const. The instance has no cipher suite or group lists:
// apply_common (and client_config, for the key shares) sets them on every
// handshake, so copying the native defaults would only allocate lists to
// overwrite.
namespace {
template <typename Config>
std::shared_ptr<Config> fresh_config() {
  static const Config defaults = [] {
    Config c;
    c.cipher_suites.clear();
    c.cipher_suites12.clear();
    c.groups.clear();
    if constexpr (requires { c.key_share_groups; }) c.key_share_groups.clear();
    return c;
  }();
  return std::make_shared<Config>(defaults);
}
}  // namespace

std::shared_ptr<const ClientConfig> client_config(SSL* s) {
  auto c = fresh_config<ClientConfig>();
  const Settings& settings = s->settings;
  apply_common(s, settings, *c);
  // libssl sends one key share, for its first group.
  c->key_share_groups.clear();
  if (!c->groups.empty()) c->key_share_groups.push_back(c->groups.front());
  c->middlebox_compat = (settings.options & SSL_OP_ENABLE_MIDDLEBOX_COMPAT) != 0;
  c->trust = s->ctx.ctx->trust;
  // SSL_VERIFY_NONE: vouch does not verify; the result is still computed
  // after the handshake for SSL_get_verify_result (verify_result.h).
  c->verify_peer = (settings.verify_mode & SSL_VERIFY_PEER) != 0;
  // libssl checks a name only after SSL_set1_host; the SNI alone is not one.
  c->verify_name = settings.verify_host;
  // SSL_CTX_set_verify's callback, called as the server's chain is checked
  // (with SSL_VERIFY_NONE, after the handshake: verify_result.h).
  c->verify_callback = verify_callback_for(s);
  c->verify_depth = verify_depth_of(settings.verify_depth);
  // libssl asks for a staple only after SSL_set_tlsext_status_type; its
  // status callback, not vouch, then decides what the staple is worth.
  if (auto provider = status_provider(s)) {
    c->request_ocsp_status = true;
    c->ocsp_policy = OcspPolicy::report;
    c->revocation_providers.push_back(std::move(provider));
  } else {
    c->request_ocsp_status = false;
    c->ocsp_policy = OcspPolicy::ignore;
  }
  disable_ocsp_multi(*c);
  c->client_certificate_selector = client_certificate_selector(s);
  // SSL_CTX_set_post_handshake_auth: RFC 8446 §4.2.6.
  c->post_handshake_auth = settings.post_handshake_auth;
  // SSL_CTX_set_alpn_protos / SSL_set_alpn_protos.
  c->alpn = settings.alpn;
  // A libssl client accepts every secure renegotiation a TLS 1.2 server
  // asks for (RFC 5746), unless SSL_OP_NO_RENEGOTIATION.
  c->renegotiation =
      (settings.options & SSL_OP_NO_RENEGOTIATION) != 0 ? Renegotiation::never : Renegotiation::freely;
  return c;
}

std::shared_ptr<const ServerConfig> server_config(SSL* s) {
  auto c = fresh_config<ServerConfig>();
  const Settings& settings = s->settings;
  apply_common(s, settings, *c);
  // vouch offers the first that fits the client's signature algorithms.
  c->credentials = *credentials_of(s);
  // SSL_VERIFY_POST_HANDSHAKE: libssl asks only later, with
  // SSL_verify_client_post_handshake (RFC 8446 §4.6.2) — in TLS 1.3; in
  // TLS 1.2, which has no such thing, it asks during the handshake.
  ClientAuth ask = ClientAuth::none;
  if (settings.verify_mode & SSL_VERIFY_PEER) {
    ask = (settings.verify_mode & SSL_VERIFY_FAIL_IF_NO_PEER_CERT) ? ClientAuth::required : ClientAuth::optional;
  }
  const bool ask_now = (settings.verify_mode & SSL_VERIFY_POST_HANDSHAKE) == 0;
  c->client_auth = ask_now ? ask : ClientAuth::none;
  c->client_auth12 = ask;
  c->client_trust = s->ctx.ctx->trust;
  c->client_verify_callback = verify_callback_for(s);
  c->client_verify_depth = verify_depth_of(settings.verify_depth);
  // libssl names CAs in a CertificateRequest only from
  // SSL_CTX_set_client_CA_list, never from the trust store: without a list
  // the extension is omitted (an empty vector).
  c->client_ca_names = names_to_der(s->ctx.ctx->client_ca_names.get());
  // SSL_CTX_set_cert_cb: asked after the ClientHello, and able to suspend
  // the handshake (cert_cb.h); `credentials` then go unused.
  c->credential_source_async = server_credential_source(s);
  // SSL_CTX_set_num_tickets (libssl's default: 2), sealed with the
  // context's keys so that another SSL of it resumes them.
  c->num_tickets = static_cast<unsigned>(settings.num_tickets);
  // libssl sends at most one after a resumption (session_cache.cpp counts
  // the same).
  c->num_tickets_resumed = 1;
  // SSL_CTX_set_timeout of the session context: how long sessions (tickets
  // and those under an ID) are resumed, and the tickets' lifetime hint.
  const long timeout = s->session_ctx.ctx->sessions.timeout;
  c->ticket_lifetime_seconds = static_cast<uint32_t>(std::clamp<long>(timeout, 0, kMaxSessionLifetime));
  if (!s->ctx.ctx->ticket_keys) s->ctx.ctx->ticket_keys = std::make_shared<TicketKeys>();
  c->ticket_keys = s->ctx.ctx->ticket_keys;
  // TLS 1.2: libssl issues session tickets unless SSL_OP_NO_TICKET, which
  // makes it cache the session under a session ID instead (num_tickets
  // counts TLS 1.3 tickets only). The cache is the session context's, with
  // its mode and callbacks (session_cache.h).
  c->tickets12 = (settings.options & SSL_OP_NO_TICKET) == 0;
  c->session_cache12 = server_session_cache(s);
  // SSL_CTX_set_session_id_context: sessions of another context are not
  // resumed.
  c->session_id_context.assign(settings.session_id_context.begin(), settings.session_id_context.end());
  // Without SSL_OP_CIPHER_SERVER_PREFERENCE libssl takes the first suite of
  // the client's list that it allows.
  c->prefer_server_cipher_order = (settings.options & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0;
  c->prioritize_chacha = (settings.options & SSL_OP_PRIORITIZE_CHACHA) != 0;
  c->ocsp_staple_hook_async = staple_hook(s);
  // libssl's server chooses ALPN only through its select callback (its own
  // protocol list is what it would offer as a client).
  c->alpn.clear();
  c->alpn_selector = alpn_selector(s);
  // SSL_CTX_set_tlsext_servername_callback: asked first, for every
  // ClientHello; it may switch the SSL's context (SSL_set_SSL_CTX), whose
  // certificates the credential source then offers.
  c->server_name_hook = server_name_hook(s);
  return c;
}

}  // namespace vouch::compat
