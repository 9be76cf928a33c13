// Small helpers for the parser targets: a check that crashes (so libFuzzer
// reports it with the input), and the parse → write → parse round trip every
// message parser must survive.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "base/reader.h"
#include "base/writer.h"
#include "vouch/error.h"
#include "vouch/types.h"

/// A property every accepted input must have; a failure aborts, and
/// libFuzzer saves the input.
#define VOUCH_FUZZ_CHECK(cond)                                                               \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);   \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace vouch::fuzz {

/// Parses `body`; when it is accepted, writing the result must give bytes
/// that parse again, and writing that must give the same bytes (what a
/// parser accepts, its writer can say, and nothing is lost or invented on
/// the way). `parse(ByteView, M&) -> Status`, `write(Writer&, const M&)`.
template <class M, class Parse, class Write>
void check_round_trip(ByteView body, Parse&& parse, Write&& write) {
  M first;
  if (!parse(body, first).ok()) return;
  Bytes once;
  {
    Writer w(once);
    write(w, first);
    VOUCH_FUZZ_CHECK(w.ok());
  }
  M second;
  const Status again = parse(ByteView(once), second);
  if (!again.ok()) std::fprintf(stderr, "re-parse: %s\n", again.error().to_string().c_str());
  VOUCH_FUZZ_CHECK(again.ok());
  Bytes twice;
  {
    Writer w(twice);
    write(w, second);
  }
  VOUCH_FUZZ_CHECK(once == twice);
}

}  // namespace vouch::fuzz

/// The whole target for a message whose parser is `parse(ByteView, T&)` and
/// writer `write(Writer&, const T&)`: the input is the message body.
#define VOUCH_FUZZ_MESSAGE_TARGET(T)                                                      \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {               \
    ::vouch::fuzz::check_round_trip<T>(                                                   \
        ::vouch::ByteView(data, size),                                                    \
        [](::vouch::ByteView b, T& m) { return ::vouch::parse(b, m); },                   \
        [](::vouch::Writer& w, const T& m) { ::vouch::write(w, m); });                    \
    return 0;                                                                             \
  }
