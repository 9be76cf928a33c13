// Attaching BIOs: SSL_set_fd (a socket BIO), SSL_set_bio (any libcrypto
// BIO: memory, socket, BIO pairs, BIO_meth_new ones) and the getters.
#include "errors.h"
#include "objects.h"

using vouch::compat::raise;
using vouch::compat::Reason;

namespace {

// Each slot owns one reference.
void replace_rbio(SSL* s, BIO* b) {
  BIO_free_all(s->rbio);
  s->rbio = b;
}

void replace_wbio(SSL* s, BIO* b) {
  BIO_free_all(s->wbio);
  s->wbio = b;
}

}  // namespace

extern "C" {

void SSL_set_bio(SSL* s, BIO* rbio, BIO* wbio) {
  // libssl's ownership rules (SSL_set_bio(3)): the caller hands over one
  // reference per slot that changes, except that passing the same BIO for
  // both hands over one reference that fills both.
  if (rbio == s->rbio && wbio == s->wbio) return;  // nothing changes, nothing is taken
  if (rbio != nullptr && rbio == wbio) BIO_up_ref(rbio);  // one reference, two slots
  if (rbio == s->rbio) {
    replace_wbio(s, wbio);  // only the write side changes
    return;
  }
  if (wbio == s->wbio && s->rbio != s->wbio) {
    replace_rbio(s, rbio);  // only the read side changes (historic asymmetry)
    return;
  }
  replace_rbio(s, rbio);
  replace_wbio(s, wbio);
}

// SSL_set0_rbio(3) / SSL_set0_wbio: one slot, taking over the caller's
// reference (the BIO there before is freed, as libssl frees it).
void SSL_set0_rbio(SSL* s, BIO* rbio) { replace_rbio(s, rbio); }

void SSL_set0_wbio(SSL* s, BIO* wbio) { replace_wbio(s, wbio); }

BIO* SSL_get_rbio(const SSL* s) { return s->rbio; }

BIO* SSL_get_wbio(const SSL* s) { return s->wbio; }

int SSL_set_fd(SSL* s, int fd) {
  BIO* bio = BIO_new(BIO_s_socket());
  if (bio == nullptr) {
    raise(Reason::internal_error, "SSL_set_fd: cannot create a socket BIO");
    return 0;
  }
  BIO_set_fd(bio, fd, BIO_NOCLOSE);
  SSL_set_bio(s, bio, bio);
  return 1;
}

int SSL_get_fd(const SSL* s) {
  BIO* b = s->rbio ? BIO_find_type(s->rbio, BIO_TYPE_DESCRIPTOR) : nullptr;
  int fd = -1;
  if (b != nullptr) BIO_get_fd(b, &fd);
  return fd;
}

}  // extern "C"
