// TLS_method and friends. A method only fixes the role an SSL starts in;
// versions are chosen with SSL_CTX_set_min/max_proto_version.
#include "objects.h"

namespace {

constexpr ssl_method_st kEither{ssl_method_st::Role::either};
constexpr ssl_method_st kClient{ssl_method_st::Role::client};
constexpr ssl_method_st kServer{ssl_method_st::Role::server};

}  // namespace

extern "C" {

const SSL_METHOD* TLS_method(void) { return &kEither; }
const SSL_METHOD* TLS_client_method(void) { return &kClient; }
const SSL_METHOD* TLS_server_method(void) { return &kServer; }

}  // extern "C"
