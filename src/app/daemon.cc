#include "app/daemon.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include "app/commands.h"
#include "app/connectors.h"
#include "app/secrets.h"
#include "cleo/call_stats.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/progress.h"
#include "config/config.h"
#include "flows/inbound.h"
#include "flows/po_outbound.h"
#include "flows/reference_sync.h"
#include "flows/runner.h"
#include "server/console.h"
#include "server/http_server.h"
#include "server/ops_metrics.h"
#include "store/store.h"

namespace mlc::app {
namespace {

// Everything built from one Config; rebuilt on SIGHUP.
struct Runtime {
  config::Config config;  // the flows keep pointers into it
  std::unique_ptr<store::Store> store;
  std::unique_ptr<SecretResolver> secrets;  // opens the vault on the first vault reference
  std::unique_ptr<Connectors> connectors;   // NetSuite and Cleo clients
  server::Metrics metrics;
  std::unique_ptr<flows::FlowRunner> runner;
  std::unique_ptr<server::OpsServer> server;

  void Stop() {
    if (runner) runner->Stop();
    if (server) server->Stop();
  }
  ~Runtime() { Stop(); }
};

void ApplyLogging(const config::LoggingConfig& c) {
  LogOptions o;
  o.format = c.format == config::LogFormat::kJson ? LogFormat::kJson : LogFormat::kHuman;
  o.level = static_cast<LogLevel>(static_cast<int>(c.level));
  o.file = c.file;
  Status s = InitLogging(o);
  if (!s.ok()) std::fprintf(stderr, "ml-connector: %s\n", s.ToString().c_str());
}

void ApplyTimezone(const std::string& tz) {
  if (tz.empty()) return;
  setenv("TZ", tz.c_str(), 1);
  tzset();
}

// This process among those sharing the store: "host:pid" (relay leases, ingest locks).
std::string WorkerId() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return fmt::format("{}:{}", host, getpid());
}

// The flows, in the order `run --once` runs them: reference data first, then the POs out, then
// what the partners sent (files, invoices, acks, 997s), then our 997s.
std::vector<std::unique_ptr<flows::Flow>> MakeFlows(Runtime& rt) {
  flows::FlowEnv env = rt.connectors->Env(rt.config);
  env.store = rt.store.get();
  env.worker_id = WorkerId();
  std::vector<std::unique_ptr<flows::Flow>> out;
  auto reference = std::make_unique<flows::ReferenceSyncFlow>(rt.config, *rt.store,
                                                              rt.connectors->netsuite(),
                                                              SystemClock::Get());
  if (const auto& e = rt.config.cleo.reference_export) {
    Connectors* c = rt.connectors.get();
    reference->set_export(
        {.transport = [c] { return c->ReferenceExportTransport(); },
         .label = e->type == config::TransportType::kHttp ? "mailbox " + e->mailbox
                                                          : "folder " + e->outbox,
         .run_action_after_drop = e->run_action_after_drop,
         .api = &rt.connectors->cleo_api()});
  }
  out.push_back(std::move(reference));
  out.push_back(std::make_unique<flows::PoOutboundFlow>(env));
  out.push_back(std::make_unique<flows::InvoiceInboundFlow>(env));
  out.push_back(std::make_unique<flows::AckInboundFlow>(env));
  out.push_back(std::make_unique<flows::FaInboundFlow>(env));
  out.push_back(std::make_unique<flows::FaOutboundFlow>(env));
  return out;
}

Result<std::unique_ptr<Runtime>> Build(const config::Config& cfg, bool with_server) {
  auto rt = std::make_unique<Runtime>();
  ASSIGN_OR_RETURN(rt->store, store::OpenStore(cfg.store.url, SystemClock::Get())
                                  .WithContext("opening the store " + cfg.store.url));
  rt->config = cfg;
  rt->secrets = std::make_unique<SecretResolver>(*rt->store, rt->config);
  rt->runner =
      std::make_unique<flows::FlowRunner>(SystemClock::Get(), flows::TimeZone::ProcessLocal());
  // Each flow's ingest in one process at a time when several share the store (runner.h).
  flows::IngestLockOptions lock;
  lock.store = rt->store.get();
  lock.owner = WorkerId();
  rt->runner->SetIngestLock(std::move(lock));
  bool any = false;
  for (const auto& [name, fc] : cfg.flows) any = any || fc.enabled;
  if (any) {
    ASSIGN_OR_RETURN(rt->connectors, Connectors::Open(rt->config, *rt->secrets));
    for (auto& flow : MakeFlows(*rt)) {
      auto fc = rt->config.flows.find(flow->name());
      if (fc == rt->config.flows.end() || !fc->second.enabled) continue;
      rt->runner->Add(std::move(flow), flows::Schedule(fc->second.schedule));
    }
  }
  if (with_server && !cfg.server.listen.empty()) {
    server::OpsServerOptions o;
    const auto colon = cfg.server.listen.rfind(':');
    o.host = cfg.server.listen.substr(0, colon);
    o.port = std::stoi(cfg.server.listen.substr(colon + 1));  // validated by config
    if (!cfg.server.webhook.path.empty()) o.webhook_path = cfg.server.webhook.path;
    o.webhook_allowlist = cfg.server.webhook.allowed_cidrs;
    ASSIGN_OR_RETURN(o.webhook_secret, rt->secrets->GetOptional(cfg.server.webhook.shared_secret,
                                                                "server.webhook.shared_secret"));
    server::ConsoleOptions console;
    ASSIGN_OR_RETURN(console.auth_token, rt->secrets->GetOptional(cfg.server.console.auth_token,
                                                                  "server.console.auth_token"));
    o.console = std::make_shared<server::ConsoleApi>(*rt->store, rt->runner.get(), cfg.partners,
                                                     SystemClock::Get(), std::move(console));
    auto* runner = rt->runner.get();
    o.on_trigger = [runner](const std::string& flow, const std::string& peer) {
      Status s = runner->Trigger(flow);
      LogInfo("webhook triggered a poll", {{"flow", flow}, {"peer", peer},
                                           {"result", s.ok() ? "queued" : s.message()}});
    };
    o.on_denied = [](const std::string& peer, const std::string& reason) {
      LogWarn("webhook call refused", {{"peer", peer}, {"reason", reason}});
    };
    server::DescribeOpsMetrics(rt->metrics);
    server::OpsMetricSources sources;
    sources.store = rt->store.get();
    sources.runner = rt->runner.get();
    if (rt->connectors) {
      sources.netsuite = &rt->connectors->netsuite();
      sources.oauth2 = rt->connectors->netsuite_oauth2();
    }
    sources.partners = &rt->config.partners;
    sources.cleo = &cleo::ProcessCallStats();
    o.before_scrape = [sources](server::Metrics& m) {
      if (Status s = server::CollectOpsMetrics(sources, m); !s.ok()) {
        LogWarn("metrics scrape could not read the store", {{"error", s.ToString()}});
      }
    };
    rt->server = std::make_unique<server::OpsServer>(std::move(o), &rt->metrics);
  }
  return rt;
}

Status Start(Runtime& rt) {
  if (rt.server) {
    RETURN_IF_ERROR(rt.server->Start());
  }
  rt.runner->Start();
  return Status::Ok();
}

void LogRunning(const Runtime& rt, const config::Config& cfg, const std::string& path) {
  const std::string host = cfg.server.listen.substr(0, cfg.server.listen.rfind(':'));
  LogInfo("ml-connector running",
          {{"config", path},
           {"listen", rt.server ? fmt::format("{}:{}", host, rt.server->port()) : "none"},
           {"flows", std::to_string(rt.runner->status().size())}});
}

int PrintOnce(flows::FlowRunner& runner, bool json) {
  // A progress bar for long work, only for a person at a terminal (never with --json).
  TerminalProgress progress(stdout);
  flows::ProgressFn on_progress;
  if (!json && progress.enabled()) {
    on_progress = [&progress](std::string_view what, int64_t done, std::optional<int64_t> total) {
      progress.Update(what, done, total);
    };
  }
  auto results = runner.RunAllOnce(on_progress);
  progress.Finish();
  int rc = kExitOk;
  nlohmann::json out = nlohmann::json::array();
  for (auto& [name, r] : results) {
    nlohmann::json j{{"flow", name}, {"ok", r.ok()}};
    if (r.ok()) {
      j["counts"] = r->counts;
      j["notes"] = r->notes;
    } else {
      j["error"] = r.error().ToString();
      rc = kExitFailure;
    }
    out.push_back(j);
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return rc;
  }
  if (results.empty()) std::cout << "run --once: no flow is enabled in the config\n";
  for (const auto& j : out) {
    std::cout << fmt::format("{:<16} {}", j["flow"].get<std::string>(),
                             j["ok"].get<bool>() ? "ok" : "FAILED: " + j["error"].get<std::string>());
    if (j.contains("counts")) {
      for (const auto& [k, v] : j["counts"].items()) std::cout << " " << k << "=" << v;
    }
    std::cout << "\n";
    if (j.contains("notes")) {
      for (const auto& n : j["notes"]) std::cout << "    - " << n.get<std::string>() << "\n";
    }
  }
  return rc;
}

}  // namespace

