// The plaintext SharedTicketKeys seals (shared_ticket_keys.cpp):
//   "vTkS" | u8 version (1) | u64 rotated_at (big-endian, milliseconds since
//   the Unix epoch) | TicketKeys::export_keys() (the rest)
// The exported keys are parsed by TicketKeys::import_keys, not here.
//
// Pure functions, no I/O and no crypto, so that the format is unit-tested
// and fuzzed (fuzz/targets/ticket_keys_blob.cpp) without a wrapping key: a
// random input never passes the AES-GCM tag around it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

inline constexpr size_t kTicketKeysRecordHeader = 4 + 1 + 8;

/// A decoded plaintext: `exported` points into the bytes given to decode
/// (secret: the caller wipes them).
struct TicketKeysRecord {
  int64_t rotated_at_ms = 0;
  ByteView exported;
};

/// Writes the plaintext for `exported` rotated at `rotated_at_ms` into
/// `out` (resized to kTicketKeysRecordHeader + exported.size()); the caller
/// owns and wipes `out`.
void encode_ticket_keys_record(int64_t rotated_at_ms, ByteView exported, Bytes& out);

/// Decodes a plaintext. Errors (ErrorKind::invalid_data): shorter than the
/// header, another magic, a version other than 1. The exported keys are not
/// checked (TicketKeys::import_keys does).
Result<TicketKeysRecord> decode_ticket_keys_record(ByteView plain);

}  // namespace vouch
