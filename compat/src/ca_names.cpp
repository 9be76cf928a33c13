#include "ca_names.h"

#include <openssl/pem.h>

#include "errors.h"
#include "files.h"

namespace vouch::compat {

std::vector<Bytes> names_to_der(const STACK_OF(X509_NAME) * names) {
  std::vector<Bytes> out;
  for (int i = 0; i < sk_X509_NAME_num(names); ++i) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_NAME(sk_X509_NAME_value(names, i), &der);
    if (len <= 0) continue;
    out.emplace_back(der, der + len);
    OPENSSL_free(der);
  }
  return out;
}

NameStack names_from_der(const std::vector<Bytes>& der) {
  if (der.empty()) return nullptr;
  NameStack names(sk_X509_NAME_new_null());
  if (!names) return nullptr;
  for (const Bytes& d : der) {
    const unsigned char* in = d.data();
    ossl::X509Name name(d2i_X509_NAME(nullptr, &in, static_cast<long>(d.size())));
    if (!name || sk_X509_NAME_push(names.get(), name.get()) <= 0) continue;
    (void)name.release();
  }
  return names;
}

}  // namespace vouch::compat

extern "C" {

void SSL_CTX_set_client_CA_list(SSL_CTX* ctx, STACK_OF(X509_NAME) * name_list) {
  // Takes ownership; the list set before is freed.
  ctx->client_ca_names.reset(name_list);
}

STACK_OF(X509_NAME) * SSL_CTX_get_client_CA_list(const SSL_CTX* ctx) { return ctx->client_ca_names.get(); }

STACK_OF(X509_NAME) * SSL_get_client_CA_list(const SSL* s) {
  // A client reports what the server asked for; a server its own list.
  if (!SSL_is_server(s)) {
    if (!s->peer_ca_decoded && s->peer_ca_listed) {
      s->peer_ca_names = vouch::compat::names_from_der(s->peer_ca_der);
      if (!s->peer_ca_names) s->peer_ca_names.reset(sk_X509_NAME_new_null());
    }
    s->peer_ca_decoded = true;
    return s->peer_ca_names.get();
  }
  return s->ctx.ctx->client_ca_names.get();
}

int SSL_CTX_add_client_CA(SSL_CTX* ctx, X509* x) {
  // libssl appends a copy of the certificate's subject (no duplicate check).
  if (ctx == nullptr || x == nullptr) {
    raise(vouch::compat::Reason::null_argument, "SSL_CTX_add_client_CA");
    return 0;
  }
  if (!ctx->client_ca_names) ctx->client_ca_names.reset(sk_X509_NAME_new_null());
  vouch::ossl::X509Name copy(X509_NAME_dup(X509_get_subject_name(x)));
  if (!ctx->client_ca_names || !copy || sk_X509_NAME_push(ctx->client_ca_names.get(), copy.get()) <= 0) {
    raise(vouch::compat::Reason::internal_error, "SSL_CTX_add_client_CA: out of memory");
    return 0;
  }
  (void)copy.release();
  return 1;
}

STACK_OF(X509_NAME) * SSL_load_client_CA_file(const char* file) {
  // libssl pushes nothing of its own when the file does not open: the
  // errors are the system's and BIO's (open_file opens it as libssl does).
  vouch::ossl::Bio in = vouch::compat::open_file(file);
  if (!in) return nullptr;
  vouch::compat::NameStack names(sk_X509_NAME_new_null());
  if (!names) return nullptr;
  // Each subject once, in the order of the file.
  for (;;) {
    vouch::ossl::X509Ptr x(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
    if (!x) break;
    const X509_NAME* subject = X509_get_subject_name(x.get());
    bool seen = false;
    for (int i = 0; i < sk_X509_NAME_num(names.get()) && !seen; ++i)
      seen = X509_NAME_cmp(sk_X509_NAME_value(names.get(), i), subject) == 0;
    if (seen) continue;
    vouch::ossl::X509Name copy(X509_NAME_dup(subject));
    if (!copy || sk_X509_NAME_push(names.get(), copy.get()) <= 0) return nullptr;
    (void)copy.release();
  }
  // The end of the file is not an error.
  ERR_clear_error();
  return names.release();
}

}  // extern "C"
