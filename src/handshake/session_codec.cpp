// A Session as bytes (Session::serialize / deserialize in vouch/session.h), to
// keep it outside the process: the CLI's --sess-out file, an application's
// database. Everything the Session holds goes in, including the OCSP picture
// the full handshake established and the client identity, so that a resumed
// connection reports what the original one proved.
//
// Format 1, integers big-endian:
//
//   session  = magic "vSes" | u16 format (1)
//              | u16 version | u16 cipher_suite
//              | bytes ticket | bytes psk | bytes master_secret | bytes session_id
//              | flag extended_master_secret
//              | u32 lifetime_seconds | u32 age_add | time received_at
//              | bytes server_name | bytes alpn
//              | chain peer_chain | chain client_chain
//              | ocsp
//   ocsp     = flag requested | flag must_staple | flag from_session
//              | u32 count | count × staple
//   staple   = u32 position | flag present | bytes response
//              | flag has_status [status] | bytes problem
//   status   = u8 cert_status (0 good, 1 revoked, 2 unknown)
//              | time produced_at | time this_update
//              | flag has_next_update [time next_update]
//              | flag has_revocation_time [time revocation_time]
//              | i32 revocation_reason | bytes responder | flag delegated
//   chain    = u32 count | count × bytes
//   bytes    = u32 length | length bytes
//   time     = i64 milliseconds since the Unix epoch (two's complement)
//   flag     = u8, 0 or 1
//
// Every length is a u32, wider than any field's bound, so that encoding is
// total: whatever a Session holds is written as it is, and the one place the
// bounds are enforced is the decoder, which checks each length before it
// copies anything. A new field means a new format number; the decoder refuses
// formats it does not know rather than guessing.
//
// The sealed form wraps format 1 in AES-256-GCM under the application's key:
//
//   sealed   = magic "vSsx" | u16 format (1) | nonce (12) | ciphertext | tag (16)
//
// with the 6 header bytes as additional data. The nonce is random: a key
// seals at most as many sessions as an application stores, far below the
// 2^32 of NIST SP 800-38D §8.3 for random 96-bit nonces.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/reader.h"
#include "base/writer.h"
#include "crypto/aead.h"
#include "crypto/random.h"
#include "crypto/wipe.h"
#include "vouch/session.h"

