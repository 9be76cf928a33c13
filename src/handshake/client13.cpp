#include "handshake/client13.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <chrono>

#include "base/clock.h"
#include "cert/public_key.h"
#include "cert/verify_chain.h"
#include "crypto/compare.h"
#include "crypto/random.h"
#include "crypto/signature.h"
#include "crypto/wipe.h"
#include "handshake/master_secret.h"
#include "handshake/negotiate.h"
#include "revocation/peer_check.h"

namespace vouch {

namespace {

bool is_ip_literal(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

constexpr uint8_t kPskDheKe = 1;  // §4.2.9 psk_dhe_ke

}  // namespace

ClientHandshake13::ClientHandshake13(ConnCore& core, std::shared_ptr<const ClientConfig> config,
                                     std::string server_name,
                                     std::shared_ptr<const Session> session,
                                     std::vector<std::shared_ptr<const Session>>& sessions_out)
    : core_(core),
      config_(std::move(config)),
      server_name_(std::move(server_name)),
      server_name_is_ip_(is_ip_literal(server_name_)),
      session_(std::move(session)),
      sessions_out_(sessions_out),
      selection_(*config_, core_),
      signing_(core_) {
  // The ClientHello is sent before the version is known: when TLS 1.2 may
  // be chosen, PKCS#1 v1.5 is offered for it too (TLS 1.3 refuses it in
  // CertificateVerify, §4.2.3).
  const bool may_speak_tls12 = config_->min_version == ProtocolVersion::tls12;
  offered_schemes_ = !config_->signature_schemes.empty() ? implemented_schemes(config_->signature_schemes)
                     : may_speak_tls12                   ? default_signature_schemes12()
                                                         : default_signature_schemes();
  core_.info.server_name = server_name_;
}

Result<Hs> ClientHandshake13::step() {
  switch (state_) {
    case State::send_client_hello: return do_send_client_hello();
    case State::read_server_hello: return do_read_server_hello();
    case State::read_encrypted_extensions: return do_read_encrypted_extensions();
    case State::read_certificate_request: return do_read_certificate_request();
    case State::read_certificate: return do_read_certificate();
    case State::read_certificate_verify: return do_read_certificate_verify();
    case State::read_finished: return do_read_finished();
    case State::select_client_certificate: return do_select_client_certificate();
    case State::send_client_certificate: return do_send_client_certificate();
    case State::send_client_certificate_verify: return do_send_client_certificate_verify();
    case State::send_client_finished: return do_send_client_finished();
    case State::done: return Hs::done;
    case State::handed_over: break;
  }
  return fail(Alert::internal_error, "client: bad state");
}

Result<Hs> ClientHandshake13::do_send_client_hello() {
  if (config_->verify_peer && !config_->verify_name && server_name_.empty())
    return config_error(
        "client: a server name is required to verify the server certificate (or set "
        "ClientConfig::verify_name)");
  VOUCH_TRY(check_signature_schemes(*config_));
  VOUCH_ASSIGN(const std::vector<ProtocolVersion> versions, versions_in_range(*config_));
  offer13_ = contains(versions, ProtocolVersion::tls13);
  offer12_ = contains(versions, ProtocolVersion::tls12);
  VOUCH_TRY(random_public_bytes(random_));
  core_.client_random = random_;
  if (offer13_) {
    for (NamedGroup g : config_->key_share_groups) {
      if (!contains(config_->groups, g)) continue;
      VOUCH_ASSIGN(auto share, KeyShare::generate(g));
      shares_.push_back(std::move(share));
    }
  }
  if (session_) {
    // A session is offered only in a handshake of its own version, with a
    // suite still configured, while it lasts, and — when the policy
    // requires a staple — only if its full handshake verified a good one.
    bool ok = session_->usable(wall_clock_now()) && session_meets_ocsp_policy(*session_, *config_);
    HashAlg h;
    AeadAlg a;
    if (session_->version == ProtocolVersion::tls13) {
      ok = ok && offer13_ && tls13_suite_params(session_->cipher_suite, h, a) &&
           contains(config_->cipher_suites, session_->cipher_suite);
    } else {
      // RFC 7627 §5.3: only sessions with the extended master secret.
      ok = ok && offer12_ && session_->version == ProtocolVersion::tls12 && is_tls12_suite(session_->cipher_suite) &&
           contains(config_->cipher_suites12, session_->cipher_suite) && session_->extended_master_secret &&
           session_->master_secret.size() == kMasterSecretLength &&
           (!session_->ticket.empty() || !session_->session_id.empty());
      if (ok) session12_ = session_;
      session_.reset();  // never a TLS 1.3 PSK
    }
    if (!ok) session_.reset();
  }
  if (session12_ && session12_->ticket.empty()) {
    // RFC 5246 §7.4.1.2: resuming by ID sends that ID.
    session_id_ = session12_->session_id;
  } else if ((offer13_ && config_->middlebox_compat) || session12_) {
    // §D.4: a non-empty legacy_session_id turns on middlebox compatibility;
    // beside a TLS 1.2 ticket it is what the server echoes to accept it
    // (RFC 5077 §3.4).
    session_id_.resize(32);
    VOUCH_TRY(random_public_bytes(session_id_));
  }
  VOUCH_TRY(send_client_hello());
  state_ = State::read_server_hello;
  return Hs::read_message;
}

Status ClientHandshake13::send_client_hello() {
  ClientHello ch;
  ch.random = random_;
  ch.legacy_session_id = session_id_;
  if (offer13_)
    for (CipherSuite s : config_->cipher_suites) {
      HashAlg h;
      AeadAlg a;
      if (tls13_suite_params(s, h, a)) ch.cipher_suites.push_back(s);
    }
  Extensions& e = ch.ext;
  // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName."
  if (!server_name_.empty() && !server_name_is_ip_) e.server_name = server_name_;
  e.supported_groups = config_->groups;
  e.signature_algorithms = offered_schemes_;
  e.signature_algorithms_cert = default_certificate_signature_schemes();
  if (!config_->alpn.empty()) e.alpn = config_->alpn;
  // RFC 6066 §8: an empty responder_id_list ("responders known to the
  // server") and no request extensions — what every stapling client sends.
  if (config_->request_ocsp_status && config_->ocsp_policy != OcspPolicy::ignore)
    e.status_request = OcspStatusRequest{};
  if (offer13_) {
    // §4.2.1: every version offered, highest first; a client offering only
    // TLS 1.2 sends no supported_versions, as TLS 1.2 clients do.
    e.supported_versions = offer12_ ? std::vector<ProtocolVersion>{ProtocolVersion::tls13, ProtocolVersion::tls12}
                                    : std::vector<ProtocolVersion>{ProtocolVersion::tls13};
    std::vector<KeyShareEntry> entries;
    for (const KeyShare& s : shares_) entries.push_back({s.group(), s.public_key()});
    e.key_shares = std::move(entries);
    e.psk_key_exchange_modes = std::vector<uint8_t>{kPskDheKe};
    if (!cookie_.empty()) e.cookie = cookie_;
    e.post_handshake_auth = config_->post_handshake_auth;
  }
  // Also in a second ClientHello, which repeats the first (§4.1.2); the
  // server may not choose TLS 1.2 then (§4.1.4), which
  // on_tls12_server_hello checks.
  if (offer12_) add_tls12_offer(ch, *config_, session12_.get(), {});
  if (ch.cipher_suites.empty()) return fail(Alert::internal_error, "client: no cipher suite configured");

  HashAlg psk_hash = HashAlg::sha256;
  if (session_) {
    AeadAlg a;
    tls13_suite_params(session_->cipher_suite, psk_hash, a);
    // §4.2.11.1: obfuscated_ticket_age = age in ms + ticket_age_add (mod 2^32).
    const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(
        wall_clock_now() - session_->received_at);
    const uint32_t obfuscated = static_cast<uint32_t>(age.count()) + session_->age_add;
    e.psk_identities = std::vector<PskIdentity>{{session_->ticket, obfuscated}};
    e.psk_binders = {Bytes(hash_length(psk_hash), 0)};
  }

  Bytes body;
  Writer w(body);
  size_t binders_offset = 0;
  write(w, ch, &binders_offset);
  if (!w.ok()) return fail(Alert::internal_error, "client: ClientHello too large");
  Bytes msg;
  frame_handshake(HandshakeType::client_hello, body, msg);
  sent_extensions_ = {};
  {
    // Remember which extensions we sent, to reject unsolicited answers (§4.2).
    ClientHello parsed;
    if (parse(body, parsed).ok()) sent_extensions_ = parsed.ext.present;
  }

  if (session_) {
    // §4.2.11.2: the binder is an HMAC over the transcript up to and
    // including the ClientHello truncated before the binders list.
    const size_t truncated_len = kHandshakeHeaderLength + binders_offset;
    ByteView truncated(msg.data(), truncated_len);
    Bytes hash;
    if (core_.transcript.selected()) {
      if (core_.transcript.alg() != psk_hash)
        return fail(Alert::internal_error, "client: PSK hash changed after HelloRetryRequest");
      VOUCH_ASSIGN(Transcript t, core_.transcript.clone());
      VOUCH_TRY(t.update(truncated));
      VOUCH_ASSIGN(const HashValue current, t.current());
      hash = current.to_bytes();
    } else {
      VOUCH_ASSIGN(hash, digest(psk_hash, truncated));
    }
    KeySchedule early(psk_hash);
    VOUCH_TRY(early.start(session_->psk));
    VOUCH_ASSIGN(Bytes binder_key, early.binder_key(false));
    VOUCH_ASSIGN(Bytes binder, finished_verify_data(psk_hash, binder_key, hash));
    // binders<33..2^16-1>: u16 list length, u8 binder length, binder.
    std::copy(binder.begin(), binder.end(), msg.begin() + truncated_len + 3);
  }
  return core_.send_raw(msg);
}

Status ClientHandshake13::check_solicited(const Extensions& ext, const char* where) const {
  for (uint16_t t : ext.present) {
    if (t == static_cast<uint16_t>(ExtensionType::cookie)) continue;  // §4.2 exception
    if (!contains(sent_extensions_, t))
      return fail(Alert::unsupported_extension,
                  std::string(where) + ": extension " + std::to_string(t) + " was not offered");
  }
  return {};
}

Result<Hs> ClientHandshake13::do_read_server_hello() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::server_hello))
    return unexpected(*m, "ServerHello");
  ServerHello sh;
  VOUCH_TRY(parse(m->body, sh));
  if (sh.is_hello_retry_request()) return on_hello_retry_request(*m, sh);

  if (!sh.ext.selected_version) return on_tls12_server_hello(*m, sh);
  if (*sh.ext.selected_version != ProtocolVersion::tls13)
    return fail(Alert::illegal_parameter, "ServerHello: selected a version that was not offered");
  if (sh.legacy_version != 0x0303)
    return fail(Alert::illegal_parameter, "ServerHello: legacy_version is not 0x0303");
  if (sh.legacy_session_id_echo != session_id_)
    return fail(Alert::illegal_parameter, "ServerHello: legacy_session_id_echo does not match");
  if (sh.legacy_compression_method != 0)
    return fail(Alert::illegal_parameter, "ServerHello: compression method is not null");
  HashAlg hash;
  AeadAlg aead;
  if (!contains(config_->cipher_suites, sh.cipher_suite) ||
      !tls13_suite_params(sh.cipher_suite, hash, aead))
    return fail(Alert::illegal_parameter, "ServerHello: cipher suite was not offered");
  if (hrr_seen_ && sh.cipher_suite != hrr_suite_)
    return fail(Alert::illegal_parameter,
                "ServerHello: cipher suite differs from the HelloRetryRequest (§4.1.4)");
  VOUCH_TRY(check_solicited(sh.ext, "ServerHello"));

  // PSK: §4.2.11 "Clients MUST verify that the server's selected_identity is
  // within the range supplied by the client, that the server selected a
  // cipher suite indicating a Hash associated with the PSK".
  Bytes psk;
  if (sh.ext.psk_selected_identity) {
    if (!session_ || *sh.ext.psk_selected_identity != 0)
      return fail(Alert::illegal_parameter, "ServerHello: selected_identity out of range");
    HashAlg ph;
    AeadAlg pa;
    tls13_suite_params(session_->cipher_suite, ph, pa);
    if (ph != hash)
      return fail(Alert::illegal_parameter, "ServerHello: cipher suite hash does not match the PSK");
    psk = session_->psk;
    core_.info.resumed = true;
  }
  // We only offer psk_dhe_ke, so a key share is always required.
  if (!sh.ext.key_share)
    return fail(Alert::missing_extension, "ServerHello: no key_share");
  const KeyShare* mine = nullptr;
  for (const KeyShare& s : shares_)
    if (s.group() == sh.ext.key_share->group) mine = &s;
  if (!mine)
    return fail(Alert::illegal_parameter, "ServerHello: unexpected group: key_share for a group we did not send");
  VOUCH_ASSIGN(Bytes ecdhe, mine->derive(sh.ext.key_share->key_exchange));

  core_.info.version = ProtocolVersion::tls13;
  core_.info.cipher_suite = sh.cipher_suite;
  core_.info.group = mine->group();
  if (!core_.transcript.selected()) VOUCH_TRY(core_.transcript.select(hash));
  VOUCH_TRY(core_.transcript.update(m->message));
  schedule_.emplace(hash);
  VOUCH_TRY(schedule_->start(psk));
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  VOUCH_TRY(schedule_->handshake(ecdhe, th));
  core_.log_secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", schedule_->client_handshake_secret());
  core_.log_secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", schedule_->server_handshake_secret());
  VOUCH_TRY(core_.install_read_key(schedule_->server_handshake_secret()));
  VOUCH_TRY(core_.install_write_key(schedule_->client_handshake_secret()));
  // §D.4: in middlebox compatibility mode the dummy change_cipher_spec comes
  // before every encrypted record the client sends — its flight, or the
  // alert of an abort while the server's flight is read (a middlebox, and a
  // server checking §D.4, expects it first). Sent once, now.
  if (config_->middlebox_compat) core_.send_ccs();
  shares_.clear();
  state_ = State::read_encrypted_extensions;
  return Hs::ok;
}

