// The runner's cross-process ingest lock (FlowRunner::SetIngestLock), on SQLite and PostgreSQL:
// two runners with their own store connections stand in for two `ml-connector run` processes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include "flows/runner.h"
#include "store/testing.h"

namespace mlc::flows {
namespace {

using namespace std::chrono_literals;

// Counts how many ingests of the flow run at once (across both runners) and which runner's relay
// ran. The ingest sleeps so that an unguarded overlap would be seen.
struct Shared {
  std::atomic<int> in_ingest{0};
  std::atomic<int> max_in_ingest{0};
  std::atomic<int> ingests{0};
  std::chrono::milliseconds ingest_time{30ms};
  std::function<void()> during_ingest;  // optional: runs inside the ingest (set before start)
};

class LockedFlow : public Flow {
 public:
  LockedFlow(Shared& shared, std::atomic<int>& relays) : shared_(shared), relays_(relays) {}
  std::string name() const override { return "po_outbound"; }
  Result<RunSummary> Run(RunContext& ctx) override {
    RunSummary summary;
    RETURN_IF_ERROR(ctx.Ingest(summary, [&]() -> Status {
      const int now_in = ++shared_.in_ingest;
      int seen = shared_.max_in_ingest.load();
      while (now_in > seen && !shared_.max_in_ingest.compare_exchange_weak(seen, now_in)) {
      }
      if (shared_.during_ingest) shared_.during_ingest();
      std::this_thread::sleep_for(shared_.ingest_time);
      ++shared_.ingests;
      --shared_.in_ingest;
      summary.counts["read"] += 1;
      return Status::Ok();
    }));
    ++relays_;  // the relay part: runs whether or not the ingest was skipped
    summary.counts["relayed"] += 1;
    return summary;
  }

 private:
  Shared& shared_;
  std::atomic<int>& relays_;
};

class RunnerLockTest : public store::testing::BackendTest {
 protected:
  std::unique_ptr<store::Store> OpenAnother(const Clock& clock) {
    auto s = store::OpenStore(db_->url(), clock);
    EXPECT_TRUE(s.ok()) << s.error();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  std::unique_ptr<FlowRunner> MakeRunner(store::Store* store, const std::string& owner,
                                         Shared& shared, std::atomic<int>& relays,
                                         IngestLockOptions o = {}) {
    auto r = std::make_unique<FlowRunner>(clock_, TimeZone::FixedOffset(0min));
    r->Add(std::make_unique<LockedFlow>(shared, relays), *Schedule::Parse("@daily"));
    o.store = store;
    o.owner = owner;
    r->SetIngestLock(o);
    return r;
  }

  static int64_t Skipped(const FlowRunner& r) { return r.status().at(0).ingest_skipped; }
};

TEST_P(RunnerLockTest, TwoRunnersNeverIngestTheSameFlowAtOnceAndBothRelay) {
  auto store_b = OpenAnother(clock_);
  ASSERT_NE(store_b, nullptr);
  Shared shared;
  std::atomic<int> relays_a{0}, relays_b{0};
  auto a = MakeRunner(store_.get(), "worker-a", shared, relays_a);
  auto b = MakeRunner(store_b.get(), "worker-b", shared, relays_b);
  a->Start();
  b->Start();
  constexpr int kRounds = 15;
  for (int round = 1; round <= kRounds; ++round) {
    ASSERT_TRUE(a->Trigger("po_outbound").ok());
    ASSERT_TRUE(b->Trigger("po_outbound").ok());
    ASSERT_TRUE(a->WaitForRuns("po_outbound", round, 20s)) << round;
    ASSERT_TRUE(b->WaitForRuns("po_outbound", round, 20s)) << round;
  }
  a->Stop();
  b->Stop();
  EXPECT_EQ(shared.max_in_ingest.load(), 1);  // never two ingests at once
  EXPECT_EQ(relays_a.load(), kRounds);        // every run of both relayed
  EXPECT_EQ(relays_b.load(), kRounds);
  // Each run either ingested or was counted as skipped, and every run succeeded.
  EXPECT_EQ(shared.ingests.load() + Skipped(*a) + Skipped(*b), 2 * kRounds);
  EXPECT_GE(shared.ingests.load(), kRounds);  // at least one ingest per round
  for (const auto* r : {a.get(), b.get()}) {
    EXPECT_EQ(r->status().at(0).failures, 0);
  }
  // Released after each ingest: nobody holds it now.
  auto locks = store_->ListLocks();
  ASSERT_TRUE(locks.ok()) << locks.error();
  ASSERT_EQ(locks->size(), 1u);
  EXPECT_EQ((*locks)[0].name, "ingest:po_outbound");
  EXPECT_LE((*locks)[0].expires_at, clock_.Now());
}

TEST_P(RunnerLockTest, AHeldLockSkipsTheIngestButNotTheRelay) {
  auto store_b = OpenAnother(clock_);
  ASSERT_NE(store_b, nullptr);
  Shared shared;
  std::promise<void> a_inside, let_a_go;
  auto let_go = let_a_go.get_future().share();
  std::atomic<bool> first{true};
  shared.during_ingest = [&] {
    if (first.exchange(false)) {
      a_inside.set_value();
      let_go.wait();
    }
  };
  // However this test ends (a failed ASSERT included), A's ingest is let go before the runners
  // are destroyed, so a failure never hangs.
  std::atomic<bool> released{false};
  auto release_a = [&] {
    if (!released.exchange(true)) let_a_go.set_value();
  };
  struct Finally {
    std::function<void()> fn;
    ~Finally() { fn(); }
  };
  std::atomic<int> relays_a{0}, relays_b{0};
  auto a = MakeRunner(store_.get(), "worker-a", shared, relays_a);
  auto b = MakeRunner(store_b.get(), "worker-b", shared, relays_b);
  Finally finally{release_a};  // destroyed before the runners
  a->Start();
  ASSERT_TRUE(a->Trigger("po_outbound").ok());
  a_inside.get_future().wait();  // A is ingesting, holding the lock

  auto results = b->RunAllOnce();
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].second.ok()) << results[0].second.error();
  EXPECT_EQ(results[0].second->counts.at("ingest_skipped"), 1);
  EXPECT_EQ(results[0].second->counts.count("read"), 0u);
  EXPECT_EQ(results[0].second->counts.at("relayed"), 1);
  EXPECT_EQ(Skipped(*b), 1);
  EXPECT_EQ(relays_b.load(), 1);

