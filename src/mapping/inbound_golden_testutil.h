// Test-only helpers shared by the mapping golden tests (850, 860, 810, 855): reading golden case
// folders (tests/golden/mapping/<suite>/<case>/), the first transaction set of an X12 file with
// its envelope identity, the PO of a case (record.json + reference.json, mapped with
// PurchaseOrderFromRecord) and the partner settings of a case (partner.json, or partner.yaml
// loaded with the real config loader).
//
// Golden files are compared byte for byte; with UPDATE_GOLDEN=1 in the environment the expected
// files are rewritten instead (review every changed file before committing it).
//
// Thread safety: test code, single-threaded.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "edi/documents.h"
#include "edi/reader.h"
#include "mapping/netsuite_po.h"
#include "model/documents.h"

namespace mlc::mapping::testing {

namespace fs = std::filesystem;

inline fs::path GoldenDir(std::string_view suite) {
  return fs::path(MLC_SOURCE_DIR) / "tests/golden/mapping" / suite;
}

inline std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<std::string> CaseNames(std::string_view suite) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(GoldenDir(suite), ec)) {
    if (e.is_directory()) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Fails naming each case of `required` that the suite's folder lacks.
inline void ExpectHasCases(std::string_view suite, std::initializer_list<const char*> required) {
  const auto names = CaseNames(suite);
  for (const char* r : required) {
    EXPECT_NE(std::find(names.begin(), names.end(), r), names.end()) << suite << "/" << r;
  }
}

inline bool UpdateGolden() { return std::getenv("UPDATE_GOLDEN") != nullptr; }

// Compares `got` with dir/name, or (UPDATE_GOLDEN) writes it and removes the `others`: the
// expected files of the other outcomes, so a case always has exactly one.
inline void ExpectGolden(const fs::path& dir, const std::string& name, const std::string& got,
                         const std::vector<std::string>& others) {
  if (UpdateGolden()) {
    std::ofstream(dir / name, std::ios::binary) << got;
    for (const auto& o : others) fs::remove(dir / o);
  }
  ASSERT_TRUE(fs::exists(dir / name))
      << dir.filename() << ": got " << name << " but the case expects another outcome:\n"
      << got;
  EXPECT_EQ(got, Slurp(dir / name)) << dir.filename() << "/" << name;
}

// Where a transaction set came from.
struct SetIds {
  std::string sender_id, isa13, gs06, st02;
};

// Reads the first transaction set of `x12` with `read` (edi::Read810, edi::Read855); the segments
// are views into the Reader's buffer, so the typed view is made while the Reader is alive.
template <typename T>
Result<T> ReadFirstSet(const std::string& x12, Result<T> (*read)(std::span<const edi::Segment>),
                       SetIds* ids) {
  edi::MemorySource source(x12);
  edi::Reader reader(source);
  for (;;) {
    ASSIGN_OR_RETURN(edi::Event ev, reader.Next());
    if (ev.kind == edi::EventKind::kEnd) break;
    if (ev.kind != edi::EventKind::kTransactionSet) continue;
    ids->sender_id = std::string(ev.interchange->sender_id());
    ids->isa13 = std::string(ev.interchange->control_number());
    ids->gs06 = ev.group != nullptr ? std::string(ev.group->control_number()) : "";
    ids->st02 = std::string(ev.set->control_number());
    return read(ev.set->segments);
  }
  return InvalidArgumentError("no transaction set in the file");
}

inline Result<model::PurchaseOrder> CasePo(const fs::path& dir) {
  auto ref = PoReferenceFromJson(nlohmann::json::parse(Slurp(dir / "reference.json")));
  if (!ref.ok()) return ref.status();
  return PurchaseOrderFromRecord(nlohmann::json::parse(Slurp(dir / "record.json")), *ref);
}

// partner.json: {"id", "item_id_preference": [..], "uom_map": {NetSuite unit: X12 code},
// "tolerances": {"price_percent", "price_amount", "quantity_percent"} (decimal text),
// "default_accounts": {"expense", "ap"}, "on_mismatch": "park" | "hold"}.
inline config::PartnerConfig PartnerFromJson(const nlohmann::json& j) {
  config::PartnerConfig p;
  p.id = j.value("id", "");
  p.item_id_preference = j.value("item_id_preference", std::vector<std::string>{});
  p.uom_map = j.value("uom_map", std::map<std::string, std::string>{});
  const nlohmann::json t = j.value("tolerances", nlohmann::json::object());
  p.tolerances.price_percent = t.value("price_percent", "");
  p.tolerances.price_amount = t.value("price_amount", "");
  p.tolerances.quantity_percent = t.value("quantity_percent", "");
  const nlohmann::json a = j.value("default_accounts", nlohmann::json::object());
  p.default_accounts.expense = a.value("expense", "");
  p.default_accounts.ap = a.value("ap", "");
  p.on_mismatch = j.value("on_mismatch", "park") == "hold" ? config::MismatchAction::kHold
                                                           : config::MismatchAction::kPark;
  return p;
}

// What the config loader needs besides the partners; a case's partner.yaml follows it.
inline constexpr std::string_view kPartnerYamlPreamble = R"(netsuite:
  account_id: "1234567_SB1"
  auth:
    method: oauth2_m2m
    oauth2:
      client_id: vault:ns_client_id
      certificate_id: cert-1
      private_key: vault:ns_private_key
cleo:
  base_url: https://cleo.example.com
  username: api
  password: vault:cleo_password
)";

// partner.yaml: `partners:` with exactly one partner profile, loaded with the real config loader
// (so the profile is validated as a user's would be). Errors: every config error, joined.
inline Result<config::PartnerConfig> LoadPartnerYaml(const fs::path& file) {
  config::LoadResult r = config::LoadConfigText(
      std::string(kPartnerYamlPreamble) + Slurp(file),
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  if (!r.ok()) {
    std::string all;
    for (const auto& e : r.errors) all += e.ToString() + "; ";
    return InvalidArgumentError("{}: {}", file.string(), all);
  }
  if (r.config.partners.size() != 1) {
    return InvalidArgumentError("{}: expected exactly one partner", file.string());
  }
  return r.config.partners[0];
}

}  // namespace mlc::mapping::testing
