// SSL_CTX_ctrl / SSL_ctrl: the controls behind libssl's macros
// (SSL_CTX_set_mode, SSL_CTX_set_min_proto_version,
// SSL_CTX_add_extra_chain_cert, SSL_CTX_set1_groups_list,
// SSL_set_tlsext_host_name). Same command numbers as libssl, so the macros
// of either header reach the same code.
#include <cstdio>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "errors.h"
#include "objects.h"
#include "servername.h"
#include "status.h"

using vouch::compat::raise;
using vouch::compat::Reason;
using vouch::compat::Settings;

namespace {

namespace ossl = vouch::ossl;
using vouch::compat::CertSet;
using vouch::compat::CertSlot;

// A command vouch does not know: libssl answers 0 (its ssl3_ctrl default,
// no error queued); vouch says so once per command on stderr, so that a
// program relying on one shows up in its log rather than misbehaving
// silently, and queues its own reason for the caller who looks.
long unknown_command(const char* function, int cmd) {
  static std::mutex mu;
  static std::set<std::pair<std::string, int>> told;
  {
    std::lock_guard lock(mu);
    if (told.emplace(function, cmd).second) {
      std::fprintf(stderr, "vouch-ssl: %s: command %d is not supported; answering 0 as libssl does\n",
                   function, cmd);
    }
  }
  raise(Reason::unsupported_control, std::string(function) + " command " + std::to_string(cmd));
  return 0;
}

// A stack of new references to `certs` (for the getters that hand out a
// stack the object keeps owning).
ossl::X509Stack stack_of(const std::vector<ossl::X509Ptr>& certs) {
  ossl::X509Stack out(sk_X509_new_null());
  if (!out) return out;
  for (const auto& c : certs) {
    ossl::X509Ptr ref = ossl::up_ref(c.get());
    if (sk_X509_push(out.get(), ref.get()) <= 0) return {};
    (void)ref.release();
  }
  return out;
}

// SSL_CTX_set0_chain / set1_chain (SSL_CTRL_CHAIN) and add0 / add1_chain_cert
// (SSL_CTRL_CHAIN_CERT) on the current certificate: larg 0 takes over the
// caller's references (and, for a stack, the stack), 1 takes new ones.
long chain_ctrl(CertSet& set, int cmd, long larg, void* parg) {
  // Before any certificate libssl's current slot is its first (RSA) one:
  // the chain goes there.
  CertSlot* slot = set.current_slot() ? set.current_slot() : &set.slots[0];
  if (cmd == SSL_CTRL_CHAIN_CERT) {
    auto* x = static_cast<X509*>(parg);
    if (x == nullptr) {
      raise(Reason::null_argument, "SSL_CTX_add0_chain_cert");
      return 0;
    }
    slot->chain.push_back(larg != 0 ? ossl::up_ref(x) : ossl::X509Ptr(x));
    return 1;
  }
  auto* chain = static_cast<STACK_OF(X509)*>(parg);
  std::vector<ossl::X509Ptr> certs;
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    X509* x = sk_X509_value(chain, i);
    certs.push_back(larg != 0 ? ossl::up_ref(x) : ossl::X509Ptr(x));
  }
  if (larg == 0 && chain != nullptr) sk_X509_free(chain);  // its references are the slot's now
  slot->chain = std::move(certs);
  return 1;
}

// SSL_CTX_select_current_cert: the slot holding `x` (the very object)
// becomes the current one.
long select_current(CertSet& set, const X509* x) {
  for (size_t i = 0; x != nullptr && i < CertSet::kSlots; ++i) {
    if (set.slots[i].cert.get() == x) {
      set.current = static_cast<int>(i);
      return 1;
    }
  }
  return 0;
}

