// The test hooks of handshake/test_hooks.h, through the library's private
// accessor (handshake/connection_access.h).
#include "handshake/test_hooks.h"

#include <utility>

#include "handshake/connection_access.h"

namespace vouch::test_hooks {

void set_outgoing_message_hook(Connection& conn, MessageHook hook) {
  detail::ConnectionAccess::core(conn).outgoing_hook = std::move(hook);
}

Status send_record(Connection& conn, ContentType type, ByteView content) {
  return detail::ConnectionAccess::core(conn).write_record(type, content);
}

void set_skip_early_data(Connection& conn, bool skip) {
  detail::ConnectionAccess::core(conn).skip_early_data = skip;
}

}  // namespace vouch::test_hooks
