// In-memory client↔server driving for tests: no sockets, deterministic.
#pragma once

#include <memory>
#include <string>

#include "vouch/connection.h"

namespace vouch::testing {

/// Moves bytes between the two connections until both finished their
/// handshakes, one failed, or nothing moves any more. At most `max_rounds`
/// exchanges (bounded, never hangs). Returns true if both completed.
bool pump_handshake(Connection& client, Connection& server, int max_rounds = 32);

/// Delivers everything `from` has queued to `to` (one direction, once).
/// Returns the number of bytes moved; the receive status is stored in *status.
size_t transfer(Connection& from, Connection& to, Status* status = nullptr);

/// Writes data on `from`, delivers it, and reads everything `to` received.
std::string send_and_receive(Connection& from, Connection& to, const std::string& data);

/// A client and a server config over the test PKI's `family` ("ecdsa"/"rsa").
std::shared_ptr<ClientConfig> client_config_for(const std::string& family);
std::shared_ptr<ServerConfig> server_config_for(const std::string& family);

}  // namespace vouch::testing
