#include "matching/three_way_match.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mlc::matching {
namespace {

using ::testing::HasSubstr;

Decimal D(std::string_view s) { return *Decimal::Parse(s); }

// A PO of two lines: W-100 x10 @ 10.00 (8 received), W-200 x5 @ 2.50 (5 received).
PurchaseOrderView TwoLinePo() {
  PurchaseOrderView po;
  po.number = "PO1001";
  po.status = "E";
  po.currency = "USD";
  po.lines.push_back({1, "W-100", {{"VP", "ACME-100"}, {"UP", "012345678905"}}, D("10"), D("8"),
                      D("0"), D("10.00"), "ea", false});
  po.lines.push_back({2, "W-200", {{"VP", "ACME-200"}}, D("5"), D("5"), D("0"), D("2.50"), "ea",
                      false});
  return po;
}

InvoiceLine Line(int pos, std::string ref, std::string qty, std::string price,
                 std::vector<ItemId> ids = {}, std::string unit = "EA") {
  return {pos, std::move(ref), D(qty), std::move(unit), D(price), std::move(ids)};
}

MatchOptions Options() {
  MatchOptions o;
  o.tolerances.price_percent = D("2");
  o.tolerances.price_amount = D("0.01");
  o.tolerances.quantity_percent = D("0");
  o.unit_map = {{"EA", "ea"}, {"CA", "case"}};
  return o;
}

InvoiceView Invoice(std::vector<InvoiceLine> lines) {
  InvoiceView inv;
  inv.number = "INV88213";
  inv.po_number = "PO1001";
  inv.currency = "USD";
  inv.lines = std::move(lines);
  return inv;
}

TEST(ThreeWayMatchTest, CleanInvoiceBecomesBillLines) {
  auto inv = Invoice({Line(1, "1", "8", "10.00", {{"VP", "ACME-100"}}),
                      Line(2, "2", "5", "2.5", {{"VP", "ACME-200"}})});
  inv.charges = D("12.00");
  inv.tax = D("0");
  inv.stated_total = D("104.50");
  auto r = ThreeWayMatch(inv, TwoLinePo(), Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->clean()) << r->Summary();
  ASSERT_EQ(r->lines.size(), 2u);
  EXPECT_EQ(r->lines[0].po_line, 1);
  EXPECT_EQ(r->lines[0].amount, D("80.00"));
  EXPECT_EQ(r->lines[1].rate.ToString(), "2.5");  // exactly as invoiced
  EXPECT_EQ(r->lines_total, D("92.50"));
}

TEST(ThreeWayMatchTest, MatchesByIdentifierWhenLineNumberMissing) {
  auto r = ThreeWayMatch(Invoice({Line(1, "", "2", "2.50", {{"VP", "ACME-200"}})}), TwoLinePo(),
                         Options());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->clean()) << r->Summary();
  EXPECT_EQ(r->lines[0].po_line, 2);
}

TEST(ThreeWayMatchTest, LineNumberContradictedByIdentifierFallsBackToIdentifier) {
  // IT101 says line 1 but the vendor part is line 2's.
  auto r = ThreeWayMatch(Invoice({Line(1, "1", "2", "2.50", {{"VP", "ACME-200"}})}), TwoLinePo(),
                         Options());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->clean()) << r->Summary();
  EXPECT_EQ(r->lines[0].po_line, 2);
}

TEST(ThreeWayMatchTest, UpcMatchesWhenPreferred) {
  auto r = ThreeWayMatch(Invoice({Line(1, "", "1", "10", {{"UP", "012345678905"}})}),
                         TwoLinePo(), Options());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->clean()) << r->Summary();
  EXPECT_EQ(r->lines[0].po_line, 1);
}

TEST(ThreeWayMatchTest, UnknownItemIsAnException) {
  auto r = ThreeWayMatch(Invoice({Line(1, "9", "1", "10", {{"VP", "NOPE-1"}})}), TwoLinePo(),
                         Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exceptions.size(), 1u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kUnknownItem);
  EXPECT_THAT(r->exceptions[0].message, HasSubstr("VP 'NOPE-1'"));
  EXPECT_TRUE(r->lines.empty());
}

