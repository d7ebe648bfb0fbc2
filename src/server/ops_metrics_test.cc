// /metrics over real loopback HTTP from an OpsServer whose scrape hook collects from a populated
// store (SQLite on a fake clock), a flow runner and a NetSuite client over a fake HTTP client.
#include "server/ops_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "common/curl_http_client.h"
#include "common/fake_http_client.h"
#include "flows/runner.h"
#include "netsuite/authenticator.h"
#include "netsuite/client.h"
#include "server/http_server.h"
#include "server/metrics_test_util.h"
#include "store/store.h"

namespace mlc::server {
namespace {

using namespace std::chrono_literals;

class FixedAuth final : public netsuite::Authenticator {
 public:
  Result<std::string> Authorize(HttpRequest& r) override {
    r.headers["Authorization"] = "Bearer t";
    return std::string("t");
  }
  void Invalidate(std::string_view) override {}
};

class FakeFlow final : public flows::Flow {
 public:
  FakeFlow(std::string name, Status result) : name_(std::move(name)), result_(std::move(result)) {}
  std::string name() const override { return name_; }
  Result<flows::RunSummary> Run(flows::RunContext&) override {
    if (!result_.ok()) return result_;
    return flows::RunSummary{};
  }

 private:
  std::string name_;
  Status result_;
};

using testing::ParseSeries;

class OpsMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite::memory:", clock_);
    ASSERT_TRUE(s.ok()) << s.error();
    store_ = std::move(s).value();
    config::PartnerConfig acme;
    acme.id = "ACME";
    acme.expect_997_within = 30min;
    config::PartnerConfig globex;
    globex.id = "GLOBEX";
    partners_ = {acme, globex};
  }

  store::NewDocument Doc(const std::string& key, const std::string& type = "850") {
    store::NewDocument d;
    d.idempotency_key = key;
    d.type = type;
    d.partner = "ACME";
    d.po_number = "PO-" + key;
    d.step = "send";
    return d;
  }

  void Ingest(const std::string& flow, std::vector<store::NewDocument> docs) {
    auto r = store_->Ingest({.flow = flow, .documents = std::move(docs), .cursor = std::nullopt});
    ASSERT_TRUE(r.ok()) << r.error();
  }

  // Claims every due document and completes it with `events` as audit.
  void CompleteAll(const std::vector<std::vector<std::string>>& events) {
    auto claimed = store_->Claim({.worker_id = "w",
                                  .steps = {},
                                  .flows = {},
                                  .limit = 10,
                                  .lease_duration = std::chrono::minutes(5)});
    ASSERT_TRUE(claimed.ok()) << claimed.error();
    ASSERT_EQ(claimed->size(), events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      store::Completion c;
      for (const auto& e : events[i]) {
        store::NewAuditEvent ev;
        ev.event = e;
        ev.step = "send";
        c.audit.push_back(ev);
      }
      ASSERT_TRUE(store_->Complete((*claimed)[i].lease, c).ok());
    }
  }

  std::map<std::string, std::string> Scrape(int port) {
    CurlHttpClient http;
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
    auto r = http.Send(req);
    EXPECT_TRUE(r.ok()) << r.error();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 200);
    EXPECT_THAT(r->body, ::testing::HasSubstr("# TYPE mlc_documents gauge"));
    return ParseSeries(r->body);
  }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::vector<config::PartnerConfig> partners_;
};

