// The CLI's command registry. Every subcommand is registered in commands.cc (RegisterAll), one
// line per area; each area's commands live in cmd_<area>.cc.
//
// Exit codes (documented in README and `--help`): 0 ok, 1 failure (a check failed, a file is
// invalid, a remote call failed), 2 usage or configuration error.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace mlc::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// State shared by every command: set by option parsing, read by the callbacks.
struct Cli {
  CLI::App app{"ml-connector: moves purchase orders, invoices and acknowledgments between "
               "Oracle NetSuite and Cleo as X12 EDI"};
  std::string config_path;  // --config, also $MLC_CONFIG
  std::string log_format = "human";
  std::string log_level = "info";
  int exit_code = kExitOk;
};

void RegisterAll(Cli& cli);

// One function per area (cmd_<area>.cc).
void RegisterEdiCommands(Cli& cli);  // edi to-json, from-json, fmt (validate, ack)
void RegisterConfigCommands(Cli& cli);  // config check FILE, config docs
void RegisterStoreCommands(Cli& cli);   // docs list|show, replay, audit, secrets
void RegisterRunCommands(Cli& cli);     // run [--once] [--json]
void RegisterCheckCommands(Cli& cli);   // check: NetSuite, Cleo and mailboxes answer
void RegisterStatusCommands(Cli& cli);  // status [--json] [--url]: flows, backlog, 997s
void RegisterPartnersCommands(Cli& cli);  // partners pull: profiles vs NetSuite vendors


}  // namespace mlc::app
