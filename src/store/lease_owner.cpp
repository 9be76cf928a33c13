#include "store/lease_owner.h"

#include <unistd.h>

#include <cstdio>
#include <random>

namespace vouch {

std::string unique_lease_owner() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "%s", "host");
  std::random_device rd;
  char tail[32];
  std::snprintf(tail, sizeof(tail), ":%d:%08x", static_cast<int>(::getpid()), rd());
  return std::string(host) + tail;
}

}  // namespace vouch
