#include "netsuite/client.h"

#include <atomic>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/fake_http_client.h"
#include "common/redact.h"
#include "netsuite/auth.h"

namespace mlc::netsuite {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr char kBase[] = "https://1234567-sb1.suitetalk.api.netsuite.com";
constexpr char kToken[] = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token";
constexpr char kSuiteQl[] = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql";
constexpr char kRecord[] = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/";

HttpResponse Reply(int status, std::string body = "", HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string TokenBody(const std::string& token, int expires_in = 3600) {
  return fmt::format(R"({{"access_token":"{}","expires_in":{},"token_type":"Bearer"}})", token,
                     expires_in);
}

const KeyPair& EcKeys() {
  static const KeyPair keys = *GenerateKeyPair(JwtAlgorithm::kEs256);
  return keys;
}

Oauth2Options OauthOpts() {
  Oauth2Options o;
  o.base_url = kBase;
  o.client_id = "client-id-0001";
  o.certificate_id = "cert-1";
  o.private_key_pem = EcKeys().private_key_pem;
  o.algorithm = JwtAlgorithm::kEs256;
  return o;
}

ClientOptions Opts(std::vector<milliseconds>* sleeps = nullptr) {
  ClientOptions o;
  o.base_url = kBase;
  o.retry.max_attempts = 4;
  o.random = [] { return uint64_t{0}; };  // no jitter: delays are exact
  static std::mutex mu;
  o.sleeper = [sleeps](milliseconds d) {
    std::lock_guard lock(mu);
    if (sleeps) sleeps->push_back(d);
  };
  return o;
}

// ---- OAuth 2.0 client credentials -------------------------------------------------------------

TEST(Oauth2Test, PostsASignedAssertionAndCachesTheToken) {
  FakeHttpClient fake;
  FakeClock clock;
  fake.On("POST", kToken).Handle([](const HttpRequest& r) {
    EXPECT_EQ(r.headers.at("Content-Type"), "application/x-www-form-urlencoded");
    EXPECT_NE(r.body.find("grant_type=client_credentials"), std::string::npos);
    EXPECT_NE(r.body.find("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-"
                          "type%3Ajwt-bearer"),
              std::string::npos);
    const std::string jwt = r.body.substr(r.body.find("client_assertion=") + 17);
    auto decoded = VerifyJwt(jwt, EcKeys().certificate_pem);
    EXPECT_TRUE(decoded.ok());
    if (decoded.ok()) {
      EXPECT_EQ(decoded->header["kid"], "cert-1");
      EXPECT_EQ(decoded->payload["aud"], kToken);
      EXPECT_EQ(decoded->payload["iss"], "client-id-0001");
      EXPECT_EQ(decoded->payload["iat"], 1767323045);
      EXPECT_LT(decoded->payload["exp"].get<int64_t>() - decoded->payload["iat"].get<int64_t>(), 3600);
    }
    return Result<HttpResponse>(Reply(200, TokenBody("tok-1")));
  });
  fake.On("GET", kRecord).Reply(200, R"({"id":"7"})");
  std::vector<TokenEvent> events;
  auto oo = OauthOpts();
  oo.audit = [&events](const TokenEvent& e) { events.push_back(e); };
  Oauth2Authenticator auth(fake, oo, clock);
  Client client(fake, auth, Opts());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.GetRecord("vendor", "7").ok());
  EXPECT_EQ(fake.RequestsTo("POST", kToken).size(), 1u);
  EXPECT_EQ(fake.last_request().headers.at("Authorization"), "Bearer tok-1");
  EXPECT_EQ(auth.stats().fetches, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, "no token");
  // The token is registered as a secret the moment it arrives.
  EXPECT_EQ(Redact("bearer tok-1"), "bearer ***");
}

TEST(Oauth2Test, RefreshAtTheMarginByOneCallerWhileOthersUseTheValidToken) {
  FakeHttpClient fake;
  FakeClock clock;
  std::atomic<int> token_calls{0};
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool release = false;
  fake.On("POST", kToken).Handle([&](const HttpRequest&) {
    int n = ++token_calls;
    if (n == 2) {  // the refresh blocks until the test has seen the others finish
      std::unique_lock lock(gate_mu);
      gate_cv.wait(lock, [&] { return release; });
    }
    return Result<HttpResponse>(Reply(200, TokenBody(fmt::format("tok-{}", n))));
  });
  std::mutex seen_mu;
  std::vector<std::string> seen;
  fake.On("GET", kRecord).Handle([&](const HttpRequest& r) {
    std::lock_guard lock(seen_mu);
    seen.push_back(r.headers.at("Authorization"));
    return Result<HttpResponse>(Reply(200, R"({"id":"1"})"));
  });
  Oauth2Authenticator auth(fake, OauthOpts(), clock);
  auto opts = Opts();
  opts.concurrency_limit = 16;
  Client client(fake, auth, opts);
  ASSERT_TRUE(client.GetRecord("vendor", "1").ok());
  clock.Advance(minutes(59) + std::chrono::seconds(1));  // past the margin, still valid

  std::thread refresher([&] { EXPECT_TRUE(client.GetRecord("vendor", "1").ok()); });
  while (token_calls.load() < 2) std::this_thread::yield();
  // While the refresh is in progress, other callers go ahead with the old, valid token.
  std::vector<std::thread> others;
  for (int i = 0; i < 8; ++i) {
    others.emplace_back([&] { EXPECT_TRUE(client.GetRecord("vendor", "1").ok()); });
  }
  for (auto& t : others) t.join();
  {
    std::lock_guard lock(seen_mu);
    ASSERT_EQ(seen.size(), 9u);
    for (size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], "Bearer tok-1");
  }
  {
    std::lock_guard lock(gate_mu);
    release = true;
  }
  gate_cv.notify_all();
  refresher.join();
  EXPECT_EQ(token_calls.load(), 2);
  ASSERT_TRUE(client.GetRecord("vendor", "1").ok());
  EXPECT_EQ(fake.last_request().headers.at("Authorization"), "Bearer tok-2");
  EXPECT_EQ(auth.stats().fetches, 2);
}

