#include "handshake/server12.h"

#include <algorithm>

#include "cert/public_key.h"
#include "cert/verify_chain.h"
#include "crypto/compare.h"
#include "crypto/random.h"
#include "crypto/signature.h"
#include "crypto/wipe.h"
#include "handshake/client_verification.h"
#include "handshake/ticket.h"
#include "revocation/peer_check.h"

namespace vouch {

namespace {

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

constexpr uint8_t kPointUncompressed = 0;     // RFC 8422 §5.1.2
constexpr uint8_t kCompressionNull = 0;       // RFC 5246 §7.4.1.2
constexpr size_t kSessionIdLength = 32;       // RFC 5246 §7.4.1.2: opaque SessionID<0..32>
// A handshake message body has a uint24 length (RFC 5246 §7.4), which
// bounds a CertificateStatus, its OCSPResponse and its ocsp_response_list.
constexpr size_t kMaxCertificateStatus = (1u << 24) - 1;

}  // namespace

ServerHandshake12::~ServerHandshake12() { wipe_memory(master_secret_); }

ServerHandshake12::ServerHandshake12(ConnCore& core, std::shared_ptr<const ServerConfig> config,
                                     std::shared_ptr<TicketKeys> ticket_keys,
                                     std::shared_ptr<ServerSessionCache> session_cache, Bytes client_hello,
                                     std::unique_ptr<ClientHello> parsed)
    : core_(core),
      config_(std::move(config)),
      ticket_keys_(std::move(ticket_keys)),
      session_cache_(std::move(session_cache)),
      client_hello_(std::move(client_hello)),
      parsed_client_hello_(std::move(parsed)),
      sources_(*config_, core_),
      signing_(core_) {}

Result<Hs> ServerHandshake12::step() {
  switch (state_) {
    case State::process_client_hello: return do_process_client_hello();
    case State::choose_credential: return do_choose_credential();
    case State::settle_staples: return do_settle_staples();
    case State::sign_key_exchange: return do_sign_key_exchange();
    case State::send_server_flight: return do_send_server_flight();
    case State::send_resumed_flight: return do_send_resumed_flight();
    case State::read_client_certificate: return do_read_client_certificate();
    case State::read_client_key_exchange: return do_read_client_key_exchange();
    case State::read_certificate_verify: return do_read_certificate_verify();
    case State::read_change_cipher_spec: return do_read_change_cipher_spec();
    case State::read_finished: return do_read_finished();
    case State::send_finished: return do_send_finished();
    case State::done: return Hs::done;
  }
  return fail(Alert::internal_error, "server (TLS 1.2): bad state");
}

std::vector<SignatureScheme> ServerHandshake12::our_schemes() const {
  return config_->signature_schemes.empty() ? default_signature_schemes12()
                                            : implemented_schemes(config_->signature_schemes);
}

std::vector<SignatureScheme> ServerHandshake12::signing_schemes() const {
  return config_->signing_schemes.empty() ? our_schemes() : config_->signing_schemes;
}

// ---------------------------------------------------------------- ClientHello

Result<Hs> ServerHandshake12::do_process_client_hello() {
  ClientHello ch;
  if (parsed_client_hello_) {
    ch = std::move(*parsed_client_hello_);  // the TLS 1.3 machine parsed it
    parsed_client_hello_.reset();
  } else {
    VOUCH_TRY(parse(ByteView(client_hello_).subspan(kHandshakeHeaderLength), ch));
  }
  // A TLS 1.2-only extension whose body did not parse (ec_point_formats,
  // extended_master_secret, renegotiation_info, session_ticket,
  // status_request_v2): ignored had TLS 1.3 been chosen, fatal in TLS 1.2
  // with the alert its parser chose (decode_error for a malformed body).
  if (ch.ext.malformed12) return *ch.ext.malformed12;
  core_.info.version = ProtocolVersion::tls12;
  VOUCH_TRY(negotiate(ch));
  // RFC 8446 §4.1.3: a server able to speak TLS 1.3 that negotiates 1.2
  // ends its random with "DOWNGRD\x01", which 1.3 clients check.
  VOUCH_TRY(random_public_bytes(server_random_));
  if (config_->max_version == ProtocolVersion::tls13)
    std::copy(kDowngradeTls12.begin(), kDowngradeTls12.end(), server_random_.begin() + 24);
  VOUCH_TRY(try_resumption(ch));
  state_ = resumed_ ? State::send_resumed_flight : State::choose_credential;
  return Hs::ok;
}

Status ServerHandshake12::negotiate(const ClientHello& ch) {
  const Extensions& e = ch.ext;
  // RFC 5246 §7.4.1.2: the list "MUST contain ... CompressionMethod.null".
  if (!contains(ch.legacy_compression_methods, kCompressionNull))
    return fail(Alert::illegal_parameter, "ClientHello: compression methods lack null (RFC 5246 §7.4.1.2)");
  std::copy(ch.random.begin(), ch.random.end(), client_random_.begin());
  client_session_id_ = ch.legacy_session_id;
  client_suites_ = ch.cipher_suites;
  // RFC 5746 §3.6: the SCSV or an empty extension says the client supports
  // secure renegotiation; a non-empty one in an initial handshake is an
  // attack or a bug.
  if (e.renegotiation_info && !e.renegotiation_info->empty())
    return fail(Alert::handshake_failure,
                "ClientHello: renegotiation_info not empty in an initial handshake (RFC 5746 §3.6)");
  client_secure_renegotiation_ =
      e.renegotiation_info.has_value() || contains(ch.cipher_suites, CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  core_.secure_renegotiation = client_secure_renegotiation_;
  // RFC 7627 §5.2.
  ems_ = e.extended_master_secret;
  if (!ems_ && config_->require_extended_master_secret)
    return fail(Alert::handshake_failure,
                "ClientHello: no extended_master_secret (RFC 7627), which this server requires");
  // RFC 8422 §5.1.2: uncompressed points are the only ones vouch speaks.
  if (e.ec_point_formats && !contains(*e.ec_point_formats, kPointUncompressed))
    return fail(Alert::illegal_parameter, "ClientHello: ec_point_formats lacks uncompressed (RFC 8422 §5.1.2)");
  point_formats_offered_ = e.ec_point_formats.has_value();
  // RFC 8422 §4: the curves the client named; without the extension the
  // client "supports" any, and vouch picks its first.
  client_groups_ = e.supported_groups;
  if (e.supported_groups) {
    std::vector<NamedGroup> usable;
    for (NamedGroup g : *e.supported_groups)
      if (group_supported(g)) usable.push_back(g);
    VOUCH_ASSIGN(group_, choose_group(config_->groups, usable));
  } else {
    if (config_->groups.empty()) return fail(Alert::handshake_failure, "no key exchange group configured");
    group_ = config_->groups.front();
  }
  // RFC 5246 §7.4.1.4.1: without signature_algorithms a client accepts only
  // SHA-1, which vouch never signs with: the choice below then fails.
  client_schemes_ = e.signature_algorithms.value_or(std::vector<SignatureScheme>{});
  if (e.server_name) core_.info.server_name = *e.server_name;
  // The application's look at the name first (OpenSSL's servername
  // callback), then the ALPN choice, which it may have influenced.
  VOUCH_ASSIGN(ack_server_name_, run_server_name_hook(*config_, core_.info.server_name));
  VOUCH_ASSIGN(auto alpn, select_alpn(*config_, e.alpn));
  core_.info.alpn = alpn.value_or("");
  client_wants_status_ = e.status_request.has_value();
  // RFC 6961 §2.2: status_request_v2 lists the status types the client
  // accepts, favourite first (types vouch does not know were skipped).
  client_status_v2_.clear();
  if (e.status_request_v2)
    for (const StatusRequestV2Item& item : *e.status_request_v2) client_status_v2_.push_back(item.status_type);
  client_wants_ticket_ = e.session_ticket.has_value();
  hello_.version = ProtocolVersion::tls12;
  hello_.server_name = core_.info.server_name;
  hello_.signature_schemes = client_schemes_;
  hello_.status_requested = client_wants_status_ || !client_status_v2_.empty();
  hello_.alpn = core_.info.alpn;
  return {};
}

bool ServerHandshake12::resumable(const TicketContents& t, const ClientHello&) const {
  Suite12 params;
  if (t.version != static_cast<uint16_t>(ProtocolVersion::tls12) || !tls12_suite_params(t.cipher_suite, params))
    return false;
  if (t.psk.size() != kMasterSecretLength) return false;
  if (unix_seconds_now() >= t.issued_at + t.lifetime) return false;
  // RFC 5246 §7.4.1.2: the resumed session's suite must be offered (and
  // still allowed here).
  if (!contains(client_suites_, t.cipher_suite) || !contains(config_->cipher_suites12, t.cipher_suite)) return false;
  // RFC 6066 §3: a session is only resumed for the name it was made for,
  // and by a server of the same context (ServerConfig::session_id_context).
  if (t.server_name != core_.info.server_name || t.context != config_->session_id_context) return false;
  // A server that requires client certificates never resumes a session in
  // which the client did not authenticate.
  if (config_->client_auth_tls12() == ClientAuth::required && t.client_chain.empty()) return false;
  return true;
}

Status ServerHandshake12::try_resumption(const ClientHello& ch) {
  if (!config_->allow_resumption) return {};
  std::optional<TicketContents> found;
  bool by_ticket = false;
  if (ch.ext.session_ticket && !ch.ext.session_ticket->empty() && ticket_keys_) {
    // RFC 5077 §3.4: a ticket that does not open or does not fit simply
    // leads to a full handshake.
    if (auto opened = ticket_keys_->open(*ch.ext.session_ticket))
      if (auto t = decode_ticket(*opened); t && resumable(*t, ch)) found = std::move(*t);
    by_ticket = found.has_value();
  }
  if (!found && !client_session_id_.empty() && session_cache_) {
    if (auto state = session_cache_->get(client_session_id_))
      if (auto t = decode_ticket(*state); t && resumable(*t, ch)) found = std::move(*t);
  }
  if (!found) return {};
  // RFC 7627 §5.3: every session vouch keeps used the extended master
  // secret; "If the original session used the extension but the new
  // ClientHello does not contain it, the server MUST abort the abbreviated
  // handshake."
  if (!ems_)
    return fail(Alert::handshake_failure,
                "ClientHello: resumption without extended_master_secret (RFC 7627 §5.3)");
  resumed_ = true;
  tls12_suite_params(found->cipher_suite, suite_);
  core_.info.cipher_suite = found->cipher_suite;
  core_.info.resumed = true;
  master_secret_ = std::move(found->psk);
  session_client_chain_ = std::move(found->client_chain);
  // RFC 5077 §3.4: the server echoes the client's session ID on resumption.
  session_id_ = client_session_id_;
  // RFC 5077 §3.3 lets the server renew the ticket in an abbreviated
  // handshake. vouch renews it once it has lived half its lifetime (or when
  // the session came by ID): a client keeps resuming with a fresh enough
  // ticket without a new one being sealed every time.
  const bool ticket_is_young = by_ticket && unix_seconds_now() < found->issued_at + found->lifetime / 2;
  send_ticket_ = client_wants_ticket_ && ticket_keys_ && config_->sends_tickets12() && !ticket_is_young;
  return {};
}

// ---------------------------------------------------------------- the server's flight

Result<Hs> ServerHandshake12::do_choose_credential() {
  // Suspends (an asynchronous credential source) before anything of the
  // answer is written or hashed.
  VOUCH_ASSIGN(const bool settled, sources_.settle(hello_));
  if (!settled) return Hs::server_certificate;
  const std::optional<std::string> sni =
      hello_.server_name.empty() ? std::nullopt : std::optional<std::string>(hello_.server_name);
  VOUCH_ASSIGN(choice_, choose_suite_and_credential12(suite_preference(config_->cipher_suites12, client_suites_,
                                                                       config_->prefer_server_cipher_order,
                                                                       config_->prioritize_chacha),
                                                      client_suites_, sources_.list(),
                                                      signing_schemes(), client_schemes_, sni, client_groups_));
  tls12_suite_params(choice_->suite, suite_);
  core_.info.cipher_suite = choice_->suite;
  core_.info.group = group_;  // the ECDHE curve of the ServerKeyExchange
  state_ = State::settle_staples;
  return Hs::ok;
}

Result<Hs> ServerHandshake12::do_settle_staples() {
  const Credential& cred = *choice_->credential;
  VOUCH_ASSIGN(const bool settled,
               sources_.settle_staples(cred, core_.info.server_name, hello_.status_requested));
  if (!settled) return Hs::ocsp_staple;
  const std::vector<Bytes>& staples = sources_.staples();
  if (staples.size() > cred.chain_der().size())
    return fail(Alert::internal_error, "OCSP staple hook returned more staples than certificates");
  VOUCH_TRY(choose_status_answer(staples, cred.chain_der().size()));
  state_ = State::sign_key_exchange;
  return Hs::ok;
}

Status ServerHandshake12::choose_status_answer(const std::vector<Bytes>& staples, size_t chain_length) {
  status_answer_ = StatusAnswer::none;
  certificate_status_.reset();
  const bool have_leaf = !staples.empty() && !staples[0].empty();
  const bool have_any = std::any_of(staples.begin(), staples.end(), [](const Bytes& b) { return !b.empty(); });
  // RFC 6961 §2.2: the items are "ordered according to the client's
  // preference"; the first one this server has something for wins.
  // ocsp_multi carries every certificate's status, ocsp the leaf's only.
  for (CertificateStatusType t : client_status_v2_) {
    if (t == CertificateStatusType::ocsp_multi && have_any) {
      status_answer_ = StatusAnswer::v2_ocsp_multi;
      break;
    }
    if (t == CertificateStatusType::ocsp && have_leaf) {
      status_answer_ = StatusAnswer::v2_ocsp;
      break;
    }
  }
  // RFC 6066 §8: status_request carries only the leaf's status. A client
  // that also offered status_request_v2 with a type vouch knows was
  // answered above if anything could be (§1: a single status method, never
  // both acknowledged).
  if (status_answer_ == StatusAnswer::none && client_wants_status_ && have_leaf)
    status_answer_ = StatusAnswer::v1_ocsp;
  if (status_answer_ == StatusAnswer::none) return {};

  CertificateStatus cs;
  if (status_answer_ == StatusAnswer::v2_ocsp_multi) {
    // RFC 6961 §2.2: "the first entry is the OCSP response for the first
    // certificate in the Certificate list, the second entry is the response
    // for the second certificate, and so on"; an empty entry where there is
    // none. One entry per certificate sent.
    cs.status_type = CertificateStatusType::ocsp_multi;
    cs.ocsp_response_list = staples;
    cs.ocsp_response_list.resize(chain_length);
  } else {
    cs.status_type = CertificateStatusType::ocsp;
    cs.ocsp_response = staples[0];
  }
  if (certificate_status_body_size(cs) > kMaxCertificateStatus)
    return fail(Alert::internal_error, "the OCSP staples do not fit a CertificateStatus (2^24-1 bytes)");
  certificate_status_ = std::move(cs);
  return {};
}

Result<Hs> ServerHandshake12::do_sign_key_exchange() {
  // RFC 8422 §5.4: the signature covers both randoms and our ECDHE
  // parameters, not the transcript, so it is made before anything is sent:
  // a signer that answers later, fails, or holds the wrong key stops the
  // handshake before the server has said anything.
  if (!share_) {
    VOUCH_ASSIGN(KeyShare share, KeyShare::generate(group_));
    share_.emplace(std::move(share));
    ske_content_ = server_key_exchange_signed_content(client_random_, server_random_, group_, share_->public_key());
  }
  VOUCH_ASSIGN(std::optional<Bytes> sig, signing_.run(*choice_->credential, choice_->scheme, ske_content_));
  if (!sig) return Hs::private_key;
  ske_signature_ = std::move(*sig);
  state_ = State::send_server_flight;
  return Hs::ok;
}

Status ServerHandshake12::send_server_hello() {
  ServerHello sh;
  sh.legacy_version = 0x0303;
  sh.random = server_random_;
  sh.legacy_session_id_echo = session_id_;
  sh.cipher_suite = core_.info.cipher_suite;
  sh.legacy_compression_method = kCompressionNull;
  Extensions& e = sh.ext;
  if (client_secure_renegotiation_) e.renegotiation_info = Bytes{};  // RFC 5746 §3.6
  e.extended_master_secret = ems_;                                     // RFC 7627 §5.2
  if (point_formats_offered_) e.ec_point_formats = std::vector<uint8_t>{kPointUncompressed};
  if (!core_.info.alpn.empty()) e.alpn = std::vector<std::string>{core_.info.alpn};
  // RFC 6066 §3: "When resuming a session, the server MUST NOT include a
  // server_name extension in the server hello."
  e.server_name_ack = ack_server_name_ && !core_.info.server_name.empty() && !resumed_;
  // RFC 6066 §8 / RFC 6961 §2.2: the empty acknowledgement of the one
  // request this handshake answers with a CertificateStatus.
  e.status_request_empty = status_answer_ == StatusAnswer::v1_ocsp;
  e.status_request_v2_empty =
      status_answer_ == StatusAnswer::v2_ocsp || status_answer_ == StatusAnswer::v2_ocsp_multi;
  if (send_ticket_) e.session_ticket = Bytes{};  // RFC 5077 §3.2
  // The transcript hash is the suite's PRF hash (RFC 5246 §7.4.9). A
  // CertificateVerify will sign the messages themselves (§7.4.8).
  if (cert_requested_) core_.transcript.keep_messages();
  VOUCH_TRY(core_.transcript.select(suite_.prf_hash));
  VOUCH_TRY(core_.transcript.update(client_hello_));
  Bytes().swap(client_hello_);
  return core_.send_message(HandshakeType::server_hello, sh);
}

Result<Hs> ServerHandshake12::do_send_server_flight() {
  cert_requested_ = config_->client_auth_tls12() != ClientAuth::none;
  send_ticket_ = client_wants_ticket_ && config_->allow_resumption && ticket_keys_ && config_->sends_tickets12() && ems_;
  // A session ID names a session kept in our cache; with a ticket the client
  // holds the state and no ID is needed (RFC 5077 §3.4).
  if (!send_ticket_ && config_->allow_resumption && session_cache_ && session_cache_->stores_sessions() && ems_) {
    session_id_.resize(kSessionIdLength);
    VOUCH_TRY(random_public_bytes(session_id_));
  }
  VOUCH_TRY(send_server_hello());
  const Credential& cred = *choice_->credential;
  Certificate12 cert;
  cert.certificate_list = cred.chain_der();
  VOUCH_TRY(core_.send_message(HandshakeType::certificate, cert));
  // RFC 6066 §8, RFC 6961 §2.2: immediately after the Certificate.
  if (certificate_status_) VOUCH_TRY(core_.send_message(HandshakeType::certificate_status, *certificate_status_));
  ServerKeyExchange ske;
  ske.group = group_;
  ske.public_key = share_->public_key();
  ske.algorithm = choice_->scheme;
  ske.signature = std::move(ske_signature_);
  VOUCH_TRY(core_.send_message(HandshakeType::server_key_exchange, ske));
  if (cert_requested_) {
    // RFC 5246 §7.4.4 with RFC 8422 §5.5's ecdsa_sign.
    VOUCH_TRY(check_signature_schemes(*config_));
    CertificateRequest12 cr;
    cr.certificate_types = {kCertTypeEcdsaSign, kCertTypeRsaSign};
    cr.supported_signature_algorithms = our_schemes();
    cr.certificate_authorities =
        config_->client_ca_names ? *config_->client_ca_names : config_->client_trust.subject_names();
    VOUCH_TRY(core_.send_message(HandshakeType::certificate_request, cr));
  }
  VOUCH_TRY(core_.send_framed(HandshakeType::server_hello_done, {}));
  VOUCH_TRY(core_.flush_handshake());
  state_ = cert_requested_ ? State::read_client_certificate : State::read_client_key_exchange;
  return Hs::read_message;
}

Result<Hs> ServerHandshake12::do_send_resumed_flight() {
  // RFC 5246 §7.3, abbreviated handshake: ServerHello, [NewSessionTicket],
  // ChangeCipherSpec, Finished; no Certificate, so no staple and no
  // credential source is asked.
  VOUCH_TRY(send_server_hello());
  VOUCH_TRY(derive_key_block());
  // The client identity established by the original handshake.
  core_.peer_chain = session_client_chain_;
  core_.verified_peer_chain = session_client_chain_;
  VOUCH_TRY(send_ccs_and_finished());
  state_ = State::read_change_cipher_spec;
  return Hs::read_message;
}

// ---------------------------------------------------------------- the client's flight

Result<Hs> ServerHandshake12::do_read_client_certificate() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  // RFC 5246 §7.4.6: a client that was asked always sends Certificate,
  // empty when it has none.
  if (m->type != static_cast<uint8_t>(HandshakeType::certificate)) return unexpected(*m, "client Certificate");
  Certificate12 cert;
  VOUCH_TRY(parse(m->body, cert));
  if (cert.certificate_list.empty()) {
    // RFC 5246 §7.4.6: "If the client does not send any certificates, the
    // server MAY at its discretion either continue the handshake without
    // client authentication, or respond with a fatal handshake_failure
    // alert."
    if (config_->client_auth_tls12() == ClientAuth::required)
      return fail(Alert::handshake_failure, "client sent no certificate, but this server requires one");
  } else {
    // TLS 1.2 has no way for a client to staple (RFC 6066 §8 is server
    // only): the policy and the application's providers judge the chain.
    const std::vector<std::optional<Bytes>> staples(cert.certificate_list.size());
    VOUCH_ASSIGN(VerifiedClient verified,
                 verify_client_chain(*config_, std::move(cert.certificate_list), staples, /*requested=*/false));
    client_.emplace(std::move(verified));
  }
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = State::read_client_key_exchange;
  return Hs::ok;
}

Result<Hs> ServerHandshake12::do_read_client_key_exchange() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::client_key_exchange))
    return unexpected(*m, "ClientKeyExchange");
  ClientKeyExchange cke;
  VOUCH_TRY(parse(m->body, cke));
  // RFC 8422 §5.10: the premaster secret; a bad point is illegal_parameter.
  VOUCH_ASSIGN(Bytes pre_master, share_->derive(cke.public_key));
  share_.reset();
  VOUCH_TRY(core_.transcript.update(m->message));
  if (ems_) {
    // RFC 7627 §4: the session hash runs up to and including this message.
    VOUCH_ASSIGN(HashValue session_hash, core_.transcript.current());
    VOUCH_ASSIGN(master_secret_, extended_master_secret(suite_.prf_hash, pre_master, session_hash));
  } else {
    VOUCH_ASSIGN(master_secret_, master_secret(suite_.prf_hash, pre_master, client_random_, server_random_));
  }
  wipe_memory(pre_master);
  VOUCH_TRY(derive_key_block());
  if (client_) {
    state_ = State::read_certificate_verify;
  } else {
    core_.transcript.drop_messages();
    state_ = State::read_change_cipher_spec;
  }
  return Hs::ok;
}

