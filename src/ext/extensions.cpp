// The extensions block (RFC 8446 §4.2):
//
//   struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
//   Extension extensions<..>;   (the bounds are the enclosing message's)
//
// parse_extensions() walks the block, applies the rules that concern the
// block as a whole (no duplicates, the §4.2 table, unknown types,
// pre_shared_key last) and hands each body to its codec in src/ext/<name>.cpp.
#include "ext/extensions.h"

#include <array>
#include <cstdio>
#include <iterator>
#include <optional>
#include <span>
#include <string>

#include "ext/extension_codecs.h"
#include "ext/type_index.h"

namespace vouch {
namespace {

using ParseFn = Status (*)(Reader&, ExtContext, Extensions&);
using WriteFn = void (*)(Writer&, ExtContext, const Extensions&);

struct Codec {
  ExtensionType type;
  ParseFn parse;
  WriteFn write;
};

void write_psk(Writer& w, ExtContext ctx, const Extensions& ext) { write_pre_shared_key(w, ctx, ext); }

using T = ExtensionType;

// Every extension whose body vouch models in Extensions. Known types without
// a row (padding, heartbeat, signed_certificate_timestamp, ...) are recorded
// in `present` only; their bodies are not interpreted.
constexpr Codec kCodecs[] = {
    {T::server_name, parse_server_name, write_server_name},
    {T::status_request, parse_status_request, write_status_request},
    {T::status_request_v2, parse_status_request_v2, write_status_request_v2},
    {T::supported_groups, parse_supported_groups, write_supported_groups},
    {T::ec_point_formats, parse_ec_point_formats, write_ec_point_formats},
    {T::signature_algorithms, parse_signature_algorithms, write_signature_algorithms},
    {T::application_layer_protocol_negotiation, parse_alpn, write_alpn},
    {T::extended_master_secret, parse_extended_master_secret, write_extended_master_secret},
    {T::session_ticket, parse_session_ticket, write_session_ticket},
    {T::pre_shared_key, parse_pre_shared_key, write_psk},
    {T::early_data, parse_early_data, write_early_data},
    {T::supported_versions, parse_supported_versions, write_supported_versions},
    {T::cookie, parse_cookie, write_cookie},
    {T::psk_key_exchange_modes, parse_psk_key_exchange_modes, write_psk_key_exchange_modes},
    {T::certificate_authorities, parse_certificate_authorities, write_certificate_authorities},
    {T::oid_filters, parse_oid_filters, write_oid_filters},
    {T::post_handshake_auth, parse_post_handshake_auth, write_post_handshake_auth},
    {T::signature_algorithms_cert, parse_signature_algorithms_cert, write_signature_algorithms_cert},
    {T::key_share, parse_key_share, write_key_share},
    {T::renegotiation_info, parse_renegotiation_info, write_renegotiation_info},
};

constexpr ExtensionTypeIndex kCodecIndex = index_by_type(kCodecs);

const Codec* find_codec(uint16_t type) { return find_by_type(kCodecs, kCodecIndex, type); }

// Write orders. Any order is legal except that pre_shared_key ends a
// ClientHello (§4.2.11). These follow NSS, the stack that produced the RFC
// 8448 traces, so that those traces re-serialise byte for byte: the client
// order for the ClientHello, the server order for every other message. Each
// list names every codec (pre_shared_key is appended separately for CH).
constexpr T kClientOrder[] = {
    T::server_name,
    T::extended_master_secret,
    T::renegotiation_info,
    T::supported_groups,
    T::ec_point_formats,
    T::session_ticket,
    T::application_layer_protocol_negotiation,
    T::status_request,
    T::status_request_v2,
    T::key_share,
    T::early_data,
    T::supported_versions,
    T::signature_algorithms,
    T::signature_algorithms_cert,
    T::cookie,
    T::psk_key_exchange_modes,
    T::certificate_authorities,
    T::post_handshake_auth,
    T::oid_filters,
};
constexpr T kServerOrder[] = {
    T::pre_shared_key,
    T::key_share,
    T::cookie,
    T::supported_versions,
    T::supported_groups,
    T::server_name,
    T::early_data,
    T::application_layer_protocol_negotiation,
    T::status_request,
    T::status_request_v2,
    T::signature_algorithms,
    T::signature_algorithms_cert,
    T::certificate_authorities,
    T::oid_filters,
    T::post_handshake_auth,
    T::psk_key_exchange_modes,
    T::renegotiation_info,
    T::extended_master_secret,
    T::ec_point_formats,
    T::session_ticket,
};
static_assert(std::size(kClientOrder) + 1 == std::size(kCodecs));
static_assert(std::size(kServerOrder) == std::size(kCodecs));

// server_hello12 is ExtContext's last value (extensions.h).
constexpr size_t kContexts = static_cast<size_t>(ExtContext::server_hello12) + 1;

// The writers a message of one context tries, in its write order: the order
// list filtered through the §4.2 table once per process, instead of asking
// the table about every candidate of every message written (a handful of
// messages a handshake, twenty candidates each).
struct WritePlan {
  std::array<WriteFn, std::size(kCodecs)> writers{};
  size_t count = 0;
};

const WritePlan& write_plan(ExtContext ctx) {
  static const std::array<WritePlan, kContexts> plans = [] {
    std::array<WritePlan, kContexts> out{};
    for (size_t c = 0; c < kContexts; ++c) {
      const auto context = static_cast<ExtContext>(c);
      const std::span<const T> order = context == ExtContext::client_hello ? std::span<const T>(kClientOrder)
                                                                           : std::span<const T>(kServerOrder);
      for (T type : order) {
        if (!extension_allowed(type, context)) continue;
        out[c].writers[out[c].count++] = find_codec(static_cast<uint16_t>(type))->write;
      }
    }
    return out;
  }();
  return plans[static_cast<size_t>(ctx)];
}

const char* context_name(ExtContext ctx) {
  switch (ctx) {
    case ExtContext::client_hello: return "ClientHello";
    case ExtContext::server_hello: return "ServerHello";
    case ExtContext::hello_retry_request: return "HelloRetryRequest";
    case ExtContext::encrypted_extensions: return "EncryptedExtensions";
    case ExtContext::certificate: return "CertificateEntry";
    case ExtContext::certificate_request: return "CertificateRequest";
    case ExtContext::new_session_ticket: return "NewSessionTicket";
    case ExtContext::server_hello12: return "ServerHello (TLS 1.2)";
  }
  return "?";
}

// Forgets what a TLS 1.2-only extension's parser stored before it failed.
void forget_tls12_extension(uint16_t type, Extensions& out) {
  switch (static_cast<T>(type)) {
    case T::ec_point_formats: out.ec_point_formats.reset(); break;
    case T::extended_master_secret: out.extended_master_secret = false; break;
    case T::renegotiation_info: out.renegotiation_info.reset(); break;
    case T::session_ticket: out.session_ticket.reset(); break;
    case T::status_request_v2: out.status_request_v2.reset(); break;
    default: break;
  }
}

[[gnu::cold]] std::string describe(uint16_t type) {
  if (extension_known(type)) return extension_name(type);
  char buf[32];
  std::snprintf(buf, sizeof buf, "extension 0x%04x", type);
  return buf;
}

Error block_error(ExtContext ctx, Alert alert, const std::string& what) {
  return fail(alert, std::string(context_name(ctx)) + ": " + what);
}

// The alert for an extension the table does not allow in ctx.
Alert disallowed_alert(uint16_t type, ExtContext ctx) {
  // RFC 5246 §7.4.1.4: a TLS 1.2 client that receives an extension it did
  // not request MUST abort with unsupported_extension; and RFC 8446 §4.2
  // says the same for an unrequested response. Only a recognised extension
  // in the wrong TLS 1.3 message is illegal_parameter (RFC 8446 §4.2).
  if (ctx == ExtContext::server_hello12 || !extension_known(type)) return Alert::unsupported_extension;
  return Alert::illegal_parameter;
}

}  // namespace

bool Extensions::has(ExtensionType t) const {
  for (uint16_t p : present)
    if (p == static_cast<uint16_t>(t)) return true;
  return false;
}

Status parse_extensions(Reader& r, ExtContext ctx, Extensions& out, size_t* binders_length) {
  out = Extensions{};
  if (binders_length) *binders_length = 0;
  Reader block;
  if (!r.prefixed16(block)) return block_error(ctx, Alert::decode_error, "truncated extensions block");
  bool after_psk = false;
  // Room for a typical ClientHello's extensions, so `present` is not
  // regrown one doubling at a time.
  if (!block.empty()) out.present.reserve(16);
  while (!block.empty()) {
    uint16_t type = 0;
    Reader body;
    if (!block.u16(type) || !block.prefixed16(body))
      return block_error(ctx, Alert::decode_error, "truncated extension");
    // §4.2.11: "The 'pre_shared_key' extension MUST be the last extension in
    // the ClientHello ... Servers MUST check that it is the last extension
    // and otherwise fail the handshake with an 'illegal_parameter' alert."
    if (after_psk)
      return block_error(ctx, Alert::illegal_parameter,
                         "pre_shared_key is not the last extension (" + describe(type) + " follows)");
    // §4.2: "There MUST NOT be more than one extension of the same type in a
    // given extension block."
    if (out.has(static_cast<ExtensionType>(type)))
      return block_error(ctx, Alert::illegal_parameter, "duplicate " + describe(type));
    out.present.push_back(type);
    if (!extension_allowed(static_cast<ExtensionType>(type), ctx))
      return block_error(ctx, disallowed_alert(type, ctx), describe(type) + " is not allowed in this message");
    if (ctx == ExtContext::client_hello && type == static_cast<uint16_t>(T::pre_shared_key)) after_psk = true;

    const Codec* codec = find_codec(type);
    if (!codec) continue;  // tolerated unknown, or known but not modelled: skipped
    Status s = codec->parse(body, ctx, out);
    std::optional<Error> bad;
    if (!s) {
      bad = std::move(s).error();
      bad->reason = std::string(context_name(ctx)) + ": " + bad->reason;
    } else if (!body.empty()) {
      bad = block_error(ctx, Alert::decode_error, describe(type) + ": trailing bytes in extension body");
    }
    if (!bad) continue;
    // RFC 8446 §4.1.2 / §4.2: a ClientHello is parsed before the version is
    // chosen, and an extension of TLS 1.2 only means nothing if TLS 1.3 is
    // negotiated (OpenSSL, too, ignores e.g. a malformed ec_point_formats
    // then). Its fault is kept for a TLS 1.2 server to act on.
    if (ctx == ExtContext::client_hello && extension_tls12_only(type)) {
      forget_tls12_extension(type, out);
      if (!out.malformed12) out.malformed12 = std::move(*bad);
      continue;
    }
    return std::move(*bad);
  }
  if (binders_length && out.psk_identities) {
    // binders<33..2^16-1>: its u16 length plus one u8-prefixed entry per binder.
    size_t n = 2;
    for (const Bytes& b : out.psk_binders) n += 1 + b.size();
    *binders_length = n;
  }
  return {};
}

void write_extensions(Writer& w, ExtContext ctx, const Extensions& ext, size_t* binders_offset) {
  if (binders_offset) *binders_offset = 0;
  const bool ch = ctx == ExtContext::client_hello;
  const WritePlan& plan = write_plan(ctx);
  w.prefixed16([&] {
    for (size_t i = 0; i < plan.count; ++i) plan.writers[i](w, ctx, ext);
    // §4.2.11: last in the ClientHello; the offset lets the client patch the
    // binders after hashing the truncated ClientHello (§4.2.11.2).
    if (ch) write_pre_shared_key(w, ctx, ext, binders_offset);
  });
}

}  // namespace vouch
