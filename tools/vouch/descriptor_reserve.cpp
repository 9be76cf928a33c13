#include "descriptor_reserve.h"

#include <asio/ip/tcp.hpp>

#include <algorithm>
#include <system_error>
#include <vector>

namespace vouch::cli {

void DescriptorReserve::ensure(size_t needed) {
  if (needed <= reserved_) return;
  const size_t target = std::max({needed, reserved_ + std::max<size_t>(256, reserved_ / 2)});
  // Opening a socket registers it with the reactor (one state object from
  // the pool, newly allocated while the free list is empty); closing it
  // returns the object to the free list, where the next accepted
  // connections find it.
  std::vector<::asio::ip::tcp::socket> batch;
  batch.reserve(target - reserved_);
  while (reserved_ + batch.size() < target) {
    ::asio::ip::tcp::socket s(io_);
    std::error_code ec;
    s.open(::asio::ip::tcp::v4(), ec);
    if (ec) break;
    batch.push_back(std::move(s));
  }
  reserved_ += batch.size();
  if (batch.empty()) reserved_ = needed;  // cannot reserve now: do not retry on every accept
}

}  // namespace vouch::cli
