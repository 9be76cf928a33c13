// libFuzzer target: the record deframer (RFC 8446 §5.1, RFC 5246 §6.2.1).
// Input: byte 0 picks the fragment limit the caller sets, then chunks (see
// fuzz_world.h) fed one by one, each followed by every record it completes.
#include "fuzz_util.h"
#include "fuzz_world.h"
#include "record/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr size_t kLimits[] = {vouch::kMaxPlaintext + 256, vouch::kMaxCiphertext13,
                                       vouch::kMaxCiphertext12, 64};
  const size_t limit = kLimits[data[0] % std::size(kLimits)];
  vouch::Deframer deframer;
  vouch::fuzz::Chunks chunks(vouch::ByteView(data + 1, size - 1));
  size_t fed = 0, taken = 0;
  while (auto chunk = chunks.next()) {
    deframer.feed(*chunk);
    fed += chunk->size();
    for (;;) {
      auto r = deframer.next(limit);
      if (!r.ok()) return 0;  // the connection stops here
      if (!r.value()) break;
      const vouch::RawRecord& rec = *r.value();
      VOUCH_FUZZ_CHECK(rec.header.size() == vouch::kRecordHeaderLength);
      VOUCH_FUZZ_CHECK(vouch::record_fragment_length(rec.header) == rec.fragment.size());
      VOUCH_FUZZ_CHECK(rec.fragment.size() <= limit);
      VOUCH_FUZZ_CHECK(rec.header[0] == static_cast<uint8_t>(rec.type));
      taken += vouch::kRecordHeaderLength + rec.fragment.size();
    }
    VOUCH_FUZZ_CHECK(taken + deframer.buffered() == fed);
  }
  return 0;
}
