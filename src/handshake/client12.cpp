#include "handshake/client12.h"

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>

#include "base/clock.h"
#include "cert/public_key.h"
#include "cert/verify_chain.h"
#include "crypto/compare.h"
#include "crypto/key_share.h"
#include "crypto/random.h"
#include "crypto/signature.h"
#include "crypto/wipe.h"
#include "handshake/negotiate.h"
#include "revocation/peer_check.h"

namespace vouch {

namespace {

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool is_ip_literal(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

constexpr uint8_t kPointUncompressed = 0;  // RFC 8422 §5.1.2
// A session ID resumed by a server that gives no lifetime: RFC 5246 §F.1.4
// suggests "an upper limit of 24 hours"; vouch keeps sessions for less.
constexpr uint32_t kDefaultSessionLifetime = 7200;
// RFC 8446 §4.6.1's seven days, which vouch applies to TLS 1.2 too.
constexpr uint32_t kMaxSessionLifetime = 604800;

bool staple_policy_requires(const ClientConfig& config, bool must_staple) {
  return config.ocsp_policy == OcspPolicy::require ||
         (must_staple && config.ocsp_policy != OcspPolicy::ignore);
}

}  // namespace

void add_tls12_offer(ClientHello& ch, const ClientConfig& config, const Session* session,
                     ByteView renegotiated_connection) {
  for (CipherSuite s : config.cipher_suites12)
    if (is_tls12_suite(s) && !contains(ch.cipher_suites, s)) ch.cipher_suites.push_back(s);
  Extensions& e = ch.ext;
  // RFC 8422 §5.1.2: "uncompressed" is the only format vouch speaks.
  e.ec_point_formats = std::vector<uint8_t>{kPointUncompressed};
  e.extended_master_secret = true;  // RFC 7627 §5.1: always offered
  // RFC 5746 §3.4: the extension (rather than the SCSV) with an empty
  // renegotiated_connection in an initial handshake; §3.5: the previous
  // client verify_data in a renegotiation.
  e.renegotiation_info = Bytes(renegotiated_connection.begin(), renegotiated_connection.end());
  // RFC 5077 §3.1: an empty extension asks for a ticket; a ticket resumes.
  e.session_ticket = (session && !session->ticket.empty()) ? session->ticket : Bytes{};
  // RFC 6961 §2.2, beside status_request (which TLS 1.3 and servers without
  // RFC 6961 answer): ocsp_multi first, for the status of every certificate
  // of the chain, then ocsp, the leaf's; each with an empty
  // OCSPStatusRequest (responders known to the server, no extensions), as
  // in status_request. Only a TLS 1.2 server may answer it (RFC 8446
  // §4.4.2.1 staples per CertificateEntry instead).
  if (config.request_ocsp_status && config.ocsp_policy != OcspPolicy::ignore && config.request_ocsp_multi)
    e.status_request_v2 = std::vector<StatusRequestV2Item>{{CertificateStatusType::ocsp_multi, OcspStatusRequest{}},
                                                           {CertificateStatusType::ocsp, OcspStatusRequest{}}};
}

bool session_meets_ocsp_policy(const Session& session, const ClientConfig& config) {
  if (!staple_policy_requires(config, session.ocsp.must_staple)) return true;
  const StapleReport* leaf = session.ocsp.leaf();
  return leaf && leaf->status && leaf->status->status == OcspCertStatus::good;
}

ClientHandshake12::~ClientHandshake12() { wipe_memory(master_secret_); }

ClientHandshake12::ClientHandshake12(ConnCore& core, std::shared_ptr<const ClientConfig> config,
                                     std::string server_name, ClientHelloState hello,
                                     std::vector<std::shared_ptr<const Session>>& sessions_out)
    : core_(core),
      config_(std::move(config)),
      server_name_(std::move(server_name)),
      hello_(std::move(hello)),
      sessions_out_(sessions_out),
      selection_(*config_, core_),
      signing_(core_) {
  // The CertificateVerify we may have to send signs every message from the
  // ClientHello on (RFC 5246 §7.4.8); the ClientHello is still buffered
  // (the hash is chosen by the cipher suite in the ServerHello).
  core_.transcript.keep_messages();
}

Result<Hs> ClientHandshake12::step() {
  switch (state_) {
    case State::send_client_hello: return do_send_client_hello();
    case State::read_server_hello: return do_read_server_hello();
    case State::process_server_hello: return do_process_server_hello();
    case State::read_certificate: return do_read_certificate();
    case State::read_certificate_status: return do_read_certificate_status();
    case State::read_server_key_exchange: return do_read_server_key_exchange();
    case State::read_certificate_request: return do_read_certificate_request();
    case State::read_server_hello_done: return do_read_server_hello_done();
    case State::select_client_certificate: return do_select_client_certificate();
    case State::send_client_key_exchange: return do_send_client_key_exchange();
    case State::send_certificate_verify: return do_send_certificate_verify();
    case State::send_finished: return do_send_finished();
    case State::read_new_session_ticket: return do_read_new_session_ticket();
    case State::read_change_cipher_spec: return do_read_change_cipher_spec();
    case State::read_finished: return do_read_finished();
    case State::done: return Hs::done;
  }
  return fail(Alert::internal_error, "client (TLS 1.2): bad state");
}

std::optional<HandshakeMessage> ClientHandshake12::next_message() {
  // RFC 5246 §7.4.1.1: "This message will be ignored by the client if the
  // client is currently negotiating a session", and it is never hashed. A
  // malformed one (a body) is returned, to be refused as unexpected.
  // Bounded: each turn consumes a message.
  for (;;) {
    auto m = core_.next_message();
    if (!m || m->type != static_cast<uint8_t>(HandshakeType::hello_request) || !m->body.empty()) return m;
  }
}

// ---------------------------------------------------------------- hellos

Result<Hs> ClientHandshake12::do_send_client_hello() {
  // A renegotiation (RFC 5746 §3.5): TLS 1.2 only, no resumption, the
  // previous client verify_data in renegotiation_info.
  ClientHello ch;
  VOUCH_TRY(random_public_bytes(hello_.random));
  ch.random = hello_.random;
  hello_.session_id.clear();
  hello_.session12.reset();
  Extensions& e = ch.ext;
  if (!server_name_.empty() && !is_ip_literal(server_name_)) e.server_name = server_name_;
  e.supported_groups = config_->groups;
  e.signature_algorithms = hello_.offered_schemes;
  if (!config_->alpn.empty()) e.alpn = config_->alpn;
  if (config_->request_ocsp_status && config_->ocsp_policy != OcspPolicy::ignore) e.status_request = OcspStatusRequest{};
  add_tls12_offer(ch, *config_, nullptr, core_.client_verify_data);
  // Nothing is resumed into a renegotiation, but the empty session_ticket
  // extension (RFC 5077 §3.2) is offered as in the initial hello: GnuTLS
  // (3.7) servers send a NewSessionTicket in a renegotiation whenever the
  // initial handshake had tickets, also when this hello offers none and
  // their ServerHello does not acknowledge it, which RFC 5077 §3.3 forbids
  // and a client must refuse. Offered, the ticket is announced properly.
  if (ch.cipher_suites.empty()) return fail(Alert::internal_error, "client: no TLS 1.2 cipher suite configured");
  Bytes body;
  Writer w(body);
  write(w, ch);
  if (!w.ok()) return fail(Alert::internal_error, "client: ClientHello too large");
  ClientHello parsed;
  if (parse(body, parsed).ok()) hello_.sent_extensions = parsed.ext.present;
  VOUCH_TRY(core_.send_framed(HandshakeType::client_hello, body));
  state_ = State::read_server_hello;
  return Hs::read_message;
}

Result<Hs> ClientHandshake12::do_read_server_hello() {
  auto m = next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::server_hello)) return unexpected(*m, "ServerHello");
  ServerHello sh;
  VOUCH_TRY(parse(m->body, sh));
  VOUCH_TRY(on_server_hello(sh, m->message));
  return Hs::ok;
}