TEST_F(OpsMetricsTest, ScrapeReportsDocumentsFlowsNetsuiteLagAndOverdueAcks) {
  const Instant t0 = clock_.Now();
  Ingest("po_outbound", {Doc("A"), Doc("B")});
  CompleteAll({{"sent"}, {"sent", "acknowledged"}});  // A waits for its 997, B has it
  clock_.Advance(1h);
  Ingest("po_outbound", {Doc("C")});
  store::NewDocument parked = Doc("INV-1", "810");
  parked.state = store::DocState::kParked;
  parked.error = InvalidArgumentError("no such PO");
  Ingest("invoice_inbound", {parked});
  clock_.Advance(120s);

  flows::FlowRunner runner(clock_, flows::TimeZone::FixedOffset(0min));
  runner.Add(std::make_unique<FakeFlow>("po_outbound", Status::Ok()),
             *flows::Schedule::Parse("every 5m"));
  runner.Add(std::make_unique<FakeFlow>("fa_inbound", UnavailableError("cleo is down")),
             *flows::Schedule::Parse("every 5m"));
  runner.RunAllOnce();

  FakeHttpClient fake;
  fake.On("GET", "https://ns.example/services/rest/record/v1/purchaseOrder/1")
      .Reply(429,
             R"({"status":429,"o:errorDetails":[{"detail":"Concurrent request limit exceeded.",)"
             R"("o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]})")
      .Reply(200, R"({"id":"1"})");
  fake.On("GET", "https://ns.example/services/rest/record/v1/purchaseOrder/2")
      .Fail(UnavailableError("connection reset"));
  FixedAuth auth;
  netsuite::ClientOptions no;
  no.base_url = "https://ns.example";
  no.retry.max_attempts = 2;
  no.sleeper = [](std::chrono::milliseconds) {};
  netsuite::Client ns(fake, auth, no);
  ASSERT_TRUE(ns.GetRecord("purchaseOrder", "1").ok());
  ASSERT_FALSE(ns.GetRecord("purchaseOrder", "2").ok());

  Metrics metrics;
  DescribeOpsMetrics(metrics);
  OpsMetricSources sources{.store = store_.get(),
                           .runner = &runner,
                           .netsuite = &ns,
                           .oauth2 = nullptr,
                           .partners = &partners_,
                           .clock = &clock_,
                           .ack_window = std::chrono::hours(24 * 30)};
  OpsServerOptions o;
  o.before_scrape = [&](Metrics& m) { EXPECT_TRUE(CollectOpsMetrics(sources, m).ok()); };
  OpsServer server(std::move(o), &metrics);
  ASSERT_TRUE(server.Start().ok());

  auto m = Scrape(server.port());
  EXPECT_EQ(m[R"(mlc_documents{flow="po_outbound",state="done"})"], "2");
  EXPECT_EQ(m[R"(mlc_documents{flow="po_outbound",state="pending"})"], "1");
  EXPECT_EQ(m[R"(mlc_documents{flow="invoice_inbound",state="parked"})"], "1");
  EXPECT_EQ(m[R"(mlc_relay_lag_seconds{flow="po_outbound"})"], "120");  // C, due since 120 s
  EXPECT_EQ(m[R"(mlc_relay_lag_seconds{flow="invoice_inbound"})"], "0");
  EXPECT_EQ(m["mlc_store_up"], "1");
  EXPECT_EQ(m[R"(mlc_ack_overdue{partner="ACME"})"], "1");  // A: sent 62 min ago, 30 min allowed
  EXPECT_EQ(m[R"(mlc_ack_awaiting{partner="ACME"})"], "0");
  EXPECT_EQ(m[R"(mlc_ack_overdue{partner="GLOBEX"})"], "0");
  EXPECT_EQ(m[R"(mlc_flow_runs_total{flow="po_outbound"})"], "1");
  EXPECT_EQ(m[R"(mlc_flow_failures_total{flow="po_outbound"})"], "0");
  EXPECT_EQ(m[R"(mlc_flow_failures_total{flow="fa_inbound"})"], "1");
  EXPECT_EQ(m[R"(mlc_flow_last_run_ok{flow="fa_inbound"})"], "0");
  EXPECT_EQ(m[R"(mlc_flow_last_run_ok{flow="po_outbound"})"], "1");
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>((t0 + 1h + 120s).time_since_epoch());
  EXPECT_EQ(m[R"(mlc_flow_last_run_timestamp_seconds{flow="po_outbound"})"],
            std::to_string(now_s.count()));
  EXPECT_EQ(m[R"(mlc_netsuite_requests_total{outcome="ok"})"], "1");
  EXPECT_EQ(m[R"(mlc_netsuite_requests_total{outcome="rate_limited"})"], "1");
  EXPECT_EQ(m[R"(mlc_netsuite_requests_total{outcome="transport_error"})"], "2");
  EXPECT_EQ(m[R"(mlc_netsuite_requests_total{outcome="error"})"], "0");
  EXPECT_EQ(m["mlc_netsuite_retries_total"], "2");
  EXPECT_EQ(m["mlc_netsuite_token_invalidations_total"], "0");  // declared, no authenticator

  // The pending document goes out and its 997 comes back: stale series disappear.
  CompleteAll({{"sent", "acknowledged"}});
  m = Scrape(server.port());
  EXPECT_EQ(m.count(R"(mlc_documents{flow="po_outbound",state="pending"})"), 0u);
  EXPECT_EQ(m[R"(mlc_documents{flow="po_outbound",state="done"})"], "3");
  EXPECT_EQ(m[R"(mlc_relay_lag_seconds{flow="po_outbound"})"], "0");
  EXPECT_EQ(m[R"(mlc_ack_overdue{partner="ACME"})"], "1");
  server.Stop();
}

TEST(MetricsReplaceSeriesTest, ReplacesTheWholeFamily) {
  Metrics m;
  m.Describe("g", MetricType::kGauge, "G.");
  m.Set("g", {{"k", "a"}}, 1);
  m.ReplaceSeries("g", {{{{"k", "b"}}, 2}});
  EXPECT_EQ(m.Value("g", {{"k", "a"}}), 0);
  EXPECT_EQ(m.Value("g", {{"k", "b"}}), 2);
  EXPECT_EQ(m.RenderPrometheus(), "# HELP g G.\n# TYPE g gauge\ng{k=\"b\"} 2\n");
}

}  // namespace
}  // namespace mlc::server
