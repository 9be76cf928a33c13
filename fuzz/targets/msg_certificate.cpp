// libFuzzer target: the TLS 1.3 Certificate (RFC 8446 §4.4.2) parser, with
// the parse → write → parse round trip. Input: the message body.
#include "fuzz_util.h"
#include "msg/messages.h"

VOUCH_FUZZ_MESSAGE_TARGET(::vouch::Certificate)