Result<Hs> ClientHandshake12::do_process_server_hello() {
  // The framed ServerHello ClientHandshake13 read and parsed once already.
  Bytes message = std::move(hello_.server_hello);
  ServerHello sh;
  VOUCH_TRY(parse(ByteView(message).subspan(kHandshakeHeaderLength), sh));
  VOUCH_TRY(on_server_hello(sh, message));
  return Hs::ok;
}

Status ClientHandshake12::on_server_hello(const ServerHello& sh, ByteView message) {
  // RFC 5246 §7.4.1.3; the version was chosen by this ServerHello having no
  // supported_versions (RFC 8446 §4.1.3), legacy_version must say 1.2.
  if (sh.is_hello_retry_request())
    return fail(Alert::unexpected_message, "HelloRetryRequest in a TLS 1.2 renegotiation");
  if (sh.legacy_version != 0x0303)
    return fail(Alert::protocol_version, "ServerHello: server chose a version below TLS 1.2");
  if (!is_tls12_suite(sh.cipher_suite) || !contains(config_->cipher_suites12, sh.cipher_suite) ||
      !tls12_suite_params(sh.cipher_suite, suite_))
    return fail(Alert::illegal_parameter, "ServerHello: cipher suite " + to_string(sh.cipher_suite) +
                                              " was not offered");
  if (sh.legacy_compression_method != 0)
    return fail(Alert::illegal_parameter, "ServerHello: compression method is not null");
  // RFC 5246 §7.4.1.4: "the client MUST abort the handshake with an
  // unsupported_extension fatal alert" on extensions it did not offer.
  for (uint16_t t : sh.ext.present)
    if (!contains(hello_.sent_extensions, t))
      return fail(Alert::unsupported_extension,
                  "ServerHello: extension " + std::to_string(t) + " was not offered");
  // RFC 5746 §3.4 / §3.5.
  if (renegotiation_) {
    Bytes expected = core_.client_verify_data;
    expected.insert(expected.end(), core_.server_verify_data.begin(), core_.server_verify_data.end());
    if (!sh.ext.renegotiation_info || !constant_time_equal(*sh.ext.renegotiation_info, expected))
      return fail(Alert::handshake_failure,
                  "ServerHello: renegotiation_info does not carry the previous Finished (RFC 5746 §3.5)");
  } else if (sh.ext.renegotiation_info) {
    if (!sh.ext.renegotiation_info->empty())
      return fail(Alert::handshake_failure,
                  "ServerHello: renegotiation_info not empty in an initial handshake (RFC 5746 §3.4)");
    core_.secure_renegotiation = true;
  }
  if (sh.ext.ec_point_formats && !contains(*sh.ext.ec_point_formats, kPointUncompressed))
    return fail(Alert::illegal_parameter, "ServerHello: ec_point_formats lacks uncompressed (RFC 8422 §5.1.2)");
  if (sh.ext.alpn) {
    const std::string& p = sh.ext.alpn->front();
    if (!contains(config_->alpn, p))
      return fail(Alert::illegal_parameter, "ServerHello: ALPN protocol was not offered (RFC 7301 §3.2)");
    core_.info.alpn = p;
  } else {
    core_.info.alpn.clear();
  }
  ems_ = sh.ext.extended_master_secret;
  status_acked_ = sh.ext.status_request_empty;
  status_v2_acked_ = sh.ext.status_request_v2_empty;
  // RFC 6961 §1: "the server will select the single status method", and
  // §2.2 allows a CertificateStatus only after "a corresponding"
  // acknowledgement: both at once leave the message's meaning open.
  if (status_acked_ && status_v2_acked_)
    return fail(Alert::illegal_parameter,
                "ServerHello: both status_request and status_request_v2 acknowledged (RFC 6961 §1: a single "
                "status method)");
  ticket_expected_ = sh.ext.session_ticket.has_value();
  std::copy(sh.random.begin(), sh.random.end(), server_random_.begin());
  server_session_id_ = sh.legacy_session_id_echo;

  // Resumption (RFC 5246 §7.4.1.3, RFC 5077 §3.4): the server echoes the
  // session ID we sent with the session (or beside its ticket).
  const bool echoed = !server_session_id_.empty() && server_session_id_ == hello_.session_id;
  resumed_ = false;
  if (echoed) {
    if (!hello_.session12)
      return fail(Alert::illegal_parameter, "ServerHello: the server resumed a session that was not offered");
    if (sh.cipher_suite != hello_.session12->cipher_suite)
      return fail(Alert::illegal_parameter, "ServerHello: resumed session with another cipher suite");
    // RFC 7627 §5.3: a session with the extended master secret must be
    // resumed with it.
    if (!ems_)
      return fail(Alert::handshake_failure,
                  "ServerHello: resumption without extended_master_secret (RFC 7627 §5.3)");
    resumed_ = true;
  } else if (!ems_ && config_->require_extended_master_secret) {
    return fail(Alert::handshake_failure,
                "ServerHello: the server does not use the extended master secret (RFC 7627), which this "
                "client requires");
  }

  core_.info.version = ProtocolVersion::tls12;
  core_.info.cipher_suite = sh.cipher_suite;
  core_.info.resumed = resumed_;
  core_.info.group = NamedGroup{};
  VOUCH_TRY(core_.transcript.select(suite_.prf_hash));
  VOUCH_TRY(core_.transcript.update(message));
  if (resumed_) {
    core_.transcript.drop_messages();  // no CertificateVerify in an abbreviated handshake
    master_secret_ = hello_.session12->master_secret;
    VOUCH_TRY(derive_key_block());
    state_ = ticket_expected_ ? State::read_new_session_ticket : State::read_change_cipher_spec;
  } else {
    state_ = State::read_certificate;
  }
  return {};
}

