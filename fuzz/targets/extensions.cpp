// libFuzzer target: the extensions block parser (RFC 8446 §4.2 and the
// TLS 1.2 ServerHello's), for every message it appears in, with the round
// trip through write_extensions. Input: byte 0 picks the ExtContext, then
// the block (its u16 length first) as it appears in the message.
#include "ext/extensions.h"
#include "fuzz_util.h"

namespace {

constexpr vouch::ExtContext kContexts[] = {
    vouch::ExtContext::client_hello,        vouch::ExtContext::server_hello,
    vouch::ExtContext::hello_retry_request, vouch::ExtContext::encrypted_extensions,
    vouch::ExtContext::certificate,         vouch::ExtContext::certificate_request,
    vouch::ExtContext::new_session_ticket,  vouch::ExtContext::server_hello12,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const vouch::ExtContext ctx = kContexts[data[0] % std::size(kContexts)];
  auto parse = [&](vouch::ByteView b, vouch::Extensions& ext) -> vouch::Status {
    vouch::Reader r(b);
    size_t binders_length = 0;
    VOUCH_TRY(vouch::parse_extensions(r, ctx, ext, &binders_length));
    // The binders are the block's last bytes (RFC 8446 §4.2.11.2).
    VOUCH_FUZZ_CHECK(binders_length <= b.size());
    if (!r.empty()) return vouch::fail(vouch::Alert::decode_error, "trailing bytes after the block");
    return {};
  };
  auto write = [&](vouch::Writer& w, const vouch::Extensions& ext) { vouch::write_extensions(w, ctx, ext); };
  vouch::fuzz::check_round_trip<vouch::Extensions>(vouch::ByteView(data + 1, size - 1), parse, write);
  return 0;
}
