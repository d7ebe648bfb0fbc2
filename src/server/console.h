// The ops web console: a JSON API under /api/ and a small page (HTML, CSS, vanilla JavaScript,
// embedded in the binary from console_assets/ at build time) served at / by the OpsServer.
//
// API (every answer is JSON unless noted; errors are {"error":{"code","message"}}):
//   GET  /api/documents            filters partner, type, state, flow, since, until (ISO date
//                                  or timestamp, UTC; a date-only `until` includes that day),
//                                  q (PO or invoice number); paging after_id + limit (<= 500).
//                                  Answers {"documents":[...], "next_after_id": id or null}.
//   GET  /api/documents/{id}       {"document", "timeline" (audit events), "payloads" (metadata)}
//   GET  /api/documents/{id}/payloads/{step}/{kind}   the payload itself, as text/plain
//   POST /api/documents/{id}/replay                   body {"reason": "..."} (optional);
//                                  answers {"document": ...} with its new state
//   GET  /api/parked               parked documents with their reasons (paging as above)
//   GET  /api/partners             partners from the config with their 997 status
//   GET  /api/flows                schedules, last runs, next due (empty without a runner)
//   POST /api/flows/{name}/run     FlowRunner::Trigger; 202
//
// 997 status: for each partner, the 850s and 860s with a "sent" audit event in the last
// `ack_window` (30 days by default) are acknowledged when an "acknowledged" audit event exists for them;
// an unacknowledged one is overdue once now - (latest send) > the partner's expect_997_within
// (0 = no acknowledgment expected: never overdue).
//
// Security (enforced in Handle, whatever the transport):
// - Authentication is required when the server listens on a non-loopback address, or whenever
//   a token is configured: "Authorization: Bearer <token>", or basic auth with the token as the
//   password (the browser prompts for it; the user name becomes the replay actor). Compared in
//   constant time. Without a configured token a non-loopback console refuses everyone.
// - Without authentication (loopback, no token), the Host header must name a loopback address
//   (stops DNS-rebinding pages from reading the API through the victim's browser).
// - POST requires the header "X-MLC-Console: 1" (a cross-site page cannot send it without a
//   CORS preflight, which is never granted) and, when an Origin header is present, an Origin
//   matching the Host.
// - The page is served with a Content-Security-Policy forbidding inline script and framing;
//   the JavaScript only writes data with textContent.
//
// Ownership: the ConsoleApi keeps pointers to the store, the runner (optional) and the clock;
// they must outlive it. Thread safety: Handle may be called from many threads at once.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "config/config.h"

namespace mlc::store {
class Store;
}
namespace mlc::flows {
class FlowRunner;
}

namespace mlc::server {

// One HTTP request, transport-neutral (OpsServer fills it from cpp-httplib).
struct ConsoleRequest {
  std::string method;                          // "GET", "POST"
  std::string path;                            // percent-decoded, without the query string
  std::map<std::string, std::string> params;   // query parameters (first value of each)
  std::map<std::string, std::string> headers;  // names in lowercase
  std::string body;
  // True when the server listens on a loopback address only (OpsServer sets it).
  bool loopback_listener = true;
};

struct ConsoleResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ConsoleOptions {
  // The console token (bearer, or basic-auth password). Registered with RegisterSecret.
  std::string auth_token;
  // How far back /api/partners looks for sent 850s and 860s.
  std::chrono::hours ack_window{24 * 30};
};

class ConsoleApi {
 public:
  // `runner` may be null (no flows: /api/flows is empty, run-now answers 503).
  ConsoleApi(store::Store& store, flows::FlowRunner* runner,
             std::vector<config::PartnerConfig> partners, const Clock& clock,
             ConsoleOptions options = {});

  // True for the paths the console answers: "/", "/assets/...", "/api/...".
  static bool Owns(std::string_view path);

  // Answers one request (see the header comment). Never throws.
  ConsoleResponse Handle(const ConsoleRequest& req) const;

 private:
  ConsoleResponse Route(const ConsoleRequest& req, const std::string& actor) const;

  store::Store& store_;
  flows::FlowRunner* runner_;
  std::vector<config::PartnerConfig> partners_;
  const Clock& clock_;
  ConsoleOptions options_;
};

// True for "localhost", 127.0.0.0/8 and ::1 (with or without brackets).
bool IsLoopbackHost(std::string_view host);

}  // namespace mlc::server
