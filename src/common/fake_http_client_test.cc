#include "common/fake_http_client.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace mlc {
namespace {

HttpRequest Req(std::string method, std::string url, std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}

constexpr char kSuiteQl[] = "https://x/services/rest/query/v1/suiteql";

TEST(FakeHttpClientTest, ReplyByPrefix) {
  FakeHttpClient fake;
  fake.On("POST", kSuiteQl).Reply(200, R"({"items":[]})", {{"Content-Type", "application/json"}});
  auto r = fake.Send(Req("POST", std::string(kSuiteQl) + "?limit=10", "{}"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"items":[]})");
  EXPECT_EQ(r->Header("content-type"), "application/json");
}

TEST(FakeHttpClientTest, MethodMustMatchCaseInsensitively) {
  FakeHttpClient fake;
  auto& rule = fake.On("post", kSuiteQl).Reply(200);
  EXPECT_TRUE(fake.Send(Req("POST", kSuiteQl)).ok());
  auto r = fake.Send(Req("GET", kSuiteQl));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInternal);
  EXPECT_NE(r.error().message().find("no rule for GET"), std::string::npos);
  EXPECT_EQ(rule.calls(), 1);
  EXPECT_EQ(fake.request_count(), 2u);  // unmatched requests are recorded too
}

TEST(FakeHttpClientTest, WildcardMethod) {
  FakeHttpClient fake;
  fake.On("*", "https://x/").Reply(204);
  EXPECT_EQ(fake.Send(Req("DELETE", "https://x/a"))->status, 204);
  EXPECT_EQ(fake.Send(Req("PATCH", "https://x/b"))->status, 204);
}

TEST(FakeHttpClientTest, QueuedOutcomesThenLastRepeats) {
  FakeHttpClient fake;
  fake.On("GET", "https://x/a").Fail(UnavailableError("connection reset")).Reply(429).Reply(200);
  auto r1 = fake.Send(Req("GET", "https://x/a"));
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(fake.Send(Req("GET", "https://x/a"))->status, 429);
  EXPECT_EQ(fake.Send(Req("GET", "https://x/a"))->status, 200);
  EXPECT_EQ(fake.Send(Req("GET", "https://x/a"))->status, 200);
}

TEST(FakeHttpClientTest, LaterRuleWins) {
  FakeHttpClient fake;
  fake.On("GET", "https://x/record/v1/").Reply(404);
  fake.On("GET", "https://x/record/v1/vendor/7").Reply(200, "seven");
  EXPECT_EQ(fake.Send(Req("GET", "https://x/record/v1/vendor/7"))->body, "seven");
  EXPECT_EQ(fake.Send(Req("GET", "https://x/record/v1/vendor/8"))->status, 404);
}

TEST(FakeHttpClientTest, RegexMatchesWholeUrl) {
  FakeHttpClient fake;
  fake.OnRegex("PATCH", R"(https://x/record/v1/purchaseOrder/\d+)").Reply(204);
  EXPECT_EQ(fake.Send(Req("PATCH", "https://x/record/v1/purchaseOrder/123"))->status, 204);
  EXPECT_FALSE(fake.Send(Req("PATCH", "https://x/record/v1/purchaseOrder/123/x")).ok());
}

TEST(FakeHttpClientTest, HandlerSeesRequest) {
  FakeHttpClient fake;
  fake.On("POST", "https://x/echo").Handle([](const HttpRequest& r) {
    HttpResponse resp;
    resp.status = 201;
    resp.body = r.body + "|" + r.headers.at("X-Trace");
    return Result<HttpResponse>(resp);
  });
  HttpRequest req = Req("POST", "https://x/echo", "hello");
  req.headers["x-trace"] = "t1";
  auto r = fake.Send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "hello|t1");
}

TEST(FakeHttpClientTest, DefaultHandler) {
  FakeHttpClient fake;
  fake.SetDefaultHandler([](const HttpRequest&) { return Result<HttpResponse>(HttpResponse{}); });
  auto r = fake.Send(Req("GET", "https://anything"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 0);
}

TEST(FakeHttpClientTest, FailWithOkStatusIsAnInternalError) {
  FakeHttpClient fake;
  fake.On("GET", "https://x").Fail(Status());
  auto r = fake.Send(Req("GET", "https://x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInternal);
}

TEST(FakeHttpClientTest, RecordsRequests) {
  FakeHttpClient fake;
  fake.On("*", "https://x/").Reply(200);
  HttpRequest a = Req("POST", "https://x/a", "body-a");
  a.headers["Authorization"] = "Bearer t";
  (void)fake.Send(a);
  (void)fake.Send(Req("GET", "https://x/b"));
  (void)fake.Send(Req("POST", "https://x/a2", "body-a2"));
  ASSERT_EQ(fake.request_count(), 3u);
  EXPECT_EQ(fake.requests()[0].headers.at("authorization"), "Bearer t");
  EXPECT_EQ(fake.last_request().body, "body-a2");
  auto posts = fake.RequestsTo("post", "https://x/a");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].body, "body-a");
  fake.ClearRequests();
  EXPECT_EQ(fake.request_count(), 0u);
  EXPECT_EQ(fake.last_request().url, "");
}

TEST(FakeHttpClientTest, ConcurrentSendsAreAllRecorded) {
  FakeHttpClient fake;
  auto& rule = fake.On("GET", "https://x/").Handle([](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a per-call delay
    HttpResponse r;
    r.status = 200;
    return Result<HttpResponse>(r);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&fake] {
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(fake.Send(Req("GET", "https://x/p")).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fake.request_count(), 200u);
  EXPECT_EQ(rule.calls(), 200);
}

}  // namespace
}  // namespace mlc
