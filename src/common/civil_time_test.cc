#include "common/civil_time.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace mlc {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;

Instant At(int64_t unix_seconds, int64_t micros = 0) {
  return Instant(microseconds(unix_seconds * 1'000'000 + micros));
}

// Asserts an InvalidArgument error whose message names the input and contains `why`.
template <typename T>
void ExpectBad(const Result<T>& r, std::string_view input, std::string_view why) {
  ASSERT_FALSE(r.ok()) << "accepted '" << input << "'";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << input;
  EXPECT_NE(r.status().message().find(std::string(input)), std::string::npos)
      << "error does not name the input: " << r.status();
  EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("expected"), std::string::npos) << r.status();
}

TEST(CivilDateTest, LeapYearsAndMonthLengths) {
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_FALSE(IsLeapYear(2026));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2026, 2), 28);
  EXPECT_EQ(DaysInMonth(2100, 2), 28);
  EXPECT_EQ(DaysInMonth(2026, 4), 30);
  EXPECT_EQ(DaysInMonth(2026, 12), 31);
  EXPECT_EQ(DaysInMonth(2026, 13), 0);
  EXPECT_TRUE(MakeCivilDate(2024, 2, 29).ok());
  EXPECT_FALSE(MakeCivilDate(2026, 2, 29).ok());
  EXPECT_FALSE(MakeCivilDate(2026, 2, 30).ok());
  EXPECT_FALSE(MakeCivilDate(2026, 13, 1).ok());
  EXPECT_FALSE(MakeCivilDate(2026, 0, 1).ok());
  EXPECT_FALSE(MakeCivilDate(0, 1, 1).ok());
  EXPECT_NE(MakeCivilDate(2026, 2, 30).status().message().find("day 30 does not exist in February"),
            std::string::npos);
  EXPECT_TRUE(MakeTimeOfDay(23, 59, 59, 999999).ok());
  EXPECT_FALSE(MakeTimeOfDay(24, 0, 0).ok());
  EXPECT_FALSE(MakeTimeOfDay(12, 60, 0).ok());
  EXPECT_FALSE(MakeTimeOfDay(12, 0, 60).ok());  // no leap seconds
  EXPECT_FALSE(MakeTimeOfDay(12, 0, 0, 1'000'000).ok());
}

TEST(CivilDateTest, DaysSinceEpochKnownValuesAndRoundTrip) {
  EXPECT_EQ(DaysSinceEpoch({1970, 1, 1}), 0);
  EXPECT_EQ(DaysSinceEpoch({1969, 12, 31}), -1);
  EXPECT_EQ(DaysSinceEpoch({2000, 3, 1}), 11017);
  EXPECT_EQ(DaysSinceEpoch({2026, 1, 2}), 20455);
  // Every day from year 1 to 9999 maps back to itself and days are consecutive.
  int64_t first = DaysSinceEpoch({1, 1, 1});
  int64_t last = DaysSinceEpoch({9999, 12, 31});
  CivilDate prev = CivilDateFromDays(first - 1);
  for (int64_t d = first; d <= last; ++d) {
    CivilDate c = CivilDateFromDays(d);
    ASSERT_TRUE(c.day >= 1 && c.day <= DaysInMonth(c.year, c.month)) << d;
    ASSERT_EQ(DaysSinceEpoch(c), d);
    ASSERT_LT(prev, c);
    prev = c;
  }
  EXPECT_EQ(CivilDateFromDays(last), (CivilDate{9999, 12, 31}));
}

TEST(CivilTimeTest, InstantConversionsWithOffsets) {
  // FakeClock's default start, 2026-01-02T03:04:05Z.
  Instant t = At(1767323045);
  CivilDateTime utc = ToCivil(t);
  EXPECT_EQ(utc.date, (CivilDate{2026, 1, 2}));
  EXPECT_EQ(utc.time, (TimeOfDay{3, 4, 5, 0}));
  EXPECT_EQ(ToInstant(utc), t);
  // The same instant in Chicago winter time (UTC-6) is the previous day.
  CivilDateTime chicago = ToCivil(t, -hours(6));
  EXPECT_EQ(chicago.date, (CivilDate{2026, 1, 1}));
  EXPECT_EQ(chicago.time.hour, 21);
  EXPECT_EQ(ToInstant(chicago, -hours(6)), t);
  // India, +05:30.
  CivilDateTime india = ToCivil(t, hours(5) + minutes(30));
  EXPECT_EQ(india.time, (TimeOfDay{8, 34, 5, 0}));
  EXPECT_EQ(ToInstant(india, minutes(330)), t);
  // Before 1970, with microseconds.
  Instant old = At(-1, 250000);  // 1969-12-31T23:59:59.25Z
  EXPECT_EQ(ToCivil(old).date, (CivilDate{1969, 12, 31}));
  EXPECT_EQ(ToCivil(old).time, (TimeOfDay{23, 59, 59, 250000}));
  EXPECT_EQ(ToInstant(CivilDate{2026, 1, 9}), At(1767916800));
}

