#include "flows/schedule.h"

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

}  // namespace

std::unique_ptr<TimeZone> TimeZone::FixedOffset(minutes offset) {
  return std::make_unique<FixedZone>(offset);
}
std::unique_ptr<TimeZone> TimeZone::ProcessLocal() { return std::make_unique<LocalZone>(); }

Result<Schedule> Schedule::Parse(std::string_view spec) {
  auto parsed = config::ParseSchedule(spec);
  if (!parsed.ok()) return parsed.error().WithContext(fmt::format("schedule '{}'", spec));
  return Schedule(*std::move(parsed));
}

bool Schedule::Matches(const CivilDateTime& local) const {
  const config::CronSpec& c = parsed_.cron;
  auto bit = [](uint64_t set, int i) { return (set >> i) & 1; };
  if (!bit(c.minutes, local.time.minute) || !bit(c.hours, local.time.hour) ||
      !bit(c.months, local.date.month)) {
    return false;
  }
  const int64_t days = DaysSinceEpoch(local.date);
  const int weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  const bool dom = bit(c.days_of_month, local.date.day);
  const bool dow = bit(c.days_of_week, weekday);
  // Vixie cron: when both day fields are restricted, either one matching is enough.
  if (c.dom_restricted && c.dow_restricted) return dom || dow;
  return dom && dow;
}

std::optional<Instant> Schedule::Next(Instant after, const TimeZone& zone) const {
  if (is_interval()) {
    return after + std::chrono::duration_cast<std::chrono::microseconds>(parsed_.interval);
  }
  // Start at the next whole minute.
  const auto us_per_min = std::chrono::microseconds(60'000'000);
  Instant t = Instant(((after.time_since_epoch() / us_per_min) + 1) * us_per_min);
  const Instant limit = after + std::chrono::hours(24 * 366 * 5);
  while (t < limit) {
    const CivilDateTime local = zone.ToLocal(t);
    if (!((parsed_.cron.hours >> local.time.hour) & 1) ||
        !((parsed_.cron.months >> local.date.month) & 1)) {
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