Result<Hs> ClientHandshake13::on_tls12_server_hello(const HandshakeMessage& m, const ServerHello& sh) {
  // §4.1.4: "If a client receives a second HelloRetryRequest or a
  // ServerHello [after one] ... that negotiates a different version", abort.
  if (hrr_seen_)
    return fail(Alert::illegal_parameter,
                "ServerHello: TLS 1.2 chosen after a HelloRetryRequest (RFC 8446 §4.1.4)");
  if (offer13_) {
    // §4.1.3: a TLS 1.3 client that sees a TLS 1.2-or-below ServerHello
    // checks the downgrade sentinel first.
    ByteView tail(sh.random.data() + 24, 8);
    // Java 11's draft sentinel means the same and is refused the same way,
    // as BoringSSL does.
    if (std::equal(tail.begin(), tail.end(), kDowngradeTls12.begin()) ||
        std::equal(tail.begin(), tail.end(), kDowngradeTls11.begin()) ||
        std::equal(tail.begin(), tail.end(), kDowngradeJdk11Draft.begin()))
      return fail(Alert::illegal_parameter, "ServerHello: downgrade sentinel present (RFC 8446 §4.1.3)");
  }
  if (sh.legacy_version < 0x0303)
    return fail(Alert::protocol_version, "ServerHello: server chose TLS 1.1 or older, which vouch never speaks");
  if (!offer12_ || sh.legacy_version != 0x0303)
    return fail(Alert::protocol_version, "ServerHello: server chose TLS 1.2, which this client does not offer");
  // The TLS 1.2 machine takes over with what the ClientHello committed to.
  handoff_.random = random_;
  handoff_.session_id = session_id_;
  handoff_.session12 = session12_;
  handoff_.sent_extensions = sent_extensions_;
  handoff_.offered_schemes = offered_schemes_;
  handoff_.server_hello.assign(m.message.begin(), m.message.end());
  shares_.clear();
  state_ = State::handed_over;
  return Hs::version_switch;
}

