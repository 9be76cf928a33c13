// Loading credentials and trust anchors, and what their failures say:
// ErrorKind (include/vouch/error.h) for local failures versus TLS alerts,
// encrypted PEM keys with a PassphraseCallback, TrustStore::system().
#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "support/loopback.h"
#include "support/pki.h"
#include "support/process.h"
#include "vouch/connection.h"
#include "vouch/credential.h"
#include "vouch/error.h"
#include "vouch/stream.h"

namespace vouch {
namespace {

using testing::test_pki;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// ---- ErrorKind -------------------------------------------------------------

TEST(ErrorKind, EveryKindHasItsOwnName) {
  const std::vector<ErrorKind> kinds = {ErrorKind::protocol, ErrorKind::alert_received, ErrorKind::io,
                                        ErrorKind::config,   ErrorKind::invalid_data,   ErrorKind::internal};
  std::set<std::string> names;
  for (ErrorKind k : kinds) names.insert(to_string(k));
  EXPECT_EQ(names.size(), kinds.size());
  EXPECT_STREQ(to_string(ErrorKind::io), "I/O error");
}

TEST(ErrorKind, FailKeepsTheAlertAndLocalErrorsNameNoAlert) {
  const Error proto = fail(Alert::decode_error, "ClientHello: truncated");
  EXPECT_EQ(proto.kind, ErrorKind::protocol);
  EXPECT_FALSE(proto.local());
  EXPECT_EQ(proto.to_string(), "decode_error: ClientHello: truncated");

  EXPECT_EQ(fail(Alert::internal_error, "x").kind, ErrorKind::internal);

  const Error io = io_error("cannot open a.pem: No such file or directory");
  EXPECT_TRUE(io.local());
  EXPECT_EQ(io.to_string(), "I/O error: cannot open a.pem: No such file or directory");
  EXPECT_EQ(config_error("x").to_string(), "configuration error: x");
  EXPECT_EQ(data_error("x").to_string(), "invalid data: x");
}

TEST(ErrorKind, MissingChainFileIsLocalIoNamingThePath) {
  const std::string missing = test_pki().dir + "/no-such-chain.pem";
  auto cred = Credential::from_pem_files(missing, test_pki().ecdsa().server.key_path);
  ASSERT_FALSE(cred.ok());
  EXPECT_EQ(cred.error().kind, ErrorKind::io) << cred.error().to_string();
  EXPECT_TRUE(contains(cred.error().reason, missing)) << cred.error().reason;
  EXPECT_FALSE(contains(cred.error().to_string(), "internal_error")) << cred.error().to_string();
  EXPECT_TRUE(cred.error().to_string().starts_with("I/O error: ")) << cred.error().to_string();

  auto trust = TrustStore::from_pem_file(missing);
  ASSERT_FALSE(trust.ok());
  EXPECT_EQ(trust.error().kind, ErrorKind::io);
  EXPECT_TRUE(contains(trust.error().reason, missing));
}

TEST(ErrorKind, UnusableFileContentIsInvalidData) {
  const auto& f = test_pki().ecdsa();
  auto no_cert = Credential::from_pem("just some text\n", f.server.key_pem);
  ASSERT_FALSE(no_cert.ok());
  EXPECT_EQ(no_cert.error().kind, ErrorKind::invalid_data) << no_cert.error().to_string();

  // A key that belongs to another certificate.
  auto mismatch = Credential::from_pem(f.server.cert_pem, f.client.key_pem);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().kind, ErrorKind::invalid_data);
  EXPECT_TRUE(contains(mismatch.error().reason, "does not match"));
}

TEST(ErrorKind, ApiMisuseIsConfig) {
  const auto& f = test_pki().ecdsa();
  auto empty = Credential::from_x509({}, f.server.key.get());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::config);

