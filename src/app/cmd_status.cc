// `ml-connector status [--json] [--url URL]`: what the connector is doing, for people.
//
// The flow runner lives in the daemon, so status reads what every process can see, the store:
// per flow its schedule (from the config), documents by state, parked and due counts, the relay
// lag (age of the oldest due document), the last time a document changed and the ingest cursor;
// per partner the 997 status (sent, acknowledged, awaiting, overdue; see server/ack_status.h).
// With --url (a running daemon's ops server, e.g. http://127.0.0.1:8080) it also asks the
// daemon's console API (GET /api/flows) for runs, failures, last and next run of each flow; the
// console token, when one is needed, comes from $MLC_CONSOLE_TOKEN (never a flag: flags show in
// `ps`).
//
// Exit codes: 0 ok; 1 when the store cannot be read or --url was given and the daemon did not
// answer; 2 for a missing or invalid config.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "app/commands.h"
#include "common/civil_time.h"
#include "common/clock.h"
#include "common/curl_http_client.h"
#include "common/redact.h"
#include "config/config.h"
#include "server/ack_status.h"
#include "store/store.h"

namespace mlc::app {
namespace {

using nlohmann::json;

struct StatusOptions {
  bool json = false;
  std::string url;
};

std::string Age(std::chrono::seconds s) {
  if (s.count() < 120) return fmt::format("{}s", s.count());
  if (s.count() < 7200) return fmt::format("{}m", s.count() / 60);
  if (s.count() < 2 * 86400) return fmt::format("{}h", s.count() / 3600);
  return fmt::format("{}d", s.count() / 86400);
}

// Asks the daemon for /api/flows; returns {"name": flow json} or an error.
Result<std::map<std::string, json>> DaemonFlows(const std::string& url) {
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  CurlHttpClient http;
  HttpRequest req;
  req.url = base + "/api/flows";
  req.timeout = std::chrono::seconds(10);
  req.connect_timeout = std::chrono::seconds(3);
  if (const char* token = std::getenv("MLC_CONSOLE_TOKEN"); token != nullptr && *token != '\0') {
    RegisterSecret(token);
    req.headers["Authorization"] = std::string("Bearer ") + token;
  }
  ASSIGN_OR_RETURN(HttpResponse r, http.Send(req).WithContext("asking the daemon at " + base));
  if (r.status != 200) {
    return UnavailableError("asking the daemon at {}: HTTP {}{}", base, r.status,
                            r.status == 401 ? " (set MLC_CONSOLE_TOKEN)" : "");
  }
  json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("flows") || !body["flows"].is_array()) {
    return DataLossError("asking the daemon at {}: /api/flows did not answer a flow list", base);
  }
  std::map<std::string, json> out;
  for (const auto& f : body["flows"]) {
    if (f.is_object() && f.contains("name") && f["name"].is_string())
      out[f["name"].get<std::string>()] = f;
  }
  return out;
}

json BuildStatus(const config::Config& cfg, store::Store& store, const Clock& clock,
                 const std::vector<store::StateCount>& counts) {
  const Instant now = clock.Now();
  std::set<std::string> names;
  for (const auto& [name, fc] : cfg.flows) names.insert(name);
  for (const auto& c : counts) names.insert(c.flow);
  json flows = json::array();
  for (const auto& name : names) {
    json f = {{"name", name}};
    auto fc = cfg.flows.find(name);
    f["configured"] = fc != cfg.flows.end();
    f["enabled"] = fc != cfg.flows.end() && fc->second.enabled;
    f["schedule"] = fc != cfg.flows.end() ? json(fc->second.schedule.text) : json(nullptr);
    json states = json::object();
    for (auto s : {store::DocState::kPending, store::DocState::kInFlight,
                   store::DocState::kRetryWait, store::DocState::kParked, store::DocState::kDone}) {
      states[std::string(store::DocStateName(s))] = 0;
    }
    int64_t due = 0;
    std::optional<Instant> oldest_due, last_update;
    for (const auto& c : counts) {
      if (c.flow != name) continue;
      states[std::string(store::DocStateName(c.state))] = c.count;
      if (!last_update || c.latest_update > *last_update) last_update = c.latest_update;
      const bool waiting =
          c.state == store::DocState::kPending || c.state == store::DocState::kRetryWait;
      if (waiting && c.oldest_next_attempt <= now) {
        // The count is of the state, not only its due rows: "due" is then an upper bound.
        due += c.count;
        if (!oldest_due || c.oldest_next_attempt < *oldest_due) oldest_due = c.oldest_next_attempt;
      }
    }
    f["documents"] = states;
    f["backlog"] = states["pending"].get<int64_t>() + states["retry_wait"].get<int64_t>() +
                   states["in_flight"].get<int64_t>();
    f["parked"] = states["parked"];
    f["relay_lag_seconds"] =
        oldest_due ? std::chrono::duration_cast<std::chrono::seconds>(now - *oldest_due).count()
                   : 0;
    f["last_document_update"] = last_update ? json(FormatIso8601(*last_update)) : json(nullptr);
    auto cursor = store.GetCursor(name);
    f["cursor"] = cursor.ok() && cursor->has_value() ? json(**cursor) : json(nullptr);
    flows.push_back(std::move(f));
  }
  json partners = json::array();
  for (const auto& p : cfg.partners) {
    auto ack = server::PartnerAckStatus(store, p, now, std::chrono::hours(24 * 30), 0);
    json a = ack.ok() ? json{{"sent", ack->sent},
                             {"acknowledged", ack->acknowledged},
                             {"awaiting", ack->awaiting},
                             {"overdue", ack->overdue}}
                      : json{{"error", ack.error().ToString()}};
    partners.push_back({{"id", p.id},
                        {"expect_997_within", config::FormatDuration(p.expect_997_within)},
                        {"ack_last_30_days", a}});
  }
  return {{"now", FormatIso8601(now)},
          {"store", {{"backend", std::string(store.backend())}}},
          {"flows", flows},
          {"partners", partners}};
}

std::string Str(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "-";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

void PrintHuman(const json& st) {
  std::cout << fmt::format("store: {}   now: {}\n", st["store"]["backend"].get<std::string>(),
                           st["now"].get<std::string>());
  if (st.contains("daemon")) {
    const auto& d = st["daemon"];
    std::cout << "daemon: " << d["url"].get<std::string>() << " "
              << (d["reachable"].get<bool>() ? "answering" : "NOT answering: " + Str(d, "error"))
              << "\n";
  }
  std::cout << fmt::format("\n{:<16} {:<9} {:<22} {:>7} {:>7} {:>6} {:>8}  {}\n", "FLOW", "ENABLED",
                           "SCHEDULE", "BACKLOG", "PARKED", "DONE", "LAG", "LAST CHANGE");
  for (const auto& f : st["flows"]) {
    std::cout << fmt::format("{:<16} {:<9} {:<22} {:>7} {:>7} {:>6} {:>8}  {}\n",
                             f["name"].get<std::string>(), f["enabled"].get<bool>() ? "yes" : "no",
                             Str(f, "schedule"), f["backlog"].get<int64_t>(),
                             f["parked"].get<int64_t>(), f["documents"]["done"].get<int64_t>(),
                             Age(std::chrono::seconds(f["relay_lag_seconds"].get<int64_t>())),
                             Str(f, "last_document_update"));
    if (f.contains("daemon")) {
      const auto& d = f["daemon"];
      std::string last = "never run";
      if (d.contains("last_status") && d["last_status"].is_object()) {
        last = d["last_status"]["ok"].get<bool>() ? "ok"
                                                  : "FAILED: " + Str(d["last_status"], "message");
      }
      std::cout << fmt::format(
          "    runs={} failures={} running={} last_end={} next_due={} last={}\n", Str(d, "runs"),
          Str(d, "failures"), Str(d, "running"), Str(d, "last_end"), Str(d, "next_due"), last);
    }
  }
  if (!st["partners"].empty()) {
    std::cout << fmt::format(
        "\n{:<12} {:>10} {:>6} {:>6} {:>9} {:>8}   (850s and 860s sent, last 30 days)\n", "PARTNER",
        "997 WITHIN", "SENT", "ACKED", "AWAITING", "OVERDUE");
  }
  for (const auto& p : st["partners"]) {
    const auto& a = p["ack_last_30_days"];
    if (a.contains("error")) {
      std::cout << fmt::format("{:<12} error: {}\n", p["id"].get<std::string>(), Str(a, "error"));
      continue;
    }
    std::cout << fmt::format("{:<12} {:>10} {:>6} {:>6} {:>9} {:>8}\n", p["id"].get<std::string>(),
                             p["expect_997_within"].get<std::string>(), a["sent"].get<int64_t>(),
                             a["acknowledged"].get<int64_t>(), a["awaiting"].get<int64_t>(),
                             a["overdue"].get<int64_t>());
  }
}

int RunStatus(const std::string& config_path, const StatusOptions& opts) {
  auto loaded = config::LoadConfigFile(config_path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::cerr << e.ToString() << "\n";
    return kExitUsage;
  }
  const config::Config& cfg = loaded.config;
  auto store = store::OpenStore(cfg.store.url, SystemClock::Get());
  if (!store.ok()) {
    std::cerr << "status: " << store.error().WithContext("opening the store").ToString() << "\n";
    return kExitFailure;
  }
  auto counts = (*store)->CountDocuments();
  if (!counts.ok()) {
    std::cerr << "status: " << counts.error().ToString() << "\n";
    return kExitFailure;
  }
  json st = BuildStatus(cfg, **store, SystemClock::Get(), *counts);
  int rc = kExitOk;
  if (!opts.url.empty()) {
    auto daemon = DaemonFlows(opts.url);
    st["daemon"] = {{"url", opts.url}, {"reachable", daemon.ok()}};
    if (!daemon.ok()) {
      st["daemon"]["error"] = Redact(daemon.error().ToString());
      rc = kExitFailure;
    } else {
      for (auto& f : st["flows"]) {
        auto it = daemon->find(f["name"].get<std::string>());
        if (it == daemon->end()) continue;
        json d = it->second;
        d.erase("name");
        d.erase("schedule");
        f["daemon"] = std::move(d);
      }
    }
  }
  if (opts.json) {
    std::cout << st.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  } else {
    PrintHuman(st);
  }
  return rc;
}

}  // namespace

void RegisterStatusCommands(Cli& cli) {
  auto* cmd = cli.app.add_subcommand(
      "status",
      "flows, backlog, parked documents, relay lag and 997 status, from the store "
      "(and from a running daemon with --url)");
  auto opts = std::make_shared<StatusOptions>();
  cmd->add_flag("--json", opts->json, "print the status as JSON");
  cmd->add_option("--url", opts->url,
                  "a running daemon's ops server (http://127.0.0.1:8080): add its flow runs; "
                  "the console token, if needed, comes from $MLC_CONSOLE_TOKEN");
  cmd->callback([&cli, opts] {
    if (cli.config_path.empty()) {
      std::fprintf(stderr, "status: --config FILE (or MLC_CONFIG) is required\n");
      cli.exit_code = kExitUsage;
      return;
    }
    cli.exit_code = RunStatus(cli.config_path, *opts);
  });
}

}  // namespace mlc::app
