// 810 -> invoice -> three-way match -> vendor bill body.
//
// Golden tests: tests/golden/mapping/invoice_bill/<case>/ holds invoice.x12 (an 810
// interchange), record.json + reference.json (the NetSuite PO, mapped with
// PurchaseOrderFromRecord), partner.json (see PartnerFromJson in inbound_golden_testutil.h) and
// the expected files: invoice.json (the mapped model) and either bill.json (the transform body,
// when the match is clean or the partner bills mismatches on hold) or exceptions.json (the match
// exceptions) or expected_error.txt (the mapping error). The decision mirrors the invoice flow.
// UPDATE_GOLDEN=1 rewrites the expected files; review each one by eye before committing.
#include "mapping/x12_810.h"

#include <gtest/gtest.h>

#include "edi/documents.h"
#include "mapping/inbound_golden_testutil.h"

namespace mlc::mapping {
namespace {

using nlohmann::json;
using testing::ExpectGolden;
using testing::Slurp;

Decimal D(std::string_view s) { return *Decimal::Parse(s); }

// ---- golden ----

class InvoiceBillGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(InvoiceBillGolden, MatchesAndBills) {
  const auto dir = testing::GoldenDir("invoice_bill") / GetParam();
  const std::vector<std::string> all = {"invoice.json", "bill.json", "exceptions.json",
                                        "expected_error.txt"};
  auto others = [&](std::initializer_list<std::string> keep) {
    std::vector<std::string> out;
    for (const auto& f : all) {
      if (std::find(keep.begin(), keep.end(), f) == keep.end()) out.push_back(f);
    }
    return out;
  };
  testing::SetIds ids;
  auto x12 = testing::ReadFirstSet(Slurp(dir / "invoice.x12"), edi::Read810, &ids);
  ASSERT_TRUE(x12.ok()) << x12.status();
  auto invoice = InvoiceFrom810(*x12);
  if (!invoice.ok()) {
    ExpectGolden(dir, "expected_error.txt", invoice.status().ToString() + "\n",
                 others({"expected_error.txt"}));
    return;
  }
  invoice->sender_id = ids.sender_id;
  invoice->interchange_control = ids.isa13;
  invoice->group_control = ids.gs06;
  invoice->set_control = ids.st02;
  const std::string invoice_json = ToJson(*invoice).dump(2) + "\n";

  auto po = testing::CasePo(dir);
  ASSERT_TRUE(po.ok()) << po.status();
  const config::PartnerConfig partner =
      testing::PartnerFromJson(json::parse(Slurp(dir / "partner.json")));
  auto options = MatchOptionsFor(partner);
  ASSERT_TRUE(options.ok()) << options.status();
  auto match = matching::ThreeWayMatch(MatchInvoiceView(*invoice), MatchPoView(*po), *options);
  ASSERT_TRUE(match.ok()) << match.status();

