// 855 -> PoAck -> review against the PO (status, PATCH body, exceptions).
//
// Golden tests: tests/golden/mapping/ack_855/<case>/ holds ack.x12 (an 855 interchange),
// record.json + reference.json (the NetSuite PO, mapped with PurchaseOrderFromRecord) and the
// expected files ack.json (the mapped model) and review.json ({status, patch, exceptions}), or
// expected_error.txt when mapping or review fails. UPDATE_GOLDEN=1 rewrites the expected files;
// review each one by eye before committing.
#include "mapping/x12_855.h"

#include <gtest/gtest.h>

#include "edi/documents.h"
#include "mapping/inbound_golden_testutil.h"

namespace mlc::mapping {
namespace {

using nlohmann::json;
using testing::ExpectGolden;
using testing::Slurp;

Decimal D(std::string_view s) { return *Decimal::Parse(s); }

class Ack855Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Ack855Golden, Reviews) {
  const auto dir = testing::GoldenDir("ack_855") / GetParam();
  testing::SetIds ids;
  auto x12 = testing::ReadFirstSet(Slurp(dir / "ack.x12"), edi::Read855, &ids);
  ASSERT_TRUE(x12.ok()) << x12.status();
  auto po = testing::CasePo(dir);
  ASSERT_TRUE(po.ok()) << po.status();
  auto ack = PoAckFrom855(*x12);
  Result<AckReview> review = ack.ok() ? ReviewAck(*ack, *po) : Result<AckReview>(ack.status());
  if (!review.ok()) {
    ExpectGolden(dir, "expected_error.txt", review.status().ToString() + "\n",
                 {"ack.json", "review.json"});
    return;
  }
  json got = {
      {"status", review->status}, {"patch", review->patch}, {"exceptions", review->exceptions}};
  ExpectGolden(dir, "ack.json", ToJson(*ack).dump(2) + "\n", {});
  ExpectGolden(dir, "review.json", got.dump(2) + "\n", {"expected_error.txt"});
}

INSTANTIATE_TEST_SUITE_P(Cases, Ack855Golden, ::testing::ValuesIn(testing::CaseNames("ack_855")),
                         [](const auto& test_info) { return test_info.param; });

TEST(Ack855GoldenSuite, HasTheRequiredCases) {
  testing::ExpectHasCases("ack_855", {"all_accepted_promised_dates",
                                      "rejected_and_quantity_changed", "po_rejected_rj"});
}

// ---- PoAckFrom855 ----

edi::PoAck855 Basic855() {
  edi::PoAck855 x;
  x.purpose = "00";
  x.type = "AC";
  x.po_number = "PO1";
  x.po_date = "20261102";
  edi::PoAckLine l;
  l.line_number = "0002";
  l.quantity = D("10");
  l.unit = "EA";
  l.unit_price = D("2.50");
  l.ids = {{"VP", "V-2"}, {"BP", "W-2"}};
  l.acks.push_back({"IQ", D("8"), "", "067", "20261201"});
  x.lines.push_back(l);
  return x;
}

TEST(PoAckFrom855Test, MapsLinesAckAndPromisedDate) {
  edi::PoAck855 x = Basic855();
  x.ack_date = "20261103";
  auto ack = PoAckFrom855(x);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->po_number, "PO1");
  EXPECT_EQ(ack->ack_type, "AC");
  EXPECT_EQ(FormatIsoDate(ack->date), "2026-11-02");
  EXPECT_EQ(FormatIsoDate(*ack->ack_date), "2026-11-03");
  ASSERT_EQ(ack->lines.size(), 1u);
  const auto& l = ack->lines[0];
  EXPECT_EQ(l.line, 2);
  EXPECT_EQ(l.ack_code, "IQ");
  EXPECT_EQ(l.status, model::LineAckStatus::kChanged);
  EXPECT_EQ(l.quantity, D("8"));  // ACK02 over PO102
  EXPECT_EQ(l.unit, "EA");        // ACK03 empty: PO103
  EXPECT_EQ(FormatIsoDate(*l.promised_date), "2026-12-01");
  EXPECT_EQ(*l.price, D("2.5"));
  EXPECT_EQ(l.ids.vendor_part, "V-2");
  EXPECT_EQ(l.ids.buyer_part, "W-2");
}

