#include "common/fake_http_client.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace mlc {
namespace {

bool MethodMatches(std::string_view rule_method, std::string_view method) {
  if (rule_method == "*") return true;
  return rule_method.size() == method.size() &&
         std::equal(rule_method.begin(), rule_method.end(), method.begin(), [](char a, char b) {
           return std::toupper(static_cast<unsigned char>(a)) ==
                  std::toupper(static_cast<unsigned char>(b));
         });
}

}  // namespace

FakeHttpClient::Rule& FakeHttpClient::Rule::Reply(int status, std::string body,
                                                  HttpHeaders headers) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return Handle([response](const HttpRequest&) { return Result<HttpResponse>(response); });
}

FakeHttpClient::Rule& FakeHttpClient::Rule::Fail(Status error) {
  if (error.ok()) error = InternalError("FakeHttpClient: Fail() given an OK status");
  return Handle([error](const HttpRequest&) { return Result<HttpResponse>(error); });
}

FakeHttpClient::Rule& FakeHttpClient::Rule::Handle(Handler handler) {
  std::lock_guard lock(*mu_);
  outcomes_.push_back(std::move(handler));
  return *this;
}

bool FakeHttpClient::Rule::Matches(const HttpRequest& request) const {
  if (!MethodMatches(method_, request.method)) return false;
  if (url_regex_) return std::regex_match(request.url, *url_regex_);
  return request.url.compare(0, url_prefix_.size(), url_prefix_) == 0;
}

FakeHttpClient::Rule& FakeHttpClient::On(std::string method, std::string url_prefix) {
  auto rule = std::make_unique<Rule>();
  rule->mu_ = &mu_;
  rule->description_ = method + " " + url_prefix + "*";
  rule->method_ = std::move(method);
  rule->url_prefix_ = std::move(url_prefix);
  std::lock_guard lock(mu_);
  rules_.push_back(std::move(rule));
  return *rules_.back();
}

FakeHttpClient::Rule& FakeHttpClient::OnRegex(std::string method, const std::string& url_regex) {
  auto rule = std::make_unique<Rule>();
  rule->mu_ = &mu_;
  rule->description_ = method + " ~" + url_regex;
  rule->method_ = std::move(method);
  rule->url_regex_.emplace(url_regex, std::regex::ECMAScript);
  std::lock_guard lock(mu_);
  rules_.push_back(std::move(rule));
  return *rules_.back();
}

void FakeHttpClient::SetDefaultHandler(Handler handler) {
  std::lock_guard lock(mu_);
  default_handler_ = std::move(handler);
}

Result<HttpResponse> FakeHttpClient::Send(const HttpRequest& request) {
  Handler handler;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
      Rule& rule = **it;
      if (!rule.Matches(request)) continue;
      if (rule.outcomes_.empty()) {
        return InternalError("FakeHttpClient: rule '{}' has no Reply/Fail/Handle",
                             rule.description_);
      }
      handler = rule.outcomes_.front();
      if (rule.outcomes_.size() > 1) rule.outcomes_.pop_front();
      ++rule.calls_;
      break;
    }
    if (!handler) handler = default_handler_;
  }
  if (!handler) {
    return InternalError("FakeHttpClient: no rule for {} {}", request.method, request.url);
  }
  return handler(request);
}

std::vector<HttpRequest> FakeHttpClient::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t FakeHttpClient::request_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

HttpRequest FakeHttpClient::last_request() const {
  std::lock_guard lock(mu_);
  return requests_.empty() ? HttpRequest{} : requests_.back();
}

std::vector<HttpRequest> FakeHttpClient::RequestsTo(std::string_view method,
                                                    std::string_view url_prefix) const {
  std::lock_guard lock(mu_);
  std::vector<HttpRequest> out;
  for (const HttpRequest& r : requests_) {
    if (MethodMatches(method, r.method) && r.url.compare(0, url_prefix.size(), url_prefix) == 0) {
      out.push_back(r);
    }
  }
  return out;
}

void FakeHttpClient::ClearRequests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

}  // namespace mlc
