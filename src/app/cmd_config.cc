// `ml-connector config check [FILE]` and `ml-connector config docs`.
//
// check: loads FILE (or --config / $MLC_CONFIG) with the real environment, prints every error
// one per line on standard error and exits 2 when the file is invalid, 0 when it is valid.
// env:VAR secrets are read (and must be set); vault:NAME references are only checked for shape
// here, the store resolves them when the daemon starts.
// docs: prints the Markdown reference generated from the declarations (docs/config.md).
#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.h"
#include "config/config.h"

namespace mlc::app {

void RegisterConfigCommands(Cli& cli) {
  CLI::App* config = cli.app.add_subcommand("config", "validate and document the config file");
  config->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  CLI::App* check = config->add_subcommand(
      "check", "validate a config file, printing every error (exit 0 valid, 2 invalid)");
  check->add_option("FILE", *file, "config file (default: --config or $MLC_CONFIG)");
  check->callback([&cli, file] {
    const std::string path = file->empty() ? cli.config_path : *file;
    if (path.empty()) {
      std::fprintf(stderr, "config check: no file given (pass FILE or --config)\n");
      cli.exit_code = kExitUsage;
      return;
    }
    config::LoadResult r = config::LoadConfigFile(path);
    if (!r.ok()) {
      for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
      std::fprintf(stderr, "%s: %zu error(s)\n", path.c_str(), r.errors.size());
      cli.exit_code = kExitUsage;
      return;
    }
    size_t flows = 0;
    for (const auto& [name, flow] : r.config.flows) flows += flow.enabled ? 1 : 0;
    std::printf("%s: valid (%zu partner(s), %zu flow(s) enabled)\n", path.c_str(),
                r.config.partners.size(), flows);
    cli.exit_code = kExitOk;
  });

  CLI::App* docs = config->add_subcommand(
      "docs", "print the configuration reference (Markdown) generated from the declarations");
  docs->callback([&cli] {
    std::fputs(config::ConfigReferenceMarkdown().c_str(), stdout);
    cli.exit_code = kExitOk;
  });
}

}  // namespace mlc::app
