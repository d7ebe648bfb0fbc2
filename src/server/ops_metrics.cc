#include "server/ops_metrics.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "cleo/call_stats.h"
#include "flows/runner.h"
#include "netsuite/authenticator.h"
#include "netsuite/client.h"
#include "server/ack_status.h"
#include "store/store.h"

namespace mlc::server {
namespace {

using Series = std::vector<std::pair<Labels, double>>;

double Seconds(Instant t) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) /
         1000.0;
}

Status CollectStore(const OpsMetricSources& src, Instant now, Metrics& m) {
  ASSIGN_OR_RETURN(auto counts, src.store->CountDocuments());
  Series docs;
  std::map<std::string, double> lag;  // flow -> seconds
  for (const auto& c : counts) {
    docs.push_back({{{"flow", c.flow}, {"state", std::string(store::DocStateName(c.state))}},
                    static_cast<double>(c.count)});
    double& l = lag[c.flow];  // every flow with documents gets a lag series (0 = none due)
    const bool waiting =
        c.state == store::DocState::kPending || c.state == store::DocState::kRetryWait;
    if (waiting && c.oldest_next_attempt <= now) {
      const auto age =
          std::chrono::duration_cast<std::chrono::milliseconds>(now - c.oldest_next_attempt);
      l = std::max(l, static_cast<double>(age.count()) / 1000.0);
    }
  }
  Series lags;
  for (const auto& [flow, seconds] : lag) lags.push_back({{{"flow", flow}}, seconds});

  Series overdue, awaiting;
  if (src.partners != nullptr) {
    for (const auto& p : *src.partners) {
      ASSIGN_OR_RETURN(AckStatus a, PartnerAckStatus(*src.store, p, now, src.ack_window, 0));
      overdue.push_back({{{"partner", p.id}}, static_cast<double>(a.overdue)});
      awaiting.push_back({{{"partner", p.id}}, static_cast<double>(a.awaiting)});
    }
  }
  // Only after every query succeeded, so a failing store never publishes half a picture.
  m.ReplaceSeries("mlc_documents", docs);
  m.ReplaceSeries("mlc_relay_lag_seconds", lags);
  if (src.partners != nullptr) {
    m.ReplaceSeries("mlc_ack_overdue", overdue);
    m.ReplaceSeries("mlc_ack_awaiting", awaiting);
  }
  return Status::Ok();
}

void CollectRunner(const flows::FlowRunner& runner, Metrics& m) {
  Series runs, failures, last_end, last_ok, running, skipped;
  for (const auto& f : runner.status()) {
    const Labels l = {{"flow", f.name}};
    runs.push_back({l, static_cast<double>(f.runs)});
    skipped.push_back({l, static_cast<double>(f.ingest_skipped)});
    failures.push_back({l, static_cast<double>(f.failures)});
    running.push_back({l, f.running ? 1.0 : 0.0});
    if (f.last_end) {
      last_end.push_back({l, Seconds(*f.last_end)});
      last_ok.push_back({l, f.last_status.ok() ? 1.0 : 0.0});
    }
  }
  m.ReplaceSeries("mlc_flow_runs_total", runs);
  m.ReplaceSeries("mlc_flow_failures_total", failures);
  m.ReplaceSeries("mlc_flow_last_run_timestamp_seconds", last_end);
  m.ReplaceSeries("mlc_flow_last_run_ok", last_ok);
  m.ReplaceSeries("mlc_flow_running", running);
  m.ReplaceSeries("mlc_flow_ingest_skipped_total", skipped);
}

void CollectCleo(const cleo::CallStats& stats, Metrics& m) {
  const cleo::CallStatsSnapshot s = stats.snapshot();
  auto d = [](int64_t v) { return static_cast<double>(v); };
  m.ReplaceSeries("mlc_cleo_requests_total",
                  {{{{"outcome", "ok"}}, d(s.ok)},
                   {{{"outcome", "rate_limited"}}, d(s.rate_limited)},
                   {{{"outcome", "error"}}, d(s.error)},
                   {{{"outcome", "transport_error"}}, d(s.transport_error)}});
  m.Set("mlc_cleo_retries_total", {}, d(s.retries));
  m.Set("mlc_cleo_relogins_total", {}, d(s.relogins));
  m.ReplaceSeries("mlc_cleo_logins_total",
                  {{{{"outcome", "ok"}}, d(s.logins)}, {{{"outcome", "error"}}, d(s.login_failures)}});
}

