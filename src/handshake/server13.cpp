#include "handshake/server13.h"

#include <algorithm>
#include <chrono>

#include "cert/public_key.h"
#include "cert/verify_chain.h"
#include "crypto/compare.h"
#include "crypto/random.h"
#include "crypto/signature.h"
#include "crypto/wipe.h"
#include "ext/extension_type.h"
#include "handshake/client_verification.h"
#include "handshake/ticket.h"
#include "revocation/peer_check.h"

namespace vouch {

namespace {

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

constexpr uint8_t kPskDheKe = 1;                  // §4.2.9

}  // namespace

ServerHandshake13::ServerHandshake13(ConnCore& core, std::shared_ptr<const ServerConfig> config,
                                     std::shared_ptr<TicketKeys> ticket_keys)
    : core_(core), config_(std::move(config)), ticket_keys_(std::move(ticket_keys)), sources_(*config_, core_), signing_(core_) {}

Result<Hs> ServerHandshake13::step() {
  switch (state_) {
    case State::read_client_hello: return do_read_client_hello();
    case State::choose_credential: return do_choose_credential();
    case State::send_server_hello: return do_send_server_hello();
    case State::send_server_flight: return do_send_server_flight();
    case State::send_certificate_verify: return do_send_certificate_verify();
    case State::send_server_finished: return do_send_server_finished();
    case State::read_client_certificate: return do_read_client_certificate();
    case State::read_client_certificate_verify: return do_read_client_certificate_verify();
    case State::read_client_finished: return do_read_client_finished();
    case State::send_tickets: return do_send_tickets();
    case State::done: return Hs::done;
  }
  return fail(Alert::internal_error, "server: bad state");
}

Status ServerHandshake13::negotiate(const ClientHello& ch) {
  const Extensions& e = ch.ext;
  // §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain exactly
  // one byte, set to zero ... [otherwise] illegal_parameter".
  if (ch.legacy_compression_methods != Bytes{0})
    return fail(Alert::illegal_parameter, "ClientHello: compression methods must be exactly {null}");
  if (ch.legacy_session_id.size() > kMaxSessionIdLength)
    return fail(Alert::decode_error, "ClientHello: legacy_session_id too long");
  VOUCH_ASSIGN(suite_, choose_cipher_suite13(suite_preference(config_->cipher_suites, ch.cipher_suites,
                                                                config_->prefer_server_cipher_order,
                                                                config_->prioritize_chacha),
                                             ch.cipher_suites));
  AeadAlg aead;
  tls13_suite_params(suite_, hash_, aead);
  // §9.2: supported_groups and key_share come together; we only do
  // (EC)DHE (psk_dhe_ke), so both are required.
  if (!e.supported_groups || !e.key_shares)
    return fail(Alert::missing_extension, "ClientHello: supported_groups and key_share are required");
  for (const KeyShareEntry& k : *e.key_shares)
    if (!contains(*e.supported_groups, k.group))
      return fail(Alert::illegal_parameter,
                  "ClientHello: key share for a group not in supported_groups (§4.2.8)");
  VOUCH_ASSIGN(group_, choose_group(config_->groups, *e.supported_groups));
  client_share_.clear();
  for (const KeyShareEntry& k : *e.key_shares)
    if (k.group == group_) client_share_ = k.key_exchange;
  if (e.psk_identities && !e.psk_key_exchange_modes)
    return fail(Alert::missing_extension,
                "ClientHello: pre_shared_key without psk_key_exchange_modes (§4.2.9)");
  if (e.server_name) core_.info.server_name = *e.server_name;
  client_offered_pha_ = e.post_handshake_auth;
  // The application's look at the name first (OpenSSL's servername
  // callback), then the ALPN choice, which it may have influenced.
  VOUCH_ASSIGN(ack_server_name_, run_server_name_hook(*config_, core_.info.server_name));
  VOUCH_ASSIGN(auto alpn, select_alpn(*config_, e.alpn));
  core_.info.alpn = alpn.value_or("");
  return {};
}

Status ServerHandshake13::check_second_client_hello(const ClientHello& ch) {
  // §4.1.2: the second ClientHello repeats the first, except for the key
  // share, the cookie, early_data and the PSK binders.
  if (ch.legacy_session_id != client_session_id_)
    return fail(Alert::illegal_parameter, "second ClientHello: legacy_session_id changed");
  if (!cookie_.empty() && (!ch.ext.cookie || *ch.ext.cookie != cookie_))
    return fail(Alert::illegal_parameter, "second ClientHello: cookie missing or altered");
  if (!ch.ext.key_shares || ch.ext.key_shares->size() != 1 ||
      ch.ext.key_shares->front().group != group_)
    return fail(Alert::illegal_parameter,
                "second ClientHello: unexpected group: must carry exactly one key share, for the group we asked for");
  if (ch.ext.early_data)
    return fail(Alert::illegal_parameter, "second ClientHello: early_data after HelloRetryRequest");
  return {};
}

Result<Hs> ServerHandshake13::do_read_client_hello() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::client_hello))
    return unexpected(*m, "ClientHello");
  ClientHello ch;
  VOUCH_TRY(parse(m->body, ch));
  // §4.2.1: the highest version both sides speak picks the state machine.
  VOUCH_ASSIGN(const ProtocolVersion version, choose_version(*config_, ch));
  if (version == ProtocolVersion::tls12) {
    // §4.1.4: a client answering a HelloRetryRequest must stay with 1.3.
    if (hrr_sent_)
      return fail(Alert::illegal_parameter,
                  "second ClientHello: TLS 1.3 no longer offered after a HelloRetryRequest");
    client_hello_.assign(m->message.begin(), m->message.end());
    client_hello12_ = std::make_unique<ClientHello>(std::move(ch));
    return Hs::version_switch;  // the TLS 1.2 machine takes the ClientHello
  }

  core_.client_random = ch.random;
  // §4.2.10: vouch never accepts 0-RTT. Early data sent with the first
  // ClientHello is skipped (Connection::Impl::on_record); the second
  // ClientHello, which may not offer it (§4.1.2), ends the skipping.
  core_.skip_early_data = ch.ext.early_data && !hrr_sent_;
  const CipherSuite hrr_suite = suite_;
  const NamedGroup hrr_group = group_;
  VOUCH_TRY(negotiate(ch));
  if (hrr_sent_) {
    if (suite_ != hrr_suite || group_ != hrr_group)
      return fail(Alert::illegal_parameter,
                  "second ClientHello: negotiation differs from the HelloRetryRequest");
    VOUCH_TRY(check_second_client_hello(ch));
  } else {
    client_session_id_ = ch.legacy_session_id;
    const bool need_share = client_share_.empty();
    if (need_share || config_->require_cookie)
      return send_hello_retry_request(*m, ch, need_share);
  }

  if (config_->allow_resumption && ticket_keys_ && ch.ext.psk_identities &&
      contains(*ch.ext.psk_key_exchange_modes, kPskDheKe))
    VOUCH_TRY(try_resumption(*m, ch));
  if (!psk_) {
    // §4.2.3 / §9.2: certificate authentication needs signature_algorithms.
    if (!ch.ext.signature_algorithms)
      return fail(Alert::missing_extension, "ClientHello: no signature_algorithms");
    hello_.server_name = ch.ext.server_name.value_or("");
    hello_.signature_schemes = *ch.ext.signature_algorithms;
    // RFC 6066 §8; a status_type other than ocsp leaves status_request unset.
    hello_.status_requested = ch.ext.status_request.has_value();
    hello_.alpn = core_.info.alpn;
    client_wants_status_ = hello_.status_requested;
  }

  // Our key share (§4.2.8) is computed now, so that a bad client share fails
  // before the application is asked for a certificate and before we answer.
  VOUCH_ASSIGN(KeyShare share, KeyShare::generate(group_));
  VOUCH_ASSIGN(ecdhe_, share.derive(client_share_));
  server_share_ = share.public_key();
  if (!client_hello_hashed_) client_hello_.assign(m->message.begin(), m->message.end());
  state_ = State::choose_credential;
  return Hs::ok;
}

