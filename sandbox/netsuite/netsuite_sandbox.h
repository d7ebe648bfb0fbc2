// NetsuiteSandbox: a local look-alike of NetSuite's REST web services for tests, benchmarks and
// the demo (reference netsuite.md 10, the emulator checklist):
//
//   POST /services/rest/auth/oauth2/v1/token          client credentials + JWT assertion
//   POST /services/rest/query/v1/suiteql?limit&offset SuiteQL over SQLite (Prefer: transient)
//   GET|PATCH /services/rest/record/v1/{type}/{id|eid:x}[?expandSubResources=true]
//   POST /services/rest/record/v1/{type}              204 + Location
//   PUT  /services/rest/record/v1/{type}/eid:{x}      upsert, 204 + Location
//   POST /services/rest/record/v1/purchaseOrder/{id}/!transform/{vendorBill|itemReceipt}
//
// Every /services/rest call other than the token endpoint needs `Authorization: Bearer <token>`
// (issued here, `token_lifetime`, revocable) or a TBA `OAuth ...` header whose HMAC-SHA256
// signature verifies over the method, URL and query parameters, with a fresh nonce (reuse is
// refused) and a timestamp within 300 s. Failures are 401 INVALID_LOGIN.
//
// Governance: more than `concurrency_limit` simultaneous requests get 429 with NetSuite's
// CONCURRENCY_LIMIT_EXCEEDED body; the highest number of simultaneous requests seen (rejected
// ones included) is kept, so tests can show a client never exceeds its limit.
//
// Faults: `latency` on every request; `error_rate` of 503s (before processing); `drop_rate` of
// dropped connections AFTER processing (the client cannot know whether its write happened);
// `revoke_every` revokes all tokens before every Nth authenticated request. All can be changed
// at run time (SetFaults, or POST /__sandbox/faults {"latency_ms","error_rate","drop_rate"}).
// Admin endpoints (no auth): GET /__sandbox/stats, POST /__sandbox/revoke-tokens,
// POST /__sandbox/reset-stats, GET /__sandbox/count?type=&externalId=.
//
// Thread safety: Start/Stop from one thread; the rest from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "netsuite/auth.h"
#include "sandbox/netsuite/state.h"

namespace mlc::sandbox::netsuite {

struct OauthClient {
  std::string client_id;
  std::string certificate_id;
  std::string certificate_pem;  // or a public key PEM
};

struct Faults {
  std::chrono::milliseconds latency{0};
  double error_rate = 0;
  double drop_rate = 0;
  int revoke_every = 0;  // 0: never
};

struct SandboxOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string db_path = ":memory:";
  SeedOptions seed;
  bool seed_data = true;
  std::chrono::minutes user_utc_offset{-6 * 60};
  std::vector<OauthClient> oauth_clients;
  std::vector<mlc::netsuite::TbaCredentials> tba;
  std::string account_realm = "1234567_SB1";  // TBA realm accepted (case-insensitive, '-'/'_')
  std::chrono::seconds token_lifetime{3600};
  int concurrency_limit = 5;
  Faults faults;
  uint64_t fault_seed = 1;
  int threads = 32;  // HTTP worker threads (more than the limit, so rejections are observable)
};

struct SandboxStats {
  int64_t requests = 0;
  int64_t rejected_concurrency = 0;
  int64_t injected_errors = 0;
  int64_t dropped = 0;
  int64_t tokens_issued = 0;
  int64_t auth_failures = 0;
  int max_in_flight = 0;  // highest simultaneous /services/rest requests seen
  nlohmann::json ToJson() const;
};

class NetsuiteSandbox {
 public:
  // Opens the database and seeds it (when empty and seed_data). Errors: from State::Open/Seed.
  static Result<std::unique_ptr<NetsuiteSandbox>> Create(SandboxOptions options);
  ~NetsuiteSandbox();
  NetsuiteSandbox(const NetsuiteSandbox&) = delete;
  NetsuiteSandbox& operator=(const NetsuiteSandbox&) = delete;

  // Listens and serves on a background thread. Errors: UNAVAILABLE when the port is taken.
  Status Start();
  void Stop();
  int port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>"

  void SetFaults(const Faults& faults);
  void RevokeAllTokens();
  SandboxStats stats() const;
  void ResetStats();
  State& state();

 private:
  NetsuiteSandbox() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlc::sandbox::netsuite