Result<Hs> ClientHandshake13::on_hello_retry_request(const HandshakeMessage& m,
                                                     const ServerHello& hrr) {
  // §4.1.4
  if (hrr_seen_)
    return fail(Alert::unexpected_message, "second HelloRetryRequest (RFC 8446 §4.1.4)");
  if (!hrr.ext.selected_version || *hrr.ext.selected_version != ProtocolVersion::tls13)
    return fail(Alert::illegal_parameter, "HelloRetryRequest: version is not TLS 1.3");
  if (hrr.legacy_session_id_echo != session_id_)
    return fail(Alert::illegal_parameter, "HelloRetryRequest: legacy_session_id_echo does not match");
  if (hrr.legacy_compression_method != 0)
    return fail(Alert::illegal_parameter, "HelloRetryRequest: compression method is not null");
  HashAlg hash;
  AeadAlg aead;
  if (!contains(config_->cipher_suites, hrr.cipher_suite) ||
      !tls13_suite_params(hrr.cipher_suite, hash, aead))
    return fail(Alert::illegal_parameter, "HelloRetryRequest: cipher suite was not offered");
  VOUCH_TRY(check_solicited(hrr.ext, "HelloRetryRequest"));
  bool changes = false;
  if (hrr.ext.key_share_selected_group) {
    const NamedGroup g = *hrr.ext.key_share_selected_group;
    // "the selected_group field [must] correspond to a group which was
    // provided in the supported_groups extension ... [and not] a group for
    // which a corresponding key share was provided" → illegal_parameter.
    if (!contains(config_->groups, g))
      return fail(Alert::illegal_parameter, "HelloRetryRequest: unexpected group: selected a group that was not offered");
    for (const KeyShare& s : shares_)
      if (s.group() == g)
        return fail(Alert::illegal_parameter,
                    "HelloRetryRequest: unexpected group: selected a group we already sent a key share for");
    shares_.clear();
    VOUCH_ASSIGN(auto share, KeyShare::generate(g));
    shares_.push_back(std::move(share));
    changes = true;
  }
  if (hrr.ext.cookie) {
    cookie_ = *hrr.ext.cookie;
    changes = true;
  }
  if (!changes)
    return fail(Alert::illegal_parameter,
                "HelloRetryRequest would not change the ClientHello (§4.1.4)");
  if (session_) {
    HashAlg ph;
    AeadAlg pa;
    tls13_suite_params(session_->cipher_suite, ph, pa);
    if (ph != hash) session_.reset();  // §4.1.4: drop PSKs incompatible with the suite
  }
  hrr_seen_ = true;
  hrr_suite_ = hrr.cipher_suite;
  core_.info.hello_retry_request = true;
  // §4.4.1: ClientHello1 is replaced by message_hash.
  VOUCH_TRY(core_.transcript.select(hash));
  VOUCH_TRY(core_.transcript.restart_with_message_hash());
  VOUCH_TRY(core_.transcript.update(m.message));
  if (config_->middlebox_compat) core_.send_ccs();  // §D.4: before the second ClientHello
  VOUCH_TRY(send_client_hello());
  return Hs::read_message;
}