Result<Hs> ServerHandshake12::do_read_certificate_verify() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::certificate_verify))
    return unexpected(*m, "client CertificateVerify");
  CertificateVerify cv;
  VOUCH_TRY(parse(m->body, cv));
  // RFC 5246 §7.4.8: a scheme the CertificateRequest listed, over the
  // handshake messages themselves.
  VOUCH_TRY(check_client_certificate_verify(*config_, our_schemes(), /*tls13=*/false, *client_, cv,
                                            core_.transcript.messages(), /*post_handshake=*/false));
  core_.info.peer_signature_scheme = cv.algorithm;  // the client's, as a client records the server's
  core_.transcript.drop_messages();
  core_.peer_chain = client_->chain;
  core_.verified_peer_chain = client_->verified_chain;
  core_.peer_ocsp = client_->ocsp;
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = State::read_change_cipher_spec;
  return Hs::ok;
}

Result<Hs> ServerHandshake12::do_read_change_cipher_spec() {
  auto m = core_.next_message();
  if (m) return unexpected(*m, "ChangeCipherSpec");
  return Hs::read_message;
}

Status ServerHandshake12::on_change_cipher_spec() {
  if (state_ != State::read_change_cipher_spec)
    return fail(Alert::unexpected_message, "ChangeCipherSpec before the client's flight was complete");
  VOUCH_TRY(core_.install_read_key12(keys_.client_write_key, keys_.client_write_iv));
  state_ = State::read_finished;
  return {};
}