void CollectNetsuite(const OpsMetricSources& src, Metrics& m) {
  if (src.netsuite != nullptr) {
    const netsuite::ClientStats s = src.netsuite->stats();
    const int64_t errors = std::max<int64_t>(
        0, s.requests - s.succeeded - s.transport_errors - s.concurrency_rejections);
    m.ReplaceSeries("mlc_netsuite_requests_total",
                    {{{{"outcome", "ok"}}, static_cast<double>(s.succeeded)},
                     {{{"outcome", "rate_limited"}}, static_cast<double>(s.concurrency_rejections)},
                     {{{"outcome", "error"}}, static_cast<double>(errors)},
                     {{{"outcome", "transport_error"}}, static_cast<double>(s.transport_errors)}});
    m.Set("mlc_netsuite_retries_total", {}, static_cast<double>(s.retries));
    m.Set("mlc_netsuite_reauthentications_total", {}, static_cast<double>(s.reauthentications));
  }
  if (src.oauth2 != nullptr) {
    const netsuite::TokenStats t = src.oauth2->stats();
    m.ReplaceSeries("mlc_netsuite_token_requests_total",
                    {{{{"outcome", "ok"}}, static_cast<double>(t.fetches)},
                     {{{"outcome", "error"}}, static_cast<double>(t.failures)}});
    m.Set("mlc_netsuite_token_invalidations_total", {}, static_cast<double>(t.invalidations));
  }
}

}  // namespace

void DescribeOpsMetrics(Metrics& m) {
  const auto gauge = MetricType::kGauge;
  const auto counter = MetricType::kCounter;
  m.Describe("mlc_documents", gauge, "Documents in the store by flow and state.");
  m.Describe("mlc_relay_lag_seconds", gauge,
             "Age of the oldest document due for the relay, by flow (0 when none is due).");
  m.Describe("mlc_store_up", gauge, "1 when the last scrape could read the store.");
  m.Describe("mlc_flow_runs_total", counter, "Flow runs since the daemon started.");
  m.Describe("mlc_flow_failures_total", counter, "Flow runs that failed as a whole.");
  m.Describe("mlc_flow_last_run_timestamp_seconds", gauge, "End of the flow's last run.");
  m.Describe("mlc_flow_last_run_ok", gauge, "1 when the flow's last run succeeded.");
  m.Describe("mlc_flow_running", gauge, "1 while the flow runs.");
  m.Describe("mlc_netsuite_requests_total", counter, "NetSuite HTTP requests by outcome.");
  m.Describe("mlc_netsuite_retries_total", counter, "NetSuite request attempts after the first.");
  m.Describe("mlc_netsuite_reauthentications_total", counter,
             "NetSuite 401 answers retried with a fresh credential.");
  m.Describe("mlc_netsuite_token_requests_total", counter,
             "OAuth 2.0 access token requests by outcome.");
  m.Describe("mlc_netsuite_token_invalidations_total", counter, "Access tokens dropped after 401.");
  m.Describe("mlc_flow_ingest_skipped_total", counter,
             "Flow runs whose ingest was skipped because another process held its lock.");
  m.Describe("mlc_cleo_requests_total", counter, "Cleo HTTP requests (API and mailbox) by outcome.");
  m.Describe("mlc_cleo_retries_total", counter, "Cleo request attempts after the first.");
  m.Describe("mlc_cleo_relogins_total", counter, "Cleo 401 answers retried with a fresh token.");
  m.Describe("mlc_cleo_logins_total", counter, "Cleo token requests by outcome.");
  m.Describe("mlc_ack_overdue", gauge, "850s and 860s sent without a 997 past expect_997_within.");
  m.Describe("mlc_ack_awaiting", gauge, "850s and 860s sent without a 997, not yet overdue.");
}

Status CollectOpsMetrics(const OpsMetricSources& src, Metrics& metrics) {
  Status store_status = Status::Ok();
  if (src.store != nullptr) {
    const Instant now = (src.clock != nullptr ? *src.clock : SystemClock::Get()).Now();
    store_status = CollectStore(src, now, metrics);
    metrics.Set("mlc_store_up", {}, store_status.ok() ? 1 : 0);
  }
  if (src.runner != nullptr) CollectRunner(*src.runner, metrics);
  CollectNetsuite(src, metrics);
  if (src.cleo != nullptr) CollectCleo(*src.cleo, metrics);
  return store_status.WithContext("collecting metrics from the store");
}

}  // namespace mlc::server
