#include "edi/json_form.h"

#include <gtest/gtest.h>

#include "edi/sample_corpus_for_test.h"

namespace mlc::edi {
namespace {

using nlohmann::json;
using testing::LoadSamples;
using testing::ReadSample;

// For every sample the reader accepts: X12 -> JSON text -> X12 gives the canonical form of the
// input, and the canonical form itself round-trips byte for byte.
TEST(JsonFormTest, EverySampleRoundTripsToItsCanonicalForm) {
  size_t checked = 0, already_canonical = 0, refused = 0;
  for (const auto& info : LoadSamples()) {
    SCOPED_TRACE(info.file);
    std::string data = ReadSample(info.file);
    auto canonical = Canonicalize(data);
    if (!canonical.ok()) continue;  // EBCDIC, non-X12: rejected by the reader (reader_test)
    if (*canonical == data) ++already_canonical;
    auto doc = ToJson(data);
    ASSERT_TRUE(doc.ok()) << doc.error();
    auto text = DumpJson(*doc, 1);
    ASSERT_TRUE(text.ok()) << text.error();
    auto back = FromJsonText(*text);
    if (!back.ok() && info.status == "deliberately-invalid") {
      // gozer's no-terminator file takes 'G' as terminator, which then occurs inside its ISA:
      // a file that cannot be written back is refused, never written broken.
      EXPECT_EQ(back.error().code(), StatusCode::kInvalidArgument);
      ++refused;
      continue;
    }
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, *canonical);
    auto doc2 = ToJson(*canonical);
    ASSERT_TRUE(doc2.ok());
    EXPECT_EQ(*doc2, *doc);
    auto back2 = FromJson(*doc2);
    ASSERT_TRUE(back2.ok()) << back2.error();
    EXPECT_EQ(*back2, *canonical);
    ++checked;
  }
  EXPECT_GE(checked, 100u);
  EXPECT_LE(refused, 1u);
  EXPECT_GE(already_canonical, 40u);  // most public samples are canonical as published
}

TEST(JsonFormTest, DocumentShape) {
  std::string x12 =
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1530*^*"
      "00501*000000001*0*P*>~\n"
      "GS*PO*A*B*20240102*1530*1*X*005010~\n"
      "ST*850*0001~\nREF*ZZ*A^B>C~\nSLN*1**I*2*EA>12~\nN1*ST*X**~\nSE*5*0001~\n"
      "GE*1*1~\nIEA*1*000000001~\n";
  auto doc = ToJson(x12);
  ASSERT_TRUE(doc.ok()) << doc.error();
  const json& ic = (*doc)["interchanges"][0];
  EXPECT_EQ((*doc)["format"], "mlc-x12-json/1");
  EXPECT_EQ(ic["delimiters"]["repetition"], "^");
  EXPECT_EQ(ic["line_break"], "\n");
  EXPECT_EQ(ic["isa"][5], "A              ");
  EXPECT_EQ(ic["iea"], json::array({"IEA", "1", "000000001"}));
  const json& group = ic["content"][0]["group"];
  EXPECT_EQ(group["gs"][6], "1");
  const json& set = group["content"][0]["set"];
  EXPECT_EQ(set["id"], "850");
  EXPECT_EQ(set["segments"][1], json::parse(R"(["REF","ZZ",{"rep":["A",["B","C"]]}])"));
  EXPECT_EQ(set["segments"][2], json::parse(R"(["SLN","1","","I","2",["EA","12"]])"));
  EXPECT_EQ(set["segments"][3], json::parse(R"(["N1","ST","X","",""])"));  // kept as written
  auto back = FromJson(*doc);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, x12);
}

TEST(JsonFormTest, MissingTrailersAndStraySegmentsAreKept) {
  std::string x12 =
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1530*U*"
      "00401*000000001*0*P*>~TA1*000000009*240101*1200*A*000~GS*PO*A*B*20240102*1530*1*X*004010~"
      "ST*850*0001~BEG*00*SA*1~XX*1~ST*850*0002~SE*2*0002~IEA*1*000000001~";
  auto doc = ToJson(x12);
  ASSERT_TRUE(doc.ok());
  const json& ic = (*doc)["interchanges"][0];
  EXPECT_EQ(ic["content"][0]["segment"][0], "TA1");
  EXPECT_TRUE(ic["content"][1]["group"]["ge"].is_null());
  auto back = FromJson(*doc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, x12);
}