Result<Hs> ServerHandshake12::do_read_finished() {
  auto m = core_.next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::finished)) return unexpected(*m, "Finished");
  Finished fin;
  VOUCH_TRY(parse(m->body, kFinished12Length, fin));
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  VOUCH_ASSIGN(Bytes expected, finished_verify_data12(suite_.prf_hash, master_secret_, /*client=*/true, th));
  if (!constant_time_equal(expected, fin.verify_data))
    return fail(Alert::decrypt_error, "client Finished: verify_data does not match the transcript");
  core_.client_verify_data = fin.verify_data;
  VOUCH_TRY(core_.transcript.update(m->message));
  if (resumed_) {
    state_ = State::done;
    return Hs::done;
  }
  state_ = State::send_finished;
  return Hs::ok;
}

Result<Hs> ServerHandshake12::do_send_finished() {
  VOUCH_TRY(send_ccs_and_finished());
  // A full handshake's session, kept under its ID for resumption.
  if (!session_id_.empty() && session_cache_) {
    VOUCH_ASSIGN(Bytes state, session_state());
    const uint32_t lifetime = std::min(config_->ticket_lifetime_seconds, kMaxTicketLifetime);
    session_cache_->put(session_id_, std::move(state),
                        std::chrono::system_clock::now() + std::chrono::seconds(lifetime));
  }
  state_ = State::done;
  return Hs::done;
}

