// The negotiation flags of `vouch serve` / `vouch connect` / `vouch demo`
// (tools/vouch/options.h): parsed by CLI11 as a user types them, then applied
// to the config structs — protocol versions, TLS 1.2 and 1.3 suites, the
// extended master secret requirement, and --renegotiation.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "commands.h"
#include "options.h"

namespace vouch::cli {
namespace {

// The flags as CLI11 fills them from `args` (without the program name).
TlsFlags parse_flags(std::vector<std::string> args) {
  CLI::App app{"test"};
  TlsFlags flags;
  add_tls_flags(app, flags);
  // CLI11 takes the arguments in reverse order.
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return flags;
}

// apply_tls_flags on a fresh config of each role; both must agree.
Result<ClientConfig> apply(const std::vector<std::string>& args) {
  const TlsFlags flags = parse_flags(args);
  ClientConfig client;
  ServerConfig server;
  const Status c = apply_tls_flags(flags, client);
  const Status s = apply_tls_flags(flags, server);
  EXPECT_EQ(c.ok(), s.ok());
  if (!c.ok()) return c.error();
  EXPECT_EQ(server.min_version, client.min_version);
  EXPECT_EQ(server.max_version, client.max_version);
  EXPECT_EQ(server.cipher_suites, client.cipher_suites);
  EXPECT_EQ(server.cipher_suites12, client.cipher_suites12);
  EXPECT_EQ(server.require_extended_master_secret, client.require_extended_master_secret);
  return client;
}

// apply() fails with a reason containing `part`.
void expect_error(const std::vector<std::string>& args, const std::string& part) {
  Result<ClientConfig> r = apply(args);
  ASSERT_FALSE(r.ok()) << "accepted; expected an error about " << part;
  EXPECT_NE(r.error().reason.find(part), std::string::npos) << r.error().reason;
}

TEST(CliTlsFlags, NoFlagsKeepTheLibraryDefaults) {
  Result<ClientConfig> c = apply({});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  const ClientConfig defaults;
  EXPECT_EQ(c->min_version, ProtocolVersion::tls12);
  EXPECT_EQ(c->max_version, ProtocolVersion::tls13);
  EXPECT_EQ(c->cipher_suites, defaults.cipher_suites);
  EXPECT_EQ(c->cipher_suites12, defaults.cipher_suites12);
  EXPECT_TRUE(c->require_extended_master_secret);
  EXPECT_EQ(c->groups, defaults.groups);
}

// ---- versions ---------------------------------------------------------------

TEST(CliTlsFlags, Tls12AndTls13ShortcutsPinOneVersion) {
  Result<ClientConfig> c = apply({"--tls1_2"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->min_version, ProtocolVersion::tls12);
  EXPECT_EQ(c->max_version, ProtocolVersion::tls12);
  c = apply({"--tls1_3"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->min_version, ProtocolVersion::tls13);
  EXPECT_EQ(c->max_version, ProtocolVersion::tls13);
}

TEST(CliTlsFlags, MinAndMaxProtocol) {
  Result<ClientConfig> c = apply({"--min-protocol", "TLSv1.3"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->min_version, ProtocolVersion::tls13);
  EXPECT_EQ(c->max_version, ProtocolVersion::tls13);
  c = apply({"--max-protocol", "TLSv1.2"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->min_version, ProtocolVersion::tls12);
  EXPECT_EQ(c->max_version, ProtocolVersion::tls12);
  c = apply({"--min-protocol", "TLSv1.2", "--max-protocol", "TLSv1.3"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->min_version, ProtocolVersion::tls12);
  EXPECT_EQ(c->max_version, ProtocolVersion::tls13);
  // The other spellings parse_protocol_version knows.
  c = apply({"--min-protocol=1.3", "--max-protocol", "tls1.3"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->min_version, ProtocolVersion::tls13);
}

TEST(CliTlsFlags, VersionConflictsAreErrors) {
  expect_error({"--tls1_2", "--tls1_3"}, "--tls1_2 and --tls1_3 exclude each other");
  expect_error({"--tls1_2", "--min-protocol", "TLSv1.2"},
               "--tls1_2 excludes --min-protocol and --max-protocol");
  expect_error({"--tls1_3", "--max-protocol", "TLSv1.3"},
               "--tls1_3 excludes --min-protocol and --max-protocol");
  expect_error({"--min-protocol", "TLSv1.3", "--max-protocol", "TLSv1.2"},
               "--min-protocol TLSv1.3 is above --max-protocol TLSv1.2");
}

TEST(CliTlsFlags, UnknownVersionsAreErrors) {
  expect_error({"--min-protocol", "TLSv1.1"}, "--min-protocol: expected TLSv1.2 or TLSv1.3, not 'TLSv1.1'");
  expect_error({"--max-protocol", "SSLv3"}, "--max-protocol: expected TLSv1.2 or TLSv1.3, not 'SSLv3'");
  expect_error({"--max-protocol", "tlsv1.3 "}, "not 'tlsv1.3 '");
}

// ---- suites -----------------------------------------------------------------

TEST(CliTlsFlags, CipherTakesOpenSslAndIanaNamesInOrder) {
  Result<ClientConfig> c =
      apply({"--cipher", "ECDHE-RSA-CHACHA20-POLY1305:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:"
                         "ECDHE-ECDSA-AES128-GCM-SHA256"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->cipher_suites12, (std::vector<CipherSuite>{
                                    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                                    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                                    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}));
  // TLS 1.3 suites are untouched.
  EXPECT_EQ(c->cipher_suites, ClientConfig().cipher_suites);
}

TEST(CliTlsFlags, EveryTls12SuiteByBothNames) {
  for (CipherSuite s : ClientConfig().cipher_suites12) {
    for (const std::string& name : {openssl_name(s), to_string(s)}) {
      Result<ClientConfig> c = apply({"--cipher", name});
      ASSERT_TRUE(c.ok()) << name << ": " << c.error().reason;
      EXPECT_EQ(c->cipher_suites12, std::vector<CipherSuite>{s}) << name;
    }
  }
}

TEST(CliTlsFlags, CipherRefusesUnknownAndTls13Names) {
  expect_error({"--cipher", "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA"}, "unknown cipher suite 'AES128-SHA'");
  expect_error({"--cipher", "TLS_AES_128_GCM_SHA256"},
               "'TLS_AES_128_GCM_SHA256' is not a TLS 1.2 cipher suite (--cipher)");
  expect_error({"--cipher", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
               "'TLS_EMPTY_RENEGOTIATION_INFO_SCSV' is not a TLS 1.2 cipher suite");
  expect_error({"--cipher", "ECDHE-RSA-AES128-GCM-SHA256::ECDHE-RSA-AES256-GCM-SHA384"},
               "unknown cipher suite ''");
  // OpenSSL cipher-string syntax is not implemented: an error, not a guess.
  expect_error({"--cipher", "ECDHE+AESGCM"}, "unknown cipher suite 'ECDHE+AESGCM'");
}

TEST(CliTlsFlags, CiphersuitesStillSetsTls13AndRefusesTls12Names) {
  Result<ClientConfig> c = apply({"--ciphersuites", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->cipher_suites, (std::vector<CipherSuite>{CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                                                        CipherSuite::TLS_AES_128_GCM_SHA256}));
  EXPECT_EQ(c->cipher_suites12, ClientConfig().cipher_suites12);
  expect_error({"--ciphersuites", "TLS_AES_128_GCM_SHA256:NOPE"}, "unknown cipher suite 'NOPE'");
  expect_error({"--ciphersuites", "ECDHE-ECDSA-AES128-GCM-SHA256"},
               "'ECDHE-ECDSA-AES128-GCM-SHA256' is not a TLS 1.3 cipher suite (--ciphersuites)");
}

// ---- extended master secret, groups, ALPN ------------------------------------

TEST(CliTlsFlags, NoEmsRequired) {
  Result<ClientConfig> c = apply({"--no-ems-required"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_FALSE(c->require_extended_master_secret);
}

TEST(CliTlsFlags, AllTogether) {
  Result<ClientConfig> c = apply({"--tls1_2", "--cipher", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                  "--no-ems-required", "--groups", "secp384r1:x25519", "--alpn", "http/1.1"});
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->max_version, ProtocolVersion::tls12);
  EXPECT_EQ(c->cipher_suites12,
            std::vector<CipherSuite>{CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384});
  EXPECT_FALSE(c->require_extended_master_secret);
  EXPECT_EQ(c->groups, (std::vector<NamedGroup>{NamedGroup::secp384r1, NamedGroup::x25519}));
  EXPECT_EQ(c->alpn, std::vector<std::string>{"http/1.1"});
}

TEST(CliTlsFlags, GroupsAndAlpnErrors) {
  expect_error({"--groups", "x25519:ffdhe2048"}, "unknown group 'ffdhe2048'");
  expect_error({"--alpn", "h2,,http/1.1"}, "bad ALPN protocol name ''");
}

// ---- --renegotiation ----------------------------------------------------------

TEST(CliRenegotiation, ParsesNeverAndOnce) {
  Result<Renegotiation> r = parse_renegotiation("never");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Renegotiation::never);
  r = parse_renegotiation("once");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Renegotiation::once);
  for (const char* bad : {"", "Once", "always", "freely", "once "}) {
    r = parse_renegotiation(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().reason, std::string("--renegotiation: expected never or once, not '") + bad + "'");
  }
}

// `vouch connect` with a target nobody listens on: flag errors are usage
// errors (exit 2) found before connecting; accepted flags get as far as the
// connection, which fails (exit 1).
int run_connect(std::vector<std::string> args) {
  CLI::App app{"test"};
  Command connect = add_connect_command(app);
  args.insert(args.begin(), {"connect", "127.0.0.1:1", "--no-verify"});
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return connect.run();
}

TEST(CliConnect, RenegotiationAndVersionFlagsAreCheckedBeforeConnecting) {
  EXPECT_EQ(run_connect({"--renegotiation", "sometimes"}), kExitUsage);
  EXPECT_EQ(run_connect({"--tls1_2", "--tls1_3"}), kExitUsage);
  EXPECT_EQ(run_connect({"--cipher", "TLS_AES_128_GCM_SHA256"}), kExitUsage);
  EXPECT_EQ(run_connect({"--renegotiation", "once", "--tls1_2", "--no-ems-required"}), kExitFailure);
  EXPECT_EQ(run_connect({"--renegotiation", "never", "--min-protocol", "TLSv1.2"}), kExitFailure);
}

}  // namespace
}  // namespace vouch::cli
