// Session::serialize / deserialize (vouch/session.h): every field of a
// Session survives the round trip, for TLS 1.3 and TLS 1.2 sessions, with the
// OCSP picture in all its shapes; and the decoder refuses every truncation,
// trailing bytes, unknown formats and each field past its bound, naming the
// field.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/session.h"

namespace vouch {
namespace {

// A chain (immutable, CertChain) with one change made to a copy of it.
template <typename Edit>
std::vector<Bytes> edited(const CertChain& chain, Edit edit) {
  std::vector<Bytes> v = chain.certs();
  edit(v);
  return v;
}

using Clock = std::chrono::system_clock;
using std::chrono::milliseconds;

// Times with whole milliseconds: the format keeps milliseconds.
Clock::time_point at_ms(int64_t ms) { return Clock::time_point(milliseconds(ms)); }

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

// Every optional of OcspStatus set, every field away from its default.
OcspStatus full_status() {
  OcspStatus st;
  st.status = OcspCertStatus::revoked;
  st.produced_at = at_ms(1700000000000);
  st.this_update = at_ms(1699999000000);
  st.next_update = at_ms(1700600000000);
  st.revocation_time = at_ms(-86400000);  // before the epoch: signed times
  st.revocation_reason = 1;               // keyCompromise
  st.responder = "CN=Test OCSP Responder,O=vouch";
  st.delegated = true;
  return st;
}

// Every optional unset.
OcspStatus bare_status() {
  OcspStatus st;
  st.status = OcspCertStatus::good;
  st.produced_at = at_ms(1700000000123);
  st.this_update = at_ms(1700000000000);
  st.responder = "key:0123456789abcdef0123456789abcdef01234567";
  return st;
}

Session tls13_session() {
  Session s;
  s.version = ProtocolVersion::tls13;
  s.cipher_suite = CipherSuite::TLS_AES_256_GCM_SHA384;
  s.ticket = pattern(300, 1);
  s.psk = pattern(48, 2);
  s.lifetime_seconds = 7200;
  s.age_add = 0xDEADBEEF;
  s.received_at = at_ms(1700000000456);
  s.server_name = "server.example";
  s.alpn = "h2";
  s.peer_chain = {pattern(700, 3), pattern(650, 4)};
  s.client_chain = {pattern(500, 5), pattern(480, 6), pattern(1, 7)};
  s.ocsp.requested = true;
  s.ocsp.must_staple = true;
  s.ocsp.from_session = false;
  StapleReport leaf;
  leaf.position = 0;
  leaf.present = true;
  leaf.response = pattern(1200, 8);
  leaf.status = full_status();
  StapleReport issuer;
  issuer.position = 1;
  issuer.present = true;
  issuer.response = pattern(90, 9);
  issuer.problem = "OCSP response signature does not verify";
  s.ocsp.staples = {leaf, issuer};
  return s;
}

Session tls12_session() {
  Session s;
  s.version = ProtocolVersion::tls12;
  s.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
  s.master_secret = pattern(48, 10);
  s.session_id = pattern(32, 11);
  s.extended_master_secret = true;
  s.lifetime_seconds = 86400;
  s.age_add = 0;
  s.received_at = at_ms(1700000000999);
  s.server_name = "";
  s.alpn = "http/1.1";
  s.peer_chain = {pattern(900, 12)};
  s.ocsp.requested = true;
  s.ocsp.from_session = true;
  StapleReport leaf;
  leaf.position = 0;
  leaf.present = true;
  leaf.response = pattern(400, 13);
  leaf.status = bare_status();
  StapleReport absent;
  absent.position = 1;
  s.ocsp.staples = {leaf, absent};
  return s;
}

void expect_same_status(const std::optional<OcspStatus>& a, const std::optional<OcspStatus>& b) {
  ASSERT_EQ(a.has_value(), b.has_value());
  if (!a) return;
  EXPECT_EQ(a->status, b->status);
  EXPECT_EQ(a->produced_at, b->produced_at);
  EXPECT_EQ(a->this_update, b->this_update);
  EXPECT_EQ(a->next_update, b->next_update);
  EXPECT_EQ(a->revocation_time, b->revocation_time);
  EXPECT_EQ(a->revocation_reason, b->revocation_reason);
  EXPECT_EQ(a->responder, b->responder);
  EXPECT_EQ(a->delegated, b->delegated);
}

void expect_same(const Session& a, const Session& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.cipher_suite, b.cipher_suite);
  EXPECT_EQ(a.ticket, b.ticket);
  EXPECT_EQ(a.psk, b.psk);
  EXPECT_EQ(a.master_secret, b.master_secret);
  EXPECT_EQ(a.session_id, b.session_id);
  EXPECT_EQ(a.extended_master_secret, b.extended_master_secret);
  EXPECT_EQ(a.lifetime_seconds, b.lifetime_seconds);
  EXPECT_EQ(a.age_add, b.age_add);
  EXPECT_EQ(a.received_at, b.received_at);
  EXPECT_EQ(a.server_name, b.server_name);
  EXPECT_EQ(a.alpn, b.alpn);
  EXPECT_EQ(a.peer_chain, b.peer_chain);
  EXPECT_EQ(a.client_chain, b.client_chain);
  EXPECT_EQ(a.ocsp.requested, b.ocsp.requested);
  EXPECT_EQ(a.ocsp.must_staple, b.ocsp.must_staple);
  EXPECT_EQ(a.ocsp.from_session, b.ocsp.from_session);
  ASSERT_EQ(a.ocsp.staples.size(), b.ocsp.staples.size());
  for (size_t i = 0; i < a.ocsp.staples.size(); ++i) {
    SCOPED_TRACE("staple " + std::to_string(i));
    const StapleReport& x = a.ocsp.staples[i];
    const StapleReport& y = b.ocsp.staples[i];
    EXPECT_EQ(x.position, y.position);
    EXPECT_EQ(x.present, y.present);
    EXPECT_EQ(x.response, y.response);
    expect_same_status(x.status, y.status);
    EXPECT_EQ(x.problem, y.problem);
  }
}

Session round_trip(const Session& s) {
  const Bytes bytes = s.serialize();
  Result<Session> back = Session::deserialize(bytes);
  EXPECT_TRUE(back.ok()) << back.error().to_string();
  if (!back.ok()) return {};
  // The encoding is canonical: the decoded session encodes to the same bytes.
  EXPECT_EQ(back->serialize(), bytes);
  return std::move(back).value();
}

// Session::deserialize fails with invalid_data and a reason containing `part`.
void expect_refused(ByteView bytes, const std::string& part) {
  Result<Session> r = Session::deserialize(bytes);
  ASSERT_FALSE(r.ok()) << "accepted; expected an error about " << part;
  EXPECT_EQ(r.error().kind, ErrorKind::invalid_data) << r.error().to_string();
  EXPECT_NE(r.error().reason.find(part), std::string::npos) << r.error().reason;
}

TEST(SessionCodec, Tls13SessionRoundTrips) {
  const Session s = tls13_session();
  expect_same(round_trip(s), s);
}

TEST(SessionCodec, Tls12SessionRoundTrips) {
  const Session s = tls12_session();
  expect_same(round_trip(s), s);
}

TEST(SessionCodec, Tls12SessionWithTicketRoundTrips) {
  Session s = tls12_session();
  s.session_id.clear();
  s.ticket = pattern(200, 14);
  s.extended_master_secret = false;
  expect_same(round_trip(s), s);
}

TEST(SessionCodec, StatusWithEveryOptionalSetAndUnset) {
  for (const OcspStatus& st : {full_status(), bare_status()}) {
    Session s = tls13_session();
    s.ocsp.staples[0].status = st;
    const Session back = round_trip(s);
    ASSERT_EQ(back.ocsp.staples.size(), 2u);
    expect_same_status(back.ocsp.staples[0].status, st);
  }
  // Each optional alone, so a flag cannot stand for its neighbour.
  OcspStatus only_next = bare_status();
  only_next.next_update = at_ms(1800000000000);
  OcspStatus only_revoked = bare_status();
  only_revoked.status = OcspCertStatus::unknown;
  only_revoked.revocation_time = at_ms(1600000000000);
  for (const OcspStatus& st : {only_next, only_revoked}) {
    Session s = tls12_session();
    s.ocsp.staples[0].status = st;
    expect_same_status(round_trip(s).ocsp.staples[0].status, st);
  }
}

TEST(SessionCodec, MinimalSessionRoundTrips) {
  Session s;
  s.version = ProtocolVersion::tls13;
  s.cipher_suite = CipherSuite::TLS_AES_128_GCM_SHA256;
  s.ticket = {0x01};
  s.psk = pattern(32, 1);
  expect_same(round_trip(s), s);
}

TEST(SessionCodec, ResumedSessionIsStillUsableAfterDecoding) {
  // What the CLI relies on: the decoded session's lifetime and staple check
  // behave as the original's.
  Session s = tls13_session();
  s.received_at = at_ms(std::chrono::floor<milliseconds>(Clock::now().time_since_epoch()).count());
  s.ocsp.staples[0].status->next_update = s.received_at + std::chrono::hours(1);
  const Session back = round_trip(s);
  EXPECT_TRUE(back.usable(s.received_at + std::chrono::minutes(30)));
  EXPECT_FALSE(back.usable(s.received_at + std::chrono::hours(1)));
}

TEST(SessionCodec, SubMillisecondTimesRoundDown) {
  Session s = tls13_session();
  s.received_at = at_ms(1700000000456) + std::chrono::microseconds(999);
  EXPECT_EQ(round_trip(s).received_at, at_ms(1700000000456));
}

TEST(SessionCodec, EveryStrictPrefixIsRefused) {
  for (const Session& s : {tls13_session(), tls12_session()}) {
    const Bytes bytes = s.serialize();
    for (size_t n = 0; n < bytes.size(); ++n) {
      Result<Session> r = Session::deserialize(ByteView(bytes.data(), n));
      ASSERT_FALSE(r.ok()) << "prefix of " << n << " of " << bytes.size() << " bytes accepted";
      EXPECT_EQ(r.error().kind, ErrorKind::invalid_data);
      EXPECT_NE(r.error().reason.find("truncated"), std::string::npos) << r.error().reason;
    }
  }
}

TEST(SessionCodec, TrailingByteIsRefused) {
  Bytes bytes = tls12_session().serialize();
  bytes.push_back(0);
  expect_refused(bytes, "trailing");
}

TEST(SessionCodec, UnknownMagicOrFormatIsRefused) {
  const Bytes good = tls13_session().serialize();
  Bytes magic = good;
  magic[0] ^= 0x01;
  expect_refused(magic, "session format: not a vouch session");
  Bytes format = good;
  format[5] = 2;  // the u16 format number follows the 4-byte magic
  expect_refused(format, "session format: unknown format 2");
  expect_refused({}, "session format: truncated");
}

// Byte offsets inside an encoding, found by a field's unique content.
size_t offset_after(const Bytes& bytes, const Bytes& content) {
  auto it = std::search(bytes.begin(), bytes.end(), content.begin(), content.end());
  EXPECT_NE(it, bytes.end());
  return static_cast<size_t>(it - bytes.begin()) + content.size();
}

TEST(SessionCodec, FlagsMustBeZeroOrOne) {
  const Session s = tls12_session();
  Bytes bytes = s.serialize();
  // extended_master_secret follows the session_id.
  const size_t ems = offset_after(bytes, s.session_id);
  ASSERT_EQ(bytes[ems], 1);
  bytes[ems] = 2;
  expect_refused(bytes, "session extended_master_secret: flag is 2");
}

TEST(SessionCodec, UnknownCertificateStatusIsRefused) {
  const Session s = tls13_session();
  Bytes bytes = s.serialize();
  // The leaf's response is followed by has_status (1), then cert_status.
  const size_t has_status = offset_after(bytes, s.ocsp.staples[0].response);
  ASSERT_EQ(bytes[has_status], 1);
  ASSERT_EQ(bytes[has_status + 1], 1);  // revoked
  bytes[has_status + 1] = 3;
  expect_refused(bytes, "session ocsp.staples[0].status.cert_status: unknown certificate status 3");
}

TEST(SessionCodec, TimeOutOfTheClockRangeIsRefused) {
  const Session s = tls12_session();
  Bytes bytes = s.serialize();
  // received_at follows the session_id, the EMS flag, lifetime and age_add.
  const size_t received_at = offset_after(bytes, s.session_id) + 1 + 4 + 4;
  bytes[received_at] = 0x7F;
  expect_refused(bytes, "session received_at: time out of range");
}

TEST(SessionCodec, HugeLengthIsRefusedBeforeReading) {
  const Session s = tls13_session();
  Bytes bytes = s.serialize();
  // The ticket's u32 length follows magic, format, version and suite.
  bytes[10] = 0xFF;
  expect_refused(bytes, "session ticket: 4278190380 bytes, expected 0..65535");
}

struct Bound {
  const char* name;
  std::function<void(Session&)> break_it;
  const char* reason_part;
};

void PrintTo(const Bound& b, std::ostream* os) { *os << b.name; }

class SessionCodecBound : public ::testing::TestWithParam<Bound> {};

TEST_P(SessionCodecBound, IsRefusedNamingTheField) {
  Session s = std::string_view(GetParam().name).starts_with("tls12") ? tls12_session() : tls13_session();
  GetParam().break_it(s);
  expect_refused(s.serialize(), GetParam().reason_part);
}

std::vector<Bound> bounds() {
  return {
      {"ticket_too_long", [](Session& s) { s.ticket = Bytes(65536, 1); }, "session ticket: 65536 bytes"},
      {"ticket_empty_in_tls13", [](Session& s) { s.ticket.clear(); }, "session ticket: empty"},
      {"psk_too_long", [](Session& s) { s.psk = Bytes(65, 1); }, "session psk: 65 bytes"},
      {"psk_empty_in_tls13", [](Session& s) { s.psk.clear(); }, "session psk: empty"},
      {"tls12_psk_set", [](Session& s) { s.psk = Bytes(32, 1); }, "session psk: set in a TLS 1.2"},
      {"tls12_master_secret_47", [](Session& s) { s.master_secret.resize(47); },
       "session master_secret: 47 bytes, expected 0 or 48"},
      {"tls12_master_secret_49", [](Session& s) { s.master_secret.resize(49); },
       "session master_secret: 49 bytes"},
      {"tls12_master_secret_missing", [](Session& s) { s.master_secret.clear(); },
       "session master_secret: empty in a TLS 1.2"},
      {"master_secret_in_tls13", [](Session& s) { s.master_secret = Bytes(48, 1); },
       "session master_secret: set in a TLS 1.3"},
      {"tls12_session_id_too_long", [](Session& s) { s.session_id = Bytes(33, 1); },
       "session session_id: 33 bytes"},
      {"session_id_in_tls13", [](Session& s) { s.session_id = Bytes(32, 1); },
       "session session_id: set in a TLS 1.3"},
      {"server_name_too_long", [](Session& s) { s.server_name = std::string(256, 'a'); },
       "session server_name: 256 bytes"},
      {"alpn_too_long", [](Session& s) { s.alpn = std::string(256, 'a'); }, "session alpn: 256 bytes"},
      {"version_tls11", [](Session& s) { s.version = static_cast<ProtocolVersion>(0x0302); },
       "session version"},
      {"tls12_with_tls13_suite", [](Session& s) { s.cipher_suite = CipherSuite::TLS_AES_128_GCM_SHA256; },
       "session cipher_suite"},
      {"tls13_with_tls12_suite",
       [](Session& s) { s.cipher_suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; },
       "session cipher_suite"},
      {"tls12_scsv_suite",
       [](Session& s) { s.cipher_suite = CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV; },
       "session cipher_suite"},
      {"peer_chain_17_certificates", [](Session& s) { s.peer_chain = std::vector<Bytes>(17, Bytes{0x30}); },
       "session peer_chain: 17 entries, at most 16"},
      {"peer_chain_empty_certificate", [](Session& s) { s.peer_chain = edited(s.peer_chain, [](auto& v) { v.push_back({}); }); },
       "session peer_chain[2]: 0 bytes, expected 1..16777215"},
      {"peer_chain_certificate_too_long",
       [](Session& s) { s.peer_chain = edited(s.peer_chain, [](auto& v) { v[0] = Bytes(size_t{1} << 24, 0x30); }); },
       "session peer_chain[0]: 16777216 bytes"},
      {"client_chain_17_certificates", [](Session& s) { s.client_chain = std::vector<Bytes>(17, Bytes{0x30}); },
       "session client_chain: 17 entries"},
      {"client_chain_empty_certificate", [](Session& s) { s.client_chain = edited(s.client_chain, [](auto& v) { v[1].clear(); }); },
       "session client_chain[1]: 0 bytes"},
      {"staples_17", [](Session& s) { s.ocsp.staples.resize(17); }, "session ocsp.staples: 17 entries"},
      {"staple_position_16", [](Session& s) { s.ocsp.staples[1].position = 16; },
       "session ocsp.staples[1].position"},
      {"staple_response_too_long",
       [](Session& s) { s.ocsp.staples[0].response = Bytes(kMaxOcspResponseBytes + 1, 0x30); },
       "session ocsp.staples[0].response: 65537 bytes"},
      {"staple_responder_too_long",
       [](Session& s) {
         s.ocsp.staples[0].status->responder = std::string(4 * kMaxOcspResponseBytes + 1, 'x');
       },
       "session ocsp.staples[0].status.responder"},
      {"staple_problem_too_long",
       [](Session& s) { s.ocsp.staples[1].problem = std::string(4 * kMaxOcspResponseBytes + 1, 'x'); },
       "session ocsp.staples[1].problem"},
  };
}

INSTANTIATE_TEST_SUITE_P(All, SessionCodecBound, ::testing::ValuesIn(bounds()),
                         [](const ::testing::TestParamInfo<Bound>& i) { return i.param.name; });

TEST(SessionCodec, BoundsThemselvesAreAccepted) {
  Session s = tls13_session();
  s.ticket = Bytes(65535, 1);
  s.psk = Bytes(64, 2);
  s.server_name = std::string(255, 'a');
  s.alpn = std::string(255, 'b');
  s.peer_chain = std::vector<Bytes>(16, Bytes{0x30});
  s.client_chain = std::vector<Bytes>(16, Bytes{0x31});
  s.ocsp.staples.resize(16);
  s.ocsp.staples[15].position = 15;
  s.ocsp.staples[0].response = Bytes(kMaxOcspResponseBytes, 0x30);
  expect_same(round_trip(s), s);
  Session t = tls12_session();
  t.session_id = Bytes(32, 3);
  expect_same(round_trip(t), t);
}

// Every single-byte corruption of an encoding is either refused with a
// reason or decodes into a session that encodes back to those very bytes
// (a changed value inside a field); never a crash or an over-read (ASan).
TEST(SessionCodec, CorruptedBytesAreRefusedOrDecodeCanonically) {
  for (const Session& s : {tls13_session(), tls12_session()}) {
    const Bytes good = s.serialize();
    size_t refused = 0;
    for (size_t i = 0; i < good.size(); ++i) {
      for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
        Bytes bad = good;
        bad[i] ^= flip;
        Result<Session> r = Session::deserialize(bad);
        if (r.ok()) {
          EXPECT_EQ(r->serialize(), bad) << "byte " << i;
        } else {
          ++refused;
          EXPECT_EQ(r.error().kind, ErrorKind::invalid_data);
          EXPECT_EQ(r.error().reason.rfind("session ", 0), 0u) << r.error().reason;
        }
      }
    }
    EXPECT_GT(refused, 0u);
  }
}

