// The directory store's file format (see directory_record.h).
#include "store/directory_record.h"

#include <cstring>

namespace vouch {
namespace {

constexpr uint8_t kMagic[4] = {'V', 'S', 'T', '1'};

}  // namespace

Bytes encode_directory_record(ByteView value, uint64_t expiry_ms) {
  Bytes out(kDirectoryRecordHeader + value.size());
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  for (size_t i = 0; i < 8; ++i) out[sizeof(kMagic) + i] = static_cast<uint8_t>(expiry_ms >> (56 - 8 * i));
  if (!value.empty()) std::memcpy(out.data() + kDirectoryRecordHeader, value.data(), value.size());
  return out;
}

std::optional<DirectoryRecord> decode_directory_record(ByteView file) {
  if (file.size() < kDirectoryRecordHeader || file.size() - kDirectoryRecordHeader > kDirectoryMaxValue) {
    return std::nullopt;
  }
  if (std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0) return std::nullopt;
  DirectoryRecord r;
  for (size_t i = 0; i < 8; ++i) r.expiry_ms = (r.expiry_ms << 8) | file[sizeof(kMagic) + i];
  r.value = file.subspan(kDirectoryRecordHeader);
  return r;
}

}  // namespace vouch
