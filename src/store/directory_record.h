// The on-disk form of one value of the directory SharedStore
// (directory_store.cpp): one file per key holding
//   "VST1" | expiry (u64 big-endian, milliseconds since the Unix epoch;
//            0 = never expires) | the value (the rest of the file).
// There is no length field: the value is whatever follows the header.
//
// Pure functions, no I/O, so that the format is unit-tested and fuzzed
// (fuzz/targets/directory_store_file.cpp) without a directory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "vouch/types.h"

namespace vouch {

inline constexpr size_t kDirectoryRecordHeader = 4 + 8;
/// The largest value the directory store keeps (16 MiB); a larger file is
/// not one of ours.
inline constexpr size_t kDirectoryMaxValue = size_t{16} << 20;

/// A decoded file: `value` points into the bytes given to decode.
struct DirectoryRecord {
  uint64_t expiry_ms = 0;  // 0: never expires
  ByteView value;

  /// True if the record has expired at `now_ms` (milliseconds since the
  /// Unix epoch). An expiry beyond INT64_MAX counts as already expired:
  /// this store never writes one.
  bool expired_at(int64_t now_ms) const {
    return expiry_ms != 0 && static_cast<int64_t>(expiry_ms) <= now_ms;
  }
};

/// The file's bytes for `value` expiring at `expiry_ms` (0: never). The
/// caller keeps `value` within kDirectoryMaxValue.
Bytes encode_directory_record(ByteView value, uint64_t expiry_ms);

/// Decodes a whole file. nullopt for anything that is not a record: shorter
/// than the header, another magic, or a value over kDirectoryMaxValue
/// (the store then treats the key as absent).
std::optional<DirectoryRecord> decode_directory_record(ByteView file);

}  // namespace vouch
