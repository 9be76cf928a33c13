// libFuzzer target: the TLS 1.2 Certificate (RFC 5246 §7.4.2, §7.4.6) parser, with
// the parse → write → parse round trip. Input: the message body.
#include "fuzz_util.h"
#include "msg/messages12.h"

VOUCH_FUZZ_MESSAGE_TARGET(::vouch::Certificate12)
