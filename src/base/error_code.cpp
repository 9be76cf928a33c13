// vouch errors as std::error_code (vouch/error_code.h).
#include "vouch/error_code.h"

#include <string>

namespace vouch {
namespace {

constexpr int kLocalAlert = 0x100;
constexpr int kPeerAlert = 0x200;

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "vouch"; }
  std::string message(int value) const override {
    if (value == static_cast<int>(errc::stream_truncated))
      return "stream truncated: the connection ended without close_notify";
    const Alert a = static_cast<Alert>(value & 0xff);
    if ((value & ~0xff) == kPeerAlert) return std::string("peer sent alert ") + alert_name(a);
    if ((value & ~0xff) == kLocalAlert) return std::string("TLS error, alert sent: ") + alert_name(a);
    return "unknown vouch error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

std::error_code make_error_code(const Error& e) noexcept {
  const int value = (e.from_peer ? kPeerAlert : kLocalAlert) | static_cast<int>(static_cast<uint8_t>(e.alert));
  return {value, error_category()};
}

std::optional<Alert> alert_of(const std::error_code& ec) noexcept {
  if (ec.category() != error_category()) return std::nullopt;
  const int kind = ec.value() & ~0xff;
  if (kind != kLocalAlert && kind != kPeerAlert) return std::nullopt;
  return static_cast<Alert>(ec.value() & 0xff);
}

bool sent_by_peer(const std::error_code& ec) noexcept {
  return ec.category() == error_category() && (ec.value() & ~0xff) == kPeerAlert;
}

}  // namespace vouch