TEST(ThreeWayMatchTest, AmbiguousIdentifier) {
  auto po = TwoLinePo();
  po.lines[1].ids.push_back({"VP", "ACME-100"});
  auto r = ThreeWayMatch(Invoice({Line(1, "", "1", "10", {{"VP", "ACME-100"}})}), po, Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exceptions.size(), 1u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kAmbiguousItem);
}

TEST(ThreeWayMatchTest, PriceWithinPercentToleranceIsAccepted) {
  // 2 % of 10.00 = 0.20.
  auto r = ThreeWayMatch(Invoice({Line(1, "1", "1", "10.20")}), TwoLinePo(), Options());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->clean()) << r->Summary();
  EXPECT_EQ(r->lines[0].rate, D("10.20"));  // never silently changed to the PO rate
}

TEST(ThreeWayMatchTest, PriceOutsideToleranceIsAnException) {
  auto r = ThreeWayMatch(Invoice({Line(1, "1", "1", "10.21")}), TwoLinePo(), Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exceptions.size(), 1u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kPriceVariance);
  EXPECT_EQ(r->exceptions[0].message,
            "invoice line 1 (PO line 1, item W-100): invoiced price 10.21 differs from PO rate 10 "
            "by 0.21 (tolerance 0.01 or 2%)");
}

TEST(ThreeWayMatchTest, AbsolutePriceToleranceWinsWhenLarger) {
  auto o = Options();
  o.tolerances.price_amount = D("0.05");
  o.tolerances.price_percent = D("0");
  // line 2 rate 2.50: 2.55 is within 0.05, 2.56 is not.
  auto ok = ThreeWayMatch(Invoice({Line(1, "2", "1", "2.55")}), TwoLinePo(), o);
  EXPECT_TRUE(ok->clean()) << ok->Summary();
  auto bad = ThreeWayMatch(Invoice({Line(1, "2", "1", "2.56")}), TwoLinePo(), o);
  EXPECT_FALSE(bad->clean());
  // Lower prices are variances too.
  auto low = ThreeWayMatch(Invoice({Line(1, "2", "1", "2.44")}), TwoLinePo(), o);
  ASSERT_EQ(low->exceptions.size(), 1u);
  EXPECT_EQ(low->exceptions[0].kind, ExceptionKind::kPriceVariance);
}

TEST(ThreeWayMatchTest, ShortShipmentInvoicedInFullIsOverReceived) {
  // Line 1: 10 ordered, 8 received; invoicing 10.
  auto r = ThreeWayMatch(Invoice({Line(1, "1", "10", "10")}), TwoLinePo(), Options());
  ASSERT_EQ(r->exceptions.size(), 1u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kQuantityOverReceived);
  EXPECT_THAT(r->exceptions[0].message, HasSubstr("invoiced quantity 10 is more than received 8"));
}

TEST(ThreeWayMatchTest, QuantityToleranceAllowsSmallOverReceipt) {
  auto o = Options();
  o.tolerances.quantity_percent = D("25");  // 25 % of 8 received = 2
  auto r = ThreeWayMatch(Invoice({Line(1, "1", "10", "10")}), TwoLinePo(), o);
  EXPECT_TRUE(r->clean()) << r->Summary();
}

TEST(ThreeWayMatchTest, NeverMoreThanOrderedEvenWithTolerance) {
  auto o = Options();
  o.tolerances.quantity_percent = D("100");
  auto r = ThreeWayMatch(Invoice({Line(1, "2", "6", "2.50")}), TwoLinePo(), o);
  ASSERT_EQ(r->exceptions.size(), 1u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kQuantityOverOrdered);
}

TEST(ThreeWayMatchTest, AlreadyBilledQuantityCounts) {
  auto po = TwoLinePo();
  po.lines[1].billed = D("4");
  auto r = ThreeWayMatch(Invoice({Line(1, "2", "2", "2.50")}), po, Options());
  ASSERT_EQ(r->exceptions.size(), 1u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kQuantityOverOrdered);
  auto ok = ThreeWayMatch(Invoice({Line(1, "2", "1", "2.50")}), po, Options());
  EXPECT_TRUE(ok->clean()) << ok->Summary();
}