  const bool hold = partner.on_mismatch == config::MismatchAction::kHold;
  if (!match->clean() && (!hold || match->lines.empty())) {
    json exceptions = json::array();
    for (const auto& e : match->exceptions) {
      exceptions.push_back({{"kind", matching::ExceptionKindName(e.kind)},
                            {"invoice_position", e.invoice_position},
                            {"po_line", e.po_line},
                            {"message", e.message}});
    }
    ExpectGolden(dir, "invoice.json", invoice_json, {});
    ExpectGolden(dir, "exceptions.json", exceptions.dump(2) + "\n",
                 others({"invoice.json", "exceptions.json"}));
    return;
  }
  auto body = VendorBillBody(*invoice, *match, partner, !match->clean());
  ASSERT_TRUE(body.ok()) << body.status();
  ExpectGolden(dir, "invoice.json", invoice_json, {});
  ExpectGolden(dir, "bill.json", body->dump(2) + "\n", others({"invoice.json", "bill.json"}));
}

INSTANTIATE_TEST_SUITE_P(Cases, InvoiceBillGolden,
                         ::testing::ValuesIn(testing::CaseNames("invoice_bill")),
                         [](const auto& test_info) { return test_info.param; });

TEST(InvoiceBillGoldenSuite, HasTheRequiredCases) {
  testing::ExpectHasCases("invoice_bill",
                          {"clean_match", "price_outside_tolerance", "price_within_tolerance",
                           "unknown_item", "over_billing_received", "freight_tax_expense"});
}

// ---- InvoiceFrom810 ----

edi::Invoice810 Basic810() {
  edi::Invoice810 x;
  x.date = "20261120";
  x.number = "INV-1";
  x.po_date = "20261102";
  x.po_number = "PO1001";
  x.transaction_type = "DI";
  x.currency = "USD";
  edi::InvoiceLine l;
  l.line_number = "1";
  l.quantity = D("10");
  l.unit = "EA";
  l.unit_price = D("10.50");
  l.ids = {{"IN", "W-100"},
           {"VP", "ACME-100"},
           {"BP", "W-100-OTHER"},
           {"UP", "0123"},
           {"EN", "ignored"}};
  l.descriptions = {"Widget,", "steel"};
  x.lines.push_back(l);
  x.total = D("105.00");
  return x;
}

edi::Charge Sac(std::string indicator, std::string code, std::optional<Decimal> amount) {
  edi::Charge c;
  c.indicator = std::move(indicator);
  c.code = std::move(code);
  c.amount = amount;
  return c;
}

TEST(InvoiceFrom810Test, MapsHeaderLinesAndIds) {
  edi::Invoice810 x = Basic810();
  x.parties.push_back({"SU", "Supplier Name", "92", "S1", {}, {}, "", "", "", ""});
  x.parties.push_back({"VN", "Vendor Name", "92", "V77", {}, {}, "", "", "", ""});
  edi::Terms t;
  t.net_days = 30;
  x.terms.push_back(t);
  auto inv = InvoiceFrom810(x);
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->number, "INV-1");
  EXPECT_EQ(FormatIsoDate(inv->date), "2026-11-20");
  EXPECT_EQ(FormatIsoDate(*inv->po_date), "2026-11-02");
  EXPECT_EQ(inv->po_number, "PO1001");
  EXPECT_EQ(inv->vendor_name, "Vendor Name");  // N1*VN wins over N1*SU
  EXPECT_EQ(inv->vendor_id, "V77");
  EXPECT_EQ(inv->terms, "Net 30");
  EXPECT_EQ(inv->terms_net_days, 30);
  ASSERT_EQ(inv->lines.size(), 1u);
  const auto& l = inv->lines[0];
  EXPECT_EQ(l.position, 1);
  EXPECT_EQ(l.ids.buyer_part, "W-100");  // IN came first; the later BP does not overwrite
  EXPECT_EQ(l.ids.vendor_part, "ACME-100");
  EXPECT_EQ(l.ids.upc, "0123");
  EXPECT_EQ(l.description, "Widget, steel");
  EXPECT_TRUE(l.unit_price.IdenticalTo(D("10.50")));
  EXPECT_TRUE(inv->total->IdenticalTo(D("105.00")));
}

TEST(InvoiceFrom810Test, PoNumberFromRefWhenBig04IsEmpty) {
  edi::Invoice810 x = Basic810();
  x.po_number = "";
  x.references.push_back({"PO", "PO-FROM-REF", ""});
  EXPECT_EQ(InvoiceFrom810(x)->po_number, "PO-FROM-REF");
  x.references.clear();
  EXPECT_EQ(InvoiceFrom810(x).status().message(),
            "810 invoice INV-1: no PO number (BIG04 or REF*PO): the invoice cannot be matched");
}

TEST(InvoiceFrom810Test, RefusesBadDatesCreditMemosAndEmptyInvoices) {
  edi::Invoice810 x = Basic810();
  x.date = "20261340";
  EXPECT_EQ(InvoiceFrom810(x).status().message(),
            "810 invoice INV-1: BIG01 '20261340' is not a date");
  x = Basic810();
  x.po_date = "yesterday";
  EXPECT_EQ(InvoiceFrom810(x).status().code(), StatusCode::kInvalidArgument);
  x = Basic810();
  x.transaction_type = "CR";
  EXPECT_EQ(InvoiceFrom810(x).status().message(),
            "810 invoice INV-1: BIG07 CR: a credit memo is not turned into a vendor bill");
  x = Basic810();
  x.lines.clear();
  EXPECT_EQ(InvoiceFrom810(x).status().message(),
            "810 invoice INV-1: no IT1 lines (summary invoices are not supported)");
}

TEST(InvoiceFrom810Test, SummaryChargesWinOverLineChargesAndH850IsTax) {
  edi::Invoice810 x = Basic810();
  x.lines[0].charges.push_back(Sac("C", "D240", D("9.99")));  // repeated in the summary
  x.charges.push_back(Sac("C", "D240", D("15.00")));
  x.charges.push_back(Sac("A", "C310", D("5.00")));
  x.charges.push_back(Sac("C", "H850", D("8.40")));
  x.charges.push_back(Sac("N", "B840", D("219.96")));  // information only
  x.taxes.push_back({"ST", D("8.40"), D("8")});        // details the H850: not counted twice
  auto inv = InvoiceFrom810(x);
  ASSERT_TRUE(inv.ok()) << inv.status();
  ASSERT_EQ(inv->charges.size(), 2u);
  EXPECT_FALSE(inv->charges[0].allowance);
  EXPECT_EQ(inv->charges[0].amount, D("15"));
  EXPECT_TRUE(inv->charges[1].allowance);
  EXPECT_EQ(inv->charges[1].amount, D("5"));
  EXPECT_EQ(inv->tax, D("8.40"));
}

TEST(InvoiceFrom810Test, LineChargesAndTaxesWhenTheSummaryHasNone) {
  edi::Invoice810 x = Basic810();
  x.lines[0].charges.push_back(Sac("C", "D240", D("2.50")));
  x.lines[0].taxes.push_back({"ST", D("0.84"), std::nullopt});
  x.lines.push_back(x.lines[0]);
  auto inv = InvoiceFrom810(x);
  ASSERT_TRUE(inv.ok()) << inv.status();
  ASSERT_EQ(inv->charges.size(), 2u);
  EXPECT_EQ(inv->tax, D("1.68"));
  EXPECT_EQ(inv->lines[1].position, 2);

  x.taxes.push_back({"TX", D("2.00"), std::nullopt});  // summary TXI: the line ones are detail
  EXPECT_EQ(InvoiceFrom810(x)->tax, D("2.00"));
}

TEST(InvoiceFrom810Test, RefusesAPercentOnlyCharge) {
  edi::Invoice810 x = Basic810();
  x.charges.push_back(Sac("A", "C310", std::nullopt));
  EXPECT_EQ(InvoiceFrom810(x).status().message(),
            "810 invoice INV-1: SAC A C310 has no amount (SAC05); percent-only allowances and "
            "charges are not supported");
}

TEST(InvoiceFrom810Test, ReadsTxiFromX12Text) {
  const std::string x12 =
      "ISA*00*          *00*          *ZZ*ACMEEDI        *ZZ*MLBUYER        *261120*1200*U*00401*"
      "000000009*0*P*>~GS*IN*ACMEEDI*MLBUYER*20261120*1200*9*X*004010~ST*810*0001~"
      "BIG*20261120*INV-9**PO1001~IT1*1*2*EA*5**VP*A~TXI*ST*0.80~TDS*1100~TXI*ST*0.50~"
      "TXI*CT*0.50~SE*8*0001~GE*1*9~IEA*1*000000009~";
  testing::SetIds ids;
  auto x = testing::ReadFirstSet(x12, edi::Read810, &ids);
  ASSERT_TRUE(x.ok()) << x.status();
  ASSERT_EQ(x->lines.size(), 1u);
  ASSERT_EQ(x->lines[0].taxes.size(), 1u);
  EXPECT_EQ(*x->lines[0].taxes[0].amount, D("0.80"));
  ASSERT_EQ(x->taxes.size(), 2u);
  auto inv = InvoiceFrom810(*x);
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->tax, D("1.00"));
  EXPECT_EQ(ids.isa13, "000000009");
}

