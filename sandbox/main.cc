// ml-sandbox's entry point (see commands.h).
#include "sandbox/commands.h"

int main(int argc, char** argv) {
  mlc::sandbox::Cli cli;
  cli.app.require_subcommand(1);
  // Parts register here, one line each:
  mlc::sandbox::RegisterCleoCommands(cli);
  mlc::sandbox::RegisterPartnersCommands(cli);
  mlc::sandbox::RegisterNetsuiteCommands(cli);
  mlc::sandbox::RegisterWarehouseCommands(cli);
  try {
    cli.app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return cli.app.exit(e);
  } catch (const CLI::ParseError& e) {
    cli.app.exit(e);
    return 2;
  }
  return cli.exit_code;
}
