// Unit tests for To860 / Build860 / PurchaseOrderFromJson, and golden tests of the change path
// (earlier revision + new PO -> 860 -> interchange).
//
// Golden cases: tests/golden/mapping/po_860/<case>/ holds
//   before.json   the PO as last sent (canonical JSON, as mapping::ToJson writes and the
//                 po_outbound flow stores it with each revision)
//   after.json    the PO now (same form)
//   partner.yaml  `partners:` with one partner profile (testing::LoadPartnerYaml, as po_850's)
//   case.json     {"revision": N, "change_date": "2026-11-27", "isa13", "gs06", "st02", "at"}
// and either expected.x12 (the exact interchange bytes) or expected_error.txt (the exact error).
// Every expected.x12 must also pass edi::ValidateInput (the 860 schema tables) and carry one 860
// whose POC segments are the mapping's lines; the test asserts both.
//
// To regenerate the expected files after a deliberate change: UPDATE_GOLDEN=1 mapping_test
// --gtest_filter='Cases/Po860Golden.*', then review the diff by eye.
#include "mapping/x12_860.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "edi/reader.h"
#include "edi/validator.h"
#include "mapping/inbound_golden_testutil.h"
#include "mapping/netsuite_po.h"
#include "mapping/x12_envelope.h"

namespace mlc::mapping {
namespace {

using ::testing::HasSubstr;

Decimal D(std::string_view s) { return *Decimal::Parse(s); }
CivilDate Day(std::string_view iso) { return *ParseIsoDate(iso); }

config::PartnerConfig Partner() {
  config::PartnerConfig p;
  p.id = "ACME";
  p.item_id_preference = {"VP", "BP"};
  p.documents = {"850", "860", "997"};
  p.po_change_as = "860";
  return p;
}

model::PurchaseOrderLine Line(int n, std::string_view qty, std::string_view rate) {
  model::PurchaseOrderLine l;
  l.line = n;
  l.item_id = std::to_string(100 + n);
  l.ids.buyer_part = "W-" + std::to_string(n);
  l.ids.vendor_part = "ACME-" + std::to_string(n);
  l.quantity = D(qty);
  l.unit = "ea";
  l.rate = D(rate);
  return l;
}

model::PurchaseOrder Po() {
  model::PurchaseOrder po;
  po.internal_id = "501";
  po.number = "PO1001";
  po.status = "B";
  po.date = Day("2026-11-02");
  po.currency = "USD";
  po.ship_to.name = "ML Plant 1";
  po.lines = {Line(1, "10", "10.50"), Line(2, "6", "28.125"), Line(3, "4", "2")};
  po.total = D("339.75");
  return po;
}

std::map<std::string, std::string> Codes(const PurchaseOrderChange860& c) {
  std::map<std::string, std::string> out;
  for (const auto& l : c.lines) out[l.line.line_number] = l.change;
  return out;
}

TEST(To860Test, OneChangeTypePerLine) {
  const model::PurchaseOrder before = Po();
  model::PurchaseOrder after = Po();
  after.lines[0].quantity = D("12");         // QI
  after.lines[1].rate = D("27.5");           // PC
  after.lines[2].quantity = D("3");          // QD
  after.lines.push_back(Line(4, "1", "9"));  // AI
  auto c = To860(before, after, Partner(), 2, Day("2026-11-27"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->purpose, "04");
  EXPECT_EQ(c->change_sequence, "2");
  EXPECT_EQ(c->change_date, "20261127");
  EXPECT_EQ(Codes(*c), (std::map<std::string, std::string>{
                           {"1", "QI"}, {"2", "PC"}, {"3", "QD"}, {"4", "AI"}}));
  EXPECT_EQ(c->lines[0].line.quantity, D("12"));
  EXPECT_EQ(c->lines[0].left_to_receive, D("12"));
  EXPECT_EQ(c->lines[0].line.unit, "EA");
  ASSERT_EQ(c->lines[0].line.ids.size(), 2u);
  EXPECT_EQ(c->lines[0].line.ids[0].qualifier, "VP");
}

TEST(To860Test, QuantityAndPriceTogetherIsCaAndUnchangedLinesAreLeftOut) {
  model::PurchaseOrder after = Po();
  after.lines[1].quantity = D("8");
  after.lines[1].rate = D("30");
  auto c = To860(Po(), after, Partner(), 1, Day("2026-11-27"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Codes(*c), (std::map<std::string, std::string>{{"2", "CA"}}));
}

TEST(To860Test, OtherVisibleChangesAreCa) {
  model::PurchaseOrder after = Po();
  after.lines[0].description = "now with a description";
  after.lines[2].expected_date = Day("2026-12-01");
  auto c = To860(Po(), after, Partner(), 1, Day("2026-11-27"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Codes(*c), (std::map<std::string, std::string>{{"1", "CA"}, {"3", "CA"}}));
}

TEST(To860Test, ClosedOrRemovedLineIsDeletedWithZeroQuantity) {
  model::PurchaseOrder after = Po();
  after.lines[0].closed = true;
  after.lines.pop_back();  // line 3 gone
  auto c = To860(Po(), after, Partner(), 1, Day("2026-11-27"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Codes(*c), (std::map<std::string, std::string>{{"1", "DI"}, {"3", "DI"}}));
  EXPECT_TRUE(c->lines[0].line.quantity.is_zero());
  EXPECT_TRUE(c->lines[0].left_to_receive.is_zero());
  // The partner still recognises the line by its ids.
  EXPECT_EQ(c->lines[1].line.ids[0].id, "ACME-3");
}

TEST(To860Test, ReopenedLineIsAdded) {
  model::PurchaseOrder before = Po();
  before.lines[2].closed = true;
  auto c = To860(before, Po(), Partner(), 1, Day("2026-11-27"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Codes(*c), (std::map<std::string, std::string>{{"3", "AI"}}));
}

TEST(To860Test, LeftToReceiveIsOrderedLessReceivedNotBelowZero) {
  model::PurchaseOrder after = Po();
  after.lines[0].quantity = D("12");
  after.lines[0].received = D("5");
  after.lines[1].quantity = D("4");
  after.lines[1].received = D("6");
  auto c = To860(Po(), after, Partner(), 1, Day("2026-11-27"));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->lines.size(), 2u);
  EXPECT_EQ(c->lines[0].left_to_receive, D("7"));
  EXPECT_TRUE(c->lines[1].left_to_receive.is_zero());
}

TEST(To860Test, ClosedPoIsACancellation) {
  model::PurchaseOrder after = Po();
  after.status = "H";
  auto c = To860(Po(), after, Partner(), 3, Day("2026-11-27"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->purpose, "01");
  EXPECT_TRUE(c->lines.empty());
  EXPECT_FALSE(c->total_amount);
  // Every line closed is a cancellation too.
  after = Po();
  for (auto& l : after.lines) l.closed = true;
  c = To860(Po(), after, Partner(), 3, Day("2026-11-27"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->purpose, "01");
}

TEST(To860Test, RefusesRevisionZeroAndAnotherPo) {
  auto c = To860(Po(), Po(), Partner(), 0, Day("2026-11-27"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("revision 0"));
  model::PurchaseOrder other = Po();
  other.number = "PO2002";
  c = To860(Po(), other, Partner(), 1, Day("2026-11-27"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
}

TEST(Build860Test, BchHeadingPocCttAmt) {
  model::PurchaseOrder after = Po();
  after.lines[0].quantity = D("12");
  after.lines[0].description = "Widget";
  after.total = D("360.75");
  auto c = To860(Po(), after, Partner(), 1, Day("2026-11-27"));
  ASSERT_TRUE(c.ok()) << c.status();
  auto segs = Build860(*c);
  ASSERT_TRUE(segs.ok()) << segs.status();
  std::vector<std::string> tags;
  for (const auto& s : *segs) tags.push_back(s.tag);
  EXPECT_EQ(tags, (std::vector<std::string>{"BCH", "CUR", "N1", "POC", "PID", "CTT", "AMT"}));
}

TEST(PurchaseOrderFromJsonTest, ReadsBackWhatToJsonWrites) {
  model::PurchaseOrder po = Po();
  po.ship_date = Day("2026-11-10");
  po.lines[1].closed = true;
  po.lines[1].received = D("2");
  po.lines[2].expected_date = Day("2026-11-18");
  po.last_modified = *ParseIso8601("2026-11-05T09:31:12Z");
  auto back = PurchaseOrderFromJson(ToJson(po));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(ToJson(*back), ToJson(po));
  EXPECT_FALSE(PurchaseOrderFromJson(nlohmann::json{{"number", "X"}}).ok());
}

// ---- golden cases ----

namespace fs = std::filesystem;
using testing::Slurp;

struct CaseOutput {
  std::string bytes;
  PurchaseOrderChange860 typed;
};

Result<CaseOutput> RunCase(const fs::path& dir) {
  ASSIGN_OR_RETURN(config::PartnerConfig partner, testing::LoadPartnerYaml(dir / "partner.yaml"));
  nlohmann::json c, before, after;
  try {
    c = nlohmann::json::parse(Slurp(dir / "case.json"));
    before = nlohmann::json::parse(Slurp(dir / "before.json"));
    after = nlohmann::json::parse(Slurp(dir / "after.json"));
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError("{}: {}", dir.string(), e.what());
  }
  ASSIGN_OR_RETURN(model::PurchaseOrder was, PurchaseOrderFromJson(before));
  ASSIGN_OR_RETURN(model::PurchaseOrder now, PurchaseOrderFromJson(after));
  ASSIGN_OR_RETURN(CivilDate change_date, ParseIsoDate(c.value("change_date", "2026-11-27")));
  ASSIGN_OR_RETURN(PurchaseOrderChange860 x,
                   To860(was, now, partner, c.value("revision", 1), change_date));
  ASSIGN_OR_RETURN(std::vector<edi::SegmentData> segments, Build860(x));
  ASSIGN_OR_RETURN(Instant at, ParseIso8601(c.value("at", "2026-11-27T14:05:00Z")));
  const EnvelopeControl control{c.value("isa13", "12"), c.value("gs06", "12"),
                                c.value("st02", "0012")};
  ASSIGN_OR_RETURN(std::string bytes,
                   WriteInterchange(partner, control, at, "PC", "860", segments));
  return CaseOutput{std::move(bytes), std::move(x)};
}

class Po860Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Po860Golden, Maps) {
  const fs::path dir = testing::GoldenDir("po_860") / GetParam();
  auto got = RunCase(dir);
  if (!got.ok()) {
    testing::ExpectGolden(dir, "expected_error.txt", got.status().ToString() + "\n",
                          {"expected.x12"});
    return;
  }
  testing::ExpectGolden(dir, "expected.x12", got->bytes, {"expected_error.txt"});
  const std::string expected = Slurp(dir / "expected.x12");

  // The expected file is a valid 860 by our own validator (schema tables 860_<version>)...
  auto report = edi::ValidateInput(expected);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << edi::FormatReport(*report, GetParam());
  // ...and its POC segments are the mapping's lines, in order.
  edi::MemorySource src(expected);
  edi::Reader reader(src);
  int sets = 0;
  std::vector<std::pair<std::string, std::string>> pocs;  // (POC01, POC02)
  std::string bch01, bch05;
  for (;;) {
    auto ev = reader.Next();
    ASSERT_TRUE(ev.ok()) << ev.status();
    if (ev->kind == edi::EventKind::kEnd) break;
    if (ev->kind != edi::EventKind::kTransactionSet) continue;
    ++sets;
    EXPECT_EQ(ev->set->id(), "860");
    for (const edi::Segment& s : ev->set->segments) {
      if (s.tag() == "BCH") {
        bch01 = std::string(s.element(1));
        bch05 = std::string(s.element(5));
      }
      if (s.tag() == "POC") pocs.emplace_back(s.element(1), s.element(2));
    }
  }
  EXPECT_EQ(sets, 1);
  EXPECT_EQ(bch01, got->typed.purpose);
  EXPECT_EQ(bch05, got->typed.change_sequence);
  std::vector<std::pair<std::string, std::string>> want;
  for (const auto& l : got->typed.lines) want.emplace_back(l.line.line_number, l.change);
  EXPECT_EQ(pocs, want);
}

INSTANTIATE_TEST_SUITE_P(Cases, Po860Golden, ::testing::ValuesIn(testing::CaseNames("po_860")),
                         [](const auto& test_info) { return test_info.param; });

// The validator checks an 860 against its tables (not "no schema"): a POC02 outside code list
// 670, or a BCH without its PO date, is an error.
TEST(Po860GoldenSuite, ValidatorUsesThe860Tables) {
  const std::string good = Slurp(testing::GoldenDir("po_860") / "acme_004010_change/expected.x12");
  ASSERT_NE(good.find("*QI*"), std::string::npos);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"*QI*", "*Q9*"}, {"*1*20261102*", "*1**"}}) {
    std::string bad = good;
    bad.replace(bad.find(from), from.size(), to);
    auto report = edi::ValidateInput(bad);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_FALSE(report->ok()) << from;
  }
}

TEST(Po860GoldenSuite, HasTheCases) {
  testing::ExpectHasCases("po_860", {"acme_004010_change", "globex_005010_decrease_delete",
                                     "initech_004010_cancel", "added_line_without_ids"});
}

}  // namespace
}  // namespace mlc::mapping