TEST(PoAckFrom855Test, OnlyCommitmentQualifiersGiveAPromisedDate) {
  edi::PoAck855 x = Basic855();
  x.lines[0].acks[0].date_qualifier = "002";  // delivery requested: the buyer's, not a promise
  EXPECT_FALSE(PoAckFrom855(x)->lines[0].promised_date.has_value());
  for (const char* q : {"017", "067", "068", "069", "079"}) {
    x.lines[0].acks[0].date_qualifier = q;
    EXPECT_TRUE(PoAckFrom855(x)->lines[0].promised_date.has_value()) << q;
  }
}

TEST(PoAckFrom855Test, OneModelLinePerAckAndOneForAPo1WithoutAck) {
  edi::PoAck855 x = Basic855();
  x.lines[0].acks.push_back({"IB", D("2"), "EA", "", ""});
  edi::PoAckLine echo = x.lines[0];
  echo.line_number = "3";
  echo.acks.clear();
  x.lines.push_back(echo);
  auto ack = PoAckFrom855(x);
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->lines.size(), 3u);
  EXPECT_EQ(ack->lines[1].line, 2);
  EXPECT_EQ(ack->lines[1].status, model::LineAckStatus::kBackordered);
  EXPECT_EQ(ack->lines[2].line, 3);
  EXPECT_EQ(ack->lines[2].ack_code, "");
  EXPECT_EQ(ack->lines[2].quantity, D("10"));
}

TEST(PoAckFrom855Test, ErrorsNameTheElement) {
  edi::PoAck855 x = Basic855();
  x.po_number = "";
  EXPECT_EQ(PoAckFrom855(x).status().message(),
            "855 for PO (no BAK03): BAK03 PO number is missing");
  x = Basic855();
  x.po_date = "2026-11-02";
  EXPECT_EQ(PoAckFrom855(x).status().message(), "855 for PO PO1: BAK04 '2026-11-02' is not a date");
  x = Basic855();
  x.lines[0].line_number = "A1";
  EXPECT_EQ(PoAckFrom855(x).status().message(), "855 for PO PO1: PO101 'A1' is not a line number");
  x = Basic855();
  x.lines[0].acks[0].date = "20261399";
  EXPECT_EQ(PoAckFrom855(x).status().message(),
            "855 for PO PO1: line 0002: ACK05 '20261399' is not a date");
}

// ---- ReviewAck ----

model::PurchaseOrder Po() {
  model::PurchaseOrder po;
  po.number = "PO1";
  po.due_date = *MakeCivilDate(2026, 11, 20);
  for (int i = 1; i <= 2; ++i) {
    model::PurchaseOrderLine l;
    l.line = i;
    l.item_id = std::to_string(9000 + i);
    l.ids = {"W-" + std::to_string(i), "V-" + std::to_string(i), ""};
    l.quantity = D("10");
    l.rate = D("2.5");
    po.lines.push_back(l);
  }
  return po;
}

model::PoAckLine AckLine(int line, std::string code, std::string_view qty) {
  model::PoAckLine l;
  l.line = line;
  l.ack_code = code;
  l.status = model::LineAckStatusFromCode(code);
  l.quantity = D(qty);
  return l;
}

model::PoAck Ack(std::vector<model::PoAckLine> lines, std::string type = "AC") {
  model::PoAck a;
  a.po_number = "PO1";
  a.ack_type = std::move(type);
  a.lines = std::move(lines);
  return a;
}

TEST(ReviewAckTest, AllAcceptedAsOrdered) {
  auto r = ReviewAck(Ack({AckLine(1, "IA", "10"), AckLine(2, "IA", "10")}, "AD"), Po());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, "accepted");
  EXPECT_TRUE(r->exceptions.empty());
  EXPECT_EQ(r->patch.dump(), R"({"custbody_mlc_ack_status":"accepted","item":{"items":[)"
                             R"({"custcol_mlc_ack_status":"IA item accepted","line":1},)"
                             R"({"custcol_mlc_ack_status":"IA item accepted","line":2}]}})");
}

TEST(ReviewAckTest, AnAcceptedLineWithoutQuantityAcceptsTheOrderedQuantity) {
  auto r = ReviewAck(Ack({AckLine(1, "IA", "0"), AckLine(2, "IA", "10")}), Po());
  EXPECT_EQ(r->status, "accepted");
  r = ReviewAck(Ack({AckLine(1, "IQ", "0"), AckLine(2, "IA", "10")}), Po());
  EXPECT_EQ(r->exceptions,
            std::vector<std::string>{"line 1 (W-1): quantity changed from 10 to 0 (IQ)"});
}

