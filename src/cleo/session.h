// Session: authenticated calls to the Harmony / VLTrader / Cleo Integration Cloud REST API.
//
// Authentication is the password grant Cleo's own clients use (cleo.md section 1.1):
//   POST {base}/api/authentication   Content-Type: application/x-www-form-urlencoded
//   grant_type=password&username=...&password=...   ->  200 {"access_token": "..."}
// and `Authorization: Bearer <token>` on every later call. The token is cached and shared by
// every thread using the Session; only one thread fetches a new token at a time, the others wait
// for it. A token is re-obtained when a call answers 401 (once per call attempt) and, proactively,
// once it is older than `token_max_age` (Cleo publishes no lifetime; treat it as opaque). The
// password and every token are registered with RegisterSecret at once, so they never reach a log
// line or an error message.
//
// Calls are retried in-process on retriable outcomes (transport errors, 5xx, 429 with
// Retry-After, a 401 right after a fresh token) with `retry` as the backoff policy; anything
// else comes back at once. Every attempt, retry, re-login and token request is counted in a
// CallStats (call_stats.h). Error responses become Status through ErrorFromResponse, which reads
// Cleo's `{"message": ...}` body.
//
// Every response's Server header is shown to a ServerVersionGuard: a Harmony/VLTrader before
// 5.8.0.24 (the 2024 unauthenticated file-write vulnerabilities) is reported at ERROR level
// once per guard, and refused when `refuse_vulnerable_server` is set.
//
// Thread safety: every member function may be called from any thread. The HttpClient and Clock
// must outlive the Session.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "cleo/call_stats.h"
#include "cleo/names.h"
#include "common/clock.h"
#include "common/http_client.h"
#include "common/retry.h"
#include "common/status.h"

namespace mlc::cleo {

// Maps a non-2xx Cleo response to a Status whose message starts with `what` and carries the
// body's "message" (or a short printable cut of a non-JSON body):
//   400, 422 -> INVALID_ARGUMENT     401 -> UNAUTHENTICATED        403 -> PERMISSION_DENIED
//   404      -> NOT_FOUND            409 -> ALREADY_EXISTS          413 -> OUT_OF_RANGE
//   408      -> DEADLINE_EXCEEDED    429 -> RESOURCE_EXHAUSTED      5xx -> UNAVAILABLE
//   anything else -> UNKNOWN.
Status ErrorFromResponse(const HttpResponse& response, std::string_view what);

// Watches Server headers for vulnerable Harmony/VLTrader versions (see names.h).
class ServerVersionGuard {
 public:
  explicit ServerVersionGuard(bool refuse_vulnerable) : refuse_(refuse_vulnerable) {}
  // Looks at `response`'s Server header. Logs an ERROR the first time a vulnerable version is
  // seen. Returns PERMISSION_DENIED for a vulnerable version when refusing, else OK.
  Status Observe(const HttpResponse& response);
  std::optional<ServerVersion> version() const;
  bool vulnerable() const;

 private:
  const bool refuse_;
  mutable std::mutex mu_;
  std::optional<ServerVersion> version_;
  bool warned_ = false;
};

struct SessionOptions {
  std::string base_url;  // "https://harmony.example.com:6080" (no trailing "/api")
  std::string username;
  std::string password;
  // Re-authenticate before using a token older than this; zero = only on 401.
  std::chrono::milliseconds token_max_age{std::chrono::minutes(30)};
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds connect_timeout{10000};
  BackoffPolicy retry{.initial = std::chrono::milliseconds(200),
                      .multiplier = 2.0,
                      .max_delay = std::chrono::milliseconds(5000),
                      .max_attempts = 4};
  RetryLoop::Sleeper sleeper;  // null: really sleep (tests record instead)
  bool refuse_vulnerable_server = false;
  CallStats* stats = nullptr;  // null: ProcessCallStats() (call_stats.h)
};

class Session {
 public:
  // Registers the password as a secret. Errors surface on the first call (a malformed base URL is
  // INVALID_ARGUMENT from the HttpClient).
  Session(HttpClient& http, SessionOptions options, const Clock& clock = SystemClock::Get());
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sends `method` `base_url + path_and_query` (path starts with "/api/") with the bearer token
  // and `body`/`headers`, re-authenticating and retrying as described above. Returns the final
  // response for any status below 500 other than 401 and 429 (the caller interprets 4xx with
  // ErrorFromResponse); returns the error after retries are used up.
  Result<HttpResponse> Call(std::string_view method, std::string_view path_and_query,
                            std::string body = "", HttpHeaders headers = {});

  // Call, then: 2xx with a JSON body (or empty: null) -> the parsed JSON; other statuses ->
  // ErrorFromResponse(`what`); an unparsable 2xx body -> DATA_LOSS.
  Result<nlohmann::json> CallJson(std::string_view what, std::string_view method,
                                  std::string_view path_and_query,
                                  const nlohmann::json* body = nullptr);

  // A valid token, fetching one if there is none, it is too old, or it equals `rejected` (the
  // token a 401 was answered for). Errors: PERMISSION_DENIED when Cleo rejects the credentials,
  // DATA_LOSS for a 2xx without access_token, transport errors as they come.
  Result<std::string> Token(std::string_view rejected = {});

  std::optional<ServerVersion> server_version() const { return guard_.version(); }
  bool server_vulnerable() const { return guard_.vulnerable(); }
  // Number of token requests sent (for tests and metrics).
  int token_fetches() const;
  const SessionOptions& options() const { return options_; }
  // Where this session's calls are counted.
  const CallStats& stats() const { return *stats_; }

 private:
  Result<std::string> FetchToken();

  HttpClient& http_;
  SessionOptions options_;
  const Clock& clock_;
  ServerVersionGuard guard_;
  CallStats* stats_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string token_;  // empty: none
  std::chrono::steady_clock::time_point token_time_{};
  bool fetching_ = false;
  int fetches_ = 0;
};

}  // namespace mlc::cleo
