#include "server/console.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/civil_time.h"
#include "common/redact.h"
#include "flows/runner.h"
#include "server/ack_status.h"
#include "server/console_assets/assets.h"
#include "store/store.h"

namespace mlc::server {
namespace {

using nlohmann::json;

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;
constexpr size_t kMaxUnacknowledgedListed = 100;

// Headers every console answer carries; the page additionally gets a strict CSP.
constexpr std::string_view kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string Dump(const json& j) {
  // Replace invalid UTF-8 (a stored error message from a partner's bytes) instead of throwing.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

ConsoleResponse JsonResponse(int status, const json& body) {
  ConsoleResponse r;
  r.status = status;
  r.body = Dump(body);
  return r;
}

ConsoleResponse Error(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, {{"error", {{"code", code}, {"message", Redact(message)}}}});
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
      return 503;
    default:
      return 500;
  }
}

ConsoleResponse StatusError(const Status& s) {
  return Error(HttpStatusFor(s), StatusCodeName(s.code()), s.message());
}

json Time(Instant t) { return FormatIso8601(t); }
json TimeOrNull(const std::optional<Instant>& t) { return t ? Time(*t) : json(nullptr); }

json DocumentJson(const store::Document& d) {
  json j = {
      {"id", d.id},
      {"flow", d.flow},
      {"idempotency_key", d.idempotency_key},
      {"direction", store::DirectionName(d.direction)},
      {"type", d.type},
      {"partner", d.partner},
      {"po_number", d.po_number},
      {"invoice_number", d.invoice_number},
      {"control", {{"isa13", d.control.isa13}, {"gs06", d.control.gs06}, {"st02", d.control.st02}}},
      {"step", d.step},
      {"state", store::DocStateName(d.state)},
      {"attempts", d.attempts},
      {"next_attempt_at",
       d.state == store::DocState::kRetryWait ? Time(d.next_attempt_at) : json(nullptr)},
      {"lease_owner", d.lease_owner},
      {"lease_expires_at", TimeOrNull(d.lease_expires_at)},
      {"created_at", Time(d.created_at)},
      {"updated_at", Time(d.updated_at)},
  };
  j["last_error"] = d.last_error_code.empty() && d.last_error_message.empty()
                        ? json(nullptr)
                        : json{{"code", d.last_error_code},
                               {"message", Redact(d.last_error_message)},
                               {"retry_class", d.last_retry_class}};
  return j;
}

json AuditJson(const store::AuditEvent& e) {
  json j = {{"id", e.id},       {"at", Time(e.at)},           {"event", e.event}, {"step", e.step},
            {"actor", e.actor}, {"detail", Redact(e.detail)}, {"error", nullptr}};
  if (!e.error_code.empty()) {
    j["error"] = {{"code", e.error_code},
                  {"message", Redact(e.error_message)},
                  {"retry_class", e.retry_class}};
  }
  return j;
}

std::string FormatDuration(std::chrono::milliseconds d) {
  // "1d2h", "45m", "30s": largest units first, zero parts left out.
  int64_t s = d.count() / 1000;
  if (s <= 0) return "0s";
  std::string out;
  const std::pair<int64_t, const char*> units[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (const auto& [n, u] : units) {
    if (s >= n) {
      out += std::to_string(s / n) + u;
      s %= n;
    }
  }
  return out;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "2026-01-05" or an ISO 8601 timestamp; a date-only value is that day's midnight UTC, or the
// next day's when `end_of_day` (so `until=2026-01-05` includes the 5th).
Result<Instant> ParseTimeParam(std::string_view name, std::string_view value, bool end_of_day) {
  if (value.size() == 10) {
    auto date = ParseIsoDate(value);
    if (!date.ok()) return InvalidArgumentError("{}: '{}' is not a date (YYYY-MM-DD)", name, value);
    Instant t = ToInstant(*date);
    if (end_of_day) t += std::chrono::hours(24);
    return t;
  }
  auto t = ParseIso8601(value);
  if (!t.ok()) {
    return InvalidArgumentError("{}: '{}' is not a date or an ISO 8601 timestamp", name, value);
  }
  return *t;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

std::string Header(const ConsoleRequest& req, const std::string& name) {
  auto it = req.headers.find(name);
  return it == req.headers.end() ? std::string() : it->second;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 4096) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t pad = in.ends_with("==") ? 2 : in.ends_with('=') ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// The host part of a Host header ("localhost:8080", "[::1]:80", "127.0.0.1").
std::string_view HostOnly(std::string_view host) {
  if (host.starts_with('[')) {
    size_t end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(0, end + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

// A replay actor from a basic-auth user name: printable ASCII, at most 64 characters.
std::string ActorName(std::string_view user) {
  std::string out;
  for (char c : user.substr(0, 64)) {
    if (c > 0x20 && c < 0x7f) out += c;
  }
  return out.empty() ? "console" : out;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  if (host == "localhost" || host == "::1") return true;
  static const config::Cidr kLoopback4 = *config::ParseCidr("127.0.0.0/8");
  return kLoopback4.Contains(host) && host.find(':') == std::string_view::npos;
}

ConsoleApi::ConsoleApi(store::Store& store, flows::FlowRunner* runner,
                       std::vector<config::PartnerConfig> partners, const Clock& clock,
                       ConsoleOptions options)
    : store_(store),
      runner_(runner),
      partners_(std::move(partners)),
      clock_(clock),
      options_(std::move(options)) {
  RegisterSecret(options_.auth_token);
}

bool ConsoleApi::Owns(std::string_view path) {
  return path == "/" || path.starts_with("/assets/") || path.starts_with("/api/") || path == "/api";
}

ConsoleResponse ConsoleApi::Handle(const ConsoleRequest& req) const {
  const bool auth_required = !req.loopback_listener || !options_.auth_token.empty();
  std::string actor = "console";
  if (auth_required) {
    ConsoleResponse denied = Error(401, "UNAUTHENTICATED",
                                   "authentication required (Authorization: Bearer <token>, or "
                                   "basic auth with the console token as the password)");
    denied.headers.emplace_back("WWW-Authenticate",
                                "Basic realm=\"ml-connector console\", charset=\"UTF-8\"");
    if (options_.auth_token.empty()) {
      // Listening beyond loopback without a token: refuse everyone rather than serve openly.
      return Error(403, "PERMISSION_DENIED",
                   "the console listens on a non-loopback address and server.console.auth_token "
                   "is not set");
    }
    const std::string header = Header(req, "authorization");
    const std::string_view auth = header;
    bool ok = false;
    if (auth.starts_with("Bearer ")) {
      ok = ConstantTimeEquals(auth.substr(7), options_.auth_token);
    } else if (auth.starts_with("Basic ")) {
      const std::string decoded = Base64Decode(auth.substr(6)).value_or("");
      const std::string_view user_pass = decoded;
      const size_t colon = user_pass.find(':');
      if (colon != std::string_view::npos) {
        ok = ConstantTimeEquals(user_pass.substr(colon + 1), options_.auth_token);
        if (ok) actor = ActorName(user_pass.substr(0, colon));
      }
    }
    if (!ok) return denied;
  } else if (!IsLoopbackHost(HostOnly(Header(req, "host")))) {
    // Open console on loopback: a page on another site that rebinds its DNS name to 127.0.0.1
    // would send its own name as Host.
    return Error(403, "PERMISSION_DENIED", "Host header must name a loopback address");
  }

  if (req.method == "POST") {
    if (Header(req, "x-mlc-console") != "1") {
      return Error(403, "PERMISSION_DENIED", "POST requires the header X-MLC-Console: 1");
    }
    const std::string origin = Header(req, "origin");
    if (!origin.empty() && origin != "http://" + Header(req, "host") &&
        origin != "https://" + Header(req, "host")) {
      return Error(403, "PERMISSION_DENIED", "cross-origin POST refused");
    }
  } else if (req.method != "GET" && req.method != "HEAD") {
    return Error(405, "UNIMPLEMENTED", "method not allowed");
  }

  ConsoleResponse res;
  try {
    res = Route(req, actor);
  } catch (const std::exception& e) {  // nlohmann on a malformed body, bad_alloc
    res = Error(500, "INTERNAL", e.what());
  }
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("Content-Security-Policy", std::string(kCsp));
  return res;
}

ConsoleResponse ConsoleApi::Route(const ConsoleRequest& req, const std::string& actor) const {
  const std::vector<std::string> p = SplitPath(req.path);
  const bool get = req.method != "POST";

  // --- the page ---
  if (p.empty() || (p.size() == 2 && p[0] == "assets")) {
    if (!get) return Error(405, "UNIMPLEMENTED", "method not allowed");
    const ConsoleAsset* a = FindConsoleAsset(p.empty() ? "index.html" : p[1]);
    if (a == nullptr) return Error(404, "NOT_FOUND", "no such asset");
    ConsoleResponse r;
    r.content_type = std::string(a->content_type);
    r.body = std::string(a->data);
    return r;
  }
  if (p[0] != "api" || p.size() < 2) return Error(404, "NOT_FOUND", "no such page");

  auto param = [&](const char* name) -> std::optional<std::string> {
    auto it = req.params.find(name);
    if (it == req.params.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  // Shared by /api/documents and /api/parked.
  auto list = [&](store::DocumentQuery q) -> ConsoleResponse {
    q.partner = param("partner");
    q.type = param("type");
    q.flow = param("flow");
    q.business_key = param("q");
    if (auto s = param("state"); s && !q.state) {
      q.state = store::ParseDocState(*s);
      if (!q.state) return Error(400, "INVALID_ARGUMENT", "state: unknown state '" + *s + "'");
    }
    for (const char* name : {"since", "until"}) {
      if (auto v = param(name)) {
        auto t = ParseTimeParam(name, *v, std::string_view(name) == "until");
        if (!t.ok()) return StatusError(t.status());
        (std::string_view(name) == "since" ? q.since : q.until) = *t;
      }
    }
    int limit = kDefaultLimit;
    if (auto v = param("limit")) {
      auto n = ParseInt(*v);
      if (!n || *n < 1 || *n > kMaxLimit) {
        return Error(400, "INVALID_ARGUMENT", "limit: must be 1 to " + std::to_string(kMaxLimit));
      }
      limit = static_cast<int>(*n);
    }
    if (auto v = param("after_id")) {
      auto n = ParseInt(*v);
      if (!n || *n < 0) return Error(400, "INVALID_ARGUMENT", "after_id: must be a document id");
      q.after_id = *n;
    }
    q.limit = limit + 1;  // one more tells whether there is a next page
    auto docs = store_.ListDocuments(q);
    if (!docs.ok()) return StatusError(docs.status());
    json out = json::array();
    for (size_t i = 0; i < docs->size() && i < static_cast<size_t>(limit); ++i) {
      out.push_back(DocumentJson((*docs)[i]));
    }
    json next =
        docs->size() > static_cast<size_t>(limit) ? json((*docs)[limit - 1].id) : json(nullptr);
    return JsonResponse(200, {{"documents", out}, {"next_after_id", next}});
  };

  const std::string& what = p[1];
  if (what == "documents" && p.size() == 2 && get) return list({});
  if (what == "parked" && p.size() == 2 && get) {
    store::DocumentQuery q;
    q.state = store::DocState::kParked;
    return list(q);
  }
  if (what == "documents" && p.size() >= 3) {
    auto id = ParseInt(p[2]);
    if (!id || *id <= 0) return Error(404, "NOT_FOUND", "no document '" + p[2] + "'");
    if (p.size() == 3 && get) {
      auto doc = store_.GetDocument(*id);
      if (!doc.ok()) return StatusError(doc.status());
      json timeline = json::array();
      store::AuditQuery aq;
      aq.document_id = *id;
      aq.limit = 500;
      for (;;) {  // every event, a page at a time
        auto events = store_.QueryAudit(aq);
        if (!events.ok()) return StatusError(events.status());
        for (const auto& e : *events) timeline.push_back(AuditJson(e));
        if (events->size() < static_cast<size_t>(aq.limit)) break;
        aq.after_id = events->back().id;
      }
      auto payloads = store_.ListPayloads(*id);
      if (!payloads.ok()) return StatusError(payloads.status());
      json pl = json::array();
      for (const auto& x : *payloads) {
        pl.push_back({{"step", x.step},
                      {"kind", x.kind},
                      {"media_type", x.media_type},
                      {"size", x.data.size()},
                      {"stored_size", x.stored_size},
                      {"created_at", Time(x.created_at)}});
      }
      return JsonResponse(
          200, {{"document", DocumentJson(*doc)}, {"timeline", timeline}, {"payloads", pl}});
    }
    if (p.size() == 6 && p[3] == "payloads" && get) {
      auto payload = store_.GetPayload(*id, p[4], p[5]);
      if (!payload.ok()) return StatusError(payload.status());
      ConsoleResponse r;
      // Always text/plain: a stored payload must never be interpreted as a page by the browser.
      r.content_type = "text/plain; charset=utf-8";
      r.headers.emplace_back("X-MLC-Media-Type", payload->media_type);
      r.body = std::move(payload->data);
      return r;
    }
    if (p.size() == 4 && p[3] == "replay" && !get) {
      std::string reason = "replayed from the console";
      if (!req.body.empty()) {
        json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
        if (!body.is_object())
          return Error(400, "INVALID_ARGUMENT", "body: expected a JSON object");
        if (body.contains("reason") && body["reason"].is_string() &&
            !body["reason"].get<std::string>().empty()) {
          reason = body["reason"].get<std::string>().substr(0, 500);
        }
      }
      Status s = store_.Replay(*id, actor, reason);
      if (!s.ok()) return StatusError(s);
      auto doc = store_.GetDocument(*id);
      if (!doc.ok()) return StatusError(doc.status());
      return JsonResponse(200, {{"document", DocumentJson(*doc)}, {"actor", actor}});
    }
    return Error(404, "NOT_FOUND", "no such API path");
  }

  if (what == "partners" && p.size() == 2 && get) {
    const Instant now = clock_.Now();
    json out = json::array();
    for (const auto& partner : partners_) {
      auto ack = PartnerAckStatus(store_, partner, now, options_.ack_window,
                                  kMaxUnacknowledgedListed);
      if (!ack.ok()) return StatusError(ack.status());
      const auto within = partner.expect_997_within;
      const int64_t n_acked = ack->acknowledged, n_overdue = ack->overdue,
                    n_awaiting = ack->awaiting;
      json waiting = json::array();
      for (const auto& u : ack->unacknowledged) {
        const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - u.sent_at);
        auto doc = store_.GetDocument(u.document_id);
        waiting.push_back({{"document_id", u.document_id},
                           {"po_number", doc.ok() ? doc->po_number : ""},
                           {"sent_at", Time(u.sent_at)},
                           {"age_seconds", age.count()},
                           {"age", FormatDuration(age)},
                           {"overdue", u.overdue}});
      }
      std::string status = within.count() == 0 ? "not_expected"
                           : n_overdue > 0     ? "overdue"
                           : n_awaiting > 0    ? "awaiting"
                                               : "ok";
      out.push_back({{"id", partner.id},
                     {"name", partner.name},
                     {"documents", partner.documents},
                     {"usage", std::string(1, partner.usage)},
                     {"x12_version", partner.x12_version},
                     {"expect_997_within", FormatDuration(within)},
                     {"expect_997_within_seconds", within.count() / 1000},
                     {"ack",
                      {{"status", status},
                       {"window_days", options_.ack_window.count() / 24},
                       {"sent", ack->sent},
                       {"acknowledged", n_acked},
                       {"awaiting", n_awaiting},
                       {"overdue", n_overdue},
                       {"unacknowledged", waiting}}}});
    }
    return JsonResponse(200, {{"partners", out}, {"now", Time(now)}});
  }

  if (what == "flows" && p.size() == 2 && get) {
    json out = json::array();
    if (runner_ != nullptr) {
      for (const auto& f : runner_->status()) {
        json counts = json::object();
        for (const auto& [k, v] : f.last_summary.counts) counts[k] = v;
        out.push_back(
            {{"name", f.name},
             {"schedule", f.schedule},
             {"runs", f.runs},
             {"failures", f.failures},
             {"running", f.running},
             {"last_start", TimeOrNull(f.last_start)},
             {"last_end", TimeOrNull(f.last_end)},
             {"next_due", TimeOrNull(f.next_due)},
             {"last_status", f.runs == 0 ? json(nullptr)
                                         : json{{"ok", f.last_status.ok()},
                                                {"code", StatusCodeName(f.last_status.code())},
                                                {"message", Redact(f.last_status.message())}}},
             {"last_summary", {{"counts", counts}, {"notes", f.last_summary.notes}}}});
      }
    }
    return JsonResponse(200, {{"flows", out}, {"runner", runner_ != nullptr}});
  }
  if (what == "flows" && p.size() == 4 && p[3] == "run" && !get) {
    if (runner_ == nullptr) return Error(503, "UNAVAILABLE", "no flow runner in this process");
    Status s = runner_->Trigger(p[2]);
    if (!s.ok()) return StatusError(s);
    return JsonResponse(202, {{"triggered", p[2]}});
  }
  return Error(404, "NOT_FOUND", "no such API path");
}

}  // namespace mlc::server
