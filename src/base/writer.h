// An appending builder with length-prefixed children (the CBB idea).
//
//   Writer w(out);
//   w.u16(0x0303);
//   w.prefixed16([&] { w.bytes(payload); });   // length patched afterwards
//   if (!w.ok()) ...                           // a child exceeded its prefix
//
// A child longer than its prefix can express does not corrupt the output
// silently: ok() turns false and callers report internal_error.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vouch/types.h"

namespace vouch {

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v);
  void u24(uint32_t v);
  void u32(uint32_t v);
  void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void zeros(size_t n) { out_.insert(out_.end(), n, 0); }

  template <class F>
  void prefixed8(F&& body) { prefixed(1, body); }
  template <class F>
  void prefixed16(F&& body) { prefixed(2, body); }
  template <class F>
  void prefixed24(F&& body) { prefixed(3, body); }

  /// Convenience: a length-prefixed opaque vector.
  void vec8(ByteView v) { prefixed8([&] { bytes(v); }); }
  void vec16(ByteView v) { prefixed16([&] { bytes(v); }); }
  void vec24(ByteView v) { prefixed24([&] { bytes(v); }); }

  /// False if any prefixed child overflowed its length field.
  bool ok() const { return ok_; }
  size_t size() const { return out_.size(); }
  Bytes& buffer() { return out_; }

 private:
  template <class F>
  void prefixed(size_t len_bytes, F& body) {
    const size_t mark = out_.size();
    out_.insert(out_.end(), len_bytes, 0);
    body();
    patch(mark, len_bytes);
  }
  void patch(size_t mark, size_t len_bytes);

  Bytes& out_;
  bool ok_ = true;
};

}  // namespace vouch
