// `ml-sandbox partners step --root DIR --seed FILE`: one simulator round, for tests and scripts.
#include <iostream>
#include <nlohmann/json.hpp>

#include "sandbox/commands.h"
#include "sandbox/partners/simulator.h"

namespace mlc::sandbox {

void RegisterPartnersCommands(Cli& cli) {
  CLI::App* partners = cli.app.add_subcommand("partners", "the trading-partner simulator");
  partners->require_subcommand(1);
  CLI::App* step = partners->add_subcommand(
      "step",
      "answer every new 850 in the partners' outboxes once (997, 855, due 810s); "
      "prints a JSON report");
  struct Args {
    std::string root, seed;
  };
  auto args = std::make_shared<Args>();
  step->add_option("--root", args->root, "the sandbox root (mailboxes live under it)")->required();
  step->add_option("--seed", args->seed, "seed YAML with a `partners:` list")->required();
  step->callback([&cli, args] {
    auto profiles = partners::LoadProfiles(args->seed);
    if (!profiles.ok()) {
      std::cerr << "ml-sandbox partners: " << profiles.status() << "\n";
      cli.exit_code = 2;
      return;
    }
    auto report = partners::Step(args->root, *profiles);
    if (!report.ok()) {
      std::cerr << "ml-sandbox partners: " << report.status() << "\n";
      cli.exit_code = 1;
      return;
    }
    nlohmann::json j = {{"files_consumed", report->files_consumed},
                        {"orders", report->orders},
                        {"changes", report->changes},
                        {"acks_997", report->acks_997},
                        {"acks_855", report->acks_855},
                        {"invoices", report->invoices},
                        {"acks_received", report->acks_received},
                        {"unreadable", report->unreadable},
                        {"written", report->written}};
    std::cout << j.dump() << std::endl;
  });
}

}  // namespace mlc::sandbox