TEST(Oauth2Test, ExpiredTokenMakesConcurrentCallersWaitForOneFetch) {
  FakeHttpClient fake;
  FakeClock clock;
  std::atomic<int> token_calls{0};
  fake.On("POST", kToken).Handle([&](const HttpRequest&) {
    int n = ++token_calls;
    std::this_thread::sleep_for(milliseconds(n == 1 ? 0 : 50));
    return Result<HttpResponse>(Reply(200, TokenBody(fmt::format("tok-{}", n))));
  });
  fake.On("GET", kRecord).Reply(200, R"({"id":"1"})");
  Oauth2Authenticator auth(fake, OauthOpts(), clock);
  auto opts = Opts();
  opts.concurrency_limit = 16;
  Client client(fake, auth, opts);
  ASSERT_TRUE(client.GetRecord("vendor", "1").ok());
  clock.Advance(minutes(61));  // expired: nobody may use tok-1 any more
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { EXPECT_TRUE(client.GetRecord("vendor", "1").ok()); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(token_calls.load(), 2);
  auto gets = fake.RequestsTo("GET", kRecord);
  for (size_t i = 1; i < gets.size(); ++i) EXPECT_EQ(gets[i].headers.at("Authorization"), "Bearer tok-2");
}

TEST(Oauth2Test, Retries401OnceWithAFreshTokenThenGivesUp) {
  FakeHttpClient fake;
  FakeClock clock;
  std::atomic<int> n{0};
  fake.On("POST", kToken).Handle([&](const HttpRequest&) {
    return Result<HttpResponse>(Reply(200, TokenBody(fmt::format("tok-{}", ++n))));
  });
  const std::string invalid_login =
      R"({"type":"t","title":"Unauthorized","status":401,"o:errorDetails":[{"detail":"Invalid login attempt.","o:errorCode":"INVALID_LOGIN"}]})";
  fake.On("GET", std::string(kRecord) + "vendor/1").Reply(401, invalid_login).Reply(200, R"({"id":"1"})");
  fake.On("GET", std::string(kRecord) + "vendor/2").Reply(401, invalid_login);
  Oauth2Authenticator auth(fake, OauthOpts(), clock);
  Client client(fake, auth, Opts());
  ASSERT_TRUE(client.GetRecord("vendor", "1").ok());
  auto v1 = fake.RequestsTo("GET", std::string(kRecord) + "vendor/1");
  ASSERT_EQ(v1.size(), 2u);
  EXPECT_EQ(v1[0].headers.at("Authorization"), "Bearer tok-1");
  EXPECT_EQ(v1[1].headers.at("Authorization"), "Bearer tok-2");
  EXPECT_EQ(auth.stats().invalidations, 1);

  auto r = client.GetRecord("vendor", "2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.error().message().find("getting vendor 2: HTTP 401 INVALID_LOGIN"), std::string::npos);
  EXPECT_EQ(fake.RequestsTo("GET", std::string(kRecord) + "vendor/2").size(), 2u);
  EXPECT_EQ(r.error().message().find("tok-"), std::string::npos);
}

TEST(Oauth2Test, RefusedCredentialsArePermissionDeniedAndShared) {
  FakeHttpClient fake;
  FakeClock clock;
  fake.On("POST", kToken).Reply(400, R"({"error":"invalid_grant"})");
  Oauth2Authenticator auth(fake, OauthOpts(), clock);
  Client client(fake, auth, Opts());
  auto r = client.GetRecord("vendor", "1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.error().message().find("invalid_grant"), std::string::npos);
  EXPECT_EQ(fake.RequestsTo("GET", kRecord).size(), 0u);
  EXPECT_EQ(auth.stats().failures, 1);
}

// ---- TBA --------------------------------------------------------------------------------------

TEST(TbaClientTest, SignsEveryAttemptWithAFreshNonceIncludingQueryParams) {
  FakeHttpClient fake;
  FakeClock clock;
  fake.On("POST", kSuiteQl).Reply(503, "busy").Reply(200, R"({"items":[],"count":0,"hasMore":false})");
  TbaOptions to;
  to.account_id = "1234567-sb1";
  to.credentials = {"consumer-key-1", "consumer-secret-1", "token-id-1", "token-secret-1"};
  TbaAuthenticator auth(to, clock);
  std::vector<milliseconds> sleeps;
  Client client(fake, auth, Opts(&sleeps));
  auto page = client.QueryPage(SuiteQl("SELECT id FROM vendor"), 1000, 0);
  ASSERT_TRUE(page.ok()) << page.error();
  auto reqs = fake.requests();
  ASSERT_EQ(reqs.size(), 2u);
  std::vector<std::string> nonces;
  for (const auto& r : reqs) {
    auto p = ParseOauthHeader(r.headers.at("Authorization"));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->at("realm"), "1234567_SB1");
    EXPECT_EQ(p->at("oauth_signature_method"), "HMAC-SHA256");
    nonces.push_back(p->at("oauth_nonce"));
    // Verify the signature independently, query parameters included.
    auto base = OauthBaseString("POST", r.url, *p);
    ASSERT_TRUE(base.ok());
    EXPECT_EQ(OauthSignature(*base, "consumer-secret-1", "token-secret-1"), p->at("oauth_signature"));
    EXPECT_NE(r.url.find("?limit=1000&offset=0"), std::string::npos);
    EXPECT_EQ(r.headers.at("Prefer"), "transient");
  }
  EXPECT_NE(nonces[0], nonces[1]);
  EXPECT_EQ(auth.signatures(), 2);
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_EQ(sleeps[0], milliseconds(1000));
}

// ---- SuiteQL paging ---------------------------------------------------------------------------

// A fake SuiteQL endpoint over `n` rows with ids 1..n and a lastmodified stamp shared by runs of
// 7 rows (so the keyset must use the id to break ties), honouring limit/offset, the keyset
// condition the client renders, and NetSuite's 100,000-row offset ceiling.
class FakeSuiteQl {
 public:
  explicit FakeSuiteQl(int64_t n) : n_(n) {}
  static std::string Stamp(int64_t id) {
    int64_t s = (id - 1) / 7;
    return fmt::format("2026-01-{:02} {:02}:{:02}:{:02}", 1 + s / 86400 % 28, s / 3600 % 24,
                       s / 60 % 60, s % 60);
  }
  Result<HttpResponse> operator()(const HttpRequest& r) {
    ++calls;
    std::smatch m;
    static const std::regex kLimit(R"(limit=(\d+)&offset=(\d+))");
    std::regex_search(r.url, m, kLimit);
    int64_t limit = std::stoll(m[1]), offset = std::stoll(m[2]);
    if (offset >= 100000) {
      return Reply(400, R"({"type":"t","title":"Bad Request","status":400,"o:errorDetails":[{"detail":"Invalid search query. The offset cannot exceed 100000.","o:errorCode":"USER_ERROR"}]})");
    }
    std::string q = nlohmann::json::parse(r.body)["q"];
    int64_t start = 1;
    static const std::regex kAfter(R"(> '([^']*)' OR \(.* = '[^']*' AND t\.id > (\d+)\))");
    if (std::regex_search(q, m, kAfter)) {
      std::string ts = m[1];
      int64_t id = std::stoll(m[2]);
      // The first row with (stamp, id) > (ts, id): ids are in stamp order here.
      start = id + 1;
      while (start <= n_ && Stamp(start) < ts) ++start;
    }
    int64_t total = n_ - start + 1;
    // Built as text: this fake serves 200 pages and must stay fast under ASan.
    std::string items;
    int64_t count = 0;
    for (int64_t i = start + offset; i < start + offset + limit && i <= n_; ++i, ++count) {
      if (!items.empty()) items += ',';
      items += fmt::format(R"({{"links":[],"id":"{}","lm":"{}"}})", i, Stamp(i));
    }
    std::string env = fmt::format(
        R"({{"links":[],"count":{},"hasMore":{},"offset":{},"totalResults":{},"items":[{}]}})",
        count, offset + count < total ? "true" : "false", offset, total, items);
    return Reply(200, env);
  }
  int64_t n_;
  std::atomic<int> calls{0};
};

class StaticAuth final : public Authenticator {
 public:
  Result<std::string> Authorize(HttpRequest& r) override {
    r.headers["Authorization"] = "Bearer static";
    return std::string("static");
  }
  void Invalidate(std::string_view) override {}
};

KeysetQuery PoKeyset() {
  KeysetQuery q;
  q.select_from = SuiteQl(
      "SELECT t.id AS id, TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS') AS lm FROM "
      "transaction t");
  q.where = SuiteQl("t.type = ?").Bind("PurchOrd");
  q.first = {"TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS')", "lm", false};
  q.second = {"t.id", "id", true};
  return q;
}

TEST(SuiteQlPagingTest, KeysetPagingReadsPastTheOffsetCeiling) {
  FakeHttpClient fake;
  auto backend = std::make_shared<FakeSuiteQl>(100300);
  fake.On("POST", kSuiteQl).Handle([backend](const HttpRequest& r) { return (*backend)(r); });
  StaticAuth auth;
  Client client(fake, auth, Opts());
  int64_t rows = 0;
  int64_t last_id = 0;
  bool ordered = true;
  auto end = client.QueryKeyset(PoKeyset(), std::nullopt, [&](const Row& row) {
    int64_t id = **row.GetInt("id");
    ordered = ordered && id == last_id + 1;
    last_id = id;
    ++rows;
    return Status::Ok();
  });
  ASSERT_TRUE(end.ok()) << end.error();
  EXPECT_EQ(rows, 100300);
  EXPECT_TRUE(ordered);
  EXPECT_EQ(backend->calls.load(), 101);  // ceil(100300 / 1000)
  ASSERT_TRUE(end->has_value());
  EXPECT_EQ((*end)->second, "100300");
  for (const auto& r : fake.requests()) EXPECT_NE(r.url.find("offset=0"), std::string::npos);

  // Resuming from the returned position reads nothing new.
  int64_t more = 0;
  auto again = client.QueryKeyset(PoKeyset(), *end, [&](const Row&) {
    ++more;
    return Status::Ok();
  });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(more, 0);

  // Offset paging on the same data stops at the ceiling with a clear error.
  int64_t offset_rows = 0;
  Status s = client.QueryOffset(SuiteQl("SELECT t.id AS id FROM transaction t"),
                                [&](const Row&) {
                                  ++offset_rows;
                                  return Status::Ok();
                                });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(offset_rows, 100000);
}

TEST(SuiteQlPagingTest, RefusedValuesNeverReachTheWire) {
  FakeHttpClient fake;
  StaticAuth auth;
  Client client(fake, auth, Opts());
  auto r = client.QueryPage(SuiteQl("SELECT id FROM transaction WHERE memo = ?").Bind("a\tb"), 10, 0);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client.QueryPage(SuiteQl("SELECT 1"), 1001, 0).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client.QueryPage(SuiteQl("SELECT 1"), 10, 5).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fake.request_count(), 0u);

  // An injection attempt goes out as one escaped literal in a JSON body.
  fake.On("POST", kSuiteQl).Reply(200, R"({"items":[],"count":0,"hasMore":false})");
  ASSERT_TRUE(client.QueryPage(SuiteQl("SELECT id FROM transaction WHERE tranid = ?")
                                   .Bind("' OR 1=1 --"),
                               10, 0)
                  .ok());
  auto body = nlohmann::json::parse(fake.last_request().body);
  EXPECT_EQ(body["q"], "SELECT id FROM transaction WHERE tranid = ''' OR 1=1 --'");
}

// ---- retry and give-up ------------------------------------------------------------------------

const char kConcurrency429[] =
    R"({"type":"t","title":"Too Many Requests","status":429,"o:errorCode":"USER_ERROR","o:errorDetails":[{"detail":"Concurrent request limit exceeded. Request blocked.","o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]})";