TEST(ReviewAckTest, PriceQuantityAndLateDate) {
  auto l1 = AckLine(1, "IC", "12");
  l1.price = D("2.75");
  auto l2 = AckLine(2, "IA", "10");
  l2.promised_date = *MakeCivilDate(2026, 11, 25);  // later than the PO's due date
  auto r = ReviewAck(Ack({l1, l2}), Po());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, "accepted_with_changes");
  EXPECT_EQ(r->exceptions, (std::vector<std::string>{
                               "line 1 (W-1): quantity changed from 10 to 12 (IC)",
                               "line 1 (W-1): price changed from 2.5 to 2.75 (IC)",
                               "line 2 (W-2): promised date 2026-11-25 is later than expected "
                               "2026-11-20"}));
  EXPECT_EQ(r->patch["item"]["items"][1]["custcol_mlc_promised_date"], "2026-11-25");
  EXPECT_FALSE(r->patch["item"]["items"][0].contains("custcol_mlc_promised_date"));
}

TEST(ReviewAckTest, SplitAcksSumAndTheBackorderIsReported) {
  auto r =
      ReviewAck(Ack({AckLine(1, "IA", "6"), AckLine(1, "IB", "4"), AckLine(2, "IA", "10")}), Po());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exceptions, std::vector<std::string>{"line 1 (W-1): 4 backordered (IB)"});
  EXPECT_EQ(r->patch["item"]["items"][0]["custcol_mlc_ack_status"],
            "IA item accepted; IB item backordered");
  EXPECT_EQ(r->status, "accepted_with_changes");
}

TEST(ReviewAckTest, EveryLineRejectedRejectsTheOrder) {
  auto r = ReviewAck(Ack({AckLine(1, "IR", "10"), AckLine(2, "R2", "10")}), Po());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, "rejected");
  EXPECT_EQ(r->exceptions,
            (std::vector<std::string>{
                "line 1 (W-1): rejected (IR item rejected)",
                "line 2 (W-2): rejected (R2 item rejected, invalid item product number)"}));
}

TEST(ReviewAckTest, UnknownAndMissingLines) {
  model::PoAckLine by_ids = AckLine(0, "IA", "10");
  by_ids.ids.vendor_part = "V-2";
  model::PoAckLine unknown_ids = AckLine(0, "IA", "1");
  unknown_ids.ids.upc = "999";
  auto r = ReviewAck(Ack({by_ids, AckLine(5, "IA", "1"), unknown_ids}), Po());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exceptions,
            (std::vector<std::string>{
                "line 5 (IA item accepted) is acknowledged but is not on PO PO1",
                "a line without PO101 (UP 999) (IA item accepted) is acknowledged but is not on "
                "PO PO1",
                "line 1 (W-1) is not in the acknowledgment"}));
  EXPECT_EQ(r->patch["item"]["items"][0]["line"], 2);  // found by VP
  // An exception-only ack (AE) leaves accepted lines out.
  r = ReviewAck(Ack({by_ids}, "AE"), Po());
  EXPECT_TRUE(r->exceptions.empty());
  EXPECT_EQ(r->status, "accepted");
}

TEST(ReviewAckTest, HeaderOnlyAcks) {
  EXPECT_EQ(ReviewAck(Ack({}, "AK"), Po())->status, "acknowledged_no_detail");
  EXPECT_EQ(ReviewAck(Ack({}, "AD"), Po())->status, "accepted");
  auto r = ReviewAck(Ack({}, "RJ"), Po());
  EXPECT_EQ(r->status, "rejected");
  EXPECT_EQ(r->exceptions,
            std::vector<std::string>{"PO PO1 rejected by the partner (BAK02 RJ: rejected, no "
                                     "detail)"});
  EXPECT_EQ(r->patch.dump(), R"({"custbody_mlc_ack_status":"rejected"})");
}

TEST(ReviewAckTest, AckDateIsWrittenWhenSent) {
  auto a = Ack({}, "AK");
  a.ack_date = *MakeCivilDate(2026, 11, 3);
  EXPECT_EQ(ReviewAck(a, Po())->patch["custbody_mlc_ack_date"], "2026-11-03");
}

TEST(ReviewAckTest, RefusesAnAckForAnotherPo) {
  auto a = Ack({});
  a.po_number = "PO2";
  EXPECT_EQ(ReviewAck(a, Po()).status().message(),
            "855 for PO PO2 cannot be reviewed against PO PO1");
}

}  // namespace
}  // namespace mlc::mapping
