// Client: the connector's NetSuite REST client (SuiteQL and the Record API).
//
// Every exchange goes through one path: take a Governor slot (at most `concurrency_limit`
// requests in flight), sign the attempt (Authenticator: fresh bearer token or fresh TBA nonce),
// send, and classify the answer:
//   2xx                                      -> done
//   401                                      -> invalidate the credential, retry once at once
//   429 / 400 CONCURRENCY_LIMIT_EXCEEDED     -> retry with backoff (Retry-After honoured)
//   5xx, dropped connection, timeout         -> retry with backoff when the call is idempotent
//                                               (reads, SuiteQL, PATCH, PUT eid upsert); for a
//                                               create/transform they are AMBIGUOUS (see below)
//   anything else                            -> the typed error (errors.h), naming the operation
// Retries give up after `retry.max_attempts` with "giving up after N attempts".
//
// Idempotent creates: Create and Transform require an externalId in the body and send
// X-NetSuite-Idempotency-Key. After an ambiguous failure the client looks the externalId up
// (GET /record/v1/{type}/eid:{externalId}) before sending again, and a duplicate-externalId or
// IDEMPOTENCY_ERROR answer is resolved by the same lookup, so a record is never created twice.
//
// SuiteQL: QueryPage sends POST /services/rest/query/v1/suiteql?limit=&offset= with
// `Prefer: transient`. QueryOffset pages by offset (refuses to go past NetSuite's 100,000-row
// ceiling); QueryKeyset pages by a two-column key (lastmodified, id) at offset 0 every time, so
// a sync of any size is never capped.
//
// Thread safety: all members may be called concurrently. The HttpClient and Authenticator must
// outlive the Client.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "common/retry.h"
#include "common/status.h"
#include "netsuite/authenticator.h"
#include "netsuite/governor.h"
#include "netsuite/suiteql.h"

namespace mlc::netsuite {

inline constexpr int64_t kOffsetCeiling = 100000;  // netsuite.md 2.3
inline constexpr int kMaxPageSize = 1000;

// The REST base URL: `override_url` when set (the sandbox), else derived from the account id.
// Errors: INVALID_ARGUMENT for an unusable account id.
Result<std::string> ResolveBaseUrl(std::string_view account_id, std::string_view override_url);

struct ClientOptions {
  std::string base_url;  // "https://1234567-sb1.suitetalk.api.netsuite.com" (no trailing '/')
  int concurrency_limit = 5;
  BackoffPolicy retry{.initial = std::chrono::milliseconds(1000),
                      .multiplier = 2.0,
                      .max_delay = std::chrono::milliseconds(30000),
                      .max_attempts = 6,
                      .jitter = 0.5};
  RetryLoop::Sleeper sleeper;        // null: really sleep
  RetryLoop::RandomSource random;    // null: a thread-local PRNG
  std::chrono::milliseconds request_timeout{120000};
  std::chrono::milliseconds connect_timeout{10000};
  int page_size = kMaxPageSize;  // SuiteQL rows per page, 1..1000
  // Idempotency keys; default: a random UUID v4.
  std::function<std::string()> idempotency_key;
};

struct ClientStats {
  int64_t requests = 0;                // HTTP requests sent (token requests not included)
  int64_t succeeded = 0;               // of which answered 2xx
  int64_t transport_errors = 0;        // of which got no HTTP answer (connect, timeout, reset)
  int64_t retries = 0;                 // attempts after the first, all causes
  int64_t concurrency_rejections = 0;  // 429 / CONCURRENCY_LIMIT_EXCEEDED answers
  int64_t reauthentications = 0;       // 401 answered by a fresh credential
  int64_t ambiguous_writes = 0;        // creates whose outcome was unknown, resolved by lookup
  int max_in_flight = 0;               // from the Governor
};

struct WriteResult {
  enum class Outcome : uint8_t {
    kCreated,    // this call created it
    kRecovered,  // an earlier attempt of this call created it (found by externalId)
    kExisted,    // it existed before this call (duplicate externalId)
  };
  std::string id;
  Outcome outcome = Outcome::kCreated;
};

class Client {
 public:
  Client(HttpClient& http, Authenticator& auth, ClientOptions options);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // One SuiteQL page. `limit` 1..1000; `offset` a multiple of limit below 100,000.
  // Errors: INVALID_ARGUMENT for a refused statement or parameters, the typed HTTP errors,
  // DATA_LOSS for an unreadable envelope.
  Result<SuiteQlPage> QueryPage(const SuiteQl& query, int limit, int64_t offset);