TEST(RetryTest, ConcurrencyRejectionsAreRetriedHonouringRetryAfter) {
  FakeHttpClient fake;
  fake.On("GET", kRecord)
      .Reply(429, kConcurrency429, {{"Retry-After", "3"}})
      .Reply(400, R"({"title":"Bad Request","o:errorDetails":[{"detail":"Concurrent request limit exceeded.","o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]})")
      .Reply(200, R"({"id":"5"})");
  StaticAuth auth;
  std::vector<milliseconds> sleeps;
  Client client(fake, auth, Opts(&sleeps));
  ASSERT_TRUE(client.GetRecord("purchaseOrder", "5").ok());
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_EQ(sleeps[0], milliseconds(3000));  // Retry-After
  EXPECT_EQ(sleeps[1], milliseconds(2000));  // backoff after attempt 2: 1 s * 2
  EXPECT_EQ(client.stats().concurrency_rejections, 2);
  EXPECT_EQ(client.stats().retries, 2);
  EXPECT_EQ(client.stats().requests, 3);
  EXPECT_EQ(client.stats().succeeded, 1);
  EXPECT_EQ(client.stats().transport_errors, 0);
}

TEST(RetryTest, GivesUpAfterMaxAttemptsAndReturnsDefiniteErrorsAtOnce) {
  FakeHttpClient fake;
  fake.On("GET", std::string(kRecord) + "purchaseOrder/1").Reply(500, R"({"title":"Internal Server Error","status":500,"o:errorDetails":[{"detail":"Error ID: x","o:errorCode":"UNEXPECTED_ERROR"}]})");
  fake.On("GET", std::string(kRecord) + "purchaseOrder/2").Fail(UnavailableError("connection reset"));
  fake.On("GET", std::string(kRecord) + "purchaseOrder/3").Reply(404, R"({"title":"Not Found","status":404,"o:errorDetails":[{"detail":"Record not found.","o:errorCode":"NONEXISTENT_ID"}]})");
  StaticAuth auth;
  std::vector<milliseconds> sleeps;
  Client client(fake, auth, Opts(&sleeps));
  auto r1 = client.GetRecord("purchaseOrder", "1");
  EXPECT_EQ(r1.error().code(), StatusCode::kUnavailable);
  EXPECT_NE(r1.error().message().find("giving up after 4 attempts"), std::string::npos);
  EXPECT_NE(r1.error().message().find("getting purchaseOrder 1"), std::string::npos);
  EXPECT_EQ(fake.RequestsTo("GET", std::string(kRecord) + "purchaseOrder/1").size(), 4u);
  EXPECT_EQ(sleeps, (std::vector<milliseconds>{milliseconds(1000), milliseconds(2000), milliseconds(4000)}));
  EXPECT_EQ(client.GetRecord("purchaseOrder", "2").error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(fake.RequestsTo("GET", std::string(kRecord) + "purchaseOrder/2").size(), 4u);
  auto r3 = client.GetRecord("purchaseOrder", "3");
  EXPECT_EQ(r3.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(fake.RequestsTo("GET", std::string(kRecord) + "purchaseOrder/3").size(), 1u);
  EXPECT_EQ(client.stats().requests, 9);
  EXPECT_EQ(client.stats().succeeded, 0);
  EXPECT_EQ(client.stats().transport_errors, 4);  // purchaseOrder/2, every attempt
}

// ---- Record API writes ------------------------------------------------------------------------

nlohmann::json Bill(const char* eid = "mlc-810-ACME-INV1") {
  return {{"externalId", eid}, {"tranId", "INV1"}};
}

TEST(WriteTest, CreateReturnsTheIdFromLocationAndSendsAnIdempotencyKey) {
  FakeHttpClient fake;
  fake.On("POST", std::string(kRecord) + "vendorBill")
      .Reply(204, "", {{"Location", std::string(kRecord) + "vendorbill/700"}});
  StaticAuth auth;
  Client client(fake, auth, Opts());
  auto r = client.Create("vendorBill", Bill());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->id, "700");
  EXPECT_EQ(r->outcome, WriteResult::Outcome::kCreated);
  const auto req = fake.last_request();
  EXPECT_EQ(req.headers.at("X-NetSuite-Idempotency-Key").size(), 36u);
  EXPECT_EQ(nlohmann::json::parse(req.body)["externalId"], "mlc-810-ACME-INV1");
}

TEST(WriteTest, AmbiguousFailureIsResolvedByExternalIdNeverPostingTwice) {
  FakeHttpClient fake;
  fake.On("POST", std::string(kRecord) + "vendorBill").Fail(DeadlineExceededError("timed out"));
  fake.On("GET", std::string(kRecord) + "vendorBill/eid:mlc-810-ACME-INV1")
      .Reply(200, R"({"id":"701","externalId":"mlc-810-ACME-INV1"})");
  StaticAuth auth;
  Client client(fake, auth, Opts());
  auto r = client.Create("vendorBill", Bill());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->id, "701");
  EXPECT_EQ(r->outcome, WriteResult::Outcome::kRecovered);
  EXPECT_EQ(fake.RequestsTo("POST", kRecord).size(), 1u);
  EXPECT_EQ(client.stats().ambiguous_writes, 1);
}

