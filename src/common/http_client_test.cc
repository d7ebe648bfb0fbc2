#include "common/http_client.h"

#include <gtest/gtest.h>

#include "common/redact.h"

namespace mlc {
namespace {

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ClearSecretsForTest(); }
  void TearDown() override { ClearSecretsForTest(); }
};

TEST_F(HttpClientTest, HeadersAreCaseInsensitive) {
  HttpResponse r;
  r.headers["Content-Type"] = "application/json";
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r.Header("Retry-After"), "");
  r.headers["content-type"] = "text/plain";  // the same key
  EXPECT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.Header("Content-Type"), "text/plain");
}

TEST_F(HttpClientTest, CaseInsensitiveLessOrders) {
  CaseInsensitiveLess less;
  EXPECT_TRUE(less("abc", "ABD"));
  EXPECT_FALSE(less("ABD", "abc"));
  EXPECT_FALSE(less("Abc", "aBC"));
  EXPECT_TRUE(less("ab", "ABC"));
}

TEST_F(HttpClientTest, DescribeRequestMasksCredentialHeaders) {
  HttpRequest r;
  r.method = "POST";
  r.url = "https://x.example/services/rest/query/v1/suiteql";
  r.headers["authorization"] = "Bearer abc.def";
  r.headers["Proxy-Authorization"] = "Basic Zm9vOmJhcg==";
  r.headers["Cookie"] = "JSESSIONID=123";
  r.headers["Prefer"] = "transient";
  r.body = R"({"q":"SELECT id FROM vendor"})";
  const std::string d = DescribeRequest(r);
  EXPECT_EQ(d,
            "POST https://x.example/services/rest/query/v1/suiteql\n"
            "authorization: ***\n"
            "Cookie: ***\n"
            "Prefer: transient\n"
            "Proxy-Authorization: ***\n"
            "\n"
            R"({"q":"SELECT id FROM vendor"})");
  EXPECT_EQ(d.find("abc.def"), std::string::npos);
  EXPECT_EQ(d.find("JSESSIONID"), std::string::npos);
}

TEST_F(HttpClientTest, DescribeResponseMasksSetCookieAndCutsBody) {
  HttpResponse r;
  r.status = 200;
  r.elapsed = std::chrono::milliseconds(42);
  r.headers["Set-Cookie"] = "session=s1";
  r.body = std::string(20, 'a');
  EXPECT_EQ(DescribeResponse(r, 5),
            "HTTP 200 (42 ms)\nSet-Cookie: ***\n\naaaaa... (15 more bytes)");
}

TEST_F(HttpClientTest, DescribeRedactsRegisteredSecretsEverywhere) {
  RegisterSecret("tok-9f8e7d");
  HttpRequest r;
  r.url = "https://x.example/api?token=tok-9f8e7d";
  r.headers["X-Api-Key"] = "tok-9f8e7d";
  r.body = "password=tok-9f8e7d";
  const std::string d = DescribeRequest(r);
  EXPECT_EQ(d.find("tok-9f8e7d"), std::string::npos) << d;
  EXPECT_NE(d.find("token=***"), std::string::npos) << d;
  EXPECT_NE(d.find("X-Api-Key: ***"), std::string::npos) << d;
}

TEST_F(HttpClientTest, UrlEncodeKeepsUnreservedOnly) {
  EXPECT_EQ(UrlEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(UrlEncode("a b&c=d/e+f"), "a%20b%26c%3Dd%2Fe%2Bf");
  EXPECT_EQ(UrlEncode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(UrlEncode(std::string_view("\0", 1)), "%00");
  EXPECT_EQ(UrlEncode(""), "");
}

TEST_F(HttpClientTest, FormEncodeKeepsOrder) {
  EXPECT_EQ(FormEncode({{"grant_type", "client_credentials"}, {"scope", "rest webservices"}}),
            "grant_type=client_credentials&scope=rest%20webservices");
  EXPECT_EQ(FormEncode({}), "");
  EXPECT_EQ(FormEncode({{"a", ""}}), "a=");
}

}  // namespace
}  // namespace mlc
