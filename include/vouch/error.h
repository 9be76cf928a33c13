// vouch — errors as values.
//
// Every fallible operation inside vouch returns a Result<T> (or Status, which
// is Result<void>). An Error carries the TLS alert that the failure maps to
// (the alert is chosen where the error is detected, as RFC 8446 §6.2 asks)
// and a human-readable reason for logs and diagnostics, and says what kind of
// failure it is (ErrorKind): a TLS alert sent or received, or a local failure
// (a file, a socket, the configuration, data handed to a call) that no peer
// was told about. No exceptions are used for protocol errors.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "vouch/alert.h"
#include "vouch/export.h"

namespace vouch {

/// What an Error is. A connection that fails sends `alert` for every kind
/// but alert_received; for the local kinds that alert is internal_error, and
/// what matters to the application is the kind and the reason.
enum class ErrorKind : uint8_t {
  /// A TLS protocol failure found here (bad input from the peer, a
  /// negotiation that cannot succeed, a certificate that does not verify):
  /// `alert` is the alert that describes it, sent to the peer when it ends
  /// a connection (RFC 8446 §6.2).
  protocol,
  /// The peer sent the fatal alert `alert` (RFC 8446 §6).
  alert_received,
  /// Local input/output: a file that cannot be opened, read or written, a
  /// socket that cannot connect or that timed out, an OCSP responder that
  /// cannot be reached.
  io,
  /// A configuration or argument the call cannot work with: an empty
  /// setting that is required, settings that contradict each other, a
  /// handle used in the wrong state.
  config,
  /// Local data that is not what it should be: a file that holds no
  /// certificate or no private key, a key that does not match its
  /// certificate, a wrong passphrase, a corrupted session or ticket-key
  /// blob, a malformed OCSP response handed to a verification call.
  invalid_data,
  /// Something that should not fail did (libcrypto out of memory, an
  /// impossible state): alert internal_error.
  internal,
};

/// "protocol", "alert received", "I/O error", "configuration error",
/// "invalid data", "internal error". Never null.
VOUCH_EXPORT const char* to_string(ErrorKind kind) noexcept;

/// A failure: its kind, the alert it maps to (sent, or received) and a reason.
struct VOUCH_EXPORT Error {
  Alert alert = Alert::internal_error;
  std::string reason;
  /// True when the alert was received from the peer rather than raised here;
  /// always equal to `kind == ErrorKind::alert_received`.
  bool from_peer = false;
  ErrorKind kind = ErrorKind::internal;

  /// True for io, config and invalid_data: a local failure, not a TLS alert.
  bool local() const noexcept {
    return kind == ErrorKind::io || kind == ErrorKind::config || kind == ErrorKind::invalid_data;
  }

  /// For logs and CLIs: "decode_error: ClientHello: truncated cipher_suites"
  /// (protocol, internal), "peer sent alert unknown_ca: ..." (received),
  /// "I/O error: cannot open key.pem: No such file or directory" (local
  /// kinds: to_string(kind), then the reason; no alert named).
  std::string to_string() const;
};

/// Builds an Error; the usual way to fail: `return fail(Alert::decode_error, "...")`.
/// The kind is protocol, or internal for Alert::internal_error.
///
/// Marked cold (and kept out of line): every path that builds an Error is
/// then laid out away from the code around it, so the hot paths of a
/// handshake stay dense in the instruction cache and the branches to a
/// failure are predicted not taken.
[[gnu::cold, gnu::noinline]] inline Error fail(Alert alert, std::string reason) {
  return Error{alert, std::move(reason), false,
               alert == Alert::internal_error ? ErrorKind::internal : ErrorKind::protocol};
}

/// A local failure of `kind` (io, config or invalid_data); its alert, should
/// it end a connection, is internal_error.
[[gnu::cold, gnu::noinline]] inline Error local_error(ErrorKind kind, std::string reason) {
  return Error{Alert::internal_error, std::move(reason), false, kind};
}
inline Error io_error(std::string reason) { return local_error(ErrorKind::io, std::move(reason)); }
inline Error config_error(std::string reason) {
  return local_error(ErrorKind::config, std::move(reason));
}
inline Error data_error(std::string reason) {
  return local_error(ErrorKind::invalid_data, std::move(reason));
}

/// A value or an Error. [[nodiscard]] so a failure is never silently dropped.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(implicit)
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// Precondition: ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// Precondition: !ok().
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

/// Success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}  // NOLINT(implicit)

  bool ok() const noexcept { return !e_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const& { return *e_; }
  Error&& error() && { return std::move(*e_); }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;

}  // namespace vouch

// Propagate a failed Status/Result from the enclosing function.
#define VOUCH_TRY(expr)                                  \
  do {                                                   \
    auto&& vouch_try_r_ = (expr);                        \
    if (!vouch_try_r_.ok()) return std::move(vouch_try_r_).error(); \
  } while (0)

#define VOUCH_CONCAT_INNER_(a, b) a##b
#define VOUCH_CONCAT_(a, b) VOUCH_CONCAT_INNER_(a, b)
// `VOUCH_ASSIGN(auto x, f());` — declares/assigns the value or returns the error.
#define VOUCH_ASSIGN(lhs, expr) VOUCH_ASSIGN_IMPL_(VOUCH_CONCAT_(vouch_r_, __LINE__), lhs, expr)
#define VOUCH_ASSIGN_IMPL_(tmp, lhs, expr)               \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return std::move(tmp).error();          \
  lhs = std::move(tmp).value()