TEST(WriteTest, AmbiguousFailureNotFoundIsSentAgainWithTheSameKey) {
  FakeHttpClient fake;
  fake.On("POST", std::string(kRecord) + "vendorBill")
      .Reply(502, "bad gateway")
      .Reply(204, "", {{"Location", std::string(kRecord) + "vendorbill/702"}});
  fake.On("GET", std::string(kRecord) + "vendorBill/eid:")
      .Reply(404, R"({"title":"Not Found","status":404,"o:errorDetails":[{"detail":"not found","o:errorCode":"NONEXISTENT_ID"}]})");
  StaticAuth auth;
  Client client(fake, auth, Opts());
  auto r = client.Create("vendorBill", Bill());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->id, "702");
  auto posts = fake.RequestsTo("POST", kRecord);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].headers.at("X-NetSuite-Idempotency-Key"),
            posts[1].headers.at("X-NetSuite-Idempotency-Key"));
  // The lookup happened between the two posts.
  auto all = fake.requests();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].method, "GET");
}

TEST(WriteTest, DuplicateExternalIdYieldsTheExistingRecord) {
  FakeHttpClient fake;
  fake.On("POST", std::string(kRecord) + "purchaseOrder/9/!transform/vendorBill")
      .Reply(400, R"({"type":"t","title":"Bad Request","status":400,"o:errorDetails":[{"detail":"A record with this external ID already exists.","o:errorCode":"DUP_RCRD"}]})");
  fake.On("GET", std::string(kRecord) + "vendorBill/eid:mlc-810-ACME-INV1").Reply(200, R"({"id":"650"})");
  StaticAuth auth;
  Client client(fake, auth, Opts());
  auto r = client.Transform("purchaseOrder", "9", "vendorBill", Bill());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->id, "650");
  EXPECT_EQ(r->outcome, WriteResult::Outcome::kExisted);
}

