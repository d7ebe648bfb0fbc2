// `ml-sandbox cleo --port 0 --root DIR --seed FILE ...`: serves the Cleo look-alike until SIGINT
// or SIGTERM; with --partners also runs the trading-partner simulator every --poll-interval.
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "config/values.h"
#include "sandbox/cleo/cleo_sandbox.h"
#include "sandbox/commands.h"
#include "sandbox/partners/simulator.h"

namespace mlc::sandbox {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnSignal(int) { g_stop = true; }

}  // namespace

void RegisterCleoCommands(Cli& cli) {
  struct Args {
    int port = 0;
    std::string host = "127.0.0.1";
    std::string root, seed;
    std::string token_lifetime = "15m";
    int latency_ms = 0;
    double error_rate = 0, drop_rate = 0;
    uint64_t fault_seed = 1;
    std::string server_header = "Cleo Harmony/5.8.0.25 (ml-sandbox)";
    bool partners = false;
    int poll_ms = 500;
    bool allow_overwrite = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = cli.app.add_subcommand(
      "cleo", "serve a Cleo Harmony look-alike (REST API and /server file commands)");
  cmd->add_option("--port", a->port, "port; 0 picks a free one and prints it")
      ->capture_default_str();
  cmd->add_option("--host", a->host, "address to bind")->capture_default_str();
  cmd->add_option("--root", a->root, "directory holding the mailboxes")->required();
  cmd->add_option("--seed", a->seed, "seed YAML (users, mailboxes, actions, partners)")->required();
  cmd->add_option("--token-lifetime", a->token_lifetime, "e.g. 15m, 30s")->capture_default_str();
  cmd->add_option("--latency-ms", a->latency_ms, "added to every request");
  cmd->add_option("--error-rate", a->error_rate, "probability of an injected 503")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--drop-rate", a->drop_rate, "probability of a dropped connection")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--fault-seed", a->fault_seed, "PRNG seed for injected faults");
  cmd->add_option("--server-header", a->server_header,
                  "Server header (e.g. 'Cleo Harmony/5.8.0.21' to test the version warning)")
      ->capture_default_str();
  cmd->add_flag("--partners", a->partners, "run the trading-partner simulator in-process");
  cmd->add_option("--poll-interval-ms", a->poll_ms, "simulator poll interval")
      ->capture_default_str();
  cmd->add_flag("--allow-overwrite", a->allow_overwrite,
                "let /server send overwrite existing files (Cleo's default is off)");
  cmd->callback([&cli, a] {
    auto seed = cleo::LoadCleoSeed(a->seed);
    auto lifetime = config::ParseDuration(a->token_lifetime);
    std::vector<partners::PartnerProfile> profiles;
    if (a->partners) {
      auto p = partners::LoadProfiles(a->seed);
      if (!p.ok()) {
        std::cerr << "ml-sandbox cleo: " << p.status() << "\n";
        cli.exit_code = 2;
        return;
      }
      profiles = *p;
    }
    if (!seed.ok() || !lifetime.ok()) {
      std::cerr << "ml-sandbox cleo: " << (seed.ok() ? lifetime.status() : seed.status()) << "\n";
      cli.exit_code = 2;
      return;
    }
    cleo::CleoSandboxOptions o;
    o.root = a->root;
    o.host = a->host;
    o.port = a->port;
    o.seed = *seed;
    o.server_header = a->server_header;
    o.token_lifetime = *lifetime;
    o.latency = std::chrono::milliseconds(a->latency_ms);
    o.error_rate = a->error_rate;
    o.drop_rate = a->drop_rate;
    o.fault_seed = a->fault_seed;
    o.allow_overwrite = a->allow_overwrite;
    cleo::CleoSandbox server(o);
    if (Status s = server.Start(); !s.ok()) {
      std::cerr << "ml-sandbox cleo: " << s << "\n";
      cli.exit_code = 1;
      return;
    }
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    std::cout << "listening on " << server.base_url() << "\nport=" << server.port() << std::endl;
    auto next_poll = std::chrono::steady_clock::now();
    while (!g_stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (a->partners && std::chrono::steady_clock::now() >= next_poll) {
        next_poll = std::chrono::steady_clock::now() + std::chrono::milliseconds(a->poll_ms);
        auto r = partners::Step(a->root, profiles);
        if (!r.ok()) {
          std::cerr << "ml-sandbox cleo: partner simulator: " << r.status() << "\n";
        } else if (!r->written.empty()) {
          std::cout << "partners wrote " << r->written.size() << " file(s)" << std::endl;
        }
      }
    }
    server.Stop();
  });
}

}  // namespace mlc::sandbox