namespace vouch {
namespace {

constexpr uint32_t kMagic = 0x76536573;  // "vSes"
constexpr uint16_t kFormat = 1;
constexpr uint32_t kSealedMagic = 0x76537378;  // "vSsx"
constexpr uint16_t kSealedFormat = 1;
constexpr size_t kSealedHeaderBytes = 6;

// ---- bounds, from the wire formats the values come from --------------------
// opaque ticket<1..2^16-1> (RFC 8446 §4.6.1; RFC 5077 §3.3 likewise).
constexpr size_t kMaxTicketBytes = 0xFFFF;
// A TLS 1.3 PSK is Hash.length bytes (RFC 8446 §4.6.1); SHA-512 at most.
constexpr size_t kMaxPskBytes = 64;
// The TLS 1.2 master secret is exactly 48 bytes (RFC 5246 §8.1).
constexpr size_t kMasterSecretBytes = 48;
// opaque SessionID<0..32> (RFC 5246 §7.4.1.2).
constexpr size_t kMaxSessionIdBytes = 32;
// A DNS host name (RFC 6066 §3 HostName, at most 255 octets, RFC 1035 §2.3.4).
constexpr size_t kMaxServerNameBytes = 255;
// opaque ProtocolName<1..2^8-1> (RFC 7301 §3.1); empty = none negotiated.
constexpr size_t kMaxAlpnBytes = 255;
// opaque cert_data<1..2^24-1> (RFC 8446 §4.4.2, RFC 5246 §7.4.2 ASN.1Cert).
constexpr size_t kMaxCertificateBytes = (size_t{1} << 24) - 1;
// Chains longer than this are not kept (real chains have 2 to 4).
constexpr size_t kMaxChainCertificates = 16;
// One staple report per certificate of the peer's chain.
constexpr size_t kMaxStapleReports = kMaxChainCertificates;
// The responder name and the problem are text made from a response of at
// most kMaxOcspResponseBytes; escaping can triple a name, and a problem
// quotes one plus a sentence.
constexpr size_t kMaxOcspTextBytes = 4 * kMaxOcspResponseBytes;

// ---- times -----------------------------------------------------------------
using Clock = std::chrono::system_clock;
using std::chrono::milliseconds;

// The milliseconds a system_clock::time_point can hold. Times are rounded
// down to a millisecond (a session's received_at moves at most 1 ms earlier,
// which only shortens its life) and clamped to this range, so that decoding
// never overflows the clock's representation.
constexpr int64_t kMinTimeMs = std::chrono::ceil<milliseconds>(Clock::duration::min()).count();
constexpr int64_t kMaxTimeMs = std::chrono::floor<milliseconds>(Clock::duration::max()).count();

int64_t to_ms(Clock::time_point t) {
  const int64_t ms = std::chrono::floor<milliseconds>(t.time_since_epoch()).count();
  return std::clamp(ms, kMinTimeMs, kMaxTimeMs);
}

// ---- encoding --------------------------------------------------------------

void put_u64(Writer& w, uint64_t v) {
  w.u32(static_cast<uint32_t>(v >> 32));
  w.u32(static_cast<uint32_t>(v));
}

void put_time(Writer& w, Clock::time_point t) { put_u64(w, static_cast<uint64_t>(to_ms(t))); }

void put_flag(Writer& w, bool b) { w.u8(b ? 1 : 0); }

// A u32 length cannot describe more than 4 GiB; no session field comes near
// (decode refuses anything past its bound long before), so a larger one is
// recorded as the largest length, which decodes as out of bounds.
void put_count(Writer& w, size_t n) { w.u32(n > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(n)); }

void put_bytes(Writer& w, ByteView b) {
  put_count(w, b.size());
  w.bytes(b);
}

void put_string(Writer& w, const std::string& s) {
  put_bytes(w, ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

void put_chain(Writer& w, const std::vector<Bytes>& chain) {
  put_count(w, chain.size());
  for (const Bytes& cert : chain) put_bytes(w, cert);
}

uint8_t cert_status_code(OcspCertStatus s) {
  switch (s) {
    case OcspCertStatus::good: return 0;
    case OcspCertStatus::revoked: return 1;
    case OcspCertStatus::unknown: return 2;
  }
  return 2;
}

void put_status(Writer& w, const OcspStatus& s) {
  w.u8(cert_status_code(s.status));
  put_time(w, s.produced_at);
  put_time(w, s.this_update);
  put_flag(w, s.next_update.has_value());
  if (s.next_update) put_time(w, *s.next_update);
  put_flag(w, s.revocation_time.has_value());
  if (s.revocation_time) put_time(w, *s.revocation_time);
  w.u32(static_cast<uint32_t>(static_cast<int32_t>(s.revocation_reason)));
  put_string(w, s.responder);
  put_flag(w, s.delegated);
}

void put_ocsp(Writer& w, const PeerOcsp& o) {
  put_flag(w, o.requested);
  put_flag(w, o.must_staple);
  put_flag(w, o.from_session);
  put_count(w, o.staples.size());
  for (const StapleReport& r : o.staples) {
    put_count(w, r.position);
    put_flag(w, r.present);
    put_bytes(w, r.response);
    put_flag(w, r.status.has_value());
    if (r.status) put_status(w, *r.status);
    put_string(w, r.problem);
  }
}

// ---- decoding --------------------------------------------------------------
// Each read names the field it reads, so that a refusal says where the bytes
// went wrong ("session ocsp.staples[0].status.responder: truncated").

Error bad(const std::string& field, const std::string& what) {
  return data_error("session " + field + ": " + what);
}

Status get_u8(Reader& r, const std::string& field, uint8_t& out) {
  if (!r.u8(out)) return bad(field, "truncated");
  return {};
}

Status get_u16(Reader& r, const std::string& field, uint16_t& out) {
  if (!r.u16(out)) return bad(field, "truncated");
  return {};
}

Status get_u32(Reader& r, const std::string& field, uint32_t& out) {
  if (!r.u32(out)) return bad(field, "truncated");
  return {};
}

Status get_flag(Reader& r, const std::string& field, bool& out) {
  uint8_t v = 0;
  VOUCH_TRY(get_u8(r, field, v));
  if (v > 1) return bad(field, "flag is " + std::to_string(v) + ", not 0 or 1");
  out = v == 1;
  return {};
}

Status get_time(Reader& r, const std::string& field, Clock::time_point& out) {
  uint32_t hi = 0, lo = 0;
  if (!r.u32(hi) || !r.u32(lo)) return bad(field, "truncated");
  // Two's complement (a conversion C++20 defines).
  const int64_t ms = static_cast<int64_t>((uint64_t{hi} << 32) | lo);
  if (ms < kMinTimeMs || ms > kMaxTimeMs) return bad(field, "time out of range");
  out = Clock::time_point(std::chrono::duration_cast<Clock::duration>(milliseconds(ms)));
  return {};
}

Status get_count(Reader& r, const std::string& field, size_t max, size_t& out) {
  uint32_t n = 0;
  VOUCH_TRY(get_u32(r, field, n));
  if (n > max) return bad(field, std::to_string(n) + " entries, at most " + std::to_string(max));
  out = n;
  return {};
}

// A length-prefixed field of min..max bytes. The length is checked before
// anything is copied: a huge length is refused, not allocated.
Status get_bytes(Reader& r, const std::string& field, size_t min, size_t max, Bytes& out) {
  uint32_t len = 0;
  VOUCH_TRY(get_u32(r, field, len));
  if (len < min || len > max) {
    const std::string range =
        min == max ? std::to_string(min) : std::to_string(min) + ".." + std::to_string(max);
    return bad(field, std::to_string(len) + " bytes, expected " + range);
  }
  if (!r.copy(len, out)) return bad(field, "truncated");
  return {};
}

Status get_string(Reader& r, const std::string& field, size_t max, std::string& out) {
  Bytes b;
  VOUCH_TRY(get_bytes(r, field, 0, max, b));
  out.assign(b.begin(), b.end());
  return {};
}

Status get_chain(Reader& r, const std::string& field, CertChain& out) {
  size_t n = 0;
  VOUCH_TRY(get_count(r, field, kMaxChainCertificates, n));
  std::vector<Bytes> certs;
  certs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Bytes cert;
    VOUCH_TRY(get_bytes(r, field + "[" + std::to_string(i) + "]", 1, kMaxCertificateBytes, cert));
    certs.push_back(std::move(cert));
  }
  out = std::move(certs);
  return {};
}

Status get_status(Reader& r, const std::string& field, OcspStatus& s) {
  uint8_t code = 0;
  VOUCH_TRY(get_u8(r, field + ".cert_status", code));
  switch (code) {
    case 0: s.status = OcspCertStatus::good; break;
    case 1: s.status = OcspCertStatus::revoked; break;
    case 2: s.status = OcspCertStatus::unknown; break;
    default: return bad(field + ".cert_status", "unknown certificate status " + std::to_string(code));
  }
  VOUCH_TRY(get_time(r, field + ".produced_at", s.produced_at));
  VOUCH_TRY(get_time(r, field + ".this_update", s.this_update));
  bool has = false;
  VOUCH_TRY(get_flag(r, field + ".next_update", has));
  if (has) VOUCH_TRY(get_time(r, field + ".next_update", s.next_update.emplace()));
  VOUCH_TRY(get_flag(r, field + ".revocation_time", has));
  if (has) VOUCH_TRY(get_time(r, field + ".revocation_time", s.revocation_time.emplace()));
  uint32_t reason = 0;
  VOUCH_TRY(get_u32(r, field + ".revocation_reason", reason));
  s.revocation_reason = static_cast<int32_t>(reason);
  VOUCH_TRY(get_string(r, field + ".responder", kMaxOcspTextBytes, s.responder));
  VOUCH_TRY(get_flag(r, field + ".delegated", s.delegated));
  return {};
}

Status get_ocsp(Reader& r, PeerOcsp& o) {
  VOUCH_TRY(get_flag(r, "ocsp.requested", o.requested));
  VOUCH_TRY(get_flag(r, "ocsp.must_staple", o.must_staple));
  VOUCH_TRY(get_flag(r, "ocsp.from_session", o.from_session));
  size_t n = 0;
  VOUCH_TRY(get_count(r, "ocsp.staples", kMaxStapleReports, n));
  o.staples.clear();
  o.staples.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string field = "ocsp.staples[" + std::to_string(i) + "]";
    StapleReport& rep = o.staples.emplace_back();
    uint32_t position = 0;
    VOUCH_TRY(get_u32(r, field + ".position", position));
    if (position >= kMaxChainCertificates) {
      return bad(field + ".position", std::to_string(position) + " is past the longest chain kept");
    }
    rep.position = position;
    VOUCH_TRY(get_flag(r, field + ".present", rep.present));
    VOUCH_TRY(get_bytes(r, field + ".response", 0, kMaxOcspResponseBytes, rep.response));
    bool has_status = false;
    VOUCH_TRY(get_flag(r, field + ".has_status", has_status));
    if (has_status) VOUCH_TRY(get_status(r, field + ".status", rep.status.emplace()));
    VOUCH_TRY(get_string(r, field + ".problem", kMaxOcspTextBytes, rep.problem));
  }
  return {};
}

// What makes a session usable at all for its version; a session that fails
// these could only fail later, in a handshake.
Status check_version_fields(const Session& s) {
  if (s.version == ProtocolVersion::tls13) {
    if (!is_tls13_suite(s.cipher_suite)) {
      return bad("cipher_suite", to_string(s.cipher_suite) + " is not a TLS 1.3 suite");
    }
    if (s.ticket.empty()) return bad("ticket", "empty in a TLS 1.3 session");
    if (s.psk.empty()) return bad("psk", "empty in a TLS 1.3 session");
    if (!s.master_secret.empty()) return bad("master_secret", "set in a TLS 1.3 session");
    if (!s.session_id.empty()) return bad("session_id", "set in a TLS 1.3 session");
  } else {
    if (!is_tls12_suite(s.cipher_suite)) {
      return bad("cipher_suite", to_string(s.cipher_suite) + " is not a TLS 1.2 suite");
    }
    // Already 0 or 48 bytes; a TLS 1.2 session resumes from its master secret.
    if (s.master_secret.empty()) return bad("master_secret", "empty in a TLS 1.2 session");
    if (!s.psk.empty()) return bad("psk", "set in a TLS 1.2 session");
  }
  return {};
}

}  // namespace

Bytes Session::serialize() const {
  const Session& s = *this;
  Bytes out;
  Writer w(out);
  w.u32(kMagic);
  w.u16(kFormat);
  w.u16(static_cast<uint16_t>(s.version));
  w.u16(static_cast<uint16_t>(s.cipher_suite));
  put_bytes(w, s.ticket);
  put_bytes(w, s.psk);
  put_bytes(w, s.master_secret);
  put_bytes(w, s.session_id);
  put_flag(w, s.extended_master_secret);
  w.u32(s.lifetime_seconds);
  w.u32(s.age_add);
  put_time(w, s.received_at);
  put_string(w, s.server_name);
  put_string(w, s.alpn);
  put_chain(w, s.peer_chain);
  put_chain(w, s.client_chain);
  put_ocsp(w, s.ocsp);
  return out;
}

Result<Session> Session::deserialize(ByteView bytes) {
  Reader r(bytes);
  uint32_t magic = 0;
  VOUCH_TRY(get_u32(r, "format", magic));
  if (magic != kMagic) return bad("format", "not a vouch session");
  uint16_t format = 0;
  VOUCH_TRY(get_u16(r, "format", format));
  if (format != kFormat) return bad("format", "unknown format " + std::to_string(format));

  Session s;
  uint16_t version = 0, suite = 0;
  VOUCH_TRY(get_u16(r, "version", version));
  if (version != static_cast<uint16_t>(ProtocolVersion::tls12) &&
      version != static_cast<uint16_t>(ProtocolVersion::tls13)) {
    return bad("version", to_string(static_cast<ProtocolVersion>(version)) + " is not TLS 1.2 or 1.3");
  }
  s.version = static_cast<ProtocolVersion>(version);
  VOUCH_TRY(get_u16(r, "cipher_suite", suite));
  s.cipher_suite = static_cast<CipherSuite>(suite);
  VOUCH_TRY(get_bytes(r, "ticket", 0, kMaxTicketBytes, s.ticket));
  VOUCH_TRY(get_bytes(r, "psk", 0, kMaxPskBytes, s.psk));
  // Exactly 0 (TLS 1.3) or 48 (TLS 1.2) bytes; checked per version below.
  VOUCH_TRY(get_bytes(r, "master_secret", 0, kMasterSecretBytes, s.master_secret));
  if (!s.master_secret.empty() && s.master_secret.size() != kMasterSecretBytes) {
    return bad("master_secret", std::to_string(s.master_secret.size()) + " bytes, expected 0 or 48");
  }
  VOUCH_TRY(get_bytes(r, "session_id", 0, kMaxSessionIdBytes, s.session_id));
  VOUCH_TRY(get_flag(r, "extended_master_secret", s.extended_master_secret));
  // Any lifetime is kept as received: Session::usable() applies the 7-day
  // cap of RFC 8446 §4.6.1.
  VOUCH_TRY(get_u32(r, "lifetime_seconds", s.lifetime_seconds));
  VOUCH_TRY(get_u32(r, "age_add", s.age_add));
  VOUCH_TRY(get_time(r, "received_at", s.received_at));
  VOUCH_TRY(get_string(r, "server_name", kMaxServerNameBytes, s.server_name));
  VOUCH_TRY(get_string(r, "alpn", kMaxAlpnBytes, s.alpn));
  VOUCH_TRY(get_chain(r, "peer_chain", s.peer_chain));
  VOUCH_TRY(get_chain(r, "client_chain", s.client_chain));
  VOUCH_TRY(get_ocsp(r, s.ocsp));
  if (!r.empty()) return bad("end", std::to_string(r.remaining()) + " trailing bytes");
  VOUCH_TRY(check_version_fields(s));
  return s;
}

Result<Bytes> Session::serialize(ByteView key) const {
  if (key.size() != kSealKeyBytes) {
    return config_error("session: the sealing key has " + std::to_string(key.size()) + " bytes, not " +
                        std::to_string(kSealKeyBytes));
  }
  Bytes plain = serialize();
  Bytes out;
  Writer w(out);
  w.u32(kSealedMagic);
  w.u16(kSealedFormat);
  out.resize(kSealedHeaderBytes + kAeadNonceLength + plain.size() + kAeadTagLength);
  const std::span<uint8_t> nonce(out.data() + kSealedHeaderBytes, kAeadNonceLength);
  Status st = random_public_bytes(nonce);
  if (st.ok()) {
    auto aead = Aead::create(AeadAlg::aes256gcm, key, AeadUse::seal);
    st = aead.ok() ? aead->seal(nonce, ByteView(out.data(), kSealedHeaderBytes), plain,
                                std::span<uint8_t>(out.data() + kSealedHeaderBytes + kAeadNonceLength,
                                                   plain.size() + kAeadTagLength))
                   : Status(std::move(aead).error());
  }
  wipe_memory(plain);
  if (!st.ok()) return std::move(st).error();
  return out;
}

Result<Session> Session::deserialize(ByteView bytes, ByteView key) {
  if (key.size() != kSealKeyBytes) {
    return config_error("session: the sealing key has " + std::to_string(key.size()) + " bytes, not " +
                        std::to_string(kSealKeyBytes));
  }
  Reader r(bytes);
  uint32_t magic = 0;
  uint16_t format = 0;
  VOUCH_TRY(get_u32(r, "sealed format", magic));
  if (magic != kSealedMagic) {
    return bad("sealed format", magic == kMagic ? "a plain session, not a sealed one" : "not a sealed vouch session");
  }
  VOUCH_TRY(get_u16(r, "sealed format", format));
  if (format != kSealedFormat) return bad("sealed format", "unknown format " + std::to_string(format));
  if (bytes.size() < kSealedHeaderBytes + kAeadNonceLength + kAeadTagLength) {
    return bad("sealed", "truncated");
  }
  auto aead = Aead::create(AeadAlg::aes256gcm, key, AeadUse::open);
  if (!aead.ok()) return std::move(aead).error();
  const ByteView nonce = bytes.subspan(kSealedHeaderBytes, kAeadNonceLength);
  const ByteView sealed = bytes.subspan(kSealedHeaderBytes + kAeadNonceLength);
  Bytes plain(sealed.size() - kAeadTagLength);
  Status st = aead->open(nonce, bytes.first(kSealedHeaderBytes), sealed, plain);
  if (!st.ok()) {
    if (st.error().alert == Alert::bad_record_mac) return data_error("session: authentication failed");
    return std::move(st).error();
  }
  Result<Session> out = deserialize(plain);
  wipe_memory(plain);
  return out;
}

}  // namespace vouch
