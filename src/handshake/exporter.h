// Keying material exporters: RFC 5705 (TLS 1.2) and RFC 8446 §7.5 (TLS 1.3).
#pragma once

#include <optional>
#include <string_view>

#include "handshake/conn_core.h"

namespace vouch {

/// `length` bytes derived from the connection's secrets for `label` and
/// `context` (see Connection::export_keying_material). Needs a completed
/// handshake; internal_error otherwise or for length 0.
Result<Bytes> export_keying_material(const ConnCore& core, std::string_view label, std::optional<ByteView> context,
                                     size_t length);

}  // namespace vouch
