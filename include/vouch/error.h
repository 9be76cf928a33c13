// vouch — errors as values.
//
// Every fallible operation inside vouch returns a Result<T> (or Status, which
// is Result<void>). An Error carries the TLS alert that the failure maps to
// (the alert is chosen where the error is detected, as RFC 8446 §6.2 asks)
// and a human-readable reason for logs and diagnostics. No exceptions are used
// for protocol errors.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "vouch/alert.h"
#include "vouch/export.h"

namespace vouch {

/// A failure: the alert to send (or that was received) and a reason.
struct VOUCH_EXPORT Error {
  Alert alert = Alert::internal_error;
  std::string reason;
  /// True when the alert was received from the peer rather than raised here.
  bool from_peer = false;

  /// "decode_error: ClientHello: truncated cipher_suites" — for logs and CLIs.
  std::string to_string() const;
};

/// Builds an Error; the usual way to fail: `return fail(Alert::decode_error, "...")`.
inline Error fail(Alert alert, std::string reason) {
  return Error{alert, std::move(reason), false};
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
