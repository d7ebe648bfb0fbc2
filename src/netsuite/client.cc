#include "netsuite/client.h"

#include <cctype>
#include <random>
#include <thread>
#include <utility>

#include "common/log.h"
#include "netsuite/auth.h"
#include "netsuite/errors.h"

namespace mlc::netsuite {
namespace {

constexpr std::string_view kRecordPath = "/services/rest/record/v1/";
constexpr std::string_view kSuiteQlPath = "/services/rest/query/v1/suiteql";

uint64_t DefaultRandom() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng();
}

bool IsSafeSegment(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '_' && c != '-' && c != ':') return false;
  }
  return true;
}

Result<std::string> ExternalIdOf(const nlohmann::json& body, std::string_view operation) {
  if (!body.is_object()) return InvalidArgumentError("{}: body is not a JSON object", operation);
  auto it = body.find("externalId");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    return InvalidArgumentError(
        "{}: the body must carry an externalId so that a retry cannot create a second record",
        operation);
  }
  std::string eid = it->get<std::string>();
  if (!IsPathSafeExternalId(eid)) {
    return InvalidArgumentError("{}: externalId '{}' may hold only letters, digits, '_' and '-'",
                                operation, eid);
  }
  return eid;
}

bool IsAmbiguous(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
}

}  // namespace

Result<std::string> ResolveBaseUrl(std::string_view account_id, std::string_view override_url) {
  if (!override_url.empty()) {
    std::string u(override_url);
    while (!u.empty() && u.back() == '/') u.pop_back();
    return u;
  }
  ASSIGN_OR_RETURN(AccountId a, ParseAccountId(account_id));
  return DefaultBaseUrl(a);
}

std::string RandomUuid() {
  std::string h = RandomHex(16);
  h[12] = '4';                                              // version 4
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];  // RFC 4122 variant
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

Result<std::string> IdFromLocation(std::string_view location) {
  while (!location.empty() && location.back() == '/') location.remove_suffix(1);
  const size_t slash = location.rfind('/');
  std::string_view id = slash == std::string_view::npos ? location : location.substr(slash + 1);
  if (id.empty()) return DataLossError("NetSuite answered without a usable Location header");
  for (char c : id) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return DataLossError("Location header '{}' does not end in a record id", location);
    }
  }
  return std::string(id);
}

bool IsPathSafeExternalId(std::string_view eid) {
  if (eid.empty()) return false;
  for (char c : eid) {
    auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '_' && c != '-') return false;
  }
  return true;
}

Client::Client(HttpClient& http, Authenticator& auth, ClientOptions options)
    : http_(http), auth_(auth), options_(std::move(options)), governor_(options_.concurrency_limit) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  if (options_.page_size < 1 || options_.page_size > kMaxPageSize) options_.page_size = kMaxPageSize;
  if (options_.retry.max_attempts < 1) options_.retry.max_attempts = 1;
}

ClientStats Client::stats() const {
  ClientStats s;
  s.requests = requests_.load();
  s.retries = retries_.load();
  s.succeeded = succeeded_.load();
  s.transport_errors = transport_errors_.load();
  s.concurrency_rejections = concurrency_rejections_.load();
  s.reauthentications = reauthentications_.load();
  s.ambiguous_writes = ambiguous_writes_.load();
  s.max_in_flight = governor_.max_in_flight();
  return s;
}

std::chrono::milliseconds Client::Backoff(int attempt,
                                          std::optional<std::chrono::milliseconds> hint) {
  if (hint) return std::min(*hint, options_.retry.max_retry_after);
  return options_.retry.Delay(attempt, options_.random ? options_.random() : DefaultRandom());
}

void Client::Sleep(std::chrono::milliseconds d) {
  if (options_.sleeper) {
    options_.sleeper(d);
  } else {
    std::this_thread::sleep_for(d);
  }
}

