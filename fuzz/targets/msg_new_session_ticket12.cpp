// libFuzzer target: the TLS 1.2 NewSessionTicket (RFC 5077 §3.3) parser, with
// the parse → write → parse round trip. Input: the message body.
#include "fuzz_util.h"
#include "msg/messages12.h"

VOUCH_FUZZ_MESSAGE_TARGET(::vouch::NewSessionTicket12)