TEST(ThreeWayMatchTest, BillInAdvanceOfReceipt) {
  auto po = TwoLinePo();
  po.status = "B";
  po.lines[0].received = D("0");
  auto o = Options();
  EXPECT_FALSE(ThreeWayMatch(Invoice({Line(1, "1", "10", "10")}), po, o)->clean());
  o.require_receipt = false;
  EXPECT_TRUE(ThreeWayMatch(Invoice({Line(1, "1", "10", "10")}), po, o)->clean());
}

TEST(ThreeWayMatchTest, ClosedOrFullyBilledPoIsNotBillable) {
  for (const char* status : {"A", "C", "G", "H", "P"}) {
    auto po = TwoLinePo();
    po.status = status;
    auto r = ThreeWayMatch(Invoice({Line(1, "1", "1", "10")}), po, Options());
    ASSERT_EQ(r->exceptions.size(), 1u) << status;
    EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kPoNotBillable);
    EXPECT_TRUE(r->lines.empty());
  }
  auto po = TwoLinePo();
  po.status = "H";
  EXPECT_EQ(ThreeWayMatch(Invoice({}), po, Options())->exceptions[0].message,
            "PO PO1001 is closed (status H) and cannot be billed");
}

TEST(ThreeWayMatchTest, ClosedLine) {
  auto po = TwoLinePo();
  po.lines[0].closed = true;
  auto r = ThreeWayMatch(Invoice({Line(1, "1", "1", "10")}), po, Options());
  ASSERT_EQ(r->exceptions.size(), 1u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kLineClosed);
}

TEST(ThreeWayMatchTest, UnitsMappedThenCompared) {
  auto ok = ThreeWayMatch(Invoice({Line(1, "1", "1", "10", {}, "EA")}), TwoLinePo(), Options());
  EXPECT_TRUE(ok->clean()) << ok->Summary();
  auto bad = ThreeWayMatch(Invoice({Line(1, "1", "1", "10", {}, "CA")}), TwoLinePo(), Options());
  ASSERT_EQ(bad->exceptions.size(), 1u);
  EXPECT_EQ(bad->exceptions[0].kind, ExceptionKind::kUnitMismatch);
  EXPECT_THAT(bad->exceptions[0].message, HasSubstr("unit CA (maps to case) differs"));
}

TEST(ThreeWayMatchTest, CurrencyMismatch) {
  auto inv = Invoice({Line(1, "1", "1", "10")});
  inv.currency = "CAD";
  auto r = ThreeWayMatch(inv, TwoLinePo(), Options());
  ASSERT_FALSE(r->clean());
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kCurrencyMismatch);
}

TEST(ThreeWayMatchTest, SplitLinesMergeAndAreCheckedTogether) {
  // 4 + 4 = 8 received: fine; 4 + 5 = 9 is over received.
  auto ok = ThreeWayMatch(Invoice({Line(1, "1", "4", "10"), Line(2, "1", "4", "10")}),
                          TwoLinePo(), Options());
  ASSERT_TRUE(ok->clean()) << ok->Summary();
  ASSERT_EQ(ok->lines.size(), 1u);
  EXPECT_EQ(ok->lines[0].quantity, D("8"));
  EXPECT_EQ(ok->lines[0].invoice_positions, (std::vector<int>{1, 2}));
  auto bad = ThreeWayMatch(Invoice({Line(1, "1", "4", "10"), Line(2, "1", "5", "10")}),
                           TwoLinePo(), Options());
  ASSERT_EQ(bad->exceptions.size(), 1u);
  EXPECT_EQ(bad->exceptions[0].kind, ExceptionKind::kQuantityOverReceived);
}

TEST(ThreeWayMatchTest, SplitLinesWithDifferentPricesConflict) {
  auto r = ThreeWayMatch(Invoice({Line(1, "1", "4", "10"), Line(2, "1", "4", "10.10")}),
                         TwoLinePo(), Options());
  ASSERT_EQ(r->exceptions.size(), 1u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kConflictingPrices);
}

