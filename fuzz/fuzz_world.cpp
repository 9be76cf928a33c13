#include "fuzz_world.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "cert/pem.h"
#include "crypto/random.h"

#ifndef VOUCH_FUZZ_DIR
#error "VOUCH_FUZZ_DIR (the fuzz/ source directory) must be defined"
#endif

namespace vouch::fuzz {
namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fuzz world: %s\n", what.c_str());
  std::abort();
}

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r.ok()) die(what + ": " + r.error().to_string());
  return std::move(r).value();
}

struct World {
  std::optional<WorldPki> pki;
  std::vector<ossl::X509Ptr> owned;
  std::shared_ptr<TicketKeys> ticket_keys;
  std::vector<std::shared_ptr<const ServerConfig>> servers;
  std::vector<std::shared_ptr<const ClientConfig>> clients;
  std::shared_ptr<const Session> session13, session12;
};
World* g_world = nullptr;

X509* first_certificate(World& w, const std::string& pem, const std::string& what) {
  auto certs = must(read_pem_certificates(pem, what), "loading " + what);
  w.owned.push_back(std::move(certs.front()));
  return w.owned.back().get();
}

void load_pki(World& w) {
  const std::string root_pem = read_fuzz_file("pki/root.pem");
  const std::string server_chain_pem = read_fuzz_file("pki/server-chain.pem");
  const std::string server_key_pem = read_fuzz_file("pki/server-key.pem");
  const std::string client_chain_pem = read_fuzz_file("pki/client-chain.pem");
  const std::string client_key_pem = read_fuzz_file("pki/client-key.pem");
  const std::string leaf_staple = read_fuzz_file("pki/server.ocsp.der");
  const std::string intermediate_staple = read_fuzz_file("pki/intermediate.ocsp.der");
  const Bytes leaf_staple_der(leaf_staple.begin(), leaf_staple.end());
  const Bytes intermediate_staple_der(intermediate_staple.begin(), intermediate_staple.end());
  const Credential unstapled = must(Credential::from_pem(server_chain_pem, server_key_pem), "server credential");
  w.pki.emplace(WorldPki{
      .dir = std::string(VOUCH_FUZZ_DIR) + "/pki",
      .root_pem = root_pem,
      .intermediate_pem = read_fuzz_file("pki/intermediate.pem"),
      .server_chain_pem = server_chain_pem,
      .server_key_pem = server_key_pem,
      .client_chain_pem = client_chain_pem,
      .client_key_pem = client_key_pem,
      .crl_pem = read_fuzz_file("pki/intermediate-crl.pem"),
      .server = must(unstapled.with_ocsp_staples({leaf_staple_der, intermediate_staple_der}), "server staples"),
      .server_rsa = must(Credential::from_pem(read_fuzz_file("pki/server-rsa-chain.pem"),
                                              read_fuzz_file("pki/server-rsa-key.pem")),
                         "RSA server credential"),
      .client = must(Credential::from_pem(client_chain_pem, client_key_pem), "client credential"),
      .roots = must(TrustStore::from_pem(root_pem), "roots"),
      .leaf_staple = leaf_staple_der,
      .intermediate_staple = intermediate_staple_der,
  });
  WorldPki& p = *w.pki;
  p.root = first_certificate(w, p.root_pem, "root");
  p.intermediate = first_certificate(w, p.intermediate_pem, "intermediate");
  p.leaf = first_certificate(w, p.server_chain_pem, "server leaf");
}