Result<Hs> ServerHandshake13::do_choose_credential() {
  // A PSK handshake authenticates with the PSK: no Certificate (§2.2), so
  // nothing to choose and no credential source to ask.
  if (!psk_) {
    VOUCH_ASSIGN(const bool chosen, settle_credential());
    // Suspends before anything of the answer is written or enters the
    // transcript: the next step re-enters this state.
    if (!chosen) return Hs::server_certificate;
  }
  state_ = State::send_server_hello;
  return Hs::ok;
}

Result<bool> ServerHandshake13::settle_credential() {
  VOUCH_ASSIGN(const bool settled, sources_.settle(hello_));
  if (!settled) return false;
  // The schemes we sign with (CommonConfig::signing_schemes), else the ones
  // we accept.
  const auto& ours = !config_->signing_schemes.empty()   ? config_->signing_schemes
                     : config_->signature_schemes.empty() ? default_signature_schemes()
                                                          : config_->signature_schemes;
  const std::optional<std::string> sni =
      hello_.server_name.empty() ? std::nullopt : std::optional<std::string>(hello_.server_name);
  VOUCH_ASSIGN(CredentialChoice c, choose_credential(sources_.list(), ours, hello_.signature_schemes, sni));
  credential_ = c;
  return true;
}

Result<Hs> ServerHandshake13::do_send_server_hello() {
  // ServerHello (§4.1.3). legacy_session_id_echo: the first ClientHello's
  // session id, which a second one must repeat (check_second_client_hello).
  ServerHello sh;
  VOUCH_TRY(random_public_bytes(sh.random));
  sh.legacy_session_id_echo = client_session_id_;
  sh.cipher_suite = suite_;
  sh.ext.selected_version = ProtocolVersion::tls13;
  sh.ext.key_share = KeyShareEntry{group_, server_share_};
  if (psk_) sh.ext.psk_selected_identity = psk_index_;

  core_.info.version = ProtocolVersion::tls13;
  core_.info.cipher_suite = suite_;
  core_.info.group = group_;
  core_.info.resumed = psk_.has_value();
  if (!client_hello_hashed_) {
    if (!core_.transcript.selected()) VOUCH_TRY(core_.transcript.select(hash_));
    VOUCH_TRY(core_.transcript.update(client_hello_));
    client_hello_ = Bytes();
  }
  VOUCH_TRY(core_.send_message(HandshakeType::server_hello, sh));
  VOUCH_TRY(core_.flush_handshake());
  // §D.4: the server's dummy CCS follows its first handshake message, when
  // the client asked for compatibility mode (non-empty session id).
  if (!client_session_id_.empty()) core_.send_ccs();

  // try_resumption started the schedule with the PSK it accepted;
  // otherwise the Early Secret is the no-PSK one (RFC 8446 §7.1).
  if (!schedule_) {
    schedule_.emplace(hash_);
    VOUCH_TRY(schedule_->start(psk_ ? ByteView(*psk_) : ByteView()));
  }
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  Status derived = schedule_->handshake(ecdhe_, th);
  wipe_memory(ecdhe_);
  ecdhe_.clear();
  VOUCH_TRY(std::move(derived));
  core_.log_secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", schedule_->client_handshake_secret());
  core_.log_secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", schedule_->server_handshake_secret());
  VOUCH_TRY(core_.install_write_key(schedule_->server_handshake_secret()));
  VOUCH_TRY(core_.install_read_key(schedule_->client_handshake_secret()));
  state_ = State::send_server_flight;
  return Hs::ok;
}

