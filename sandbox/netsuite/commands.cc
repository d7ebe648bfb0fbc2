// `ml-sandbox netsuite ...`: runs the NetSuite look-alike until SIGINT/SIGTERM.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "common/log.h"
#include "sandbox/commands.h"
#include "sandbox/netsuite/credentials.h"
#include "sandbox/netsuite/netsuite_sandbox.h"

namespace mlc::sandbox {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

struct NetsuiteArgs {
  netsuite::SandboxOptions options;
  std::string credentials = "netsuite-sandbox-credentials.json";
  int latency_ms = 0;
  int token_lifetime_s = 3600;
  int utc_offset_minutes = -360;
  int seed = 1;
};

int RunNetsuite(NetsuiteArgs& a) {
  auto creds = netsuite::LoadOrCreateCredentials(a.credentials);
  if (!creds.ok()) {
    std::fprintf(stderr, "ml-sandbox netsuite: %s\n", creds.error().ToString().c_str());
    return 2;
  }
  creds->AddTo(a.options);
  a.options.faults.latency = std::chrono::milliseconds(a.latency_ms);
  a.options.token_lifetime = std::chrono::seconds(a.token_lifetime_s);
  a.options.user_utc_offset = std::chrono::minutes(a.utc_offset_minutes);
  a.options.seed.seed = static_cast<uint64_t>(a.seed);
  auto sb = netsuite::NetsuiteSandbox::Create(a.options);
  if (!sb.ok()) {
    std::fprintf(stderr, "ml-sandbox netsuite: %s\n", sb.error().ToString().c_str());
    return 1;
  }
  Status s = (*sb)->Start();
  if (!s.ok()) {
    std::fprintf(stderr, "ml-sandbox netsuite: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("port=%d\nbase_url=%s\ncredentials=%s\n", (*sb)->port(), (*sb)->base_url().c_str(),
              a.credentials.c_str());
  std::fflush(stdout);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*sb)->Stop();
  return 0;
}

}  // namespace

void RegisterNetsuiteCommands(Cli& cli) {
  auto args = std::make_shared<NetsuiteArgs>();
  CLI::App* cmd = cli.app.add_subcommand(
      "netsuite", "Run a local look-alike of NetSuite's REST web services (SuiteQL, Record API, "
                  "OAuth 2.0 M2M and TBA) on SQLite");
  auto& o = args->options;
  cmd->add_option("--host", o.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", o.port, "Port (0: any free port, printed as port=N)")->capture_default_str();
  cmd->add_option("--db", o.db_path, "SQLite file holding the account (:memory: for none)")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the deterministic account generator")->capture_default_str();
  cmd->add_option("--vendors", o.seed.vendors, "Vendors to generate")->capture_default_str();
  cmd->add_option("--items", o.seed.items, "Items to generate")->capture_default_str();
  cmd->add_option("--pos", o.seed.purchase_orders, "Purchase orders to generate")->capture_default_str();
  cmd->add_option("--max-lines", o.seed.max_lines, "Lines per purchase order, at most")->capture_default_str();
  cmd->add_option("--credentials", args->credentials,
                  "JSON file with the sandbox's client and TBA credentials (created when missing)")
      ->capture_default_str();
  cmd->add_option("--concurrency", o.concurrency_limit, "Concurrent request limit (429 beyond)")->capture_default_str();
  cmd->add_option("--latency-ms", args->latency_ms, "Added latency per request")->capture_default_str();
  cmd->add_option("--error-rate", o.faults.error_rate, "Probability of an injected 503")->capture_default_str();
  cmd->add_option("--drop-rate", o.faults.drop_rate,
                  "Probability of dropping the connection after processing")->capture_default_str();
  cmd->add_option("--revoke-every", o.faults.revoke_every,
                  "Revoke every token before each Nth authenticated request (0: never)")->capture_default_str();
  cmd->add_option("--token-lifetime", args->token_lifetime_s, "Access token lifetime in seconds")->capture_default_str();
  cmd->add_option("--utc-offset-minutes", args->utc_offset_minutes,
                  "The integration user's time zone for SuiteQL, as minutes from UTC")->capture_default_str();
  cmd->callback([&cli, args] { cli.exit_code = RunNetsuite(*args); });
}

}  // namespace mlc::sandbox
