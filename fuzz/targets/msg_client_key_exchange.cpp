// libFuzzer target: the TLS 1.2 ECDHE ClientKeyExchange (RFC 8422 §5.7) parser, with
// the parse → write → parse round trip. Input: the message body.
#include "fuzz_util.h"
#include "msg/messages12.h"

VOUCH_FUZZ_MESSAGE_TARGET(::vouch::ClientKeyExchange)
