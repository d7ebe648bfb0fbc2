// ml-connector's entry point: parses the command line and runs one registered command.
#include <cstdio>

#include "app/commands.h"

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
