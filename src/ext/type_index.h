// Looking an extension type up in a table of rows (the §4.2 "allowed in"
// table, the codecs) in one array read instead of a search: the tables are
// consulted for every extension of every message parsed and for every
// candidate of every message written, dozens of times a handshake.
//
// Every code point vouch knows is below 64 except renegotiation_info
// (0xff01, RFC 5746), so an index of 64 entries, built at compile time,
// covers them; the rare types above it (and unknown ones, GREASE) fall back
// to walking the table.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace vouch {

inline constexpr uint16_t kIndexedExtensionTypes = 64;
using ExtensionTypeIndex = std::array<int8_t, kIndexedExtensionTypes>;

/// The position of each type below 64 in `table` (rows with a `type`
/// member), -1 where it has no row. Tables hold at most 127 rows.
template <typename Row, size_t N>
constexpr ExtensionTypeIndex index_by_type(const Row (&table)[N]) {
  static_assert(N <= 127, "an int8_t index holds at most 127 rows");
  ExtensionTypeIndex index{};
  for (int8_t& i : index) i = -1;
  for (size_t i = 0; i < N; ++i) {
    const auto type = static_cast<uint16_t>(table[i].type);
    if (type < kIndexedExtensionTypes) index[type] = static_cast<int8_t>(i);
  }
  return index;
}

/// The row of `type`, or null.
template <typename Row, size_t N>
constexpr const Row* find_by_type(const Row (&table)[N], const ExtensionTypeIndex& index, uint16_t type) {
  if (type < kIndexedExtensionTypes) {
    const int8_t i = index[type];
    return i < 0 ? nullptr : &table[i];
  }
  for (const Row& row : table) {
    if (static_cast<uint16_t>(row.type) == type) return &row;
  }
  return nullptr;
}

}  // namespace vouch
