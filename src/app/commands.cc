#include "app/commands.h"

namespace mlc::app {

void RegisterAll(Cli& cli) {
  RegisterEdiCommands(cli);
  RegisterConfigCommands(cli);
  RegisterStoreCommands(cli);
  RegisterRunCommands(cli);
  RegisterCheckCommands(cli);
  RegisterStatusCommands(cli);
  RegisterPartnersCommands(cli);
}

}  // namespace mlc::app
