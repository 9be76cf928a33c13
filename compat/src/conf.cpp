// SSL_CONF_*: libssl's configuration by name (SSL_CONF_cmd(3)), what
// nginx's ssl_conf_command and openssl.cnf-style settings pass. The
// commands that map to vouch settings are applied through the same calls a
// program would make; every other command — known to libssl or not — is
// refused as libssl refuses one it does not know (-2, "unknown cmd name"),
// so nothing is accepted and then silently ignored.
#include <strings.h>

#include <cstring>
#include <string>
#include <string_view>

#include "errors.h"
#include "objects.h"

using vouch::compat::raise;
using vouch::compat::Reason;

struct ssl_conf_ctx_st {
  unsigned int flags = 0;
  SSL_CTX* ctx = nullptr;
};

namespace {

enum class Kind { protocol_min, protocol_max, protocol_list, options, cipher_string, ciphersuites, groups,
                  certificate, private_key, num_tickets };

struct Command {
  const char* file_name;     // SSL_CONF_FLAG_FILE: matched without regard to case
  const char* cmdline_name;  // SSL_CONF_FLAG_CMDLINE: after the leading '-'
  Kind kind;
  int value_type;
  bool server_only;
};

// libssl's names for these (ssl/ssl_conf.c's table, by their documented
// spellings in SSL_CONF_cmd(3)).
constexpr Command kCommands[] = {
    {"MinProtocol", "min_protocol", Kind::protocol_min, SSL_CONF_TYPE_STRING, false},
    {"MaxProtocol", "max_protocol", Kind::protocol_max, SSL_CONF_TYPE_STRING, false},
    {"Protocol", nullptr, Kind::protocol_list, SSL_CONF_TYPE_STRING, false},
    {"Options", nullptr, Kind::options, SSL_CONF_TYPE_STRING, false},
    {"CipherString", "cipher", Kind::cipher_string, SSL_CONF_TYPE_STRING, false},
    {"Ciphersuites", "ciphersuites", Kind::ciphersuites, SSL_CONF_TYPE_STRING, false},
    {"Groups", "groups", Kind::groups, SSL_CONF_TYPE_STRING, false},
    {"Curves", "curves", Kind::groups, SSL_CONF_TYPE_STRING, false},
    {"Certificate", "cert", Kind::certificate, SSL_CONF_TYPE_FILE, false},
    {"PrivateKey", "key", Kind::private_key, SSL_CONF_TYPE_FILE, false},
    {"NumTickets", "num_tickets", Kind::num_tickets, SSL_CONF_TYPE_STRING, true},
};

const Command* find(const SSL_CONF_CTX* c, const char* cmd) {
  if (cmd == nullptr) return nullptr;
  const bool cmdline = (c->flags & SSL_CONF_FLAG_CMDLINE) != 0;
  const bool file = (c->flags & SSL_CONF_FLAG_FILE) != 0;
  if (cmdline && cmd[0] == '-') ++cmd;
  for (const Command& k : kCommands) {
    if (k.server_only && (c->flags & SSL_CONF_FLAG_SERVER) == 0) continue;
    if ((k.kind == Kind::certificate || k.kind == Kind::private_key) && (c->flags & SSL_CONF_FLAG_CERTIFICATE) == 0)
      continue;
    if (file && strcasecmp(cmd, k.file_name) == 0) return &k;
    if (cmdline && k.cmdline_name != nullptr && std::strcmp(cmd, k.cmdline_name) == 0) return &k;
  }
  return nullptr;
}

// libssl's version names (SSL_CONF_cmd(3), MinProtocol): "None" is 0.
bool version_of(std::string_view name, long& out) {
  struct Name { const char* text; long version; };
  static constexpr Name kNames[] = {{"None", 0}, {"SSLv3", SSL3_VERSION}, {"TLSv1", TLS1_VERSION},
                                    {"TLSv1.1", TLS1_1_VERSION}, {"TLSv1.2", TLS1_2_VERSION},
                                    {"TLSv1.3", TLS1_3_VERSION}};
  for (const Name& n : kNames) {
    if (name.size() == std::strlen(n.text) && strncasecmp(name.data(), n.text, name.size()) == 0) {
      out = n.version;
      return true;
    }
  }
  return false;
}

// Applies each element of a comma / space separated list: "+name" or "name"
// turns on, "-name" off; false when an element is not known.
template <typename Apply>
bool for_each_flag(std::string_view list, Apply apply) {
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ',' || list[i] == ' ' || list[i] == '\t')) ++i;
    size_t j = i;
    while (j < list.size() && list[j] != ',' && list[j] != ' ' && list[j] != '\t') ++j;
    if (j == i) break;
    std::string_view item = list.substr(i, j - i);
    bool on = true;
    if (item[0] == '-' || item[0] == '+') {
      on = item[0] == '+';
      item.remove_prefix(1);
    }
    if (!apply(item, on)) return false;
    i = j;
  }
  return true;
}

