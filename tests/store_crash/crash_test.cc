// The relay survives kill -9 anywhere: a real worker process (worker.cc) is killed at every fault
// point between claim, side effect and commit, and at random moments, then restarted; at the end
// every document's two steps were performed exactly once at the sink, nothing is lost, and the
// audit trail is complete. On SQLite and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "crash_support.h"
#include "store/testing.h"

namespace mlc::store {
namespace {

constexpr int kPerRun = 6;  // fresh documents before each worker run, so every run has work

class CrashTest : public testing::BackendTest {
 protected:
  std::string sink() const {
    return (std::filesystem::temp_directory_path() /
            ("mlc_sink_" + std::to_string(getpid()) + "_" + GetParam() + ".db"))
        .string();
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(sink() + suffix);
  }
  crash::Exit RunWorker(const std::string& id, const std::vector<std::string>& env,
                        std::optional<std::chrono::milliseconds> kill_after = std::nullopt) {
    pid_t pid = crash::Spawn(MLC_CRASH_WORKER, {db_->url(), sink(), id, "300"}, env);
    EXPECT_GT(pid, 0);
    if (kill_after) {
      std::this_thread::sleep_for(*kill_after);
      ::kill(pid, SIGKILL);
    }
    return crash::Wait(pid);
  }
};

TEST_P(CrashTest, EveryStepExactlyOnceAcrossKillNine) {
  int kills = 0;
  int seeded = 0;
  auto seed = [&](int run_no) {
    ASSERT_TRUE(crash::SeedDocuments(*store_, kPerRun, "b" + std::to_string(run_no)).ok());
    seeded += kPerRun;
  };
  int run = 0;
  // 1. A crash at each fault point, at a few occurrences (the 1st, 4th, 9th time it is reached).
  for (const char* point :
       {"claimed", "before_side_effect", "after_side_effect", "ran", "recorded"}) {
    for (int nth : {1, 4, 9}) {
      seed(run + 1);
      crash::Exit e = RunWorker("w" + std::to_string(++run),
                                {std::string("MLC_CRASH_AT=") + point + ":" + std::to_string(nth)});
      if (e.killed) {
        ++kills;
      } else {
        EXPECT_EQ(e.code, 0) << "worker failed at " << point << ":" << nth;
      }
    }
  }
  // 2. kill -9 from outside at random moments (also inside store and sink transactions).
  std::mt19937 rng(12345);
  for (int i = 0; i < 10; ++i) {
    auto after = std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 250)(rng));
    seed(run + 1);
    crash::Exit e = RunWorker("r" + std::to_string(++run), {}, after);
    if (e.killed) ++kills;
  }
  // 3. A clean run finishes whatever is left.
  crash::Exit last = RunWorker("final", {});
  ASSERT_FALSE(last.killed);
  ASSERT_EQ(last.code, 0);
  EXPECT_GE(kills, 15) << "too few crashes happened to mean anything";
  RecordProperty("kills", kills);
  std::printf("crash test (%s): %d worker processes killed with SIGKILL\n", GetParam().c_str(),
              kills);

  // Exactly once at the sink, nothing lost.
  crash::SinkCounts sink_counts = crash::ReadSink(sink());
  ASSERT_EQ(sink_counts.deliveries.size(), 2u * seeded);
  int retried = 0;
  for (const auto& [key, n] : sink_counts.deliveries) EXPECT_EQ(n, 1) << key;
  for (const auto& [key, n] : sink_counts.attempts) retried += n > 1 ? 1 : 0;
  std::printf("crash test (%s): %d of %d steps were attempted more than once, delivered once\n",
              GetParam().c_str(), retried, 2 * seeded);

  // Every document done, with a complete audit trail: received, and each step finished exactly
  // once ("completed" after a send, or "delivered" when a rerun found its earlier delivery).
  auto docs = store_->ListDocuments({.limit = 1000});
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), static_cast<size_t>(seeded));
  for (const Document& d : *docs) {
    EXPECT_EQ(d.state, DocState::kDone) << d.idempotency_key;
    auto events = store_->QueryAudit({.document_id = d.id, .limit = 1000});
    ASSERT_TRUE(events.ok());
    std::map<std::string, int> finished;
    int received = 0;
    for (const auto& e : *events) {
      if (e.event == "received") ++received;
      if (e.event == "completed" || e.event == "delivered") ++finished[e.step];
    }
    EXPECT_EQ(received, 1) << d.idempotency_key;
    EXPECT_EQ(finished["deliver"], 1) << d.idempotency_key;
    EXPECT_EQ(finished["confirm"], 1) << d.idempotency_key;
    EXPECT_TRUE(store_->GetPayload(d.id, "deliver", "input").ok());
  }
  EXPECT_EQ(store_->GetCursor("crash")->value_or(""), "b" + std::to_string(run));
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, ::testing::Values("sqlite", "postgresql"),
                         testing::BackendName);

}  // namespace
}  // namespace mlc::store
