// The Stapler's cache directory: one verified OCSP response per certificate,
// so that a restarted server staples from its first handshake even while
// the responder is down. This layer only stores and reads bytes; whoever
// reads a response back verifies it again (a file can be stale, damaged or
// planted).
//
// Crash safety: a response is written to a temporary file in the same
// directory, flushed with fsync, renamed over the final name (rename(2) is
// atomic within a file system) and the directory is fsync'ed so the rename
// itself survives a power loss. A reader therefore sees the old complete
// file or the new complete file, never a mix; a writer killed mid-way leaves
// only a temporary file, which the next load removes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// The cache name of a certificate: lower-case hex SHA-256 of its DER
/// encoding. Errors: internal_error when hashing fails.
Result<std::string> staple_cache_name(ByteView cert_der);

class StapleCache {
 public:
  /// An empty `dir` disables the cache (reads find nothing, writes succeed
  /// without doing anything).
  explicit StapleCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  bool enabled() const { return !dir_.empty(); }
  const std::filesystem::path& dir() const { return dir_; }
  /// "<dir>/<name>.der", where the response for `name` lives.
  std::filesystem::path file_for(const std::string& name) const;

  /// Reads the stored response for `name`; nullopt when there is none.
  /// First removes the temporary files a killed writer left for this name
  /// ("<name>.tmp.<pid>.<random>" whose pid no longer runs). Errors
  /// (internal_error, reason says why): unreadable, empty, or longer than
  /// kMaxOcspResponseBytes (refused before reading it).
  Result<std::optional<Bytes>> read(const std::string& name) const;

  /// Stores `der` as the response for `name` atomically (see above),
  /// creating the directory if needed. Errors: internal_error with the
  /// failing step and errno's text; the previous file is then untouched.
  Status write(const std::string& name, ByteView der) const;

  /// Removes the stored response for `name` (none is fine). Errors:
  /// internal_error when it exists and cannot be removed.
  Status remove(const std::string& name) const;

  /// Removes "<name>.tmp.<pid>.<random>" files whose writer is gone (no
  /// process with that pid, or a name that does not parse). Temporary files
  /// of running processes — possibly this one — are left alone. Returns how
  /// many were removed.
  size_t remove_stale_temps(const std::string& name) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace vouch