// ---------------------------------------------------------------- server authentication

Result<Hs> ClientHandshake12::do_read_certificate() {
  auto m = next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::certificate)) return unexpected(*m, "Certificate");
  Certificate12 cert;
  VOUCH_TRY(parse(m->body, cert));
  // RFC 5246 §7.4.2: the server's list is never empty (every suite vouch
  // offers authenticates the server); decode_error as in TLS 1.3 §4.4.2.4.
  if (cert.certificate_list.empty())
    return fail(Alert::decode_error, "server sent no certificate (an empty Certificate message)");
  if (renegotiation_ && (previous_server_chain_.empty() || cert.certificate_list.front() != previous_server_chain_.front()))
    return fail(Alert::illegal_parameter, "renegotiation: the server's certificate changed");
  server_chain_ = std::move(cert.certificate_list);
  verified_chain_.clear();
  // Every suite vouch speaks has the server sign its ServerKeyExchange.
  VOUCH_TRY(check_leaf_allows_signing(server_chain_.front(), "server certificate"));
  if (config_->verify_peer) {
    VOUCH_ASSIGN(VerifiedChain verified, verify_server_chain(*config_, server_name_, server_chain_));
    VOUCH_ASSIGN(core_.verified_peer_chain, der_chain(verified));
    server_key_ = std::move(verified.leaf_key);
    verified_chain_ = std::move(verified.chain);
  } else {
    VOUCH_ASSIGN(server_key_, public_key_of(server_chain_.front()));
  }
  core_.peer_chain = server_chain_;
  // RFC 8422 §5.3: the certificate must fit the suite's authentication.
  if (!key_fits_suite12(suite_.ecdsa, server_key_.get()))
    return fail(Alert::unsupported_certificate, "server certificate key does not fit " +
                                                    to_string(core_.info.cipher_suite));
  // RFC 8422 §5.3: "the public key in the server's certificate MUST respect
  // the client's choice of elliptic curves" — the groups we offered.
  if (!curve_offered(server_key_.get(), config_->groups))
    return fail(Alert::illegal_parameter,
                "server certificate: its ECDSA key is on a curve we did not offer in supported_groups "
                "(RFC 8422 §5.3)");
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = State::read_certificate_status;
  return Hs::ok;
}

