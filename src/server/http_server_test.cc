// The ops server over real loopback TCP. The webhook allowlist is tested from different source
// addresses: the server binds 127.0.0.2 and clients bind their socket to 127.0.0.1 or 127.0.0.3
// before connecting (the whole 127.0.0.0/8 range is local on Linux without setup).
#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "common/redact.h"

namespace mlc::server {
namespace {

struct Reply {
  int status = 0;
  std::string body;
};

// A minimal HTTP/1.1 client whose socket is bound to `source` before connecting.
Reply Send(const std::string& source, const std::string& host, int port, const std::string& method,
           const std::string& target, const std::string& extra_headers = "",
           const std::string& body = "") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &src.sin_addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src), 0) << "bind " << source;
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &dst.sin_addr);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst), 0);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host +
                    "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\n" + extra_headers + "\r\n" + body;
  EXPECT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  Reply r;
  if (resp.size() > 12) r.status = std::stoi(resp.substr(9, 3));
  auto split = resp.find("\r\n\r\n");
  if (split != std::string::npos) r.body = resp.substr(split + 4);
  return r;
}

class OpsServerTest : public ::testing::Test {
 protected:
  void StartServer(std::string secret = "") {
    OpsServerOptions o;
    o.host = "127.0.0.2";
    o.webhook_allowlist = {*config::ParseCidr("127.0.0.1/32")};
    o.webhook_secret = std::move(secret);
    o.on_trigger = [this](const std::string& flow, const std::string& peer) {
      std::lock_guard lock(mu_);
      triggers_.push_back(flow + "@" + peer);
    };
    o.on_denied = [this](const std::string& peer, const std::string& reason) {
      std::lock_guard lock(mu_);
      denied_.push_back(peer + ": " + reason);
    };
    o.ready = [this] { return ready_ ? Status::Ok() : UnavailableError("store unreachable"); };
    server_ = std::make_unique<OpsServer>(std::move(o), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_GT(server_->port(), 0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    ClearSecretsForTest();
  }

  Metrics metrics_;
  std::unique_ptr<OpsServer> server_;
  std::mutex mu_;
  std::vector<std::string> triggers_, denied_;
  std::atomic<bool> ready_{true};
};

TEST_F(OpsServerTest, WebhookFromAllowedAddressTriggersAPoll) {
  StartServer();
  Reply r = Send("127.0.0.1", "127.0.0.2", server_->port(), "POST", "/webhook/netsuite", "",
                 R"({"recordType":"purchaseorder","id":"501"})");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, R"({"accepted":true,"flow":"po_outbound"})");
  std::lock_guard lock(mu_);
  EXPECT_EQ(triggers_, std::vector<std::string>{"po_outbound@127.0.0.1"});
  EXPECT_TRUE(denied_.empty());
  EXPECT_EQ(metrics_.Value("mlc_webhook_requests_total", {{"outcome", "accepted"}}), 1);
}

TEST_F(OpsServerTest, WebhookFromOtherAddressIsForbiddenAndReported) {
  StartServer();
  Reply r = Send("127.0.0.3", "127.0.0.2", server_->port(), "POST", "/webhook/netsuite");
  EXPECT_EQ(r.status, 403);
  std::lock_guard lock(mu_);
  EXPECT_TRUE(triggers_.empty());
  ASSERT_EQ(denied_.size(), 1u);
  EXPECT_EQ(denied_[0],
            "127.0.0.3: address 127.0.0.3 is not in server.webhook.allowed_cidrs");
  EXPECT_EQ(metrics_.Value("mlc_webhook_requests_total", {{"outcome", "forbidden_address"}}), 1);
}

TEST_F(OpsServerTest, SharedSecretRequiredWhenConfigured) {
  StartServer("s3cret-webhook-value");
  EXPECT_EQ(Send("127.0.0.1", "127.0.0.2", server_->port(), "POST", "/webhook/netsuite").status,
            403);
  EXPECT_EQ(Send("127.0.0.1", "127.0.0.2", server_->port(), "POST", "/webhook/netsuite",
                 "X-MLC-Webhook-Secret: wrong-value-of-same-len\r\n")
                .status,
            403);
  EXPECT_EQ(Send("127.0.0.1", "127.0.0.2", server_->port(), "POST", "/webhook/netsuite",
                 "X-MLC-Webhook-Secret: s3cret-webhook-value\r\n")
                .status,
            202);
  // The right secret from the wrong address is still refused.
  EXPECT_EQ(Send("127.0.0.3", "127.0.0.2", server_->port(), "POST", "/webhook/netsuite",
                 "X-MLC-Webhook-Secret: s3cret-webhook-value\r\n")
                .status,
            403);
  std::lock_guard lock(mu_);
  EXPECT_EQ(triggers_.size(), 1u);
  ASSERT_EQ(denied_.size(), 3u);
  EXPECT_EQ(denied_[0], "127.0.0.1: X-MLC-Webhook-Secret header is missing");
  EXPECT_EQ(denied_[1], "127.0.0.1: X-MLC-Webhook-Secret header is wrong");
  for (const auto& d : denied_) EXPECT_EQ(d.find("s3cret"), std::string::npos) << d;
  EXPECT_EQ(metrics_.Value("mlc_webhook_requests_total", {{"outcome", "bad_secret"}}), 2);
}

TEST_F(OpsServerTest, WebhookNamesOnlyKnownFlows) {
  StartServer();
  EXPECT_EQ(Send("127.0.0.1", "127.0.0.2", server_->port(), "POST",
                 "/webhook/netsuite?flow=reference_sync")
                .status,
            202);
  EXPECT_EQ(Send("127.0.0.1", "127.0.0.2", server_->port(), "POST",
                 "/webhook/netsuite?flow=drop_tables")
                .status,
            400);
  std::lock_guard lock(mu_);
  EXPECT_EQ(triggers_, std::vector<std::string>{"reference_sync@127.0.0.1"});
}

TEST_F(OpsServerTest, EmptyAllowlistRefusesEveryone) {
  OpsServerOptions o;
  o.host = "127.0.0.2";
  Metrics m;
  OpsServer open_to_none(std::move(o), &m);
  ASSERT_TRUE(open_to_none.Start().ok());
  EXPECT_EQ(Send("127.0.0.1", "127.0.0.2", open_to_none.port(), "POST", "/webhook/netsuite").status,
            403);
}

TEST_F(OpsServerTest, HealthReadinessAndMetrics) {
  StartServer();
  EXPECT_EQ(Send("127.0.0.3", "127.0.0.2", server_->port(), "GET", "/healthz").body, "ok\n");
  EXPECT_EQ(Send("127.0.0.3", "127.0.0.2", server_->port(), "GET", "/readyz").status, 200);
  ready_ = false;
  Reply not_ready = Send("127.0.0.3", "127.0.0.2", server_->port(), "GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready: UNAVAILABLE: store unreachable\n");
  Send("127.0.0.3", "127.0.0.2", server_->port(), "POST", "/webhook/netsuite");
  Reply m = Send("127.0.0.3", "127.0.0.2", server_->port(), "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("mlc_webhook_requests_total{outcome=\"forbidden_address\"} 1"),
            std::string::npos)
      << m.body;
}

TEST_F(OpsServerTest, BusyPortIsAClearError) {
  StartServer();
  OpsServerOptions o;
  o.host = "127.0.0.2";
  o.port = server_->port();
  Metrics m;
  OpsServer second(std::move(o), &m);
  Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("cannot listen on 127.0.0.2:"), std::string::npos);
}

}  // namespace
}  // namespace mlc::server