Result<Hs> ClientHandshake13::do_read_encrypted_extensions() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::encrypted_extensions))
    return unexpected(*m, "EncryptedExtensions");
  EncryptedExtensions ee;
  VOUCH_TRY(parse(m->body, ee));
  VOUCH_TRY(check_solicited(ee.ext, "EncryptedExtensions"));
  if (ee.ext.alpn) {
    // RFC 7301 §3.2: the selected protocol must be one the client offered.
    const std::string& p = ee.ext.alpn->front();
    if (!contains(config_->alpn, p))
      return fail(Alert::illegal_parameter, "EncryptedExtensions: ALPN protocol was not offered");
    core_.info.alpn = p;
  }
  if (ee.ext.early_data)
    return fail(Alert::unsupported_extension, "EncryptedExtensions: early_data was not offered");
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = core_.info.resumed ? State::read_finished : State::read_certificate_request;
  return Hs::ok;
}

Result<Hs> ClientHandshake13::do_read_certificate_request() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type == static_cast<uint8_t>(HandshakeType::certificate)) return on_certificate(*m);
  if (m->type != static_cast<uint8_t>(HandshakeType::certificate_request))
    return unexpected(*m, "CertificateRequest or Certificate");
  CertificateRequest cr;
  VOUCH_TRY(parse(m->body, cr));
  // §4.3.2: in the main handshake the context is empty.
  if (!cr.certificate_request_context.empty())
    return fail(Alert::illegal_parameter,
                "CertificateRequest: non-empty context during the handshake");
  cert_requested_ = true;
  cert_request_context_ = cr.certificate_request_context;
  VOUCH_ASSIGN(request_, request_info(cr, /*post_handshake=*/false));
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = State::read_certificate;
  return Hs::ok;
}