TEST(WriteTest, CreatesWithoutExternalIdOrWithUnsafeOnesAreRefused) {
  FakeHttpClient fake;
  StaticAuth auth;
  Client client(fake, auth, Opts());
  EXPECT_EQ(client.Create("vendorBill", {{"tranId", "x"}}).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client.Create("vendorBill", Bill("a/../b")).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client.Create("vendor bill", Bill()).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client.GetRecord("purchaseOrder", "1?x=1").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fake.request_count(), 0u);
}

TEST(WriteTest, BusinessRuleErrorsAreTypedAndNotRetried) {
  FakeHttpClient fake;
  fake.On("POST", std::string(kRecord) + "purchaseOrder/9/!transform/vendorBill")
      .Reply(400, R"({"type":"t","title":"Bad Request","status":400,"o:errorDetails":[{"detail":"You cannot bill more than the ordered quantity.","o:errorCode":"USER_ERROR","o:errorPath":"item.items[0].quantity"}]})");
  StaticAuth auth;
  Client client(fake, auth, Opts());
  auto r = client.Transform("purchaseOrder", "9", "vendorBill", Bill());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.error().message().find("transforming purchaseOrder 9 to vendorBill: HTTP 400 USER_ERROR"), std::string::npos);
  EXPECT_NE(r.error().message().find("(at item.items[0].quantity)"), std::string::npos);
  EXPECT_EQ(fake.request_count(), 1u);
}

