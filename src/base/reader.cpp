#include "base/reader.h"

namespace vouch {

bool Reader::u8(uint8_t& out) {
  if (remaining() < 1) return false;
  out = data_[pos_++];
  return true;
}

bool Reader::u16(uint16_t& out) {
  if (remaining() < 2) return false;
  out = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
  pos_ += 2;
  return true;
}

bool Reader::u24(uint32_t& out) {
  if (remaining() < 3) return false;
  out = (uint32_t{data_[pos_]} << 16) | (uint32_t{data_[pos_ + 1]} << 8) | data_[pos_ + 2];
  pos_ += 3;
  return true;
}

bool Reader::u32(uint32_t& out) {
  if (remaining() < 4) return false;
  out = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
        (uint32_t{data_[pos_ + 2]} << 8) | data_[pos_ + 3];
  pos_ += 4;
  return true;
}

bool Reader::bytes(size_t n, ByteView& out) {
  if (remaining() < n) return false;
  out = data_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::copy(size_t n, Bytes& out) {
  ByteView v;
  if (!bytes(n, v)) return false;
  out.assign(v.begin(), v.end());
  return true;
}

bool Reader::skip(size_t n) {
  ByteView v;
  return bytes(n, v);
}

bool Reader::prefixed(size_t len_bytes, ByteView& out) {
  const size_t saved = pos_;
  size_t len = 0;
  for (size_t i = 0; i < len_bytes; ++i) {
    uint8_t b;
    if (!u8(b)) {
      pos_ = saved;
      return false;
    }
    len = (len << 8) | b;
  }
  if (!bytes(len, out)) {
    pos_ = saved;
    return false;
  }
  return true;
}

bool Reader::prefixed8(ByteView& out) { return prefixed(1, out); }
bool Reader::prefixed16(ByteView& out) { return prefixed(2, out); }
bool Reader::prefixed24(ByteView& out) { return prefixed(3, out); }

bool Reader::prefixed8(Reader& out) {
  ByteView v;
  if (!prefixed(1, v)) return false;
  out = Reader(v);
  return true;
}
bool Reader::prefixed16(Reader& out) {
  ByteView v;
  if (!prefixed(2, v)) return false;
  out = Reader(v);
  return true;
}
bool Reader::prefixed24(Reader& out) {
  ByteView v;
  if (!prefixed(3, v)) return false;
  out = Reader(v);
  return true;
}

bool Reader::copy_prefixed8(Bytes& out) {
  ByteView v;
  if (!prefixed(1, v)) return false;
  out.assign(v.begin(), v.end());
  return true;
}
bool Reader::copy_prefixed16(Bytes& out) {
  ByteView v;
  if (!prefixed(2, v)) return false;
  out.assign(v.begin(), v.end());
  return true;
}
bool Reader::copy_prefixed24(Bytes& out) {
  ByteView v;
  if (!prefixed(3, v)) return false;
  out.assign(v.begin(), v.end());
  return true;
}

}  // namespace vouch