Result<Hs> ServerHandshake13::send_hello_retry_request(const HandshakeMessage& m,
                                                       const ClientHello& ch, bool need_share) {
  // §4.1.4
  ServerHello hrr;
  hrr.random = kHelloRetryRequestRandom;
  hrr.legacy_session_id_echo = ch.legacy_session_id;
  hrr.cipher_suite = suite_;
  hrr.ext.selected_version = ProtocolVersion::tls13;
  if (need_share) hrr.ext.key_share_selected_group = group_;
  if (config_->require_cookie) {
    cookie_.resize(32);
    VOUCH_TRY(random_public_bytes(cookie_));
    hrr.ext.cookie = cookie_;
  }
  VOUCH_TRY(core_.transcript.select(hash_));
  VOUCH_TRY(core_.transcript.update(m.message));
  VOUCH_TRY(core_.transcript.restart_with_message_hash());
  VOUCH_TRY(core_.send_message(HandshakeType::server_hello, hrr));
  VOUCH_TRY(core_.flush_handshake());
  if (!ch.legacy_session_id.empty()) core_.send_ccs();
  hrr_sent_ = true;
  core_.info.hello_retry_request = true;
  return Hs::read_message;
}

Status ServerHandshake13::try_resumption(const HandshakeMessage& m, const ClientHello& ch) {
  const auto& ids = *ch.ext.psk_identities;
  if (ch.ext.psk_binders.size() != ids.size())
    return fail(Alert::illegal_parameter, "ClientHello: PSK identities and binders differ in number");
  for (size_t i = 0; i < ids.size(); ++i) {
    auto opened = ticket_keys_->open(ids[i].identity);
    if (!opened) continue;  // §4.2.11: unknown PSKs are simply not selected
    auto t = decode_ticket(*opened);
    if (!t) continue;
    HashAlg th;
    AeadAlg ta;
    if (t->version != 0x0304 || !tls13_suite_params(t->cipher_suite, th, ta) || th != hash_)
      continue;
    if (unix_seconds_now() >= t->issued_at + t->lifetime) continue;
    if (t->server_name != core_.info.server_name || t->context != config_->session_id_context) continue;
    // A server that requires client certificates only resumes sessions in
    // which the client authenticated (§4.3.2: no CertificateRequest in a
    // PSK handshake, so the identity must come from the ticket).
    if (config_->client_auth == ClientAuth::required && t->client_chain.empty()) continue;
    // The binder proves the client holds the PSK (§4.2.11.2); a PSK we can
    // open whose binder fails is a fatal decrypt_error.
    if (ch.binders_length == 0 || ch.binders_length > m.message.size())
      return fail(Alert::internal_error, "ClientHello: binders not located");
    // §4.2.11.2: the binder covers the transcript up to the ClientHello
    // without its binders. The ClientHello goes into the transcript here, in
    // two parts around that snapshot: if the binder fails the handshake
    // ends, and if it holds this is the ClientHello the handshake goes on
    // with (do_send_server_hello does not hash it again).
    const ByteView truncated = m.message.first(m.message.size() - ch.binders_length);
    if (!core_.transcript.selected()) VOUCH_TRY(core_.transcript.select(hash_));
    VOUCH_TRY(core_.transcript.update(truncated));
    VOUCH_ASSIGN(const HashValue hash, core_.transcript.current());
    VOUCH_TRY(core_.transcript.update(m.message.subspan(truncated.size())));
    client_hello_hashed_ = true;
    // The schedule starts here, with this PSK: the binder needs its Early
    // Secret, and do_send_server_hello goes on from it.
    schedule_.emplace(hash_);
    VOUCH_TRY(schedule_->start(t->psk));
    VOUCH_ASSIGN(Bytes binder_key, schedule_->binder_key(false));
    VOUCH_ASSIGN(Bytes expected, finished_verify_data(hash_, binder_key, hash));
    const Bytes& got = ch.ext.psk_binders[i];
    if (!constant_time_equal(got, expected))
      return fail(Alert::decrypt_error, "ClientHello: PSK binder does not match the transcript");
    psk_ = t->psk;
    psk_index_ = static_cast<uint16_t>(i);
    ticket_client_chain_ = t->client_chain;
    return {};
  }
  return {};
}

