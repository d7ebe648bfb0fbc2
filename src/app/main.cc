// ml-connector's entry point: parses the command line and runs one registered command.
#include <cstdio>

#include "app/commands.h"
#include "common/log.h"

int main(int argc, char** argv) {
  mlc::app::Cli cli;
  cli.app.set_version_flag("--version", std::string("ml-connector ") + MLC_VERSION);
  cli.app.require_subcommand(1);
  cli.app.add_option("-c,--config", cli.config_path, "configuration file (YAML)")
      ->envname("MLC_CONFIG");
  cli.app.add_option("--log-format", cli.log_format, "log output: human or json")
      ->check(CLI::IsMember({"human", "json"}));
  cli.app.add_option("--log-level", cli.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  cli.app.footer(
      "Exit codes: 0 ok, 1 failure (invalid input, failed check or remote call), "
      "2 usage or configuration error.");
  // Before any command runs: log lines go to stderr (spdlog's default is stdout, which would mix
  // them into a command's output, e.g. `--json`), at --log-level in --log-format. The daemon
  // replaces this with the config's `logging` section.
  cli.app.parse_complete_callback([&cli] {
    mlc::LogOptions o;
    o.format = *mlc::ParseLogFormat(cli.log_format);  // both checked by CLI11 above
    o.level = *mlc::ParseLogLevel(cli.log_level);
    if (mlc::Status s = mlc::InitLogging(o); !s.ok()) {
      std::fprintf(stderr, "ml-connector: %s\n", s.ToString().c_str());
    }
  });
  mlc::app::RegisterAll(cli);
  try {
    cli.app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return cli.app.exit(e);
  } catch (const CLI::ParseError& e) {
    cli.app.exit(e);
    return mlc::app::kExitUsage;
  }
  return cli.exit_code;
}