bool equals(std::string_view a, const char* b) {
  return a.size() == std::strlen(b) && strncasecmp(a.data(), b, a.size()) == 0;
}

// Protocol: "-ALL,TLSv1.3" etc., through the SSL_OP_NO_* options.
bool apply_protocols(SSL_CTX* ctx, std::string_view list) {
  struct P { const char* name; uint64_t no; };
  static constexpr P kProtocols[] = {{"SSLv3", SSL_OP_NO_SSLv3}, {"TLSv1", SSL_OP_NO_TLSv1},
                                     {"TLSv1.1", SSL_OP_NO_TLSv1_1}, {"TLSv1.2", SSL_OP_NO_TLSv1_2},
                                     {"TLSv1.3", SSL_OP_NO_TLSv1_3}};
  return for_each_flag(list, [&](std::string_view item, bool on) {
    uint64_t bits = 0;
    if (equals(item, "ALL")) {
      for (const P& p : kProtocols) bits |= p.no;
    } else {
      for (const P& p : kProtocols)
        if (equals(item, p.name)) bits = p.no;
    }
    if (bits == 0) return false;
    if (on) SSL_CTX_clear_options(ctx, bits);
    else SSL_CTX_set_options(ctx, bits);
    return true;
  });
}

// Options: the names SSL_CONF_cmd(3) lists whose options vouch honours or
// keeps (inverted ones turn an SSL_OP_NO_* off when named).
bool apply_options(SSL_CTX* ctx, std::string_view list) {
  struct O { const char* name; uint64_t op; bool inverted; };
  static constexpr O kOptions[] = {
      {"SessionTicket", SSL_OP_NO_TICKET, true},
      {"Compression", SSL_OP_NO_COMPRESSION, true},
      {"EmptyFragments", SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS, true},
      {"Bugs", SSL_OP_ALL, false},
      {"ServerPreference", SSL_OP_CIPHER_SERVER_PREFERENCE, false},
      {"PrioritizeChaCha", SSL_OP_PRIORITIZE_CHACHA, false},
      {"NoResumptionOnRenegotiation", SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION, false},
      {"NoRenegotiation", SSL_OP_NO_RENEGOTIATION, false},
      {"UnsafeLegacyRenegotiation", SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION, false},
      {"UnsafeLegacyServerConnect", SSL_OP_LEGACY_SERVER_CONNECT, false},
      {"EncryptThenMac", SSL_OP_NO_ENCRYPT_THEN_MAC, true},
      {"MiddleboxCompat", SSL_OP_ENABLE_MIDDLEBOX_COMPAT, false},
      {"AntiReplay", SSL_OP_NO_ANTI_REPLAY, true},
      {"ExtendedMasterSecret", SSL_OP_NO_EXTENDED_MASTER_SECRET, true},
      {"IgnoreUnexpectedEOF", SSL_OP_IGNORE_UNEXPECTED_EOF, false},
      {"AllowNoDHEKEX", SSL_OP_ALLOW_NO_DHE_KEX, false},
  };
  return for_each_flag(list, [&](std::string_view item, bool on) {
    for (const O& o : kOptions) {
      if (!equals(item, o.name)) continue;
      if (on != o.inverted) SSL_CTX_set_options(ctx, o.op);
      else SSL_CTX_clear_options(ctx, o.op);
      return true;
    }
    return false;
  });
}

