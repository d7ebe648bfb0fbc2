#include "mapping/x12_envelope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/civil_time.h"
#include "edi/reader.h"
#include "edi/validator.h"

namespace mlc::mapping {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

config::EnvelopeIds Ids(std::string ours, std::string theirs) {
  return config::EnvelopeIds{"ZZ", ours, "ZZ", theirs, ours, theirs};
}

config::PartnerConfig Acme() {
  config::PartnerConfig p;
  p.id = "ACME";
  p.production = Ids("MLBUYER", "ACME");
  p.x12_version = "004010";
  p.delimiters = {"*", ">", "~", "^"};
  p.line_break = config::LineBreak::kLf;
  return p;
}

config::PartnerConfig Globex() {
  config::PartnerConfig p;
  p.id = "GLOBEX";
  p.production = Ids("MLBUYER", "GLOBEX");
  p.x12_version = "005010";
  p.delimiters = {"|", ":", "~", "^"};
  p.line_break = config::LineBreak::kCrlf;
  return p;
}

Instant At() { return *ParseIso8601("2026-11-27T14:05:59Z"); }

const EnvelopeControl kControl{"12", "12", "0012"};

// A tiny set body: BEG and one PO1 with a composite-free layout.
std::vector<edi::SegmentData> Body() {
  return {{"BEG", {"00", "SA", "PO1001", "", "20261102"}},
          {"PO1", {"1", "10", "EA", "10.5", "", "VP", "ACME-100"}},
          {"CTT", {"1", "10"}}};
}

TEST(WriterOptionsForTest, Acme004010HasNoRepetitionSeparator) {
  auto o = WriterOptionsFor(Acme());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->delimiters.element, '*');
  EXPECT_EQ(o->delimiters.component, '>');
  EXPECT_EQ(o->delimiters.segment, '~');
  EXPECT_EQ(o->delimiters.repetition, 0);
  EXPECT_EQ(o->line_break, edi::LineBreak::kLf);
  EXPECT_FALSE(o->replacement.has_value());
}

TEST(WriterOptionsForTest, Globex005010KeepsRepetitionSeparatorAndCrlf) {
  auto o = WriterOptionsFor(Globex());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->delimiters.element, '|');
  EXPECT_EQ(o->delimiters.component, ':');
  EXPECT_EQ(o->delimiters.segment, '~');
  EXPECT_EQ(o->delimiters.repetition, '^');
  EXPECT_EQ(o->line_break, edi::LineBreak::kCrLf);
}

TEST(WriterOptionsForTest, A004010ProfileIgnoresItsRepetitionValue) {
  config::PartnerConfig p = Acme();
  p.delimiters.repetition = "";  // not used in 004010, so not judged
  EXPECT_TRUE(WriterOptionsFor(p).ok());
  p.delimiters.repetition = "*";  // same as the element separator, still unused
  EXPECT_TRUE(WriterOptionsFor(p).ok());
}

TEST(WriterOptionsForTest, BadDelimitersNameTheKey) {
  config::PartnerConfig p = Acme();
  p.delimiters.element = "**";
  auto o = WriterOptionsFor(p);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(o.status().message(), HasSubstr("partner ACME: delimiters.element"));
  EXPECT_THAT(o.status().message(), HasSubstr("'**'"));

  p = Acme();
  p.delimiters.segment = "";
  o = WriterOptionsFor(p);
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.status().message(), HasSubstr("delimiters.segment"));

  p = Acme();
  p.delimiters.component = "A";  // a letter would be read as data
  o = WriterOptionsFor(p);
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.status().message(), HasSubstr("delimiters.component"));

  p = Acme();
  p.delimiters.component = "*";
  o = WriterOptionsFor(p);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(o.status().message(),
            "partner ACME: delimiters.component '*' is the same as delimiters.element");

  p = Globex();
  p.delimiters.repetition = "~";
  o = WriterOptionsFor(p);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message(),
            "partner GLOBEX: delimiters.repetition '~' is the same as delimiters.segment");

  p = Globex();
  p.delimiters.repetition = "";
  o = WriterOptionsFor(p);
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.status().message(), HasSubstr("partner GLOBEX: delimiters.repetition"));
}

TEST(WriteInterchangeTest, Acme004010ExactBytes) {
  auto x12 = WriteInterchange(Acme(), kControl, At(), "PO", "850", Body());
  ASSERT_TRUE(x12.ok()) << x12.status();
  EXPECT_EQ(*x12,
            "ISA*00*          *00*          *ZZ*MLBUYER        *ZZ*ACME           *261127*1405*U*"
            "00401*000000012*0*P*>~\n"
            "GS*PO*MLBUYER*ACME*20261127*1405*12*X*004010~\n"
            "ST*850*0012~\n"
            "BEG*00*SA*PO1001**20261102~\n"
            "PO1*1*10*EA*10.5**VP*ACME-100~\n"
            "CTT*1*10~\n"
            "SE*5*0012~\n"
            "GE*1*12~\n"
            "IEA*1*000000012~\n");
  // Byte-stable: the same input gives the same bytes.
  EXPECT_EQ(*x12, *WriteInterchange(Acme(), kControl, At(), "PO", "850", Body()));
}