Result<Hs> ServerHandshake13::do_send_server_flight() {
  // Suspends, if at all, before anything of the flight is written.
  if (!psk_) {
    VOUCH_ASSIGN(const bool settled, sources_.settle_staples(*credential_->credential, core_.info.server_name,
                                                              client_wants_status_));
    if (!settled) return Hs::ocsp_staple;
  }
  EncryptedExtensions ee;
  if (!core_.info.alpn.empty()) ee.ext.alpn = std::vector<std::string>{core_.info.alpn};
  if (ack_server_name_ && !core_.info.server_name.empty() && !psk_) ee.ext.server_name_ack = true;
  VOUCH_TRY(core_.send_message(HandshakeType::encrypted_extensions, ee));
  if (psk_) {
    // The client identity established by the original handshake.
    core_.peer_chain = ticket_client_chain_;
    core_.verified_peer_chain = ticket_client_chain_;
    state_ = State::send_server_finished;
    return Hs::ok;
  }
  if (config_->client_auth != ClientAuth::none) {
    // §4.3.2: in the main handshake the context is empty.
    VOUCH_TRY(check_signature_schemes(*config_));
    VOUCH_TRY(core_.send_message(HandshakeType::certificate_request, make_certificate_request({})));
    cert_requested_ = true;
  }
  VOUCH_ASSIGN(Certificate cert, server_certificate());
  VOUCH_TRY(core_.send_message(HandshakeType::certificate, cert));
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  certificate_verify_input_ = certificate_verify_input(/*server=*/true, th);
  state_ = State::send_certificate_verify;
  return Hs::ok;
}

