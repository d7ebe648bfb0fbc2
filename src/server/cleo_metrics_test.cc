// The mlc_cleo_* series of /metrics, end to end over real loopback HTTP: a cpp-httplib server on
// port 0 plays Cleo (REST API and the /server mailbox commands, with a 401, a 429, a 503, a 404
// and an answer too slow to wait for), the real Session and HttpTransport talk to it through
// CurlHttpClient, and the counters are read back by scraping an OpsServer's /metrics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <map>
#include <sstream>
#include <thread>

#include "cleo/call_stats.h"
#include "cleo/http_transport.h"
#include "cleo/session.h"
#include "common/curl_http_client.h"
#include "common/redact.h"
#include "server/http_server.h"
#include "server/metrics_test_util.h"
#include "server/ops_metrics.h"

namespace mlc::server {
namespace {

using namespace std::chrono_literals;

using testing::ParseSeries;

class FakeCleo {
 public:
  FakeCleo() {
    server_.Post("/api/authentication", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"access_token":"tok-)" + std::to_string(++tokens_) + R"("})",
                      "application/json");
    });
    // 401 for the first token, then 429 once, then the page.
    server_.Get("/api/connections", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") == "Bearer tok-1") {
        res.status = 401;
        res.set_content(R"({"message":"token expired"})", "application/json");
      } else if (connections_calls_++ == 0) {
        res.status = 429;
        res.set_header("Retry-After", "0");
        res.set_content(R"({"message":"slow down"})", "application/json");
      } else {
        res.set_content(R"({"resources":[],"totalResults":0})", "application/json");
      }
    });
    server_.Get("/api/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(700ms);  // the client gives up after 200 ms
      res.set_content("{}", "application/json");
    });
    server_.Post("/server", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string request = req.get_param_value("request");
      if (request == "list" && list_calls_++ == 0) {
        res.status = 503;
        res.set_content("busy", "text/plain");
      } else if (request == "list") {
        res.set_content("a.x12\n", "text/plain");
      } else {
        res.status = 404;
        res.set_content("no such file", "text/plain");
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(1ms);
  }
  ~FakeCleo() {
    server_.stop();
    thread_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool running() const { return server_.is_running(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> tokens_{0}, connections_calls_{0}, list_calls_{0};
};

// A port nothing listens on: bound, then closed.
int DeadPort() {
  httplib::Server s;
  return s.bind_to_any_port("127.0.0.1");
}

TEST(CleoMetricsTest, CallsAreCountedByOutcomeAndScrapedFromMetrics) {
  FakeCleo cleo;
  ASSERT_TRUE(cleo.running());
  CurlHttpClient http;
  cleo::CallStats stats;

  cleo::SessionOptions so;
  so.base_url = cleo.base_url();
  so.username = "mlc-api";
  so.password = "api-pass-41x";
  so.retry.max_attempts = 3;
  so.sleeper = [](std::chrono::milliseconds) {};
  so.request_timeout = 200ms;
  so.stats = &stats;
  cleo::Session session(http, so);
  // 401 (error) -> relogin -> 429 (rate_limited) -> retry -> 200 (ok).
  auto page = session.CallJson("listing connections", "GET", "/api/connections");
  ASSERT_TRUE(page.ok()) << page.error();
  // No answer within the timeout, three times (transport_error x3, 2 retries).
  auto slow = session.Call("GET", "/api/slow");
  ASSERT_FALSE(slow.ok());

  cleo::HttpTransportOptions to;
  to.base_url = cleo.base_url();
  to.username = "acme";
  to.password = "mailbox-pass-93q";
  to.retry.max_attempts = 3;
  to.sleeper = [](std::chrono::milliseconds) {};
  to.stats = &stats;
  auto mailbox = cleo::HttpTransport::Create(http, to);
  ASSERT_TRUE(mailbox.ok()) << mailbox.error();
  auto listed = (*mailbox)->ListInbox();  // 503 (error) -> retry -> 200 (ok)
  ASSERT_TRUE(listed.ok()) << listed.error();
  ASSERT_EQ(listed->files.size(), 1u);
  EXPECT_FALSE((*mailbox)->Fetch("gone.x12").ok());  // 404 (error), not retried

  so.base_url = "http://127.0.0.1:" + std::to_string(DeadPort());
  so.retry.max_attempts = 1;
  cleo::Session nowhere(http, so);
  EXPECT_FALSE(nowhere.Call("GET", "/api/connections").ok());  // the login gets no answer

  const cleo::CallStatsSnapshot s = stats.snapshot();
  EXPECT_EQ(s.ok, 2);
  EXPECT_EQ(s.rate_limited, 1);
  EXPECT_EQ(s.error, 3);  // 401, 503, 404
  EXPECT_EQ(s.transport_error, 3);
  EXPECT_EQ(s.retries, 4);  // after the 429, twice after timeouts, after the 503
  EXPECT_EQ(s.relogins, 1);
  EXPECT_EQ(s.logins, 2);
  EXPECT_EQ(s.login_failures, 1);
  EXPECT_EQ(&session.stats(), &stats);

  Metrics metrics;
  DescribeOpsMetrics(metrics);
  OpsMetricSources sources;
  sources.cleo = &stats;
  OpsServerOptions o;
  o.before_scrape = [&](Metrics& m) { EXPECT_TRUE(CollectOpsMetrics(sources, m).ok()); };
  OpsServer server(std::move(o), &metrics);
  ASSERT_TRUE(server.Start().ok());
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics";
  auto r = http.Send(req);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_THAT(r->body, ::testing::HasSubstr("# TYPE mlc_cleo_requests_total counter"));
  auto m = ParseSeries(r->body);
  EXPECT_EQ(m[R"(mlc_cleo_requests_total{outcome="ok"})"], "2");
  EXPECT_EQ(m[R"(mlc_cleo_requests_total{outcome="rate_limited"})"], "1");
  EXPECT_EQ(m[R"(mlc_cleo_requests_total{outcome="error"})"], "3");
  EXPECT_EQ(m[R"(mlc_cleo_requests_total{outcome="transport_error"})"], "3");
  EXPECT_EQ(m["mlc_cleo_retries_total"], "4");
  EXPECT_EQ(m["mlc_cleo_relogins_total"], "1");
  EXPECT_EQ(m[R"(mlc_cleo_logins_total{outcome="ok"})"], "2");
  EXPECT_EQ(m[R"(mlc_cleo_logins_total{outcome="error"})"], "1");
  // Secrets never reach the metrics text.
  EXPECT_THAT(r->body, ::testing::Not(::testing::HasSubstr("api-pass-41x")));
  EXPECT_THAT(r->body, ::testing::Not(::testing::HasSubstr("tok-")));
  server.Stop();
  ClearSecretsForTest();
}

}  // namespace
}  // namespace mlc::server
