// libFuzzer target: the EncryptedExtensions (RFC 8446 §4.3.1) parser, with
// the parse → write → parse round trip. Input: the message body.
#include "fuzz_util.h"
#include "msg/messages.h"

VOUCH_FUZZ_MESSAGE_TARGET(::vouch::EncryptedExtensions)