Result<Hs> ServerHandshake13::do_send_certificate_verify() {
  // §4.4.3, with the credential's key or its external signer, which may
  // answer later (Wait::private_key_operation): this state is re-entered
  // with the same input until it has. The signature is checked against the
  // certificate before it is sent (CredentialSigning).
  VOUCH_ASSIGN(std::optional<Bytes> sig,
               signing_.run(*credential_->credential, credential_->scheme, certificate_verify_input_));
  if (!sig) return Hs::private_key;
  CertificateVerify cv;
  cv.algorithm = credential_->scheme;
  cv.signature = std::move(*sig);
  certificate_verify_input_.clear();
  VOUCH_TRY(core_.send_message(HandshakeType::certificate_verify, cv));
  state_ = State::send_server_finished;
  return Hs::ok;
}

Result<Hs> ServerHandshake13::do_send_server_finished() {
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  Finished fin;
  VOUCH_ASSIGN(fin.verify_data, finished_verify_data(hash_, schedule_->server_handshake_secret(), th));
  VOUCH_TRY(core_.send_message(HandshakeType::finished, fin));
  VOUCH_ASSIGN(HashValue th_sf, core_.transcript.current());
  VOUCH_TRY(schedule_->master(th_sf));
  log_application_secrets(core_, *schedule_);
  VOUCH_TRY(core_.install_write_key(schedule_->server_application_secret()));
  state_ = cert_requested_ ? State::read_client_certificate : State::read_client_finished;
  return Hs::read_message;
}

Result<Certificate> ServerHandshake13::server_certificate() const {
  const Credential& cred = *credential_->credential;
  Certificate cert;
  for (const Bytes& der : cred.chain_der()) cert.certificate_list.push_back({der, {}});
  const std::vector<Bytes>& staples = sources_.staples();
  if (staples.size() > cert.certificate_list.size())
    return fail(Alert::internal_error, "OCSP staple hook returned more staples than certificates");
  for (size_t i = 0; i < staples.size(); ++i) {
    if (staples[i].empty()) continue;
    // In TLS 1.3 the CertificateStatus (type byte + 24-bit length + the
    // response) lives in an extension, whose body holds at most 2^16-1
    // bytes (§4.2). Anything that fits is sent as given: the peer judges it.
    constexpr size_t kMaxStaple = 0xFFFF - 4;
    if (staples[i].size() > kMaxStaple)
      return fail(Alert::internal_error, "OCSP staple for chain certificate " + std::to_string(i) + " is " +
                                             std::to_string(staples[i].size()) + " bytes; a TLS 1.3 " +
                                             "CertificateEntry extension holds at most " +
                                             std::to_string(kMaxStaple));
    cert.certificate_list[i].ext.ocsp_response = staples[i];
  }
  return cert;
}

