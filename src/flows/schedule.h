// Schedules: when a flow runs. The text forms are parsed by config::ParseSchedule (one parser
// for `config check` and the daemon):
//
//   "every 30s", "every 5m", "every 1h30m"  a fixed interval from the end of the previous run
//   "*/5 * * * *", "0 6-18/4 * * MON-FRI"   cron: minute hour day-of-month month day-of-week
//   "@hourly", "@daily", ...                 (as in Vixie cron, when both day fields are
//                                             restricted either may match)
//
// This unit evaluates them: Next() finds the next run time. Cron fields are matched against local
// wall-clock time in a TimeZone: a fixed UTC offset, or the process's local zone (the daemon sets
// TZ from the config at start-up, so glibc's zoneinfo handles daylight saving). A local time that
// does not exist (spring forward) is skipped; one that occurs twice (fall back) fires once, at its
// first occurrence.
//
// Pure apart from the TimeZone, and the fixed-offset zone is pure. Thread safety: const methods
// are safe from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/civil_time.h"
#include "common/clock.h"
#include "common/status.h"
#include "config/values.h"

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
  Schedule() = default;
  explicit Schedule(config::Schedule parsed) : parsed_(std::move(parsed)) {}
  // Parses with config::ParseSchedule; INVALID_ARGUMENT naming the schedule and the bad field.
  static Result<Schedule> Parse(std::string_view spec);

  // The first run time strictly after `after`. For intervals: after + interval. For cron: the
  // next whole minute whose local time matches, searched up to 5 years ahead (nullopt if none,
  // e.g. "0 0 30 2 *").
  std::optional<Instant> Next(Instant after, const TimeZone& zone) const;

  const std::string& spec() const { return parsed_.text; }
  bool is_interval() const { return parsed_.kind == config::Schedule::Kind::kInterval; }

 private:
  bool Matches(const CivilDateTime& local) const;

  config::Schedule parsed_;
};

}  // namespace mlc::flows