void make_configs(World& w) {
  const WorldPki& p = *w.pki;
  for (uint8_t k = 0; k < static_cast<uint8_t>(ServerKind::count); ++k) {
    auto s = std::make_shared<ServerConfig>();
    s->credentials = {p.server, p.server_rsa};
    s->ticket_keys = w.ticket_keys;
    s->alpn = {"h2", "http/1.1"};
    s->client_trust = p.roots;
    switch (static_cast<ServerKind>(k)) {
      case ServerKind::plain:
        break;
      case ServerKind::mtls:
        s->client_auth = ClientAuth::required;
        s->request_client_ocsp = true;
        break;
      case ServerKind::cookie:
        s->require_cookie = true;
        break;
      case ServerKind::tls12:
        s->max_version = ProtocolVersion::tls12;
        s->client_auth = ClientAuth::optional;
        s->tickets12 = false;
        break;
      case ServerKind::count:
        break;
    }
    w.servers.push_back(std::move(s));
  }
  for (uint8_t k = 0; k < static_cast<uint8_t>(ClientKind::count); ++k) {
    auto c = std::make_shared<ClientConfig>();
    c->trust = p.roots;
    c->alpn = {"http/1.1", "h2"};
    c->client_credentials = {p.client};
    c->post_handshake_auth = true;
    switch (static_cast<ClientKind>(k)) {
      case ClientKind::plain:
      case ClientKind::resumed13:
        break;
      case ClientKind::hrr:
        c->key_share_groups = {NamedGroup::secp384r1};
        break;
      case ClientKind::stapled:
        c->ocsp_policy = OcspPolicy::require;
        break;
      case ClientKind::tls12:
      case ClientKind::resumed12:
        c->max_version = ProtocolVersion::tls12;
        break;
      case ClientKind::count:
        break;
    }
    w.clients.push_back(std::move(c));
  }
}

// A full handshake between a client and a server of these kinds; the first
// session the client received.
std::shared_ptr<const Session> first_session(ClientKind ck, ServerKind sk) {
  fuzzing::select_random_stream(kClientStream);
  auto client = Connection::client(client_config(static_cast<uint8_t>(ck)), "localhost");
  fuzzing::select_random_stream(kServerStream);
  auto server = Connection::server(server_config(static_cast<uint8_t>(sk)));
  if (!converse(*client, *server, nullptr)) die("the session handshake failed");
  auto sessions = client->take_sessions();
  if (sessions.empty()) die("the session handshake gave no session");
  return sessions.front();
}

}  // namespace

void init_world() {
  if (g_world) return;
  fuzzing::reset_random();
  fuzzing::select_random_stream(kSetupStream);
  g_world = new World;  // lives as long as the process
  load_pki(*g_world);
  // No automatic rotation: a corpus ticket must open in every run.
  g_world->ticket_keys = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  make_configs(*g_world);
  g_world->session13 = first_session(ClientKind::plain, ServerKind::plain);
  g_world->session12 = first_session(ClientKind::tls12, ServerKind::plain);
  fuzzing::reset_random();
}

const WorldPki& pki() {
  init_world();
  return *g_world->pki;
}

TicketKeys& ticket_keys() {
  init_world();
  return *g_world->ticket_keys;
}

std::shared_ptr<ServerConfig> server_config(uint8_t kind) {
  const auto& base = g_world->servers[kind % g_world->servers.size()];
  auto copy = std::make_shared<ServerConfig>(*base);
  copy->session_cache12 = std::make_shared<ServerSessionCache>(16);
  return copy;
}

std::shared_ptr<const ClientConfig> client_config(uint8_t kind) {
  return g_world->clients[kind % g_world->clients.size()];
}

std::shared_ptr<const Session> client_session(uint8_t kind) {
  switch (static_cast<ClientKind>(kind % static_cast<uint8_t>(ClientKind::count))) {
    case ClientKind::resumed13:
      return g_world->session13;
    case ClientKind::resumed12:
      return g_world->session12;
    default:
      return nullptr;
  }
}

namespace {

void read_all(Connection& conn, Bytes* into) {
  uint8_t buf[4096];
  for (;;) {
    const size_t n = conn.read(buf);
    if (n == 0) return;
    if (into) into->insert(into->end(), buf, buf + n);
  }
}

}  // namespace

Status server_feed(Connection& server, ByteView chunk) {
  Status st = server.receive(chunk);
  if (server.failed()) return st;
  if (server.handshake_complete()) {
    Bytes data;
    read_all(server, &data);
    if (!data.empty()) (void)server.write(data);
  }
  if (server.peer_closed()) (void)server.close();
  return st;
}

Status client_feed(Connection& client, ByteView chunk, bool& pinged) {
  Status st = client.receive(chunk);
  if (client.failed()) return st;
  if (client.handshake_complete() && !pinged) {
    pinged = true;
    static const uint8_t kPing[] = {'p', 'i', 'n', 'g'};
    (void)client.write(kPing);
    if (client.info().version == ProtocolVersion::tls13) (void)client.key_update(true);
  }
  read_all(client, nullptr);
  if (client.peer_closed()) (void)client.close();
  return st;
}