Result<Hs> ClientHandshake13::do_read_certificate() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::certificate))
    return unexpected(*m, "Certificate");
  return on_certificate(*m);
}

Result<Hs> ClientHandshake13::on_certificate(const HandshakeMessage& m) {
  Certificate cert;
  VOUCH_TRY(parse(m.body, cert));
  if (!cert.certificate_request_context.empty())
    return fail(Alert::illegal_parameter, "server Certificate: non-empty request context");
  // §4.4.2.4: "If the server supplies an empty Certificate message, the
  // client MUST abort the handshake with a "decode_error" alert."
  if (cert.certificate_list.empty())
    return fail(Alert::decode_error, "server sent no certificate (an empty Certificate message)");
  std::vector<Bytes> chain;
  std::vector<std::optional<Bytes>> staples;
  for (const CertificateEntry& e : cert.certificate_list) {
    // A staple without our status_request is refused here (§4.2).
    VOUCH_TRY(check_solicited(e.ext, "CertificateEntry"));
    chain.push_back(e.cert_data);
    staples.push_back(e.ext.ocsp_response);
  }
  // The server signs its CertificateVerify with the leaf's key.
  VOUCH_TRY(check_leaf_allows_signing(chain.front(), "server certificate"));
  PeerRevocationInput rev;
  rev.peer_is_server = true;
  rev.certificate_requested = cert_requested_;
  rev.requested = config_->request_ocsp_status && config_->ocsp_policy != OcspPolicy::ignore;
  rev.policy = config_->ocsp_policy;
  rev.received = &chain;
  rev.staples = &staples;
  rev.providers = &config_->revocation_providers;
  rev.now = wall_clock_now();
  if (config_->verify_peer) {
    VOUCH_ASSIGN(VerifiedChain verified, verify_server_chain(*config_, server_name_, chain));
    // The verified chain is the peer's from here on: revocation providers
    // may look at it (Connection::peer_chain) while they run.
    core_.peer_chain = chain;
    // RFC 8446 §4.4.2.1: the staples are checked against the verified path.
    for (const auto& c : verified.chain) rev.path.push_back(c.get());
    VOUCH_ASSIGN(core_.peer_ocsp, check_peer_revocation(rev));
    peer_key_ = std::move(verified.leaf_key);
    VOUCH_ASSIGN(core_.verified_peer_chain, der_chain(verified));
  } else {
    // Testing mode: nothing is trusted; staples are reported, not judged,
    // and the application's providers still run (as libssl calls a status
    // callback without verification).
    core_.peer_chain = chain;
    VOUCH_ASSIGN(core_.peer_ocsp, check_peer_revocation(rev, /*judge_staples=*/false));
    VOUCH_ASSIGN(peer_key_, public_key_of(chain.front()));
  }
  VOUCH_TRY(core_.transcript.update(m.message));
  state_ = State::read_certificate_verify;
  return Hs::ok;
}

Result<Hs> ClientHandshake13::do_read_certificate_verify() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::certificate_verify))
    return unexpected(*m, "CertificateVerify");
  CertificateVerify cv;
  VOUCH_TRY(parse(m->body, cv));
  // §4.4.3: the algorithm must be one the client offered and fit the key.
  if (!contains(offered_schemes_, cv.algorithm))
    return fail(Alert::illegal_parameter,
                "server CertificateVerify: scheme " + to_string(cv.algorithm) + " was not offered");
  if (!scheme_matches_key(cv.algorithm, peer_key_.get()))
    return fail(Alert::illegal_parameter, "server CertificateVerify: scheme " +
                                              to_string(cv.algorithm) +
                                              " does not fit the certificate key");
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  Bytes content = certificate_verify_input(/*server=*/true, th);
  Status v = verify_message(cv.algorithm, peer_key_.get(), content, cv.signature);
  if (!v) return fail(Alert::decrypt_error, "server CertificateVerify: bad signature");
  core_.info.peer_signature_scheme = cv.algorithm;
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = State::read_finished;
  return Hs::ok;
}

