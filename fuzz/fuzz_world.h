// What the fuzz targets and the corpus recorder (record_corpus.cpp) share:
// the fixed PKI under fuzz/pki/, the client and server configurations the
// connection targets pick from, the sessions they resume, the fixed keys of
// the record and ticket targets, the input formats, and the code that feeds
// a connection its peer's bytes. The recorder drives a real client and
// server through exactly this code, with each side on its own deterministic
// random stream (crypto/random.h, fuzzing::), so that the server target
// replaying the client's recorded bytes makes the same key shares, random
// values and signatures as the recorded server — and gets past the first
// flight — and likewise for the client target.
//
// Built only in fuzz builds (VOUCH_FUZZING).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "record/record.h"
#include "vouch/config.h"
#include "vouch/connection.h"
#include "vouch/credential.h"
#include "vouch/session.h"

namespace vouch::fuzz {

// ---- deterministic randomness -------------------------------------------
inline constexpr unsigned kSetupStream = 0;   // configs, ticket keys
inline constexpr unsigned kClientStream = 1;  // everything the client draws
inline constexpr unsigned kServerStream = 2;  // everything the server draws

/// Builds the world once (the first call; every target calls it from
/// LLVMFuzzerInitialize or its first input): loads fuzz/pki, makes the ticket
/// keys, the configs and, by running two in-memory handshakes, the TLS 1.3
/// and TLS 1.2 sessions the resuming clients offer. Deterministic: the same
/// in every process. Aborts with a message when fuzz/pki cannot be loaded.
void init_world();

/// The fixed PKI (fuzz/pki/, made by `record_corpus --new-pki`): one ECDSA
/// P-256 root, an intermediate, an ECDSA and an RSA server leaf for
/// "localhost", a client leaf; OCSP staples for the ECDSA leaf and the
/// intermediate; a CRL of the intermediate.
struct WorldPki {
  std::string dir;
  std::string root_pem, intermediate_pem, server_chain_pem, server_key_pem, client_chain_pem,
      client_key_pem, crl_pem;
  Credential server;      // ECDSA leaf + intermediate, stapled (both)
  Credential server_rsa;  // RSA leaf + intermediate
  Credential client;      // client leaf + intermediate
  TrustStore roots;       // the root
  Bytes leaf_staple, intermediate_staple;
  X509* root = nullptr;          // owned by the world
  X509* intermediate = nullptr;  // owned by the world
  X509* leaf = nullptr;          // the ECDSA server leaf, owned by the world
};
const WorldPki& pki();

/// The server configurations of the server target (input byte 0 picks one).
enum class ServerKind : uint8_t {
  plain,    // TLS 1.2 + 1.3, stapling, tickets, ALPN, no client certificate
  mtls,     // client certificate required, client staple requested
  cookie,   // every first ClientHello gets a HelloRetryRequest with a cookie
  tls12,    // TLS 1.2 only, client certificate optional, session IDs not tickets
  count,
};
/// The client configurations of the client target (input byte 0 picks one).
/// All but tls12/resumed12 offer TLS 1.2 and 1.3; all hold a client
/// credential (sent when asked) and offer post-handshake authentication.
enum class ClientKind : uint8_t {
  plain,      // key share x25519, OCSP soft
  hrr,        // key share secp384r1 only: a server preferring x25519 retries
  stapled,    // OCSP required
  resumed13,  // offers the world's TLS 1.3 session
  tls12,      // TLS 1.2 only
  resumed12,  // TLS 1.2 only, offers the world's TLS 1.2 session (a ticket)
  count,
};
/// A fresh copy per connection (its own TLS 1.2 session cache, so that no
/// input depends on what an earlier one left behind); `kind` is taken modulo
/// ServerKind::count.
std::shared_ptr<ServerConfig> server_config(uint8_t kind);
std::shared_ptr<const ClientConfig> client_config(uint8_t kind);
/// The session a client of this kind offers (null for none).
std::shared_ptr<const Session> client_session(uint8_t kind);
/// The ticket keys every server config shares (for the ticket target too).
TicketKeys& ticket_keys();

/// What a connection target, and the recorder's matching side, does with
/// one chunk of the peer's bytes: receive it; once the handshake is
/// complete, the server echoes whatever application data arrived and the
/// client writes "ping" once (TLS 1.3: with a KeyUpdate asking for the
/// peer's); a side whose peer closed closes too. Returns receive()'s status.
/// `pinged` is the client's memory of having written (false at the start).
Status server_feed(Connection& server, ByteView chunk);
Status client_feed(Connection& client, ByteView chunk, bool& pinged);

/// The bytes each side sent, one entry per flush, in order.
struct Exchange {
  std::vector<Bytes> to_server;
  std::vector<Bytes> to_client;
};
/// Runs a client (started here) and a server to the end of their
/// conversation: each flush of one side is fed to the other with
/// server_feed/client_feed, each side on its own random stream; once quiet,
/// the client closes and the close_notify exchange runs too. Bounded (64
/// rounds). Records what went each way in *record if non-null. True if both
/// completed the handshake and neither failed.
bool converse(Connection& client, Connection& server, Exchange* record);

/// The connection targets' work on one input (format below): byte 0 picks
/// the kind, then each chunk is fed with server_feed/client_feed (the
/// output is discarded) until the connection fails. Fresh random streams
/// first. The connection is returned for inspection.
std::unique_ptr<Connection> run_server_input(ByteView input);
std::unique_ptr<Connection> run_client_input(ByteView input);

// ---- input formats ---------------------------------------------------------
/// Connection targets, the handshake assembler and the deframer: after the
/// selector byte, chunks each written as a big-endian u16 length and that
/// many bytes; a length running past the end takes what is left.
class Chunks {
 public:
  explicit Chunks(ByteView data) : data_(data) {}
  std::optional<ByteView> next();

 private:
  ByteView data_;
};
void append_chunk(Bytes& out, ByteView chunk);

// ---- fixed keys ------------------------------------------------------------
/// The record targets' keys: TLS 1.3 traffic secrets per suite (open13), and
/// TLS 1.2 key and IV per suite (open12). Input byte 0 picks the suite.
struct Suite13 {
  CipherSuite suite;
  Bytes secret;
};
const std::vector<Suite13>& record13_suites();
struct Suite12 {
  CipherSuite suite;
  Bytes key, iv;
};
const std::vector<Suite12>& record12_suites();

/// Reads a file of fuzz/ (e.g. "pki/root.pem"); aborts if unreadable.
std::string read_fuzz_file(const std::string& relative);

}  // namespace vouch::fuzz
