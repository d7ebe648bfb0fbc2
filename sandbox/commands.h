// ml-sandbox's command registry: `ml-sandbox netsuite ...`, `ml-sandbox cleo ...`. Each part
// (sandbox/<part>/) implements one Register function; main.cc calls them all.
#pragma once

#include <CLI/CLI.hpp>

namespace mlc::sandbox {

struct Cli {
  CLI::App app{"ml-sandbox: local look-alikes of Oracle NetSuite and Cleo, and simulated "
               "trading partners, for tests and the demo"};
  int exit_code = 0;
};

// One line per part:
void RegisterCleoCommands(Cli& cli);
void RegisterPartnersCommands(Cli& cli);
void RegisterNetsuiteCommands(Cli& cli);
void RegisterWarehouseCommands(Cli& cli);

}  // namespace mlc::sandbox