bool converse(Connection& client, Connection& server, Exchange* record) {
  bool pinged = false;
  bool closed = false;
  fuzzing::select_random_stream(kClientStream);
  (void)client.start();
  for (int round = 0; round < 64; ++round) {
    bool moved = false;
    if (ByteView out = client.pending_output(); !out.empty()) {
      Bytes chunk(out.begin(), out.end());
      client.consume_output(chunk.size());
      if (record) record->to_server.push_back(chunk);
      fuzzing::select_random_stream(kServerStream);
      (void)server_feed(server, chunk);
      moved = true;
    }
    if (ByteView out = server.pending_output(); !out.empty()) {
      Bytes chunk(out.begin(), out.end());
      server.consume_output(chunk.size());
      if (record) record->to_client.push_back(chunk);
      fuzzing::select_random_stream(kClientStream);
      (void)client_feed(client, chunk, pinged);
      moved = true;
    }
    if (moved) continue;
    // Quiet: the handshake, the ping and its echo are done (or failed).
    if (closed || client.failed() || server.failed() || !client.handshake_complete()) break;
    closed = true;
    fuzzing::select_random_stream(kClientStream);
    (void)client.close();
  }
  return client.handshake_complete() && server.handshake_complete() && !client.failed() &&
         !server.failed();
}

std::unique_ptr<Connection> run_server_input(ByteView input) {
  init_world();
  fuzzing::reset_random();
  fuzzing::select_random_stream(kServerStream);
  auto server = Connection::server(server_config(input.empty() ? 0 : input[0]));
  Chunks chunks(input.empty() ? input : input.subspan(1));
  while (auto chunk = chunks.next()) {
    (void)server_feed(*server, *chunk);
    server->consume_output(server->pending_output().size());
    if (server->failed()) break;
  }
  return server;
}

std::unique_ptr<Connection> run_client_input(ByteView input) {
  init_world();
  fuzzing::reset_random();
  fuzzing::select_random_stream(kClientStream);
  const uint8_t kind = input.empty() ? 0 : input[0];
  auto client = Connection::client(client_config(kind), "localhost", client_session(kind));
  (void)client->start();
  client->consume_output(client->pending_output().size());
  bool pinged = false;
  Chunks chunks(input.empty() ? input : input.subspan(1));
  while (auto chunk = chunks.next()) {
    (void)client_feed(*client, *chunk, pinged);
    client->consume_output(client->pending_output().size());
    if (client->failed()) break;
  }
  return client;
}

std::optional<ByteView> Chunks::next() {
  if (data_.size() < 2) return std::nullopt;
  const size_t len = (size_t{data_[0]} << 8) | data_[1];
  data_ = data_.subspan(2);
  const size_t n = std::min(len, data_.size());
  ByteView chunk = data_.first(n);
  data_ = data_.subspan(n);
  return chunk;
}

void append_chunk(Bytes& out, ByteView chunk) {
  while (true) {
    const size_t n = std::min<size_t>(chunk.size(), 0xffff);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
    chunk = chunk.subspan(n);
    if (chunk.empty()) return;
  }
}

namespace {

Bytes pattern(size_t n, uint8_t start) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(start + i);
  return b;
}

}  // namespace

const std::vector<Suite13>& record13_suites() {
  static const std::vector<Suite13> suites = {
      {CipherSuite::TLS_AES_128_GCM_SHA256, pattern(32, 0x10)},
      {CipherSuite::TLS_AES_256_GCM_SHA384, pattern(48, 0x40)},
      {CipherSuite::TLS_CHACHA20_POLY1305_SHA256, pattern(32, 0x80)},
  };
  return suites;
}

const std::vector<Suite12>& record12_suites() {
  static const std::vector<Suite12> suites = {
      {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, pattern(16, 0x10), pattern(4, 0xa0)},
      {CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, pattern(32, 0x40), pattern(4, 0xb0)},
      {CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, pattern(32, 0x80), pattern(12, 0xc0)},
  };
  return suites;
}

std::string read_fuzz_file(const std::string& relative) {
  const std::string path = std::string(VOUCH_FUZZ_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path + " (run record_corpus --new-pki to make the PKI)");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace vouch::fuzz
