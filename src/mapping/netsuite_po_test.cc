// Golden tests: tests/golden/mapping/netsuite_po/<case>/ holds record.json (a NetSuite PO as the
// Record API returns it), reference.json (PoReference) and either expected.json (the mapped
// model) or expected_error.txt (the exact error). UPDATE_GOLDEN=1 rewrites the expected files.
#include "mapping/netsuite_po.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mapping/json_values.h"

namespace mlc::mapping {
namespace {

namespace fs = std::filesystem;
const fs::path kGolden = fs::path(MLC_SOURCE_DIR) / "tests/golden/mapping/netsuite_po";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Cases() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kGolden)) {
    if (e.is_directory()) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class NetsuitePoGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(NetsuitePoGolden, Maps) {
  const fs::path dir = kGolden / GetParam();
  const auto record = nlohmann::json::parse(Slurp(dir / "record.json"));
  auto ref = PoReferenceFromJson(nlohmann::json::parse(Slurp(dir / "reference.json")));
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto po = PurchaseOrderFromRecord(record, *ref);
  const bool update = std::getenv("UPDATE_GOLDEN") != nullptr;
  if (po.ok()) {
    const std::string got = ToJson(*po).dump(2) + "\n";
    if (update) {
      std::ofstream(dir / "expected.json") << got;
      fs::remove(dir / "expected_error.txt");
    }
    ASSERT_TRUE(fs::exists(dir / "expected.json")) << "mapped, but the case expects an error: "
                                                   << Slurp(dir / "expected_error.txt");
    EXPECT_EQ(got, Slurp(dir / "expected.json"));
  } else {
    const std::string got = po.status().ToString() + "\n";
    if (update) {
      std::ofstream(dir / "expected_error.txt") << got;
      fs::remove(dir / "expected.json");
    }
    ASSERT_TRUE(fs::exists(dir / "expected_error.txt")) << "unexpected error: " << got;
    EXPECT_EQ(got, Slurp(dir / "expected_error.txt"));
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, NetsuitePoGolden, ::testing::ValuesIn(Cases()),
                         [](const auto& test_info) { return test_info.param; });

TEST(JsonValuesTest, NumbersBecomeExactDecimals) {
  auto j = nlohmann::json::parse(R"({"a": 1253.47, "b": 8.0, "c": "-56610.19", "d": 12,
                                     "e": 1e-7, "f": 0.1234567890123456, "g": "T", "h": "x"})");
  EXPECT_EQ(DecimalAt(j, "a", "r")->ToString(), "1253.47");
  EXPECT_EQ(*DecimalAt(j, "b", "r"), Decimal::FromInt(8));
  EXPECT_EQ(DecimalAt(j, "c", "r")->ToString(), "-56610.19");
  EXPECT_EQ(*DecimalAt(j, "d", "r"), Decimal::FromInt(12));
  EXPECT_EQ(DecimalAt(j, "e", "r").status().message(),
            "r.e: number 1e-07 is in exponent form; refusing to approximate");
  EXPECT_FALSE(DecimalAt(j, "f", "r").ok());
  EXPECT_FALSE(DecimalAt(j, "h", "r").ok());
  EXPECT_EQ(DecimalAt(j, "missing", "r").status().message(), "r.missing: required number is missing");
  EXPECT_TRUE(*BoolAt(j, "g", "r"));
  EXPECT_FALSE(BoolAt(j, "h", "r").ok());
}

TEST(JsonValuesTest, DatesInBothNetSuiteForms) {
  auto j = nlohmann::json::parse(R"({"iso": "2026-01-09", "sql": "1/9/2026", "bad": "2026-02-30"})");
  EXPECT_EQ(FormatIsoDate(**DateAt(j, "iso", "r")), "2026-01-09");
  EXPECT_EQ(FormatIsoDate(**DateAt(j, "sql", "r")), "2026-01-09");
  EXPECT_FALSE(DateAt(j, "bad", "r").ok());
  EXPECT_FALSE(DateAt(j, "none", "r")->has_value());
}

}  // namespace
}  // namespace mlc::mapping
