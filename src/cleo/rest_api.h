// RestApi: the parts of the Harmony REST API the connector uses, over a Session (cleo.md 1.3-1.4):
//
//   GET  /api/connections?startIndex=N&count=M[&filter=...]  -> {"totalResults": n, "resources":
//   [...]} GET  /api/actions?startIndex=N&count=M&filter=alias eq "X" POST
//   /api/actions/{id}/run?timeout=S&messagesCount=N     -> {"status", "result", "messages"}
//
// Collections are paged the way Cleo's own client pages them: startIndex advances by the number
// of resources returned, until totalResults are read or a page comes back empty. Filters are
// SCIM-like (`alias eq "mysftp"`); the values we put in them are checked, never escaped.
// Connections carry the mailbox folders (`incoming.storage.inbox`, `outgoing.storage.outbox`),
// which is how partner mailboxes are discovered.
//
// Thread safety: as the Session (every call may come from any thread).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cleo/session.h"
#include "common/status.h"

namespace mlc::cleo {

struct Connection {
  std::string id;
  std::string alias;
  std::string type;  // as2, sftp, ftp, http, ...
  bool enabled = true;
  std::string inbox;   // incoming.storage.inbox
  std::string outbox;  // outgoing.storage.outbox
  nlohmann::json raw;  // the whole object
};

struct ActionRun {
  std::string status;  // "completed", ...
  std::string result;  // "success", "error", ...
  std::vector<std::string> messages;
};

class RestApi {
 public:
  explicit RestApi(Session& session) : session_(session) {}

  // Every resource of a collection (`resource` like "connections"), `page_size` per request.
  // Errors: the Session's; DATA_LOSS for a page without a "resources" array; INVALID_ARGUMENT
  // for page_size outside 1..1000.
  Result<std::vector<nlohmann::json>> ListAll(std::string_view resource,
                                              std::string_view filter = "", int page_size = 100);

  // Connections (partner hosts and mailboxes), optionally filtered.
  Result<std::vector<Connection>> ListConnections(std::string_view filter = "",
                                                  int page_size = 100);

  // The id of the action called `alias`. Errors: INVALID_ARGUMENT for an alias with characters
  // outside [A-Za-z0-9 _.-], NOT_FOUND when there is none, FAILED_PRECONDITION when several.
  Result<std::string> FindActionId(std::string_view alias);

  // Runs an action and waits up to `timeout` for it. A run whose result is not "success" is
  // UNAVAILABLE carrying the action's messages (retriable: send actions mostly fail on the
  // partner's side of the network).
  Result<ActionRun> RunAction(std::string_view action_id,
                              std::chrono::seconds timeout = std::chrono::seconds(60));

 private:
  Session& session_;
};

}  // namespace mlc::cleo
