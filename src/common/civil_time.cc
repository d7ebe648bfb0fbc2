#include "common/civil_time.h"

#include <fmt/format.h>

#include "common/decimal.h"  // internal::QuoteInput

namespace mlc {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

constexpr std::string_view kMonthNames[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

Status Bad(std::string_view what, std::string_view input, std::string_view why,
           std::string_view expected) {
  return InvalidArgumentError("{} {}: {} (expected {})", what, internal::QuoteInput(input), why,
                              expected);
}

// Exactly `n` ASCII digits at s[pos...]; no sign, no spaces.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos > s.size() || s.size() - pos < n) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// "" if the date exists, else why not.
std::string DateProblem(int y, int m, int d) {
  if (y < 1 || y > 9999) return fmt::format("year {} is not 1..9999", y);
  if (m < 1 || m > 12) return fmt::format("month {} is not 1..12", m);
  if (d < 1 || d > DaysInMonth(y, m)) {
    return fmt::format("day {} does not exist in {} {}", d, kMonthNames[m - 1], y);
  }
  return "";
}

std::string TimeProblem(int h, int m, int s, int us) {
  if (h < 0 || h > 23) return fmt::format("hour {} is not 0..23", h);
  if (m < 0 || m > 59) return fmt::format("minute {} is not 0..59", m);
  if (s < 0 || s > 59) return fmt::format("second {} is not 0..59", s);
  if (us < 0 || us > 999'999) return fmt::format("microsecond {} is not 0..999999", us);
  return "";
}

// Three fixed-width digit fields at s[pos...], joined by `sep` (0: no separators), e.g.
// "YYYY-MM-DD" or "HHMMSS". "" on success, else why not, naming the field.
std::string ScanFields(std::string_view s, size_t pos, char sep, const int (&widths)[3],
                       const char* const (&names)[3], int (&out)[3]) {
  for (int i = 0; i < 3; ++i) {
    if (i > 0 && sep) {
      if (pos >= s.size() || s[pos] != sep)
        return fmt::format("no '{}' after {}", sep, names[i - 1]);
      ++pos;
    }
    auto width = static_cast<size_t>(widths[i]);
    if (!Digits(s, pos, width, &out[i])) return fmt::format("{} is not {} digits", names[i], width);
    pos += width;
  }
  return "";
}

// "YYYY<sep>MM<sep>DD" at s[pos...], validated as a calendar date.
std::string ScanYmd(std::string_view s, size_t pos, char sep, CivilDate* out) {
  int f[3];
  std::string problem = ScanFields(s, pos, sep, {4, 2, 2}, {"year", "month", "day"}, f);
  if (problem.empty()) problem = DateProblem(f[0], f[1], f[2]);
  if (problem.empty()) *out = CivilDate{f[0], f[1], f[2]};
  return problem;
}

// "HH<sep>MM<sep>SS" at s[pos...], validated as a time of day.
std::string ScanHms(std::string_view s, size_t pos, char sep, TimeOfDay* out) {
  int f[3];
  std::string problem = ScanFields(s, pos, sep, {2, 2, 2}, {"hour", "minute", "second"}, f);
  if (problem.empty()) problem = TimeProblem(f[0], f[1], f[2], 0);
  if (problem.empty()) *out = TimeOfDay{f[0], f[1], f[2], 0};
  return problem;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

std::string FormatDateTime(const CivilDateTime& t, char sep) {
  return fmt::format("{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}", t.date.year, t.date.month, t.date.day,
                     sep, t.time.hour, t.time.minute, t.time.second);
}

}  // namespace

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

Result<CivilDate> MakeCivilDate(int year, int month, int day) {
  std::string problem = DateProblem(year, month, day);
  if (!problem.empty()) {
    return InvalidArgumentError("{:04}-{:02}-{:02} is not a valid date: {}", year, month, day,
                                problem);
  }
  return CivilDate{year, month, day};
}

Result<TimeOfDay> MakeTimeOfDay(int hour, int minute, int second, int microsecond) {
  std::string problem = TimeProblem(hour, minute, second, microsecond);
  if (!problem.empty()) {
    return InvalidArgumentError("{:02}:{:02}:{:02}.{:06} is not a valid time of day: {}", hour,
                                minute, second, microsecond, problem);
  }
  return TimeOfDay{hour, minute, second, microsecond};
}

// Howard Hinnant's days_from_civil / civil_from_days
// (http://howardhinnant.github.io/date_algorithms.html).
int64_t DaysSinceEpoch(const CivilDate& date) {
  int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = date.month > 2 ? date.month - 3 : date.month + 9;
  int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilDateFromDays(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  return CivilDate{y, m, d};
}

Instant ToInstant(const CivilDateTime& local, std::chrono::minutes utc_offset) {
  const TimeOfDay& t = local.time;
  int64_t us = DaysSinceEpoch(local.date) * kMicrosPerDay +
               (t.hour * 3600LL + t.minute * 60LL + t.second) * kMicrosPerSecond + t.microsecond;
  return Instant(std::chrono::microseconds(us)) - utc_offset;
}

Instant ToInstant(const CivilDate& local_midnight, std::chrono::minutes utc_offset) {
  return ToInstant(CivilDateTime{local_midnight, TimeOfDay{}}, utc_offset);
}

CivilDateTime ToCivil(Instant t, std::chrono::minutes utc_offset) {
  int64_t us = (t + utc_offset).time_since_epoch().count();
  int64_t days = FloorDiv(us, kMicrosPerDay);
  int64_t rest = us - days * kMicrosPerDay;  // 0 <= rest < one day
  int64_t secs = rest / kMicrosPerSecond;
  CivilDateTime out;
  out.date = CivilDateFromDays(days);
  out.time = TimeOfDay{static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                       static_cast<int>(secs % 60), static_cast<int>(rest % kMicrosPerSecond)};
  return out;
}

// ---- ISO 8601 ----

Result<Instant> ParseIso8601(std::string_view s) {
  static constexpr std::string_view kExpected = "YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm|-hh:mm)";
  auto fail = [&](std::string_view why) { return Bad("ISO 8601 timestamp", s, why, kExpected); };
  CivilDateTime t;
  if (std::string problem = ScanYmd(s, 0, '-', &t.date); !problem.empty()) return fail(problem);
  if (s.size() <= 10 || (s[10] != 'T' && s[10] != 't')) return fail("no 'T' after the date");
  if (std::string problem = ScanHms(s, 11, ':', &t.time); !problem.empty()) return fail(problem);
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0, us = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (++digits > 9) return fail("more than 9 fraction digits");
      if (digits <= 6) us = us * 10 + (s[pos] - '0');  // finer digits are truncated
      ++pos;
    }
    if (digits == 0) return fail("no digits after '.'");
    for (int i = digits; i < 6; ++i) us *= 10;
    t.time.microsecond = us;
  }
  if (pos == s.size()) return fail("no time zone designator (Z or +hh:mm)");
  auto offset = ParseUtcOffset(s.substr(pos));
  if (!offset.ok()) return fail(fmt::format("bad time zone designator at offset {}", pos));
  return ToInstant(t, *offset);
}

std::string FormatIso8601(Instant t, FractionDigits fraction) {
  CivilDateTime c = ToCivil(t);
  std::string out = FormatDateTime(c, 'T');
  int us = c.time.microsecond;
  if (fraction == FractionDigits::kAuto) {
    fraction = us == 0 ? FractionDigits::kNone
                       : (us % 1000 == 0 ? FractionDigits::kMillis : FractionDigits::kMicros);
  }
  if (fraction == FractionDigits::kMillis) out += fmt::format(".{:03}", us / 1000);
  if (fraction == FractionDigits::kMicros) out += fmt::format(".{:06}", us);
  out += 'Z';
  return out;
}

Result<CivilDate> ParseIsoDate(std::string_view s) {
  CivilDate d;
  std::string problem = ScanYmd(s, 0, '-', &d);
  if (problem.empty() && s.size() != 10) problem = "unexpected text after the date";
  if (!problem.empty()) return Bad("ISO date", s, problem, "YYYY-MM-DD");
  return d;
}

std::string FormatIsoDate(const CivilDate& d) {
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

// ---- X12 ----

Result<CivilDate> ParseEdiDate8(std::string_view s) {
  CivilDate d;
  std::string problem = s.size() == 8 ? ScanYmd(s, 0, 0, &d) : "not 8 characters";
  if (!problem.empty()) return Bad("X12 date", s, problem, "CCYYMMDD");
  return d;
}

Result<CivilDate> ParseEdiDate6(std::string_view s) {
  int yy = 0;
  if (s.size() != 6 || !Digits(s, 0, 2, &yy)) {
    return Bad("X12 date", s, s.size() != 6 ? "not 6 characters" : "year is not 2 digits",
               "YYMMDD");
  }
  // Century window (X12 practice): 00..49 -> 2000..2049, 50..99 -> 1950..1999.
  std::string full = fmt::format("{}{}", yy < 50 ? "20" : "19", s);
  CivilDate d;
  std::string problem = ScanYmd(full, 0, 0, &d);
  if (!problem.empty()) return Bad("X12 date", s, problem, "YYMMDD");
  return d;
}

Result<CivilDate> ParseEdiDate(std::string_view s) {
  if (s.size() == 6) return ParseEdiDate6(s);
  if (s.size() == 8) return ParseEdiDate8(s);
  return Bad("X12 date", s, "not 6 or 8 characters", "CCYYMMDD or YYMMDD");
}

std::string FormatEdiDate8(const CivilDate& d) {
  return fmt::format("{:04}{:02}{:02}", d.year, d.month, d.day);
}

Result<std::string> FormatEdiDate6(const CivilDate& d) {
  if (d.year < 1950 || d.year > 2049) {
    return InvalidArgumentError("date {} cannot be written as YYMMDD (years 1950..2049 only)",
                                FormatIsoDate(d));
  }
  return fmt::format("{:02}{:02}{:02}", d.year % 100, d.month, d.day);
}

Result<TimeOfDay> ParseEdiTime(std::string_view s) {
  static constexpr std::string_view kExpected = "HHMM, HHMMSS, HHMMSSD or HHMMSSDD";
  size_t n = s.size();
  if (n != 4 && n != 6 && n != 7 && n != 8) {
    return Bad("X12 time", s, "not 4, 6, 7 or 8 characters", kExpected);
  }
  int h, m, sec = 0, frac = 0;
  bool ok = Digits(s, 0, 2, &h) && Digits(s, 2, 2, &m) && (n < 6 || Digits(s, 4, 2, &sec)) &&
            (n < 7 || Digits(s, 6, n - 6, &frac));
  if (!ok) return Bad("X12 time", s, "not all digits", kExpected);
  int us = n == 7 ? frac * 100'000 : (n == 8 ? frac * 10'000 : 0);
  std::string problem = TimeProblem(h, m, sec, us);
  if (!problem.empty()) return Bad("X12 time", s, problem, kExpected);
  return TimeOfDay{h, m, sec, us};
}

std::string FormatEdiTime(const TimeOfDay& t, int digits) {
  std::string out = fmt::format("{:02}{:02}", t.hour, t.minute);
  if (digits == 4) return out;
  out += fmt::format("{:02}", t.second);
  if (digits == 7) out += fmt::format("{:01}", t.microsecond / 100'000);
  if (digits == 8) out += fmt::format("{:02}", t.microsecond / 10'000);
  return out;
}

// ---- NetSuite SuiteQL ----

Result<CivilDate> ParseSuiteQlDate(std::string_view s) {
  static constexpr std::string_view kExpected = "M/D/YYYY";
  auto fail = [&](std::string_view why) { return Bad("SuiteQL date", s, why, kExpected); };
  size_t pos = 0;
  int parts[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    size_t start = pos;
    while (pos < s.size() && pos - start < 2 && s[pos] >= '0' && s[pos] <= '9') {
      parts[i] = parts[i] * 10 + (s[pos++] - '0');
    }
    if (pos == start)
      return fail(i == 0 ? "month is not 1 or 2 digits" : "day is not 1 or 2 digits");
    if (pos >= s.size() || s[pos] != '/')
      return fail(i == 0 ? "no '/' after month" : "no '/' after day");
    ++pos;
  }
  int year;
  if (s.size() - pos != 4 || !Digits(s, pos, 4, &year)) return fail("year is not 4 digits");
  std::string problem = DateProblem(year, parts[0], parts[1]);
  if (!problem.empty()) return fail(problem);
  return CivilDate{year, parts[0], parts[1]};
}

std::string FormatSuiteQlDate(const CivilDate& d) {
  return fmt::format("{}/{}/{:04}", d.month, d.day, d.year);
}

Result<CivilDateTime> ParseSuiteQlDateTime(std::string_view s) {
  static constexpr std::string_view kExpected = "YYYY-MM-DD HH24:MI:SS";
  CivilDateTime t;
  std::string problem = ScanYmd(s, 0, '-', &t.date);
  if (problem.empty() && (s.size() <= 10 || s[10] != ' ')) problem = "no ' ' after the date";
  if (problem.empty()) problem = ScanHms(s, 11, ':', &t.time);
  if (problem.empty() && s.size() != 19) problem = "unexpected text after the time";
  if (!problem.empty()) return Bad("SuiteQL date-time", s, problem, kExpected);
  return t;
}

std::string FormatSuiteQlDateTime(const CivilDateTime& t) { return FormatDateTime(t, ' '); }

std::string SuiteQlToDate(const CivilDateTime& local) {
  return fmt::format("TO_DATE('{}','YYYY-MM-DD HH24:MI:SS')", FormatSuiteQlDateTime(local));
}

std::string SuiteQlToTimestamp(const CivilDateTime& local) {
  return fmt::format("TO_TIMESTAMP('{}','YYYY-MM-DD HH24:MI:SS')", FormatSuiteQlDateTime(local));
}

Result<std::chrono::minutes> ParseUtcOffset(std::string_view s) {
  static constexpr std::string_view kExpected = "Z, +hh:mm, -hh:mm, +hhmm or +hh";
  auto fail = [&](std::string_view why) { return Bad("UTC offset", s, why, kExpected); };
  if (s == "Z" || s == "z") return std::chrono::minutes(0);
  if (s.empty()) return fail("empty");
  if (s[0] != '+' && s[0] != '-') return fail("no sign");
  int h = 0, m = 0;
  bool ok = Digits(s, 1, 2, &h) && (s.size() == 3 || (s.size() == 5 && Digits(s, 3, 2, &m)) ||
                                    (s.size() == 6 && s[3] == ':' && Digits(s, 4, 2, &m)));
  if (!ok) return fail("malformed");
  if (h > 23 || m > 59) return fail("hours above 23 or minutes above 59");
  std::chrono::minutes offset(h * 60 + m);
  return s[0] == '-' ? -offset : offset;
}

std::ostream& operator<<(std::ostream& os, const CivilDate& d) { return os << FormatIsoDate(d); }

std::ostream& operator<<(std::ostream& os, const TimeOfDay& t) {
  return os << fmt::format("{:02}:{:02}:{:02}.{:06}", t.hour, t.minute, t.second, t.microsecond);
}

std::ostream& operator<<(std::ostream& os, const CivilDateTime& t) {
  return os << t.date << ' ' << t.time;
}

}  // namespace mlc
