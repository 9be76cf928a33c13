// A bounds-checked, non-owning cursor over bytes (the CBS idea).
//
// Every read checks that enough bytes remain; a failed read leaves the cursor
// where it was and returns false. Callers turn `false` into decode_error
// (RFC 8446 §6.2: "a message could not be decoded because some field was out
// of the specified range or the length of the message was incorrect").
#pragma once

#include <cstddef>
#include <cstdint>

#include "vouch/types.h"

namespace vouch {

class Reader {
 public:
  Reader() = default;
  explicit Reader(ByteView data) : data_(data) {}

  [[nodiscard]] bool u8(uint8_t& out);
  [[nodiscard]] bool u16(uint16_t& out);
  [[nodiscard]] bool u24(uint32_t& out);
  [[nodiscard]] bool u32(uint32_t& out);
  /// Exactly n bytes, as a view into the underlying buffer.
  [[nodiscard]] bool bytes(size_t n, ByteView& out);
  /// Exactly n bytes, copied.
  [[nodiscard]] bool copy(size_t n, Bytes& out);
  /// A vector with a 1/2/3-byte length prefix, as a view.
  [[nodiscard]] bool prefixed8(ByteView& out);
  [[nodiscard]] bool prefixed16(ByteView& out);
  [[nodiscard]] bool prefixed24(ByteView& out);
  /// The same, as a child Reader over the body.
  [[nodiscard]] bool prefixed8(Reader& out);
  [[nodiscard]] bool prefixed16(Reader& out);
  [[nodiscard]] bool prefixed24(Reader& out);
  /// Length-prefixed vector copied out (for fields a struct owns).
  [[nodiscard]] bool copy_prefixed8(Bytes& out);
  [[nodiscard]] bool copy_prefixed16(Bytes& out);
  [[nodiscard]] bool copy_prefixed24(Bytes& out);
  [[nodiscard]] bool skip(size_t n);

  bool empty() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  /// Bytes consumed so far.
  size_t offset() const { return pos_; }
  ByteView rest() const { return data_.subspan(pos_); }

 private:
  [[nodiscard]] bool prefixed(size_t len_bytes, ByteView& out);
  ByteView data_;
  size_t pos_ = 0;
};

}  // namespace vouch