// libssl's NID for a group (what SSL_get_negotiated_group answers).
long nid_of(vouch::NamedGroup g) {
  switch (g) {
    case vouch::NamedGroup::secp256r1: return NID_X9_62_prime256v1;
    case vouch::NamedGroup::secp384r1: return NID_secp384r1;
    case vouch::NamedGroup::secp521r1: return NID_secp521r1;
    case vouch::NamedGroup::x25519: return NID_X25519;
    case vouch::NamedGroup::x448: return NID_X448;
  }
  return 0;
}

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
    case SSL_CTRL_CHAIN:
    case SSL_CTRL_CHAIN_CERT: return chain_ctrl(s.certs, cmd, larg, parg);
    case SSL_CTRL_SELECT_CURRENT_CERT: return select_current(s.certs, static_cast<const X509*>(parg));
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
    case SSL_CTRL_GET_EXTRA_CHAIN_CERTS: {
      // libssl: the extra certificates; with larg 0 and none, the current
      // certificate's chain instead (nginx finds the issuer for stapling
      // this way). The stack stays the context's.
      if (parg == nullptr) return 0;
      const CertSlot* slot = ctx->settings.certs.current_slot();
      const bool own = !ctx->extra_certs.empty() || larg != 0 || slot == nullptr;
      ctx->chain_view = stack_of(own ? ctx->extra_certs : slot->chain);
      *static_cast<STACK_OF(X509)**>(parg) = ctx->chain_view.get();
      return 1;
    }
    case SSL_CTRL_CLEAR_EXTRA_CHAIN_CERTS:
      ctx->extra_certs.clear();
      return 1;
    case SSL_CTRL_SET_MSG_CALLBACK_ARG:
      ctx->msg_callback_arg = parg;
      return 1;
    case SSL_CTRL_GET_READ_AHEAD: return ctx->read_ahead;
    case SSL_CTRL_SET_READ_AHEAD: {
      // vouch reads one record at a time whatever this says (records.h):
      // the flag is kept for the getter only.
      const long previous = ctx->read_ahead;
      ctx->read_ahead = static_cast<int>(larg);
      return previous;
    }
    case SSL_CTRL_SET_TMP_DH:
      // Finite-field DHE is not implemented (RFC 7919 groups included):
      // refused as libssl refuses a bad parameter set, so that nginx's
      // ssl_dhparam says so at startup instead of never using it.
      raise(Reason::not_supported_yet, "SSL_CTX_set_tmp_dh: vouch has no finite-field DHE suites");
      return 0;
    default: return unknown_command("SSL_CTX_ctrl", cmd);
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
    case SSL_CTRL_GET_NEGOTIATED_GROUP: {
      // The (EC)DHE group of the current session as libssl's NID (nginx's
      // $ssl_curve); 0 (NID_undef) before a handshake or without one.
      const vouch::Connection* c = s->session();
      return c == nullptr ? 0 : nid_of(c->info().group);
    }
    case SSL_CTRL_GET_GROUPS:
    case SSL_CTRL_GET_RAW_CIPHERLIST:
      // A server's view of the client's groups and cipher list (nginx's
      // $ssl_curves, $ssl_ciphers): the native API does not report them,
      // so these answer 0 — what libssl answers when it knows none (nginx
      // then leaves the variable empty).
      return 0;
    default: return unknown_command("SSL_ctrl", cmd);
  }
}

long SSL_CTX_callback_ctrl(SSL_CTX* ctx, int cmd, void (*fp)(void)) {
  if (ctx == nullptr) return 0;
  if (auto r = vouch::compat::status_callback_ctrl(ctx, cmd, fp)) return *r;
  if (auto r = vouch::compat::servername_callback_ctrl(ctx, cmd, fp)) return *r;
  // Among them SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB (nginx's
  // ssl_session_ticket_key): vouch seals tickets with its own keys
  // (SSL_CTX's ticket_keys); nginx then warns that session tickets are
  // not available and goes on with vouch's keys.
  return unknown_command("SSL_CTX_callback_ctrl", cmd);
}

}  // extern "C"
