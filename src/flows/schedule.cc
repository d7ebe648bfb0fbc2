#include "flows/schedule.h"

#include <charconv>
#include <ctime>
#include <vector>

#include <fmt/format.h>

namespace mlc::flows {
namespace {

using std::chrono::minutes;

class FixedZone final : public TimeZone {
 public:
  explicit FixedZone(minutes offset) : offset_(offset) {}
  CivilDateTime ToLocal(Instant t) const override { return Split(t + offset_); }
  minutes OffsetAt(Instant) const override { return offset_; }
  std::string name() const override {
    if (offset_.count() == 0) return "UTC";
    const auto m = offset_.count() < 0 ? -offset_.count() : offset_.count();
    return fmt::format("UTC{}{:02}:{:02}", offset_.count() < 0 ? '-' : '+', m / 60, m % 60);
  }

  // Civil fields of `t` read as if it were UTC.
  static CivilDateTime Split(Instant t) {
    const int64_t us = t.time_since_epoch().count();
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    CivilDateTime out;
    out.date = CivilDateFromDays(days);
    out.time.hour = static_cast<int>(rem / 3600);
    out.time.minute = static_cast<int>(rem % 3600 / 60);
    out.time.second = static_cast<int>(rem % 60);
    return out;
  }

 private:
  minutes offset_;
};

class LocalZone final : public TimeZone {
 public:
  CivilDateTime ToLocal(Instant t) const override {
    return FixedZone::Split(t + OffsetAt(t));
  }
  minutes OffsetAt(Instant t) const override {
    const std::time_t secs = static_cast<std::time_t>(
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
    std::tm tm{};
    localtime_r(&secs, &tm);
    return std::chrono::duration_cast<minutes>(std::chrono::seconds(tm.tm_gmtoff));
  }
  std::string name() const override {
    const char* tz = std::getenv("TZ");
    return tz && *tz ? tz : "local";
  }
};

struct FieldSpec {
  const char* name;
  int lo, hi;
};
constexpr std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59}, {"hour", 0, 23}, {"day-of-month", 1, 31}, {"month", 1, 12},
    {"day-of-week", 0, 7}}};

Result<int> Number(std::string_view s, int field, std::string_view whole) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  const auto& f = kFields[field];
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return InvalidArgumentError("cron field {} ({}) '{}': '{}' is not a number", field + 1,
                                f.name, whole, s);
  }
  if (v < f.lo || v > f.hi) {
    return InvalidArgumentError("cron field {} ({}) '{}': value out of range {}-{}", field + 1,
                                f.name, whole, f.lo, f.hi);
  }
  return v;
}

// Parses one cron field into the set of matching values.
Result<std::vector<int>> ParseField(std::string_view text, int field) {
  const auto& f = kFields[field];
  std::vector<int> values;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view part = text.substr(start, comma == text.npos ? text.npos : comma - start);
    int step = 1;
    if (size_t slash = part.find('/'); slash != part.npos) {
      std::string_view step_text = part.substr(slash + 1);
      int v = 0;
      auto [p, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), v);
      if (step_text.empty() || ec != std::errc() || p != step_text.data() + step_text.size() ||
          v <= 0) {
        return InvalidArgumentError("cron field {} ({}) '{}': step '{}' must be a positive number",
                                    field + 1, f.name, text, step_text);
      }
      step = v;
      part = part.substr(0, slash);
    }
    int lo = f.lo, hi = f.hi;
    if (part != "*") {
      size_t dash = part.find('-');
      ASSIGN_OR_RETURN(lo, Number(part.substr(0, dash), field, text));
      if (dash != part.npos) {
        ASSIGN_OR_RETURN(hi, Number(part.substr(dash + 1), field, text));
        if (hi < lo) {
          return InvalidArgumentError("cron field {} ({}) '{}': range {} is backwards", field + 1,
                                      f.name, text, part);
        }
      } else if (step == 1) {
        hi = lo;
      }
    }
    for (int v = lo; v <= hi; v += step) values.push_back(v);
    if (comma == text.npos) break;
    start = comma + 1;
  }
  return values;
}

}  // namespace

