#include "server/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace mlc::server {
namespace {

TEST(MetricsTest, RendersPrometheusText) {
  Metrics m;
  m.Describe("mlc_documents", MetricType::kGauge, "Documents by flow and state.");
  m.Describe("mlc_netsuite_calls_total", MetricType::kCounter, "NetSuite calls by outcome.");
  m.Set("mlc_documents", {{"state", "parked"}, {"flow", "invoice_inbound"}}, 3);
  m.Inc("mlc_netsuite_calls_total", {{"outcome", "ok"}});
  m.Inc("mlc_netsuite_calls_total", {{"outcome", "ok"}}, 4);
  m.Inc("mlc_netsuite_calls_total", {{"outcome", "429"}});
  m.Set("mlc_relay_lag_seconds", {}, 1.5);
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP mlc_documents Documents by flow and state.\n"
            "# TYPE mlc_documents gauge\n"
            "mlc_documents{flow=\"invoice_inbound\",state=\"parked\"} 3\n"
            "# HELP mlc_netsuite_calls_total NetSuite calls by outcome.\n"
            "# TYPE mlc_netsuite_calls_total counter\n"
            "mlc_netsuite_calls_total{outcome=\"429\"} 1\n"
            "mlc_netsuite_calls_total{outcome=\"ok\"} 5\n"
            "# TYPE mlc_relay_lag_seconds untyped\n"
            "mlc_relay_lag_seconds 1.5\n");
  EXPECT_EQ(m.Value("mlc_netsuite_calls_total", {{"outcome", "ok"}}), 5);
  EXPECT_EQ(m.Value("missing"), 0);
}

TEST(MetricsTest, EscapesLabelValues) {
  Metrics m;
  m.Inc("x_total", {{"partner", "A\"B\\C\nD"}});
  EXPECT_NE(m.RenderPrometheus().find("x_total{partner=\"A\\\"B\\\\C\\nD\"} 1"), std::string::npos);
}

TEST(MetricsTest, DeclaredCounterWithoutSeriesShowsZero) {
  Metrics m;
  m.Describe("mlc_token_refreshes_total", MetricType::kCounter, "Token refreshes.");
  EXPECT_NE(m.RenderPrometheus().find("mlc_token_refreshes_total 0\n"), std::string::npos);
}

TEST(MetricsTest, ConcurrentIncrements) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) m.Inc("c_total", {{"k", "v"}});
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(m.Value("c_total", {{"k", "v"}}), 4000);
}

}  // namespace
}  // namespace mlc::server
