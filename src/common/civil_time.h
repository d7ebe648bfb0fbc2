// Civil dates and times of day, and the text forms ml-connector meets: ISO 8601 / RFC 3339,
// X12 DT and TM, and NetSuite's SuiteQL and Record API forms.
//
// An instant in time is an mlc::Instant (clock.h: UTC, microseconds). A CivilDate (year, month,
// day, proleptic Gregorian, years 1..9999) and a TimeOfDay (hour, minute, second, microsecond)
// name a wall-clock reading that means nothing until a UTC offset is applied; ToInstant() and
// ToCivil() convert with a fixed offset. Time zones with rules (DST) are not modelled: NetSuite's
// SuiteQL returns date-times in the integration user's time zone (reference netsuite.md 3.6), so
// the caller supplies that zone's offset, or better, feeds the watermark back exactly as SuiteQL
// returned it. Leap seconds (ss = 60) are rejected.
//
// Every parser is strict (exact digit counts, no surrounding whitespace) and returns an
// InvalidArgument error naming the input and the expected format.
//
// Thread safety: pure functions and value types.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace mlc {

struct CivilDate {
  int year = 1970;  // 1..9999
  int month = 1;    // 1..12
  int day = 1;      // 1..DaysInMonth(year, month)

  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

struct TimeOfDay {
  int hour = 0;         // 0..23
  int minute = 0;       // 0..59
  int second = 0;       // 0..59
  int microsecond = 0;  // 0..999999

  friend auto operator<=>(const TimeOfDay&, const TimeOfDay&) = default;
};

struct CivilDateTime {
  CivilDate date;
  TimeOfDay time;

  friend auto operator<=>(const CivilDateTime&, const CivilDateTime&) = default;
};

bool IsLeapYear(int year);
// Days in `month` of `year`; 0 if month is not 1..12.
int DaysInMonth(int year, int month);

// Validating constructors. Errors: InvalidArgument ("2026-02-30 is not a valid date").
Result<CivilDate> MakeCivilDate(int year, int month, int day);
Result<TimeOfDay> MakeTimeOfDay(int hour, int minute, int second, int microsecond = 0);

// Days since 1970-01-01 (negative before), and back. Exact for every valid CivilDate.
int64_t DaysSinceEpoch(const CivilDate& date);
CivilDate CivilDateFromDays(int64_t days);

// A wall-clock reading at a fixed UTC offset -> the instant (UTC = local - offset). With the
// default offset the reading is UTC.
Instant ToInstant(const CivilDateTime& local, std::chrono::minutes utc_offset = {});
Instant ToInstant(const CivilDate& local_midnight, std::chrono::minutes utc_offset = {});
// The wall-clock reading of `t` at a fixed UTC offset. Precondition: the result lies in years
// 1..9999 (instants from our parsers and clocks do).
CivilDateTime ToCivil(Instant t, std::chrono::minutes utc_offset = {});

// ---- ISO 8601 / RFC 3339 (NetSuite Record API, our own logs and JSON) ----

// "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+hh:mm|-hh:mm)", e.g. "2026-01-09T17:00:00Z",
// "2026-01-09T17:00:00.000Z", "2026-01-09T12:00:00-05:00" (converted to UTC). 't' and 'z' are
// accepted (RFC 3339 5.6). Fraction digits beyond microseconds are truncated. A zone designator
// is required: a reading without one is ambiguous, and we refuse to guess.
Result<Instant> ParseIso8601(std::string_view s);

enum class FractionDigits : uint8_t {
  kAuto,    // none if whole seconds, 3 if whole milliseconds, else 6
  kNone,    // truncate to seconds
  kMillis,  // always ".mmm" (NetSuite Record API style "2026-01-09T17:00:00.000Z")
  kMicros,  // always ".uuuuuu"
};
// "2026-01-09T17:00:00Z" (always UTC, always 'Z').
std::string FormatIso8601(Instant t, FractionDigits fraction = FractionDigits::kAuto);

// "YYYY-MM-DD" (NetSuite Record API dates such as tranDate "2026-01-09").
Result<CivilDate> ParseIsoDate(std::string_view s);
std::string FormatIsoDate(const CivilDate& d);

// ---- X12 (reference x12.md: DT is CCYYMMDD except ISA09 YYMMDD; TM is HHMM[SS[D[D]]]) ----

// CCYYMMDD (8 digits), e.g. BEG05 "20260109".
Result<CivilDate> ParseEdiDate8(std::string_view s);
// YYMMDD (6 digits), e.g. ISA09. Century window, as X12 practice: YY 00..49 -> 20YY,
// 50..99 -> 19YY.
Result<CivilDate> ParseEdiDate6(std::string_view s);
// Either form, chosen by length (6 or 8).
Result<CivilDate> ParseEdiDate(std::string_view s);
std::string FormatEdiDate8(const CivilDate& d);
// Errors: InvalidArgument if the year is outside 1950..2049 (YYMMDD could not say it).
Result<std::string> FormatEdiDate6(const CivilDate& d);

// HHMM, HHMMSS, HHMMSSD (tenths) or HHMMSSDD (hundredths): 4, 6, 7 or 8 digits.
Result<TimeOfDay> ParseEdiTime(std::string_view s);
// `digits` is 4, 6, 7 or 8 (other values are treated as 6); finer parts are truncated.
std::string FormatEdiTime(const TimeOfDay& t, int digits);

// ---- NetSuite SuiteQL (reference netsuite.md 2.2 and 3.6) ----

// The default date preference in SuiteQL results: "M/D/YYYY", e.g. "1/9/2026" (leading zeros
// are accepted: "01/09/2026"). Other user date-format preferences are not supported.
Result<CivilDate> ParseSuiteQlDate(std::string_view s);
std::string FormatSuiteQlDate(const CivilDate& d);  // "1/9/2026"

// "YYYY-MM-DD HH24:MI:SS", what TO_CHAR(col,'YYYY-MM-DD HH24:MI:SS') returns: a wall-clock
// reading in the integration user's time zone (use ToInstant with that zone's offset).
Result<CivilDateTime> ParseSuiteQlDateTime(std::string_view s);
std::string FormatSuiteQlDateTime(const CivilDateTime& t);  // "2026-01-09 17:00:00"

// SuiteQL has no date literals; these build the documented replacements (netsuite.md 2.4):
//   TO_DATE('2026-01-09 17:00:00','YYYY-MM-DD HH24:MI:SS')
//   TO_TIMESTAMP('2026-01-09 17:00:00','YYYY-MM-DD HH24:MI:SS')
// Seconds precision (fractions are dropped). Do not mix the two in one comparison.
std::string SuiteQlToDate(const CivilDateTime& local);
std::string SuiteQlToTimestamp(const CivilDateTime& local);

// A fixed UTC offset: "Z", "+hh:mm", "-hh:mm", "+hhmm", "+hh" (e.g. SESSIONTIMEZONE when the
// user's zone is an offset). Named zones such as "America/Chicago" are rejected.
Result<std::chrono::minutes> ParseUtcOffset(std::string_view s);

std::ostream& operator<<(std::ostream& os, const CivilDate& d);      // ISO date
std::ostream& operator<<(std::ostream& os, const TimeOfDay& t);      // "17:00:00.000000"
std::ostream& operator<<(std::ostream& os, const CivilDateTime& t);  // "2026-01-09 17:00:00.000000"

}  // namespace mlc
