// What the three consumer projects (find_package/, pkg-config/,
// fetchcontent/) build: a vouch client and a vouch server in one process,
// talking through vouch's sans-I/O Connection (no sockets), in TLS 1.3 and
// in TLS 1.2. The server's certificate is made here with libcrypto: a
// self-signed P-256 certificate for "localhost", which the client trusts
// and checks the name against.
//
//   handshake LABEL     prints what was negotiated; exit status 0 on success
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "vouch/connection.h"

namespace {

struct Pem {
  std::string certificate;
  std::string key;
};

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

// The certificate and key as PEM text; empty strings if libcrypto fails.
Pem self_signed_localhost() {
  Pem pem;
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  BIO* cert_bio = BIO_new(BIO_s_mem());
  BIO* key_bio = BIO_new(BIO_s_mem());
  X509V3_CTX ctx;
  X509_EXTENSION* san = nullptr;
  bool ok = key && cert && cert_bio && key_bio;
  if (ok) {
    X509_NAME* name = X509_get_subject_name(cert);
    ok = X509_set_version(cert, X509_VERSION_3) &&
         ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) &&
         X509_gmtime_adj(X509_getm_notBefore(cert), -60) &&
         X509_gmtime_adj(X509_getm_notAfter(cert), 3600) && X509_set_pubkey(cert, key) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                    0) &&
         X509_set_issuer_name(cert, name);
  }
  if (ok) {
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost");
    ok = san && X509_add_ext(cert, san, -1) && X509_sign(cert, key, EVP_sha256()) > 0 &&
         PEM_write_bio_X509(cert_bio, cert) &&
         PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  }
  if (ok) pem = {drain(cert_bio), drain(key_bio)};
  X509_EXTENSION_free(san);
  BIO_free(key_bio);
  BIO_free(cert_bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return pem;
}

// Moves everything `from` has to send into `to`.
vouch::Status deliver(vouch::Connection& from, vouch::Connection& to) {
  const vouch::ByteView out = from.pending_output();
  if (out.empty()) return {};
  // The view is only valid until consume_output(): copy it first.
  const vouch::Bytes bytes(out.begin(), out.end());
  from.consume_output(bytes.size());
  return to.receive(bytes);
}

vouch::ByteView view(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// One connection pair: handshake, "ping" to the server, "pong" back.
bool run(const char* label, const Pem& pem, vouch::ProtocolVersion version) {
  auto fail = [&](const char* what, const vouch::Error& e) {
    std::fprintf(stderr, "%s: %s: %s\n", label, what, e.to_string().c_str());
    return false;
  };
  auto credential = vouch::Credential::from_pem(pem.certificate, pem.key);
  if (!credential) return fail("server credential", credential.error());
  auto trust = vouch::TrustStore::from_pem(pem.certificate);
  if (!trust) return fail("trust store", trust.error());

  auto server_config = std::make_shared<vouch::ServerConfig>();
  server_config->credentials.push_back(*credential);
  auto client_config = std::make_shared<vouch::ClientConfig>();
  client_config->trust = *trust;
  client_config->max_version = version;

  auto client = vouch::Connection::client(client_config, "localhost");
  auto server = vouch::Connection::server(server_config);
  if (auto s = client->start(); !s) return fail("client start", s.error());
  // Each flight in turn, until neither side has anything left to say.
  while (!client->pending_output().empty() || !server->pending_output().empty()) {
    if (auto s = deliver(*client, *server); !s) return fail("server", s.error());
    if (auto s = deliver(*server, *client); !s) return fail("client", s.error());
  }
  if (!client->handshake_complete() || !server->handshake_complete()) {
    std::fprintf(stderr, "%s: the handshake did not complete\n", label);
    return false;
  }

  auto exchange = [&](vouch::Connection& a, vouch::Connection& b, std::string_view text) {
    if (auto s = a.write(view(text)); !s) return fail("write", s.error());
    if (auto s = deliver(a, b); !s) return fail("receive", s.error());
    uint8_t buffer[16];
    const size_t n = b.read(buffer);
    return std::string_view(reinterpret_cast<const char*>(buffer), n) == text;
  };
  if (!exchange(*client, *server, "ping") || !exchange(*server, *client, "pong")) {
    std::fprintf(stderr, "%s: application data did not arrive\n", label);
    return false;
  }
  const vouch::ConnectionInfo& info = client->info();
  std::printf("%s: %s %s %s, server %s, ping/pong ok\n", label,
              vouch::to_string(info.version).c_str(), vouch::to_string(info.cipher_suite).c_str(),
              vouch::to_string(info.group).c_str(), client->peer_subject().c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string label = argc > 1 ? argv[1] : "handshake";
  const Pem pem = self_signed_localhost();
  if (pem.certificate.empty()) {
    std::fprintf(stderr, "%s: could not make a certificate with libcrypto\n", label.c_str());
    return 1;
  }
  const bool ok = run(label.c_str(), pem, vouch::ProtocolVersion::tls13) &&
                  run(label.c_str(), pem, vouch::ProtocolVersion::tls12);
  return ok ? 0 : 1;
}
