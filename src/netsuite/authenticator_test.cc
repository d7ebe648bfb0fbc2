// ParseTokenResponse: the token endpoint's 200 answer, including hostile lifetimes (found by
// fuzz/netsuite_token_fuzz.cc's invariants: no lifetime may overflow later time arithmetic).
#include "netsuite/authenticator.h"

#include <gtest/gtest.h>

namespace mlc::netsuite {
namespace {

TEST(ParseTokenResponseTest, ReadsNetSuitesAnswer) {
  // netsuite.md 6.1: {"access_token":"<JWT>","expires_in":3600,"token_type":"Bearer"}
  auto t = ParseTokenResponse(R"({"access_token":"eyJ.a.b","expires_in":3600,"token_type":"Bearer"})");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->access_token, "eyJ.a.b");
  EXPECT_EQ(t->expires_in, std::chrono::seconds(3600));
  t = ParseTokenResponse(R"({"access_token":"x","expires_in":"120"})");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->expires_in, std::chrono::seconds(120));
}

TEST(ParseTokenResponseTest, UnusableLifetimesBecomeAnHourAndHugeOnesAreCapped) {
  for (const char* expires : {"0", "-5", "\"-5\"", "\"12x\"", "\"\"", "null", "36.5", "1e300",
                              "\"-99999999999999999999999\"", "true"}) {
    auto t = ParseTokenResponse(std::string(R"({"access_token":"x","expires_in":)") + expires + "}");
    ASSERT_TRUE(t.ok()) << expires;
    EXPECT_EQ(t->expires_in, std::chrono::seconds(3600)) << expires;
  }
  EXPECT_EQ(ParseTokenResponse(R"({"access_token":"x"})")->expires_in, std::chrono::seconds(3600));
  for (const char* expires : {"9223372036854775807", "18446744073709551615", "\"99999999999999999999\"",
                              "86401", "\"9223372036854775807\""}) {
    auto t = ParseTokenResponse(std::string(R"({"access_token":"x","expires_in":)") + expires + "}");
    ASSERT_TRUE(t.ok()) << expires;
    EXPECT_EQ(t->expires_in, kMaxTokenLifetime) << expires;
    // The authenticator keeps lifetimes in milliseconds: this must not overflow.
    EXPECT_EQ(std::chrono::milliseconds(t->expires_in).count(), 86400000) << expires;
  }
}

TEST(ParseTokenResponseTest, RefusesBodiesWithoutAToken) {
  for (const char* body : {"", "not json", "[]", "\"x\"", "{}", R"({"access_token":""})",
                           R"({"access_token":7})", R"({"access_token":null})",
                           R"({"error":"invalid_grant"})"}) {
    auto t = ParseTokenResponse(body);
    ASSERT_FALSE(t.ok()) << body;
    EXPECT_EQ(t.error().code(), StatusCode::kDataLoss) << body;
  }
}

}  // namespace
}  // namespace mlc::netsuite