Result<HttpResponse> Client::Execute(const Call& call) {
  bool reauthenticated = false;
  const int max_attempts = options_.retry.max_attempts;
  Status last;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) ++retries_;
    std::optional<std::chrono::milliseconds> retry_after;
    bool retry_now = false;
    {
      Governor::Slot slot = governor_.Acquire();
      HttpRequest req;
      req.method = call.method;
      req.url = options_.base_url + call.path;
      req.headers = call.headers;
      req.headers["Accept"] = "application/json";
      req.body = call.body;
      req.timeout = options_.request_timeout;
      req.connect_timeout = options_.connect_timeout;
      Result<std::string> credential = auth_.Authorize(req);
      if (!credential.ok()) {
        last = credential.error().WithContext(call.operation);
      } else {
        ++requests_;
        Result<HttpResponse> r = http_.Send(req);
        slot.Release();
        if (!r.ok()) {
          ++transport_errors_;
          last = r.error().WithContext(call.operation);
          if (!call.idempotent && IsAmbiguous(last)) return last;
        } else if (r->status >= 200 && r->status <= 299) {
          ++succeeded_;
          return std::move(r).value();
        } else if (r->status == 401 && !reauthenticated) {
          reauthenticated = true;
          ++reauthentications_;
          auth_.Invalidate(*credential);
          last = ErrorFromResponse(*r, call.operation);
          retry_now = true;
        } else if (IsConcurrencyRejection(*r)) {
          ++concurrency_rejections_;
          last = ErrorFromResponse(*r, call.operation);
          if (auto ra = ParseRetryAfter(r->Header("Retry-After"))) retry_after = *ra;
        } else {
          last = ErrorFromResponse(*r, call.operation);
          if (r->status >= 500) {
            if (auto ra = ParseRetryAfter(r->Header("Retry-After"))) retry_after = *ra;
            if (!call.idempotent) return last;  // ambiguous: the caller resolves it
          } else {
            return last;  // definite 4xx (a second 401 included)
          }
        }
      }
    }
    if (!retry_now && !last.retriable()) return last;
    if (attempt >= max_attempts) {
      return last.WithContext(fmt::format("giving up after {} attempts", attempt));
    }
    if (!retry_now) {
      const auto d = Backoff(attempt, retry_after);
      LogDebug("retrying NetSuite call", {{"operation", call.operation},
                                          {"attempt", attempt},
                                          {"delay_ms", static_cast<int64_t>(d.count())}});
      Sleep(d);
    }
  }
}

Result<SuiteQlPage> Client::QueryPage(const SuiteQl& query, int limit, int64_t offset) {
  if (limit < 1 || limit > kMaxPageSize) {
    return InvalidArgumentError("SuiteQL limit must be 1..1000, got {}", limit);
  }
  if (offset < 0 || offset % limit != 0) {
    return InvalidArgumentError("SuiteQL offset {} must be a non-negative multiple of limit {}",
                                offset, limit);
  }
  if (offset >= kOffsetCeiling) {
    return FailedPreconditionError(
        "SuiteQL offset {} is past NetSuite's 100,000-row ceiling; page by key instead", offset);
  }
  ASSIGN_OR_RETURN(std::string text, query.Render());
  Call c;
  c.operation = "running SuiteQL query";
  c.method = "POST";
  c.path = fmt::format("{}?limit={}&offset={}", kSuiteQlPath, limit, offset);
  c.body = nlohmann::json{{"q", text}}.dump();
  c.headers["Content-Type"] = "application/json";
  c.headers["Prefer"] = "transient";
  ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  auto page = ParseSuiteQlPage(r.body);
  if (!page.ok()) return page.error().WithContext(c.operation);
  return page;
}

Status Client::QueryOffset(const SuiteQl& query, const std::function<Status(const Row&)>& on_row) {
  const int limit = options_.page_size;
  for (int64_t offset = 0;; offset += limit) {
    if (offset >= kOffsetCeiling) {
      return FailedPreconditionError(
          "SuiteQL result is larger than NetSuite's 100,000-row offset ceiling; use keyset paging");
    }
    ASSIGN_OR_RETURN(SuiteQlPage page, QueryPage(query, limit, offset));
    for (const Row& row : page.rows) RETURN_IF_ERROR(on_row(row));
    if (!page.has_more || page.rows.empty()) return Status::Ok();
  }
}

Result<std::optional<KeysetPosition>> Client::QueryKeyset(
    const KeysetQuery& query, std::optional<KeysetPosition> after,
    const std::function<Status(const Row&)>& on_row) {
  for (;;) {
    ASSIGN_OR_RETURN(std::string text, RenderKeysetPage(query, after));
    ASSIGN_OR_RETURN(SuiteQlPage page, QueryPage(SuiteQl(text), options_.page_size, 0));
    for (const Row& row : page.rows) {
      RETURN_IF_ERROR(on_row(row));
      ASSIGN_OR_RETURN(std::string first, row.Require(query.first.column));
      ASSIGN_OR_RETURN(std::string second, row.Require(query.second.column));
      after = KeysetPosition{std::move(first), std::move(second)};
    }
    if (!page.has_more || page.rows.empty()) return after;
  }
}

Result<nlohmann::json> Client::GetRecord(std::string_view type, std::string_view id,
                                         bool expand_sub_resources) {
  if (!IsSafeSegment(type) || !IsSafeSegment(id)) {
    return InvalidArgumentError("getting {} '{}': record type or id has unsafe characters", type,
                                id);
  }
  Call c;
  c.operation = fmt::format("getting {} {}", type, id);
  c.method = "GET";
  c.path = fmt::format("{}{}/{}{}", kRecordPath, type, id,
                       expand_sub_resources ? "?expandSubResources=true" : "");
  ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object()) return DataLossError("{}: the response is not a JSON object", c.operation);
  return j;
}

