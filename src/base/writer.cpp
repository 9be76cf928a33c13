#include "base/writer.h"

namespace vouch {

void Writer::u16(uint16_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void Writer::u24(uint32_t v) {
  if (v > 0xFFFFFF) ok_ = false;
  out_.push_back(static_cast<uint8_t>(v >> 16));
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void Writer::u32(uint32_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 24));
  out_.push_back(static_cast<uint8_t>(v >> 16));
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void Writer::patch(size_t mark, size_t len_bytes) {
  const size_t len = out_.size() - mark - len_bytes;
  if (len >> (8 * len_bytes)) {
    ok_ = false;
    return;
  }
  for (size_t i = 0; i < len_bytes; ++i)
    out_[mark + i] = static_cast<uint8_t>(len >> (8 * (len_bytes - 1 - i)));
}

}  // namespace vouch