  // A verifying client without trust anchors fails when the server's
  // certificate arrives (not before the ClientHello: a libssl program may
  // fill the trust store after its first SSL_connect), as a configuration
  // error, not as the alert it sends.
  auto config = std::make_shared<ClientConfig>();
  config->verify_peer = true;
  auto client = Connection::client(config, "localhost");
  auto server = Connection::server(testing::server_config_for("ecdsa"));
  EXPECT_FALSE(testing::pump_handshake(*client, *server));
  ASSERT_NE(client->error(), nullptr);
  EXPECT_EQ(client->error()->kind, ErrorKind::config) << client->error()->to_string();
  EXPECT_TRUE(contains(client->error()->reason, "trust anchors"));
}

TEST(ErrorKind, ConnectionRefusedIsLocalIo) {
  const uint16_t port = testing::free_port();
  ASSERT_NE(port, 0);
  Result<int> fd = tcp_connect("127.0.0.1", port);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().kind, ErrorKind::io) << fd.error().to_string();
  EXPECT_TRUE(contains(fd.error().reason, "cannot connect to 127.0.0.1:" + std::to_string(port)));
}

TEST(ErrorKind, ProtocolFailureStillCarriesItsAlert) {
  // The client trusts another PKI's root: it refuses the server's chain with
  // an alert it sends; the server receives that alert.
  auto client_config = testing::client_config_for("rsa");
  auto server_config = testing::server_config_for("ecdsa");
  auto client = Connection::client(client_config, "localhost");
  auto server = Connection::server(server_config);
  ASSERT_TRUE(client->start().ok());
  EXPECT_FALSE(testing::pump_handshake(*client, *server));
  ASSERT_NE(client->error(), nullptr);
  ASSERT_NE(server->error(), nullptr);
  const Error& sent = *client->error();
  EXPECT_EQ(sent.kind, ErrorKind::protocol) << sent.to_string();
  EXPECT_NE(sent.alert, Alert::internal_error);
  EXPECT_TRUE(sent.to_string().starts_with(alert_name(sent.alert))) << sent.to_string();
  const Error& received = *server->error();
  EXPECT_EQ(received.kind, ErrorKind::alert_received) << received.to_string();
  EXPECT_TRUE(received.from_peer);
  EXPECT_EQ(received.alert, sent.alert);
  EXPECT_TRUE(received.to_string().starts_with("peer sent alert ")) << received.to_string();
}

// ---- encrypted private keys --------------------------------------------------

constexpr const char* kPassphrase = "correct horse battery staple";

// Runs `openssl args...` with `input` on stdin; its stdout, or "" on failure.
std::string openssl(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::SpawnOptions opts;
  opts.stdin_mode = testing::StdinMode::data;
  opts.stdin_data = input;
  testing::ChildProcess p = testing::ChildProcess::spawn(argv, opts);
  if (!p.running()) {
    ADD_FAILURE() << "cannot run openssl: " << p.error();
    return "";
  }
  const testing::ExitStatus st = p.wait(std::chrono::seconds(60));
  if (!st.success()) {
    ADD_FAILURE() << p.command() << ": " << st.describe() << "\n" << p.err();
    return "";
  }
  return p.out();
}

// A callback that answers `answer` and counts its calls.
PassphraseCallback answering(std::optional<std::string> answer, int& calls, std::string* what = nullptr) {
  return [answer, &calls, what](std::string_view w) {
    ++calls;
    if (what != nullptr) *what = std::string(w);
    return answer;
  };
}

// PKCS#8 EncryptedPrivateKeyInfo with PBES2/AES-256-CBC (RFC 5958 §3,
// RFC 8018 §6.2), as `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes it.
std::string pkcs8_encrypted(const std::string& key_pem) {
  return openssl({"pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", std::string("pass:") + kPassphrase},
                 key_pem);
}