// ---- the sealed form --------------------------------------------------------

Bytes seal_key(uint8_t fill) { return Bytes(Session::kSealKeyBytes, fill); }

TEST(SessionSealed, RoundTripsWithTheKey) {
  for (const Session& s : {tls13_session(), tls12_session()}) {
    Result<Bytes> sealed = s.serialize(seal_key(7));
    ASSERT_TRUE(sealed.ok()) << sealed.error().to_string();
    // Nothing of the plain form shows: the secret is encrypted.
    const Bytes plain = s.serialize();
    const Bytes& secret = s.version == ProtocolVersion::tls13 ? s.psk : s.master_secret;
    EXPECT_EQ(std::search(sealed->begin(), sealed->end(), secret.begin(), secret.end()), sealed->end());
    EXPECT_EQ(sealed->size(), plain.size() + 6 + 12 + 16);
    Result<Session> back = Session::deserialize(*sealed, seal_key(7));
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->serialize(), plain);
    // Two seals of one session differ (random nonce).
    EXPECT_NE(*s.serialize(seal_key(7)), *sealed);
  }
}

TEST(SessionSealed, WrongKeyOrAnyChangedByteFailsAuthentication) {
  const Bytes sealed = *tls13_session().serialize(seal_key(1));
  Result<Session> wrong = Session::deserialize(sealed, seal_key(2));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().kind, ErrorKind::invalid_data);
  EXPECT_EQ(wrong.error().reason, "session: authentication failed");
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x20;
    Result<Session> r = Session::deserialize(bad, seal_key(1));
    ASSERT_FALSE(r.ok()) << "byte " << i << " changed and accepted";
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_data) << r.error().to_string();
  }
}

