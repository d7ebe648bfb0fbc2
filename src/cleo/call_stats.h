// CallStats: counters of the connector's HTTP calls to Cleo, for /metrics (mlc_cleo_*,
// server/ops_metrics.h) the way netsuite::ClientStats counts NetSuite's.
//
// Both ways of talking to Cleo record into one: the REST API Session (bearer token) and every
// partner's HttpTransport (the /server mailbox commands). Each HTTP attempt counts once, by
// outcome: ok (2xx), rate_limited (429), error (any other HTTP status, a 401 included) or
// transport_error (no HTTP answer: connect, TLS, timeout, reset). Retries are the attempts after
// the first of one call (RetryLoop); relogins are 401 answers retried with a freshly obtained
// token. Token requests (POST /api/authentication) are logins, counted apart from requests.
//
// Ownership: a Session or HttpTransport records into the CallStats its options name, else into
// ProcessCallStats(), which lives as long as the process (so counters survive a config reload).
// Thread safety: every member function may be called from any thread (relaxed atomics).
#pragma once

#include <atomic>
#include <cstdint>

namespace mlc::cleo {

struct CallStatsSnapshot {
  int64_t ok = 0;
  int64_t rate_limited = 0;
  int64_t error = 0;
  int64_t transport_error = 0;
  int64_t retries = 0;
  int64_t relogins = 0;
  int64_t logins = 0;          // token requests answered with a token
  int64_t login_failures = 0;  // token requests that got none (refused, error, no answer)
};

class CallStats {
 public:
  // One HTTP answer with this status (not for token requests).
  void RecordResponse(int status);
  // One attempt that got no HTTP answer.
  void RecordTransportError() { Add(transport_error_); }
  void RecordRetry() { Add(retries_); }
  void RecordRelogin() { Add(relogins_); }
  void RecordLogin(bool ok) { Add(ok ? logins_ : login_failures_); }

  CallStatsSnapshot snapshot() const;

 private:
  static void Add(std::atomic<int64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

  std::atomic<int64_t> ok_{0}, rate_limited_{0}, error_{0}, transport_error_{0}, retries_{0},
      relogins_{0}, logins_{0}, login_failures_{0};
};

// The process-wide counters (see the header comment).
CallStats& ProcessCallStats();

}  // namespace mlc::cleo
