// `ml-sandbox warehouse step --root R --netsuite-url URL --credentials FILE`: one warehouse round
// (warehouse.h); prints a one-line summary.
#include <iostream>
#include <memory>

#include "common/log.h"
#include "sandbox/commands.h"
#include "sandbox/warehouse/warehouse.h"

namespace mlc::sandbox {

void RegisterWarehouseCommands(Cli& cli) {
  CLI::App* wh = cli.app.add_subcommand("warehouse", "the simulated warehouse");
  wh->require_subcommand(1);
  CLI::App* step = wh->add_subcommand(
      "step",
      "post an item receipt into NetSuite for every shipment the partners made that is not "
      "received yet; prints a one-line summary");
  struct Args {
    std::string root, url, credentials;
  };
  auto args = std::make_shared<Args>();
  step->add_option("--root", args->root, "the sandbox root (partner state under .partners/)")
      ->required();
  step->add_option("--netsuite-url", args->url, "the NetSuite sandbox, e.g. http://127.0.0.1:8080")
      ->required();
  step->add_option("--credentials", args->credentials,
                   "the credentials file `ml-sandbox netsuite` wrote")
      ->required();
  step->callback([&cli, args] {
    // Logs (redacted) go to stderr, so stdout is the summary line alone.
    (void)InitLogging(LogOptions{});
    auto report = warehouse::ReceiveShipmentsFromSandbox(args->root, args->url, args->credentials);
    if (!report.ok()) {
      std::cerr << "ml-sandbox warehouse: " << report.status() << "\n";
      const StatusCode c = report.error().code();
      cli.exit_code = c == StatusCode::kNotFound || c == StatusCode::kInvalidArgument ? 2 : 1;
      return;
    }
    std::cout << "warehouse: " << report->Summary() << std::endl;
  });
}

}  // namespace mlc::sandbox
