// ClientHellos built by hand for tests that feed a server raw handshakes:
// the smallest TLS 1.2 one a vouch server answers, and a framed ClientHello
// with an extension whose body vouch's own writer would never produce.
#pragma once

#include <cstdint>

#include "msg/messages.h"

namespace vouch::testing {

/// A TLS 1.2 ClientHello (no supported_versions) with what a vouch server
/// over the test PKI needs to answer it: an ECDSA suite, the certificate's
/// curve among the groups (RFC 8422 §5.1.1), an ECDSA scheme, uncompressed
/// points, extended_master_secret and renegotiation_info. `random_fill`
/// fills the random.
ClientHello minimal_client_hello12(uint8_t random_fill = 0x22);

enum class ExtensionPosition { first, last };

/// `ch` framed (handshake header included), with one more extension of
/// `type` whose body is `body` as given, first or last in the extensions
/// block; the lengths around it are fixed up.
Bytes with_raw_extension(const ClientHello& ch, uint16_t type, const Bytes& body,
                         ExtensionPosition where = ExtensionPosition::last);

}  // namespace vouch::testing
