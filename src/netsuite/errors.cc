#include "netsuite/errors.h"

#include <cctype>

#include <nlohmann/json.hpp>

namespace mlc::netsuite {
namespace {

constexpr std::string_view kConcurrency = "CONCURRENCY_LIMIT_EXCEEDED";

std::string StringAt(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Printable, bounded text for messages: control bytes become spaces, long text is cut.
std::string Printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  }
  if (s.size() > max) out += "...";
  return out;
}

bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

bool IsDuplicate(const ErrorBody& e) {
  for (const auto& d : e.details) {
    if (d.error_code == "IDEMPOTENCY_ERROR" || d.error_code.starts_with("DUP_") ||
        Contains(d.detail, "already exists")) {
      return true;
    }
  }
  return e.error_code == "IDEMPOTENCY_ERROR";
}

bool IsBadRequestShape(const ErrorBody& e) {
  if (e.title == "Invalid search query.") return true;
  static constexpr std::string_view kCodes[] = {"INVALID_CONTENT",    "INVALID_REQUEST",
                                                "INVALID_PARAMETER",  "NONEXISTENT_FIELD",
                                                "INVALID_KEY_OR_REF", "INVALID_FLD_VALUE",
                                                "invalid_request",    "unsupported_grant_type"};
  for (const auto& d : e.details) {
    for (auto c : kCodes) {
      if (d.error_code == c) return true;
    }
    if (Contains(d.detail, "Invalid search query") || Contains(d.detail, "Search error occurred")) {
      return true;
    }
  }
  for (auto c : kCodes) {
    if (e.error_code == c) return true;
  }
  return false;
}

}  // namespace

bool ErrorBody::IsConcurrencyLimit() const {
  if (Contains(error_code, kConcurrency) || Contains(title, kConcurrency)) return true;
  for (const auto& d : details) {
    if (Contains(d.error_code, kConcurrency) || Contains(d.detail, kConcurrency)) return true;
  }
  return false;
}

std::string ErrorBody::PrimaryCode() const {
  if (!details.empty() && !details.front().error_code.empty()) return details.front().error_code;
  return error_code;
}

std::optional<ErrorBody> ParseErrorBody(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  ErrorBody e;
  e.type = StringAt(j, "type");
  e.title = StringAt(j, "title");
  e.error_code = StringAt(j, "o:errorCode");
  if (auto it = j.find("status"); it != j.end() && it->is_number_integer()) {
    e.status = it->get<int>();
  }
  if (auto it = j.find("o:errorDetails"); it != j.end() && it->is_array()) {
    for (const auto& d : *it) {
      if (!d.is_object()) continue;
      e.details.push_back(
          {StringAt(d, "detail"), StringAt(d, "o:errorCode"), StringAt(d, "o:errorPath")});
    }
  }
  // OAuth 2.0 token endpoint form (RFC 6749 5.2).
  if (std::string oauth = StringAt(j, "error"); !oauth.empty()) {
    if (e.error_code.empty()) e.error_code = oauth;
    e.details.push_back({StringAt(j, "error_description"), oauth, ""});
  }
  if (e.title.empty() && e.error_code.empty() && e.details.empty()) return std::nullopt;
  return e;
}

bool IsConcurrencyRejection(const HttpResponse& r) {
  if (r.status == 429) return true;
  if (r.status != 400) return false;
  if (!Contains(r.body, kConcurrency)) return false;
  auto e = ParseErrorBody(r.body);
  return e && e->IsConcurrencyLimit();
}

Status ErrorFromResponse(const HttpResponse& r, std::string_view operation) {
  const std::optional<ErrorBody> e = ParseErrorBody(r.body);
  std::string what;
  if (e) {
    const std::string code = e->PrimaryCode();
    std::string detail = e->details.empty() ? e->title : e->details.front().detail;
    what = code.empty() ? Printable(detail, 400) : code + ": " + Printable(detail, 400);
    if (!e->details.empty() && !e->details.front().error_path.empty()) {
      what += " (at " + Printable(e->details.front().error_path, 100) + ")";
    }
    if (e->details.size() > 1) what += fmt::format(" (+{} more)", e->details.size() - 1);
  } else {
    what = r.body.empty() ? "empty body" : Printable(r.body, 200);
  }
  const int s = r.status;
  if (s == 429 || (e && e->IsConcurrencyLimit())) {
    return ResourceExhaustedError("{}: HTTP {} {}", operation, s, what);
  }
  if (s == 400) {
    if (e && IsDuplicate(*e)) return AlreadyExistsError("{}: HTTP 400 {}", operation, what);
    if (e && IsBadRequestShape(*e)) return InvalidArgumentError("{}: HTTP 400 {}", operation, what);
    return FailedPreconditionError("{}: HTTP 400 {}", operation, what);
  }
  if (s == 401) return UnauthenticatedError("{}: HTTP 401 {}", operation, what);
  if (s == 403) return PermissionDeniedError("{}: HTTP 403 {}", operation, what);
  if (s == 404) return NotFoundError("{}: HTTP 404 {}", operation, what);
  if (s == 408) return DeadlineExceededError("{}: HTTP 408 {}", operation, what);
  if (s >= 500 && s <= 599) return UnavailableError("{}: HTTP {} {}", operation, s, what);
  return UnknownError("{}: unexpected HTTP {} {}", operation, s, what);
}

}  // namespace mlc::netsuite
