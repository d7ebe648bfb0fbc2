// CleoSandbox: a local look-alike of Cleo Harmony for tests and the demo, speaking the wire
// formats the client in src/cleo/ expects from the real thing (see ../shared/reference/cleo.md):
//
//   POST /api/authentication      form grant_type=password&username&password -> {"access_token"}
//   GET  /api/connections[/{id}]  paged {"totalResults","startIndex","itemsPerPage","resources"}
//   GET  /api/actions[/{id}]      same paging; filter `alias eq "x"`, `type eq "x"`, `alias sw "x"`
//   POST /api/actions/{id}/run    "sends" the action's mailbox outbox (moves files to sentbox)
//   POST /server?request=list|receive|send|delete&directory=&filename=   Basic auth per mailbox
//
// REST calls need `Authorization: Bearer <token>`; a missing, unknown or expired token is 401
// with a {"message": ...} body, as every error is. Mailboxes live on disk under
// <root>/<mailbox>/{inbox,outbox,sentbox,receivedbox}; `/server` refuses directories outside the
// mailbox, names with separators or "..", and the `autorun` directory (403). Every response
// carries `Server: <server_header>` so the client's version check can be exercised.
//
// Faults, to exercise retries and re-authentication: latency per request; a probability of 503
// and of a dropped connection (headers promise a body that never comes), drawn from a PRNG seeded
// with `fault_seed` (deterministic for one client thread); FailNext for exact sequences in tests;
// ExpireAllTokens to force a 401.
//
// Thread safety: Start/Stop from one thread; everything else from any thread. Requests are served
// on the server's worker threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace mlc::sandbox::cleo {

struct SandboxUser {
  std::string username;
  std::string password;
};

struct SandboxMailbox {
  std::string name;      // also the Local HTTP User's name
  std::string password;  // its HTTP Basic password
};

struct SandboxAction {
  std::string id;
  std::string alias;
  std::string mailbox;  // whose outbox the action "sends"
};

struct CleoSeed {
  std::vector<SandboxUser> users;
  std::vector<SandboxMailbox> mailboxes;
  std::vector<SandboxAction> actions;
  int filler_connections = 0;  // extra connections so that paging has pages
};

// Reads the `cleo:` section of a seed YAML file:
//   cleo:
//     users: [{username: api, password: api-secret}]
//     mailboxes: [{name: acme, password: acme-pass}]
//     actions: [{id: act-1, alias: send acme, mailbox: acme}]
//     filler_connections: 120
// Errors: NOT_FOUND for a missing file, INVALID_ARGUMENT naming the key for bad content.
Result<CleoSeed> LoadCleoSeed(const std::filesystem::path& file);

struct CleoSandboxOptions {
  std::filesystem::path root;  // mailboxes live here (created as needed)
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (see port())
  CleoSeed seed;
  std::string server_header = "Cleo Harmony/5.8.0.25 (ml-sandbox)";
  std::chrono::milliseconds token_lifetime{std::chrono::minutes(15)};
  std::chrono::milliseconds latency{0};
  double error_rate = 0;  // probability of an injected 503
  double drop_rate = 0;   // probability of a dropped connection
  uint64_t fault_seed = 1;
  uint64_t max_upload_bytes = 64u << 20;  // larger `send` bodies: 413
  bool allow_overwrite = false;  // Cleo's "users can overwrite files" (off by default): 409
};

// k503 and kDrop hit before the request is handled; kDropAfter handles it (a file is written, an
// action runs) and then drops the response - the case that makes retries need idempotency (only
// on POST /api/authentication, /api/actions/{id}/run and /server; elsewhere it passes).
// kNone lets one request through (to place a fault later in a script).
enum class Fault : uint8_t { kNone, k503, kDrop, k401, kDropAfter };

struct SandboxStats {
  int64_t requests = 0;
  int64_t token_grants = 0;
  int64_t unauthorized = 0;  // 401 answers
  int64_t injected_503 = 0;
  int64_t injected_drops = 0;
};

class CleoSandbox {
 public:
  explicit CleoSandbox(CleoSandboxOptions options);
  ~CleoSandbox();
  CleoSandbox(const CleoSandbox&) = delete;
  CleoSandbox& operator=(const CleoSandbox&) = delete;

  // Creates the mailbox directories, binds and starts serving on a background thread. Errors:
  // UNAVAILABLE when the port cannot be bound, file-system errors.
  Status Start();
  // Stops serving and joins the thread. Idempotent.
  void Stop();

  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:<port>"
  std::filesystem::path MailboxDir(const std::string& mailbox) const;

  // The next `count` requests (of any kind) get `fault`.
  void FailNext(int count, Fault fault);
  // Every token issued so far stops working (as if their lifetime had passed).
  void ExpireAllTokens();
  SandboxStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace mlc::sandbox::cleo