TEST(JsonFormTest, LoopHookAddsLoopsAndIsIgnoredOnTheWayBack) {
  std::string x12 =
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1530*U*"
      "00401*000000001*0*P*>~GS*PO*A*B*20240102*1530*1*X*004010~ST*850*0001~SE*2*0001~GE*1*1~"
      "IEA*1*000000001~";
  JsonFormOptions options;
  options.loops = [](const TransactionSet& set, const json& segments) {
    return json{{"set", std::string(set.id())}, {"count", segments.size()}};
  };
  auto doc = ToJson(x12, options);
  ASSERT_TRUE(doc.ok());
  const json& set = (*doc)["interchanges"][0]["content"][0]["group"]["content"][0]["set"];
  EXPECT_EQ(set["loops"]["count"], 2);
  EXPECT_EQ(*FromJson(*doc), x12);
}

TEST(JsonFormTest, MalformedDocumentsNameThePath) {
  auto r = FromJsonText(R"({"interchanges":[{"delimiters":{"element":"*","component":">",
      "segment":"~"},"isa":["00","          ","00","          ","ZZ","A              ","ZZ",
      "B              ","240102","1530","U","00401","000000001","0","P",">"],
      "content":[{"set":{"segments":[["ST","850","0001"],["N1","ST",5]]}}]}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("interchanges[0].content[0].set.segments[1][2]"),
            std::string::npos)
      << r.error();
  auto delim = FromJsonText(R"({"interchanges":[{"delimiters":{"element":"*","component":">",
      "segment":"~"},"isa":["00","          ","00","          ","ZZ","A              ","ZZ",
      "B              ","240102","1530","U","00401","000000001","0","P",">"],
      "content":[{"segment":["NTE","a*b"]}]}]})");
  ASSERT_FALSE(delim.ok());
  EXPECT_NE(delim.error().message().find("NTE01"), std::string::npos) << delim.error();
  EXPECT_FALSE(FromJsonText("not json").ok());
  EXPECT_FALSE(FromJsonText("[]").ok());
  EXPECT_FALSE(FromJsonText(R"({"interchanges":[{"isa":[]}]})").ok());
}

TEST(JsonFormTest, ReformatOneSegmentPerLine) {
  std::string x12 = ReadSample("bots__850-004010-11.x12");  // one long line
  auto lines = Canonicalize(x12, LineBreak::kLf);
  ASSERT_TRUE(lines.ok());
  EXPECT_NE(lines->find("~\nGS*"), std::string::npos);
  EXPECT_EQ(lines->back(), '\n');
  auto lf = Canonicalize(ReadSample("bots__850-004010-ascii-lf.x12"), LineBreak::kLf);
  ASSERT_TRUE(lf.ok());
  EXPECT_EQ(lf->find("\n\n"), std::string::npos);  // LF terminator: no extra line break
}

// Found by fuzzing: a one-byte terminator that is a UTF-8 lead byte (0xC3), kept apart from a
// following continuation byte (0x96) by NUL padding. Written back without the padding, C3 96
// would read as the two-byte terminator; the canonical form puts a line break between them.
TEST(JsonFormTest, ALoneUtf8LeadByteTerminatorStaysApartFromTheNextSegment) {
  const std::string nul(1, '\0');
  std::string x12 =
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*U*"
      "00401*000000001*0*P*>\xc3" + nul + "\x96ZZ*1\xc3" + nul + "IEA*0*000000001\xc3";
  auto once = Canonicalize(x12);
  ASSERT_TRUE(once.ok()) << once.error().message();
  EXPECT_NE(once->find(">\xc3\n\x96ZZ*1\xc3\nIEA"), std::string::npos);
  auto twice = Canonicalize(*once);
  ASSERT_TRUE(twice.ok()) << twice.error().message();
  EXPECT_EQ(*twice, *once);
  auto counts = CountEnvelopes(*once);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->segments, 3u);  // ISA, the stray segment, IEA
}

}  // namespace
}  // namespace mlc::edi
