// libFuzzer target: TLS 1.2 AEAD record protection, open (RFC 5246
// §6.2.3.3, RFC 5288, RFC 7905), with fixed keys and IVs (fuzz_world.h).
// Input: byte 0 picks the cipher suite, then the record stream, deframed and
// opened record by record until the first error.
#include "fuzz_util.h"
#include "fuzz_world.h"
#include "record/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& suites = vouch::fuzz::record12_suites();
  const auto& s = suites[data[0] % suites.size()];
  vouch::RecordProtection12 prot;
  VOUCH_FUZZ_CHECK(prot.install(s.suite, s.key, s.iv).ok());
  vouch::Deframer deframer;
  deframer.feed(vouch::ByteView(data + 1, size - 1));
  for (;;) {
    auto r = deframer.next(vouch::kMaxCiphertext12);
    if (!r.ok() || !r.value()) return 0;
    const uint64_t seq = prot.sequence();
    auto plain = prot.open(*r.value());
    if (!plain.ok()) {
      VOUCH_FUZZ_CHECK(prot.sequence() == seq);
      return 0;
    }
    VOUCH_FUZZ_CHECK(prot.sequence() == seq + 1);
    VOUCH_FUZZ_CHECK(plain.value().size() <= vouch::kMaxPlaintext);
  }
}
