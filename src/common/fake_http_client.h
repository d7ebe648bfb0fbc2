// FakeHttpClient: a scriptable HttpClient for unit tests.
//
//   FakeHttpClient fake;
//   fake.On("POST", "https://x/services/rest/query/v1/suiteql").Reply(200, R"({"items":[]})");
//   fake.On("GET", "https://x/record/v1/vendor/").Fail(UnavailableError("connection reset"));
//   fake.OnRegex("PATCH", R"(.*/purchaseOrder/\d+)").Handle([](const HttpRequest& r) {
//     return Result<HttpResponse>(HttpResponse{.status = 204});
//   });
//   ... code under test calls fake.Send(...) ...
//   EXPECT_EQ(fake.requests().size(), 2u);
//
// Matching: a rule matches a request when its method is equal (case-insensitive; "*" matches any
// method) and the request URL starts with the rule's prefix (On) or fully matches its ECMAScript
// regex (OnRegex). When several rules match, the one added LAST wins (as in gMock), so a test can
// add a specific rule over a general one. Without a match the default handler runs; without a
// default handler Send returns INTERNAL ("no rule for ..."), a bug in the test.
//
// Outcomes: each Reply/Fail/Handle call appends one outcome to the rule's queue; every matching
// request takes the front outcome, and the last one stays and repeats. So
//   On("GET", u).Reply(500).Reply(200)   answers 500 once, then 200 forever.
// A per-call delay or a check on the request is written as a Handle callback.
//
// Every request is recorded, matched or not. Handlers run outside the fake's lock, so a slow
// handler does not hold up other threads.
//
// Thread safety: every member function may be called from any thread; handlers may run
// concurrently with each other.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "common/status.h"

namespace mlc {

class FakeHttpClient final : public HttpClient {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  class Rule {
   public:
    // Answers with an HTTP response (any status, including 4xx/5xx, is a successful Send).
    Rule& Reply(int status, std::string body = "", HttpHeaders headers = {});
    // Answers with a transport error, as CurlHttpClient would for a refused connection etc.
    // `error` must not be OK.
    Rule& Fail(Status error);
    // Answers by calling `handler` (it may sleep, inspect the request, count, ...).
    Rule& Handle(Handler handler);

    // Number of requests this rule has answered.
    int calls() const { return calls_.load(); }

   private:
    friend class FakeHttpClient;
    bool Matches(const HttpRequest& request) const;

    std::mutex* mu_ = nullptr;  // the owning fake's lock, guarding outcomes_
    std::string method_;
    std::string url_prefix_;
    std::optional<std::regex> url_regex_;
    std::string description_;
    std::deque<Handler> outcomes_;
    std::atomic<int> calls_{0};
  };

  FakeHttpClient() = default;
  FakeHttpClient(const FakeHttpClient&) = delete;
  FakeHttpClient& operator=(const FakeHttpClient&) = delete;

  // Adds a rule matching `method` and every URL starting with `url_prefix`. The returned
  // reference stays valid for the life of the fake.
  Rule& On(std::string method, std::string url_prefix);
  // Adds a rule matching `method` and every URL that fully matches `url_regex` (ECMAScript).
  // A malformed pattern throws std::regex_error: a bug in the test, not an expected failure.
  Rule& OnRegex(std::string method, const std::string& url_regex);
  // Runs for requests no rule matches.
  void SetDefaultHandler(Handler handler);

  Result<HttpResponse> Send(const HttpRequest& request) override;

  // Every request sent so far, in order.
  std::vector<HttpRequest> requests() const;
  size_t request_count() const;
  // The last request sent, or a default HttpRequest when none was.
  HttpRequest last_request() const;
  // Requests with this method (case-insensitive, "*" for any) whose URL starts with `url_prefix`.
  std::vector<HttpRequest> RequestsTo(std::string_view method, std::string_view url_prefix) const;
  // Forgets recorded requests (rules stay).
  void ClearRequests();

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Rule>> rules_;
  Handler default_handler_;
  std::vector<HttpRequest> requests_;
};

}  // namespace mlc
