// Fuzzes the civil time parsers (civil_time.h) with arbitrary bytes. Every parser is strict, so
// an accepted input must format back to exactly the same text (or, where leading zeros or zone
// offsets are optional, to text that parses to the same value).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/civil_time.h"

namespace {

#define FUZZ_CHECK(cond)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "invariant failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                              \
    }                                                                            \
  } while (false)

bool ValidDate(const mlc::CivilDate& d) {
  return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
         d.day <= mlc::DaysInMonth(d.year, d.month);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlc;  // NOLINT(google-build-using-namespace): fuzz harness
  std::string_view in(reinterpret_cast<const char*>(data), size);

  if (auto t = ParseIso8601(in); t.ok()) {
    for (auto f : {FractionDigits::kAuto, FractionDigits::kMicros}) {
      auto back = ParseIso8601(FormatIso8601(*t, f));
      FUZZ_CHECK(back.ok() && *back == *t);
    }
    FUZZ_CHECK(ToInstant(ToCivil(*t)) == *t);
  }
  if (auto d = ParseIsoDate(in); d.ok()) {
    FUZZ_CHECK(ValidDate(*d) && FormatIsoDate(*d) == in);
    FUZZ_CHECK(CivilDateFromDays(DaysSinceEpoch(*d)) == *d);
  }
  if (auto d = ParseEdiDate8(in); d.ok()) FUZZ_CHECK(ValidDate(*d) && FormatEdiDate8(*d) == in);
  if (auto d = ParseEdiDate6(in); d.ok()) {
    auto six = FormatEdiDate6(*d);
    FUZZ_CHECK(ValidDate(*d) && six.ok() && *six == in);
  }
  if (auto d = ParseEdiDate(in); d.ok()) FUZZ_CHECK(in.size() == 6 || in.size() == 8);
  if (auto t = ParseEdiTime(in); t.ok()) {
    FUZZ_CHECK(FormatEdiTime(*t, static_cast<int>(in.size())) == in);
  }
  if (auto d = ParseSuiteQlDate(in); d.ok()) {
    auto back = ParseSuiteQlDate(FormatSuiteQlDate(*d));
    FUZZ_CHECK(ValidDate(*d) && back.ok() && *back == *d);
  }
  if (auto t = ParseSuiteQlDateTime(in); t.ok()) {
    FUZZ_CHECK(FormatSuiteQlDateTime(*t) == in);
    FUZZ_CHECK(ToCivil(ToInstant(*t)) == *t);
  }
  if (auto o = ParseUtcOffset(in); o.ok())
    FUZZ_CHECK(o->count() > -24 * 60 && o->count() < 24 * 60);
  return 0;
}
