// libFuzzer target: the CertificateVerify (RFC 8446 §4.4.3; RFC 5246 §7.4.8) parser, with
// the parse → write → parse round trip. Input: the message body.
#include "fuzz_util.h"
#include "msg/messages.h"

VOUCH_FUZZ_MESSAGE_TARGET(::vouch::CertificateVerify)
