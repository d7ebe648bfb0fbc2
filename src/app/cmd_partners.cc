// `ml-connector partners pull [FILE] [--json]`: what NetSuite's vendor records say about the
// partner profiles (flows/partner_profiles.h). Reads the vendors with SuiteQL, changes nothing
// anywhere (not even the config file), and prints the differences and, for EDI-enabled vendors
// without a profile, profiles to review and paste under `partners:`.
// Exit 0 when NetSuite answered (differences are information, not failure), 1 when it did not,
// 2 for an invalid config.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/commands.h"
#include "app/secrets.h"
#include "common/clock.h"
#include "config/config.h"
#include "flows/partner_profiles.h"
#include "flows/reference_sync.h"
#include "netsuite/connection.h"
#include "store/store.h"

namespace mlc::app {
namespace {

Result<flows::ReferenceSnapshot> PullVendors(const config::Config& cfg) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store,
                   store::OpenStore(cfg.store.url, SystemClock::Get())
                       .WithContext("opening the store " + cfg.store.url));
  SecretResolver secrets(*store, cfg);
  ASSIGN_OR_RETURN(std::unique_ptr<netsuite::Connection> ns,
                   netsuite::Connect(cfg.netsuite, secrets.AsLookup())
                       .WithContext("connecting to NetSuite"));
  return flows::PullReferenceSnapshot(*ns->client, cfg.partners)
      .WithContext("reading vendors from NetSuite");
}

int RunPull(const std::string& path, bool json) {
  config::LoadResult loaded = config::LoadConfigFile(path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
    std::fprintf(stderr, "%s: %zu error(s)\n", path.c_str(), loaded.errors.size());
    return kExitUsage;
  }
  Result<flows::ReferenceSnapshot> snap = PullVendors(loaded.config);
  if (!snap.ok()) {
    std::fprintf(stderr, "partners pull: %s\n", snap.status().ToString().c_str());
    return kExitFailure;
  }
  const flows::ProfileSuggestions s = flows::SuggestProfiles(*snap, loaded.config);
  if (json) {
    nlohmann::json out = {{"differences", nlohmann::json::array()},
                          {"new_vendor_ids", s.new_vendor_ids},
                          {"new_profiles_yaml", s.new_profiles_yaml}};
    for (const auto& d : s.differences) {
      out["differences"].push_back({{"partner", d.partner},
                                    {"key", d.key},
                                    {"profile", d.profile_value},
                                    {"netsuite", d.netsuite_value},
                                    {"message", d.message}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  int edi_vendors = 0;
  for (const auto& v : snap->vendors) edi_vendors += v.edi_enabled && !v.inactive ? 1 : 0;
  std::printf("partners pull: %zu profile(s) in %s; NetSuite has %d active EDI-enabled vendor(s)\n",
              loaded.config.partners.size(), path.c_str(), edi_vendors);
  if (s.differences.empty()) {
    std::printf("the profiles agree with their NetSuite vendors\n");
  } else {
    std::printf("differences (nothing was changed: edit the config where NetSuite is right, or "
                "the vendor where the profile is):\n");
    for (const auto& d : s.differences) std::printf("  %s\n", d.message.c_str());
  }
  if (!s.new_profiles_yaml.empty()) {
    std::printf("\n%zu EDI-enabled vendor(s) without a profile; review these and paste them under "
                "`partners:` (then `ml-connector config check`):\n\n%s",
                s.new_vendor_ids.size(), s.new_profiles_yaml.c_str());
  }
  std::printf("(inactive vendors, items and accounts: see the reference_sync flow's report)\n");
  return kExitOk;
}

}  // namespace

void RegisterPartnersCommands(Cli& cli) {
  CLI::App* partners = cli.app.add_subcommand(
      "partners", "partner profiles against NetSuite's vendor records");
  partners->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* pull = partners->add_subcommand(
      "pull",
      "show where the profiles differ from their NetSuite vendors and suggest profiles for "
      "EDI-enabled vendors without one (changes nothing; exit 0 ok, 1 NetSuite failed, 2 invalid "
      "config)");
  pull->add_option("FILE", *file, "config file (default: --config or $MLC_CONFIG)");
  pull->add_flag("--json", *json, "one JSON object instead of text");
  pull->callback([&cli, file, json] {
    const std::string path = file->empty() ? cli.config_path : *file;
    if (path.empty()) {
      std::fprintf(stderr, "partners pull: no config file given (pass --config FILE)\n");
      cli.exit_code = kExitUsage;
      return;
    }
    cli.exit_code = RunPull(path, *json);
  });
}

}  // namespace mlc::app