// ---------------------------------------------------------------- shared pieces

Status ServerHandshake12::derive_key_block() {
  VOUCH_ASSIGN(keys_, key_block12(core_.info.cipher_suite, master_secret_, client_random_, server_random_));
  // Kept for exporters (RFC 5705) and key logging.
  core_.client_random = client_random_;
  core_.server_random = server_random_;
  core_.master_secret12 = master_secret_;
  core_.prf_hash12 = suite_.prf_hash;
  core_.log_secret("CLIENT_RANDOM", master_secret_);
  return {};
}

Result<Bytes> ServerHandshake12::session_state() const {
  TicketContents t;
  t.version = static_cast<uint16_t>(ProtocolVersion::tls12);
  t.cipher_suite = core_.info.cipher_suite;
  t.psk = master_secret_;
  t.issued_at = unix_seconds_now();
  t.lifetime = std::min(config_->ticket_lifetime_seconds, kMaxTicketLifetime);
  t.server_name = core_.info.server_name;
  t.alpn = core_.info.alpn;
  t.client_chain = client_ ? client_->verified_chain : session_client_chain_;
  t.context = config_->session_id_context;
  return encode_ticket(t);
}

Status ServerHandshake12::send_ccs_and_finished() {
  if (send_ticket_) {
    // RFC 5077 §3.3: after the client's flight (full handshake) or right
    // after the ServerHello (abbreviated), before our ChangeCipherSpec.
    NewSessionTicket12 nst;
    nst.ticket_lifetime_hint = std::min(config_->ticket_lifetime_seconds, kMaxTicketLifetime);
    VOUCH_ASSIGN(Bytes state, session_state());
    VOUCH_ASSIGN(nst.ticket, ticket_keys_->seal(state));
    wipe_memory(state);
    VOUCH_TRY(core_.send_message(HandshakeType::new_session_ticket, nst));
  }
  const uint8_t ccs = 1;
  VOUCH_TRY(core_.flush_handshake());
  VOUCH_TRY(core_.write_record(ContentType::change_cipher_spec, ByteView(&ccs, 1)));
  VOUCH_TRY(core_.install_write_key12(keys_.server_write_key, keys_.server_write_iv));
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  Finished fin;
  VOUCH_ASSIGN(fin.verify_data, finished_verify_data12(suite_.prf_hash, master_secret_, /*client=*/false, th));
  core_.server_verify_data = fin.verify_data;
  VOUCH_TRY(core_.send_message(HandshakeType::finished, fin));
  return core_.flush_handshake();
}

Status ServerHandshake12::post_handshake(const HandshakeMessage& m) {
  // RFC 5246 §7.2.2 no_renegotiation: "sent by the server in response to a
  // client hello after initial handshaking"; vouch servers never
  // renegotiate, and the connection goes on.
  if (m.type == static_cast<uint8_t>(HandshakeType::client_hello)) return core_.send_warning(Alert::no_renegotiation);
  return unexpected(m, "no handshake message after the handshake");
}

void ServerHandshake12::release_after_handshake() {
  // A vouch server never renegotiates (it answers no_renegotiation), so
  // neither the transcript nor the key exchange is used again; exporters
  // use core_.master_secret12 (RFC 5705).
  core_.release_after_handshake(false);
  wipe_memory(master_secret_);
  Bytes().swap(master_secret_);
  keys_ = KeyBlock12{};
  share_.reset();
  Bytes().swap(ske_content_);
  Bytes().swap(ske_signature_);
  Bytes().swap(client_hello_);
}

}  // namespace vouch
