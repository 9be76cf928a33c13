// libFuzzer target: TLS 1.3 record protection, open (RFC 8446 §5.2-5.4),
// with fixed traffic secrets (fuzz_world.h). Input: byte 0 picks the cipher
// suite, then the record stream, deframed and opened record by record until
// the first error (which ends a connection).
#include "fuzz_util.h"
#include "fuzz_world.h"
#include "record/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& suites = vouch::fuzz::record13_suites();
  const auto& s = suites[data[0] % suites.size()];
  vouch::RecordProtection13 prot;
  VOUCH_FUZZ_CHECK(prot.install(s.suite, s.secret).ok());
  vouch::Deframer deframer;
  deframer.feed(vouch::ByteView(data + 1, size - 1));
  for (;;) {
    auto r = deframer.next(vouch::kMaxCiphertext13);
    if (!r.ok() || !r.value()) return 0;
    const uint64_t seq = prot.sequence();
    vouch::ContentType inner = vouch::ContentType::invalid;
    auto plain = prot.open(*r.value(), inner);
    if (!plain.ok()) {
      VOUCH_FUZZ_CHECK(prot.sequence() == seq);
      return 0;
    }
    VOUCH_FUZZ_CHECK(prot.sequence() == seq + 1);
    VOUCH_FUZZ_CHECK(plain.value().size() <= vouch::kMaxPlaintext);
    VOUCH_FUZZ_CHECK(inner == vouch::ContentType::alert || inner == vouch::ContentType::handshake ||
                     inner == vouch::ContentType::application_data);
  }
}
