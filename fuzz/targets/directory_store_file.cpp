// libFuzzer target: the directory SharedStore's file format
// (store/directory_record.h: "VST1" | u64 expiry | value), which
// directory_store.cpp reads from every key's file. Input: a file's bytes.
//   - decoding: what is accepted is the header and the value of exactly
//     these bytes (encoding it again gives the input back);
//   - the round trip: the first 8 bytes taken as an expiry and the rest as
//     a value, decode(encode(value, expiry)) is that value and expiry.
#include <algorithm>
#include <cstring>

#include "fuzz_util.h"
#include "store/directory_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const vouch::ByteView in(data, size);

  if (auto record = vouch::decode_directory_record(in)) {
    VOUCH_FUZZ_CHECK(size >= vouch::kDirectoryRecordHeader);
    VOUCH_FUZZ_CHECK(record->value.size() == size - vouch::kDirectoryRecordHeader);
    VOUCH_FUZZ_CHECK(record->value.size() <= vouch::kDirectoryMaxValue);
    VOUCH_FUZZ_CHECK(record->value.empty() || record->value.data() == data + vouch::kDirectoryRecordHeader);
    VOUCH_FUZZ_CHECK(vouch::encode_directory_record(record->value, record->expiry_ms) ==
                     vouch::Bytes(in.begin(), in.end()));
    // An expiry of 0 never comes; any other has come by the end of time.
    VOUCH_FUZZ_CHECK(record->expired_at(INT64_MAX) == (record->expiry_ms != 0));
  } else {
    VOUCH_FUZZ_CHECK(size < vouch::kDirectoryRecordHeader || std::memcmp(data, "VST1", 4) != 0);
  }

  if (size >= 8) {
    uint64_t expiry = 0;
    for (size_t i = 0; i < 8; ++i) expiry = (expiry << 8) | data[i];
    const vouch::ByteView value = in.subspan(8);
    const vouch::Bytes file = vouch::encode_directory_record(value, expiry);
    VOUCH_FUZZ_CHECK(file.size() == vouch::kDirectoryRecordHeader + value.size());
    auto back = vouch::decode_directory_record(file);
    VOUCH_FUZZ_CHECK(back.has_value());
    VOUCH_FUZZ_CHECK(back->expiry_ms == expiry);
    VOUCH_FUZZ_CHECK(std::equal(back->value.begin(), back->value.end(), value.begin(), value.end()));
  }
  return 0;
}
