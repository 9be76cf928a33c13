// The plaintext of the published ticket keys (see ticket_keys_record.h).
#include "store/ticket_keys_record.h"

#include <cstring>

namespace vouch {
namespace {

constexpr uint8_t kMagic[4] = {'v', 'T', 'k', 'S'};
constexpr uint8_t kVersion = 1;

}  // namespace

void encode_ticket_keys_record(int64_t rotated_at_ms, ByteView exported, Bytes& out) {
  out.resize(kTicketKeysRecordHeader + exported.size());
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  out[4] = kVersion;
  const auto at = static_cast<uint64_t>(rotated_at_ms);
  for (size_t i = 0; i < 8; ++i) out[5 + i] = static_cast<uint8_t>(at >> (56 - 8 * i));
  if (!exported.empty()) std::memcpy(out.data() + kTicketKeysRecordHeader, exported.data(), exported.size());
}

Result<TicketKeysRecord> decode_ticket_keys_record(ByteView plain) {
  if (plain.size() < kTicketKeysRecordHeader) {
    return data_error("the published ticket keys are shorter than their header");
  }
  if (std::memcmp(plain.data(), kMagic, sizeof(kMagic)) != 0 || plain[4] != kVersion) {
    return data_error("the published ticket keys have an unknown format");
  }
  uint64_t at = 0;
  for (size_t i = 0; i < 8; ++i) at = (at << 8) | plain[5 + i];
  TicketKeysRecord r;
  r.rotated_at_ms = static_cast<int64_t>(at);
  r.exported = plain.subspan(kTicketKeysRecordHeader);
  return r;
}

}  // namespace vouch
