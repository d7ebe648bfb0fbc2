// Unit tests for To850, and golden tests of the whole outbound path (NetSuite record -> model ->
// 850 -> interchange).
//
// Golden cases: tests/golden/mapping/po_850/<case>/ holds
//   record.json     a NetSuite PO as the Record API returns it (as in the netsuite_po cases)
//   reference.json  the PoReference for it
//   partner.yaml    `partners:` with one partner profile, loaded with the real config loader
//                   (a fixed netsuite/cleo preamble is prepended)
//   case.json       {"revision": N, "isa13": "...", "gs06": "...", "st02": "...",
//                    "at": "2026-11-27T14:05:00Z"}
// and either expected.x12 (the exact interchange bytes) or expected_error.txt (the exact error).
// Every expected.x12 must also pass edi::ValidateInput and read back with edi::Read850 to the
// typed 850 the mapping produced; the test asserts both.
//
// To regenerate the expected files after a deliberate change: UPDATE_GOLDEN=1 mapping_test
// --gtest_filter='Cases/Po850Golden.*', then review the diff by eye against x12.md.
#include "mapping/x12_850.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/civil_time.h"
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

config::PartnerConfig Partner(std::vector<std::string> preference) {
  config::PartnerConfig p;
  p.id = "ACME";
  p.production = config::EnvelopeIds{"ZZ", "MLBUYER", "ZZ", "ACME", "MLBUYER", "ACME"};
  p.x12_version = "004010";
  p.delimiters = {"*", ">", "~", "^"};
  p.item_id_preference = std::move(preference);
  return p;
}

model::PurchaseOrderLine Line(int n, std::string bp, std::string vp, std::string upc) {
  model::PurchaseOrderLine l;
  l.line = n;
  l.item_id = std::to_string(9000 + n);
  l.ids = {std::move(bp), std::move(vp), std::move(upc)};
  l.quantity = D("10");
  l.unit = "ea";
  l.rate = D("2.50");
  return l;
}

model::PurchaseOrder Po() {
  model::PurchaseOrder po;
  po.internal_id = "501";
  po.number = "PO1001";
  po.date = Day("2026-11-02");
  po.currency = "USD";
  po.total = D("75.00");
  po.lines = {Line(1, "W-100", "ACME-100", "012345678905"), Line(2, "W-200", "", "")};
  po.lines[1].quantity = D("20");
  return po;
}

TEST(To850Test, OriginalHeader) {
  auto x = To850(Po(), Partner({"VP", "BP"}), 0);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->purpose, "00");
  EXPECT_EQ(x->type, "SA");
  EXPECT_EQ(x->number, "PO1001");
  EXPECT_EQ(x->release, "");
  EXPECT_EQ(x->date, "20261102");
  EXPECT_EQ(x->currency, "USD");
  EXPECT_TRUE(x->contacts.empty());
  EXPECT_FALSE(x->fob.has_value());
  EXPECT_TRUE(x->terms.empty());
  EXPECT_TRUE(x->dates.empty());
  EXPECT_TRUE(x->parties.empty());
  ASSERT_TRUE(x->total_amount.has_value());
  EXPECT_TRUE(x->total_amount->IdenticalTo(D("75.00")));
  EXPECT_FALSE(x->line_count.has_value());  // CTT is Build850's job
}

TEST(To850Test, RevisionMakesAReplaceWithTheRevisionInBeg04) {
  auto x = To850(Po(), Partner({"VP", "BP"}), 1);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->purpose, "05");
  EXPECT_EQ(x->release, "1");
  x = To850(Po(), Partner({"VP", "BP"}), 12);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->purpose, "05");
  EXPECT_EQ(x->release, "12");
  auto bad = To850(Po(), Partner({"VP", "BP"}), -1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(To850Test, ItemIdsFollowThePreferenceOrderAndSkipMissingIds) {
  auto x = To850(Po(), Partner({"VP", "BP"}), 0);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->lines[0].ids, (std::vector<edi::ProductId>{{"VP", "ACME-100"}, {"BP", "W-100"}}));
  EXPECT_EQ(x->lines[1].ids, (std::vector<edi::ProductId>{{"BP", "W-200"}}));

  x = To850(Po(), Partner({"UP", "BP", "VP"}), 0);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->lines[0].ids,
            (std::vector<edi::ProductId>{
                {"UP", "012345678905"}, {"BP", "W-100"}, {"VP", "ACME-100"}}));

  x = To850(Po(), Partner({"BP", "BP"}), 0);  // a repeated qualifier is sent once
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->lines[0].ids, (std::vector<edi::ProductId>{{"BP", "W-100"}}));
}