CertificateRequest ServerHandshake13::make_certificate_request(Bytes context) const {
  CertificateRequest cr;
  cr.certificate_request_context = std::move(context);
  cr.ext.signature_algorithms = config_->signature_schemes.empty() ? default_signature_schemes()
                                                                   : implemented_schemes(config_->signature_schemes);
  cr.ext.signature_algorithms_cert = default_certificate_signature_schemes();
  // §4.2.4: by default, the subjects of the anchors we verify clients with.
  const std::vector<Bytes>& names =
      config_->client_ca_names ? *config_->client_ca_names : config_->client_trust.subject_names();
  if (!names.empty()) cr.ext.certificate_authorities = names;
  // §4.4.2.1: "A server MAY request that a client present an OCSP response
  // with its certificate by sending an empty "status_request" extension in
  // its CertificateRequest message."
  cr.ext.status_request_empty = config_->request_client_ocsp;
  return cr;
}

Status ServerHandshake13::on_client_certificate(const Certificate& cert,
                                                ByteView expected_context) {
  client_.reset();
  if (!std::equal(cert.certificate_request_context.begin(), cert.certificate_request_context.end(),
                  expected_context.begin(), expected_context.end()))
    return fail(Alert::illegal_parameter,
                "client Certificate: certificate_request_context does not match the request");
  if (cert.certificate_list.empty()) {
    // §4.4.2.4: "If the client does not send any certificates (i.e., it
    // sends an empty Certificate message), the server MAY at its discretion
    // either continue the handshake without client authentication, or abort
    // the handshake with a "certificate_required" alert."
    if (config_->client_auth == ClientAuth::required)
      return fail(Alert::certificate_required,
                  "client sent no certificate, but this server requires one");
    return {};
  }
  std::vector<Bytes> chain;
  std::vector<std::optional<Bytes>> staples;
  for (const CertificateEntry& e : cert.certificate_list) {
    // §4.4.2: entry extensions must answer ones in our CertificateRequest;
    // the only one we may ask for is status_request (§4.4.2.1).
    for (uint16_t type : e.ext.present) {
      if (type != static_cast<uint16_t>(ExtensionType::status_request) || !config_->request_client_ocsp)
        return fail(Alert::unsupported_extension,
                    "client Certificate: extension in an entry that the server did not request");
    }
    chain.push_back(e.cert_data);
    staples.push_back(e.ext.ocsp_response);
  }
  VOUCH_ASSIGN(VerifiedClient verified,
               verify_client_chain(*config_, std::move(chain), staples, config_->request_client_ocsp));
  client_.emplace(std::move(verified));
  return {};
}

Status ServerHandshake13::on_client_certificate_verify(const CertificateVerify& cv,
                                                       ByteView transcript_hash,
                                                       bool post_handshake) {
  const std::vector<SignatureScheme> ours = config_->signature_schemes.empty()
                                                ? default_signature_schemes()
                                                : implemented_schemes(config_->signature_schemes);
  // §4.4.3: the scheme must be one we offered in signature_algorithms.
  const Bytes content = certificate_verify_input(/*server=*/false, transcript_hash);
  VOUCH_TRY(check_client_certificate_verify(*config_, ours, /*tls13=*/true, *client_, cv, content, post_handshake));
  core_.info.peer_signature_scheme = cv.algorithm;  // the client's, as a client records the server's
  core_.peer_chain = client_->chain;
  core_.verified_peer_chain = client_->verified_chain;
  core_.peer_ocsp = client_->ocsp;
  return {};
}

