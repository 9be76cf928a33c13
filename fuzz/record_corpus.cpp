// Records the fuzz corpora: runs real in-memory handshakes between a vouch
// client and a vouch server of the fuzz world (fuzz_world.h) and writes
// what each side sent, the handshake messages, extensions, records, tickets
// and sessions they made, and the PKI's files, as the seed inputs of every
// target under fuzz/corpus/<target>/. Then replays each connection input the
// way the connection targets do and fails unless the replay ends as the
// recording did, so a corpus that would not get past the first flight is
// never written silently.
//
//   record_corpus [--new-pki] FUZZ_DIR
//
// --new-pki first makes a new PKI in FUZZ_DIR/pki (every corpus depends on
// it, so all are recorded again). Built in the fuzz build only
// (build-fuzz/fuzz/record_corpus); `make fuzz-corpus` runs it.
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "crypto/random.h"
#include "ext/extensions.h"
#include "fuzz_world.h"
#include "handshake/ticket.h"
#include "msg/messages.h"
#include "msg/messages12.h"
#include "record/record.h"
#include "handshake/test_hooks.h"
#include "session_file.h"
#include "support/pki.h"
#include "tools/ocsp_staple.h"
#include "vouch/connection.h"

namespace fs = std::filesystem;
using namespace vouch;

namespace {

// A handful of inputs per target is enough to start from.
constexpr size_t kMaxPerTarget = 12;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "record_corpus: %s\n", what.c_str());
  std::exit(1);
}

// ---- the PKI -------------------------------------------------------------

// Valid from 2025-01-01 to 2100-01-01, whatever day it is made: the fuzz
// clock (kFuzzingUnixTime) and the real one (chain verification) both fall
// inside.
constexpr int64_t kNotBefore = 1735689600;
constexpr int64_t kNotAfter = 4102444800;

testing::CertSpec spec(const std::string& cn, testing::KeyType key) {
  testing::CertSpec s;
  s.cn = cn;
  s.key = key;
  const int64_t now = std::time(nullptr);
  s.not_before_offset_s = static_cast<long>(kNotBefore - now);
  s.not_after_offset_s = static_cast<long>(kNotAfter - now);
  return s;
}

Bytes staple_for(const testing::Issued& cert, const testing::Issued& issuer) {
  testing::OcspBehavior b;
  b.now = wall_clock_now();
  b.this_update_offset = std::chrono::seconds(-3600);
  b.next_update_offset = std::chrono::seconds(kNotAfter - kFuzzingUnixTime);
  auto r = testing::make_ocsp_staple(cert.cert.get(), issuer.cert.get(), issuer.key.get(), b);
  if (!r.ok()) die("staple: " + r.error().to_string());
  return std::move(r).value();
}

// A CRL of `issuer` revoking serial 0x5eed (no certificate of the PKI), valid
// around the fuzz clock for decades.
std::string make_crl_pem(const testing::Issued& issuer) {
  ossl::Ptr<X509_CRL, X509_CRL_free> crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.get()));
  ossl::Ptr<ASN1_TIME, ASN1_TIME_free> last(ASN1_TIME_set(nullptr, kFuzzingUnixTime - 86400));
  ossl::Ptr<ASN1_TIME, ASN1_TIME_free> next(ASN1_TIME_set(nullptr, kNotAfter));
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  X509_REVOKED* rev = X509_REVOKED_new();
  ossl::Ptr<ASN1_INTEGER, ASN1_INTEGER_free> serial(ASN1_INTEGER_new());
  ASN1_INTEGER_set(serial.get(), 0x5eed);
  X509_REVOKED_set_serialNumber(rev, serial.get());
  X509_REVOKED_set_revocationDate(rev, last.get());
  X509_CRL_add0_revoked(crl.get(), rev);
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), issuer.key.get(), EVP_sha256()) <= 0) die("cannot sign the CRL");
  return testing::to_pem(crl.get());
}