// Real samples from tests/data/samples/edi (SOURCES.tsv).
std::string Sample(const std::string& name) {
  return Slurp(std::filesystem::path(MLC_SAMPLES_DIR) / "edi" / name);
}

TEST(InvoiceFrom810Test, EdiNetSampleAddsUpWithSummaryChargesAndTax) {
  // EDI.Net x12.810b: line SACs and TXIs repeated as totals in the summary (G830 6.00, H850
  // 35.96 with TXI ST 28.78 + FD 7.18 detailing it); TDS 401.92.
  testing::SetIds ids;
  auto x = testing::ReadFirstSet(Sample("edinet__x12.810b.edi"), edi::Read810, &ids);
  ASSERT_TRUE(x.ok()) << x.status();
  auto inv = InvoiceFrom810(*x);
  ASSERT_TRUE(inv.ok()) << inv.status();
  ASSERT_EQ(inv->charges.size(), 1u);
  EXPECT_EQ(inv->charges[0].code, "G830");
  EXPECT_EQ(inv->charges[0].amount, D("6.00"));
  EXPECT_EQ(inv->tax, D("35.96"));
  Decimal sum = inv->tax;
  for (const auto& l : inv->lines)
    sum = *sum.Add(*l.quantity.Mul(l.unit_price, 2, RoundingMode::kHalfUp));
  sum = *sum.Add(inv->charges[0].amount);
  EXPECT_EQ(sum, *inv->total);
}

