#include "edi/writer.h"

#include <gtest/gtest.h>

#include "edi/envelope.h"
#include "edi/reader.h"

namespace mlc::edi {
namespace {

IsaFields Isa() {
  IsaFields f;
  f.sender_qualifier = "ZZ";
  f.sender_id = "BUYER";
  f.receiver_qualifier = "12";
  f.receiver_id = "5551234567";
  f.date = "240102";
  f.time = "1530";
  f.control_number = "42";
  return f;
}

GsFields Gs() {
  GsFields g;
  g.functional_id = "PO";
  g.sender = "BUYER";
  g.receiver = "SUPPLIER";
  g.date = "20240102";
  g.time = "1530";
  g.control_number = "42";
  g.version = "004010";
  return g;
}

Result<std::string> BuildPo(WriterOptions options) {
  Writer w(std::move(options));
  RETURN_IF_ERROR(w.BeginInterchange(Isa()));
  RETURN_IF_ERROR(w.BeginGroup(Gs()));
  RETURN_IF_ERROR(w.BeginSet("850", "0001"));
  RETURN_IF_ERROR(w.Add("BEG", {"00", "SA", "PO-1", "", "20240102"}));
  RETURN_IF_ERROR(w.Add("N1", {"ST", "Main Warehouse", "", ""}));  // trailing empties dropped
  RETURN_IF_ERROR(w.Add("PO1", {"1", "10", "EA", "12.50", "", "VP", "W-100"}));
  RETURN_IF_ERROR(w.Add("SLN", {"1", "", "I", "2", ElementValue::Composite({"EA", "12"})}));
  RETURN_IF_ERROR(w.Add("CTT", {"1"}));
  RETURN_IF_ERROR(w.EndSet());
  RETURN_IF_ERROR(w.EndGroup());
  RETURN_IF_ERROR(w.EndInterchange());
  return w.Take();
}

TEST(WriterTest, BuildsAFixedWidthInterchangeWithComputedTrailers) {
  WriterOptions o;
  o.line_break = LineBreak::kLf;
  auto out = BuildPo(o);
  ASSERT_TRUE(out.ok()) << out.error();
  const std::string want =
      "ISA*00*          *00*          *ZZ*BUYER          *12*5551234567     *240102*1530*U*00401*"
      "000000042*0*P*>~\n"
      "GS*PO*BUYER*SUPPLIER*20240102*1530*42*X*004010~\n"
      "ST*850*0001~\n"
      "BEG*00*SA*PO-1**20240102~\n"
      "N1*ST*Main Warehouse~\n"
      "PO1*1*10*EA*12.50**VP*W-100~\n"
      "SLN*1**I*2*EA>12~\n"
      "CTT*1~\n"
      "SE*7*0001~\n"
      "GE*1*42~\n"
      "IEA*1*000000042~\n";
  EXPECT_EQ(*out, want);
  EXPECT_EQ(out->find('~'), 105u);  // the ISA is 106 bytes with its terminator
  // Byte-stable, and clean for the envelope checker.
  EXPECT_EQ(*BuildPo(o), *out);
  MemorySource src(*out);
  auto findings = CheckEnvelopes(src);
  ASSERT_TRUE(findings.ok());
  EXPECT_TRUE(findings->empty()) << findings->front().message;
}

TEST(WriterTest, PartnerDelimitersAndCrLf) {
  WriterOptions o;
  o.delimiters = Delimiters{'|', '^', '\x15', 0};
  o.line_break = LineBreak::kCrLf;
  auto out = BuildPo(o);
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(out->substr(0, 4), "ISA|");
  EXPECT_EQ(out->substr(103, 4), "|^\x15\r");
  EXPECT_NE(out->find("SLN|1||I|2|EA^12\x15\r\n"), std::string::npos);
  auto counts = CountEnvelopes(*out);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->sets, 1u);
  EXPECT_EQ(counts->segments, 11u);
}

TEST(WriterTest, RepetitionSeparatorFrom00402) {
  WriterOptions o;
  o.delimiters.repetition = '^';
  Writer w(o);
  IsaFields isa = Isa();
  isa.version = "00501";
  ASSERT_TRUE(w.BeginInterchange(isa).ok());
  EXPECT_EQ(w.out().substr(82, 1), "^");
  ASSERT_TRUE(w.BeginGroup(Gs()).ok());
  ASSERT_TRUE(w.BeginSet("850", "0001").ok());
  ElementValue rep;
  rep.repetitions = {{"A"}, {"B", "C"}};
  ASSERT_TRUE(w.Add("REF", {"ZZ", rep}).ok());
  EXPECT_NE(w.out().find("REF*ZZ*A^B>C~"), std::string::npos);
  Writer old(WriterOptions{});  // no repetition separator: repetitions are refused
  ASSERT_TRUE(old.BeginInterchange(Isa()).ok());
  EXPECT_EQ(old.out().substr(82, 1), "U");
  ASSERT_TRUE(old.BeginGroup(Gs()).ok());
  ASSERT_TRUE(old.BeginSet("850", "0001").ok());
  EXPECT_EQ(old.Add("REF", {"ZZ", rep}).code(), StatusCode::kInvalidArgument);
}

TEST(WriterTest, RefusesDelimitersInValuesNamingSegmentElementAndCharacter) {
  Writer w(WriterOptions{});
  ASSERT_TRUE(w.BeginInterchange(Isa()).ok());
  ASSERT_TRUE(w.BeginGroup(Gs()).ok());
  ASSERT_TRUE(w.BeginSet("850", "0001").ok());
  size_t before = w.out().size();
  Status s = w.Add("N1", {"ST", "Smith*Sons"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("N102"), std::string::npos) << s;
  EXPECT_NE(s.message().find("element separator '*'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("segment 2"), std::string::npos) << s;
  EXPECT_EQ(w.out().size(), before);  // nothing half-written
  EXPECT_NE(w.Add("MSG", {"a~b"}).message().find("segment terminator '~'"), std::string::npos);
  EXPECT_NE(w.Add("MSG", {"a>b"}).message().find("component separator"), std::string::npos);
  // The set can still be completed after a refused segment.
  ASSERT_TRUE(w.Add("BEG", {"00", "SA", "1", "", "20240102"}).ok());
  ASSERT_TRUE(w.EndSet().ok());
  EXPECT_NE(w.out().find("SE*3*0001~"), std::string::npos);
}

TEST(WriterTest, ReplacementCharacter) {
  WriterOptions o;
  o.replacement = ' ';
  Writer w(o);
  ASSERT_TRUE(w.BeginInterchange(Isa()).ok());
  ASSERT_TRUE(w.BeginGroup(Gs()).ok());
  ASSERT_TRUE(w.BeginSet("850", "0001").ok());
  ASSERT_TRUE(w.Add("N1", {"ST", "Smith*Sons~Co>Ltd"}).ok());
  EXPECT_NE(w.out().find("N1*ST*Smith Sons Co Ltd~"), std::string::npos);
  WriterOptions bad;
  bad.replacement = '*';
  Writer w2(bad);
  ASSERT_TRUE(w2.BeginInterchange(Isa()).ok());
  ASSERT_TRUE(w2.BeginGroup(Gs()).ok());
  ASSERT_TRUE(w2.BeginSet("850", "0001").ok());
  EXPECT_EQ(w2.Add("N1", {"ST", "a~b"}).code(), StatusCode::kInvalidArgument);
}

TEST(WriterTest, IsaValidationAndCallOrder) {
  IsaFields long_id = Isa();
  long_id.sender_id = "THIS-ID-IS-TOO-LONG";
  EXPECT_NE(BuildIsa(long_id, Delimiters{}).error().message().find("ISA06"), std::string::npos);
  IsaFields bad_cn = Isa();
  bad_cn.control_number = "12A";
  EXPECT_FALSE(BuildIsa(bad_cn, Delimiters{}).ok());
  Writer w(WriterOptions{});
  EXPECT_EQ(w.BeginGroup(Gs()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(w.Add("BEG", {"00"}).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(w.BeginInterchange(Isa()).ok());
  EXPECT_EQ(w.EndGroup().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(w.BeginGroup(Gs()).ok());
  EXPECT_EQ(w.EndInterchange().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(w.BeginSet("850", "0001").ok());
  EXPECT_EQ(w.Add("SE", {"1", "0001"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.BeginSet("850", "12").code(), StatusCode::kFailedPrecondition);
}

// Two groups of several sets: counts and control numbers come out right for the checker.
TEST(WriterTest, RoundTripThroughReaderAndChecker) {
  Writer w(WriterOptions{});
  ASSERT_TRUE(w.BeginInterchange(Isa()).ok());
  for (int g = 1; g <= 2; ++g) {
    GsFields gs = Gs();
    gs.control_number = std::to_string(g);
    ASSERT_TRUE(w.BeginGroup(gs).ok());
    for (int s = 1; s <= 3; ++s) {
      ASSERT_TRUE(w.BeginSet("810", fmt::format("{:04}", s)).ok());
      for (int l = 0; l < s; ++l) ASSERT_TRUE(w.Add("IT1", {"1", "2", "EA", "3.00"}).ok());
      ASSERT_TRUE(w.EndSet().ok());
    }
    ASSERT_TRUE(w.EndGroup().ok());
  }
  ASSERT_TRUE(w.EndInterchange().ok());
  std::string out = w.Take();
  auto counts = CountEnvelopes(out);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->groups, 2u);
  EXPECT_EQ(counts->sets, 6u);
  MemorySource src(out);
  auto findings = CheckEnvelopes(src);
  ASSERT_TRUE(findings.ok());
  EXPECT_TRUE(findings->empty());
  EXPECT_NE(out.find("IEA*2*000000042~"), std::string::npos);
}

}  // namespace
}  // namespace mlc::edi
