// Schedules: when a flow runs. Either a simple interval or a cron expression evaluated in a time
// zone.
//
//   "every 30s", "every 5m", "every 2h"   a fixed interval from the previous run
//   "*/5 * * * *"                         cron: minute hour day-of-month month day-of-week
//   "0 6-18 * * 1-5"                      (numbers, *, lists a,b, ranges a-b, steps */n and a-b/n;
//   "@hourly", "@daily"                    day-of-week 0-7 with 0 and 7 = Sunday; as in cron, when
//                                          both day fields are restricted either may match)
//
// Cron fields are matched against local wall-clock time in a TimeZone: a fixed UTC offset, or
// the process's local zone (the daemon sets TZ from the config at start-up, so glibc's zoneinfo
// handles daylight saving). A local time that does not exist (spring forward) is skipped; one
// that occurs twice (fall back) fires once, at its first occurrence.
//
// Pure apart from the TimeZone, and the fixed-offset zone is pure. Thread safety: const methods
// are safe from any thread.
#pragma once

#include <array>
#include <bitset>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/civil_time.h"
#include "common/clock.h"
#include "common/status.h"

namespace mlc::flows {

class TimeZone {
 public:
  virtual ~TimeZone() = default;
  virtual CivilDateTime ToLocal(Instant t) const = 0;
  // The UTC offset in effect at `t`.
  virtual std::chrono::minutes OffsetAt(Instant t) const = 0;
  virtual std::string name() const = 0;

  // UTC+offset forever. "UTC" is FixedOffset(0).
  static std::unique_ptr<TimeZone> FixedOffset(std::chrono::minutes offset);
  // The process's zone as glibc sees it (TZ environment variable or /etc/localtime).
  static std::unique_ptr<TimeZone> ProcessLocal();
};

class Schedule {
 public:
  // Parses a schedule; INVALID_ARGUMENT naming the field and value on error:
  //   "cron field 2 (hour) '25': value out of range 0-23".
  static Result<Schedule> Parse(std::string_view spec);

  // The first run time strictly after `after`. For intervals: after + interval. For cron: the
  // next whole minute whose local time matches, searched up to 5 years ahead (nullopt if none,
  // e.g. "0 0 30 2 *").
  std::optional<Instant> Next(Instant after, const TimeZone& zone) const;

  const std::string& spec() const { return spec_; }
  bool is_interval() const { return interval_.has_value(); }

 private:
  std::string spec_;
  std::optional<std::chrono::seconds> interval_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> weekdays_; // 0 = Sunday
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;

  bool Matches(const CivilDateTime& local) const;
};

}  // namespace mlc::flows
