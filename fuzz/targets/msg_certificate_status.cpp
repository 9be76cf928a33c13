// libFuzzer target: the TLS 1.2 CertificateStatus (RFC 6066 §8, RFC 6961 §2.2) parser, with
// the parse → write → parse round trip. Input: the message body.
#include "fuzz_util.h"
#include "msg/messages12.h"

VOUCH_FUZZ_MESSAGE_TARGET(::vouch::CertificateStatus)