Result<std::optional<std::string>> Client::FindByExternalId(std::string_view type,
                                                            std::string_view external_id) {
  if (!IsPathSafeExternalId(external_id)) {
    return InvalidArgumentError("externalId '{}' may hold only letters, digits, '_' and '-'",
                                external_id);
  }
  Result<nlohmann::json> r = GetRecord(type, fmt::format("eid:{}", external_id), false);
  if (!r.ok()) {
    if (r.error().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return r.error();
  }
  auto it = r->find("id");
  if (it == r->end() || !it->is_string()) {
    return DataLossError("{} with externalId {} came back without an id", type, external_id);
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<WriteResult> Client::WriteOnce(Call call, std::string_view lookup_type,
                                      std::string_view external_id) {
  call.idempotent = false;
  call.headers["Content-Type"] = "application/json";
  call.headers["X-NetSuite-Idempotency-Key"] =
      options_.idempotency_key ? options_.idempotency_key() : RandomUuid();
  bool was_ambiguous = false;
  Status last;
  for (int round = 1; round <= options_.retry.max_attempts; ++round) {
    Result<HttpResponse> r = Execute(call);
    if (r.ok()) {
      ASSIGN_OR_RETURN(std::string id, IdFromLocation(r->Header("Location")));
      return WriteResult{id, was_ambiguous ? WriteResult::Outcome::kRecovered
                                           : WriteResult::Outcome::kCreated};
    }
    last = r.error();
    if (last.code() == StatusCode::kAlreadyExists || IsAmbiguous(last)) {
      // Duplicate externalId, a replayed idempotency key, or an unknown outcome: the record may
      // exist. Find it before anything is sent again.
      ASSIGN_OR_RETURN(std::optional<std::string> found, FindByExternalId(lookup_type, external_id));
      if (found) {
        if (IsAmbiguous(last) || was_ambiguous) {
          ++ambiguous_writes_;
          LogWarn("NetSuite create had an unknown outcome; found the record by externalId",
                  {{"operation", call.operation}, {"id", *found}});
          return WriteResult{*found, WriteResult::Outcome::kRecovered};
        }
        return WriteResult{*found, WriteResult::Outcome::kExisted};
      }
      if (!IsAmbiguous(last)) return last;  // duplicate reported, yet not found: a person looks
      was_ambiguous = true;
      if (round < options_.retry.max_attempts) {
        ++retries_;
        Sleep(Backoff(round, std::nullopt));
      }
      continue;
    }
    return last;
  }
  return last.WithContext(fmt::format("giving up after {} attempts", options_.retry.max_attempts));
}

Result<WriteResult> Client::Create(std::string_view type, const nlohmann::json& body) {
  const std::string op = fmt::format("creating {}", type);
  if (!IsSafeSegment(type)) return InvalidArgumentError("{}: unsafe record type", op);
  ASSIGN_OR_RETURN(std::string eid, ExternalIdOf(body, op));
  Call c;
  c.operation = fmt::format("creating {} {}", type, eid);
  c.method = "POST";
  c.path = fmt::format("{}{}", kRecordPath, type);
  c.body = body.dump();
  return WriteOnce(std::move(c), type, eid);
}

Status Client::Update(std::string_view type, std::string_view id, const nlohmann::json& body,
                      std::string_view query) {
  if (!IsSafeSegment(type) || !IsSafeSegment(id)) {
    return InvalidArgumentError("updating {} '{}': unsafe record type or id", type, id);
  }
  Call c;
  c.operation = fmt::format("updating {} {}", type, id);
  c.method = "PATCH";
  c.path = fmt::format("{}{}/{}{}{}", kRecordPath, type, id, query.empty() ? "" : "?", query);
  c.body = body.dump();
  c.headers["Content-Type"] = "application/json";
  return Execute(c).status();
}

Result<std::string> Client::Upsert(std::string_view type, std::string_view external_id,
                                   const nlohmann::json& body) {
  if (!IsSafeSegment(type) || !IsPathSafeExternalId(external_id)) {
    return InvalidArgumentError("upserting {} '{}': unsafe record type or externalId", type,
                                external_id);
  }
  Call c;
  c.operation = fmt::format("upserting {} {}", type, external_id);
  c.method = "PUT";
  c.path = fmt::format("{}{}/eid:{}", kRecordPath, type, external_id);
  c.body = body.dump();
  c.headers["Content-Type"] = "application/json";
  ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  return IdFromLocation(r.Header("Location"));
}

Result<WriteResult> Client::Transform(std::string_view from_type, std::string_view id,
                                      std::string_view to_type, const nlohmann::json& body,
                                      std::string_view query) {
  const std::string op = fmt::format("transforming {} {} to {}", from_type, id, to_type);
  if (!IsSafeSegment(from_type) || !IsSafeSegment(id) || !IsSafeSegment(to_type)) {
    return InvalidArgumentError("{}: unsafe record type or id", op);
  }
  ASSIGN_OR_RETURN(std::string eid, ExternalIdOf(body, op));
  Call c;
  c.operation = op;
  c.method = "POST";
  c.path = fmt::format("{}{}/{}/!transform/{}{}{}", kRecordPath, from_type, id, to_type,
                       query.empty() ? "" : "?", query);
  c.body = body.dump();
  return WriteOnce(std::move(c), to_type, eid);
}

}  // namespace mlc::netsuite