void write_file(const fs::path& path, ByteView data) { testing::write_file(path.string(), data); }
void write_file(const fs::path& path, const std::string& text) { testing::write_file(path.string(), text); }

void new_pki(const fs::path& dir) {
  using testing::KeyType;
  fs::create_directories(dir);
  auto root_spec = spec("vouch fuzz root", KeyType::ecdsa_p256);
  root_spec.ca = true;
  const auto root = testing::make_self_signed(root_spec);
  auto int_spec = spec("vouch fuzz intermediate", KeyType::ecdsa_p256);
  int_spec.ca = true;
  int_spec.path_len = 0;
  const auto intermediate = testing::issue(int_spec, root);
  auto server_spec = spec("localhost", KeyType::ecdsa_p256);
  server_spec.dns = {"localhost"};
  server_spec.eku = testing::CertSpec::Eku::server;
  const auto server = testing::issue(server_spec, intermediate);
  auto rsa_spec = spec("localhost", KeyType::rsa2048);
  rsa_spec.dns = {"localhost"};
  rsa_spec.eku = testing::CertSpec::Eku::server;
  const auto server_rsa = testing::issue(rsa_spec, intermediate);
  auto client_spec = spec("vouch fuzz client", KeyType::ecdsa_p256);
  client_spec.eku = testing::CertSpec::Eku::client;
  const auto client = testing::issue(client_spec, intermediate);

  write_file(dir / "root.pem", root.cert_pem);
  write_file(dir / "root-key.pem", root.key_pem);
  write_file(dir / "intermediate.pem", intermediate.cert_pem);
  write_file(dir / "intermediate-key.pem", intermediate.key_pem);
  write_file(dir / "server-chain.pem", server.cert_pem + intermediate.cert_pem);
  write_file(dir / "server-key.pem", server.key_pem);
  write_file(dir / "server-rsa-chain.pem", server_rsa.cert_pem + intermediate.cert_pem);
  write_file(dir / "server-rsa-key.pem", server_rsa.key_pem);
  write_file(dir / "client-chain.pem", client.cert_pem + intermediate.cert_pem);
  write_file(dir / "client-key.pem", client.key_pem);
  write_file(dir / "server.ocsp.der", staple_for(server, intermediate));
  write_file(dir / "intermediate.ocsp.der", staple_for(intermediate, root));
  write_file(dir / "intermediate-crl.pem", make_crl_pem(intermediate));
  std::printf("new PKI in %s\n", dir.string().c_str());
}

// ---- the corpora -----------------------------------------------------------

