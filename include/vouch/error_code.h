// vouch — errors as std::error_code, for event loops (vouch/asio.h) and
// other code that speaks <system_error>.
//
// The category is named "vouch". Its values:
//
//   errc::stream_truncated (1)   the transport ended without the peer's
//                                close_notify (RFC 8446 §6.1): what was read
//                                may have been cut short by an attacker
//   0x100 | alert (256..511)     a fatal error raised here; the alert was sent
//                                to the peer ("internal_error: ...")
//   0x200 | alert (512..767)     the peer sent this fatal alert
//
// An error_code keeps the alert and who raised it, not the reason text: the
// Connection's error() still has it (vouch/asio.h says where to find it).
#pragma once

#include <optional>
#include <system_error>
#include <type_traits>

#include "vouch/alert.h"
#include "vouch/error.h"
#include "vouch/export.h"

namespace vouch {

/// The values of the "vouch" category that are not alerts.
enum class errc : int {
  /// The transport ended (EOF) before the peer's close_notify.
  stream_truncated = 1,
};

/// The "vouch" error category (one instance per process, in libvouch).
VOUCH_EXPORT const std::error_category& error_category() noexcept;

/// An errc value as an error_code of the "vouch" category.
VOUCH_EXPORT std::error_code make_error_code(errc e) noexcept;

/// A vouch Error as an error_code: 0x200 | alert when from_peer, else
/// 0x100 | alert (the reason is not kept).
VOUCH_EXPORT std::error_code make_error_code(const Error& e) noexcept;

/// The alert an error_code of the "vouch" category carries (sent or
/// received), or nullopt for another category or errc value.
VOUCH_EXPORT std::optional<Alert> alert_of(const std::error_code& ec) noexcept;

/// True when `ec` is a "vouch" error carrying an alert the peer sent.
VOUCH_EXPORT bool sent_by_peer(const std::error_code& ec) noexcept;

}  // namespace vouch

template <>
struct std::is_error_code_enum<vouch::errc> : std::true_type {};