Result<Hs> ClientHandshake13::do_read_finished() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::finished)) return unexpected(*m, "Finished");
  const HashAlg alg = schedule_->alg();
  Finished fin;
  VOUCH_TRY(parse(m->body, hash_length(alg), fin));
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  VOUCH_ASSIGN(Bytes expected,
               finished_verify_data(alg, schedule_->server_handshake_secret(), th));
  if (!constant_time_equal(expected, fin.verify_data))
    return fail(Alert::decrypt_error, "server Finished: verify_data does not match the transcript");
  VOUCH_TRY(core_.transcript.update(m->message));
  VOUCH_ASSIGN(HashValue th_sf, core_.transcript.current());
  VOUCH_TRY(schedule_->master(th_sf));
  log_application_secrets(core_, *schedule_);
  VOUCH_TRY(core_.install_read_key(schedule_->server_application_secret()));
  state_ = cert_requested_ ? State::select_client_certificate : State::send_client_finished;
  return Hs::ok;
}

Result<CertificateRequestInfo> ClientHandshake13::request_info(const CertificateRequest& cr,
                                                               bool post_handshake) const {
  CertificateRequestInfo info;
  info.version = ProtocolVersion::tls13;
  info.post_handshake = post_handshake;
  if (cr.ext.certificate_authorities) info.certificate_authorities = *cr.ext.certificate_authorities;
  info.signature_schemes = *cr.ext.signature_algorithms;  // required by parse (§4.3.2)
  // §4.2.3: without signature_algorithms_cert, signature_algorithms applies
  // to certificates too.
  info.certificate_signature_schemes = cr.ext.signature_algorithms_cert
                                           ? *cr.ext.signature_algorithms_cert
                                           : *cr.ext.signature_algorithms;
  if (cr.ext.oid_filters)
    for (const OidFilter& f : *cr.ext.oid_filters)
      info.oid_filters.push_back({f.certificate_extension_oid, f.certificate_extension_values});
  info.server_chain = core_.peer_chain;
  info.server_name = server_name_;
  info.status_requested = cr.ext.status_request_empty;
  return info;
}

Certificate ClientHandshake13::client_certificate_message(const Bytes& context, bool status_requested) const {
  Certificate cert;
  cert.certificate_request_context = context;
  if (!chosen_) return cert;  // §4.4.2: an empty Certificate says "no certificate"
  const std::vector<Bytes>& staples = chosen_->ocsp_staples();
  for (size_t i = 0; i < chosen_->chain_der().size(); ++i) {
    CertificateEntry entry{chosen_->chain_der()[i], {}};
    // §4.4.2.1: only in answer to an empty status_request in the request.
    if (status_requested && i < staples.size() && !staples[i].empty()) entry.ext.ocsp_response = staples[i];
    cert.certificate_list.push_back(std::move(entry));
  }
  return cert;
}

Result<SignatureScheme> ClientHandshake13::client_scheme(const CertificateRequestInfo& info) const {
  // Our signing preference (CommonConfig::signing_schemes, else what we
  // offered), limited to what the server accepts (§4.4.3).
  const auto& ours = config_->signing_schemes.empty() ? offered_schemes_ : config_->signing_schemes;
  for (SignatureScheme s : ours)
    if (contains(info.signature_schemes, s) && contains(chosen_->signature_schemes(), s))
      return s;
  return fail(Alert::handshake_failure, "no signature scheme in common: client certificate " + chosen_->subject() +
                                            " cannot sign with any scheme the server accepts");
}

Result<Hs> ClientHandshake13::do_select_client_certificate() {
  // The CertificateRequest preceded the server's Certificate (§4.3.2), so
  // the chain is added now that it is known and verified.
  request_.server_chain = core_.peer_chain;
  // Suspends before anything is sent, so resuming re-enters cleanly.
  VOUCH_ASSIGN(bool answered, selection_.select(request_, pending_, chosen_));
  if (!answered) return Hs::client_certificate;
  if (chosen_) {
    VOUCH_ASSIGN(client_scheme_, client_scheme(request_));
  }
  state_ = State::send_client_certificate;
  return Hs::ok;
}

Result<Hs> ClientHandshake13::do_send_client_certificate() {
  if (config_->middlebox_compat) core_.send_ccs();  // §D.4: before the encrypted flight
  // §4.4.2: an empty Certificate says "no certificate".
  VOUCH_TRY(core_.send_message(HandshakeType::certificate,
                                client_certificate_message(cert_request_context_, request_.status_requested)));
  state_ = chosen_ ? State::send_client_certificate_verify : State::send_client_finished;
  return Hs::ok;
}

Result<Hs> ClientHandshake13::do_send_client_certificate_verify() {
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  Bytes content = certificate_verify_input(/*server=*/false, th);
  VOUCH_ASSIGN(std::optional<Bytes> sig, signing_.run(*chosen_, client_scheme_, content));
  if (!sig) return Hs::private_key;  // the external signer answers later
  CertificateVerify cv;
  cv.algorithm = client_scheme_;
  cv.signature = std::move(*sig);
  VOUCH_TRY(core_.send_message(HandshakeType::certificate_verify, cv));
  state_ = State::send_client_finished;
  return Hs::ok;
}

