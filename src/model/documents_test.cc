#include "model/documents.h"

#include <gtest/gtest.h>

namespace mlc::model {
namespace {

PurchaseOrder SamplePo() {
  PurchaseOrder po;
  po.number = "PO1001";
  po.date = *MakeCivilDate(2026, 11, 2);
  po.currency = "USD";
  po.ship_to.name = "Plant 1";
  PurchaseOrderLine l;
  l.line = 1;
  l.ids.vendor_part = "ACME-100";
  l.quantity = *Decimal::Parse("10");
  l.rate = *Decimal::Parse("10.50");
  l.unit = "ea";
  po.lines.push_back(l);
  po.total = *Decimal::Parse("105.00");
  return po;
}

TEST(FingerprintTest, StableAndHex) {
  const auto a = PartnerVisibleFingerprint(SamplePo());
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a, PartnerVisibleFingerprint(SamplePo()));
}

TEST(FingerprintTest, IgnoresWhatThePartnerDoesNotSee) {
  auto po = SamplePo();
  const auto before = PartnerVisibleFingerprint(po);
  po.memo = "internal note";
  po.status = "E";
  po.lines[0].received = *Decimal::Parse("4");
  po.lines[0].billed = *Decimal::Parse("2");
  po.last_modified = Instant(std::chrono::microseconds(123));
  po.lines[0].rate = *Decimal::Parse("10.5000");  // same price, other scale
  EXPECT_EQ(before, PartnerVisibleFingerprint(po));
}

TEST(FingerprintTest, ChangesWithWhatThePartnerSees) {
  const auto base = PartnerVisibleFingerprint(SamplePo());
  auto q = SamplePo();
  q.lines[0].quantity = *Decimal::Parse("11");
  EXPECT_NE(base, PartnerVisibleFingerprint(q));
  auto r = SamplePo();
  r.lines[0].rate = *Decimal::Parse("10.51");
  EXPECT_NE(base, PartnerVisibleFingerprint(r));
  auto s = SamplePo();
  s.ship_to.name = "Plant 2";
  EXPECT_NE(base, PartnerVisibleFingerprint(s));
  auto d = SamplePo();
  d.lines[0].expected_date = *MakeCivilDate(2026, 12, 1);
  EXPECT_NE(base, PartnerVisibleFingerprint(d));
  auto n = SamplePo();
  n.lines.push_back(n.lines[0]);
  EXPECT_NE(base, PartnerVisibleFingerprint(n));
  // Field boundaries matter: moving a character between adjacent fields changes the hash.
  auto x = SamplePo();
  x.ship_to.name = "Plant";
  x.ship_to.name2 = " 1";
  EXPECT_NE(base, PartnerVisibleFingerprint(x));
}

TEST(AckStatusTest, Codes) {
  EXPECT_EQ(LineAckStatusFromCode("IA"), LineAckStatus::kAccepted);
  EXPECT_EQ(LineAckStatusFromCode("IB"), LineAckStatus::kBackordered);
  EXPECT_EQ(LineAckStatusFromCode("IR"), LineAckStatus::kRejected);
  EXPECT_EQ(LineAckStatusFromCode("IQ"), LineAckStatus::kChanged);
  EXPECT_EQ(LineAckStatusFromCode("IP"), LineAckStatus::kChanged);
  EXPECT_EQ(LineAckStatusFromCode("ZZ"), LineAckStatus::kOther);
}

}  // namespace
}  // namespace mlc::model
