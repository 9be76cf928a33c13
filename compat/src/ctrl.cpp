// SSL_CTX_ctrl / SSL_ctrl: the controls behind libssl's macros
// (SSL_CTX_set_mode, SSL_CTX_set_min_proto_version,
// SSL_CTX_add_extra_chain_cert, SSL_CTX_set1_groups_list,
// SSL_set_tlsext_host_name). Same command numbers as libssl, so the macros
// of either header reach the same code.
#include <mutex>
#include <optional>
#include <string>

#include "errors.h"
#include "objects.h"
#include "servername.h"
#include "status.h"

using vouch::compat::raise;
using vouch::compat::Reason;
using vouch::compat::Settings;

namespace {

// The controls an SSL_CTX and an SSL share (both hold Settings). nullopt:
// not one of them.
std::optional<long> settings_ctrl(Settings& s, int cmd, long larg, void* parg) {
  switch (cmd) {
    case SSL_CTRL_MODE:
      s.mode |= static_cast<uint32_t>(larg);
      return static_cast<long>(s.mode);
    case SSL_CTRL_CLEAR_MODE:
      s.mode &= ~static_cast<uint32_t>(larg);
      return static_cast<long>(s.mode);
    case SSL_CTRL_SET_MIN_PROTO_VERSION:
    case SSL_CTRL_SET_MAX_PROTO_VERSION:
      if (!vouch::compat::valid_proto_version(larg)) {
        raise(Reason::bad_value, "protocol version " + std::to_string(larg));
        return 0;
      }
      (cmd == SSL_CTRL_SET_MIN_PROTO_VERSION ? s.min_version : s.max_version) =
          static_cast<int>(larg);
      return 1;
    case SSL_CTRL_GET_MIN_PROTO_VERSION: return s.min_version;
    case SSL_CTRL_GET_MAX_PROTO_VERSION: return s.max_version;
    case SSL_CTRL_SET_GROUPS_LIST: {
      const char* list = static_cast<const char*>(parg);
      if (list == nullptr || !vouch::compat::parse_groups(list, s.groups)) {
        raise(Reason::unknown_group, list ? std::string("group list \"") + list + "\"" : "NULL");
        return 0;
      }
      return 1;
    }
    default: return std::nullopt;
  }
}

}  // namespace

extern "C" {

long SSL_CTX_ctrl(SSL_CTX* ctx, int cmd, long larg, void* parg) {
  if (ctx == nullptr) return 0;
  if (auto r = settings_ctrl(ctx->settings, cmd, larg, parg)) return *r;
  if (auto r = vouch::compat::status_ctx_ctrl(ctx, cmd, larg, parg)) return *r;
  if (auto r = vouch::compat::servername_ctx_ctrl(ctx, cmd, larg, parg)) return *r;
  switch (cmd) {
    case SSL_CTRL_SET_SESS_CACHE_MODE: {
      const long previous = ctx->sessions.mode;
      ctx->sessions.mode = larg;
      return previous;
    }
    case SSL_CTRL_GET_SESS_CACHE_MODE: return ctx->sessions.mode;
    case SSL_CTRL_SET_SESS_CACHE_SIZE: {
      const long previous = ctx->sessions.size;
      if (larg >= 0) ctx->sessions.size = larg;
      return previous;
    }
    case SSL_CTRL_GET_SESS_CACHE_SIZE: return ctx->sessions.size;
    case SSL_CTRL_SESS_NUMBER: {
      std::lock_guard lock(ctx->sessions.mu);
      return static_cast<long>(ctx->sessions.by_id.size());
    }
    case SSL_CTRL_SESS_CONNECT: return ctx->sessions.connect.get();
    case SSL_CTRL_SESS_CONNECT_GOOD: return ctx->sessions.connect_good.get();
    case SSL_CTRL_SESS_ACCEPT: return ctx->sessions.accept.get();
    case SSL_CTRL_SESS_ACCEPT_GOOD: return ctx->sessions.accept_good.get();
    case SSL_CTRL_SESS_HIT: return ctx->sessions.hits.get();
    case SSL_CTRL_SESS_CB_HIT: return ctx->sessions.cb_hits.get();
    case SSL_CTRL_SESS_MISSES: return ctx->sessions.misses.get();
    case SSL_CTRL_SESS_TIMEOUTS: return ctx->sessions.timeouts.get();
    case SSL_CTRL_SESS_CACHE_FULL: return ctx->sessions.cache_full.get();
    case SSL_CTRL_EXTRA_CHAIN_CERT:
      // Takes over the caller's reference.
      if (parg == nullptr) {
        raise(Reason::null_argument, "SSL_CTX_add_extra_chain_cert");
        return 0;
      }
      ctx->extra_certs.emplace_back(static_cast<X509*>(parg));
      return 1;
    default:
      raise(Reason::unsupported_control, "SSL_CTX_ctrl command " + std::to_string(cmd));
      return 0;
  }
}

long SSL_ctrl(SSL* s, int cmd, long larg, void* parg) {
  if (s == nullptr) return 0;
  if (auto r = settings_ctrl(s->settings, cmd, larg, parg)) return *r;
  if (auto r = vouch::compat::status_ssl_ctrl(s, cmd, larg, parg)) return *r;
  switch (cmd) {
    case SSL_CTRL_SET_TLSEXT_HOSTNAME: {
      if (larg != TLSEXT_NAMETYPE_host_name) {
        raise(Reason::invalid_servername_type, "server name type " + std::to_string(larg));
        return 0;
      }
      const char* name = static_cast<const char*>(parg);
      if (name == nullptr) {
        s->host_name.clear();
        return 1;
      }
      // RFC 6066 §3: HostName is 1..2^16-1 bytes; libssl also caps it at 255.
      const std::string host(name);
      if (host.empty() || host.size() > 255) {
        raise(Reason::invalid_servername, "server name length " + std::to_string(host.size()));
        return 0;
      }
      s->host_name = host;
      return 1;
    }
    default:
      raise(Reason::unsupported_control, "SSL_ctrl command " + std::to_string(cmd));
      return 0;
  }
}

long SSL_CTX_callback_ctrl(SSL_CTX* ctx, int cmd, void (*fp)(void)) {
  if (ctx == nullptr) return 0;
  if (auto r = vouch::compat::status_callback_ctrl(ctx, cmd, fp)) return *r;
  if (auto r = vouch::compat::servername_callback_ctrl(ctx, cmd, fp)) return *r;
  raise(Reason::unsupported_control, "SSL_CTX_callback_ctrl command " + std::to_string(cmd));
  return 0;
}

}  // extern "C"