TEST(InvoiceFrom810Test, AdobeSampleVendorIsTheSellingParty) {
  testing::SetIds ids;
  auto x = testing::ReadFirstSet(Sample("x12types__810-adobe-4010.edi"), edi::Read810, &ids);
  ASSERT_TRUE(x.ok()) << x.status();
  auto inv = InvoiceFrom810(*x);
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->po_number, "V8748745");
  EXPECT_EQ(inv->vendor_name, "ADOBE SYSTEMS INCORPORATED");  // N1*SE: no VN or SU
  ASSERT_EQ(inv->lines.size(), 1u);
  EXPECT_EQ(inv->lines[0].ids.vendor_part, "65008841AB02A00");
  EXPECT_EQ(inv->lines[0].ids.buyer_part, "7167946");
  EXPECT_EQ(inv->lines[0].ids.upc, "883919019161");
  EXPECT_EQ(*inv->total, D("160.00"));
  EXPECT_TRUE(inv->tax.is_zero());
}

// ---- views and options ----

TEST(MatchViewsTest, InvoiceChargesAreSignedAndIdsQualified) {
  model::Invoice inv;
  inv.number = "I";
  inv.lines.push_back({1, "1", D("2"), "EA", D("3"), {"W-1", "V-1", "U-1"}, ""});
  inv.charges.push_back({false, "D240", D("15.00"), ""});
  inv.charges.push_back({true, "C310", D("4.50"), ""});
  inv.tax = D("1.10");
  inv.total = D("17.60");
  const auto v = MatchInvoiceView(inv);
  EXPECT_EQ(v.charges, D("10.50"));
  EXPECT_EQ(v.tax, D("1.10"));
  EXPECT_EQ(*v.stated_total, D("17.60"));
  ASSERT_EQ(v.lines.size(), 1u);
  ASSERT_EQ(v.lines[0].ids.size(), 3u);
  EXPECT_EQ(v.lines[0].ids[0].qualifier, "VP");
  EXPECT_EQ(v.lines[0].ids[1].qualifier, "BP");
  EXPECT_EQ(v.lines[0].ids[2].qualifier, "UP");
}

TEST(MatchViewsTest, PoLinesOfferVpBpInAndUp) {
  model::PurchaseOrder po;
  po.number = "PO1";
  po.status = "B";
  model::PurchaseOrderLine l;
  l.line = 3;
  l.item_id = "9001";
  l.ids = {"W-1", "V-1", ""};
  l.quantity = D("5");
  l.received = D("4");
  l.billed = D("1");
  l.rate = D("2.5");
  l.unit = "ea";
  po.lines.push_back(l);
  l.ids = {};
  po.lines.push_back(l);
  const auto v = MatchPoView(po);
  ASSERT_EQ(v.lines.size(), 2u);
  EXPECT_EQ(v.lines[0].item, "W-1");
  ASSERT_EQ(v.lines[0].ids.size(), 3u);
  EXPECT_EQ(v.lines[0].ids[2].qualifier, "IN");
  EXPECT_EQ(v.lines[0].ids[2].value, "W-1");
  EXPECT_EQ(v.lines[0].received, D("4"));
  EXPECT_EQ(v.lines[1].item, "9001");  // no item number: the internal id names it
  EXPECT_TRUE(v.lines[1].ids.empty());
}

TEST(MatchOptionsForTest, ParsesTolerancesAndInvertsTheUnitMap) {
  config::PartnerConfig p;
  p.id = "ACME";
  p.tolerances = {"1.5", "0.05", ""};
  p.uom_map = {{"ea", "EA"}, {"box", "BX"}};
  p.item_id_preference = {"BP", "UP"};
  auto o = MatchOptionsFor(p);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->tolerances.price_percent.IdenticalTo(D("1.5")));
  EXPECT_TRUE(o->tolerances.price_amount.IdenticalTo(D("0.05")));
  EXPECT_TRUE(o->tolerances.quantity_percent.is_zero());  // not configured: none
  EXPECT_EQ(o->unit_map.at("EA"), "ea");
  EXPECT_EQ(o->unit_map.at("BX"), "box");
  EXPECT_EQ(o->id_preference, (std::vector<std::string>{"BP", "UP"}));
  EXPECT_TRUE(o->require_receipt);

  p.item_id_preference.clear();
  EXPECT_EQ(MatchOptionsFor(p)->id_preference, matching::MatchOptions{}.id_preference);
}