TEST(To850Test, ALineWithoutAPreferredIdFallsBackToBp) {
  auto x = To850(Po(), Partner({"VP"}), 0);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->lines[0].ids, (std::vector<edi::ProductId>{{"VP", "ACME-100"}}));
  EXPECT_EQ(x->lines[1].ids, (std::vector<edi::ProductId>{{"BP", "W-200"}}));
  x = To850(Po(), Partner({}), 0);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->lines[0].ids, (std::vector<edi::ProductId>{{"BP", "W-100"}}));
}

TEST(To850Test, ALineWithNoUsableIdIsAFailedPreconditionNamingPoLineAndPartner) {
  model::PurchaseOrder po = Po();
  po.lines.push_back(Line(3, "", "", "0999"));
  auto x = To850(po, Partner({"VP", "BP"}), 0);
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(x.status().message(),
            "mapping PO PO1001 to an 850 for partner ACME: line 3 (item 9003) has none of the "
            "item ids the partner takes (VP, BP) and no buyer part number (BP) to fall back on; "
            "set the vendor part number or UPC on the item, or change item_id_preference");
  // The same line is fine for a partner that takes UPCs.
  EXPECT_TRUE(To850(po, Partner({"UP"}), 0).ok());
}

TEST(To850Test, UnitsGoThroughTheUomMap) {
  model::PurchaseOrder po = Po();
  po.lines.push_back(Line(3, "W-300", "", ""));
  po.lines.push_back(Line(4, "W-400", "", ""));
  po.lines[0].unit = "Each";
  po.lines[1].unit = "pl";
  po.lines[2].unit = "";
  po.lines[3].unit = "DZ";
  config::PartnerConfig p = Partner({"BP"});
  p.uom_map = {{"Each", "EA"}, {"pl", "PK"}};
  auto x = To850(po, p, 0);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->lines[0].unit, "EA");  // mapped
  EXPECT_EQ(x->lines[1].unit, "PK");  // the map wins over the code as is
  EXPECT_EQ(x->lines[2].unit, "EA");  // no unit: each
  EXPECT_EQ(x->lines[3].unit, "DZ");  // not in the map, but a code: as is

  p.uom_map.clear();
  x = To850(po, p, 0);
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(x.status().message(),
            "mapping PO PO1001 to an 850 for partner ACME: line 1 unit 'Each' is not an X12 unit "
            "code and the partner's uom_map has no entry for it; add it to the partner's uom_map");
  po.lines[0].unit = "ea";
  x = To850(po, p, 0);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->lines[0].unit, "EA");  // an abbreviation in lower case is upper-cased
  EXPECT_EQ(x->lines[1].unit, "PL");
}

TEST(To850Test, LineQuantityPriceDescriptionAndDate) {
  model::PurchaseOrder po = Po();
  po.lines[0].quantity = D("1.500");
  po.lines[0].rate = D("0.125");
  po.lines[0].description = "Widget,\n steel\t(zinc plated)";
  po.lines[0].expected_date = Day("2026-11-18");
  auto x = To850(po, Partner({"BP"}), 0);
  ASSERT_TRUE(x.ok()) << x.status();
  const edi::PoLine& l = x->lines[0];
  EXPECT_EQ(l.line_number, "1");
  EXPECT_TRUE(l.quantity.IdenticalTo(D("1.500")));
  ASSERT_TRUE(l.unit_price.has_value());
  EXPECT_TRUE(l.unit_price->IdenticalTo(D("0.125")));
  EXPECT_EQ(l.price_basis, "");
  EXPECT_EQ(l.descriptions, std::vector<std::string>{"Widget, steel (zinc plated)"});
  EXPECT_EQ(l.dates, (std::vector<edi::DateTime>{{"002", "20261118", ""}}));
  EXPECT_TRUE(x->lines[1].descriptions.empty());
  EXPECT_TRUE(x->lines[1].dates.empty());
}

TEST(To850Test, ALongDescriptionIsSplitIntoPidsOfAtMost80) {
  model::PurchaseOrder po = Po();
  std::string words;
  for (int i = 0; i < 30; ++i) words += "word" + std::to_string(i) + " ";
  po.lines[0].description = words;
  po.lines[1].description = std::string(170, 'x');
  auto x = To850(po, Partner({"BP"}), 0);
  ASSERT_TRUE(x.ok()) << x.status();
  std::string joined;
  for (const std::string& d : x->lines[0].descriptions) {
    EXPECT_LE(d.size(), 80u);
    EXPECT_NE(d.back(), ' ');
    joined += (joined.empty() ? "" : " ") + d;
  }
  EXPECT_EQ(joined + " ", words);
  EXPECT_GE(x->lines[0].descriptions.size(), 3u);
  EXPECT_EQ(x->lines[1].descriptions,
            (std::vector<std::string>{std::string(80, 'x'), std::string(80, 'x'),
                                      std::string(10, 'x')}));
}

