#include "app/commands.h"

namespace mlc::app {

void RegisterAll(Cli& cli) {
  (void)cli;  // areas register below, one line each
  RegisterEdiCommands(cli);
  RegisterConfigCommands(cli);
}

}  // namespace mlc::app
