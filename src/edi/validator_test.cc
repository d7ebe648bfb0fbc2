#include "edi/validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "edi/schema.h"

namespace mlc::edi {
namespace {

using ::testing::HasSubstr;

// One interchange with one group of 850s (or `id`s); each body is the segments between ST and SE
// ('~'-terminated). SE01 is computed.
std::string Interchange(const std::vector<std::string>& bodies, std::string_view version = "004010",
                        std::string_view id = "850", std::string_view gs01 = "PO",
                        std::string ge01 = "") {
  std::string isa12 = version >= "005" ? "00501" : "00401";
  std::string isa11 = version >= "005" ? "^" : "U";
  std::string out = fmt::format(
      "ISA*00*          *00*          *ZZ*BUYER          *ZZ*SELLER         *240101*1200*{}*{}*"
      "000000001*0*P*>~GS*{}*BUYER*SELLER*20240101*1200*1*X*{}~",
      isa11, isa12, gs01, version);
  int n = 0;
  for (const std::string& body : bodies) {
    std::string cn = fmt::format("{:04}", ++n);
    size_t segs = std::count(body.begin(), body.end(), '~') + 2;
    out += fmt::format("ST*{}*{}~{}SE*{}*{}~", id, cn, body, segs, cn);
  }
  out += fmt::format("GE*{}*1~IEA*1*000000001~", ge01.empty() ? std::to_string(n) : ge01);
  return out;
}

const std::string kBeg = "BEG*00*SA*PO123**20240101~";
const std::string kLine = "PO1*1*10*EA*2.50**VP*W-100~";

ValidationReport Validate(const std::string& x12, const ValidatorOptions& o = {}) {
  auto r = ValidateInput(x12, o);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : ValidationReport{};
}

const SetResult& OnlySet(const ValidationReport& r) {
  static const SetResult kEmpty;
  if (r.interchanges.size() != 1 || r.interchanges[0].groups.size() != 1 ||
      r.interchanges[0].groups[0].sets.size() != 1) {
    ADD_FAILURE() << "want exactly one set";
    return kEmpty;
  }
  return r.interchanges[0].groups[0].sets[0];
}

// The single segment error of a one-set input.
SegmentError OnlyError(const std::string& body, const ValidatorOptions& o = {},
                       std::string_view version = "004010") {
  ValidationReport r = Validate(Interchange({body}, version), o);
  const SetResult& s = OnlySet(r);
  EXPECT_EQ(s.segments.size(), 1u) << FormatReport(r, "test");
  return s.segments.empty() ? SegmentError{} : s.segments[0];
}

TEST(ValidatorTest, CleanPurchaseOrderIsAccepted) {
  ValidationReport r = Validate(Interchange({kBeg + kLine + "CTT*1~"}));
  EXPECT_TRUE(r.ok()) << FormatReport(r, "test");
  const GroupResult& g = r.interchanges[0].groups[0];
  EXPECT_EQ(g.code, AckCode::kAccepted);
  EXPECT_EQ(g.included, 1u);
  EXPECT_EQ(g.received, 1u);
  EXPECT_EQ(g.accepted, 1u);
  EXPECT_EQ(g.sets[0].schema_version, "004010");
}

TEST(ValidatorTest, Ak304UnrecognizedSegment) {
  SegmentError e = OnlyError(kBeg + "ZZZ*1~" + kLine);
  EXPECT_EQ(e.code, SegmentErrorCode::kUnrecognizedSegment);
  EXPECT_EQ(e.tag, "ZZZ");
  EXPECT_EQ(e.position, 3u);
}

TEST(ValidatorTest, Ak304UnexpectedSegment) {
  // N2 exists in the 850 but only inside an N1 loop.
  SegmentError e = OnlyError(kBeg + "N2*EXTRA NAME~" + kLine);
  EXPECT_EQ(e.code, SegmentErrorCode::kUnexpectedSegment);
}

TEST(ValidatorTest, Ak304MandatorySegmentMissing) {
  SegmentError e = OnlyError(kLine);
  EXPECT_EQ(e.code, SegmentErrorCode::kMandatorySegmentMissing);
  EXPECT_EQ(e.tag, "BEG");
  EXPECT_EQ(e.position, 2u);  // detected at the PO1, segment 2
}

TEST(ValidatorTest, Ak304MandatoryLoopMissing) {
  SegmentError e = OnlyError(kBeg + "CTT*1~");
  EXPECT_EQ(e.code, SegmentErrorCode::kMandatorySegmentMissing);
  EXPECT_EQ(e.tag, "PO1");
  EXPECT_EQ(e.loop_id, "PO1");
}

TEST(ValidatorTest, Ak304LoopOverMaximum) {
  SegmentError e = OnlyError(kBeg + kLine + "CTT*1~CTT*1~");
  EXPECT_EQ(e.code, SegmentErrorCode::kLoopOverMaximum);
  EXPECT_EQ(e.position, 5u);
}

TEST(ValidatorTest, Ak304SegmentExceedsMaximumUse) {
  SegmentError e = OnlyError(kBeg + "CUR*BY*USD~CUR*BY*USD~" + kLine);
  EXPECT_EQ(e.code, SegmentErrorCode::kSegmentExceedsMaximumUse);
  EXPECT_EQ(e.tag, "CUR");
  EXPECT_EQ(e.position, 4u);
}

TEST(ValidatorTest, Ak304SegmentNotInSet) {
  SegmentError e = OnlyError(kBeg + kLine + "IT1*1*10*EA*2.50~");
  EXPECT_EQ(e.code, SegmentErrorCode::kSegmentNotInSet);
}

TEST(ValidatorTest, Ak304OutOfSequence) {
  SegmentError e = OnlyError(kBeg + kLine + "BEG*00*SA*PO124**20240101~");
  EXPECT_EQ(e.code, SegmentErrorCode::kSegmentOutOfSequence);
}

TEST(ValidatorTest, NestedLoopsAreFollowed) {
  // N1 loop with N3/N4, PO1 loop with nested PID loop and N1 loop, SCH loop, CTT loop with AMT.
  std::string body = kBeg + "REF*DP*12~N1*ST*DOCK~N3*1 MAIN ST~N4*TOWN*CA*90210*US~N1*BT*HQ~" +
                     kLine + "PID*F****WIDGET~SCH*5*EA***002*20240105~N1*ST*STORE 5~N3*5 ELM~" +
                     kLine + "PID*F****GADGET~CTT*2~AMT*TT*50~";
  ValidationReport r = Validate(Interchange({body}));
  EXPECT_TRUE(r.ok()) << FormatReport(r, "test");
}

ElementError OnlyElementError(const std::string& body, std::string_view version = "004010",
                              const ValidatorOptions& o = {}) {
  SegmentError e = OnlyError(body, o, version);
  EXPECT_EQ(e.code, SegmentErrorCode::kSegmentHasElementErrors);
  EXPECT_EQ(e.elements.size(), 1u);
  return e.elements.empty() ? ElementError{} : e.elements[0];
}

TEST(ValidatorTest, Ak403MandatoryMissing) {
  ElementError e = OnlyElementError("BEG*00*SA***20240101~" + kLine);
  EXPECT_EQ(e.code, ElementErrorCode::kMandatoryMissing);
  EXPECT_EQ(e.element, 3);
  EXPECT_EQ(e.reference, "324");
  EXPECT_EQ(e.id, "BEG03");
}

TEST(ValidatorTest, Ak403ConditionalRequiredMissing) {
  ElementError e = OnlyElementError(kBeg + "PO1*1*10*EA*2.50**VP~");
  EXPECT_EQ(e.code, ElementErrorCode::kConditionalRequiredMissing);
  EXPECT_EQ(e.id, "PO107");
}

TEST(ValidatorTest, ErrorsCarryBusinessUnitAndTriggerContexts) {
  SegmentError e = OnlyError(kBeg + "PO1*1*10*EA*2.50**VP~");
  ASSERT_EQ(e.contexts.size(), 1u);
  EXPECT_EQ(e.contexts[0].name, "BEG03");  // the 850's business unit identifier
  EXPECT_EQ(e.contexts[0].reference, "PO123");
  ASSERT_EQ(e.elements.size(), 1u);
  ASSERT_EQ(e.elements[0].contexts.size(), 1u);
  const ErrorContext& t = e.elements[0].contexts[0];
  EXPECT_EQ(t.name, kSituationalTrigger);  // P0607: PO106 present makes PO107 required
  EXPECT_EQ(t.tag, "PO1");
  EXPECT_EQ(t.position, 3u);
  EXPECT_EQ(t.loop_id, "PO1");
  EXPECT_EQ(t.element, 6);
  EXPECT_EQ(t.element_reference, "235");
}

TEST(ValidatorTest, NoBusinessUnitContextBeforeOrWithoutAKnownIdentifier) {
  // An error in BEG03 itself: the identifier is unknown, so no error gets the context.
  ValidationReport r =
      Validate(Interchange({"BEG*00*SA*PO123456789012345678901234**20240101~PO1*1*10*EA*2.50**VP~"}));
  const SetResult& s = OnlySet(r);
  ASSERT_EQ(s.segments.size(), 2u) << FormatReport(r, "test");
  for (const SegmentError& e : s.segments) EXPECT_TRUE(e.contexts.empty()) << e.tag;
  // A missing BEG: no identifier at all; R notes (nothing present) have no trigger.
  SegmentError missing = OnlyError(kLine);
  EXPECT_EQ(missing.code, SegmentErrorCode::kMandatorySegmentMissing);
  EXPECT_TRUE(missing.contexts.empty());
}

TEST(ValidatorTest, ElementScanHandlesUtf8AndControlCharacters) {
  // A long segment (SIMD path) with UTF-8: characters, not bytes, are counted (PID05 max 80).
  std::string name = "CAF\xc3\x89 ";
  std::string long_name;
  for (int i = 0; i < 16; ++i) long_name += name;  // 80 characters, 96 bytes
  ValidationReport ok = Validate(Interchange({kBeg + kLine + "PID*F****" + long_name + "~"}));
  EXPECT_TRUE(OnlySet(ok).segments.empty()) << FormatReport(ok, "test");
  // One more character is too long; a control character in a long or a short segment is
  // invalid (AK403 6).
  EXPECT_EQ(OnlyElementError(kBeg + kLine + "PID*F****" + long_name + "X~").code,
            ElementErrorCode::kTooLong);
  EXPECT_EQ(OnlyElementError(kBeg + kLine + "PID*F****SIXTEEN BYTES AND \x01 MORE~").code,
            ElementErrorCode::kInvalidCharacter);
  EXPECT_EQ(OnlyElementError(kBeg + kLine + "PID*F****A\x01~").code,
            ElementErrorCode::kInvalidCharacter);
}

TEST(ValidatorTest, OmittingAcceptedSetsKeepsCountsAndAck) {
  std::string in = Interchange({kBeg + kLine, kBeg + "PO1*1*10*EA*2.50**VP~", kBeg + kLine});
  ValidatorOptions o;
  o.keep_accepted_sets = false;
  ValidationReport r = Validate(in, o);
  ASSERT_EQ(r.interchanges.size(), 1u);
  const GroupResult& g = r.interchanges[0].groups[0];
  ASSERT_EQ(g.sets.size(), 1u);  // only the set with a problem
  EXPECT_EQ(g.sets[0].control_number, "0002");
  EXPECT_EQ(g.omitted_accepted, 2u);
  EXPECT_EQ(g.received, 3u);
  EXPECT_EQ(g.accepted, 2u);
  EXPECT_EQ(g.included, 3u);
  EXPECT_EQ(g.code, AckCode::kPartiallyAccepted);
  // The same AK9 as with every set kept.
  ValidationReport full = Validate(in);
  const GroupResult& all = full.interchanges[0].groups[0];
  EXPECT_EQ(all.sets.size(), 3u);
  EXPECT_EQ(all.received, g.received);
  EXPECT_EQ(all.accepted, g.accepted);
  EXPECT_EQ(all.code, g.code);
}

TEST(ValidatorTest, Ak403TooManyElements) {
  ElementError e = OnlyElementError(kBeg + kLine + "CTT*1*10*1*LB*1*LB*NOTE*EXTRA~");
  EXPECT_EQ(e.code, ElementErrorCode::kTooManyElements);
  EXPECT_EQ(e.element, 8);
  EXPECT_EQ(e.value, "EXTRA");
}

TEST(ValidatorTest, Ak403TooShort) {
  ElementError e = OnlyElementError(kBeg + "N1*ST*DOCK~N4*A~" + kLine);
  EXPECT_EQ(e.code, ElementErrorCode::kTooShort);
  EXPECT_EQ(e.id, "N401");
}

TEST(ValidatorTest, Ak403TooLong) {
  ElementError e = OnlyElementError("BEG*00*SA*PO12345678901234567890123**20240101~" + kLine);
  EXPECT_EQ(e.code, ElementErrorCode::kTooLong);
  EXPECT_EQ(e.value, "PO12345678901234567890123");
}

TEST(ValidatorTest, Ak403InvalidCharacter) {
  ElementError e = OnlyElementError(kBeg + "PO1*1*1O*EA*2.50**VP*W-100~");
  EXPECT_EQ(e.code, ElementErrorCode::kInvalidCharacter);
  EXPECT_EQ(e.id, "PO102");
}

TEST(ValidatorTest, NumericFormsAreJudgedAlikeInPlainAndOtherSegments) {
  // PO102 is R 1/15: optional leading minus, digits, at most one point, length counted in
  // digits. A plain segment is judged by the precompiled checks first, a segment with a UTF-8
  // byte elsewhere (PO107) by the general path: both must give the same verdict.
  struct Case {
    std::string value;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"10", true},   {"-1.5", true},  {"-.5", true},    {"5.", true},    {"0", true},
      {"1.2.3", false}, {"-", false},  {".", false},     {"-.", false},   {"1-", false},
      {"--1", false}, {"1..2", false}, {"+1", false},    {"1 ", false},   {"1234567890123456", false},
  };
  for (const Case& c : cases) {
    for (std::string product : {std::string("W-100"), std::string("W-\xc3\x89")}) {
      std::string body = kBeg + "PO1*1*" + c.value + "*EA*2.50**VP*" + product + "~";
      ValidationReport r = Validate(Interchange({body}));
      const SetResult& s = OnlySet(r);
      if (c.ok) {
        EXPECT_TRUE(s.segments.empty()) << c.value << " " << FormatReport(r, "test");
        continue;
      }
      ASSERT_EQ(s.segments.size(), 1u) << c.value << " " << FormatReport(r, "test");
      ASSERT_EQ(s.segments[0].elements.size(), 1u) << c.value;
      const ElementError& e = s.segments[0].elements[0];
      EXPECT_EQ(e.id, "PO102") << c.value;
      EXPECT_EQ(e.code, c.value.size() > 15 ? ElementErrorCode::kTooLong
                                            : ElementErrorCode::kInvalidCharacter)
          << c.value;
    }
  }
  // CTT01 is N0: no point allowed.
  EXPECT_EQ(OnlyElementError(kBeg + kLine + "CTT*1.5~").code, ElementErrorCode::kInvalidCharacter);
  ValidationReport minus = Validate(Interchange({kBeg + kLine + "CTT*-1~"}));
  EXPECT_TRUE(OnlySet(minus).segments.empty()) << FormatReport(minus, "test");
}

TEST(ValidatorTest, Ak403InvalidCode) {
  ElementError e = OnlyElementError("BEG*00*XX*PO123**20240101~" + kLine);
  EXPECT_EQ(e.code, ElementErrorCode::kInvalidCode);
  EXPECT_EQ(e.reference, "92");
  EXPECT_EQ(e.value, "XX");
}

TEST(ValidatorTest, Ak403InvalidDate) {
  ElementError e = OnlyElementError("BEG*00*SA*PO123**20230229~" + kLine);  // not a leap year
  EXPECT_EQ(e.code, ElementErrorCode::kInvalidDate);
}

TEST(ValidatorTest, Ak403InvalidTime) {
  ElementError e = OnlyElementError(kBeg + "DTM*002*20240101*2460~" + kLine);
  EXPECT_EQ(e.code, ElementErrorCode::kInvalidTime);
  EXPECT_EQ(e.id, "DTM03");
}

TEST(ValidatorTest, Ak403TooManyRepetitionsIn5010) {
  ElementError e = OnlyElementError(kBeg + "REF*DP*A^B~" + kLine, "005010");
  EXPECT_EQ(e.code, ElementErrorCode::kTooManyRepetitions);
}

TEST(ValidatorTest, Ak403TooManyComponentsIn5010) {
  ElementError e = OnlyElementError(kBeg + "REF*DP*A>B~" + kLine, "005010");
  EXPECT_EQ(e.code, ElementErrorCode::kTooManyComponents);
}

TEST(ValidatorTest, ReportsEveryProblemNotOnlyTheFirst) {
  ValidationReport r =
      Validate(Interchange({"BEG*00*XX***20241301~ZZZ~PO1*1*1O*EA~CUR*BY*USD~"}));
  const SetResult& s = OnlySet(r);
  ASSERT_EQ(s.segments.size(), 3u) << FormatReport(r, "test");
  EXPECT_EQ(s.segments[0].elements.size(), 3u);  // BEG02 code, BEG03 missing, BEG05 date
  EXPECT_EQ(s.segments[1].code, SegmentErrorCode::kUnrecognizedSegment);
  EXPECT_EQ(s.segments[2].tag, "PO1");
  EXPECT_EQ(s.code, AckCode::kRejected);
  EXPECT_EQ(s.set_errors, std::vector<std::string>{"5"});
}

// A registry parsed from data for a test set "123" (functional group ZZ): `segments` are the
// dictionary's definitions besides ST and SE, `structure` the set's lines.
std::unique_ptr<SchemaRegistry> TestRegistry(std::string_view segments,
                                             std::string_view structure) {
  const std::string dict = std::string(R"(version 004010
seg ST
  ST01 143 ID 3/3 M
  ST02 329 AN 4/9 M
seg SE
  SE01 96 N0 1/10 M
  SE02 329 AN 4/9 M
)") + std::string(segments);
  const std::string set = "set 123 004010 ZZ Test Set\n" + std::string(structure);
  auto reg = SchemaRegistry::Parse({{"dict", dict}, {"set", set}});
  EXPECT_TRUE(reg.ok()) << reg.error().message();
  return reg.ok() ? std::move(reg).value() : nullptr;
}

// A custom schema parsed from data (no new code): an exclusion note gives AK403 10.
TEST(ValidatorTest, Ak403ExclusionFromDataOnlySchema) {
  auto reg = TestRegistry(R"(seg ZZA
  ZZA01 1 AN 1/10 O
  ZZA02 2 AN 1/10 O
  note E0102
)",
                          "ST 1 1\nZZA 1 1\nSE 1 1\n");
  ASSERT_NE(reg, nullptr);
  auto r = ValidateInput(Interchange({"ZZA*A*B~"}, "004010", "123", "ZZ"), {}, *reg);
  ASSERT_TRUE(r.ok());
  const SetResult& s = OnlySet(*r);
  ASSERT_EQ(s.segments.size(), 1u);
  ASSERT_EQ(s.segments[0].elements.size(), 1u);
  EXPECT_EQ(s.segments[0].elements[0].code, ElementErrorCode::kExclusionViolated);
  EXPECT_EQ(s.segments[0].elements[0].element, 2);
}

