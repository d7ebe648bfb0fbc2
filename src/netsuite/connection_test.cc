#include "netsuite/connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/fake_http_client.h"
#include "netsuite/auth.h"

namespace mlc::netsuite {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kBase[] = "https://ns.example.test:8443";

const KeyPair& EcKeys() {
  static const KeyPair keys = *GenerateKeyPair(JwtAlgorithm::kEs256);
  return keys;
}

config::SecretRef Vault(std::string name) {
  config::SecretRef r;
  r.kind = config::SecretRef::Kind::kVault;
  r.name = std::move(name);
  return r;
}

// Secrets by vault name; records the key paths it was asked for.
struct FakeSecrets {
  std::map<std::string, std::string> values;
  std::vector<std::string> asked;

  SecretFn Fn() {
    return [this](const config::SecretRef& ref, std::string_view key) -> Result<std::string> {
      asked.emplace_back(key);
      auto it = values.find(ref.name);
      if (it == values.end()) return NotFoundError("{}: no vault entry '{}'", key, ref.name);
      return it->second;
    };
  }
};

config::NetsuiteConfig OauthConfig() {
  config::NetsuiteConfig c;
  c.account_id = "1234567_SB1";
  c.base_url = std::string(kBase) + "/";  // a trailing slash is dropped
  config::NetsuiteOauth2Config o;
  o.client_id = Vault("ns_client");
  o.certificate_id = "cert-42";
  o.private_key = Vault("ns_key");
  o.algorithm = config::JwtAlgorithm::kEs256;
  o.scopes = {"rest_webservices", "suite_analytics"};
  o.token_refresh_margin = minutes(10);
  c.auth.method = config::NetsuiteAuthMethod::kOauth2M2m;
  c.auth.oauth2 = o;
  c.concurrency_limit = 3;
  c.timeouts.connect = seconds(3);
  c.timeouts.request = seconds(7);
  c.retry.max_attempts = 2;
  c.retry.initial_backoff = milliseconds(250);
  c.retry.max_backoff = seconds(4);
  return c;
}

FakeSecrets OauthSecrets() {
  FakeSecrets s;
  s.values["ns_client"] = "client-id-from-vault";
  s.values["ns_key"] = EcKeys().private_key_pem;
  return s;
}

std::string TokenBody(const std::string& token) {
  return R"({"access_token":")" + token + R"(","expires_in":3600,"token_type":"Bearer"})";
}

ConnectOptions FakeOpts() {
  ConnectOptions o;
  o.http = std::make_unique<FakeHttpClient>();
  return o;
}

TEST(ConnectTest, ConfigValuesReachTheRequests) {
  auto fake_owned = std::make_unique<FakeHttpClient>();
  FakeHttpClient& fake = *fake_owned;
  const std::string token_url = std::string(kBase) + "/services/rest/auth/oauth2/v1/token";
  int tokens = 0;
  fake.On("POST", token_url).Handle([&](const HttpRequest& r) {
    const std::string jwt = r.body.substr(r.body.find("client_assertion=") + 17);
    auto decoded = VerifyJwt(jwt, EcKeys().certificate_pem);
    EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
    if (decoded.ok()) {
      EXPECT_EQ(decoded->header["kid"], "cert-42");
      EXPECT_EQ(decoded->header["alg"], "ES256");
      EXPECT_EQ(decoded->payload["iss"], "client-id-from-vault");
      EXPECT_EQ(decoded->payload["aud"], token_url);
      EXPECT_EQ(decoded->payload["scope"], "rest_webservices,suite_analytics");
    }
    HttpResponse reply;
    reply.status = 200;
    reply.body = TokenBody("tok-" + std::to_string(++tokens));
    return Result<HttpResponse>(reply);
  });
  fake.On("GET", std::string(kBase) + "/services/rest/record/v1/vendor/7")
      .Reply(200, R"({"id":"7"})");
  fake.On("GET", std::string(kBase) + "/services/rest/record/v1/vendor/8").Reply(503);

  FakeClock clock;
  std::vector<milliseconds> sleeps;
  FakeSecrets secrets = OauthSecrets();
  ConnectOptions opts;
  opts.http = std::move(fake_owned);
  opts.clock = &clock;
  opts.sleeper = [&sleeps](milliseconds d) { sleeps.push_back(d); };
  auto conn = Connect(OauthConfig(), secrets.Fn(), std::move(opts));
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  EXPECT_THAT(secrets.asked, ::testing::ElementsAre("netsuite.auth.oauth2.client_id",
                                                    "netsuite.auth.oauth2.private_key"));
  EXPECT_EQ(fake.request_count(), 0u) << "Connect itself sends nothing";

  Client& client = *(*conn)->client;
  EXPECT_EQ(client.options().base_url, kBase);
  EXPECT_EQ(client.options().concurrency_limit, 3);
  ASSERT_NE((*conn)->oauth2(), nullptr);
  EXPECT_EQ((*conn)->oauth2()->token_endpoint(), token_url);

  ASSERT_TRUE(client.GetRecord("vendor", "7", false).ok());
  HttpRequest get = fake.last_request();
  EXPECT_EQ(get.url, std::string(kBase) + "/services/rest/record/v1/vendor/7");
  EXPECT_EQ(get.headers.at("Authorization"), "Bearer tok-1");
  EXPECT_EQ(get.timeout, seconds(7));
  EXPECT_EQ(get.connect_timeout, seconds(3));
  EXPECT_EQ(fake.RequestsTo("POST", token_url).at(0).timeout, seconds(7));

  // token_refresh_margin 10m: the token is reused until it is 50 minutes old, then refreshed.
  clock.Advance(minutes(49));
  ASSERT_TRUE(client.GetRecord("vendor", "7", false).ok());
  EXPECT_EQ(tokens, 1);
  clock.Advance(minutes(1) + seconds(1));
  ASSERT_TRUE(client.GetRecord("vendor", "7", false).ok());
  EXPECT_EQ(tokens, 2);
  EXPECT_EQ(fake.last_request().headers.at("Authorization"), "Bearer tok-2");

  // retry.max_attempts 2: one retry of a 503, after the configured initial backoff (jitter
  // at most halves it).
  const size_t before = fake.RequestsTo("GET", std::string(kBase) + "/services/rest/record").size();
  auto failed = client.GetRecord("vendor", "8", false);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(fake.RequestsTo("GET", std::string(kBase) + "/services/rest/record").size() - before,
            2u);
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_LE(sleeps[0], milliseconds(250));
  EXPECT_GE(sleeps[0], milliseconds(125));
}

TEST(ConnectTest, DerivesTheBaseUrlFromTheAccountId) {
  auto fake_owned = std::make_unique<FakeHttpClient>();
  FakeSecrets secrets = OauthSecrets();
  config::NetsuiteConfig c = OauthConfig();
  c.base_url.clear();
  ConnectOptions opts;
  opts.http = std::move(fake_owned);
  auto conn = Connect(c, secrets.Fn(), std::move(opts));
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  EXPECT_EQ((*conn)->client->options().base_url, "https://1234567-sb1.suitetalk.api.netsuite.com");
  EXPECT_EQ((*conn)->oauth2()->token_endpoint(),
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token");
}

TEST(ConnectTest, MissingSecretIsAnErrorNamingTheKey) {
  FakeSecrets secrets = OauthSecrets();
  secrets.values.erase("ns_key");
  auto conn = Connect(OauthConfig(), secrets.Fn(), FakeOpts());
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(conn.status().message(), HasSubstr("netsuite.auth.oauth2.private_key"));
  EXPECT_THAT(conn.status().message(), Not(HasSubstr("client-id-from-vault")));

  // No reference at all, and a reference resolving to nothing.
  config::NetsuiteConfig c = OauthConfig();
  c.auth.oauth2->client_id = {};
  conn = Connect(c, OauthSecrets().Fn(), FakeOpts());
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(conn.status().message(), HasSubstr("netsuite.auth.oauth2.client_id"));

  secrets = OauthSecrets();
  secrets.values["ns_client"] = "";
  conn = Connect(OauthConfig(), secrets.Fn(), FakeOpts());
  ASSERT_FALSE(conn.ok());
  EXPECT_THAT(conn.status().message(), HasSubstr("netsuite.auth.oauth2.client_id"));
  EXPECT_THAT(conn.status().message(), HasSubstr("vault:ns_client"));
}

TEST(ConnectTest, MissingAuthSectionOrBadAccountIsInvalidArgument) {
  config::NetsuiteConfig c = OauthConfig();
  c.auth.oauth2.reset();
  auto conn = Connect(c, OauthSecrets().Fn(), FakeOpts());
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(conn.status().message(), HasSubstr("netsuite.auth.oauth2"));

  c = OauthConfig();
  c.auth.method = config::NetsuiteAuthMethod::kTba;
  conn = Connect(c, OauthSecrets().Fn(), FakeOpts());
  ASSERT_FALSE(conn.ok());
  EXPECT_THAT(conn.status().message(), HasSubstr("netsuite.auth.tba"));

  c = OauthConfig();
  c.base_url.clear();
  c.account_id = "12 34";
  conn = Connect(c, OauthSecrets().Fn(), FakeOpts());
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kInvalidArgument);
}

TEST(ConnectTest, TbaSignsWithTheConfiguredSecrets) {
  config::NetsuiteConfig c = OauthConfig();
  c.auth.method = config::NetsuiteAuthMethod::kTba;
  c.auth.oauth2.reset();
  c.auth.tba = config::NetsuiteTbaConfig{Vault("ck"), Vault("cs"), Vault("ti"), Vault("ts")};
  FakeSecrets secrets;
  secrets.values = {{"ck", "consumer-key-1"},
                    {"cs", "consumer-secret-1"},
                    {"ti", "token-id-1"},
                    {"ts", "token-secret-1"}};
  auto fake_owned = std::make_unique<FakeHttpClient>();
  FakeHttpClient& fake = *fake_owned;
  fake.On("GET", kBase).Reply(200, R"({"id":"7"})");
  ConnectOptions opts;
  opts.http = std::move(fake_owned);
  auto conn = Connect(c, secrets.Fn(), std::move(opts));
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  EXPECT_EQ((*conn)->oauth2(), nullptr);
  EXPECT_EQ(secrets.asked.size(), 4u);
  ASSERT_TRUE((*conn)->client->GetRecord("vendor", "7", false).ok());
  const HttpRequest r = fake.last_request();
  auto params = ParseOauthHeader(r.headers.at("Authorization"));
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  EXPECT_EQ(params->at("realm"), "1234567_SB1");
  EXPECT_EQ(params->at("oauth_consumer_key"), "consumer-key-1");
  EXPECT_EQ(params->at("oauth_token"), "token-id-1");
  auto base = OauthBaseString("GET", r.url, *params);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(OauthSignature(*base, "consumer-secret-1", "token-secret-1"),
            params->at("oauth_signature"));
}

}  // namespace
}  // namespace mlc::netsuite
