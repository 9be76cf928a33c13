// libFuzzer target: the ClientHello (RFC 8446 §4.1.2; TLS 1.2's, RFC 5246 §7.4.1.2, has the same form) parser, with
// the parse → write → parse round trip. Input: the message body.
#include "fuzz_util.h"
#include "msg/messages.h"

VOUCH_FUZZ_MESSAGE_TARGET(::vouch::ClientHello)