TEST(SessionSealed, EveryPrefixIsRefused) {
  const Bytes sealed = *tls12_session().serialize(seal_key(3));
  for (size_t n = 0; n < sealed.size(); ++n) {
    Result<Session> r = Session::deserialize(ByteView(sealed.data(), n), seal_key(3));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes accepted";
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_data);
  }
}

TEST(SessionSealed, FormsAndKeysAreCheckedWithClearErrors) {
  const Session s = tls13_session();
  Result<Bytes> short_key = s.serialize(Bytes(16, 1));
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().kind, ErrorKind::config);
  EXPECT_NE(short_key.error().reason.find("16 bytes, not 32"), std::string::npos) << short_key.error().reason;

  Result<Session> plain_as_sealed = Session::deserialize(s.serialize(), seal_key(1));
  ASSERT_FALSE(plain_as_sealed.ok());
  EXPECT_NE(plain_as_sealed.error().reason.find("a plain session, not a sealed one"), std::string::npos);

  Bytes version = *s.serialize(seal_key(1));
  version[5] = 9;
  Result<Session> unknown = Session::deserialize(version, seal_key(1));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().reason.find("unknown format 9"), std::string::npos) << unknown.error().reason;

  // The sealed form is not a plain one either.
  Result<Session> sealed_as_plain = Session::deserialize(*s.serialize(seal_key(1)));
  ASSERT_FALSE(sealed_as_plain.ok());
  EXPECT_NE(sealed_as_plain.error().reason.find("not a vouch session"), std::string::npos);
}

}  // namespace
}  // namespace vouch