int RunDaemon(const RunOptions& options) {
  // Signals are taken synchronously by this thread (sigwait); every thread started below
  // inherits the blocked mask, so no handler runs at an arbitrary point.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto loaded = config::LoadConfigFile(options.config_path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::cerr << e.ToString() << "\n";
    std::cerr << options.config_path << ": " << loaded.errors.size() << " error(s)\n";
    return kExitUsage;
  }
  config::Config cfg = std::move(loaded.config);
  ApplyLogging(cfg.logging);
  ApplyTimezone(cfg.timezone);

  auto built = Build(cfg, /*with_server=*/!options.once);
  if (!built.ok()) {
    LogError("cannot start", {{"error", built.error().ToString()}});
    return kExitFailure;
  }
  std::unique_ptr<Runtime> rt = std::move(built).value();
  if (options.once) return PrintOnce(*rt->runner, options.json);

  if (Status s = Start(*rt); !s.ok()) {
    LogError("cannot start", {{"error", s.ToString()}});
    rt->Stop();
    return kExitFailure;
  }
  LogRunning(*rt, cfg, options.config_path);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      auto reloaded = config::LoadConfigFile(options.config_path);
      if (!reloaded.ok()) {
        for (const auto& e : reloaded.errors) {
          LogError("config reload rejected; keeping the running configuration",
                   {{"error", e.ToString()}});
        }
        continue;
      }
      LogInfo("config reloaded; restarting flows and server", {{"config", options.config_path}});
      rt->Stop();
      cfg = std::move(reloaded.config);
      ApplyLogging(cfg.logging);
      ApplyTimezone(cfg.timezone);
      auto next = Build(cfg, true);
      if (next.ok()) rt = std::move(next).value();
      if (Status s = next.ok() ? Start(*rt) : next.error(); !s.ok()) {
        LogError("cannot restart after reload", {{"error", s.ToString()}});
        rt->Stop();
        return kExitFailure;
      }
      LogRunning(*rt, cfg, options.config_path);
      continue;
    }
    LogInfo("stopping: finishing runs in flight", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    rt->Stop();
    LogInfo("ml-connector stopped");
    return kExitOk;
  }
}

}  // namespace mlc::app