TEST(To850Test, ClosedLinesAreNotSentAndLeaveTheTotal) {
  model::PurchaseOrder po = Po();
  po.lines[0].closed = true;  // 10 x 2.50 = 25.00
  auto x = To850(po, Partner({"BP"}), 0);
  ASSERT_TRUE(x.ok()) << x.status();
  ASSERT_EQ(x->lines.size(), 1u);
  EXPECT_EQ(x->lines[0].line_number, "2");
  EXPECT_TRUE(x->total_amount->IdenticalTo(D("50.00")));

  po.lines[1].closed = true;
  x = To850(po, Partner({"BP"}), 0);
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(x.status().message(),
            "mapping PO PO1001 to an 850 for partner ACME: the PO has no open line to order");
}

TEST(To850Test, PoWithoutNumberOrDateIsInvalid) {
  model::PurchaseOrder po = Po();
  po.number.clear();
  auto x = To850(po, Partner({"BP"}), 0);
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(x.status().message(), HasSubstr("internal id 501"));
  po = Po();
  po.date = CivilDate{};
  x = To850(po, Partner({"BP"}), 0);
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(x.status().message(), HasSubstr("PO PO1001"));
  EXPECT_THAT(x.status().message(), HasSubstr("no date"));
}

TEST(To850Test, HeaderSegmentsWhenThePoHasThem) {
  model::PurchaseOrder po = Po();
  po.currency.clear();
  po.buyer = {"", "Pat Buyer", "555-0100", "pat@example.com"};
  po.incoterm = "FOB";
  po.terms = "2% 10 Net 30";
  po.terms_discount_percent = D("2");
  po.terms_discount_days = 10;
  po.terms_net_days = 30;
  po.ship_date = Day("2026-11-10");
  po.due_date = Day("2026-11-20");
  po.ship_to = {"Plant 1", "Dock 4", "1 Mill Road", "Gate B", "Dayton", "OH", "45402", "US",
                "92", "DAY1"};
  po.bill_to = {"", "", "PO Box 9", "", "Dayton", "OH", "45401", "US", "", ""};
  po.vendor.name = "ACME Industrial Supply";
  auto x = To850(po, Partner({"BP"}), 0);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->currency, "");
  ASSERT_EQ(x->contacts.size(), 1u);
  EXPECT_EQ(x->contacts[0].function, "BD");
  EXPECT_EQ(x->contacts[0].name, "Pat Buyer");
  EXPECT_EQ(x->contacts[0].numbers,
            (std::vector<std::pair<std::string, std::string>>{{"TE", "555-0100"},
                                                               {"EM", "pat@example.com"}}));
  ASSERT_TRUE(x->fob.has_value());
  EXPECT_EQ(*x->fob, (edi::Fob{"CC", "ZZ", "FOB"}));
  ASSERT_EQ(x->terms.size(), 1u);
  const edi::Terms& t = x->terms[0];
  EXPECT_EQ(t.type, "01");
  EXPECT_EQ(t.basis, "3");
  EXPECT_EQ(t.discount_percent, D("2"));
  EXPECT_EQ(t.discount_days, 10);
  EXPECT_EQ(t.net_days, 30);
  EXPECT_EQ(t.description, "2% 10 Net 30");
  EXPECT_EQ(x->dates, (std::vector<edi::DateTime>{{"010", "20261110", ""},
                                                  {"002", "20261120", ""}}));
  ASSERT_EQ(x->parties.size(), 3u);
  EXPECT_EQ(x->parties[0].entity, "ST");
  EXPECT_EQ(x->parties[0].name, "Plant 1");
  EXPECT_EQ(x->parties[0].id_qualifier, "92");
  EXPECT_EQ(x->parties[0].id, "DAY1");
  EXPECT_EQ(x->parties[0].extra_names, std::vector<std::string>{"Dock 4"});
  EXPECT_EQ(x->parties[0].address, (std::vector<std::string>{"1 Mill Road", "Gate B"}));
  EXPECT_EQ(x->parties[0].city, "Dayton");
  EXPECT_EQ(x->parties[1].entity, "BT");
  EXPECT_EQ(x->parties[1].name, "Bill To");  // N102 or N104 is required (R0203)
  EXPECT_EQ(x->parties[1].id, "");
  EXPECT_EQ(x->parties[2].entity, "VN");
  EXPECT_EQ(x->parties[2].name, "ACME Industrial Supply");
  EXPECT_TRUE(x->parties[2].address.empty());
}

