// Opening the files programs name (certificates, keys, CA lists).
#pragma once

#include "internal/compat_seam.h"

namespace vouch::compat {

/// `file` opened for reading as libssl opens it (a file BIO and
/// BIO_read_filename), or null with the same errors left on the queue (the
/// system's "calling fopen", then BIO's "system lib").
ossl::Bio open_file(const char* file);

}  // namespace vouch::compat