TEST(EncryptedKey, Pkcs8WithTheRightPassphraseLoads) {
  const auto& f = test_pki().ecdsa();
  const std::string enc = pkcs8_encrypted(f.server.key_pem);
  ASSERT_TRUE(contains(enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----")) << enc;

  testing::TempDir dir;
  const std::string key_path = dir.file("key.pem");
  testing::write_file(key_path, enc);
  int calls = 0;
  std::string what;
  auto cred = Credential::from_pem_files(f.server.chain_path, key_path, answering(kPassphrase, calls, &what));
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(what, key_path);
  EXPECT_EQ(cred->chain_der()[0], f.server.der);
  EXPECT_NE(cred->private_key(), nullptr);

  // And the credential works: a full handshake with it.
  auto server_config = testing::server_config_for("ecdsa");
  server_config->credentials = {*cred};
  auto client = Connection::client(testing::client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config);
  ASSERT_TRUE(client->start().ok());
  EXPECT_TRUE(testing::pump_handshake(*client, *server))
      << (client->error() ? client->error()->to_string() : "");
}

TEST(EncryptedKey, TraditionalEncryptedPemLoads) {
  // "Proc-Type: 4,ENCRYPTED" + DEK-Info (RFC 1421 §4.6.1), as `openssl ec
  // -aes256` and `openssl rsa -traditional -aes256` write them.
  const auto& e = test_pki().ecdsa();
  const std::string ec = openssl({"ec", "-aes256", "-passout", std::string("pass:") + kPassphrase}, e.server.key_pem);
  ASSERT_TRUE(contains(ec, "Proc-Type: 4,ENCRYPTED")) << ec;
  int calls = 0;
  auto cred = Credential::from_pem(e.server.cert_pem, ec, answering(kPassphrase, calls));
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  EXPECT_EQ(calls, 1);

  const auto& r = test_pki().rsa();
  const std::string rsa = openssl(
      {"rsa", "-traditional", "-aes256", "-passout", std::string("pass:") + kPassphrase}, r.server.key_pem);
  ASSERT_TRUE(contains(rsa, "BEGIN RSA PRIVATE KEY")) << rsa;
  ASSERT_TRUE(contains(rsa, "Proc-Type: 4,ENCRYPTED")) << rsa;
  calls = 0;
  auto rsa_cred = Credential::from_pem(r.server.cert_pem, rsa, answering(kPassphrase, calls));
  ASSERT_TRUE(rsa_cred.ok()) << rsa_cred.error().to_string();
  EXPECT_EQ(calls, 1);
}

TEST(EncryptedKey, WrongPassphraseIsAClearLocalError) {
  const auto& f = test_pki().ecdsa();
  const std::string enc = pkcs8_encrypted(f.server.key_pem);
  int calls = 0;
  auto cred = Credential::from_pem(f.server.cert_pem, enc, answering("Tr0ub4dor&3", calls));
  ASSERT_FALSE(cred.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(cred.error().kind, ErrorKind::invalid_data) << cred.error().to_string();
  EXPECT_TRUE(contains(cred.error().reason, "wrong passphrase")) << cred.error().reason;
  EXPECT_FALSE(contains(cred.error().to_string(), "internal_error")) << cred.error().to_string();

  const std::string ec = openssl({"ec", "-aes256", "-passout", std::string("pass:") + kPassphrase}, f.server.key_pem);
  auto trad = Credential::from_pem(f.server.cert_pem, ec, answering("wrong", calls));
  ASSERT_FALSE(trad.ok());
  EXPECT_EQ(trad.error().kind, ErrorKind::invalid_data);
  EXPECT_TRUE(contains(trad.error().reason, "wrong passphrase")) << trad.error().reason;
}

TEST(EncryptedKey, WithoutPassphraseTheKeyIsRefusedSayingWhy) {
  const auto& f = test_pki().ecdsa();
  const std::string enc = pkcs8_encrypted(f.server.key_pem);
  auto none = Credential::from_pem(f.server.cert_pem, enc);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, ErrorKind::invalid_data);
  EXPECT_TRUE(contains(none.error().reason, "encrypted and no passphrase callback")) << none.error().reason;

  int calls = 0;
  auto declined = Credential::from_pem(f.server.cert_pem, enc, answering(std::nullopt, calls));
  ASSERT_FALSE(declined.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(contains(declined.error().reason, "no passphrase was given")) << declined.error().reason;
}

TEST(EncryptedKey, UnencryptedKeyDoesNotAskForAPassphrase) {
  const auto& f = test_pki().ecdsa();
  int calls = 0;
  auto cred = Credential::from_pem(f.server.cert_pem, f.server.key_pem, answering("unused", calls));
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  EXPECT_EQ(calls, 0);
}

TEST(EncryptedKey, GarbageIsNotAPrivateKeyNotAnEncryptedOne) {
  const auto& f = test_pki().ecdsa();
  int calls = 0;
  for (const std::string& garbage :
       {std::string("this is not a key\n"),
        std::string("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n")}) {
    auto cred = Credential::from_pem(f.server.cert_pem, garbage, answering("x", calls));
    ASSERT_FALSE(cred.ok());
    EXPECT_EQ(cred.error().kind, ErrorKind::invalid_data);
    EXPECT_TRUE(contains(cred.error().reason, "not a private key")) << cred.error().reason;
    EXPECT_FALSE(contains(cred.error().reason, "encrypted")) << cred.error().reason;
  }
  EXPECT_EQ(calls, 0);
}

// ---- TrustStore::system() ----------------------------------------------------

// Sets (or unsets, with nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Whether `store` verifies the test PKI's ECDSA server chain.
bool verifies_server_chain(const TrustStore& store) {
  const auto& f = test_pki().ecdsa();
  // The stack owns its reference (X509Stack pops and frees).
  ossl::X509Stack untrusted(sk_X509_new_null());
  sk_X509_push(untrusted.get(), ossl::up_ref(f.intermediate.cert.get()).release());
  ossl::Ptr<X509_STORE_CTX, X509_STORE_CTX_free> ctx(X509_STORE_CTX_new());
  if (X509_STORE_CTX_init(ctx.get(), store.native(), f.server.cert.get(), untrusted.get()) != 1) return false;
  return X509_verify_cert(ctx.get()) == 1;
}

TEST(SystemTrust, LoadsTheDistributionBundle) {
  ScopedEnv file("SSL_CERT_FILE", std::nullopt);
  ScopedEnv dir("SSL_CERT_DIR", std::nullopt);
  auto t = TrustStore::system();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  // Debian's ca-certificates ships well over a hundred roots.
  EXPECT_GT(t->subject_names().size(), 50u);
  EXPECT_FALSE(t->empty());
  EXPECT_FALSE(verifies_server_chain(*t));  // the test PKI is not a public CA
}

TEST(SystemTrust, SslCertFileOverridesTheBundle) {
  const auto& f = test_pki().ecdsa();
  testing::TempDir empty_dir;
  ScopedEnv file("SSL_CERT_FILE", f.root.cert_path);
  ScopedEnv dir("SSL_CERT_DIR", empty_dir.path());
  auto t = TrustStore::system();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  ASSERT_EQ(t->subject_names().size(), 1u);
  EXPECT_TRUE(verifies_server_chain(*t));
}

TEST(SystemTrust, SslCertDirIsSearchedByHash) {
  const auto& f = test_pki().ecdsa();
  testing::TempDir hashed;
  char name[32];
  std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(f.root.cert.get()));
  testing::write_file(hashed.file(name), f.root.cert_pem);
  testing::TempDir other;  // a directory without the root comes first
  ScopedEnv file("SSL_CERT_FILE", hashed.file("no-such-bundle.pem"));
  ScopedEnv dir("SSL_CERT_DIR", other.path() + ":" + hashed.path());
  auto t = TrustStore::system();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_TRUE(t->subject_names().empty());
  EXPECT_EQ(t->directories().size(), 2u);
  EXPECT_FALSE(t->empty());
  EXPECT_TRUE(verifies_server_chain(*t));
}

TEST(SystemTrust, NothingThereIsALocalIoError) {
  testing::TempDir dir;
  ScopedEnv file("SSL_CERT_FILE", dir.file("missing.pem"));
  ScopedEnv certs("SSL_CERT_DIR", dir.file("missing-dir"));
  auto t = TrustStore::system();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::io) << t.error().to_string();
  EXPECT_TRUE(contains(t.error().reason, "SSL_CERT_FILE")) << t.error().reason;
}

}  // namespace
}  // namespace vouch
