// `ml-connector run`: the daemon (daemon.h).
#include "app/commands.h"
#include "app/daemon.h"

namespace mlc::app {

void RegisterRunCommands(Cli& cli) {
  auto* cmd = cli.app.add_subcommand(
      "run", "run every enabled flow on its schedule until SIGTERM (SIGHUP reloads the config)");
  auto opts = std::make_shared<RunOptions>();
  cmd->add_flag("--once", opts->once, "run every enabled flow once, print a summary and exit");
  cmd->add_flag("--json", opts->json, "with --once: print the summary as JSON");
  cmd->callback([&cli, opts] {
    if (cli.config_path.empty()) {
      std::fprintf(stderr, "run: --config FILE (or MLC_CONFIG) is required\n");
      cli.exit_code = kExitUsage;
      return;
    }
    opts->config_path = cli.config_path;
    cli.exit_code = RunDaemon(*opts);
  });
}

}  // namespace mlc::app
