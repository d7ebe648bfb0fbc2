#include "flows/schedule.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace mlc::flows {
namespace {

Instant At(std::string_view iso) { return *ParseIso8601(iso); }
std::string Iso(std::optional<Instant> t) { return t ? FormatIso8601(*t) : "none"; }

const auto kUtc = TimeZone::FixedOffset(std::chrono::minutes(0));

TEST(ScheduleTest, Intervals) {
  auto s = Schedule::Parse("every 5m");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->is_interval());
  EXPECT_EQ(Iso(s->Next(At("2026-01-01T00:00:07Z"), *kUtc)), "2026-01-01T00:05:07Z");
  EXPECT_EQ(Iso(Schedule::Parse("every 30s")->Next(At("2026-01-01T00:00:00Z"), *kUtc)),
            "2026-01-01T00:00:30Z");
  EXPECT_EQ(Iso(Schedule::Parse("every 2h")->Next(At("2026-01-01T23:00:00Z"), *kUtc)),
            "2026-01-02T01:00:00Z");
}

TEST(ScheduleTest, BadIntervals) {
  for (const char* bad : {"every", "every 0m", "every 5", "every 5x", "every -1m", "every m"}) {
    auto s = Schedule::Parse(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().message().rfind(std::string("schedule '") + bad + "': ", 0), 0u)
        << s.status().message();
  }
}

TEST(ScheduleTest, CronEveryFiveMinutes) {
  auto s = Schedule::Parse("*/5 * * * *");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Iso(s->Next(At("2026-01-01T10:02:30Z"), *kUtc)), "2026-01-01T10:05:00Z");
  EXPECT_EQ(Iso(s->Next(At("2026-01-01T10:05:00Z"), *kUtc)), "2026-01-01T10:10:00Z");  // strictly after
  EXPECT_EQ(Iso(s->Next(At("2026-01-01T23:59:00Z"), *kUtc)), "2026-01-02T00:00:00Z");
}

TEST(ScheduleTest, CronWorkingHoursOnWeekdays) {
  auto s = Schedule::Parse("0 6-18/4 * * 1-5");  // 06, 10, 14, 18 on Monday..Friday
  ASSERT_TRUE(s.ok()) << s.status();
  // 2026-01-02 is a Friday.
  EXPECT_EQ(Iso(s->Next(At("2026-01-02T14:00:00Z"), *kUtc)), "2026-01-02T18:00:00Z");
  EXPECT_EQ(Iso(s->Next(At("2026-01-02T18:00:00Z"), *kUtc)), "2026-01-05T06:00:00Z");  // Monday
}

TEST(ScheduleTest, CronListsAndSundayAsSeven) {
  auto s = Schedule::Parse("15,45 8 * * 7");
  ASSERT_TRUE(s.ok()) << s.status();
  // 2026-01-04 is a Sunday.
  EXPECT_EQ(Iso(s->Next(At("2026-01-01T00:00:00Z"), *kUtc)), "2026-01-04T08:15:00Z");
  EXPECT_EQ(Iso(s->Next(At("2026-01-04T08:15:00Z"), *kUtc)), "2026-01-04T08:45:00Z");
}

TEST(ScheduleTest, CronDayOfMonthOrDayOfWeek) {
  // Vixie semantics: the 1st of the month OR any Monday.
  auto s = Schedule::Parse("0 0 1 * 1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Iso(s->Next(At("2026-01-02T00:00:00Z"), *kUtc)), "2026-01-05T00:00:00Z");
  EXPECT_EQ(Iso(s->Next(At("2026-01-26T00:00:00Z"), *kUtc)), "2026-02-01T00:00:00Z");
}

TEST(ScheduleTest, Macros) {
  EXPECT_EQ(Iso(Schedule::Parse("@hourly")->Next(At("2026-01-01T10:02:00Z"), *kUtc)),
            "2026-01-01T11:00:00Z");
  EXPECT_EQ(Iso(Schedule::Parse("@daily")->Next(At("2026-01-01T10:02:00Z"), *kUtc)),
            "2026-01-02T00:00:00Z");
}

TEST(ScheduleTest, ImpossibleCronHasNoNextRun) {
  auto s = Schedule::Parse("0 0 30 2 *");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->Next(At("2026-01-01T00:00:00Z"), *kUtc), std::nullopt);
}

