#include "netsuite/auth.h"

#include <gtest/gtest.h>

namespace mlc::netsuite {
namespace {

TEST(AccountIdTest, RealmAndHostForms) {
  auto a = ParseAccountId("1234567_SB1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->realm, "1234567_SB1");
  EXPECT_EQ(a->host_label, "1234567-sb1");
  auto b = ParseAccountId("1234567-sb1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->realm, "1234567_SB1");
  EXPECT_EQ(DefaultBaseUrl(*b), "https://1234567-sb1.suitetalk.api.netsuite.com");
  EXPECT_EQ(ParseAccountId("11134099")->host_label, "11134099");
  EXPECT_FALSE(ParseAccountId("").ok());
  EXPECT_FALSE(ParseAccountId("123/evil.com").ok());
}

TEST(Base64Test, RoundTripsAndUrlAlphabet) {
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode("any carnal pleasure.")), "any carnal pleasure.");
  EXPECT_FALSE(Base64UrlDecode("a b").ok());
}

// netsuite.md 6.3: the published TBA example, checked against Oracle's REST example.
TEST(TbaTest, PublishedSignatureVector) {
  TbaCredentials c{"ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
                   "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
                   "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
                   "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295"};
  std::map<std::string, std::string> p = {{"oauth_consumer_key", c.consumer_key},
                                          {"oauth_token", c.token_id},
                                          {"oauth_signature_method", "HMAC-SHA256"},
                                          {"oauth_timestamp", "1508242306"},
                                          {"oauth_nonce", "fjaLirsIcCGVZWzBX0pg"},
                                          {"oauth_version", "1.0"}};
  auto base = OauthBaseString(
      "GET", "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40", p);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(OauthSignature(*base, c.consumer_secret, c.token_secret),
            "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY=");
  auto header = TbaAuthorizationHeader(
      c, "123456", "GET",
      "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40",
      "fjaLirsIcCGVZWzBX0pg", 1508242306);
  ASSERT_TRUE(header.ok());
  EXPECT_NE(header->find("oauth_signature=\"B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D\""),
            std::string::npos);
  EXPECT_EQ(header->rfind("OAuth realm=\"123456\", ", 0), 0u);
  auto parsed = ParseOauthHeader(*header);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->at("oauth_signature"), "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY=");
  EXPECT_EQ(parsed->at("realm"), "123456");
}

TEST(TbaTest, QueryParametersAreSignedSortedAndEncoded) {
  std::map<std::string, std::string> p = {{"oauth_nonce", "n"}, {"oauth_timestamp", "1"}};
  auto base = OauthBaseString(
      "post", "HTTPS://Acct-SB1.suitetalk.api.netsuite.com:443/services/rest/query/v1/suiteql"
              "?offset=0&limit=1000&q=a%20b+c",
      p);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(*base,
            "POST&https%3A%2F%2Facct-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Fquery%2Fv1"
            "%2Fsuiteql&limit%3D1000%26oauth_nonce%3Dn%26oauth_timestamp%3D1%26offset%3D0%26q%3Da"
            "%2520b%2520c");
  // The signature changes with the query: a server that drops query params would refuse it.
  auto other = OauthBaseString(
      "POST", "https://acct-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql", p);
  EXPECT_NE(OauthSignature(*base, "a", "b"), OauthSignature(*other, "a", "b"));
  EXPECT_FALSE(OauthBaseString("GET", "ftp://x/y", p).ok());
}

class JwtTest : public ::testing::TestWithParam<JwtAlgorithm> {};

TEST_P(JwtTest, SignsAndVerifiesWithClaims) {
  auto keys = GenerateKeyPair(GetParam(), 2048);
  ASSERT_TRUE(keys.ok()) << keys.error();
  JwtAssertion a;
  a.client_id = "client-123";
  a.certificate_id = "cert-abc";
  a.scopes = {"restlets", "rest_webservices"};
  a.audience = "https://1-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token";
  a.issued_at = 1767323045;
  auto jwt = SignJwtAssertion(a, GetParam(), keys->private_key_pem);
  ASSERT_TRUE(jwt.ok()) << jwt.error();
  auto decoded = VerifyJwt(*jwt, keys->certificate_pem);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(decoded->header["alg"], JwtAlgorithmName(GetParam()));
  EXPECT_EQ(decoded->header["kid"], "cert-abc");
  EXPECT_EQ(decoded->header["typ"], "JWT");
  EXPECT_EQ(decoded->payload["iss"], "client-123");
  EXPECT_EQ(decoded->payload["scope"], "restlets,rest_webservices");
  EXPECT_EQ(decoded->payload["aud"], a.audience);
  EXPECT_EQ(decoded->payload["iat"], 1767323045);
  EXPECT_EQ(decoded->payload["exp"], 1767323045 + 300);
  EXPECT_EQ(decoded->payload["jti"].get<std::string>().size(), 32u);

  // A tampered payload or another key fails.
  std::string tampered = *jwt;
  tampered[tampered.find('.') + 5] ^= 1;
  EXPECT_FALSE(VerifyJwt(tampered, keys->certificate_pem).ok());
  auto other = GenerateKeyPair(GetParam(), 2048);
  auto wrong = VerifyJwt(*jwt, other->certificate_pem);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), StatusCode::kUnauthenticated);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, JwtTest,
                         ::testing::Values(JwtAlgorithm::kPs256, JwtAlgorithm::kEs256));

TEST(JwtTest, RefusesBadInputsWithoutEchoingTheKey) {
  auto rsa = GenerateKeyPair(JwtAlgorithm::kPs256, 2048);
  JwtAssertion a{"c", "k", {"rest_webservices"}, "aud", 1, std::chrono::seconds(3600), ""};
  EXPECT_FALSE(SignJwtAssertion(a, JwtAlgorithm::kPs256, rsa->private_key_pem).ok());
  a.lifetime = std::chrono::seconds(300);
  auto wrong_alg = SignJwtAssertion(a, JwtAlgorithm::kEs256, rsa->private_key_pem);
  ASSERT_FALSE(wrong_alg.ok());
  EXPECT_EQ(wrong_alg.error().code(), StatusCode::kInvalidArgument);
  auto junk = SignJwtAssertion(a, JwtAlgorithm::kPs256, "-----BEGIN PRIVATE KEY-----\nSECRETJUNK");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().message().find("SECRETJUNK"), std::string::npos);
  // RS256 is refused by the verifier, as by NetSuite.
  std::string rs = Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." +
                   Base64UrlEncode("{}") + "." + Base64UrlEncode("sig");
  EXPECT_EQ(VerifyJwt(rs, rsa->certificate_pem).error().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace mlc::netsuite
