// A name for lease holders (SharedStore::acquire_lease) unique per process:
// two servers on one host, or a restarted one (whose old leases must run
// out, not be renewed by its successor), never share one.
#pragma once

#include <string>

namespace vouch {

/// "hostname:pid:8 random hex digits".
std::string unique_lease_owner();

}  // namespace vouch
