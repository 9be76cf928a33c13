#include "handshake/conn_core.h"

#include <cstring>

#include "base/hex.h"
#include "crypto/wipe.h"
#include "handshake/key_schedule.h"
#include "handshake/trace_emit.h"

namespace vouch {

ConnCore::ConnCore(bool client, const CommonConfig& cfg)
    : is_client(client), common(cfg), trace_id(next_trace_id()), hs_in(cfg.max_handshake_message) {}

ConnCore::~ConnCore() {
  wipe_each(client_app_secret, server_app_secret, resumption_master_secret, exporter_master_secret, master_secret12);
}

Status ConnCore::send_framed(HandshakeType type, ByteView body) {
  Bytes msg;
  frame_handshake(type, body, msg);
  return send_raw(msg);
}

std::optional<HandshakeMessage> ConnCore::next_message() {
  std::optional<HandshakeMessage> m = hs_in.next();
  if (m) emit_trace(common, trace_id, [&] { return TraceMessage{TraceDirection::received, m->type, m->body.size()}; });
  return m;
}

void ConnCore::trace_sent(ByteView message) const {
  if (message.size() < kHandshakeHeaderLength) return;
  emit_trace(common, trace_id, [&] {
    return TraceMessage{TraceDirection::sent, message[0], message.size() - kHandshakeHeaderLength};
  });
}

Status ConnCore::send_raw(ByteView message) {
  VOUCH_TRY(transcript.update(message));
  trace_sent(message);
  if (outgoing_hook) {
    for (const Bytes& m : outgoing_hook(Bytes(message.begin(), message.end())))
      hs_out.insert(hs_out.end(), m.begin(), m.end());
    return {};
  }
  hs_out.insert(hs_out.end(), message.begin(), message.end());
  return {};
}

namespace {

// RFC 8446 §5.1 TLSPlaintext (RFC 5246 §6.2.1): type(1) ||
// legacy_record_version(2) || length(2) || fragment (≤ 2^14 bytes).
void append_plaintext_record(ContentType type, uint16_t version, ByteView fragment, ByteQueue& out) {
  std::span<uint8_t> room = out.prepare(kRecordHeaderLength + fragment.size());
  write_record_header(room.data(), type, version, fragment.size());
  if (!fragment.empty()) std::memcpy(room.data() + kRecordHeaderLength, fragment.data(), fragment.size());
  out.commit(room.size());
}

}  // namespace

Status ConnCore::write_record(ContentType type, ByteView data) {
  // §5.1: fragments of at most 2^14 bytes; a zero-length record only for
  // application data (never for handshake or alert content).
  const size_t records = data.empty() ? 1 : (data.size() + kMaxPlaintext - 1) / kMaxPlaintext;
  if (write_protection.active()) {
    // Room for every record at once, so a large write neither regrows the
    // buffer record by record nor goes through an intermediate copy: each
    // record is sealed from `data` straight into its place.
    const size_t last = data.size() - (records - 1) * kMaxPlaintext;
    const size_t full = write_protection.sealed_size(kMaxPlaintext);
    std::span<uint8_t> room = out.prepare((records - 1) * full + write_protection.sealed_size(last));
    size_t at = 0;
    for (size_t r = 0; r < records; ++r) {
      ByteView frag = data.subspan(r * kMaxPlaintext, r + 1 < records ? kMaxPlaintext : last);
      const size_t len = write_protection.sealed_size(frag.size());
      Status s = write_protection.seal(type, frag, room.subspan(at, len));
      if (!s) {
        out.commit(at);  // the records sealed so far; never a half-built one
        return s;
      }
      at += len;
    }
    out.commit(at);
    return {};
  }
  // §5.1: legacy_record_version is 0x0301 for an initial ClientHello,
  // 0x0303 otherwise (RFC 5246 §6.2.1 / Appendix E.1: the negotiated
  // version once the ServerHello fixed it).
  const bool initial_client_hello = is_client && !info.hello_retry_request &&
                                    info.version == ProtocolVersion{} && type == ContentType::handshake;
  const uint16_t version = initial_client_hello ? 0x0301 : 0x0303;
  for (size_t r = 0; r < records; ++r)
    append_plaintext_record(type, version, data.subspan(r * kMaxPlaintext, std::min(kMaxPlaintext, data.size() - r * kMaxPlaintext)), out);
  return {};
}

void ConnCore::log_secret(const char* label, ByteView secret) const {
  if (!common.keylog) return;
  // The NSS key log format: "<label> <client random hex> <secret hex>".
  common.keylog(std::string(label) + " " + to_hex(client_random) + " " + to_hex(secret));
}

Status ConnCore::send_warning(Alert alert) {
  const uint8_t body[2] = {1, static_cast<uint8_t>(alert)};  // level warning(1)
  emit_trace(common, trace_id, [&] { return TraceAlert{TraceDirection::sent, alert, false}; });
  VOUCH_TRY(flush_handshake());
  return write_record(ContentType::alert, ByteView(body, 2));
}

Status ConnCore::flush_handshake() {
  if (hs_out.empty()) return {};
  Status s = write_record(ContentType::handshake, hs_out);
  hs_out.clear();
  return s;
}

void ConnCore::send_ccs() {
  if (sent_ccs) return;
  // The CCS goes out in plaintext, after what is queued so far.
  (void)flush_handshake();
  const uint8_t one = 1;
  append_plaintext_record(ContentType::change_cipher_spec, 0x0303, ByteView(&one, 1), out);
  sent_ccs = true;
}

Status ConnCore::install_read_key(ByteView secret) {
  if (!hs_in.empty())
    return fail(Alert::unexpected_message,
                "handshake message spans a key change (RFC 8446 §5.1)");
  return read_protection.install(info.cipher_suite, secret);
}

Status ConnCore::install_write_key(ByteView secret) {
  VOUCH_TRY(flush_handshake());
  return write_protection.install(info.cipher_suite, secret);
}

Status ConnCore::install_read_key12(ByteView key, ByteView iv) {
  // RFC 5246 §7.1 does not allow a ChangeCipherSpec inside a fragmented
  // handshake message either (RFC 8446 §5.1 states it for both versions).
  if (!hs_in.empty())
    return fail(Alert::unexpected_message, "handshake message spans a ChangeCipherSpec");
  return read_protection.install12(info.cipher_suite, key, iv);
}

Status ConnCore::install_write_key12(ByteView key, ByteView iv) {
  VOUCH_TRY(flush_handshake());
  return write_protection.install12(info.cipher_suite, key, iv);
}

void ConnCore::release_after_handshake(bool keep_transcript) {
  if (hs_out.empty()) Bytes().swap(hs_out);  // capacity too, not just the size
  if (!keep_transcript) transcript = Transcript{};
}

Status Handshake::post_handshake(const HandshakeMessage& m) {
  return unexpected(m, "no post-handshake message");
}

Status Handshake::on_change_cipher_spec() {
  return fail(Alert::unexpected_message, "unexpected change_cipher_spec");
}

Error unexpected(const HandshakeMessage& m, const char* expected) {
  return fail(Alert::unexpected_message,
              std::string("received ") + handshake_type_name(m.type) + ", expected " + expected);
}

}  // namespace vouch