TEST(Iso8601Test, ParsesNetSuiteAndRfc3339Forms) {
  struct Case {
    const char* in;
    Instant want;
  };
  const Case cases[] = {
      {"2026-01-02T03:04:05Z", At(1767323045)},
      {"2026-01-09T17:00:00Z", At(1767978000)},
      {"2026-01-09T17:00:00.000Z", At(1767978000)},
      {"2026-01-09T17:00:00.5Z", At(1767978000, 500000)},
      {"2026-01-09T17:00:00.123456Z", At(1767978000, 123456)},
      {"2026-01-09T17:00:00.123456789Z", At(1767978000, 123456)},  // truncated to micros
      {"2026-01-09T12:00:00-05:00", At(1767978000)},
      {"2026-01-09T22:30:00+05:30", At(1767978000)},
      {"2026-01-10T02:00:00+0900", At(1767978000)},
      {"2026-01-09T17:00:00+00:00", At(1767978000)},
      {"2026-01-09t17:00:00z", At(1767978000)},
      {"2024-02-29T00:00:00Z", At(1709164800)},
      {"1969-12-31T23:59:59Z", At(-1)},
  };
  for (const auto& c : cases) {
    auto r = ParseIso8601(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status();
    EXPECT_EQ(*r, c.want) << c.in << " -> " << FormatIso8601(*r);
  }
}

TEST(Iso8601Test, RejectsMalformed) {
  ExpectBad(ParseIso8601(""), "", "year is not 4 digits");
  ExpectBad(ParseIso8601("2026-02-30T00:00:00Z"), "2026-02-30T00:00:00Z", "day 30 does not exist");
  ExpectBad(ParseIso8601("2026-13-01T00:00:00Z"), "2026-13-01T00:00:00Z", "month 13");
  ExpectBad(ParseIso8601("2026-01-01T25:00:00Z"), "2026-01-01T25:00:00Z", "hour 25");
  ExpectBad(ParseIso8601("2026-01-01T23:60:00Z"), "2026-01-01T23:60:00Z", "minute 60");
  ExpectBad(ParseIso8601("2026-01-01T23:59:60Z"), "2026-01-01T23:59:60Z", "second 60");
  ExpectBad(ParseIso8601("2026-01-01T00:00:00"), "2026-01-01T00:00:00", "no time zone");
  ExpectBad(ParseIso8601("2026-01-01T00:00:00Zjunk"), "2026-01-01T00:00:00Zjunk", "time zone");
  ExpectBad(ParseIso8601("2026-01-01T00:00:00Z "), "2026-01-01T00:00:00Z ", "time zone");
  ExpectBad(ParseIso8601(" 2026-01-01T00:00:00Z"), " 2026-01-01T00:00:00Z", "year");
  ExpectBad(ParseIso8601("2026-01-01 00:00:00Z"), "2026-01-01 00:00:00Z", "no 'T'");
  ExpectBad(ParseIso8601("2026-01-01"), "2026-01-01", "no 'T'");
  ExpectBad(ParseIso8601("2026-1-01T00:00:00Z"), "2026-1-01T00:00:00Z", "month is not 2 digits");
  ExpectBad(ParseIso8601("2026-01-01T00:00:00.Z"), "2026-01-01T00:00:00.Z", "no digits");
  ExpectBad(ParseIso8601("2026-01-01T00:00:00.1234567890Z"), "2026-01-01T00:00:00.1234567890Z",
            "more than 9");
  ExpectBad(ParseIso8601("2026-01-01T00:00:00+24:00"), "2026-01-01T00:00:00+24:00", "time zone");
  ExpectBad(ParseIso8601("2026-01-01T00:00:00+05:3"), "2026-01-01T00:00:00+05:3", "time zone");
  ExpectBad(ParseIso8601("2026-01-01T00:00Z"), "2026-01-01T00:00Z", "no ':' after minute");
  ExpectBad(ParseIso8601("0000-01-01T00:00:00Z"), "0000-01-01T00:00:00Z", "year 0");
  ExpectBad(ParseIso8601("+2026-01-01T00:00:00Z"), "+2026-01-01T00:00:00Z", "year");
}

TEST(Iso8601Test, Formats) {
  EXPECT_EQ(FormatIso8601(At(1767323045)), "2026-01-02T03:04:05Z");
  EXPECT_EQ(FormatIso8601(At(1767323045), FractionDigits::kMillis), "2026-01-02T03:04:05.000Z");
  EXPECT_EQ(FormatIso8601(At(1767323045, 120000)), "2026-01-02T03:04:05.120Z");
  EXPECT_EQ(FormatIso8601(At(1767323045, 7)), "2026-01-02T03:04:05.000007Z");
  EXPECT_EQ(FormatIso8601(At(1767323045, 7), FractionDigits::kNone), "2026-01-02T03:04:05Z");
  EXPECT_EQ(FormatIso8601(At(1767323045, 120000), FractionDigits::kMicros),
            "2026-01-02T03:04:05.120000Z");
  EXPECT_EQ(FormatIso8601(At(-1)), "1969-12-31T23:59:59Z");
}

TEST(IsoDateTest, ParseAndFormat) {
  EXPECT_EQ(*ParseIsoDate("2026-01-09"), (CivilDate{2026, 1, 9}));
  EXPECT_EQ(FormatIsoDate({2026, 1, 9}), "2026-01-09");
  EXPECT_EQ(FormatIsoDate({1, 2, 3}), "0001-02-03");
  ExpectBad(ParseIsoDate("2026-02-29"), "2026-02-29", "day 29 does not exist in February 2026");
  ExpectBad(ParseIsoDate("2026-01-09T00:00:00Z"), "2026-01-09T00:00:00Z", "unexpected text");
  ExpectBad(ParseIsoDate("2026/01/09"), "2026/01/09", "no '-' after year");
  ExpectBad(ParseIsoDate("20260109"), "20260109", "no '-'");
  ExpectBad(ParseIsoDate(""), "", "year");
}

TEST(EdiDateTimeTest, Dates) {
  EXPECT_EQ(*ParseEdiDate8("20260109"), (CivilDate{2026, 1, 9}));
  EXPECT_EQ(*ParseEdiDate("20240229"), (CivilDate{2024, 2, 29}));
  EXPECT_EQ(*ParseEdiDate6("260109"), (CivilDate{2026, 1, 9}));
  EXPECT_EQ(*ParseEdiDate6("491231"), (CivilDate{2049, 12, 31}));  // century window edges
  EXPECT_EQ(*ParseEdiDate6("500101"), (CivilDate{1950, 1, 1}));
  EXPECT_EQ(*ParseEdiDate6("991231"), (CivilDate{1999, 12, 31}));
  EXPECT_EQ(*ParseEdiDate6("000229"), (CivilDate{2000, 2, 29}));
  EXPECT_EQ(*ParseEdiDate("260109"), (CivilDate{2026, 1, 9}));
  EXPECT_EQ(FormatEdiDate8({2026, 1, 9}), "20260109");
  EXPECT_EQ(*FormatEdiDate6({2026, 1, 9}), "260109");
  EXPECT_EQ(*FormatEdiDate6({1999, 12, 31}), "991231");
  EXPECT_FALSE(FormatEdiDate6({2050, 1, 1}).ok());
  EXPECT_FALSE(FormatEdiDate6({1949, 12, 31}).ok());
  ExpectBad(ParseEdiDate8("20260230"), "20260230", "day 30 does not exist");
  ExpectBad(ParseEdiDate8("20261301"), "20261301", "month 13");
  ExpectBad(ParseEdiDate8("2026010"), "2026010", "not 8 characters");
  ExpectBad(ParseEdiDate8("202601091"), "202601091", "not 8 characters");
  ExpectBad(ParseEdiDate8("2026-1-9"), "2026-1-9", "month is not 2 digits");
  ExpectBad(ParseEdiDate8(""), "", "not 8");
  ExpectBad(ParseEdiDate6("250229"), "250229", "day 29");
  ExpectBad(ParseEdiDate6("2601 9"), "2601 9", "day is not 2 digits");
  ExpectBad(ParseEdiDate6("+60109"), "+60109", "year is not 2 digits");
  ExpectBad(ParseEdiDate("2026019"), "2026019", "not 6 or 8");
}

TEST(EdiDateTimeTest, Times) {
  EXPECT_EQ(*ParseEdiTime("1704"), (TimeOfDay{17, 4, 0, 0}));
  EXPECT_EQ(*ParseEdiTime("170405"), (TimeOfDay{17, 4, 5, 0}));
  EXPECT_EQ(*ParseEdiTime("1704053"), (TimeOfDay{17, 4, 5, 300000}));
  EXPECT_EQ(*ParseEdiTime("17040537"), (TimeOfDay{17, 4, 5, 370000}));
  EXPECT_EQ(*ParseEdiTime("0000"), (TimeOfDay{}));
  EXPECT_EQ(*ParseEdiTime("2359"), (TimeOfDay{23, 59, 0, 0}));
  TimeOfDay t{9, 8, 7, 654321};
  EXPECT_EQ(FormatEdiTime(t, 4), "0908");
  EXPECT_EQ(FormatEdiTime(t, 6), "090807");
  EXPECT_EQ(FormatEdiTime(t, 7), "0908076");
  EXPECT_EQ(FormatEdiTime(t, 8), "09080765");
  ExpectBad(ParseEdiTime("2500"), "2500", "hour 25");
  ExpectBad(ParseEdiTime("2400"), "2400", "hour 24");
  ExpectBad(ParseEdiTime("1260"), "1260", "minute 60");
  ExpectBad(ParseEdiTime("123460"), "123460", "second 60");
  ExpectBad(ParseEdiTime("12345"), "12345", "not 4, 6, 7 or 8");
  ExpectBad(ParseEdiTime("123456789"), "123456789", "not 4, 6, 7 or 8");
  ExpectBad(ParseEdiTime("12:3"), "12:3", "not all digits");
  ExpectBad(ParseEdiTime(""), "", "not 4");
  ExpectBad(ParseEdiTime("1234-5"), "1234-5", "not all digits");
}

TEST(SuiteQlTest, Dates) {
  EXPECT_EQ(*ParseSuiteQlDate("1/9/2026"), (CivilDate{2026, 1, 9}));
  EXPECT_EQ(*ParseSuiteQlDate("12/31/2025"), (CivilDate{2025, 12, 31}));
  EXPECT_EQ(*ParseSuiteQlDate("01/09/2026"), (CivilDate{2026, 1, 9}));
  EXPECT_EQ(*ParseSuiteQlDate("8/5/2025"), (CivilDate{2025, 8, 5}));  // netsuite.md 2.2 sample
  EXPECT_EQ(FormatSuiteQlDate({2026, 1, 9}), "1/9/2026");
  EXPECT_EQ(FormatSuiteQlDate({2025, 12, 31}), "12/31/2025");
  ExpectBad(ParseSuiteQlDate("2/30/2026"), "2/30/2026", "day 30 does not exist");
  ExpectBad(ParseSuiteQlDate("13/1/2026"), "13/1/2026", "month 13");
  ExpectBad(ParseSuiteQlDate("1/9/26"), "1/9/26", "year is not 4 digits");
  ExpectBad(ParseSuiteQlDate("1/9/2026 "), "1/9/2026 ", "year is not 4 digits");
  ExpectBad(ParseSuiteQlDate("2026-01-09"), "2026-01-09", "no '/' after month");
  ExpectBad(ParseSuiteQlDate("09.01.26"), "09.01.26", "no '/' after month");  // dd.mm.yy pref
  ExpectBad(ParseSuiteQlDate("/9/2026"), "/9/2026", "month is not 1 or 2 digits");
  ExpectBad(ParseSuiteQlDate("1//2026"), "1//2026", "day is not 1 or 2 digits");
  ExpectBad(ParseSuiteQlDate(""), "", "month");
}

TEST(SuiteQlTest, DateTimesOffsetsAndLiterals) {
  auto t = ParseSuiteQlDateTime("2026-01-09 11:00:00");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, (CivilDateTime{{2026, 1, 9}, {11, 0, 0, 0}}));
  EXPECT_EQ(FormatSuiteQlDateTime(*t), "2026-01-09 11:00:00");
  // The integration user is in America/Chicago (winter, -06:00): 11:00 local is 17:00Z.
  auto offset = ParseUtcOffset("-06:00");
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(FormatIso8601(ToInstant(*t, *offset)), "2026-01-09T17:00:00Z");
  // And back: a UTC watermark written as a literal in the user's zone.
  CivilDateTime local = ToCivil(*ParseIso8601("2026-01-09T17:00:00Z"), *offset);
  EXPECT_EQ(SuiteQlToDate(local), "TO_DATE('2026-01-09 11:00:00','YYYY-MM-DD HH24:MI:SS')");
  EXPECT_EQ(SuiteQlToTimestamp(local),
            "TO_TIMESTAMP('2026-01-09 11:00:00','YYYY-MM-DD HH24:MI:SS')");
  ExpectBad(ParseSuiteQlDateTime("2026-01-09T11:00:00"), "2026-01-09T11:00:00", "no ' '");
  ExpectBad(ParseSuiteQlDateTime("2026-01-09 11:00"), "2026-01-09 11:00", "no ':' after minute");
  ExpectBad(ParseSuiteQlDateTime("2026-01-09 11:00:00.0"), "2026-01-09 11:00:00.0",
            "unexpected text");
  ExpectBad(ParseSuiteQlDateTime("2026-01-09 24:00:00"), "2026-01-09 24:00:00", "hour 24");
  ExpectBad(ParseSuiteQlDateTime("1/9/2026"), "1/9/2026", "year");
}