bool apply(SSL_CTX* ctx, Kind kind, const char* value) {
  switch (kind) {
    case Kind::protocol_min:
    case Kind::protocol_max: {
      long v = 0;
      if (!version_of(value, v)) return false;
      return (kind == Kind::protocol_min ? SSL_CTX_set_min_proto_version(ctx, v)
                                         : SSL_CTX_set_max_proto_version(ctx, v)) == 1;
    }
    case Kind::protocol_list: return apply_protocols(ctx, value);
    case Kind::options: return apply_options(ctx, value);
    case Kind::cipher_string: return SSL_CTX_set_cipher_list(ctx, value) == 1;
    case Kind::ciphersuites: return SSL_CTX_set_ciphersuites(ctx, value) == 1;
    case Kind::groups: return SSL_CTX_set1_groups_list(ctx, value) == 1;
    case Kind::certificate: return SSL_CTX_use_certificate_chain_file(ctx, value) == 1;
    case Kind::private_key: return SSL_CTX_use_PrivateKey_file(ctx, value, SSL_FILETYPE_PEM) == 1;
    case Kind::num_tickets: {
      char* end = nullptr;
      const long n = std::strtol(value, &end, 10);
      if (end == value || *end != '\0' || n < 0) return false;
      return SSL_CTX_set_num_tickets(ctx, static_cast<size_t>(n)) == 1;
    }
  }
  return false;
}

}  // namespace

extern "C" {

SSL_CONF_CTX* SSL_CONF_CTX_new(void) {
  // No raw new across the C API: a unique_ptr until it is handed out.
  auto c = std::make_unique<ssl_conf_ctx_st>();
  return c.release();
}

void SSL_CONF_CTX_free(SSL_CONF_CTX* cctx) { std::unique_ptr<ssl_conf_ctx_st> owned(cctx); }

unsigned int SSL_CONF_CTX_set_flags(SSL_CONF_CTX* cctx, unsigned int flags) {
  cctx->flags |= flags;
  return cctx->flags;
}

unsigned int SSL_CONF_CTX_clear_flags(SSL_CONF_CTX* cctx, unsigned int flags) {
  cctx->flags &= ~flags;
  return cctx->flags;
}

void SSL_CONF_CTX_set_ssl_ctx(SSL_CONF_CTX* cctx, SSL_CTX* ctx) { cctx->ctx = ctx; }

int SSL_CONF_cmd(SSL_CONF_CTX* cctx, const char* cmd, const char* value) {
  if (cctx == nullptr || cmd == nullptr) {
    raise(Reason::null_argument, "SSL_CONF_cmd");
    return 0;
  }
  const Command* k = find(cctx, cmd);
  if (k == nullptr) {
    if (cctx->flags & SSL_CONF_FLAG_SHOW_ERRORS) raise(Reason::unknown_cmd_name, std::string("cmd=") + cmd);
    return -2;
  }
  if (value == nullptr) return -3;  // every command here takes a value
  if (cctx->ctx == nullptr) return 2;  // libssl: recognised, nothing to apply to
  if (!apply(cctx->ctx, k->kind, value)) {
    if (cctx->flags & SSL_CONF_FLAG_SHOW_ERRORS)
      raise(Reason::bad_value, std::string("cmd=") + cmd + ", value=" + value);
    return 0;
  }
  return 2;
}

int SSL_CONF_cmd_value_type(SSL_CONF_CTX* cctx, const char* cmd) {
  const Command* k = cctx == nullptr ? nullptr : find(cctx, cmd);
  return k == nullptr ? SSL_CONF_TYPE_UNKNOWN : k->value_type;
}

int SSL_CONF_CTX_finish(SSL_CONF_CTX* cctx) {
  // Certificate and PrivateKey are applied as they come (libssl defers the
  // key to here only to match it with a later certificate): nothing left.
  return cctx == nullptr ? 0 : 1;
}

}  // extern "C"