Status ClientHandshake12::check_revocation(std::vector<std::optional<Bytes>> staples) {
  staples.resize(server_chain_.size());
  PeerRevocationInput rev;
  rev.peer_is_server = true;
  rev.certificate_requested = cert_requested_;
  rev.requested = config_->request_ocsp_status && config_->ocsp_policy != OcspPolicy::ignore;
  rev.policy = config_->ocsp_policy;
  rev.received = &server_chain_;
  rev.staples = &staples;
  rev.providers = &config_->revocation_providers;
  rev.now = wall_clock_now();
  for (const auto& c : verified_chain_) rev.path.push_back(c.get());
  VOUCH_ASSIGN(core_.peer_ocsp, check_peer_revocation(rev, /*judge_staples=*/config_->verify_peer));
  return {};
}

Result<Hs> ClientHandshake12::do_read_certificate_status() {
  auto m = next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::certificate_status)) {
    // RFC 6066 §8 and RFC 6961 §2.2: a server that acknowledged a status
    // request "MAY" still not send CertificateStatus: the decision is made
    // without a staple (at ServerHelloDone, see there).
    staples_.clear();
    return on_server_key_exchange(*m);
  }
  // RFC 6961 §2.2: "a server MUST NOT send the "CertificateStatus" message
  // unless it received either a "status_request" or "status_request_v2"
  // extension in the client hello message and sent a corresponding ...
  // extension in the server hello message".
  if (!status_acked_ && !status_v2_acked_)
    return fail(Alert::unexpected_message,
                "CertificateStatus, but the ServerHello acknowledged neither status_request nor status_request_v2 "
                "(RFC 6066 §8, RFC 6961 §2.2)");
  // status_request (RFC 6066 §8) only allows type ocsp: ocsp_multi answers
  // a request that was not acknowledged — a value inconsistent with the
  // ServerHello (RFC 5246 §7.2.2 illegal_parameter; the message itself was
  // announced). The type decides how the rest reads, so it is checked first.
  if (!status_v2_acked_ && !m->body.empty() &&
      m->body[0] == static_cast<uint8_t>(CertificateStatusType::ocsp_multi))
    return fail(Alert::illegal_parameter,
                "CertificateStatus: ocsp_multi answers status_request_v2, but the ServerHello acknowledged "
                "status_request (RFC 6066 §8: ocsp only)");
  CertificateStatus cs;
  VOUCH_TRY(parse(m->body, cs));
  std::vector<std::optional<Bytes>> staples;
  if (cs.status_type == CertificateStatusType::ocsp_multi) {
    // RFC 6961 §2.2: "there MUST NOT be more responses than there were
    // certificates in the list".
    if (cs.ocsp_response_list.size() > server_chain_.size())
      return fail(Alert::illegal_parameter,
                  "CertificateStatus: " + std::to_string(cs.ocsp_response_list.size()) +
                      " OCSP responses for " + std::to_string(server_chain_.size()) +
                      " certificates (RFC 6961 §2.2)");
    // An empty entry: "the client MUST act as if a response was not
    // received for that particular certificate".
    for (Bytes& r : cs.ocsp_response_list)
      staples.push_back(r.empty() ? std::nullopt : std::optional<Bytes>(std::move(r)));
  } else {
    // Type ocsp answers status_request, and the ocsp item vouch lists in
    // status_request_v2 (RFC 6961 §2.2): the leaf's status.
    staples.push_back(std::move(cs.ocsp_response));
  }
  staples_ = std::move(staples);  // judged at ServerHelloDone
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = State::read_server_key_exchange;
  return Hs::ok;
}