// A tag that occurs twice in one loop (the built-in sets have none) takes the first place from
// the current position on that has uses left; a tag that occurs once is found directly.
TEST(ValidatorTest, ATagListedTwiceInALoopTakesTheFirstPlaceWithUsesLeft) {
  auto reg = TestRegistry(R"(seg ZZA
  ZZA01 1 AN 1/10 O
seg ZZB
  ZZB01 1 AN 1/10 O
)",
                          "ST 1 1\nZZA 1 1\nZZB 0 1\nZZA 0 2\nSE 1 1\n");
  ASSERT_NE(reg, nullptr);
  auto errors = [&](const std::string& body) {
    auto r = ValidateInput(Interchange({body}, "004010", "123", "ZZ"), {}, *reg);
    EXPECT_TRUE(r.ok());
    std::vector<std::string> out;
    for (const SegmentError& e : OnlySet(*r).segments) {
      out.push_back(e.tag + "@" + std::to_string(e.position) + ":" +
                    std::to_string(static_cast<int>(e.code)));
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(errors("ZZA~ZZA~ZZA~"), V{});        // the second and third take the later place
  EXPECT_EQ(errors("ZZA~ZZB~ZZA~"), V{});
  EXPECT_EQ(errors("ZZA~ZZA~ZZA~ZZA~"), V{"ZZA@5:5"});  // both places full: AK304 5
  EXPECT_EQ(errors("ZZB~ZZA~"), V{"ZZA@2:3"});   // the first ZZA is missing before ZZB
  EXPECT_EQ(errors("ZZA~ZZB~ZZB~"), V{"ZZB@4:5"});  // once-listed ZZB used twice
  EXPECT_EQ(errors("ZZA~ZZB~ZZA~ZZB~"), V{"ZZB@5:7"});  // ZZB after its place: out of sequence
}

TEST(ValidatorTest, Ak9PartiallyAcceptedAndRejected) {
  ValidationReport r = Validate(Interchange({kBeg + kLine, kLine}));
  const GroupResult& g = r.interchanges[0].groups[0];
  EXPECT_EQ(g.code, AckCode::kPartiallyAccepted);
  EXPECT_EQ(g.received, 2u);
  EXPECT_EQ(g.accepted, 1u);
  ValidationReport r2 = Validate(Interchange({kLine, kLine}));
  EXPECT_EQ(r2.interchanges[0].groups[0].code, AckCode::kRejected);
  EXPECT_EQ(r2.interchanges[0].groups[0].accepted, 0u);
}

TEST(ValidatorTest, EnvelopeFindingsBecomeAk5AndAk9Codes) {
  ValidationReport r = Validate(Interchange({kBeg + kLine}, "004010", "850", "PO", "2"));
  const GroupResult& g = r.interchanges[0].groups[0];
  EXPECT_EQ(g.code, AckCode::kRejected);
  EXPECT_EQ(g.group_errors, std::vector<std::string>{"5"});
  EXPECT_EQ(g.included, 2u);
  EXPECT_EQ(g.received, 1u);
  // SE01 wrong: AK502 4.
  std::string x12 = Interchange({kBeg + kLine});
  x12.replace(x12.find("SE*4*"), 5, "SE*9*");
  ValidationReport r2 = Validate(x12);
  EXPECT_EQ(OnlySet(r2).set_errors, std::vector<std::string>{"4"});
  EXPECT_EQ(OnlySet(r2).code, AckCode::kRejected);
}

TEST(ValidatorTest, UnsupportedSetIsRejectedWithAk5021) {
  ValidationReport r = Validate(Interchange({"ZZA*1~"}, "004010", "940", "OW"));
  EXPECT_EQ(OnlySet(r).set_errors, std::vector<std::string>{"1"});
  ValidatorOptions o;
  o.accept_unsupported_sets = true;
  EXPECT_EQ(OnlySet(Validate(Interchange({"ZZA*1~"}, "004010", "940", "OW"), o)).code,
            AckCode::kAccepted);
}

TEST(ValidatorTest, ToleranceAcceptUnknownSegments) {
  ValidatorOptions o;
  o.accept_unknown_segments = true;
  ValidationReport r = Validate(Interchange({kBeg + "ZZZ*1~" + kLine + "IT1*1~"}), o);
  const SetResult& s = OnlySet(r);
  EXPECT_EQ(s.code, AckCode::kAccepted);
  ASSERT_EQ(s.segments.size(), 2u);  // still reported, as warnings
  EXPECT_FALSE(s.segments[0].counts());
  EXPECT_THAT(FormatReport(r, "f"), HasSubstr("warning"));
}

TEST(ValidatorTest, ToleranceIgnoreCodeLists) {
  ValidatorOptions o;
  o.ignore_code_lists_for = {"BEG02"};
  EXPECT_EQ(OnlySet(Validate(Interchange({"BEG*00*XX*PO1**20240101~" + kLine}), o)).code,
            AckCode::kAccepted);
  o.ignore_code_lists_for = {"92"};  // by element reference
  EXPECT_EQ(OnlySet(Validate(Interchange({"BEG*00*XX*PO1**20240101~" + kLine}), o)).code,
            AckCode::kAccepted);
  o.ignore_code_lists_for = {"BEG01"};  // another element: still rejected
  EXPECT_EQ(OnlySet(Validate(Interchange({"BEG*00*XX*PO1**20240101~" + kLine}), o)).code,
            AckCode::kRejected);
}

TEST(ValidatorTest, ToleranceAcceptElementErrors) {
  ValidatorOptions o;
  o.accept_element_errors = true;
  ValidationReport r = Validate(Interchange({"BEG*00*XX*PO1**20240101~" + kLine}), o);
  EXPECT_EQ(OnlySet(r).code, AckCode::kAcceptedWithErrors);
  EXPECT_EQ(r.interchanges[0].groups[0].code, AckCode::kAcceptedWithErrors);
  // Structural errors still reject.
  EXPECT_EQ(OnlySet(Validate(Interchange({kLine}), o)).code, AckCode::kRejected);
}

TEST(ValidatorTest, ToleranceIsa11LetterIn5010) {
  std::string x12 = Interchange({kBeg + kLine}, "005010");
  x12[82] = 'U';  // ISA11
  ValidationReport r = Validate(x12);
  ASSERT_EQ(r.interchanges[0].findings.size(), 1u);
  EXPECT_EQ(Ta105Code(r.interchanges[0].findings[0]), "016");
  EXPECT_FALSE(r.ok());
  ValidatorOptions o;
  o.accept_isa11_letter_in_5010 = true;
  EXPECT_TRUE(Validate(x12, o).ok());
}

TEST(ValidatorTest, VersionFallbackMakesPlacementWarnings) {
  // 004030 uses the 004010 tables; MTX (not placed there) is a warning only.
  ValidationReport r = Validate(Interchange({kBeg + "N9*ZZ*X~MTX**NOTE~" + kLine}, "004030"));
  EXPECT_TRUE(r.ok()) << FormatReport(r, "test");
  EXPECT_EQ(OnlySet(r).segments.size(), 1u);
}

TEST(ValidatorTest, JsonReportNamesCodes) {
  ValidationReport r = Validate(Interchange({"BEG*00*XX*PO1**20240101~" + kLine}));
  std::string j = FormatReportJson(r, "in.x12");
  EXPECT_THAT(j, HasSubstr("\"ak403\": 7"));
  EXPECT_THAT(j, HasSubstr("\"valid\": false"));
}

TEST(SchemaTest, BuiltinHasEveryDocumentAndVersion) {
  const SchemaRegistry& reg = SchemaRegistry::Builtin();
  for (std::string_view id : {"850", "810", "855", "856", "997"}) {
    for (std::string_view v : {"004010", "005010"}) {
      const TransactionSetSchema* s = reg.Find(id, v);
      ASSERT_NE(s, nullptr) << id << " " << v;
      EXPECT_EQ(s->root.children.front().tag, "ST");
      EXPECT_EQ(s->root.children.back().tag, "SE");
    }
  }
  EXPECT_NE(reg.Find("999", "005010X231A1"), nullptr);
  EXPECT_EQ(reg.Find("999", "004010"), nullptr);
  EXPECT_EQ(reg.Find("850", "003010"), nullptr);
  EXPECT_EQ(reg.ResolveVersion("004010VICS"), "004010");
  EXPECT_EQ(reg.ResolveVersion("004060"), "004010");
  EXPECT_EQ(reg.ResolveVersion("005010X231A1"), "005010");
  EXPECT_EQ(reg.ResolveVersion("00501"), "");
}

TEST(SchemaTest, LookupsReturnTheDataFileFacts) {
  const SchemaRegistry& reg = SchemaRegistry::Builtin();
  const TransactionSetSchema* po = reg.Find("850", "004010");
  ASSERT_NE(po, nullptr);
  EXPECT_EQ(po->functional_id, "PO");
  const SegmentDef* beg = po->dictionary->Find("BEG");
  ASSERT_NE(beg, nullptr);
  EXPECT_EQ(beg->elements[4].id, "BEG05");
  EXPECT_EQ(beg->elements[4].type, ElementType::kDate);
  EXPECT_EQ(beg->elements[4].usage, Usage::kMandatory);
  ASSERT_NE(beg->elements[1].codes, nullptr);
  EXPECT_TRUE(beg->elements[1].codes->Contains("SA"));
  EXPECT_TRUE(beg->elements[1].codes->Contains("KN"));
  const SegmentDef* tds = po->dictionary->Find("TDS");
  ASSERT_NE(tds, nullptr);
  EXPECT_EQ(tds->elements[0].type, ElementType::kNumeric);
  EXPECT_EQ(tds->elements[0].implied_decimals, 2);
  // Loops: PO1 loop with nested PID loop; 997 AK2 loop with nested AK3 loop.
  auto child = [](const StructureNode& n, std::string_view tag) -> const StructureNode* {
    for (const StructureNode& c : n.children) {
      if (c.tag == tag) return &c;
    }
    return nullptr;
  };
  const StructureNode* po1 = child(po->root, "PO1");
  ASSERT_NE(po1, nullptr);
  EXPECT_TRUE(po1->is_loop());
  EXPECT_EQ(po1->min_use, 1u);
  EXPECT_EQ(po1->max_use, 100000u);
  ASSERT_NE(child(*po1, "PID"), nullptr);
  EXPECT_TRUE(child(*po1, "PID")->is_loop());
  const TransactionSetSchema* fa = reg.Find("997", "004010");
  const StructureNode* ak2 = child(fa->root, "AK2");
  ASSERT_NE(ak2, nullptr);
  ASSERT_NE(child(*ak2, "AK3"), nullptr);
  EXPECT_EQ(child(*child(*ak2, "AK3"), "AK4")->max_use, 99u);
  // 5010 differences: IT102 1/15, AK1 gains AK103.
  EXPECT_EQ(reg.FindDictionary("004010")->Find("IT1")->elements[1].max_length, 10);
  EXPECT_EQ(reg.FindDictionary("005010")->Find("IT1")->elements[1].max_length, 15);
  EXPECT_EQ(reg.FindDictionary("005010")->Find("AK1")->elements.size(), 3u);
}

TEST(SchemaTest, ParseErrorsNameFileAndLine) {
  auto r = SchemaRegistry::Parse({{"bad", "version 004010\nseg BEG\n  BEG02 353 ID 2/2 M\n"}});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("schema bad line 3"));
  EXPECT_THAT(r.error().message(), HasSubstr("BEG01 was expected"));
  auto r2 = SchemaRegistry::Parse({{"bad", "version 004010\nseg BEG\n  BEG01 353 XX 2/2 M\n"}});
  ASSERT_FALSE(r2.ok());
  EXPECT_THAT(r2.error().message(), HasSubstr("unknown element type"));
}

// The code lists' hash tables (CodeList::Contains) answer exactly as the sorted sets: every code
// of every list used by a built-in schema is found, and near misses are not.
TEST(ValidatorTest, CodeListLookupMatchesTheSet) {
  size_t lists = 0, checked = 0;
  for (const TransactionSetSchema* set : SchemaRegistry::Builtin().sets()) {
    for (const auto& [key, seg] : set->dictionary->segments) {
      for (const ElementDef& e : seg.elements) {
        if (e.codes == nullptr) continue;
        ++lists;
        for (const std::string& code : e.codes->codes) {
          EXPECT_TRUE(e.codes->Contains(code)) << e.codes->reference << " " << code;
          for (std::string miss : {code + "Z", code.substr(1), "#" + code, std::string()}) {
            EXPECT_EQ(e.codes->Contains(miss), e.codes->codes.count(miss) != 0)
                << e.codes->reference << " '" << miss << "'";
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(lists, 10u);
  EXPECT_GT(checked, 100u);
}

}  // namespace
}  // namespace mlc::edi