class Corpus {
 public:
  explicit Corpus(fs::path dir) : dir_(std::move(dir)) {}
  // Adds an input to a target's corpus unless it holds it already or is full.
  void add(const std::string& target, const std::string& name, ByteView input) {
    auto& seen = inputs_[target];
    if (seen.size() >= kMaxPerTarget) return;
    for (const auto& [n, bytes] : seen) {
      if (bytes == Bytes(input.begin(), input.end())) return;
    }
    seen.emplace_back(name, Bytes(input.begin(), input.end()));
  }
  void add(const std::string& target, const std::string& name, const std::string& text) {
    add(target, name, ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  // Replaces each target's directory with its inputs.
  void write() const {
    for (const auto& [target, inputs] : inputs_) {
      const fs::path dir = dir_ / target;
      fs::remove_all(dir);
      fs::create_directories(dir);
      for (const auto& [name, bytes] : inputs) write_file(dir / name, bytes);
      std::printf("%-28s %zu inputs\n", target.c_str(), inputs.size());
    }
  }

 private:
  fs::path dir_;
  std::map<std::string, std::vector<std::pair<std::string, Bytes>>> inputs_;
};

Bytes with_selector(uint8_t selector, ByteView rest) {
  Bytes out{selector};
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

Bytes chunked(uint8_t selector, const std::vector<Bytes>& chunks) {
  Bytes out{selector};
  for (const Bytes& c : chunks) fuzz::append_chunk(out, c);
  return out;
}

struct Scenario {
  const char* name;
  fuzz::ClientKind client;
  fuzz::ServerKind server;
  ProtocolVersion version;
  bool hrr = false;
  bool resumed = false;
  bool client_cert = false;
};

const Scenario kScenarios[] = {
    {"plain13", fuzz::ClientKind::plain, fuzz::ServerKind::plain, ProtocolVersion::tls13},
    {"hrr13", fuzz::ClientKind::hrr, fuzz::ServerKind::plain, ProtocolVersion::tls13, true},
    {"cookie13", fuzz::ClientKind::plain, fuzz::ServerKind::cookie, ProtocolVersion::tls13, true},
    {"mtls13", fuzz::ClientKind::plain, fuzz::ServerKind::mtls, ProtocolVersion::tls13, false, false, true},
    {"stapled13", fuzz::ClientKind::stapled, fuzz::ServerKind::plain, ProtocolVersion::tls13},
    {"resumed13", fuzz::ClientKind::resumed13, fuzz::ServerKind::plain, ProtocolVersion::tls13, false, true},
    {"plain12", fuzz::ClientKind::tls12, fuzz::ServerKind::plain, ProtocolVersion::tls12},
    {"mtls12", fuzz::ClientKind::tls12, fuzz::ServerKind::mtls, ProtocolVersion::tls12, false, false, true},
    {"downgrade12", fuzz::ClientKind::plain, fuzz::ServerKind::tls12, ProtocolVersion::tls12, false, false, true},
    {"resumed12", fuzz::ClientKind::resumed12, fuzz::ServerKind::plain, ProtocolVersion::tls12, false, true},
};

struct Sent {
  bool from_client;
  Bytes message;  // with its 4-byte header
};

struct Recording {
  fuzz::Exchange exchange;
  std::vector<Sent> messages;
  std::vector<std::shared_ptr<const Session>> sessions;
};

// One scenario, from fresh random streams. With `messages`, every handshake
// message either side sends is captured too (through the test hook, which
// passes it on unchanged).
Recording run(const Scenario& s, bool capture_messages) {
  Recording rec;
  fuzzing::reset_random();
  const auto ck = static_cast<uint8_t>(s.client);
  const auto sk = static_cast<uint8_t>(s.server);
  fuzzing::select_random_stream(fuzz::kClientStream);
  auto client = Connection::client(fuzz::client_config(ck), "localhost", fuzz::client_session(ck));
  fuzzing::select_random_stream(fuzz::kServerStream);
  auto server = Connection::server(fuzz::server_config(sk));
  if (capture_messages) {
    test_hooks::set_outgoing_message_hook(*client, [&rec](const Bytes& m) {
      rec.messages.push_back({true, m});
      return std::vector<Bytes>{m};
    });
    test_hooks::set_outgoing_message_hook(*server, [&rec](const Bytes& m) {
      rec.messages.push_back({false, m});
      return std::vector<Bytes>{m};
    });
  }
  const bool ok = fuzz::converse(*client, *server, &rec.exchange);
  const ConnectionInfo& info = client->info();
  std::string problem;
  if (!ok) {
    problem = "failed: " + (client->error()   ? client->error()->to_string()
                            : server->error() ? server->error()->to_string()
                                              : std::string("incomplete"));
  } else if (info.version != s.version) {
    problem = "wrong version";
  } else if (info.hello_retry_request != s.hrr) {
    problem = "HelloRetryRequest " + std::string(info.hello_retry_request ? "sent" : "not sent");
  } else if (info.resumed != s.resumed) {
    problem = "resumed " + std::string(info.resumed ? "yes" : "no");
  } else if (s.client_cert == server->verified_peer_chain().empty()) {
    problem = "client certificate " + std::string(s.client_cert ? "missing" : "unexpected");
  } else if (!client->peer_closed() || !server->peer_closed()) {
    problem = "close_notify not exchanged";
  }
  if (!problem.empty()) die(std::string(s.name) + ": " + problem);
  if (!capture_messages) {
    std::printf("%-12s ok: ocsp %s; %zu chunks to the server, %zu to the client\n", s.name,
                client->peer_ocsp().summary().c_str(), rec.exchange.to_server.size(),
                rec.exchange.to_client.size());
  }
  rec.sessions = client->take_sessions();
  return rec;
}

// Replays an input as the connection targets do; it must end as recorded:
// handshake complete, no error, close_notify received.
void check_replay(const char* scenario, const char* target, ByteView input, bool server) {
  auto conn = server ? fuzz::run_server_input(input) : fuzz::run_client_input(input);
  if (!conn->handshake_complete() || conn->failed() || !conn->peer_closed()) {
    die(std::string(scenario) + ": the " + target + " replay diverged: " +
        (conn->error() ? conn->error()->to_string() : std::string("no error, incomplete")));
  }
}

std::string hex_byte(uint8_t b) {
  char buf[3];
  std::snprintf(buf, sizeof buf, "%02x", b);
  return buf;
}

// The target, and the input, for one handshake message of a connection of
// `version`.
void add_message(Corpus& corpus, const std::string& scenario, ProtocolVersion version, const Sent& sent) {
  const Bytes& m = sent.message;
  if (m.size() < 4) return;
  const ByteView body(m.data() + 4, m.size() - 4);
  const bool v13 = version == ProtocolVersion::tls13;
  const std::string name = scenario + "-" + (sent.from_client ? "c" : "s") + hex_byte(m[0]);
  static const std::map<uint8_t, std::pair<const char*, const char*>> kTargets = {
      {1, {"msg_client_hello", "msg_client_hello"}},
      {2, {"msg_server_hello", "msg_server_hello"}},
      {4, {"msg_new_session_ticket", "msg_new_session_ticket12"}},
      {8, {"msg_encrypted_extensions", nullptr}},
      {11, {"msg_certificate", "msg_certificate12"}},
      {12, {nullptr, "msg_server_key_exchange"}},
      {13, {"msg_certificate_request", "msg_certificate_request12"}},
      {14, {nullptr, "msg_empty_body"}},
      {15, {"msg_certificate_verify", "msg_certificate_verify"}},
      {16, {nullptr, "msg_client_key_exchange"}},
      {22, {nullptr, "msg_certificate_status"}},
      {24, {"msg_key_update", nullptr}},
  };
  if (m[0] == 20) {  // Finished: the selector names the verify_data length
    const uint8_t selector = body.size() == 12 ? 0 : body.size() == 32 ? 1 : 2;
    corpus.add("msg_finished", name, with_selector(selector, body));
    return;
  }
  auto it = kTargets.find(m[0]);
  if (it == kTargets.end()) return;
  const char* target = v13 ? it->second.first : it->second.second;
  // A ClientHello offering both versions is a TLS 1.3 one until answered.
  if (m[0] == 1 || m[0] == 2) target = it->second.first;
  if (target) corpus.add(target, name, body);
}

// The extension blocks of the messages, each as its message carries it
// (parse, then write: the form the round trip checks).
void add_extensions(Corpus& corpus, const std::string& scenario, ProtocolVersion version, const Sent& sent) {
  const Bytes& m = sent.message;
  if (m.size() < 4) return;
  const ByteView body(m.data() + 4, m.size() - 4);
  const std::string name = scenario + "-" + (sent.from_client ? "c" : "s") + hex_byte(m[0]);
  auto add = [&](ExtContext ctx, const Extensions& ext, const std::string& suffix = "") {
    Bytes block;
    Writer w(block);
    write_extensions(w, ctx, ext);
    corpus.add("extensions", name + suffix, with_selector(static_cast<uint8_t>(ctx), block));
  };
  const bool v13 = version == ProtocolVersion::tls13;
  switch (m[0]) {
    case 1: {
      ClientHello ch;
      if (parse(body, ch).ok()) add(ExtContext::client_hello, ch.ext);
      break;
    }
    case 2: {
      ServerHello sh;
      if (!parse(body, sh).ok()) break;
      add(sh.is_hello_retry_request() ? ExtContext::hello_retry_request
          : v13                       ? ExtContext::server_hello
                                      : ExtContext::server_hello12,
          sh.ext);
      break;
    }
    case 8: {
      EncryptedExtensions ee;
      if (parse(body, ee).ok()) add(ExtContext::encrypted_extensions, ee.ext);
      break;
    }
    case 11: {
      Certificate c;
      if (!v13 || !parse(body, c).ok()) break;
      for (size_t i = 0; i < c.certificate_list.size(); ++i) {
        add(ExtContext::certificate, c.certificate_list[i].ext, "-" + std::to_string(i));
      }
      break;
    }
    case 13: {
      CertificateRequest cr;
      if (v13 && parse(body, cr).ok()) add(ExtContext::certificate_request, cr.ext);
      break;
    }
    case 4: {
      NewSessionTicket nst;
      if (v13 && parse(body, nst).ok()) add(ExtContext::new_session_ticket, nst.ext);
      break;
    }
    default:
      break;
  }
}

// Tickets as clients present them, and their plaintext.
void add_ticket(Corpus& corpus, const std::string& scenario, ProtocolVersion version, const Sent& sent) {
  const Bytes& m = sent.message;
  if (m.size() < 4 || m[0] != 4) return;
  const ByteView body(m.data() + 4, m.size() - 4);
  Bytes ticket;
  if (version == ProtocolVersion::tls13) {
    NewSessionTicket nst;
    if (parse(body, nst).ok()) ticket = nst.ticket;
  } else {
    NewSessionTicket12 nst;
    if (parse(body, nst).ok()) ticket = nst.ticket;
  }
  if (ticket.empty()) return;
  corpus.add("ticket_open", scenario, ticket);
  auto plain = fuzz::ticket_keys().open(ticket);
  if (!plain.ok()) die(scenario + ": a recorded ticket does not open: " + plain.error().to_string());
  corpus.add("ticket_contents", scenario, plain.value());
}

// TLS 1.3 NewSessionTickets are sent after the handshake, past the message
// hook: their ticket comes from the session the client made of one, and the
// message is made again around it.
void add_ticket13(Corpus& corpus, const std::string& scenario, const Session& session) {
  corpus.add("ticket_open", scenario, session.ticket);
  auto plain = fuzz::ticket_keys().open(session.ticket);
  if (!plain.ok()) die(scenario + ": a recorded ticket does not open: " + plain.error().to_string());
  corpus.add("ticket_contents", scenario, plain.value());
  NewSessionTicket nst;
  nst.ticket_lifetime = session.lifetime_seconds;
  nst.ticket_age_add = session.age_add;
  nst.ticket_nonce = {0};
  nst.ticket = session.ticket;
  Bytes body;
  Writer w(body);
  write(w, nst);
  corpus.add("msg_new_session_ticket", scenario, body);
  nst.ext.max_early_data_size = 16384;
  Bytes block;
  Writer wb(block);
  write_extensions(wb, ExtContext::new_session_ticket, nst.ext);
  corpus.add("extensions", scenario + "-nst", with_selector(static_cast<uint8_t>(ExtContext::new_session_ticket), block));
}

void add_session(Corpus& corpus, const std::string& name, const Session& s) {
  corpus.add("session_codec", name, s.serialize());
  corpus.add("session_file", name, cli::format_session(s));
}

// The handshake messages one side sent, as the reassembler receives them:
// whole records of several messages, and the same cut into small fragments.
void add_assembler_inputs(Corpus& corpus, const std::string& scenario, const std::vector<Sent>& messages) {
  Bytes stream;
  for (const Sent& s : messages) {
    if (s.from_client) stream.insert(stream.end(), s.message.begin(), s.message.end());
  }
  if (stream.empty()) return;
  std::vector<Bytes> whole, small;
  for (size_t off = 0; off < stream.size(); off += kMaxPlaintext) {
    const size_t n = std::min(kMaxPlaintext, stream.size() - off);
    whole.emplace_back(stream.begin() + off, stream.begin() + off + n);
  }
  for (size_t off = 0, step = 1; off < stream.size(); off += step, step = step * 3 % 97 + 1) {
    const size_t n = std::min(step, stream.size() - off);
    small.emplace_back(stream.begin() + off, stream.begin() + off + n);
  }
  corpus.add("handshake_assembler", scenario + "-whole", chunked(0, whole));
  corpus.add("handshake_assembler", scenario + "-fragments", chunked(0, small));
}

void add_records(Corpus& corpus) {
  const Bytes hello = {1, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
  const Bytes data(300, 'x');
  const Bytes alert = {1, 0};  // warning close_notify
  const auto& s13 = fuzz::record13_suites();
  for (size_t i = 0; i < s13.size(); ++i) {
    RecordProtection13 p;
    if (!p.install(s13[i].suite, s13[i].secret).ok()) die("record13 install");
    Bytes records;
    (void)p.seal(ContentType::handshake, hello, records);
    (void)p.seal(ContentType::application_data, data, records, 17);
    (void)p.seal(ContentType::alert, alert, records);
    corpus.add("record_open13", "suite" + std::to_string(i), with_selector(static_cast<uint8_t>(i), records));
  }
  const auto& s12 = fuzz::record12_suites();
  for (size_t i = 0; i < s12.size(); ++i) {
    RecordProtection12 p;
    if (!p.install(s12[i].suite, s12[i].key, s12[i].iv).ok()) die("record12 install");
    Bytes records;
    (void)p.seal(ContentType::handshake, hello, records);
    (void)p.seal(ContentType::application_data, data, records);
    (void)p.seal(ContentType::alert, alert, records);
    corpus.add("record_open12", "suite" + std::to_string(i), with_selector(static_cast<uint8_t>(i), records));
  }
}

void add_pki_inputs(Corpus& corpus, const fs::path& fuzz_dir) {
  const auto& pki = fuzz::pki();
  auto split_input = [](const std::string& chain, const std::string& key) {
    Bytes in{0, static_cast<uint8_t>(chain.size() >> 8), static_cast<uint8_t>(chain.size())};
    in.insert(in.end(), chain.begin(), chain.end());
    in.insert(in.end(), key.begin(), key.end());
    return in;
  };
  corpus.add("credential", "server-pem", split_input(pki.server_chain_pem, pki.server_key_pem));
  corpus.add("credential", "client-pem", split_input(pki.client_chain_pem, pki.client_key_pem));
  corpus.add("credential", "rsa-pem",
             split_input(fuzz::read_fuzz_file("pki/server-rsa-chain.pem"), fuzz::read_fuzz_file("pki/server-rsa-key.pem")));
  corpus.add("credential", "roots", with_selector(1, ByteView(reinterpret_cast<const uint8_t*>(pki.root_pem.data()),
                                                              pki.root_pem.size())));
  corpus.add("credential", "leaf-der", with_selector(2, pki.server.chain_der().at(0)));
  corpus.add("credential", "client-der", with_selector(2, pki.client.chain_der().at(0)));
  corpus.add("credential", "staple", with_selector(3, pki.leaf_staple));

  corpus.add("ocsp_response", "leaf", pki.leaf_staple);
  corpus.add("ocsp_response", "intermediate", pki.intermediate_staple);
  // Other answers of the intermediate's responder for the leaf.
  const std::string key_pem = fuzz::read_fuzz_file("pki/intermediate-key.pem");
  ossl::Bio bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  ossl::EvpPkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) die("cannot read pki/intermediate-key.pem");
  for (const char* behavior : {"revoked", "unknown", "delegated", "no-next-update"}) {
    auto b = testing::ocsp_behavior_named(behavior);
    if (!b) die(std::string("no OCSP behaviour ") + behavior);
    b->now = wall_clock_now();
    auto der = testing::make_ocsp_staple(pki.leaf, pki.intermediate, key.get(), *b);
    if (!der.ok()) die(std::string("staple ") + behavior + ": " + der.error().to_string());
    corpus.add("ocsp_response", behavior, der.value());
  }

  const ByteView crl(reinterpret_cast<const uint8_t*>(pki.crl_pem.data()), pki.crl_pem.size());
  corpus.add("crl", "store-pem", with_selector(0, crl));
  corpus.add("crl", "provider-pem", with_selector(1, crl));
  ossl::Bio crl_bio(BIO_new_mem_buf(pki.crl_pem.data(), static_cast<int>(pki.crl_pem.size())));
  ossl::Ptr<X509_CRL, X509_CRL_free> parsed(PEM_read_bio_X509_CRL(crl_bio.get(), nullptr, nullptr, nullptr));
  unsigned char* der = nullptr;
  const int n = parsed ? i2d_X509_CRL(parsed.get(), &der) : -1;
  if (n <= 0) die("cannot re-encode the CRL");
  corpus.add("crl", "provider-der", with_selector(1, ByteView(der, static_cast<size_t>(n))));
  OPENSSL_free(der);
  (void)fuzz_dir;
}

}  // namespace

int main(int argc, char** argv) {
  bool make_pki = false;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--new-pki") == 0) {
      make_pki = true;
    } else if (dir.empty()) {
      dir = argv[i];
    } else {
      dir.clear();
      break;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: record_corpus [--new-pki] FUZZ_DIR\n");
    return 2;
  }
  const fs::path fuzz_dir(dir);
  if (fs::canonical(fuzz_dir) != fs::canonical(VOUCH_FUZZ_DIR)) {
    die("FUZZ_DIR must be the fuzz/ directory this program was built from (" + std::string(VOUCH_FUZZ_DIR) + ")");
  }
  if (make_pki) new_pki(fuzz_dir / "pki");  // before the world loads it

  fuzz::init_world();
  Corpus corpus(fuzz_dir / "corpus");
  for (const Scenario& s : kScenarios) {
    const Recording rec = run(s, false);
    const Bytes to_server = chunked(static_cast<uint8_t>(s.server), rec.exchange.to_server);
    const Bytes to_client = chunked(static_cast<uint8_t>(s.client), rec.exchange.to_client);
    check_replay(s.name, "server_connection", to_server, true);
    check_replay(s.name, "client_connection", to_client, false);
    corpus.add("server_connection", s.name, to_server);
    corpus.add("client_connection", s.name, to_client);
    Bytes client_stream, server_stream;
    for (const Bytes& c : rec.exchange.to_server) client_stream.insert(client_stream.end(), c.begin(), c.end());
    for (const Bytes& c : rec.exchange.to_client) server_stream.insert(server_stream.end(), c.begin(), c.end());
    corpus.add("record_deframer", std::string(s.name) + "-c", chunked(0, rec.exchange.to_server));
    corpus.add("record_deframer", std::string(s.name) + "-s", chunked(2, rec.exchange.to_client));
    if (!rec.sessions.empty()) add_session(corpus, s.name, *rec.sessions.front());
    for (const auto& session : rec.sessions) {
      if (session->version == ProtocolVersion::tls13) add_ticket13(corpus, s.name, *session);
    }

    // The same conversation again, its messages captured on the way.
    const Recording messages = run(s, true);
    if (messages.exchange.to_server != rec.exchange.to_server) die(std::string(s.name) + ": not deterministic");
    for (const Sent& m : messages.messages) {
      add_message(corpus, s.name, s.version, m);
      add_extensions(corpus, s.name, s.version, m);
      if (!m.from_client) add_ticket(corpus, s.name, s.version, m);
    }
    add_assembler_inputs(corpus, s.name, messages.messages);
  }
  add_records(corpus);
  add_pki_inputs(corpus, fuzz_dir);
  corpus.write();
  return 0;
}