TEST(WriteInterchangeTest, Globex005010WritesRepetitionSeparatorInIsa11) {
  auto x12 = WriteInterchange(Globex(), kControl, At(), "PO", "850", Body());
  ASSERT_TRUE(x12.ok()) << x12.status();
  EXPECT_THAT(*x12, StartsWith("ISA|00|          |00|          |ZZ|MLBUYER        |ZZ|GLOBEX    "
                               "     |261127|1405|^|00501|000000012|0|P|:~\r\n"
                               "GS|PO|MLBUYER|GLOBEX|20261127|1405|12|X|005010~\r\n"));
  EXPECT_THAT(*x12, HasSubstr("~\r\nIEA|1|000000012~\r\n"));
  const size_t isa_end = x12->find('~');
  EXPECT_EQ(isa_end, 105u);  // the fixed-width ISA
}

TEST(WriteInterchangeTest, OutputValidatesAndReadsBackWithTheEnvelope) {
  for (const config::PartnerConfig& p : {Acme(), Globex()}) {
    auto x12 = WriteInterchange(p, kControl, At(), "PO", "850", Body());
    ASSERT_TRUE(x12.ok()) << x12.status();
    auto report = edi::ValidateInput(*x12);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok()) << edi::FormatReport(*report, p.id);
    edi::MemorySource src(*x12);
    edi::Reader reader(src);
    auto ev = reader.Next();
    ASSERT_TRUE(ev.ok()) << ev.status();
    ASSERT_EQ(ev->kind, edi::EventKind::kInterchangeStart);
    EXPECT_EQ(ev->interchange->sender_id(), "MLBUYER");
    EXPECT_EQ(ev->interchange->receiver_id(), p.id);
    EXPECT_EQ(ev->interchange->control_number(), "000000012");
    EXPECT_EQ(ev->interchange->version(), p.x12_version == "004010" ? "00401" : "00501");
    EXPECT_EQ(ev->interchange->delimiters.repetition, p.x12_version == "004010" ? 0 : '^');
  }
}

TEST(WriteInterchangeTest, TestUsageSendsTestIdsAndIsa15T) {
  config::PartnerConfig p = Acme();
  p.usage = 'T';
  p.test = config::EnvelopeIds{"01", "TESTBUYER", "12", "5551234567", "TBUYER", "TACME"};
  auto x12 = WriteInterchange(p, kControl, At(), "PO", "850", Body());
  ASSERT_TRUE(x12.ok()) << x12.status();
  EXPECT_THAT(*x12, StartsWith("ISA*00*          *00*          *01*TESTBUYER      *12*5551234567"
                               "     *261127*1405*U*00401*000000012*0*T*>~\n"
                               "GS*PO*TBUYER*TACME*"));
}

TEST(WriteInterchangeTest, TestUsageWithoutTestIdsIsRefused) {
  config::PartnerConfig p = Acme();
  p.usage = 'T';
  auto x12 = WriteInterchange(p, kControl, At(), "PO", "850", Body());
  ASSERT_FALSE(x12.ok());
  EXPECT_EQ(x12.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(x12.status().message(), "partner ACME: usage is T but the profile has no test ids");
}

TEST(WriteInterchangeTest, MissingIdNamesTheKey) {
  config::PartnerConfig p = Acme();
  p.production.their_gs_id.clear();
  auto x12 = WriteInterchange(p, kControl, At(), "PO", "850", Body());
  ASSERT_FALSE(x12.ok());
  EXPECT_EQ(x12.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(x12.status().message(), "partner ACME: production.their_gs_id is empty");
}

TEST(WriteInterchangeTest, ControlNumbersThatDoNotFitAreRefused) {
  const std::vector<EnvelopeControl> bad = {
      {"1234567890", "12", "0012"}, {"", "12", "0012"},    {"12", "1234567890", "0012"},
      {"12", "x", "0012"},          {"12", "12", "012"},   {"12", "12", "A012"},
      {"12", "12", "1234567890"},
  };
  for (const EnvelopeControl& c : bad) {
    auto x12 = WriteInterchange(Acme(), c, At(), "PO", "850", Body());
    ASSERT_FALSE(x12.ok()) << c.isa13 << "/" << c.gs06 << "/" << c.st02;
    EXPECT_EQ(x12.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(x12.status().message(), StartsWith("partner ACME: "));
  }
  EXPECT_TRUE(WriteInterchange(Acme(), {"999999999", "999999999", "999999999"}, At(), "PO", "850",
                               Body())
                  .ok());
}

TEST(WriteInterchangeTest, DataHoldingADelimiterIsRefusedWithContext) {
  std::vector<edi::SegmentData> body = Body();
  body[1].elements[6] = "ACME*100";
  auto x12 = WriteInterchange(Acme(), kControl, At(), "PO", "850", body);
  ASSERT_FALSE(x12.ok());
  EXPECT_EQ(x12.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(x12.status().message(), StartsWith("writing 850 0012 for partner ACME: "));
  EXPECT_THAT(x12.status().message(), HasSubstr("PO1"));
}

TEST(WriteInterchangeTest, UnknownVersionIsRefused) {
  config::PartnerConfig p = Acme();
  p.x12_version = "4010";
  auto x12 = WriteInterchange(p, kControl, At(), "PO", "850", Body());
  ASSERT_FALSE(x12.ok());
  EXPECT_THAT(x12.status().message(), HasSubstr("x12_version"));
}

}  // namespace
}  // namespace mlc::mapping
