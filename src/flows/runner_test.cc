#include "flows/runner.h"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <mutex>

namespace mlc::flows {
namespace {

using namespace std::chrono_literals;

class FakeFlow : public Flow {
 public:
  FakeFlow(std::string name, std::function<Result<RunSummary>(RunContext&)> body)
      : name_(std::move(name)), body_(std::move(body)) {}
  std::string name() const override { return name_; }
  Result<RunSummary> Run(RunContext& ctx) override { return body_(ctx); }

 private:
  std::string name_;
  std::function<Result<RunSummary>(RunContext&)> body_;
};

std::unique_ptr<Flow> Counting(std::string name, std::atomic<int>* runs) {
  return std::make_unique<FakeFlow>(std::move(name), [runs](RunContext&) -> Result<RunSummary> {
    ++*runs;
    RunSummary s;
    s.counts["read"] = 1;
    return s;
  });
}

class FlowRunnerTest : public ::testing::Test {
 protected:
  FakeClock clock_{*ParseIso8601("2026-01-05T10:00:30Z")};
  FlowRunner runner_{clock_, TimeZone::FixedOffset(0min)};
};

TEST_F(FlowRunnerTest, IntervalFiresWhenTheClockReachesIt) {
  std::atomic<int> runs{0};
  runner_.Add(Counting("po_outbound", &runs), *Schedule::Parse("every 5m"));
  runner_.Start();
  clock_.Advance(4min);
  runner_.Kick();
  EXPECT_FALSE(runner_.WaitForRuns("po_outbound", 1, 200ms));
  clock_.Advance(1min);
  runner_.Kick();
  ASSERT_TRUE(runner_.WaitForRuns("po_outbound", 1, 10s));
  // The next run is 5 minutes after the end of the last one.
  auto st = runner_.status();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(FormatIso8601(*st[0].next_due), "2026-01-05T10:10:30Z");
  EXPECT_EQ(st[0].last_summary.counts.at("read"), 1);
  runner_.Stop();
  EXPECT_EQ(runs, 1);
}

TEST_F(FlowRunnerTest, CronFiresOnTheMinute) {
  std::atomic<int> runs{0};
  runner_.Add(Counting("invoice_inbound", &runs), *Schedule::Parse("*/15 * * * *"));
  runner_.Start();
  EXPECT_EQ(FormatIso8601(*runner_.status()[0].next_due), "2026-01-05T10:15:00Z");
  clock_.Set(*ParseIso8601("2026-01-05T10:15:00Z"));
  runner_.Kick();
  ASSERT_TRUE(runner_.WaitForRuns("invoice_inbound", 1, 10s));
  EXPECT_EQ(FormatIso8601(*runner_.status()[0].next_due), "2026-01-05T10:30:00Z");
}

TEST_F(FlowRunnerTest, TriggerRunsEarly) {
  std::atomic<int> runs{0};
  runner_.Add(Counting("po_outbound", &runs), *Schedule::Parse("@daily"));
  runner_.Start();
  ASSERT_TRUE(runner_.Trigger("po_outbound").ok());
  ASSERT_TRUE(runner_.WaitForRuns("po_outbound", 1, 10s));
  EXPECT_EQ(runner_.Trigger("nope").code(), StatusCode::kNotFound);
}

TEST_F(FlowRunnerTest, OneStuckFlowDoesNotHoldUpAnother) {
  std::promise<void> release, entered;
  auto once = std::make_shared<std::once_flag>();
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> other{0};
  runner_.Add(std::make_unique<FakeFlow>("cleo_side",
                                         [released, &entered, once](RunContext&) -> Result<RunSummary> {
                                           std::call_once(*once, [&] { entered.set_value(); });
                                           released.wait();  // a Cleo outage, say
                                           return RunSummary{};
                                         }),
              *Schedule::Parse("every 1m"), /*run_at_start=*/true);
  runner_.Add(Counting("netsuite_side", &other), *Schedule::Parse("every 1m"), true);
  runner_.Start();
  entered.get_future().wait();  // cleo_side is now stuck inside its run
  ASSERT_TRUE(runner_.WaitForRuns("netsuite_side", 1, 10s));
  clock_.Advance(1min);
  runner_.Kick();
  ASSERT_TRUE(runner_.WaitForRuns("netsuite_side", 2, 10s));
  const auto st = runner_.status();
  EXPECT_EQ(st[0].name, "cleo_side");
  EXPECT_EQ(st[0].runs, 0);
  EXPECT_TRUE(st[0].running) << st[0].name << " runs=" << st[0].runs;
  release.set_value();
  ASSERT_TRUE(runner_.WaitForRuns("cleo_side", 1, 10s));
}

TEST_F(FlowRunnerTest, StopLetsTheRunInFlightFinish) {
  std::promise<void> entered;
  std::atomic<bool> saw_stopping{false};
  std::atomic<bool> finished{false};
  runner_.Add(std::make_unique<FakeFlow>("slow",
                                         [&](RunContext& ctx) -> Result<RunSummary> {
                                           entered.set_value();
                                           while (!ctx.stopping()) std::this_thread::yield();
                                           saw_stopping = true;
                                           finished = true;  // commits its last item, returns
                                           return RunSummary{};
                                         }),
              *Schedule::Parse("every 1m"), true);
  runner_.Start();
  entered.get_future().wait();
  runner_.Stop();
  EXPECT_TRUE(saw_stopping);
  EXPECT_TRUE(finished);
  EXPECT_EQ(runner_.status()[0].runs, 1);
}

TEST_F(FlowRunnerTest, RunAllOnceReportsEachFlow) {
  std::atomic<int> runs{0};
  runner_.Add(Counting("a", &runs), *Schedule::Parse("every 1m"));
  runner_.Add(std::make_unique<FakeFlow>("b",
                                         [](RunContext&) -> Result<RunSummary> {
                                           return UnavailableError("store unreachable");
                                         }),
              *Schedule::Parse("every 1m"));
  auto results = runner_.RunAllOnce();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].second.ok());
  EXPECT_EQ(results[1].second.error().message(), "store unreachable");
  auto st = runner_.status();
  EXPECT_EQ(st[0].runs, 1);
  EXPECT_EQ(st[1].failures, 1);
  EXPECT_EQ(st[1].last_status.code(), StatusCode::kUnavailable);
}

TEST_F(FlowRunnerTest, RunAllOnceForwardsProgressPrefixedWithTheFlow) {
  runner_.Add(std::make_unique<FakeFlow>("po_outbound",
                                         [](RunContext& ctx) -> Result<RunSummary> {
                                           ctx.Progress("polling", 1);
                                           ctx.Progress("sending", 2, 5);
                                           return RunSummary{};
                                         }),
              *Schedule::Parse("every 1m"));
  std::vector<std::string> got;
  runner_.RunAllOnce([&](std::string_view what, int64_t done, std::optional<int64_t> total) {
    got.push_back(std::string(what) + " " + std::to_string(done) + "/" +
                  (total ? std::to_string(*total) : "?"));
  });
  EXPECT_EQ(got,
            (std::vector<std::string>{"po_outbound: polling 1/?", "po_outbound: sending 2/5"}));
  // Without a sink, Progress is a no-op.
  EXPECT_EQ(runner_.RunAllOnce().size(), 1u);
}

}  // namespace
}  // namespace mlc::flows
