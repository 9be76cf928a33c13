// The BoGo shim's flag parser: what the runner passes must land in the right
// connection's config, and anything unknown must be reported as such (the
// shim then exits 89, "unimplemented").
#include "flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vouch_bogo {
namespace {

struct Argv {
  explicit Argv(std::vector<std::string> a) : args(std::move(a)) {
    ptrs.push_back(const_cast<char*>("shim"));
    for (auto& s : args) ptrs.push_back(s.data());
  }
  int argc() const { return static_cast<int>(ptrs.size()); }
  char** argv() { return ptrs.data(); }
  std::vector<std::string> args;
  std::vector<char*> ptrs;
};

TEST(BogoFlags, ValuesAndPrefixes) {
  Argv a({"-port", "4433", "-shim-id", "18446744073709551615", "-server", "-resume-count", "1",
          "-cert-file", "/tmp/c.pem", "-on-resume-verify-fail", "-expect-peer-verify-pref", "2052",
          "-expect-peer-verify-pref", "1027", "-ocsp-response", "AQIDBA==", "-on-initial-expect-session-miss"});
  TestConfigs c;
  std::string error;
  bool unimplemented = true;
  ASSERT_TRUE(parse_flags(a.argc(), a.argv(), c, error, unimplemented)) << error;
  EXPECT_FALSE(unimplemented);
  for (const TestConfig* t : {&c.initial, &c.resume, &c.retry}) {
    EXPECT_EQ(t->port, 4433);
    EXPECT_EQ(t->shim_id, 18446744073709551615ULL);
    EXPECT_TRUE(t->is_server);
    EXPECT_EQ(t->resume_count, 1);
    EXPECT_EQ(t->cert_file, "/tmp/c.pem");
    EXPECT_EQ(t->expect_peer_verify_prefs, (std::vector<int>{2052, 1027}));
    EXPECT_EQ(t->ocsp_response, (vouch::Bytes{1, 2, 3, 4}));
  }
  EXPECT_FALSE(c.initial.verify_fail);
  EXPECT_TRUE(c.resume.verify_fail);
  EXPECT_FALSE(c.retry.verify_fail);
  EXPECT_TRUE(c.initial.expect_session_miss);
  EXPECT_FALSE(c.resume.expect_session_miss);
}

TEST(BogoFlags, UnknownFlagIsUnimplemented) {
  Argv a({"-port", "1", "-enable-early-data"});
  TestConfigs c;
  std::string error;
  bool unimplemented = false;
  EXPECT_FALSE(parse_flags(a.argc(), a.argv(), c, error, unimplemented));
  EXPECT_TRUE(unimplemented);
  EXPECT_NE(error.find("-enable-early-data"), std::string::npos);
}

TEST(BogoFlags, BadValuesAreErrors) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-port"}, {"-port", "12x"}, {"-ocsp-response", "AQI"}, {"-ocsp-response", "A*ID"},
        {"-expect-ocsp-response", "A=BC"}, {"-shim-id", "-1x"}}) {
    Argv a(args);
    TestConfigs c;
    std::string error;
    bool unimplemented = true;
    EXPECT_FALSE(parse_flags(a.argc(), a.argv(), c, error, unimplemented)) << args[0];
    EXPECT_FALSE(unimplemented) << args[0];
  }
}

TEST(BogoFlags, Base64) {
  vouch::Bytes out;
  EXPECT_TRUE(decode_base64("", out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(decode_base64("AQIDBA==", out));
  EXPECT_EQ(out, (vouch::Bytes{1, 2, 3, 4}));
  EXPECT_TRUE(decode_base64("AQID", out));
  EXPECT_EQ(out, (vouch::Bytes{1, 2, 3}));
  EXPECT_TRUE(decode_base64("/+8=", out));
  EXPECT_EQ(out, (vouch::Bytes{0xff, 0xef}));
  EXPECT_FALSE(decode_base64("AQ=D", out));
  EXPECT_FALSE(decode_base64("A===", out));
  EXPECT_FALSE(decode_base64("AQI", out));
  EXPECT_FALSE(decode_base64("AQI*", out));
}

TEST(BogoFlags, CaList) {
  std::vector<vouch::Bytes> names;
  EXPECT_TRUE(decode_ca_list("<NULL>", names));
  EXPECT_TRUE(names.empty());
  EXPECT_TRUE(decode_ca_list("<EMPTY>", names));
  EXPECT_TRUE(names.empty());
  EXPECT_TRUE(decode_ca_list("3000,0aFF", names));
  EXPECT_EQ(names, (std::vector<vouch::Bytes>{{0x30, 0x00}, {0x0a, 0xff}}));
  EXPECT_FALSE(decode_ca_list("300", names));
  EXPECT_FALSE(decode_ca_list("30zz", names));
}

}  // namespace
}  // namespace vouch_bogo
