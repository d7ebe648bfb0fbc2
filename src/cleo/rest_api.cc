#include "cleo/rest_api.h"

#include <algorithm>
#include <cctype>

namespace mlc::cleo {
namespace {

std::string StringAt(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return "";
    auto it = cur->find(key);
    if (it == cur->end()) return "";
    cur = &*it;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_number_integer()) return std::to_string(cur->get<int64_t>());
  return "";
}

bool SafeFilterValue(std::string_view v) {
  return !v.empty() && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '_' || c == '.' ||
           c == '-';
  });
}

bool SafeId(std::string_view v) {
  return !v.empty() && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

}  // namespace

Result<std::vector<nlohmann::json>> RestApi::ListAll(std::string_view resource,
                                                     std::string_view filter, int page_size) {
  if (page_size < 1 || page_size > 1000) {
    return InvalidArgumentError("listing cleo {}: page size {} is outside 1..1000", resource,
                                page_size);
  }
  const std::string what = fmt::format("listing cleo {}", resource);
  std::vector<nlohmann::json> all;
  int64_t start = 0;
  for (int page = 0;; ++page) {
    std::string path = fmt::format("/api/{}?startIndex={}&count={}", resource, start, page_size);
    if (!filter.empty()) path += "&filter=" + UrlEncode(filter);
    ASSIGN_OR_RETURN(nlohmann::json body, session_.CallJson(what, "GET", path));
    if (!body.is_object() || !body.contains("resources") || !body["resources"].is_array()) {
      return DataLossError("{}: page at startIndex {} has no resources array", what, start);
    }
    const auto& resources = body["resources"];
    int64_t total = body.value("totalResults", static_cast<int64_t>(-1));
    for (const auto& r : resources) all.push_back(r);
    start += static_cast<int64_t>(resources.size());
    if (resources.empty() || (total >= 0 && start >= total)) break;
    if (page > 100000) return DataLossError("{}: more than 100000 pages; giving up", what);
  }
  return all;
}

Result<std::vector<Connection>> RestApi::ListConnections(std::string_view filter, int page_size) {
  ASSIGN_OR_RETURN(std::vector<nlohmann::json> items, ListAll("connections", filter, page_size));
  std::vector<Connection> out;
  out.reserve(items.size());
  for (auto& j : items) {
    Connection c;
    c.id = StringAt(j, {"id"});
    c.alias = StringAt(j, {"alias"});
    c.type = StringAt(j, {"type"});
    c.enabled = !(j.is_object() && j.contains("enabled") && j["enabled"].is_boolean() &&
                  !j["enabled"].get<bool>());
    c.inbox = StringAt(j, {"incoming", "storage", "inbox"});
    c.outbox = StringAt(j, {"outgoing", "storage", "outbox"});
    c.raw = std::move(j);
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::string> RestApi::FindActionId(std::string_view alias) {
  if (!SafeFilterValue(alias)) {
    return InvalidArgumentError("cleo action alias '{}' has characters outside [A-Za-z0-9 _.-]",
                                Printable(alias));
  }
  ASSIGN_OR_RETURN(std::vector<nlohmann::json> items,
                   ListAll("actions", fmt::format("alias eq \"{}\"", alias), 10));
  if (items.empty()) return NotFoundError("cleo has no action with alias '{}'", alias);
  if (items.size() > 1) {
    return FailedPreconditionError("cleo has {} actions with alias '{}'", items.size(), alias);
  }
  std::string id = StringAt(items[0], {"id"});
  if (id.empty()) return DataLossError("cleo action '{}' has no id", alias);
  return id;
}

Result<ActionRun> RestApi::RunAction(std::string_view action_id, std::chrono::seconds timeout) {
  if (!SafeId(action_id)) {
    return InvalidArgumentError("cleo action id '{}' is not a plain id", Printable(action_id));
  }
  const std::string what = fmt::format("running cleo action {}", action_id);
  const std::string path =
      fmt::format("/api/actions/{}/run?timeout={}&messagesCount=20", action_id, timeout.count());
  const nlohmann::json empty = nlohmann::json::object();
  ASSIGN_OR_RETURN(nlohmann::json body, session_.CallJson(what, "POST", path, &empty));
  ActionRun run;
  run.status = StringAt(body, {"status"});
  run.result = StringAt(body, {"result"});
  if (body.is_object() && body.contains("messages") && body["messages"].is_array()) {
    for (const auto& m : body["messages"]) {
      if (m.is_string()) run.messages.push_back(Printable(m.get<std::string>(), 300));
    }
  }
  if (run.result != "success") {
    std::string joined;
    for (const auto& m : run.messages) joined += (joined.empty() ? "" : "; ") + m;
    return UnavailableError("{}: status '{}' result '{}': {}", what, Printable(run.status),
                            Printable(run.result), joined.empty() ? "no messages" : joined);
  }
  return run;
}

}  // namespace mlc::cleo
