#include "config/values.h"

#include <sys/socket.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mlc::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(DurationTest, ParsesUnitsAndSums) {
  EXPECT_EQ(*ParseDuration("59m"), minutes(59));
  EXPECT_EQ(*ParseDuration("30s"), seconds(30));
  EXPECT_EQ(*ParseDuration("150ms"), milliseconds(150));
  EXPECT_EQ(*ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(*ParseDuration("2d"), hours(48));
  EXPECT_EQ(*ParseDuration("0s"), milliseconds(0));
  EXPECT_EQ(*ParseDuration("3650d"), hours(3650 * 24));
}

TEST(DurationTest, RejectsBadInput) {
  for (const char* bad : {"", "30", "m", "-5m", "5 m", "5min", "1.5h", "5M", "3651d",
                          "99999999999999999999s", "1h-", "s5", "5m ", "1e3s"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(DurationTest, FormatRoundTrips) {
  for (int64_t ms : {0L, 1L, 999L, 1000L, 90'000L, 3'600'000L, 86'400'000L + 61'001L}) {
    std::string text = FormatDuration(milliseconds(ms));
    ASSERT_TRUE(ParseDuration(text).ok()) << text;
    EXPECT_EQ(ParseDuration(text)->count(), ms) << text;
  }
  EXPECT_EQ(FormatDuration(minutes(90)), "1h30m");
}

TEST(SecretRefTest, ParsesReferences) {
  auto v = ParseSecretRef("vault:netsuite/private_key-2");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->kind, SecretRef::Kind::kVault);
  EXPECT_EQ(v->name, "netsuite/private_key-2");
  auto e = ParseSecretRef("env:NS_KEY");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, SecretRef::Kind::kEnv);
  EXPECT_EQ(e->ToString(), "env:NS_KEY");
  EXPECT_TRUE(e->value.empty());  // the parser never reads the environment
}

TEST(SecretRefTest, RejectsLiteralsWithoutEchoingThem) {
  for (const char* bad : {"hunter2", "", "vault:", "env:", "env:1ABC", "env:A-B", "vault:a b",
                          "VAULT:x", " vault:x"}) {
    auto r = ParseSecretRef(bad);
    ASSERT_FALSE(r.ok()) << bad;
    if (std::string_view(bad).size() > 6) {
      EXPECT_THAT(r.error().message(), Not(HasSubstr(bad)));
    }
  }
}

TEST(ScheduleTest, Interval) {
  auto s = ParseSchedule("every 5m");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, Schedule::Kind::kInterval);
  EXPECT_EQ(s->interval, minutes(5));
  EXPECT_FALSE(ParseSchedule("every 500ms").ok());
  EXPECT_FALSE(ParseSchedule("every").ok());
  EXPECT_FALSE(ParseSchedule("every five minutes").ok());
}

TEST(ScheduleTest, Cron) {
  auto s = ParseSchedule("*/15 6-20 * * MON-FRI");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kind, Schedule::Kind::kCron);
  EXPECT_EQ(s->cron.minutes, (1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45));
  EXPECT_EQ(s->cron.hours, 0x1FFFC0u);  // 6..20
  EXPECT_EQ(s->cron.days_of_week, 0b0111110);
  EXPECT_FALSE(s->cron.dom_restricted);
  EXPECT_TRUE(s->cron.dow_restricted);

  auto t = ParseSchedule("0 0 1,15 jan,jul 7");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->cron.days_of_month, (1u << 1) | (1u << 15));
  EXPECT_EQ(t->cron.months, (1u << 1) | (1u << 7));
  EXPECT_EQ(t->cron.days_of_week, 1);  // 7 is Sunday
  auto u = ParseSchedule("5/20 * * * *");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->cron.minutes, (1ULL << 5) | (1ULL << 25) | (1ULL << 45));
}

TEST(ScheduleTest, CronErrorsNameTheField) {
  EXPECT_THAT(ParseSchedule("61 * * * *").status().message(), HasSubstr("minute"));
  EXPECT_THAT(ParseSchedule("* 24 * * *").status().message(), HasSubstr("hour"));
  EXPECT_THAT(ParseSchedule("* * 0 * *").status().message(), HasSubstr("day-of-month"));
  EXPECT_THAT(ParseSchedule("* * * 13 *").status().message(), HasSubstr("month"));
  EXPECT_THAT(ParseSchedule("* * * * FUN").status().message(), HasSubstr("day-of-week"));
  for (const char* bad : {"* * * *", "* * * * * *", "*/0 * * * *", "5-1 * * * *", ", * * * *",
                          "1,,2 * * * *", "a * * * *", "-1 * * * *", "1- * * * *", ""}) {
    EXPECT_FALSE(ParseSchedule(bad).ok()) << bad;
  }
}