TEST(UtcOffsetTest, Forms) {
  EXPECT_EQ(*ParseUtcOffset("Z"), minutes(0));
  EXPECT_EQ(*ParseUtcOffset("+00:00"), minutes(0));
  EXPECT_EQ(*ParseUtcOffset("-00:00"), minutes(0));
  EXPECT_EQ(*ParseUtcOffset("+05:30"), minutes(330));
  EXPECT_EQ(*ParseUtcOffset("-0800"), minutes(-480));
  EXPECT_EQ(*ParseUtcOffset("+14"), minutes(840));
  for (const char* bad : {"", "05:30", "+5:30", "+05:3", "+05:60", "+24:00", "+05-30",
                          "America/Chicago", "UTC", "+05:30 ", "Zulu"}) {
    ExpectBad(ParseUtcOffset(bad), bad, "");
  }
}

// Random instants in 0001..9999: format -> parse is the identity, at every offset.
TEST(CivilTimePropertyTest, RoundTrips) {
  std::mt19937_64 rng(20260109);
  const int64_t lo = DaysSinceEpoch({1, 1, 2}) * 86'400'000'000LL;
  const int64_t hi = DaysSinceEpoch({9999, 12, 30}) * 86'400'000'000LL;
  for (int i = 0; i < 20000; ++i) {
    auto us = static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo)) + lo;
    if (i % 3 == 0) us -= us % 1'000'000;  // whole seconds too
    Instant t{microseconds(us)};
    for (FractionDigits f : {FractionDigits::kAuto, FractionDigits::kMicros}) {
      auto back = ParseIso8601(FormatIso8601(t, f));
      ASSERT_TRUE(back.ok()) << back.status();
      ASSERT_EQ(*back, t) << FormatIso8601(t, f);
    }
    minutes offset(static_cast<int>(rng() % (2 * 14 * 60 + 1)) - 14 * 60);
    CivilDateTime local = ToCivil(t, offset);
    ASSERT_EQ(ToInstant(local, offset), t);
    ASSERT_EQ(*ParseIsoDate(FormatIsoDate(local.date)), local.date);
    ASSERT_EQ(*ParseEdiDate8(FormatEdiDate8(local.date)), local.date);
    ASSERT_EQ(*ParseSuiteQlDate(FormatSuiteQlDate(local.date)), local.date);
    CivilDateTime whole = local;
    whole.time.microsecond = 0;
    ASSERT_EQ(*ParseSuiteQlDateTime(FormatSuiteQlDateTime(local)), whole);
    TimeOfDay hundredths = local.time;
    hundredths.microsecond -= hundredths.microsecond % 10'000;
    ASSERT_EQ(*ParseEdiTime(FormatEdiTime(local.time, 8)), hundredths);
    auto six = FormatEdiDate6(local.date);
    ASSERT_EQ(six.ok(), local.date.year >= 1950 && local.date.year <= 2049);
    if (six.ok()) {
      ASSERT_EQ(*ParseEdiDate6(*six), local.date);
    }
  }
}

}  // namespace
}  // namespace mlc