TEST(MatchOptionsForTest, RefusesToleranceTextThatIsNotADecimal) {
  config::PartnerConfig p;
  p.id = "ACME";
  p.tolerances.price_amount = "5 cents";
  EXPECT_EQ(MatchOptionsFor(p).status().message(),
            "partner ACME: tolerances.price_amount: '5 cents' is not a decimal");
  p.tolerances.price_amount = "";
  p.tolerances.quantity_percent = "-2";
  EXPECT_EQ(MatchOptionsFor(p).status().message(),
            "partner ACME: tolerances.quantity_percent: '-2' is negative");
}

// ---- external id and bill body ----

TEST(BillExternalIdTest, PlainIdsStayReadable) {
  EXPECT_EQ(BillExternalId("ACME", "INV-5001"), "ACME-INV-5001");
  EXPECT_EQ(BillExternalId("GLOBEX", "0013833070"), "GLOBEX-0013833070");
}

TEST(BillExternalIdTest, RefusedCharactersAreReplacedAndHashed) {
  const std::string a = BillExternalId("ACME", "INV/5001");
  const std::string b = BillExternalId("ACME", "INV 5001");
  const std::string c = BillExternalId("ACME", "INV_5001");
  EXPECT_EQ(a.substr(0, 14), "ACME-INV_5001-");
  EXPECT_EQ(a.size(), 24u);
  EXPECT_NE(a, b);  // same after replacement, told apart by the hash
  EXPECT_EQ(c, "ACME-INV_5001");
  EXPECT_NE(a, c);
  EXPECT_EQ(a, BillExternalId("ACME", "INV/5001"));  // stable
  for (char ch : a)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-');
}

TEST(BillExternalIdTest, LongIdsAreCutToEightyWithAHash) {
  const std::string long1(100, 'X');
  std::string long2 = long1;
  long2.back() = 'Y';
  const std::string a = BillExternalId("ACME", long1);
  const std::string b = BillExternalId("ACME", long2);
  EXPECT_EQ(a.size(), 80u);
  EXPECT_EQ(b.size(), 80u);
  EXPECT_NE(a, b);
  const std::string exactly(75, 'Z');  // "ACME-" + 75 = 80: kept as is
  EXPECT_EQ(BillExternalId("ACME", exactly), "ACME-" + exactly);
}

model::Invoice SmallInvoice() {
  model::Invoice inv;
  inv.number = "INV-7";
  inv.po_number = "PO1001";
  inv.date = *MakeCivilDate(2026, 11, 20);
  return inv;
}

TEST(VendorBillBodyTest, RefusesAMatchWithoutLines) {
  config::PartnerConfig p;
  p.id = "ACME";
  EXPECT_EQ(VendorBillBody(SmallInvoice(), matching::MatchResult{}, p, false).status().message(),
            "vendor bill for invoice INV-7 from ACME: the match has no bill lines");
}

TEST(VendorBillBodyTest, NumbersAreExactAndTooManyDigitsAreRefused) {
  config::PartnerConfig p;
  p.id = "ACME";
  matching::MatchResult m;
  m.lines.push_back({2, {1}, D("1.50"), D("0.125"), D("0.19")});
  auto body = VendorBillBody(SmallInvoice(), m, p, false);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ((*body)["item"].dump(), R"({"items":[{"orderLine":2,"quantity":1.5,"rate":0.125}]})");
  EXPECT_FALSE(body->contains("paymentHold"));
  EXPECT_FALSE(body->contains("expense"));
  EXPECT_EQ((*body)["memo"], "EDI 810 invoice INV-7 from ACME for PO PO1001");
  m.lines[0].rate = D("0.123456789012345678");
  EXPECT_EQ(VendorBillBody(SmallInvoice(), m, p, false).status().message(),
            "item.items[0].rate: 0.123456789012345678 has too many digits to send as a JSON "
            "number");
}

TEST(VendorBillBodyTest, OnHoldCarriesTheSummaryAndTheMemoIsCut) {
  config::PartnerConfig p;
  p.id = "ACME";
  matching::MatchResult m;
  m.lines.push_back({1, {1}, D("1"), D("2"), D("2")});
  m.exceptions.push_back({matching::ExceptionKind::kPriceVariance, 2, 3, std::string(2000, 'x')});
  auto body = VendorBillBody(SmallInvoice(), m, p, true);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ((*body)["paymentHold"], true);
  const std::string memo = (*body)["memo"];
  EXPECT_EQ(memo.size(), 999u);
  EXPECT_EQ(memo.substr(0, 56), "EDI 810 invoice INV-7 from ACME for PO PO1001; ON HOLD: ");
  EXPECT_EQ(memo.substr(996), "...");
}

}  // namespace
}  // namespace mlc::mapping
