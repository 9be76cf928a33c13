// ALPN (RFC 7301): SSL_CTX_set_alpn_protos(3), SSL_CTX_set_alpn_select_cb,
// SSL_get0_alpn_selected, SSL_select_next_proto. The lists are in the wire
// format (RFC 7301 §3.1): each protocol a length byte then its name.
#include "alpn.h"

#include <cstring>

#include "errors.h"

namespace vouch::compat {
namespace {

// The protocols of a wire-format list; false for a malformed one (an empty
// name, a length running past the end), as libssl refuses it.
bool parse_protocols(const unsigned char* list, unsigned int len, std::vector<std::string>& out) {
  out.clear();
  unsigned int at = 0;
  while (at < len) {
    const unsigned int n = list[at++];
    if (n == 0 || n > len - at) return false;
    out.emplace_back(reinterpret_cast<const char*>(list + at), n);
    at += n;
  }
  return true;
}

// libssl's return convention for set_alpn_protos: 0 on success, 1 on failure.
int set_protocols(std::vector<std::string>& into, const unsigned char* protos, unsigned int len) {
  if (protos == nullptr || len == 0) {
    into.clear();  // offers none
    return 0;
  }
  std::vector<std::string> parsed;
  if (!parse_protocols(protos, len, parsed)) return 1;
  into = std::move(parsed);
  return 0;
}

}  // namespace

std::function<Result<std::optional<std::string>>(const std::vector<std::string>&)> alpn_selector(SSL* s) {
  return [s](const std::vector<std::string>& offered) -> Result<std::optional<std::string>> {
    SSL_CTX* ctx = s->ctx.ctx;
    if (ctx->alpn_select_cb == nullptr) return std::optional<std::string>();
    // The client's list as the callback gets it, in the wire format.
    std::vector<unsigned char> in;
    for (const std::string& p : offered) {
      in.push_back(static_cast<unsigned char>(p.size()));
      in.insert(in.end(), p.begin(), p.end());
    }
    const unsigned char* out = nullptr;
    unsigned char outlen = 0;
    int r;
    {
      CallbackErrors keep;
      r = ctx->alpn_select_cb(s, &out, &outlen, in.data(), static_cast<unsigned int>(in.size()), ctx->alpn_select_arg);
    }
    if (r == SSL_TLSEXT_ERR_OK && out != nullptr)
      return std::optional<std::string>(std::string(reinterpret_cast<const char*>(out), outlen));
    // libssl: NOACK behaves as if there were no callback; any other answer
    // fails the handshake with no_application_protocol.
    if (r == SSL_TLSEXT_ERR_NOACK) return std::optional<std::string>();
    return fail(Alert::no_application_protocol, "the ALPN select callback refused the client's protocols");
  };
}

}  // namespace vouch::compat

extern "C" {

int SSL_CTX_set_alpn_protos(SSL_CTX* ctx, const unsigned char* protos, unsigned int protos_len) {
  return vouch::compat::set_protocols(ctx->settings.alpn, protos, protos_len);
}

int SSL_set_alpn_protos(SSL* ssl, const unsigned char* protos, unsigned int protos_len) {
  return vouch::compat::set_protocols(ssl->settings.alpn, protos, protos_len);
}

void SSL_CTX_set_alpn_select_cb(SSL_CTX* ctx, SSL_CTX_alpn_select_cb_func cb, void* arg) {
  ctx->alpn_select_cb = cb;
  ctx->alpn_select_arg = arg;
}

void SSL_get0_alpn_selected(const SSL* ssl, const unsigned char** data, unsigned int* len) {
  // The current connection's (SSL_clear forgets it, as libssl).
  const std::string* alpn = ssl->conn ? &ssl->conn->info().alpn : nullptr;
  if (alpn == nullptr || alpn->empty()) {
    *data = nullptr;
    *len = 0;
    return;
  }
  *data = reinterpret_cast<const unsigned char*>(alpn->data());
  *len = static_cast<unsigned int>(alpn->size());
}

int SSL_select_next_proto(unsigned char** out, unsigned char* outlen, const unsigned char* server,
                          unsigned int server_len, const unsigned char* client, unsigned int client_len) {
  // The first protocol of the server's list (its preference) that the
  // client's list has; without one, the client's first protocol, as a
  // fallback for the caller to accept or not (OPENSSL_NPN_NO_OVERLAP). A
  // client list that does not start with a well-formed protocol gives
  // nothing; malformed entries further on, and in the server's list, are
  // skipped over or end the search.
  if (client == nullptr || client_len == 0 || client[0] == 0 || client[0] > client_len - 1) {
    *out = nullptr;
    *outlen = 0;
    return OPENSSL_NPN_NO_OVERLAP;
  }
  *out = const_cast<unsigned char*>(client + 1);
  *outlen = client[0];
  for (unsigned int i = 0; server != nullptr && i < server_len;) {
    const unsigned int n = server[i];
    if (n > server_len - i - 1) break;
    const unsigned char* name = server + i + 1;
    i += 1 + n;
    if (n == 0) continue;
    for (unsigned int j = 0; j < client_len;) {
      const unsigned int m = client[j];
      if (m > client_len - j - 1) break;
      if (m == n && std::memcmp(client + j + 1, name, n) == 0) {
        *out = const_cast<unsigned char*>(name);
        *outlen = static_cast<unsigned char>(n);
        return OPENSSL_NPN_NEGOTIATED;
      }
      j += 1 + m;
    }
  }
  return OPENSSL_NPN_NO_OVERLAP;
}

}  // extern "C"
