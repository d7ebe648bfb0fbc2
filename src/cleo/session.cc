#include "cleo/session.h"

#include <utility>

#include "common/log.h"
#include "common/redact.h"

namespace mlc::cleo {
namespace {

// The "message" of a Cleo error body (cleo.md section 1.3), or a printable cut of the raw body.
std::string ErrorDetail(const HttpResponse& r) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto it = j.find("message");
    if (it != j.end() && it->is_string()) return Printable(it->get<std::string>(), 300);
  }
  if (r.body.empty()) return "empty body";
  return Printable(r.body, 200);
}

}  // namespace

Status ErrorFromResponse(const HttpResponse& r, std::string_view what) {
  const std::string detail = ErrorDetail(r);
  const int s = r.status;
  if (s == 400 || s == 422) return InvalidArgumentError("{}: HTTP {}: {}", what, s, detail);
  if (s == 401) return UnauthenticatedError("{}: HTTP 401: {}", what, detail);
  if (s == 403) return PermissionDeniedError("{}: HTTP 403: {}", what, detail);
  if (s == 404) return NotFoundError("{}: HTTP 404: {}", what, detail);
  if (s == 408) return DeadlineExceededError("{}: HTTP 408: {}", what, detail);
  if (s == 409) return AlreadyExistsError("{}: HTTP 409: {}", what, detail);
  if (s == 413) return OutOfRangeError("{}: HTTP 413: {}", what, detail);
  if (s == 429) return ResourceExhaustedError("{}: HTTP 429: {}", what, detail);
  if (s >= 500 && s <= 599) return UnavailableError("{}: HTTP {}: {}", what, s, detail);
  return UnknownError("{}: unexpected HTTP {}: {}", what, s, detail);
}

Status ServerVersionGuard::Observe(const HttpResponse& response) {
  std::string header = response.Header("Server");
  if (header.empty()) return Status::Ok();
  std::optional<ServerVersion> v = ParseServerVersion(header);
  if (!v) return Status::Ok();
  bool vulnerable = IsVulnerableVersion(*v);
  bool warn = false;
  {
    std::lock_guard lock(mu_);
    version_ = v;
    if (vulnerable && !warned_) warn = warned_ = true;
  }
  if (warn) {
    LogError(
        "Cleo server runs a version with the 2024 unauthenticated file-write vulnerabilities "
        "(CVE-2024-50623, CVE-2024-55956, exploited by Cl0p); upgrade to 5.8.0.24 or later now",
        {{"server_version", v->ToString()}, {"first_safe", "5.8.0.24"}});
  }
  if (vulnerable && refuse_) {
    return PermissionDeniedError(
        "refusing to talk to {}: versions before 5.8.0.24 allow unauthenticated file writes",
        v->ToString());
  }
  return Status::Ok();
}

std::optional<ServerVersion> ServerVersionGuard::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

bool ServerVersionGuard::vulnerable() const {
  std::lock_guard lock(mu_);
  return version_ && IsVulnerableVersion(*version_);
}

Session::Session(HttpClient& http, SessionOptions options, const Clock& clock)
    : http_(http),
      options_(std::move(options)),
      clock_(clock),
      guard_(options_.refuse_vulnerable_server),
      stats_(options_.stats != nullptr ? options_.stats : &ProcessCallStats()) {
  RegisterSecret(options_.password);
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
}

int Session::token_fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

Result<std::string> Session::Token(std::string_view rejected) {
  std::unique_lock lock(mu_);
  for (;;) {
    const bool young = options_.token_max_age.count() == 0 ||
                       clock_.Steady() - token_time_ < options_.token_max_age;
    if (!token_.empty() && token_ != rejected && young) return token_;
    if (!fetching_) break;
    cv_.wait(lock);  // another caller is fetching: use its token (or try ourselves if it failed)
  }
  fetching_ = true;
  ++fetches_;
  lock.unlock();
  Result<std::string> fetched = FetchToken();
  stats_->RecordLogin(fetched.ok());
  lock.lock();
  fetching_ = false;
  if (fetched.ok()) {
    token_ = *fetched;
    token_time_ = clock_.Steady();
  } else {
    token_.clear();
  }
  cv_.notify_all();
  return fetched;
}

