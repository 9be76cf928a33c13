// libFuzzer target: the command-line tool's session file parser
// (tools/vouch/session_file.h), with the format → parse round trip.
// Input: the file's text.
#include <string_view>

#include "fuzz_util.h"
#include "session_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto first = vouch::cli::parse_session(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!first.ok()) return 0;
  const std::string once = vouch::cli::format_session(first.value());
  auto second = vouch::cli::parse_session(once);
  VOUCH_FUZZ_CHECK(second.ok());
  VOUCH_FUZZ_CHECK(vouch::cli::format_session(second.value()) == once);
  return 0;
}
