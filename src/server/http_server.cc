#include "server/http_server.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <thread>

#include <httplib.h>

#include "common/redact.h"

namespace mlc::server {

struct OpsServer::Impl {
  OpsServerOptions options;
  Metrics* metrics;
  httplib::Server http;
  std::thread thread;
  int port = 0;

  void Deny(const httplib::Request& req, httplib::Response& res, const std::string& outcome,
            const std::string& reason) {
    metrics->Inc("mlc_webhook_requests_total", {{"outcome", outcome}});
    if (options.on_denied) options.on_denied(req.remote_addr, reason);
    res.status = 403;
    res.set_content(R"({"error":"forbidden"})", "application/json");
  }

  void Webhook(const httplib::Request& req, httplib::Response& res) {
    const auto& allow = options.webhook_allowlist;
    if (std::none_of(allow.begin(), allow.end(),
                     [&](const config::Cidr& c) { return c.Contains(req.remote_addr); })) {
      Deny(req, res, "forbidden_address",
           "address " + req.remote_addr + " is not in server.webhook.allowed_cidrs");
      return;
    }
    if (!options.webhook_secret.empty()) {
      const std::string given = req.get_header_value("X-MLC-Webhook-Secret");
      const bool match = given.size() == options.webhook_secret.size() &&
                         CRYPTO_memcmp(given.data(), options.webhook_secret.data(),
                                       given.size()) == 0;
      if (!match) {
        Deny(req, res, "bad_secret",
             given.empty() ? "X-MLC-Webhook-Secret header is missing"
                           : "X-MLC-Webhook-Secret header is wrong");
        return;
      }
    }
    std::string flow = req.has_param("flow") ? req.get_param_value("flow") : options.default_flow;
    if (std::find(options.webhook_flows.begin(), options.webhook_flows.end(), flow) ==
        options.webhook_flows.end()) {
      metrics->Inc("mlc_webhook_requests_total", {{"outcome", "bad_flow"}});
      res.status = 400;
      res.set_content(R"({"error":"unknown flow"})", "application/json");
      return;
    }
    metrics->Inc("mlc_webhook_requests_total", {{"outcome", "accepted"}});
    if (options.on_trigger) options.on_trigger(flow, req.remote_addr);
    res.status = 202;
    res.set_content(R"({"accepted":true,"flow":")" + flow + "\"}", "application/json");
  }

  void Console(const httplib::Request& req, httplib::Response& res) {
    ConsoleRequest c;
    c.method = req.method;
    c.path = req.path;
    for (const auto& [k, v] : req.params) c.params.emplace(k, v);  // first value of each
    for (const auto& [k, v] : req.headers) {
      std::string name = k;
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      c.headers.emplace(std::move(name), v);
    }
    c.body = req.body;
    c.loopback_listener = IsLoopbackHost(options.host);
    ConsoleResponse r = options.console->Handle(c);
    res.status = r.status;
    for (auto& [k, v] : r.headers) res.set_header(k, v);
    res.set_content(std::move(r.body), r.content_type.c_str());
  }
};

OpsServer::OpsServer(OpsServerOptions options, Metrics* metrics) : impl_(new Impl) {
  impl_->options = std::move(options);
  impl_->metrics = metrics;
  RegisterSecret(impl_->options.webhook_secret);
  metrics->Describe("mlc_webhook_requests_total", MetricType::kCounter,
                    "Webhook calls by outcome (accepted, forbidden_address, bad_secret, bad_flow).");
  auto* impl = impl_.get();
  // httplib sets SO_REUSEPORT by default, which lets a second daemon bind the same port and
  // silently share the traffic; keep only SO_REUSEADDR so a busy port is an error.
  // Idle keep-alive connections hold Stop() until they time out; keep that short.
  impl->http.set_keep_alive_timeout(1);
  impl->http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  impl->http.Post(impl->options.webhook_path,
                  [impl](const httplib::Request& req, httplib::Response& res) {
                    impl->Webhook(req, res);
                  });
  impl->http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  impl->http.Get("/readyz", [impl](const httplib::Request&, httplib::Response& res) {
    Status s = impl->options.ready ? impl->options.ready() : Status::Ok();
    res.status = s.ok() ? 200 : 503;
    res.set_content(s.ok() ? "ready\n" : "not ready: " + s.ToString() + "\n", "text/plain");
  });
  impl->http.Get("/metrics", [impl](const httplib::Request&, httplib::Response& res) {
    if (impl->options.before_scrape) impl->options.before_scrape(*impl->metrics);
    res.set_content(impl->metrics->RenderPrometheus(), "text/plain; version=0.0.4");
  });
  if (impl->options.console) {
    auto console = [impl](const httplib::Request& req, httplib::Response& res) {
      impl->Console(req, res);
    };
    impl->http.Get("/", console);
    impl->http.Get("/assets/.*", console);
    impl->http.Get("/api/.*", console);
    impl->http.Post("/api/.*", console);
  }
}

OpsServer::~OpsServer() { Stop(); }

Status OpsServer::Start() {
  auto& i = *impl_;
  if (i.options.port == 0) {
    i.port = i.http.bind_to_any_port(i.options.host);
  } else {
    i.port = i.http.bind_to_port(i.options.host, i.options.port) ? i.options.port : -1;
  }
  if (i.port <= 0) {
    return UnavailableError("cannot listen on {}:{} (address in use or not available)",
                            i.options.host, i.options.port);
  }
  i.thread = std::thread([&i] { i.http.listen_after_bind(); });
  // The socket already listens (connections queue in its backlog); wait until the accept loop
  // runs so that Stop() right after Start() cannot race it. (Debian 12's cpp-httplib 0.11 has no
  // wait_until_ready.)
  while (!i.http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void OpsServer::Stop() {
  if (!impl_) return;
  impl_->http.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int OpsServer::port() const { return impl_->port; }

}  // namespace mlc::server
