// Ops metrics: the gauges and counters /metrics computes at scrape time from the daemon's state
// (OpsServerOptions::before_scrape calls CollectOpsMetrics):
//
//   mlc_documents{flow,state}                   documents in the store (Store::CountDocuments)
//   mlc_relay_lag_seconds{flow}                 age of the oldest due pending/retry_wait document
//                                               (0 when nothing is due)
//   mlc_store_up                                1 when the last scrape could read the store
//   mlc_flow_runs_total{flow}, mlc_flow_failures_total{flow}
//   mlc_flow_last_run_timestamp_seconds{flow}   end of the last run (Unix time; absent before one)
//   mlc_flow_last_run_ok{flow}                  1 when the last run succeeded
//   mlc_flow_running{flow}                      1 while a run is in progress
//   mlc_netsuite_requests_total{outcome}        ok | rate_limited (429, CONCURRENCY_LIMIT_EXCEEDED)
//                                               | error (other HTTP errors) | transport_error
//   mlc_netsuite_retries_total, mlc_netsuite_reauthentications_total (401 then a fresh token)
//   mlc_netsuite_token_requests_total{outcome}  ok | error (OAuth 2.0 token fetches: refreshes)
//   mlc_netsuite_token_invalidations_total
//   mlc_cleo_requests_total{outcome}            ok (2xx) | rate_limited (429) | error (other HTTP
//                                               statuses, 401 included) | transport_error; REST
//                                               API and mailbox (/server) calls together
//   mlc_cleo_retries_total                      Cleo request attempts after the first
//   mlc_cleo_relogins_total                     401 answers retried with a fresh token
//   mlc_cleo_logins_total{outcome}              ok | error (token requests, not in requests_total)
//   mlc_flow_ingest_skipped_total{flow}         ingests skipped: another process held the lock
//   mlc_ack_overdue{partner}, mlc_ack_awaiting{partner}  850s/860s without a 997 (ack_status.h)
//
// Counters taken from the runner and the NetSuite client restart at 0 when the daemon rebuilds
// them (SIGHUP reload); Prometheus treats that as a counter reset. The Cleo counters are the
// process's (cleo::ProcessCallStats) and survive a reload.
//
// Thread safety: CollectOpsMetrics may run on several scrape threads at once; every source is
// only read through thread-safe accessors.
#pragma once

#include <chrono>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "server/metrics.h"

namespace mlc::store {
class Store;
}
namespace mlc::flows {
class FlowRunner;
}
namespace mlc::cleo {
class CallStats;
}
namespace mlc::netsuite {
class Client;
class Oauth2Authenticator;
}  // namespace mlc::netsuite

namespace mlc::server {

// Every pointer may be null (that source is skipped); those given must outlive the collection.
struct OpsMetricSources {
  store::Store* store = nullptr;
  const flows::FlowRunner* runner = nullptr;
  const netsuite::Client* netsuite = nullptr;
  const netsuite::Oauth2Authenticator* oauth2 = nullptr;
  const std::vector<config::PartnerConfig>* partners = nullptr;  // for the 997 gauges
  const Clock* clock = nullptr;                                  // null: SystemClock
  std::chrono::hours ack_window{24 * 30};
  const cleo::CallStats* cleo = nullptr;  // the daemon passes &cleo::ProcessCallStats()
};

// Declares every family above with its help text (so counters show 0 before any event).
void DescribeOpsMetrics(Metrics& metrics);

// Refreshes the families above from `sources`. A store error sets mlc_store_up to 0, keeps the
// previous store-derived values and is returned; the other sources are collected regardless.
Status CollectOpsMetrics(const OpsMetricSources& sources, Metrics& metrics);

}  // namespace mlc::server