TEST(To850Test, FobPaymentMethodFromTheIncotermGroup) {
  model::PurchaseOrder po = Po();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"EXW", "CC"}, {"fca", "CC"}, {"DDP", "PP"}, {"CIF Rotterdam", "PP"},
      {"Origin", "DF"}, {"DDPX", "DF"}};
  for (const auto& [incoterm, method] : cases) {
    po.incoterm = incoterm;
    auto x = To850(po, Partner({"BP"}), 0);
    ASSERT_TRUE(x.ok()) << x.status();
    EXPECT_EQ(x->fob->payment_method, method) << incoterm;
    EXPECT_EQ(x->fob->description, incoterm);
  }
}

// ---- golden cases ----

namespace fs = std::filesystem;
const fs::path kGolden = testing::GoldenDir("po_850");
using testing::Slurp;

// The whole outbound path for one case: the interchange bytes, and the typed 850 it carries.
Result<std::pair<std::string, edi::PurchaseOrder850>> RunCase(const fs::path& dir) {
  ASSIGN_OR_RETURN(config::PartnerConfig partner, testing::LoadPartnerYaml(dir / "partner.yaml"));
  nlohmann::json c;
  nlohmann::json record;
  nlohmann::json reference;
  try {
    c = nlohmann::json::parse(Slurp(dir / "case.json"));
    record = nlohmann::json::parse(Slurp(dir / "record.json"));
    reference = nlohmann::json::parse(Slurp(dir / "reference.json"));
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError("{}: {}", dir.string(), e.what());
  }
  ASSIGN_OR_RETURN(PoReference ref, PoReferenceFromJson(reference));
  ASSIGN_OR_RETURN(model::PurchaseOrder po, PurchaseOrderFromRecord(record, ref));
  ASSIGN_OR_RETURN(edi::PurchaseOrder850 x, To850(po, partner, c.value("revision", 0)));
  ASSIGN_OR_RETURN(std::vector<edi::SegmentData> segments, edi::Build850(x));
  ASSIGN_OR_RETURN(Instant at, ParseIso8601(c.value("at", "2026-11-27T14:05:00Z")));
  const EnvelopeControl control{c.value("isa13", "12"), c.value("gs06", "12"),
                                c.value("st02", "0012")};
  ASSIGN_OR_RETURN(std::string bytes, WriteInterchange(partner, control, at, "PO", "850", segments));
  return std::make_pair(std::move(bytes), std::move(x));
}

class Po850Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Po850Golden, Maps) {
  const fs::path dir = kGolden / GetParam();
  const bool update = std::getenv("UPDATE_GOLDEN") != nullptr;
  auto got = RunCase(dir);
  if (!got.ok()) {
    const std::string text = got.status().ToString() + "\n";
    if (update) {
      std::ofstream(dir / "expected_error.txt", std::ios::binary) << text;
      fs::remove(dir / "expected.x12");
    }
    ASSERT_TRUE(fs::exists(dir / "expected_error.txt")) << "unexpected error: " << text;
    EXPECT_EQ(text, Slurp(dir / "expected_error.txt"));
    return;
  }
  const auto& [bytes, typed] = *got;
  if (update) {
    std::ofstream(dir / "expected.x12", std::ios::binary) << bytes;
    fs::remove(dir / "expected_error.txt");
  }
  ASSERT_TRUE(fs::exists(dir / "expected.x12"))
      << "mapped, but the case expects an error: " << Slurp(dir / "expected_error.txt");
  const std::string expected = Slurp(dir / "expected.x12");
  EXPECT_EQ(bytes, expected);

  // The expected file is a valid interchange by our own validator...
  auto report = edi::ValidateInput(expected);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << edi::FormatReport(*report, GetParam());
  // ...and reads back to the same typed 850 (with the CTT Build850 computed).
  edi::PurchaseOrder850 want = typed;
  want.line_count = static_cast<uint32_t>(want.lines.size());
  Decimal hash;
  for (const edi::PoLine& l : want.lines) hash = *hash.Add(l.quantity);
  want.hash_total = hash;
  edi::MemorySource src(expected);
  edi::Reader reader(src);
  int sets = 0;
  for (;;) {
    auto ev = reader.Next();
    ASSERT_TRUE(ev.ok()) << ev.status();
    if (ev->kind == edi::EventKind::kEnd) break;
    if (ev->kind != edi::EventKind::kTransactionSet) continue;
    ++sets;
    auto back = edi::Read850(ev->set->segments);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, want);
  }
  EXPECT_EQ(sets, 1);
}

INSTANTIATE_TEST_SUITE_P(Cases, Po850Golden, ::testing::ValuesIn(testing::CaseNames("po_850")),
                         [](const auto& test_info) { return test_info.param; });

}  // namespace
}  // namespace mlc::mapping
