// Concurrency on PostgreSQL: workers with their own connections (threads, each with its own
// Store, and separate processes) claim the same documents with FOR UPDATE SKIP LOCKED; every
// step must run exactly once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "crash_support.h"
#include "store/relay.h"
#include "store/testing.h"

namespace mlc::store {
namespace {

class PgConcurrencyTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    testing::BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    sink_ = (std::filesystem::temp_directory_path() /
             ("mlc_pgsink_" + std::to_string(getpid()) + ".db"))
                .string();
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(sink_ + suffix);
  }
  std::string sink_;
};

// Counts every run of every (document, step); a step run twice shows as 2.
class CountingStep : public StepHandler {
 public:
  Result<StepOutcome> Run(const Document& doc, StepContext&) override {
    std::lock_guard lock(mu_);
    ++runs_[std::to_string(doc.id) + "/" + doc.step];
    return StepOutcome{};
  }
  std::map<std::string, int> runs() {
    std::lock_guard lock(mu_);
    return runs_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> runs_;
};

TEST_P(PgConcurrencyTest, ThreadsWithOwnConnectionsNeverRunAStepTwice) {
  constexpr int kDocs = 400;
  constexpr int kThreads = 8;
  ASSERT_TRUE(crash::SeedDocuments(*store_, kDocs).ok());
  CountingStep step;
  std::atomic<int> errors{0};
  std::atomic<int> claims{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto own = OpenStore(db_->url(), SystemClock::Get(), {.pool_size = 1});
      if (!own.ok()) {
        ++errors;
        return;
      }
      Relay relay(**own, {.worker_id = "t" + std::to_string(t), .batch = 4});
      relay.AddStep("deliver", step, "confirm");
      relay.AddStep("confirm", step, "");
      auto s = relay.Drain();
      if (!s.ok()) {
        ++errors;
        return;
      }
      claims += s->claimed;
      if (s->lease_lost != 0) ++errors;
    });
  }
  for (auto& t : threads) t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("pg concurrency: %d threads relayed %d steps in %.2fs (%.0f claim+complete/s)\n",
              kThreads, claims.load(), secs, claims.load() / secs);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claims.load(), 2 * kDocs);
  auto runs = step.runs();
  ASSERT_EQ(runs.size(), 2u * kDocs);
  for (const auto& [key, n] : runs) EXPECT_EQ(n, 1) << key;
  EXPECT_EQ(store_->ListDocuments({.state = DocState::kDone, .limit = 10000})->size(),
            static_cast<size_t>(kDocs));
}

TEST_P(PgConcurrencyTest, ProcessesNeverRunAStepTwice) {
  constexpr int kDocs = 300;
  constexpr int kProcesses = 4;
  ASSERT_TRUE(crash::SeedDocuments(*store_, kDocs).ok());
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcesses; ++p) {
    // A long lease: no lease expires during the run, so any second attempt would be a
    // double claim, not a recovery.
    pids.push_back(
        crash::Spawn(MLC_CRASH_WORKER, {db_->url(), sink_, "p" + std::to_string(p), "60000"}));
    ASSERT_GT(pids.back(), 0);
  }
  for (pid_t pid : pids) {
    crash::Exit e = crash::Wait(pid);
    EXPECT_FALSE(e.killed);
    EXPECT_EQ(e.code, 0);
  }
  crash::SinkCounts sink = crash::ReadSink(sink_);
  ASSERT_EQ(sink.deliveries.size(), 2u * kDocs);
  for (const auto& [key, n] : sink.deliveries) EXPECT_EQ(n, 1) << key;
  ASSERT_EQ(sink.attempts.size(), 2u * kDocs);
  for (const auto& [key, n] : sink.attempts) EXPECT_EQ(n, 1) << key << " was attempted twice";
  // The work was really shared: more than one process finished steps.
  auto completed = store_->QueryAudit({.event = "completed", .limit = 100000});
  ASSERT_TRUE(completed.ok());
  std::set<std::string> actors;
  for (const auto& e : *completed) actors.insert(e.actor);
  EXPECT_EQ(completed->size(), 2u * kDocs);
  EXPECT_GT(actors.size(), 1u);
}

// PostgreSQL only: SQLite is one machine's file (its threads are covered by store_test).
INSTANTIATE_TEST_SUITE_P(Backends, PgConcurrencyTest, ::testing::Values("postgresql"),
                         testing::BackendName);

}  // namespace
}  // namespace mlc::store
