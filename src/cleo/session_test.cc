#include "cleo/session.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <sstream>
#include <thread>
#include <vector>

#include "cleo/rest_api.h"
#include "common/fake_http_client.h"
#include "common/log.h"
#include "common/redact.h"

namespace mlc::cleo {
namespace {

HttpResponse Resp(int status, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

constexpr char kBase[] = "https://cleo.test:6080";
constexpr char kPassword[] = "s3cr3t&p=w d";

class SessionTest : public ::testing::Test {
 protected:
  SessionOptions Options() {
    SessionOptions o;
    o.base_url = std::string(kBase) + "/";
    o.username = "api user";
    o.password = kPassword;
    o.token_max_age = std::chrono::minutes(10);
    o.sleeper = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); };
    return o;
  }
  // Answers the password grant with tokens tok-1, tok-2, ...
  FakeHttpClient::Rule& AuthIssuesTokens() {
    return fake_.On("POST", std::string(kBase) + "/api/authentication")
        .Handle([this](const HttpRequest&) {
          return Result<HttpResponse>(
              Resp(200, R"({"access_token":"tok-)" + std::to_string(++issued_) + R"("})"));
        });
  }

  void TearDown() override { ClearSecretsForTest(); }

  FakeHttpClient fake_;
  FakeClock clock_;
  std::atomic<int> issued_{0};
  std::vector<std::chrono::milliseconds> sleeps_;
};

TEST_F(SessionTest, PasswordGrantFormAndBearer) {
  AuthIssuesTokens();
  fake_.On("GET", std::string(kBase) + "/api/connections").Reply(200, R"({"x":1})");
  Session s(fake_, Options(), clock_);
  auto r = s.Call("GET", "/api/connections");
  ASSERT_TRUE(r.ok()) << r.status();
  auto auth = fake_.RequestsTo("POST", std::string(kBase) + "/api/authentication");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0].headers.at("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(auth[0].body, "grant_type=password&username=api%20user&password=s3cr3t%26p%3Dw%20d");
  EXPECT_EQ(fake_.last_request().headers.at("Authorization"), "Bearer tok-1");
}

TEST_F(SessionTest, TokenIsCachedAndRenewedAfterMaxAge) {
  AuthIssuesTokens();
  fake_.On("GET", std::string(kBase) + "/api/").Reply(200, "{}");
  Session s(fake_, Options(), clock_);
  ASSERT_TRUE(s.Call("GET", "/api/a").ok());
  ASSERT_TRUE(s.Call("GET", "/api/b").ok());
  EXPECT_EQ(s.token_fetches(), 1);
  clock_.Advance(std::chrono::minutes(11));
  ASSERT_TRUE(s.Call("GET", "/api/c").ok());
  EXPECT_EQ(s.token_fetches(), 2);
  EXPECT_EQ(fake_.last_request().headers.at("Authorization"), "Bearer tok-2");
}

TEST_F(SessionTest, ReauthenticatesOn401AndRepeatsTheCall) {
  AuthIssuesTokens();
  auto& api =
      fake_.On("GET", std::string(kBase) + "/api/connections").Handle([](const HttpRequest& r) {
        bool fresh = r.headers.at("Authorization") == "Bearer tok-2";
        return Result<HttpResponse>(
            Resp(fresh ? 200 : 401, fresh ? "{}" : R"({"message":"token expired"})"));
      });
  Session s(fake_, Options(), clock_);
  auto r = s.Call("GET", "/api/connections");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(api.calls(), 2);
  EXPECT_EQ(s.token_fetches(), 2);
  EXPECT_TRUE(sleeps_.empty());  // re-auth is not a backoff
}

TEST_F(SessionTest, Persistent401IsUnauthenticatedAfterRetries) {
  AuthIssuesTokens();
  fake_.On("GET", std::string(kBase) + "/api/x").Reply(401, R"({"message":"nope"})");
  SessionOptions o = Options();
  o.retry.max_attempts = 2;
  Session s(fake_, o, clock_);
  auto r = s.Call("GET", "/api/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(s.token_fetches(), 3);  // 1st, after 401, then after the 2nd attempt's 401
}

TEST_F(SessionTest, RejectedCredentialsArePermissionDeniedWithoutPassword) {
  fake_.On("POST", std::string(kBase) + "/api/authentication")
      .Reply(401, std::string(R"({"message":"bad password )") + kPassword + "\"}");
  Session s(fake_, Options(), clock_);
  auto r = s.Call("GET", "/api/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.error().message().find(kPassword), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("***"), std::string::npos) << r.error().message();
  EXPECT_EQ(s.token_fetches(), 1);  // not retried
}

TEST_F(SessionTest, MissingAccessTokenIsDataLoss) {
  fake_.On("POST", std::string(kBase) + "/api/authentication").Reply(200, R"({"token":"x"})");
  Session s(fake_, Options(), clock_);
  auto t = s.Token();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), StatusCode::kDataLoss);
}

TEST_F(SessionTest, ServerErrorsAndDroppedConnectionsAreRetriedWithBackoff) {
  AuthIssuesTokens();
  auto& rule = fake_.On("GET", std::string(kBase) + "/api/x")
                   .Reply(503, R"({"message":"busy"})")
                   .Fail(UnavailableError("connection reset"))
                   .Reply(200, "{}");
  Session s(fake_, Options(), clock_);
  auto r = s.Call("GET", "/api/x");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(rule.calls(), 3);
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(SessionTest, TooManyRequestsHonoursRetryAfter) {
  AuthIssuesTokens();
  fake_.On("GET", std::string(kBase) + "/api/x")
      .Reply(429, R"({"message":"slow down"})", {{"Retry-After", "3"}})
      .Reply(200, "{}");
  Session s(fake_, Options(), clock_);
  ASSERT_TRUE(s.Call("GET", "/api/x").ok());
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_EQ(sleeps_[0], std::chrono::milliseconds(3000));
}

TEST_F(SessionTest, ConcurrentCallersShareOneRefresh) {
  fake_.On("POST", std::string(kBase) + "/api/authentication").Handle([this](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return Result<HttpResponse>(
        Resp(200, R"({"access_token":"tok-)" + std::to_string(++issued_) + R"("})"));
  });
  fake_.On("GET", std::string(kBase) + "/api/x").Reply(200, "{}");
  Session s(fake_, Options(), clock_);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (s.Call("GET", "/api/x").ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(s.token_fetches(), 1);
}

TEST_F(SessionTest, ConcurrentCallersSeeing401RefreshOnce) {
  AuthIssuesTokens();
  // tok-1 is "expired" for everyone; tok-2 works.
  fake_.On("GET", std::string(kBase) + "/api/x").Handle([](const HttpRequest& r) {
    bool ok = r.headers.at("Authorization") != "Bearer tok-1";
    return Result<HttpResponse>(Resp(ok ? 200 : 401, "{}"));
  });
  Session s(fake_, Options(), clock_);
  ASSERT_TRUE(s.Token().ok());  // everyone starts from tok-1
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      if (s.Call("GET", "/api/x").ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(s.token_fetches(), 2);
}

TEST_F(SessionTest, ErrorBodiesBecomeStatuses) {
  HttpResponse r = Resp(404, R"({"message":"connection 'x' not found"})");
  Status s = ErrorFromResponse(r, "getting connection x");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "getting connection x: HTTP 404: connection 'x' not found");
  EXPECT_EQ(ErrorFromResponse(Resp(409, "{}"), "w").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorFromResponse(Resp(400, "x"), "w").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorFromResponse(Resp(403), "w").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorFromResponse(Resp(413), "w").code(), StatusCode::kOutOfRange);
  EXPECT_EQ(ErrorFromResponse(Resp(502), "w").code(), StatusCode::kUnavailable);
  EXPECT_EQ(ErrorFromResponse(Resp(302), "w").code(), StatusCode::kUnknown);
  Status junk = ErrorFromResponse(Resp(500, "<html>\n\x01oops</html>"), "w");
  EXPECT_EQ(junk.message().find('\n'), std::string::npos);
}

TEST_F(SessionTest, WarnsLoudlyOnceForAVulnerableServer) {
  std::ostringstream out;
  LogOptions lo;
  lo.sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  ASSERT_TRUE(InitLogging(lo).ok());
  fake_.On("POST", std::string(kBase) + "/api/authentication")
      .Reply(200, R"({"access_token":"tok-static-1"})",
             {{"Server", "Cleo Harmony/5.8.0.21 (Linux)"}});
  fake_.On("GET", std::string(kBase) + "/api/x")
      .Reply(200, "{}", {{"Server", "Cleo Harmony/5.8.0.21 (Linux)"}});
  Session s(fake_, Options(), clock_);
  ASSERT_TRUE(s.Call("GET", "/api/x").ok());
  ASSERT_TRUE(s.Call("GET", "/api/x").ok());
  EXPECT_TRUE(s.server_vulnerable());
  const std::string log = out.str();
  size_t first = log.find("CVE-2024-55956");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("CVE-2024-55956", first + 1), std::string::npos) << "warned twice";
  EXPECT_NE(log.find("ERROR"), std::string::npos) << log;
  ASSERT_TRUE(InitLogging({}).ok());
}

TEST_F(SessionTest, CanRefuseAVulnerableServer) {
  fake_.On("POST", std::string(kBase) + "/api/authentication")
      .Reply(200, R"({"access_token":"tok-static-1"})", {{"Server", "Cleo VLTrader/5.7.0.0"}});
  SessionOptions o = Options();
  o.refuse_vulnerable_server = true;
  Session s(fake_, o, clock_);
  auto r = s.Call("GET", "/api/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kPermissionDenied);
}

// --- RestApi over the session --------------------------------------------------------------

TEST_F(SessionTest, ListConnectionsPagesUntilTotal) {
  AuthIssuesTokens();
  fake_.OnRegex("GET", R"(.*/api/connections\?startIndex=(\d+)&count=2.*)")
      .Handle([](const HttpRequest& r) {
        size_t at = r.url.find("startIndex=") + 11;
        int start = std::stoi(r.url.substr(at));
        nlohmann::json page = {{"totalResults", 5}, {"resources", nlohmann::json::array()}};
        for (int i = start; i < std::min(start + 2, 5); ++i) {
          page["resources"].push_back(
              {{"id", "c" + std::to_string(i)},
               {"alias", "P" + std::to_string(i)},
               {"type", "sftp"},
               {"enabled", i != 3},
               {"incoming", {{"storage", {{"inbox", "inbox/P" + std::to_string(i)}}}}},
               {"outgoing", {{"storage", {{"outbox", "outbox/P" + std::to_string(i)}}}}}});
        }
        return Result<HttpResponse>(Resp(200, page.dump()));
      });
  Session s(fake_, Options(), clock_);
  RestApi api(s);
  auto conns = api.ListConnections("type eq \"sftp\"", 2);
  ASSERT_TRUE(conns.ok()) << conns.status();
  ASSERT_EQ(conns->size(), 5u);
  EXPECT_EQ((*conns)[4].alias, "P4");
  EXPECT_EQ((*conns)[2].inbox, "inbox/P2");
  EXPECT_EQ((*conns)[2].outbox, "outbox/P2");
  EXPECT_FALSE((*conns)[3].enabled);
  auto pages = fake_.RequestsTo("GET", std::string(kBase) + "/api/connections");
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_NE(pages[0].url.find("startIndex=0&count=2&filter=type%20eq%20%22sftp%22"),
            std::string::npos)
      << pages[0].url;
  EXPECT_NE(pages[2].url.find("startIndex=4"), std::string::npos);
}

TEST_F(SessionTest, ListStopsOnEmptyPageAndRejectsBadShapes) {
  AuthIssuesTokens();
  fake_.On("GET", std::string(kBase) + "/api/connections")
      .Reply(200, R"({"totalResults": 100, "resources": [{"id":"a"}]})")
      .Reply(200, R"({"totalResults": 100, "resources": []})");
  fake_.On("GET", std::string(kBase) + "/api/actions").Reply(200, R"({"items": []})");
  Session s(fake_, Options(), clock_);
  RestApi api(s);
  auto c = api.ListConnections();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 1u);
  EXPECT_EQ(api.ListAll("actions").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(api.ListAll("actions", "", 0).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SessionTest, FindAndRunAction) {
  AuthIssuesTokens();
  fake_.On("GET", std::string(kBase) + "/api/actions")
      .Reply(200, R"({"totalResults":1,"resources":[{"id":"act1","alias":"send"}]})");
  fake_.On("POST", std::string(kBase) + "/api/actions/act1/run")
      .Reply(200, R"({"status":"completed","result":"success","messages":["sent 1 file"]})")
      .Reply(200, R"({"status":"completed","result":"error","messages":["partner down"]})");
  Session s(fake_, Options(), clock_);
  RestApi api(s);
  auto id = api.FindActionId("send");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "act1");
  EXPECT_NE(fake_.RequestsTo("GET", std::string(kBase) + "/api/actions")[0].url.find(
                "filter=alias%20eq%20%22send%22"),
            std::string::npos);
  auto run = api.RunAction(*id, std::chrono::seconds(30));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->messages, std::vector<std::string>{"sent 1 file"});
  EXPECT_NE(fake_.last_request().url.find("timeout=30"), std::string::npos);
  auto failed = api.RunAction("act1");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.error().message().find("partner down"), std::string::npos);
  EXPECT_EQ(api.FindActionId("x\" or \"1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(api.RunAction("../x").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SessionTest, FindActionNotFound) {
  AuthIssuesTokens();
  fake_.On("GET", std::string(kBase) + "/api/actions")
      .Reply(200, R"({"totalResults":0,"resources":[]})");
  Session s(fake_, Options(), clock_);
  RestApi api(s);
  EXPECT_EQ(api.FindActionId("nope").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mlc::cleo
