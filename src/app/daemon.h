// The daemon: `ml-connector run`. Loads the config, starts the ops server (webhook, /metrics,
// health) and the flow runner, and then waits for signals:
//   SIGTERM, SIGINT  finish the runs in flight, stop the server, exit 0
//   SIGHUP           reload the config; a config with errors is rejected (each error logged)
//                    and the running one is kept
// `run --once` runs every enabled flow once on this thread and prints a summary (--json for
// machines); exit 0 when every flow run succeeded, 1 otherwise.
#pragma once

#include <string>

namespace mlc::app {

struct RunOptions {
  std::string config_path;
  bool once = false;
  bool json = false;
};

// Returns the process exit code (commands.h).
int RunDaemon(const RunOptions& options);

}  // namespace mlc::app
