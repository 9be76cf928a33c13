// A file descriptor closed on every path out of a scope (RAII), movable so a
// function can return one it opened.
#pragma once

#include <unistd.h>

#include <utility>

namespace vouch {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  explicit operator bool() const { return ok(); }
  /// Closes now (if open), ignoring close(2)'s result.
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  /// Closes now and reports close(2)'s result: a deferred write error can
  /// surface there, so writers of files that matter check it.
  int close_checked() {
    const int r = ::close(fd_);
    fd_ = -1;
    return r;
  }

 private:
  int fd_ = -1;
};

}  // namespace vouch
