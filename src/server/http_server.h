// OpsServer: the daemon's HTTP endpoint: the NetSuite webhook receiver, /metrics, /healthz and
// /readyz, and the ops console (console.h) when one is given.
//
// Webhook: NetSuite calls it when a purchase order changes (from a user event script or an
// event subscription). Such calls carry no signature, so the caller's address must be inside
// the configured allowlist, and, when a shared secret is configured, the request must carry it
// in the X-MLC-Webhook-Secret header (compared in constant time). A valid call only triggers an
// early poll of the named flow (on_trigger); its body is never trusted as data: polling remains
// the source of truth. Anything else is answered 403 and reported through on_denied (the daemon
// writes an audit entry). Outcomes are counted in mlc_webhook_requests_total{outcome=...}.
//
// /healthz answers 200 while the process serves; /readyz asks the ready callback (store
// reachable, config loaded) and answers 200 or 503 with the reason.
//
// Thread safety: Start/Stop from one thread; callbacks run on the server's worker threads.
#pragma once

#include <functional>
#include <memory>
#include <vector>
#include <string>

#include "common/status.h"
#include "config/values.h"
#include "server/console.h"
#include "server/metrics.h"

namespace mlc::server {

struct OpsServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = pick a free port (see OpsServer::port())
  std::string webhook_path = "/webhook/netsuite";
  // Callers whose address is in none of these ranges are refused; empty refuses everyone.
  std::vector<config::Cidr> webhook_allowlist;
  std::string webhook_secret;  // empty = no shared secret required
  // The flow a webhook call may trigger; the query parameter ?flow= may name another
  // (must be one of `webhook_flows`).
  std::string default_flow = "po_outbound";
  std::vector<std::string> webhook_flows = {"po_outbound", "reference_sync"};
  std::function<void(const std::string& flow, const std::string& peer)> on_trigger;
  std::function<void(const std::string& peer, const std::string& reason)> on_denied;
  std::function<Status()> ready;  // nullptr = always ready
  // Called before each /metrics answer to refresh the gauges computed from outside state (the
  // store, the runner, the clients; see ops_metrics.h). nullptr = none.
  std::function<void(Metrics&)> before_scrape;
  // The ops console, served at /, /assets/ and /api/ (nullptr = none). It requires
  // authentication when `host` is not a loopback address (see console.h).
  std::shared_ptr<ConsoleApi> console;
};

class OpsServer {
 public:
  OpsServer(OpsServerOptions options, Metrics* metrics);
  ~OpsServer();
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;

  // Binds and starts serving on a background thread. UNAVAILABLE if the address cannot be bound.
  Status Start();
  // Stops accepting, finishes requests in flight, joins the thread. Idempotent.
  void Stop();
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlc::server