Result<Hs> ClientHandshake12::do_read_server_key_exchange() {
  auto m = next_message();
  if (!m) return Hs::read_message;
  return on_server_key_exchange(*m);
}

Result<Hs> ClientHandshake12::on_server_key_exchange(const HandshakeMessage& m) {
  if (m.type != static_cast<uint8_t>(HandshakeType::server_key_exchange))
    return unexpected(m, "ServerKeyExchange");
  ServerKeyExchange ske;
  VOUCH_TRY(parse(m.body, ske));
  // RFC 8422 §5.4: the curve must be one we offered in supported_groups.
  if (!contains(config_->groups, ske.group) || !group_supported(ske.group))
    return fail(Alert::illegal_parameter, "ServerKeyExchange: unexpected group " + to_string(ske.group) + ": it was not offered");
  // RFC 5246 §7.4.1.4.1: the signature uses a pair the client offered, and
  // fits the certificate's key.
  if (!contains(hello_.offered_schemes, ske.algorithm))
    return fail(Alert::illegal_parameter,
                "ServerKeyExchange: signature scheme " + to_string(ske.algorithm) + " was not offered");
  if (!scheme_matches_key(ske.algorithm, server_key_.get(), /*tls13=*/false))
    return fail(Alert::illegal_parameter, "ServerKeyExchange: signature scheme " + to_string(ske.algorithm) +
                                              " does not fit the certificate key");
  const Bytes content =
      server_key_exchange_signed_content(hello_.random, server_random_, ske.group, ske.public_key);
  if (!verify_message(ske.algorithm, server_key_.get(), content, ske.signature))
    return fail(Alert::decrypt_error, "ServerKeyExchange: bad signature");
  core_.info.peer_signature_scheme = ske.algorithm;
  core_.info.group = ske.group;
  group_ = ske.group;
  server_share_ = std::move(ske.public_key);
  VOUCH_TRY(core_.transcript.update(m.message));
  state_ = State::read_certificate_request;
  return Hs::ok;
}

// ---------------------------------------------------------------- client authentication

Result<Hs> ClientHandshake12::do_read_certificate_request() {
  auto m = next_message();
  if (!m) return Hs::read_message;
  if (m->type == static_cast<uint8_t>(HandshakeType::certificate_request)) return on_certificate_request(*m);
  return on_server_hello_done(*m);
}

Result<Hs> ClientHandshake12::on_certificate_request(const HandshakeMessage& m) {
  CertificateRequest12 cr;
  VOUCH_TRY(parse(m.body, cr));
  cert_requested_ = true;
  request_ = CertificateRequestInfo{};
  request_.version = ProtocolVersion::tls12;
  request_.certificate_types = std::move(cr.certificate_types);
  request_.certificate_authorities = std::move(cr.certificate_authorities);
  // RFC 5246 §7.4.4: supported_signature_algorithms covers both the
  // CertificateVerify and the certificates' own signatures.
  request_.signature_schemes = cr.supported_signature_algorithms;
  request_.certificate_signature_schemes = std::move(cr.supported_signature_algorithms);
  request_.server_name = server_name_;
  VOUCH_TRY(core_.transcript.update(m.message));
  state_ = State::read_server_hello_done;
  return Hs::ok;
}

Result<Hs> ClientHandshake12::do_read_server_hello_done() {
  auto m = next_message();
  if (!m) return Hs::read_message;
  return on_server_hello_done(*m);
}