TEST(ScheduleTest, LeapDay) {
  auto s = Schedule::Parse("0 12 29 2 *");
  EXPECT_EQ(Iso(s->Next(At("2026-01-01T00:00:00Z"), *kUtc)), "2028-02-29T12:00:00Z");
}

TEST(ScheduleTest, FixedOffsetZone) {
  const auto zone = TimeZone::FixedOffset(std::chrono::minutes(-300));  // UTC-05:00
  EXPECT_EQ(zone->name(), "UTC-05:00");
  auto s = Schedule::Parse("0 6 * * *");  // 06:00 local = 11:00 UTC
  EXPECT_EQ(Iso(s->Next(At("2026-01-01T00:00:00Z"), *zone)), "2026-01-01T11:00:00Z");
}

TEST(ScheduleTest, BadCronIsRefused) {
  for (const char* bad : {"0 25 * * *", "* * *", "*/0 * * * *", "5-1 * * * *", "a * * * *",
                          "* * 0 * *", "* * * 13 *", "", "1,,2 * * * *"}) {
    auto s = Schedule::Parse(bad);
    EXPECT_FALSE(s.ok()) << bad;
  }
  EXPECT_NE(Schedule::Parse("0 25 * * *").status().message().find("hour"), std::string::npos);
}

TEST(ScheduleTest, NamesOfMonthsAndDays) {
  auto s = Schedule::Parse("0 9 * JAN MON-FRI");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Iso(s->Next(At("2026-01-02T10:00:00Z"), *kUtc)), "2026-01-05T09:00:00Z");
  EXPECT_EQ(Iso(s->Next(At("2026-01-30T10:00:00Z"), *kUtc)), "2027-01-01T09:00:00Z");
}

// Daylight saving with glibc's zoneinfo, through the process-local zone.
class LocalZoneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("TZ");
    old_tz_ = old ? std::optional<std::string>(old) : std::nullopt;
    setenv("TZ", "America/New_York", 1);
    tzset();
    if (!std::ifstream("/usr/share/zoneinfo/America/New_York").good()) {
      GTEST_SKIP() << "tzdata is not installed (/usr/share/zoneinfo/America/New_York missing)";
    }
  }
  void TearDown() override {
    if (old_tz_) setenv("TZ", old_tz_->c_str(), 1); else unsetenv("TZ");
    tzset();
  }
  std::optional<std::string> old_tz_;
};

TEST_F(LocalZoneTest, SpringForwardSkipsTheMissingHour) {
  // 2026-03-08: 02:00 EST jumps to 03:00 EDT. "30 2 * * *" has no 02:30 that day.
  const auto zone = TimeZone::ProcessLocal();
  auto s = Schedule::Parse("30 2 * * *");
  EXPECT_EQ(Iso(s->Next(At("2026-03-07T12:00:00Z"), *zone)), "2026-03-09T06:30:00Z");
  // 06:00 local on either side of the change.
  auto six = Schedule::Parse("0 6 * * *");
  EXPECT_EQ(Iso(six->Next(At("2026-03-07T12:00:00Z"), *zone)), "2026-03-08T10:00:00Z");  // EDT
  EXPECT_EQ(Iso(six->Next(At("2026-03-06T12:00:00Z"), *zone)), "2026-03-07T11:00:00Z");  // EST
}

TEST_F(LocalZoneTest, FallBackFiresOnce) {
  // 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 local happens twice.
  const auto zone = TimeZone::ProcessLocal();
  auto s = Schedule::Parse("30 1 * * *");
  const auto first = s->Next(At("2026-11-01T00:00:00Z"), *zone);
  EXPECT_EQ(Iso(first), "2026-11-01T05:30:00Z");  // 01:30 EDT
  EXPECT_EQ(Iso(s->Next(*first, *zone)), "2026-11-02T06:30:00Z");  // not 06:30Z the same day
}

}  // namespace
}  // namespace mlc::flows