Result<Hs> ServerHandshake13::do_read_client_certificate() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::certificate))
    return unexpected(*m, "client Certificate");
  Certificate cert;
  VOUCH_TRY(parse(m->body, cert));
  VOUCH_TRY(on_client_certificate(cert, {}));
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = client_ ? State::read_client_certificate_verify : State::read_client_finished;
  return Hs::ok;
}

Result<Hs> ServerHandshake13::do_read_client_certificate_verify() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::certificate_verify))
    return unexpected(*m, "client CertificateVerify");
  CertificateVerify cv;
  VOUCH_TRY(parse(m->body, cv));
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  VOUCH_TRY(on_client_certificate_verify(cv, th, false));
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = State::read_client_finished;
  return Hs::ok;
}

Status ServerHandshake13::request_client_certificate() {
  if (!core_.handshake_done)
    return fail(Alert::internal_error, "post-handshake authentication needs a completed handshake");
  if (!client_offered_pha_)
    return fail(Alert::internal_error,
                "the client did not offer post_handshake_auth (RFC 8446 §4.2.6)");
  if (pha_) return fail(Alert::internal_error, "a post-handshake CertificateRequest is already pending");
  VOUCH_TRY(check_signature_schemes(*config_));
  Pha p;
  p.context.resize(16);
  VOUCH_TRY(random_public_bytes(p.context));
  VOUCH_ASSIGN(p.transcript, core_.transcript.clone());
  Bytes body;
  Writer w(body);
  write(w, make_certificate_request(p.context));
  Bytes msg;
  frame_handshake(HandshakeType::certificate_request, body, msg);
  VOUCH_TRY(p.transcript.update(msg));
  core_.trace_sent(msg);
  VOUCH_TRY(core_.write_record(ContentType::handshake, msg));
  pha_ = std::move(p);
  return {};
}

Status ServerHandshake13::post_handshake(const HandshakeMessage& m) {
  if (!pha_) return unexpected(m, "no post-handshake message");
  switch (pha_->step) {
    case Pha::Step::certificate: {
      if (m.type != static_cast<uint8_t>(HandshakeType::certificate))
        return unexpected(m, "client Certificate (post-handshake)");
      Certificate cert;
      VOUCH_TRY(parse(m.body, cert));
      VOUCH_TRY(on_client_certificate(cert, pha_->context));
      VOUCH_TRY(pha_->transcript.update(m.message));
      pha_->step = client_ ? Pha::Step::certificate_verify : Pha::Step::finished;
      return {};
    }
    case Pha::Step::certificate_verify: {
      if (m.type != static_cast<uint8_t>(HandshakeType::certificate_verify))
        return unexpected(m, "client CertificateVerify (post-handshake)");
      CertificateVerify cv;
      VOUCH_TRY(parse(m.body, cv));
      VOUCH_ASSIGN(HashValue th, pha_->transcript.current());
      VOUCH_TRY(on_client_certificate_verify(cv, th, true));
      VOUCH_TRY(pha_->transcript.update(m.message));
      pha_->step = Pha::Step::finished;
      return {};
    }
    case Pha::Step::finished: {
      if (m.type != static_cast<uint8_t>(HandshakeType::finished))
        return unexpected(m, "client Finished (post-handshake)");
      Finished fin;
      VOUCH_TRY(parse(m.body, hash_length(hash_), fin));
      // §4.4: the post-handshake Finished key comes from the current client
      // application traffic secret.
      VOUCH_ASSIGN(HashValue th, pha_->transcript.current());
      VOUCH_ASSIGN(Bytes expected, finished_verify_data(hash_, core_.client_app_secret, th));
      if (!constant_time_equal(expected, fin.verify_data))
        return fail(Alert::decrypt_error, "client Finished (post-handshake): verify_data does not match the transcript");
      pha_.reset();
      return {};
    }
  }
  return fail(Alert::internal_error, "post-handshake authentication: bad step");
}