Result<Hs> ClientHandshake12::on_server_hello_done(const HandshakeMessage& m) {
  if (m.type != static_cast<uint8_t>(HandshakeType::server_hello_done))
    return unexpected(m, cert_requested_ ? "ServerHelloDone" : "CertificateRequest or ServerHelloDone");
  VOUCH_TRY(parse_empty_body(m.body, "ServerHelloDone"));
  // The server's chain and staples are judged once its flight is complete,
  // when whether it asked for a certificate is known
  // (RevocationContext::certificate_requested): nothing was sent since.
  VOUCH_TRY(check_revocation(std::move(staples_)));
  VOUCH_TRY(core_.transcript.update(m.message));
  if (!cert_requested_) core_.transcript.drop_messages();
  state_ = cert_requested_ ? State::select_client_certificate : State::send_client_key_exchange;
  return Hs::ok;
}

Result<Hs> ClientHandshake12::do_select_client_certificate() {
  request_.server_chain = core_.peer_chain;
  // Suspends before anything is sent (the CertificateRequest is in the
  // transcript already, which resuming does not repeat).
  VOUCH_ASSIGN(bool answered, selection_.select(request_, pending_, chosen_));
  if (!answered) return Hs::client_certificate;
  if (chosen_) {
    bool found = false;
    const auto& ours = config_->signing_schemes.empty() ? hello_.offered_schemes : config_->signing_schemes;
    for (SignatureScheme s : ours)
      if (contains(request_.signature_schemes, s) && contains(chosen_->signature_schemes(/*tls13=*/false), s)) {
        client_scheme_ = s;
        found = true;
        break;
      }
    if (!found)
      return fail(Alert::handshake_failure, "no signature scheme in common: client certificate " + chosen_->subject() +
                                                " cannot sign with any scheme the server accepts");
  }
  // RFC 5246 §7.4.6: an empty list when no suitable certificate is available.
  Certificate12 cert;
  if (chosen_) cert.certificate_list = chosen_->chain_der();
  VOUCH_TRY(core_.send_message(HandshakeType::certificate, cert));
  state_ = State::send_client_key_exchange;
  return Hs::ok;
}

// ---------------------------------------------------------------- key exchange and Finished

Result<Hs> ClientHandshake12::do_send_client_key_exchange() {
  // RFC 8422 §5.7, §5.10: our ephemeral key on the server's curve; the
  // premaster secret is the ECDH shared secret (x-coordinate / X25519).
  VOUCH_ASSIGN(KeyShare share, KeyShare::generate(group_));
  VOUCH_ASSIGN(Bytes pre_master, share.derive(server_share_));
  ClientKeyExchange cke;
  cke.public_key = share.public_key();
  VOUCH_TRY(core_.send_message(HandshakeType::client_key_exchange, cke));
  VOUCH_TRY(derive_keys(pre_master));
  wipe_memory(pre_master);
  state_ = chosen_ ? State::send_certificate_verify : State::send_finished;
  return Hs::ok;
}

Status ClientHandshake12::derive_keys(ByteView pre_master_secret) {
  if (ems_) {
    // RFC 7627 §4: session_hash covers the messages up to and including
    // ClientKeyExchange.
    VOUCH_ASSIGN(HashValue session_hash, core_.transcript.current());
    VOUCH_ASSIGN(master_secret_, extended_master_secret(suite_.prf_hash, pre_master_secret, session_hash));
  } else {
    VOUCH_ASSIGN(master_secret_, master_secret(suite_.prf_hash, pre_master_secret, hello_.random, server_random_));
  }
  return derive_key_block();
}

Status ClientHandshake12::derive_key_block() {
  VOUCH_ASSIGN(keys_, key_block12(core_.info.cipher_suite, master_secret_, hello_.random, server_random_));
  // Kept for exporters (RFC 5705) and key logging.
  core_.client_random = hello_.random;
  core_.server_random = server_random_;
  core_.master_secret12 = master_secret_;
  core_.prf_hash12 = suite_.prf_hash;
  core_.log_secret("CLIENT_RANDOM", master_secret_);
  return {};
}

Result<Hs> ClientHandshake12::do_send_certificate_verify() {
  // RFC 5246 §7.4.8: a signature over every handshake message so far, with
  // the scheme's own hash; an external signer may answer later.
  VOUCH_ASSIGN(std::optional<Bytes> sig, signing_.run(*chosen_, client_scheme_, core_.transcript.messages()));
  if (!sig) return Hs::private_key;
  CertificateVerify cv;
  cv.algorithm = client_scheme_;
  cv.signature = std::move(*sig);
  VOUCH_TRY(core_.send_message(HandshakeType::certificate_verify, cv));
  core_.transcript.drop_messages();
  state_ = State::send_finished;
  return Hs::ok;
}