Result<Hs> ClientHandshake13::do_send_client_finished() {
  if (config_->middlebox_compat) core_.send_ccs();
  const HashAlg alg = schedule_->alg();
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  Finished fin;
  VOUCH_ASSIGN(fin.verify_data, finished_verify_data(alg, schedule_->client_handshake_secret(), th));
  VOUCH_TRY(core_.send_message(HandshakeType::finished, fin));
  VOUCH_TRY(core_.install_write_key(schedule_->client_application_secret()));
  VOUCH_ASSIGN(HashValue th_cf, core_.transcript.current());
  VOUCH_TRY(schedule_->resumption(th_cf));
  keep_application_secrets(core_, *schedule_);
  if (core_.info.resumed && session_) {
    core_.peer_chain = session_->peer_chain;
    // No Certificate in a PSK handshake: report what the full handshake
    // established (its status was checked to be current when offered).
    core_.peer_ocsp = session_->ocsp;
    core_.peer_ocsp.from_session = true;
  }
  state_ = State::done;
  return Hs::done;
}

Status ClientHandshake13::post_handshake(const HandshakeMessage& m) {
  if (m.type == static_cast<uint8_t>(HandshakeType::new_session_ticket)) {
    NewSessionTicket nst;
    VOUCH_TRY(parse(m.body, nst));
    return on_new_session_ticket(nst);
  }
  if (m.type == static_cast<uint8_t>(HandshakeType::certificate_request))
    return on_post_handshake_certificate_request(m);
  return unexpected(m, "NewSessionTicket, KeyUpdate or CertificateRequest");
}

Status ClientHandshake13::on_post_handshake_certificate_request(const HandshakeMessage& m) {
  // §4.6.2: only if we offered post_handshake_auth; otherwise
  // unexpected_message.
  if (!config_->post_handshake_auth)
    return fail(Alert::unexpected_message,
                "post-handshake CertificateRequest without post_handshake_auth");
  CertificateRequest cr;
  VOUCH_TRY(parse(m.body, cr));
  if (cr.certificate_request_context.empty())
    return fail(Alert::illegal_parameter,
                "post-handshake CertificateRequest with an empty context (§4.3.2)");
  // §4.3.2: the context "MUST be unique within the scope of this
  // connection"; two waiting requests with one context could not be told
  // apart by their answers.
  for (const PostHandshakeRequest& waiting : pha_requests_)
    if (waiting.context == cr.certificate_request_context)
      return fail(Alert::illegal_parameter,
                  "post-handshake CertificateRequest repeats the context of one still unanswered (§4.3.2)");
  // internal_error, "unrelated to the peer or the correctness of the
  // protocol" (§6.2): §4.6.2 expects "multiple CertificateRequests" and sets
  // no limit, so holding no more is our own resource limit, not a peer
  // error to report as unexpected_message or illegal_parameter.
  if (pha_requests_.size() >= kMaxPostHandshakeRequests)
    return fail(Alert::internal_error,
                "too many post-handshake CertificateRequests wait for the application (at most " +
                    std::to_string(kMaxPostHandshakeRequests) + ")");
  PostHandshakeRequest r;
  r.message.assign(m.message.begin(), m.message.end());
  r.context = cr.certificate_request_context;
  VOUCH_ASSIGN(r.info, request_info(cr, /*post_handshake=*/true));
  // The selector is asked once, now; a pending answer (r.pending stays set)
  // is picked up by answer_post_handshake_requests(), which the connection
  // runs after each message and on resume(). §4.6.2: "servers MUST be
  // prepared for some delay".
  VOUCH_ASSIGN(bool answered, selection_.select(r.info, r.pending, r.credential));
  (void)answered;  // r.pending says whether the application still decides
  pha_requests_.push_back(std::move(r));
  return {};
}

Status ClientHandshake13::answer_post_handshake_requests() {
  // Pick up what the application answered since the last look. An abort
  // fails the connection now, whatever still waits before it.
  for (PostHandshakeRequest& r : pha_requests_) {
    if (r.pending && r.pending->ready()) {
      VOUCH_ASSIGN(bool answered, selection_.select(r.info, r.pending, r.credential));
      (void)answered;
    }
  }
  // §4.6.2 lets a client answer in another order; vouch keeps the order of
  // the requests, which also suits a server that tracks one at a time.
  while (!pha_requests_.empty() && !pha_requests_.front().pending) {
    VOUCH_TRY(send_post_handshake_answer(pha_requests_.front()));
    pha_requests_.erase(pha_requests_.begin());
  }
  return {};
}