Result<Hs> ServerHandshake13::do_read_client_finished() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::finished)) return unexpected(*m, "Finished");
  Finished fin;
  VOUCH_TRY(parse(m->body, hash_length(hash_), fin));
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  VOUCH_ASSIGN(Bytes expected, finished_verify_data(hash_, schedule_->client_handshake_secret(), th));
  if (!constant_time_equal(expected, fin.verify_data))
    return fail(Alert::decrypt_error, "client Finished: verify_data does not match the transcript");
  VOUCH_TRY(core_.transcript.update(m->message));
  VOUCH_ASSIGN(HashValue th_cf, core_.transcript.current());
  VOUCH_TRY(schedule_->resumption(th_cf));
  VOUCH_TRY(core_.install_read_key(schedule_->client_application_secret()));
  keep_application_secrets(core_, *schedule_);
  state_ = State::send_tickets;
  return Hs::ok;
}

void ServerHandshake13::release_after_handshake() {
  // §4.4.1: post-handshake authentication hashes on from the client's
  // Finished, so the running transcript stays while the client offered it
  // (§4.2.6); otherwise nothing hashes it again.
  core_.release_after_handshake(client_offered_pha_);
  // The tickets went out with the handshake (do_send_tickets) and vouch
  // sends none later, so nothing derives from the resumption secret again.
  wipe_memory(core_.resumption_master_secret);
  Bytes().swap(core_.resumption_master_secret);
  // The key schedule's handshake secrets: the traffic secrets KeyUpdate
  // derives from and the exporter secret are in core_.
  schedule_.reset();
  Bytes().swap(certificate_verify_input_);
  Bytes().swap(client_hello_);
  Bytes().swap(client_share_);
  Bytes().swap(server_share_);
  Bytes().swap(cookie_);
  psk_.reset();
}

Result<Hs> ServerHandshake13::do_send_tickets() {
  const unsigned wanted = config_->tickets_for(core_.info.resumed);
  const bool tickets = config_->allow_resumption && ticket_keys_ && wanted > 0;
  for (; tickets && tickets_sent_ < wanted && tickets_sent_ < 256; ++tickets_sent_) {
    NewSessionTicket nst;
    nst.ticket_lifetime = std::min(config_->ticket_lifetime_seconds, kMaxTicketLifetime);
    uint8_t age_add[4];
    VOUCH_TRY(random_public_bytes(age_add));
    nst.ticket_age_add = (uint32_t{age_add[0]} << 24) | (uint32_t{age_add[1]} << 16) |
                         (uint32_t{age_add[2]} << 8) | age_add[3];
    // §4.6.1: the nonce must be unique among tickets of this connection.
    nst.ticket_nonce = {static_cast<uint8_t>(tickets_sent_)};
    TicketContents t;
    t.cipher_suite = suite_;
    VOUCH_ASSIGN(t.psk, resumption_psk(hash_, core_.resumption_master_secret, nst.ticket_nonce));
    t.issued_at = unix_seconds_now();
    t.lifetime = nst.ticket_lifetime;
    t.age_add = nst.ticket_age_add;
    t.server_name = core_.info.server_name;
    t.alpn = core_.info.alpn;
    t.client_chain = client_ ? client_->verified_chain : ticket_client_chain_;
    t.context = config_->session_id_context;
    VOUCH_ASSIGN(nst.ticket, ticket_keys_->seal(encode_ticket(t)));
    // Post-handshake messages are not part of the transcript (§4.4.1).
    VOUCH_ASSIGN(const Bytes msg, ConnCore::encode_message(HandshakeType::new_session_ticket, nst));
    core_.trace_sent(msg);
    core_.hs_out.insert(core_.hs_out.end(), msg.begin(), msg.end());
  }
  VOUCH_TRY(core_.flush_handshake());
  state_ = State::done;
  return Hs::done;
}

}  // namespace vouch