  release_a();
  ASSERT_TRUE(a->WaitForRuns("po_outbound", 1, 20s));
  a->Stop();
  EXPECT_EQ(Skipped(*a), 0);
  // A released it: B's next run ingests.
  results = b->RunAllOnce();
  ASSERT_TRUE(results[0].second.ok());
  EXPECT_EQ(results[0].second->counts.at("read"), 1);
  EXPECT_EQ(results[0].second->counts.count("ingest_skipped"), 0u);
  EXPECT_EQ(shared.ingests.load(), 2);
}

// Real time here: the lock's TTL (300 ms) is much shorter than the ingest (1.2 s), so only the
// renewals keep an intruder out.
TEST_P(RunnerLockTest, ALongIngestKeepsItsLockByRenewingIt) {
  auto store_a = OpenAnother(SystemClock::Get());
  auto intruder = OpenAnother(SystemClock::Get());
  ASSERT_NE(store_a, nullptr);
  ASSERT_NE(intruder, nullptr);
  Shared shared;
  shared.ingest_time = 1200ms;
  std::atomic<bool> inside{false};
  shared.during_ingest = [&] { inside = true; };
  std::atomic<int> relays{0};
  auto a = MakeRunner(store_a.get(), "worker-a", shared, relays,
                      {.store = nullptr, .owner = "", .ttl = 300ms, .renew_every = 50ms});
  std::thread run([&] { a->RunAllOnce(); });
  while (!inside) std::this_thread::sleep_for(1ms);
  int attempts = 0, stolen = 0;
  while (shared.ingests.load() == 0) {
    auto r = intruder->AcquireLock("ingest:po_outbound", "intruder", 300ms);
    ASSERT_TRUE(r.ok()) << r.error();
    if (r->acquired) {
      ++stolen;
      break;
    }
    ++attempts;
    std::this_thread::sleep_for(40ms);
  }
  run.join();
  EXPECT_EQ(stolen, 0);
  EXPECT_GE(attempts, 20);  // the intruder kept trying for well past the TTL
  auto after = intruder->AcquireLock("ingest:po_outbound", "intruder", 300ms);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->acquired);  // released at the end of the ingest
}

TEST_P(RunnerLockTest, ALockLeftByADeadProcessOfThisHostIsTakenOver) {
  const pid_t dead = fork();
  ASSERT_GE(dead, 0);
  if (dead == 0) _exit(0);
  int status = 0;
  ASSERT_EQ(waitpid(dead, &status, 0), dead);
  ASSERT_TRUE(store_->AcquireLock("ingest:po_outbound", fmt::format("box:{}", dead), 2min)->acquired);

  Shared shared;
  std::atomic<int> relays{0};
  auto a = MakeRunner(store_.get(), fmt::format("box:{}", getpid()), shared, relays);
  auto r = a->RunAllOnce();
  ASSERT_TRUE(r[0].second.ok()) << r[0].second.error();
  EXPECT_EQ(r[0].second->counts.at("read"), 1);  // ingested: the dead holder's hold was taken

  // A live holder (pid 1 exists), or one on another host, is waited for.
  for (const std::string& holder : {std::string("box:1"), fmt::format("elsewhere:{}", dead)}) {
    clock_.Advance(3min);  // whatever held it before has expired
    ASSERT_TRUE(store_->AcquireLock("ingest:po_outbound", holder, 2min)->acquired);
    r = a->RunAllOnce();
    ASSERT_TRUE(r[0].second.ok());
    EXPECT_EQ(r[0].second->counts.at("ingest_skipped"), 1) << holder;
  }
  EXPECT_EQ(shared.ingests.load(), 1);
  EXPECT_EQ(relays.load(), 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, RunnerLockTest, ::testing::Values("sqlite", "postgresql"),
                         store::testing::BackendName);

}  // namespace
}  // namespace mlc::flows