Status ClientHandshake13::send_post_handshake_answer(const PostHandshakeRequest& r) {
  chosen_ = r.credential;  // client_certificate(): the answer sent last
  // §4.4.1: the transcript is the main handshake's, then this request and
  // our answer; other post-handshake messages are not part of it.
  VOUCH_ASSIGN(Transcript t, core_.transcript.clone());
  VOUCH_TRY(t.update(r.message));
  Bytes flight;
  auto add = [&](HandshakeType type, const auto& msg) -> Status {
    Bytes body;
    Writer w(body);
    write(w, msg);
    if (!w.ok())
      return fail(Alert::internal_error, std::string("cannot encode post-handshake ") +
                                             handshake_type_name(static_cast<uint8_t>(type)));
    Bytes framed;
    frame_handshake(type, body, framed);
    VOUCH_TRY(t.update(framed));
    core_.trace_sent(framed);
    // The test seam of ConnCore::send_raw, for these messages too.
    if (core_.outgoing_hook) {
      for (const Bytes& x : core_.outgoing_hook(framed)) flight.insert(flight.end(), x.begin(), x.end());
    } else {
      flight.insert(flight.end(), framed.begin(), framed.end());
    }
    return {};
  };
  VOUCH_TRY(add(HandshakeType::certificate, client_certificate_message(r.context, r.info.status_requested)));
  if (chosen_) {
    VOUCH_ASSIGN(SignatureScheme scheme, client_scheme(r.info));
    VOUCH_ASSIGN(HashValue th, t.current());
    CredentialSigning signing(core_);
    VOUCH_ASSIGN(std::optional<Bytes> sig,
                 signing.run(*chosen_, scheme, certificate_verify_input(false, th)));
    if (!sig)
      return fail(Alert::internal_error,
                  "an asynchronous signer is not supported for post-handshake authentication");
    VOUCH_TRY(add(HandshakeType::certificate_verify, CertificateVerify{scheme, std::move(*sig)}));
  }
  // §4.4: the Finished key comes from the client application traffic
  // secret in use now — after any KeyUpdate we sent while the request
  // waited, as the server reads it in the same order.
  VOUCH_ASSIGN(HashValue th, t.current());
  Finished fin;
  VOUCH_ASSIGN(fin.verify_data, finished_verify_data(schedule_->alg(), core_.client_app_secret, th));
  VOUCH_TRY(add(HandshakeType::finished, fin));
  // §4.6.2: "All of the client's messages for a given response MUST appear
  // consecutively on the wire".
  return core_.write_record(ContentType::handshake, flight);
}

Status ClientHandshake13::on_new_session_ticket(const NewSessionTicket& nst) {
  // §4.6.1: a lifetime of zero means "do not use".
  if (nst.ticket_lifetime == 0) return {};
  ReceivedTicket t;
  t.ticket = nst.ticket;
  VOUCH_ASSIGN(t.psk, resumption_psk(schedule_->alg(), core_.resumption_master_secret,
                                     nst.ticket_nonce));
  t.lifetime_seconds = nst.ticket_lifetime;
  t.age_add = nst.ticket_age_add;
  t.received_at = wall_clock_now();
  if (config_->session_cache) {
    auto s = make_session(std::move(t));
    config_->session_cache->put(server_name_, s);
    sessions_out_.push_back(std::move(s));
    return {};
  }
  // A server may send many tickets (§4.6.1 sets no limit); the oldest go
  // once more than a client could use wait here untaken.
  constexpr size_t kMaxReceivedTickets = 16;
  if (received_tickets_.size() >= kMaxReceivedTickets) received_tickets_.erase(received_tickets_.begin());
  received_tickets_.push_back(std::move(t));
  return {};
}

ClientHandshake13::ReceivedTicket::~ReceivedTicket() { wipe_memory(psk); }

std::shared_ptr<const Session> ClientHandshake13::make_session(ReceivedTicket t) const {
  auto s = std::make_shared<Session>();
  s->version = ProtocolVersion::tls13;
  s->cipher_suite = core_.info.cipher_suite;
  s->ticket = std::move(t.ticket);
  s->psk = std::move(t.psk);
  s->lifetime_seconds = t.lifetime_seconds;
  s->age_add = t.age_add;
  s->received_at = t.received_at;
  s->server_name = server_name_;
  s->alpn = core_.info.alpn;
  s->peer_chain = core_.peer_chain;
  s->ocsp = core_.peer_ocsp;
  s->ocsp.from_session = false;
  return s;
}

std::vector<std::shared_ptr<const Session>> ClientHandshake13::take_received_sessions() {
  std::vector<std::shared_ptr<const Session>> out;
  out.reserve(received_tickets_.size());
  for (ReceivedTicket& t : received_tickets_) out.push_back(make_session(std::move(t)));
  std::vector<ReceivedTicket>().swap(received_tickets_);
  return out;
}

void ClientHandshake13::release_after_handshake() {
  // §4.4.1: our answer to a post-handshake CertificateRequest hashes on
  // from the handshake's transcript; without post_handshake_auth offered
  // (§4.2.6) none may come.
  core_.release_after_handshake(config_->post_handshake_auth);
  // Handshake-only state. What NewSessionTicket (resumption secret, the
  // hash from schedule_), KeyUpdate (traffic secrets in core_), exporters
  // and the accessors use stays.
  shares_.clear();
  shares_.shrink_to_fit();
  peer_key_.reset();
  Bytes().swap(cookie_);
  Bytes().swap(session_id_);
  std::vector<uint16_t>().swap(sent_extensions_);
  handoff_ = ClientHelloState{};
}

}  // namespace vouch
