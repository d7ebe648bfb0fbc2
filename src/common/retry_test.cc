#include "common/retry.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace mlc {
namespace {

using std::chrono::milliseconds;
constexpr uint64_t kMaxRandom = std::numeric_limits<uint64_t>::max();

BackoffPolicy NoJitter() {
  BackoffPolicy p;
  p.initial = milliseconds(100);
  p.multiplier = 2.0;
  p.max_delay = milliseconds(1000);
  p.jitter = 0.0;
  return p;
}

TEST(BackoffPolicyTest, GrowsExponentiallyToTheCap) {
  BackoffPolicy p = NoJitter();
  EXPECT_EQ(p.Delay(1, 12345), milliseconds(100));
  EXPECT_EQ(p.Delay(2, 0), milliseconds(200));
  EXPECT_EQ(p.Delay(3, kMaxRandom), milliseconds(400));
  EXPECT_EQ(p.Delay(4, 0), milliseconds(800));
  EXPECT_EQ(p.Delay(5, 0), milliseconds(1000));
  EXPECT_EQ(p.Delay(5000, 0), milliseconds(1000));  // no overflow
  EXPECT_EQ(p.Delay(0, 0), milliseconds(100));
  EXPECT_EQ(p.Delay(-3, 0), milliseconds(100));
}

TEST(BackoffPolicyTest, EqualJitterStaysInUpperHalf) {
  BackoffPolicy p = NoJitter();
  p.jitter = 0.5;
  EXPECT_EQ(p.Delay(3, 0), milliseconds(400));
  EXPECT_EQ(p.Delay(3, uint64_t{1} << 63), milliseconds(300));  // u = 0.5
  EXPECT_EQ(p.Delay(3, kMaxRandom), milliseconds(201));         // u just under 1
  for (uint64_t r = 1; r < kMaxRandom / 2; r = r * 3 + 7) {
    const auto d = p.Delay(3, r);
    EXPECT_GE(d, milliseconds(200));
    EXPECT_LE(d, milliseconds(400));
    EXPECT_EQ(d, p.Delay(3, r));  // deterministic
  }
}

TEST(BackoffPolicyTest, FullJitterSpansTheWholeRange) {
  BackoffPolicy p = NoJitter();
  p.jitter = 1.0;
  EXPECT_EQ(p.Delay(2, 0), milliseconds(200));
  EXPECT_EQ(p.Delay(2, kMaxRandom), milliseconds(1));
  p.jitter = 7.0;  // clamped to 1
  EXPECT_EQ(p.Delay(2, kMaxRandom), milliseconds(1));
}

TEST(ParseRetryAfterTest, DeltaSecondsOnly) {
  EXPECT_EQ(ParseRetryAfter("120"), std::chrono::seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 "), std::chrono::seconds(0));
  EXPECT_EQ(ParseRetryAfter(""), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999"), std::nullopt);
}

class RetryLoopTest : public ::testing::Test {
 protected:
  RetryLoop MakeLoop(BackoffPolicy p) {
    return RetryLoop(
        p, [this](milliseconds d) { slept_.push_back(d); }, [] { return uint64_t{0}; });
  }
  std::vector<milliseconds> slept_;
};

TEST_F(RetryLoopTest, SucceedsFirstTimeWithoutSleeping) {
  RetryLoop loop = MakeLoop(NoJitter());
  int calls = 0;
  Status s = loop.Run([&] {
    ++calls;
    return Status();
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(slept_.empty());
}

TEST_F(RetryLoopTest, RetriesRetriableErrorsWithBackoff) {
  RetryLoop loop = MakeLoop(NoJitter());
  std::vector<int> numbers;
  Result<int> r = loop.Run([&](RetryAttempt& a) -> Result<int> {
    numbers.push_back(a.number);
    if (a.number < 3) return UnavailableError("connection reset");
    return 42;
  });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(slept_, (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
}

TEST_F(RetryLoopTest, StopsAtNonRetriableError) {
  RetryLoop loop = MakeLoop(NoJitter());
  int calls = 0;
  Status s = loop.Run([&] {
    ++calls;
    return calls == 1 ? DeadlineExceededError("slow") : InvalidArgumentError("bad field");
  });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "bad field");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(slept_.size(), 1u);
}

TEST_F(RetryLoopTest, GivesUpAfterMaxAttempts) {
  BackoffPolicy p = NoJitter();
  p.max_attempts = 4;
  RetryLoop loop = MakeLoop(p);
  int calls = 0;
  Result<std::string> r = loop.Run([&]() -> Result<std::string> {
    ++calls;
    return ResourceExhaustedError("concurrency limit");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(r.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.error().message(), "giving up after 4 attempts: concurrency limit");
  EXPECT_EQ(slept_,
            (std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400)}));
}

TEST_F(RetryLoopTest, SingleAttemptPolicyDoesNotRetry) {
  BackoffPolicy p = NoJitter();
  p.max_attempts = 1;
  RetryLoop loop = MakeLoop(p);
  Status s = loop.Run([] { return UnavailableError("down"); });
  EXPECT_EQ(s.message(), "down");
  EXPECT_TRUE(slept_.empty());
}

TEST_F(RetryLoopTest, HonoursRetryAfterCapped) {
  BackoffPolicy p = NoJitter();
  p.max_retry_after = milliseconds(5000);
  RetryLoop loop = MakeLoop(p);
  Status s = loop.Run([](RetryAttempt& a) {
    if (a.number == 1) {
      a.retry_after = *ParseRetryAfter("3");
      return ResourceExhaustedError("429");
    }
    if (a.number == 2) {
      a.retry_after = std::chrono::seconds(3600);
      return ResourceExhaustedError("429");
    }
    return Status();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(slept_, (std::vector<milliseconds>{milliseconds(3000), milliseconds(5000)}));
}

TEST_F(RetryLoopTest, JitterUsesTheRandomSource) {
  BackoffPolicy p = NoJitter();
  p.jitter = 1.0;
  p.max_attempts = 2;
  RetryLoop loop(
      p, [this](milliseconds d) { slept_.push_back(d); }, [] { return uint64_t{1} << 63; });
  (void)loop.Run([] { return UnavailableError("x"); });
  EXPECT_EQ(slept_, (std::vector<milliseconds>{milliseconds(50)}));
}

}  // namespace
}  // namespace mlc