TEST(WriteTest, UpsertAndUpdate) {
  FakeHttpClient fake;
  fake.On("PUT", std::string(kRecord) + "vendor/eid:V-1")
      .Reply(503, "")
      .Reply(204, "", {{"Location", std::string(kRecord) + "vendor/55"}});
  fake.On("PATCH", std::string(kRecord) + "purchaseOrder/9").Reply(204);
  StaticAuth auth;
  Client client(fake, auth, Opts());
  auto id = client.Upsert("vendor", "V-1", {{"companyName", "ACME"}});
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(*id, "55");  // PUT by eid is idempotent, so the 503 was simply retried
  EXPECT_TRUE(client.Update("purchaseOrder", "9", {{"memo", "x"}}, "replace=item").ok());
  EXPECT_NE(fake.last_request().url.find("purchaseOrder/9?replace=item"), std::string::npos);
}

// ---- governor ---------------------------------------------------------------------------------

TEST(GovernorTest, NeverMoreThanTheLimitInFlight) {
  FakeHttpClient fake;
  std::atomic<int> in_flight{0}, max_seen{0};
  fake.On("GET", kRecord).Handle([&](const HttpRequest&) {
    int now = ++in_flight;
    int prev = max_seen.load();
    while (now > prev && !max_seen.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(milliseconds(5));
    --in_flight;
    return Result<HttpResponse>(Reply(200, R"({"id":"1"})"));
  });
  StaticAuth auth;
  auto opts = Opts();
  opts.concurrency_limit = 3;
  Client client(fake, auth, opts);
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 4; ++k) EXPECT_TRUE(client.GetRecord("vendor", "1").ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(max_seen.load(), 3);
  EXPECT_EQ(client.stats().max_in_flight, 3);
  EXPECT_EQ(client.stats().requests, 48);
}

TEST(HelpersTest, LocationUuidAndBaseUrl) {
  EXPECT_EQ(*IdFromLocation("https://h/services/rest/record/v1/vendorbill/700"), "700");
  EXPECT_FALSE(IdFromLocation("").ok());
  EXPECT_FALSE(IdFromLocation("https://h/services/rest/record/v1/vendorbill/abc").ok());
  std::string u = RandomUuid();
  EXPECT_TRUE(std::regex_match(u, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(*ResolveBaseUrl("1234567_SB1", ""), "https://1234567-sb1.suitetalk.api.netsuite.com");
  EXPECT_EQ(*ResolveBaseUrl("1234567_SB1", "http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
}

}  // namespace
}  // namespace mlc::netsuite