std::unique_ptr<TimeZone> TimeZone::FixedOffset(minutes offset) {
  return std::make_unique<FixedZone>(offset);
}
std::unique_ptr<TimeZone> TimeZone::ProcessLocal() { return std::make_unique<LocalZone>(); }

Result<Schedule> Schedule::Parse(std::string_view spec) {
  Schedule s;
  s.spec_ = std::string(spec);
  if (spec.rfind("every ", 0) == 0) {
    std::string_view d = spec.substr(6);
    int64_t n = 0;
    auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), n);
    const std::string_view unit(p, static_cast<size_t>(d.data() + d.size() - p));
    int64_t secs = 0;
    if (unit == "s") secs = n;
    else if (unit == "m") secs = n * 60;
    else if (unit == "h") secs = n * 3600;
    if (ec != std::errc() || p == d.data() || secs <= 0 || n > 100000) {
      return InvalidArgumentError(
          "schedule '{}': expected 'every N' with s, m or h (e.g. 'every 5m') or a cron "
          "expression",
          spec);
    }
    s.interval_ = std::chrono::seconds(secs);
    return s;
  }
  std::string expanded(spec);
  if (spec == "@hourly") expanded = "0 * * * *";
  if (spec == "@daily" || spec == "@midnight") expanded = "0 0 * * *";
  if (spec == "@weekly") expanded = "0 0 * * 0";
  std::vector<std::string_view> fields;
  std::string_view rest(expanded);
  while (!rest.empty()) {
    size_t b = rest.find_first_not_of(' ');
    if (b == rest.npos) break;
    rest.remove_prefix(b);
    size_t e = rest.find(' ');
    fields.push_back(rest.substr(0, e));
    rest = e == rest.npos ? std::string_view() : rest.substr(e);
  }
  if (fields.size() != 5) {
    return InvalidArgumentError(
        "schedule '{}': a cron expression has 5 fields (minute hour day-of-month month "
        "day-of-week), got {}",
        spec, fields.size());
  }
  for (int i = 0; i < 5; ++i) {
    ASSIGN_OR_RETURN(auto values, ParseField(fields[i], i).WithContext(
                                      fmt::format("schedule '{}'", spec)));
    for (int v : values) {
      switch (i) {
        case 0: s.minutes_.set(v); break;
        case 1: s.hours_.set(v); break;
        case 2: s.days_.set(v); break;
        case 3: s.months_.set(v); break;
        case 4: s.weekdays_.set(v % 7); break;
      }
    }
  }
  s.days_restricted_ = fields[2] != "*";
  s.weekdays_restricted_ = fields[4] != "*";
  return s;
}

bool Schedule::Matches(const CivilDateTime& local) const {
  if (!minutes_[local.time.minute] || !hours_[local.time.hour] || !months_[local.date.month]) {
    return false;
  }
  const int64_t days = DaysSinceEpoch(local.date);
  const int weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  const bool dom = days_[local.date.day];
  const bool dow = weekdays_[weekday];
  // Vixie cron: when both day fields are restricted, either one matching is enough.
  if (days_restricted_ && weekdays_restricted_) return dom || dow;
  return dom && dow;
}

std::optional<Instant> Schedule::Next(Instant after, const TimeZone& zone) const {
  if (interval_) return after + std::chrono::duration_cast<std::chrono::microseconds>(*interval_);
  // Start at the next whole minute.
  const auto us_per_min = std::chrono::microseconds(60'000'000);
  Instant t = Instant(((after.time_since_epoch() / us_per_min) + 1) * us_per_min);
  const Instant limit = after + std::chrono::hours(24 * 366 * 5);
  while (t < limit) {
    const CivilDateTime local = zone.ToLocal(t);
    if (!hours_[local.time.hour] || !months_[local.date.month]) {
      t += minutes(60 - local.time.minute);  // skip to the next hour
      continue;
    }
    if (!Matches(local)) {
      t += minutes(1);
      continue;
    }
    // After clocks go back, a local time occurs twice; fire only at the first occurrence.
    const minutes before = zone.OffsetAt(t - std::chrono::hours(2));
    const minutes now = zone.OffsetAt(t);
    if (before > now && zone.ToLocal(t - (before - now)) == local) {
      t += minutes(1);
      continue;
    }
    return t;
  }
  return std::nullopt;
}

}  // namespace mlc::flows