TEST(ThreeWayMatchTest, TotalMismatchIsReported) {
  auto inv = Invoice({Line(1, "1", "8", "10.00")});
  inv.stated_total = D("80.01");
  auto r = ThreeWayMatch(inv, TwoLinePo(), Options());
  ASSERT_EQ(r->exceptions.size(), 1u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kTotalMismatch);
  EXPECT_THAT(r->Summary(), HasSubstr("invoice total 80.01 does not equal its lines 80"));
}

TEST(ThreeWayMatchTest, LineAmountsRoundHalfUpToCents) {
  auto po = TwoLinePo();
  po.lines[1].rate = D("0.125");
  auto inv = Invoice({Line(1, "2", "1", "0.125")});
  inv.stated_total = D("0.13");
  auto r = ThreeWayMatch(inv, po, Options());
  ASSERT_TRUE(r->clean()) << r->Summary();
  EXPECT_EQ(r->lines[0].amount.ToString(), "0.13");
}

TEST(ThreeWayMatchTest, EveryProblemIsReportedNotOnlyTheFirst) {
  auto r = ThreeWayMatch(Invoice({Line(1, "1", "1", "99"), Line(2, "", "1", "1", {{"VP", "X"}}),
                                  Line(3, "2", "50", "2.50")}),
                         TwoLinePo(), Options());
  ASSERT_EQ(r->exceptions.size(), 3u);
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kPriceVariance);
  EXPECT_EQ(r->exceptions[1].kind, ExceptionKind::kUnknownItem);
  EXPECT_EQ(r->exceptions[2].kind, ExceptionKind::kQuantityOverOrdered);
  EXPECT_EQ(ExceptionKindName(ExceptionKind::kQuantityOverOrdered), "quantity_over_ordered");
  EXPECT_FALSE(r->holdable());  // an unknown item cannot be billed on hold
  ASSERT_EQ(r->lines.size(), 1u);  // only the price variance, as invoiced
  EXPECT_EQ(r->lines[0].rate, D("99"));
}

TEST(ThreeWayMatchTest, ToleranceExceptionsAreBilledAsInvoicedAndHoldable) {
  // Line 1 over the price tolerance, line 2 over what was received (5 received, 5 + 0 %).
  auto po = TwoLinePo();
  po.lines[1].received = D("3");
  auto inv = Invoice({Line(1, "1", "8", "10.50", {{"VP", "ACME-100"}}),
                      Line(2, "2", "5", "2.50", {{"VP", "ACME-200"}})});
  inv.stated_total = D("96.50");  // 8 x 10.50 + 5 x 2.50
  auto r = ThreeWayMatch(inv, po, Options());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->exceptions.size(), 2u) << r->Summary();
  EXPECT_EQ(r->exceptions[0].kind, ExceptionKind::kPriceVariance);
  EXPECT_EQ(r->exceptions[1].kind, ExceptionKind::kQuantityOverReceived);
  EXPECT_FALSE(r->clean());
  EXPECT_TRUE(r->holdable());
  ASSERT_EQ(r->lines.size(), 2u);
  EXPECT_EQ(r->lines[0].rate, D("10.50"));     // never changed to the PO rate
  EXPECT_EQ(r->lines[1].quantity, D("5"));     // never cut to what was received
  EXPECT_EQ(r->lines_total, D("96.50"));

  // The total is judged once every line is a bill line: a wrong one makes it not holdable.
  inv.stated_total = D("90.00");
  auto bad = ThreeWayMatch(inv, po, Options());
  ASSERT_TRUE(bad.ok());
  ASSERT_EQ(bad->exceptions.size(), 3u) << bad->Summary();
  EXPECT_EQ(bad->exceptions[2].kind, ExceptionKind::kTotalMismatch);
  EXPECT_FALSE(bad->holdable());

  // More than ordered is refused by NetSuite itself: never holdable, never a bill line.
  auto over = ThreeWayMatch(Invoice({Line(1, "1", "11", "10.00", {{"VP", "ACME-100"}})}), po,
                            Options());
  ASSERT_TRUE(over.ok());
  EXPECT_FALSE(over->holdable());
  EXPECT_TRUE(over->lines.empty());
}

}  // namespace
}  // namespace mlc::matching