Result<Hs> ClientHandshake12::do_send_finished() {
  // RFC 5246 §7.1: ChangeCipherSpec, then Finished under the new keys.
  const uint8_t ccs = 1;
  VOUCH_TRY(core_.flush_handshake());
  VOUCH_TRY(core_.write_record(ContentType::change_cipher_spec, ByteView(&ccs, 1)));
  VOUCH_TRY(core_.install_write_key12(keys_.client_write_key, keys_.client_write_iv));
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  Finished fin;
  VOUCH_ASSIGN(fin.verify_data, finished_verify_data12(suite_.prf_hash, master_secret_, /*client=*/true, th));
  core_.client_verify_data = fin.verify_data;
  VOUCH_TRY(core_.send_message(HandshakeType::finished, fin));
  VOUCH_TRY(core_.flush_handshake());
  if (resumed_) {
    // RFC 5246 §7.3: in an abbreviated handshake the client's Finished is
    // the last message.
    publish_session();
    state_ = State::done;
    return Hs::done;
  }
  state_ = ticket_expected_ ? State::read_new_session_ticket : State::read_change_cipher_spec;
  return Hs::read_message;
}

Result<Hs> ClientHandshake12::do_read_new_session_ticket() {
  auto m = next_message();
  if (!m) return Hs::read_message;
  // RFC 5077 §3.3: "This message MUST be sent if the server included a
  // SessionTicket extension in the ServerHello."
  if (m->type != static_cast<uint8_t>(HandshakeType::new_session_ticket)) return unexpected(*m, "NewSessionTicket");
  NewSessionTicket12 nst;
  VOUCH_TRY(parse(m->body, nst));
  new_ticket_ = std::move(nst.ticket);
  new_ticket_lifetime_ = nst.ticket_lifetime_hint;
  VOUCH_TRY(core_.transcript.update(m->message));
  state_ = State::read_change_cipher_spec;
  return Hs::ok;
}

Result<Hs> ClientHandshake12::do_read_change_cipher_spec() {
  // The ChangeCipherSpec is a record of its own (on_change_cipher_spec); a
  // handshake message here means the server skipped it.
  auto m = next_message();
  // RFC 5077 §3.3: a NewSessionTicket only after a ServerHello with the
  // SessionTicket extension, and then it was read already.
  if (m)
    return unexpected(*m, ticket_expected_ ? "ChangeCipherSpec"
                                           : "ChangeCipherSpec (the ServerHello announced no NewSessionTicket)");
  return Hs::read_message;
}

Status ClientHandshake12::on_change_cipher_spec() {
  if (state_ != State::read_change_cipher_spec)
    return fail(Alert::unexpected_message, "ChangeCipherSpec before the server's flight was complete");
  VOUCH_TRY(core_.install_read_key12(keys_.server_write_key, keys_.server_write_iv));
  state_ = State::read_finished;
  return {};
}

Result<Hs> ClientHandshake12::do_read_finished() {
  auto m = next_message();
  if (!m) return Hs::read_message;
  if (m->type != static_cast<uint8_t>(HandshakeType::finished)) return unexpected(*m, "Finished");
  Finished fin;
  VOUCH_TRY(parse(m->body, kFinished12Length, fin));
  VOUCH_ASSIGN(HashValue th, core_.transcript.current());
  VOUCH_ASSIGN(Bytes expected, finished_verify_data12(suite_.prf_hash, master_secret_, /*client=*/false, th));
  if (!constant_time_equal(expected, fin.verify_data))
    return fail(Alert::decrypt_error, "server Finished: verify_data does not match the transcript");
  core_.server_verify_data = fin.verify_data;
  VOUCH_TRY(core_.transcript.update(m->message));
  if (resumed_) {
    state_ = State::send_finished;
    return Hs::ok;
  }
  publish_session();
  state_ = State::done;
  return Hs::done;
}