Result<std::string> Session::FetchToken() {
  HttpRequest req;
  req.method = "POST";
  req.url = options_.base_url + "/api/authentication";
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.headers["Accept"] = "application/json";
  req.body = FormEncode({{"grant_type", "password"},
                         {"username", options_.username},
                         {"password", options_.password}});
  req.timeout = options_.request_timeout;
  req.connect_timeout = options_.connect_timeout;
  ASSIGN_OR_RETURN(HttpResponse resp,
                   std::move(http_.Send(req)).WithContext("cleo authentication"));
  RETURN_IF_ERROR(guard_.Observe(resp));
  if (resp.status == 400 || resp.status == 401 || resp.status == 403) {
    return PermissionDeniedError("cleo rejected the credentials of user '{}': HTTP {}: {}",
                                 Printable(options_.username), resp.status, ErrorDetail(resp));
  }
  if (resp.status < 200 || resp.status > 299) {
    return ErrorFromResponse(resp, "cleo authentication");
  }
  nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string() ||
      j["access_token"].get<std::string>().empty()) {
    return DataLossError("cleo authentication: HTTP {} without an access_token", resp.status);
  }
  std::string token = j["access_token"].get<std::string>();
  RegisterSecret(token);
  return token;
}

Result<HttpResponse> Session::Call(std::string_view method, std::string_view path_and_query,
                                   std::string body, HttpHeaders headers) {
  const std::string what = fmt::format("cleo {} {}", method, Printable(path_and_query, 200));
  RetryLoop loop(options_.retry, options_.sleeper);
  return loop.Run([&](RetryAttempt& attempt) -> Result<HttpResponse> {
    if (attempt.number > 1) stats_->RecordRetry();
    std::string rejected;
    for (int auth_try = 0; auth_try < 2; ++auth_try) {
      if (auth_try > 0) stats_->RecordRelogin();
      ASSIGN_OR_RETURN(std::string token, Token(rejected));
      HttpRequest req;
      req.method = std::string(method);
      req.url = options_.base_url + std::string(path_and_query);
      req.headers = headers;
      req.headers["Authorization"] = "Bearer " + token;
      if (!req.headers.count("Accept")) req.headers["Accept"] = "application/json";
      req.body = body;
      req.timeout = options_.request_timeout;
      req.connect_timeout = options_.connect_timeout;
      Result<HttpResponse> sent = http_.Send(req);
      if (!sent.ok()) stats_->RecordTransportError();
      ASSIGN_OR_RETURN(HttpResponse resp, std::move(sent).WithContext(what));
      stats_->RecordResponse(resp.status);
      RETURN_IF_ERROR(guard_.Observe(resp));
      if (resp.status == 401) {
        rejected = token;  // expired or revoked: get a new one and repeat once
        continue;
      }
      if (resp.status == 429) {
        if (auto after = ParseRetryAfter(resp.Header("Retry-After"))) {
          attempt.retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(*after);
        }
        return ErrorFromResponse(resp, what);
      }
      if (resp.status >= 500) return ErrorFromResponse(resp, what);
      return resp;
    }
    return UnauthenticatedError("{}: HTTP 401 even with a freshly obtained token", what);
  });
}

Result<nlohmann::json> Session::CallJson(std::string_view what, std::string_view method,
                                         std::string_view path_and_query,
                                         const nlohmann::json* body) {
  HttpHeaders headers;
  std::string text;
  if (body != nullptr) {
    headers["Content-Type"] = "application/json";
    text = body->dump();
  }
  ASSIGN_OR_RETURN(HttpResponse resp,
                   std::move(Call(method, path_and_query, std::move(text), std::move(headers)))
                       .WithContext(what));
  if (resp.status < 200 || resp.status > 299) return ErrorFromResponse(resp, what);
  if (resp.body.empty()) return nlohmann::json();
  nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return DataLossError("{}: HTTP {} with a body that is not JSON", what, resp.status);
  return j;
}

}  // namespace mlc::cleo
