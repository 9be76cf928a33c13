#include "config.h"

#include <iterator>

#include "ca_names.h"
#include "cert_cb.h"
#include "client_cert.h"
#include "errors.h"
#include "status.h"
#include "verify_callback.h"
#include "verify_result.h"

namespace vouch::compat {
namespace {

void apply_common(const Settings& settings, CommonConfig& c) {
  c.cipher_suites = settings.cipher_suites;
  c.groups = settings.groups;
  // vouch-ssl speaks TLS 1.3 only until its TLS 1.2 behaviour is compared
  // with libssl's (the next issue); driver.cpp refuses ranges without 1.3.
  c.min_version = ProtocolVersion::tls13;
  c.max_version = ProtocolVersion::tls13;
}

}  // namespace

std::vector<Credential> credentials_of(const SSL* s) {
  const CertSet& set = s->settings.certs;
  // libssl picks among its slots by signature algorithm, and its default
  // algorithm order puts ECDSA first, then EdDSA, then RSA-PSS and RSA;
  // vouch takes the first credential that fits, so the order carries that.
  constexpr size_t kOrder[] = {2, 3, 4, 1, 0};
  static_assert(std::size(kOrder) == CertSet::kSlots);
  std::vector<Credential> out;
  QuietErrors quiet;
  for (size_t i : kOrder) {
    const CertSlot& slot = set.slots[i];
    if (!slot.cert || !slot.key) continue;
    std::vector<X509*> chain{slot.cert.get()};
    const auto& rest = slot.chain.empty() ? s->ctx.ctx->extra_certs : slot.chain;
    for (const auto& x : rest) chain.push_back(x.get());
    auto credential = Credential::from_x509(chain, slot.key.get());
    if (credential) out.push_back(std::move(credential).value());
  }
  return out;
}

std::shared_ptr<const ClientConfig> client_config(SSL* s) {
  auto c = std::make_shared<ClientConfig>();
  const Settings& settings = s->settings;
  apply_common(settings, *c);
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
  c->client_certificate_selector = client_certificate_selector(s);
  // SSL_CTX_set_post_handshake_auth: RFC 8446 §4.2.6.
  c->post_handshake_auth = settings.post_handshake_auth;
  return c;
}

std::shared_ptr<const ServerConfig> server_config(SSL* s) {
  auto c = std::make_shared<ServerConfig>();
  const Settings& settings = s->settings;
  apply_common(settings, *c);
  // vouch offers the first that fits the client's signature algorithms.
  c->credentials = credentials_of(s);
  // SSL_VERIFY_POST_HANDSHAKE: libssl asks only later, with
  // SSL_verify_client_post_handshake (RFC 8446 §4.6.2).
  const bool ask_now = (settings.verify_mode & SSL_VERIFY_POST_HANDSHAKE) == 0;
  if ((settings.verify_mode & SSL_VERIFY_PEER) && ask_now) {
    c->client_auth = (settings.verify_mode & SSL_VERIFY_FAIL_IF_NO_PEER_CERT) ? ClientAuth::required
                                                                               : ClientAuth::optional;
  } else {
    c->client_auth = ClientAuth::none;
  }
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
  if (!s->ctx.ctx->ticket_keys) s->ctx.ctx->ticket_keys = std::make_shared<TicketKeys>();
  c->ticket_keys = s->ctx.ctx->ticket_keys;
  c->ocsp_staple_hook_async = staple_hook(s);
  return c;
}

}  // namespace vouch::compat