void ClientHandshake12::publish_session() {
  if (resumed_) {
    // No Certificate in an abbreviated handshake: report what the full
    // handshake established (its status was checked when it was offered).
    const Session& old = *hello_.session12;
    core_.peer_chain = old.peer_chain;
    core_.peer_ocsp = old.ocsp;
    core_.peer_ocsp.from_session = true;
  }
  renegotiation_ = false;
  core_.renegotiating = false;
  // RFC 7627 §5.3: sessions without the extended master secret are never
  // resumed, so they are not kept.
  if (!ems_) return;
  std::shared_ptr<Session> s;
  if (resumed_ && new_ticket_.empty()) {
    s = std::make_shared<Session>(*hello_.session12);  // the same session, usable again
  } else {
    s = std::make_shared<Session>();
    s->version = ProtocolVersion::tls12;
    s->cipher_suite = core_.info.cipher_suite;
    s->master_secret = master_secret_;
    s->extended_master_secret = true;
    s->received_at = wall_clock_now();
    s->server_name = server_name_;
    s->alpn = core_.info.alpn;
    if (resumed_) {
      s->peer_chain = hello_.session12->peer_chain;
      s->client_chain = hello_.session12->client_chain;
      s->ocsp = hello_.session12->ocsp;
    } else {
      s->peer_chain = core_.peer_chain;
      if (chosen_) s->client_chain = chosen_->chain_der();
      s->ocsp = core_.peer_ocsp;
      // RFC 6066 §8: a CertificateStatus holds up to 2^24-1 bytes, more
      // than a response vouch verifies (or a session keeps: Session::deserialize
      // refuses it). Such a staple was only reported, with its problem; the
      // session keeps the report without the bytes.
      for (StapleReport& r : s->ocsp.staples)
        if (r.response.size() > kMaxOcspResponseBytes) r.response.clear();
    }
    s->ocsp.from_session = false;
    if (!new_ticket_.empty()) {
      s->ticket = new_ticket_;
      s->lifetime_seconds = std::min(new_ticket_lifetime_ ? new_ticket_lifetime_ : kDefaultSessionLifetime,
                                     kMaxSessionLifetime);
    } else if (!server_session_id_.empty()) {
      s->session_id = server_session_id_;
      s->lifetime_seconds = kDefaultSessionLifetime;
    } else {
      return;  // neither a ticket nor an ID: nothing to resume with
    }
  }
  if (config_->session_cache) config_->session_cache->put(server_name_, s);
  sessions_out_.push_back(std::move(s));
}

// ---------------------------------------------------------------- after the handshake

Status ClientHandshake12::post_handshake(const HandshakeMessage& m) {
  if (m.type != static_cast<uint8_t>(HandshakeType::hello_request)) return unexpected(m, "HelloRequest");
  VOUCH_TRY(parse_empty_body(m.body, "HelloRequest"));
  // RFC 5246 §7.4.1.1: the client may decline with a no_renegotiation
  // warning. vouch renegotiates only when the application opted in, once
  // per connection, and only with a server that supports secure
  // renegotiation (RFC 5746 §4.2: otherwise "SHOULD NOT renegotiate").
  const bool allowed = ((config_->renegotiation == Renegotiation::once && renegotiations_ == 0) ||
                        config_->renegotiation == Renegotiation::freely) &&
                       core_.secure_renegotiation;
  if (!allowed) return core_.send_warning(Alert::no_renegotiation);
  return start_renegotiation();
}

void ClientHandshake12::abandon_renegotiation() {
  // Only before the server answered: once its ServerHello is in, the new
  // handshake has changed our state and must complete (or fail).
  if (!renegotiation_ || state_ != State::read_server_hello) return;
  renegotiation_ = false;
  core_.renegotiating = false;
  core_.transcript.drop_messages();
  chosen_ = std::move(previous_chosen_);
  state_ = State::done;
}

Status ClientHandshake12::start_renegotiation() {
  renegotiation_ = true;
  ++renegotiations_;
  previous_server_chain_ = core_.peer_chain;
  resumed_ = ems_ = ticket_expected_ = status_acked_ = status_v2_acked_ = cert_requested_ = false;
  server_session_id_.clear();
  new_ticket_.clear();
  new_ticket_lifetime_ = 0;
  request_ = CertificateRequestInfo{};
  pending_.reset();
  previous_chosen_ = std::move(chosen_);
  chosen_.reset();
  verified_chain_.clear();
  server_key_.reset();
  server_share_.clear();
  core_.transcript = Transcript{};
  core_.transcript.keep_messages();
  core_.renegotiating = true;
  state_ = State::send_client_hello;
  return {};
}

void ClientHandshake12::release_after_handshake() {
  // A renegotiation starts a new transcript (start_renegotiation) and
  // compares the server's new chain with core_.peer_chain, so the
  // transcript and the handshake's own copies of the chain go.
  core_.release_after_handshake(false);
  wipe_memory(master_secret_);
  Bytes().swap(master_secret_);
  keys_ = KeyBlock12{};
  std::vector<Bytes>().swap(server_chain_);
  std::vector<ossl::X509Ptr>().swap(verified_chain_);
  server_key_.reset();
  Bytes().swap(server_share_);
  std::vector<std::optional<Bytes>>().swap(staples_);
  Bytes().swap(new_ticket_);
}

}  // namespace vouch
