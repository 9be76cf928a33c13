#include "native_harness.h"

#include <exception>

#include "bench_pem.h"
#include "vouch/credential.h"

namespace vouch::bench::native {
namespace {

constexpr const char* kHost = "localhost";

CipherSuite suite13(Suite suite) {
  return suite == Suite::chacha20 ? CipherSuite::TLS_CHACHA20_POLY1305_SHA256 : CipherSuite::TLS_AES_128_GCM_SHA256;
}

// What vouch-ssl's apply_common sets from the benchmark's SSL_CTX calls.
void common(CommonConfig& c, const Setup& setup) {
  const auto v = setup.version == Version::tls12 ? ProtocolVersion::tls12 : ProtocolVersion::tls13;
  c.min_version = c.max_version = v;
  c.cipher_suites = {suite13(setup.suite)};
  c.cipher_suites12 = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  c.groups = {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};
  c.require_extended_master_secret = false;  // libssl's behaviour; offered all the same
}

const char* name_of(Side side) { return side == Side::client ? "client" : "server"; }

// Where a receiving end copies the pipe's bytes before receive(), as a
// program's read buffer. One per thread, grown once to the largest flight
// (a megabyte in the bulk rows), so that it counts in no connection's heap.
std::vector<uint8_t>& read_buffer() {
  thread_local std::vector<uint8_t> buffer;
  return buffer;
}

}  // namespace

Contexts make_contexts(const Setup& setup) {
  Contexts out;
  const PemFiles* files = nullptr;
  try {
    files = &pem_files();
  } catch (const std::exception& e) {
    out.error = e.what();
    return out;
  }
  const PemFiles& pem = *files;
  auto trust = TrustStore::from_pem_file(pem.root);
  auto server_cred = Credential::from_pem_files(pem.server_chain, pem.server_key);
  auto client_cred = Credential::from_pem_files(pem.client_chain, pem.client_key);
  if (!trust.ok() || !server_cred.ok() || !client_cred.ok()) {
    out.error = "loading the PEM files: " + (!trust.ok()         ? trust.error().to_string()
                                             : !server_cred.ok() ? server_cred.error().to_string()
                                                                 : client_cred.error().to_string());
    return out;
  }
  auto client = std::make_shared<ClientConfig>();
  common(*client, setup);
  client->trust = *trust;
  client->key_share_groups = {NamedGroup::x25519};
  // A libssl client asks for no staple unless told to.
  client->request_ocsp_status = false;
  client->request_ocsp_multi = false;
  client->ocsp_policy = OcspPolicy::ignore;
  auto server = std::make_shared<ServerConfig>();
  common(*server, setup);
  server->credentials = {*server_cred};
  server->num_tickets = static_cast<unsigned>(setup.num_tickets);
  server->num_tickets_resumed = 1;  // as libssl, and vouch-ssl after it
  server->ticket_keys = std::make_shared<TicketKeys>();
  server->prefer_server_cipher_order = false;
  if (setup.mutual) {
    server->client_auth = ClientAuth::required;
    server->client_trust = *trust;  // its CA names (the root's) go in the CertificateRequest
    client->client_credentials = {*client_cred};
  }
  out.client = std::move(client);
  out.server = std::move(server);
  return out;
}

Pair::Pair(const Contexts& contexts, bool release_when_empty)
    : contexts_(contexts), link_(release_when_empty) {}

std::string Pair::open(SideMeter& meter, const SessionPtr& resume) {
  const bool started = meter.on(Side::client, [&] {
    client_ = Connection::client(contexts_.client, kHost, resume);
    return client_->start().ok();
  });
  meter.on(Side::server, [&] { server_ = Connection::server(contexts_.server); });
  if (!started) return "client start: " + (client_->error() ? client_->error()->to_string() : "failed");
  return "";
}

size_t Pair::send(Side from) {
  Connection* c = end(from);
  const ByteView out = c->pending_output();
  const Side to = from == Side::client ? Side::server : Side::client;
  towards(to).push(out.data(), out.size());
  c->consume_output(out.size());
  return out.size();
}

bool Pair::deliver(Side to) {
  ByteQueue& q = towards(to);
  const size_t n = q.size();
  if (n == 0) return true;
  std::vector<uint8_t>& buffer = read_buffer();
  if (buffer.size() < n) buffer.resize(n);
  q.pop(buffer.data(), n);
  return end(to)->receive(ByteView(buffer.data(), n)).ok();
}

bool Pair::move(SideMeter& meter, Side from, size_t& moved) {
  const Side to = from == Side::client ? Side::server : Side::client;
  moved = meter.on(from, [&] { return send(from); });
  return moved == 0 || meter.on(to, [&] { return deliver(to); });
}

std::string Pair::handshake(SideMeter& meter) {
  for (int round = 0; round < 8; ++round) {
    size_t a = 0;
    size_t b = 0;
    if (!move(meter, Side::client, a) || !move(meter, Side::server, b)) break;
    const bool done = meter.on(Side::client, [&] { return client_->handshake_complete(); }) &&
                      meter.on(Side::server, [&] { return server_->handshake_complete(); });
    if (done && a == 0 && b == 0) {
      // Both finished and nothing was in flight this round: drain, as a
      // program reads until it would block (nothing is expected).
      for (const Side side : {Side::client, Side::server}) {
        unsigned char byte;
        if (meter.on(side, [&] { return end(side)->read(std::span<uint8_t>(&byte, 1)); }) != 0)
          return std::string(name_of(side)) + ": unexpected application data";
      }
      return "";
    }
    if (a == 0 && b == 0) return "handshake stalled";
  }
  for (const Side side : {Side::client, Side::server})
    if (const Error* e = end(side)->error()) return std::string(name_of(side)) + " handshake: " + e->to_string();
  return "handshake did not finish";
}

void Pair::free_side(SideMeter& meter, Side side) {
  auto& conn = side == Side::client ? client_ : server_;
  meter.on(side, [&] { conn.reset(); });
}

std::string Pair::check(const Setup& setup, bool resumed) const {
  if (setup.mutual && server_->peer_chain().empty()) return "server: no client chain";
  if (resumed && !(server_->info().resumed && client_->info().resumed)) return "not resumed";
  const CipherSuite want = setup.version == Version::tls12 ? CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                                                           : suite13(setup.suite);
  if (client_->info().cipher_suite != want) return "negotiated another suite";
  return "";
}

std::string Pair::client_subject(SideMeter& meter) {
  return meter.on(Side::server, [&] { return server_->peer_subject(); });
}

SessionPtr Pair::take_session(SideMeter& meter) {
  auto sessions = meter.on(Side::client, [&] { return client_->take_sessions(); });
  return sessions.empty() ? nullptr : sessions.back();
}

std::string Pair::transfer(const std::vector<unsigned char>& data, std::vector<unsigned char>& in, int64_t& ns) {
  bool sent = false;
  size_t got = 0;
  {
    CpuSpan span(ns);
    const CollectScope collect;
    sent = client_->write(data).ok() && send(Side::client) > data.size();  // records and their overhead
    sent = deliver(Side::server) && sent;
    while (got < in.size()) {
      const size_t n = server_->read(std::span<uint8_t>(in).subspan(got));
      if (n == 0) break;
      got += n;
    }
  }
  if (!sent) return "write or receive failed";
  if (got != in.size()) return "short read";
  return "";
}

}  // namespace vouch::bench::native