  // Every row of `query` by offset paging. Errors: FAILED_PRECONDITION when the result needs
  // an offset at or past 100,000 (use QueryKeyset), errors of QueryPage, or on_row's error.
  Status QueryOffset(const SuiteQl& query, const std::function<Status(const Row&)>& on_row);

  // Every row after `after` in key order, page by page at offset 0. Returns the position of the
  // last row seen (or `after` when there were none), to resume from. Errors: NOT_FOUND when a
  // row lacks a key column; errors of QueryPage or on_row.
  Result<std::optional<KeysetPosition>> QueryKeyset(
      const KeysetQuery& query, std::optional<KeysetPosition> after,
      const std::function<Status(const Row&)>& on_row);

  // GET /record/v1/{type}/{id}[?expandSubResources=true]. `id` may be "eid:<externalId>".
  Result<nlohmann::json> GetRecord(std::string_view type, std::string_view id,
                                   bool expand_sub_resources = true);

  // The internal id of the record with this externalId, or nullopt when there is none.
  Result<std::optional<std::string>> FindByExternalId(std::string_view type,
                                                      std::string_view external_id);

  // POST /record/v1/{type}. `body` must carry "externalId" (letters, digits, '_', '-').
  Result<WriteResult> Create(std::string_view type, const nlohmann::json& body);

  // PATCH /record/v1/{type}/{id}; `query` e.g. "replace=item" (without '?').
  Status Update(std::string_view type, std::string_view id, const nlohmann::json& body,
                std::string_view query = "");

  // PUT /record/v1/{type}/eid:{externalId}: creates or updates. Returns the internal id.
  Result<std::string> Upsert(std::string_view type, std::string_view external_id,
                             const nlohmann::json& body);

  // POST /record/v1/{from_type}/{id}/!transform/{to_type}. `body` must carry "externalId"
  // (the created record is looked up by it after an ambiguous failure); its "item.items" select
  // lines by orderLine.
  Result<WriteResult> Transform(std::string_view from_type, std::string_view id,
                                std::string_view to_type, const nlohmann::json& body,
                                std::string_view query = "");

  ClientStats stats() const;
  const Governor& governor() const { return governor_; }
  const ClientOptions& options() const { return options_; }

 private:
  struct Call {
    std::string operation;  // "running SuiteQL query"
    std::string method;
    std::string path;  // "/services/rest/..." with query string
    std::string body;
    HttpHeaders headers;
    bool idempotent = true;
  };
  // The 2xx response, or the classified error (see the header comment). For non-idempotent
  // calls an ambiguous outcome comes back as UNAVAILABLE or DEADLINE_EXCEEDED at once.
  Result<HttpResponse> Execute(const Call& call);
  Result<WriteResult> WriteOnce(Call call, std::string_view lookup_type,
                                std::string_view external_id);
  std::chrono::milliseconds Backoff(int attempt, std::optional<std::chrono::milliseconds> hint);
  void Sleep(std::chrono::milliseconds d);

  HttpClient& http_;
  Authenticator& auth_;
  ClientOptions options_;
  Governor governor_;

  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> retries_{0};
  std::atomic<int64_t> succeeded_{0};
  std::atomic<int64_t> transport_errors_{0};
  std::atomic<int64_t> concurrency_rejections_{0};
  std::atomic<int64_t> reauthentications_{0};
  std::atomic<int64_t> ambiguous_writes_{0};
};

// A random UUID v4 ("f47ac10b-58cc-4372-a567-0e02b2c3d479").
std::string RandomUuid();

// The id at the end of a Location header ("https://h/services/rest/record/v1/vendorbill/700").
// Errors: DATA_LOSS when the header is empty or does not end in an id.
Result<std::string> IdFromLocation(std::string_view location);

// True for externalIds NetSuite accepts in an eid: path (letters, digits, '_', '-').
bool IsPathSafeExternalId(std::string_view external_id);

}  // namespace mlc::netsuite