TEST(CidrTest, ParsesAndMatches) {
  auto v4 = ParseCidr("10.0.0.0/8");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->family, AF_INET);
  EXPECT_EQ(v4->text, "10.0.0.0/8");
  EXPECT_TRUE(v4->Contains("10.200.3.4"));
  EXPECT_TRUE(v4->Contains("::ffff:10.1.2.3"));
  EXPECT_FALSE(v4->Contains("11.0.0.1"));
  EXPECT_FALSE(v4->Contains("not an ip"));
  EXPECT_FALSE(v4->Contains("::1"));

  auto host = ParseCidr("127.0.0.2");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->prefix_length, 32);
  EXPECT_TRUE(host->Contains("127.0.0.2"));
  EXPECT_FALSE(host->Contains("127.0.0.3"));

  auto v6 = ParseCidr("fd00::/8");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Contains("fd12::1"));
  EXPECT_FALSE(v6->Contains("fe80::1"));
  EXPECT_FALSE(v6->Contains("10.0.0.1"));

  auto any = ParseCidr("0.0.0.0/0");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(any->Contains("203.0.113.9"));
  auto odd = ParseCidr("192.168.1.128/25");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->Contains("192.168.1.200"));
  EXPECT_FALSE(odd->Contains("192.168.1.100"));
}

TEST(CidrTest, RejectsBadInput) {
  EXPECT_THAT(ParseCidr("10.0.0.1/8").status().message(), HasSubstr("did you mean 10.0.0.0/8"));
  for (const char* bad : {"", "/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "::/129",
                          "300.0.0.0/8", "10.0.0/8", "host.example.com/24", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(ParseCidr(bad).ok()) << bad;
  }
}

TEST(UrlTest, AcceptsAndRejects) {
  const std::vector<std::string> web = {"https", "http"};
  EXPECT_TRUE(CheckUrl("https://cleo.example.com:6080/api", web).ok());
  EXPECT_TRUE(CheckUrl("http://127.0.0.1:8481", web).ok());
  EXPECT_TRUE(CheckUrl("https://[::1]:443/x", web).ok());
  EXPECT_TRUE(CheckUrl("HTTPS://x.example", web).ok());
  for (const char* bad : {"htp:/x", "ftp://x", "https://", "https:///path", "https://a b",
                          "https://host:99999", "https://host:port", "//host", "https://ho$t",
                          "https://[::1"}) {
    EXPECT_FALSE(CheckUrl(bad, web).ok()) << bad;
  }
  const std::vector<std::string> store = {"sqlite", "postgresql"};
  EXPECT_TRUE(CheckUrl("sqlite:///var/lib/x.db", store).ok());
  EXPECT_TRUE(CheckUrl("postgresql:///mlc_test", store).ok());
  EXPECT_TRUE(CheckUrl("postgresql://mlc@db.internal:5432/mlc", store).ok());
  EXPECT_FALSE(CheckUrl("sqlite://", store).ok());
  EXPECT_FALSE(CheckUrl("sqlite://host/x.db", store).ok());
  Status pw = CheckUrl("postgresql://mlc:Sup3rSecret@db/mlc", store);
  EXPECT_FALSE(pw.ok());
  EXPECT_THAT(pw.message(), Not(HasSubstr("Sup3rSecret")));
  Status pw2 = CheckUrl("https://u:Sup3rSecret@host with space", web);
  EXPECT_THAT(pw2.message(), Not(HasSubstr("Sup3rSecret")));
}

TEST(HostPortTest, AcceptsAndRejects) {
  for (const char* ok : {"127.0.0.1:8080", "0.0.0.0:0", "[::1]:8080", "localhost:65535"}) {
    EXPECT_TRUE(CheckHostPort(ok).ok()) << ok;
  }
  for (const char* bad : {"", ":8080", "127.0.0.1", "127.0.0.1:65536", "[::1:80", "[zz]:80",
                          "a b:80", "host:-1"}) {
    EXPECT_FALSE(CheckHostPort(bad).ok()) << bad;
  }
}

TEST(DecimalTextTest, AcceptsAndRejects) {
  for (const char* ok : {"0", "2.5", "-0.01", "100", "0.0001"}) {
    EXPECT_TRUE(CheckDecimal(ok).ok()) << ok;
  }
  for (const char* bad : {"", ".5", "5.", "1e3", "1,5", "+1", "--1", "1.2.3", " 1", "NaN",
                          "1234567890123456789012345678901",
                          "0.1234567890123456789"}) {  // 19 fraction digits: Decimal refuses
    EXPECT_FALSE(CheckDecimal(bad).ok()) << bad;
  }
}

TEST(EditDistanceTest, Basics) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("acount_id", "account_id"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
}

}  // namespace
}  // namespace mlc::config
