#include "edi/documents.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "edi/reader.h"
#include "edi/sample_corpus_for_test.h"
#include "edi/validator.h"

namespace mlc::edi {
namespace {

using ::testing::HasSubstr;

Decimal D(std::string_view s) { return *Decimal::Parse(s); }

// Calls `fn` with the segments of every transaction set of `x12`.
template <typename Fn>
void ForEachSet(std::string_view x12, Fn fn) {
  MemorySource src(x12);
  Reader reader(src);
  for (;;) {
    auto ev = reader.Next();
    ASSERT_TRUE(ev.ok()) << ev.error().message();
    if (ev->kind == EventKind::kEnd) return;
    if (ev->kind == EventKind::kTransactionSet) fn(ev->set->segments);
  }
}

TEST(DocumentsTest, Reads810WithImpliedDecimalTotalsAndCharges) {
  std::vector<Invoice810> invoices;
  ForEachSet(testing::ReadSample("bots__810-004010-01.x12"), [&](std::span<const Segment> s) {
    auto inv = Read810(s);
    ASSERT_TRUE(inv.ok()) << inv.error().message();
    invoices.push_back(*inv);
  });
  ASSERT_EQ(invoices.size(), 2u);
  const Invoice810& inv = invoices[0];
  EXPECT_FALSE(inv.number.empty());
  EXPECT_FALSE(inv.po_number.empty());
  ASSERT_FALSE(inv.lines.empty());
  EXPECT_EQ(inv.lines[0].unit, "CA");
  EXPECT_EQ(inv.lines[0].ids[0].qualifier, "UA");
  ASSERT_FALSE(inv.lines[0].charges.empty());
  EXPECT_EQ(inv.lines[0].charges[0].indicator, "C");
  EXPECT_EQ(inv.total.scale(), 2);  // TDS01 is N2
  EXPECT_GT(inv.total, Decimal());
  EXPECT_EQ(inv.parties.size(), 3u);
}

TEST(DocumentsTest, TdsImpliedDecimals) {
  std::string x12 =
      "ISA*00*          *00*          *ZZ*S              *ZZ*R              *240101*1200*U*00401*"
      "000000001*0*P*>~GS*IN*S*R*20240101*1200*1*X*004010~ST*810*0001~BIG*20240101*INV1**PO9~"
      "IT1*1*2*EA*10.5**VP*W-1~SAC*C*D240***5887~TDS*843202~SE*6*0001~GE*1*1~IEA*1*000000001~";
  ForEachSet(x12, [&](std::span<const Segment> s) {
    auto inv = Read810(s);
    ASSERT_TRUE(inv.ok()) << inv.error().message();
    EXPECT_TRUE(inv->total.IdenticalTo(D("8432.02")));
    EXPECT_EQ(inv->po_number, "PO9");
    ASSERT_EQ(inv->lines.size(), 1u);
    EXPECT_EQ(inv->lines[0].unit_price, D("10.5"));
    EXPECT_EQ(*inv->lines[0].charges[0].amount, D("58.87"));
  });
}

TEST(DocumentsTest, Reads855LineAcks) {
  int sets = 0;
  ForEachSet(testing::ReadSample("nodex12__855.edi"), [&](std::span<const Segment> s) {
    auto ack = Read855(s);
    ASSERT_TRUE(ack.ok()) << ack.error().message();
    ++sets;
    EXPECT_EQ(ack->type, "AD");
    ASSERT_FALSE(ack->lines.empty());
    bool accepted = false, rejected = false;
    for (const PoAckLine& l : ack->lines) {
      for (const LineAck& a : l.acks) {
        accepted |= a.status == "IA";
        rejected |= a.status == "IR";
      }
    }
    EXPECT_TRUE(accepted);
    EXPECT_TRUE(rejected);
  });
  EXPECT_EQ(sets, 1);
}

TEST(DocumentsTest, Reads850FromSample) {
  ForEachSet(testing::ReadSample("x12types__004010_850.edi"), [&](std::span<const Segment> s) {
    auto po = Read850(s);
    ASSERT_TRUE(po.ok()) << po.error().message();
    EXPECT_FALSE(po->number.empty());
    EXPECT_EQ(po->date.size(), 8u);
    EXPECT_FALSE(po->lines.empty());
  });
}

TEST(DocumentsTest, ErrorsNameSegmentAndElement) {
  std::string x12 =
      "ISA*00*          *00*          *ZZ*S              *ZZ*R              *240101*1200*U*00401*"
      "000000001*0*P*>~GS*PO*S*R*20240101*1200*1*X*004010~ST*850*0001~BEG*00*SA*PO1**20240101~"
      "PO1*1*TEN*EA~SE*4*0001~GE*1*1~IEA*1*000000001~";
  ForEachSet(x12, [&](std::span<const Segment> s) {
    auto po = Read850(s);
    ASSERT_FALSE(po.ok());
    EXPECT_THAT(po.error().message(), HasSubstr("PO102 (segment 3"));
    EXPECT_THAT(po.error().message(), HasSubstr("'TEN' is not a number"));
    EXPECT_FALSE(Read810(s).ok());  // wrong set type
  });
  std::string no_beg = x12;
  no_beg.replace(no_beg.find("BEG*00*SA*PO1**20240101~"), 24, "");
  no_beg.replace(no_beg.find("SE*4"), 4, "SE*3");
  no_beg.replace(no_beg.find("TEN"), 3, "10");
  ForEachSet(no_beg, [&](std::span<const Segment> s) {
    auto po = Read850(s);
    ASSERT_FALSE(po.ok());
    EXPECT_THAT(po.error().message(), HasSubstr("BEG is missing"));
  });
}

PurchaseOrder850 SamplePo() {
  PurchaseOrder850 po;
  po.purpose = "00";
  po.type = "SA";
  po.number = "PO-4711";
  po.date = "20240315";
  po.currency = "USD";
  po.references = {{"VR", "V100", ""}};
  po.contacts = {{"BD", "JANE BUYER", {{"TE", "555-0100"}, {"EM", "jane@example.com"}}}};
  po.fob = Fob{"PP", "", ""};
  Terms t;
  t.type = "01";
  t.basis = "3";
  t.discount_percent = D("2");
  t.discount_days = 10;
  t.net_days = 30;
  po.terms = {t};
  po.dates = {{"002", "20240401", ""}};
  Party st;
  st.entity = "ST";
  st.name = "MAIN WAREHOUSE";
  st.id_qualifier = "92";
  st.id = "WH1";
  st.address = {"1 DOCK ROAD"};
  st.city = "RENO";
  st.state = "NV";
  st.postal_code = "89501";
  st.country = "US";
  po.parties = {st};
  PoLine l1;
  l1.line_number = "1";
  l1.quantity = D("12");
  l1.unit = "EA";
  l1.unit_price = D("3.75");
  l1.price_basis = "PE";
  l1.ids = {{"VP", "W-100"}, {"BP", "ITEM-1"}};
  l1.descriptions = {"WIDGET, BLUE"};
  PoLine l2 = l1;
  l2.line_number = "2";
  l2.quantity = D("2.5");
  l2.unit = "LB";
  l2.ids = {{"VP", "G-7"}};
  l2.descriptions = {};
  l2.dates = {{"010", "20240320", ""}};
  po.lines = {l1, l2};
  po.total_amount = D("54.38");
  return po;
}

TEST(DocumentsTest, Build850WritesValidX12AndReadsBack) {
  PurchaseOrder850 po = SamplePo();
  auto segs = Build850(po);
  ASSERT_TRUE(segs.ok()) << segs.error().message();
  Writer w(WriterOptions{});
  IsaFields isa;
  isa.sender_id = "BUYER";
  isa.receiver_id = "SELLER";
  isa.date = "240315";
  isa.time = "1200";
  isa.control_number = "17";
  ASSERT_TRUE(w.BeginInterchange(isa).ok());
  GsFields gs{"PO", "BUYER", "SELLER", "20240315", "1200", "17", "X", "004010"};
  ASSERT_TRUE(w.BeginGroup(gs).ok());
  ASSERT_TRUE(w.BeginSet("850", "0001").ok());
  ASSERT_TRUE(AddSegments(w, *segs).ok());
  ASSERT_TRUE(w.EndSet().ok());
  ASSERT_TRUE(w.EndGroup().ok());
  ASSERT_TRUE(w.EndInterchange().ok());
  std::string x12 = w.out();
  EXPECT_THAT(x12, HasSubstr("BEG*00*SA*PO-4711**20240315~"));
  EXPECT_THAT(x12, HasSubstr("PO1*1*12*EA*3.75*PE*VP*W-100*BP*ITEM-1~"));
  EXPECT_THAT(x12, HasSubstr("CTT*2*14.5~"));  // hash total of PO102
  auto report = ValidateInput(x12);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << FormatReport(*report, "built");
  ForEachSet(x12, [&](std::span<const Segment> s) {
    auto back = Read850(s);
    ASSERT_TRUE(back.ok()) << back.error().message();
    PurchaseOrder850 want = po;
    want.line_count = 2;
    want.hash_total = D("14.5");
    EXPECT_EQ(*back, want);
  });
}

TEST(DocumentsTest, Build850RefusesIncompletePo) {
  PurchaseOrder850 po = SamplePo();
  po.lines.clear();
  EXPECT_FALSE(Build850(po).ok());
  po = SamplePo();
  po.number.clear();
  EXPECT_FALSE(Build850(po).ok());
}

TEST(DocumentsTest, Build997RoundTrips) {
  std::string sample = testing::ReadSample("bots__997-testx12001-AK3AK4.x12");
  ForEachSet(sample, [&](std::span<const Segment> s) {
    auto ack = Read997(s);
    ASSERT_TRUE(ack.ok()) << ack.error().message();
    std::vector<SegmentData> segs = Build997(*ack);
    ASSERT_EQ(segs.size() + 2, s.size());  // everything but ST and SE
    for (size_t i = 0; i < segs.size(); ++i) {
      EXPECT_EQ(segs[i].tag, s[i + 1].tag());
    }
    Writer w(WriterOptions{});
    IsaFields isa;
    isa.sender_id = "A";
    isa.receiver_id = "B";
    isa.date = "240315";
    isa.time = "1200";
    isa.control_number = "1";
    ASSERT_TRUE(w.BeginInterchange(isa).ok());
    ASSERT_TRUE(w.BeginGroup({"FA", "A", "B", "20240315", "1200", "1", "X", "004010"}).ok());
    ASSERT_TRUE(w.BeginSet("997", "0001").ok());
    ASSERT_TRUE(AddSegments(w, segs).ok());
    ASSERT_TRUE(w.EndSet().ok());
    ASSERT_TRUE(w.EndGroup().ok());
    ASSERT_TRUE(w.EndInterchange().ok());
    ForEachSet(w.out(), [&](std::span<const Segment> again) {
      auto back = Read997(again);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(back->sets.size(), ack->sets.size());
      EXPECT_EQ(back->group_code, ack->group_code);
      EXPECT_EQ(back->sets[0].segments[0].elements[0].component,
                ack->sets[0].segments[0].elements[0].component);
    });
  });
}

}  // namespace
}  // namespace mlc::edi
