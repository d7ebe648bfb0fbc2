// SIGTERM mid-run loses nothing, with real flows: the sandboxes run as processes (as scripts/e2e
// starts them) with 150 purchase orders, `ml-connector run` (the daemon, every flow every second)
// is sent SIGTERM while its relay has documents in flight, and the test checks that
//   - it exits 0 within a bound, saying it stopped,
//   - it left nothing in flight: every document it had leased is finished or handed back
//     (pending / retry_wait), and its ingest locks are released,
// and then, after a few `run --once` cycles with the partners answering, that nothing was lost
// and nothing doubled (the same end-of-test check as kill_test: e2e_support.h).
// The delay before the signal comes from a seed printed in the log (MLC_SIGTERM_SEED=<n>).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "tests/e2e/e2e_support.h"

namespace mlc::e2e {
namespace {

using std::chrono::seconds;

// How long a stop may take: the runs in flight finish first (the relay drains what is due; the
// ASan build is slow), so this is generous, but a hang fails.
constexpr auto kStopBound = seconds(90);

TEST(SigtermTest, DaemonStoppedWithDocumentsInFlightLosesNothing) {
  uint64_t seed = std::random_device{}();
  if (const char* s = getenv("MLC_SIGTERM_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::cout << "sigterm seed: MLC_SIGTERM_SEED=" << seed << "\n";
  std::mt19937_64 rng(seed);

  World world("mlc-sigterm");
  world.Start(/*pos=*/150, seed, [](std::string& config) {
    // The daemon runs every flow every second instead of every 5 minutes.
    const std::string from = "    schedule: every 5m\n";
    int n = 0;
    for (size_t at = 0; (at = config.find(from, at)) != std::string::npos; ++n) {
      config.replace(at, from.size(), "    schedule: every 1s\n");
    }
    ASSERT_EQ(n, 5) << "examples/demo.yaml changed: the five document flows run every 5m";
  });
  if (::testing::Test::HasFatalFailure()) return;
  setenv("MLC_DEMO_LOG_LEVEL", "info", 1);  // the lifecycle lines, for the checks below
  const fs::path out = world.out();

  Processes daemon;
  const pid_t pid = Spawn(world.Daemon(), out / "daemon.log");
  ASSERT_GT(pid, 0);
  daemon.pids.push_back(pid);  // SIGTERMed and reaped however the test ends

  // Wait for the relay to hold documents (in_flight), then a little more (0..200 ms).
  FakeClock clock;
  std::unique_ptr<store::Store> watcher;
  std::set<int64_t> held;  // documents seen in flight before the signal
  const auto give_up = std::chrono::steady_clock::now() + seconds(180);
  while (held.empty() && std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    ASSERT_NE(waitpid(pid, &status, WNOHANG), pid)
        << "the daemon exited early:\n" << ReadAll(out / "daemon.log");
    if (watcher == nullptr) {
      auto st = world.OpenStore(clock);
      if (st.ok()) watcher = std::move(st).value();
    }
    if (watcher != nullptr) {
      store::DocumentQuery q;
      q.state = store::DocState::kInFlight;
      q.limit = 1000;
      if (auto docs = watcher->ListDocuments(q); docs.ok()) {
        for (const auto& d : *docs) held.insert(d.id);
      }
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_FALSE(held.empty()) << "no document was ever in flight:\n" << ReadAll(out / "daemon.log");
  std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(0, 200)(rng)));

  // Work was left to do when the signal came: not every PO's 850 was done.
  store::DocumentQuery all;
  all.limit = 100000;
  auto before = watcher->ListDocuments(all);
  ASSERT_TRUE(before.ok());
  int unfinished_at_signal = 0, in_flight_at_signal = 0;
  for (const auto& d : *before) {
    if (d.state != store::DocState::kDone && d.state != store::DocState::kParked) {
      ++unfinished_at_signal;
    }
    if (d.state == store::DocState::kInFlight) {
      ++in_flight_at_signal;
      held.insert(d.id);
    }
  }

  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  bool exited = false;
  while (std::chrono::steady_clock::now() - signalled < kStopBound) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  const auto stop_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - signalled);
  daemon.pids.clear();
  if (!exited) {
    kill(pid, SIGKILL);
    Wait(pid);
    FAIL() << "the daemon did not stop within " << kStopBound.count() << " s of SIGTERM:\n"
           << ReadAll(out / "daemon.log");
  }
  const std::string log = ReadAll(out / "daemon.log");
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 0) << log;
  EXPECT_NE(log.find("stopping: finishing runs in flight"), std::string::npos) << log;
  EXPECT_NE(log.find("ml-connector stopped"), std::string::npos) << log;
  std::cout << fmt::format(
      "SIGTERM with {} document(s) in flight and {} unfinished; stopped in {} ms\n",
      in_flight_at_signal, unfinished_at_signal, stop_ms.count());
  EXPECT_GT(unfinished_at_signal, 0) << "the signal came after all the work was done";

  // What the stopped daemon left: nothing in flight. Every document it held is finished or
  // handed back for the next run; no ingest lock is still held.
  {
    auto st = world.OpenStore(SystemClock::Get());
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    auto docs = (*st)->ListDocuments(all);
    ASSERT_TRUE(docs.ok());
    std::map<std::string, int> held_states;
    for (const auto& d : *docs) {
      EXPECT_NE(d.state, store::DocState::kInFlight)
          << d.id << " " << d.type << " " << d.po_number << " still leased by " << d.lease_owner;
      if (!held.contains(d.id)) continue;
      ++held_states[std::string(store::DocStateName(d.state))];
      EXPECT_TRUE(d.lease_owner.empty()) << d.id << " keeps a lease of " << d.lease_owner;
      if (d.state == store::DocState::kParked) {
        EXPECT_EQ(d.last_error_message.rfind("exception: ", 0), 0u)
            << d.id << " parked by the stop: " << d.last_error_message;
      }
    }
    std::cout << "documents held at the signal, after the stop:";
    for (const auto& [s, n] : held_states) std::cout << " " << s << "=" << n;
    std::cout << "\n";
    auto locks = (*st)->ListLocks();
    ASSERT_TRUE(locks.ok()) << locks.status().ToString();
    EXPECT_FALSE(locks->empty()) << "the daemon never took an ingest lock";
    for (const auto& l : *locks) {
      EXPECT_LE(l.expires_at, SystemClock::Get().Now()) << l.name << " still held by " << l.owner;
    }
  }
  watcher.reset();

  // The next runs pick up where it stopped, with the partners answering in between.
  for (int i = 0; i < 3; ++i) {
    world.PartnersStep();
    const fs::path run_log = out / fmt::format("run-after-{}.log", i);
    EXPECT_EQ(RunToEnd(world.RunOnce(), run_log), 0) << ReadAll(run_log);
  }
  world.PartnersStep();
  EXPECT_EQ(RunToEnd(world.RunOnce(), out / "run-last.log"), 0) << ReadAll(out / "run-last.log");

  Outcome o;
  CheckNothingLostNothingDoubled(world, &o);
  std::cout << StatesLine(o) << "\n"
            << fmt::format("{} bills, {} POs sent\n", o.billed, o.pos_sent);
  EXPECT_GT(o.pos_sent, 10) << "few POs went out: the test proved little";
}

}  // namespace
}  // namespace mlc::e2e
