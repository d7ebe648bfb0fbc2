// Crashes for real: the sandboxes run as processes (ml-sandbox netsuite and cleo, as scripts/e2e
// starts them), and `ml-connector run --once` with examples/demo.yaml is SIGKILLed at random
// moments, several times per cycle, with the partners and the warehouse answering between
// cycles. Then the lease runs out, a few runs finish normally, and the test checks what the
// processes left:
//   - no duplicate vendor bills in NetSuite (each externalId once; one bill per billed 810),
//   - every PO's 850 at most once per revision in the mailboxes (outbox + sentbox),
//   - nothing stuck in_flight (a killed run's documents are reclaimed once their lease expired:
//     the config gives every flow, reference_sync included, `lease: 2s` instead of the default
//     5m),
//   - no document lost: every one done or parked as an exception with its reason.
// The kill times come from a seed printed in the log (MLC_KILL_SEED=<n> repeats a run).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include "tests/e2e/e2e_support.h"

namespace mlc::e2e {
namespace {

TEST(KillTest, KilledRunsLoseNothingAndDuplicateNothing) {
  const auto started = std::chrono::steady_clock::now();
  uint64_t seed = std::random_device{}();
  if (const char* s = getenv("MLC_KILL_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::cout << "kill seed: MLC_KILL_SEED=" << seed << "\n";
  std::mt19937_64 rng(seed);

  // The demo config, with a short lease so killed runs' documents are reclaimed within seconds.
  World world("mlc-kill");
  world.Start(/*pos=*/60, seed, [](std::string& config) {
    ASSERT_EQ(InsertAfterEach(config, "    schedule: every 5m\n", "    lease: 2s\n"), 5)
        << "examples/demo.yaml changed: the five document flows run every 5m";
    // reference_sync's export relay leases its snapshot document too.
    ASSERT_EQ(InsertAfterEach(config, "    schedule: every 1h\n", "    lease: 2s\n"), 1)
        << "examples/demo.yaml changed: reference_sync runs every 1h";
  });
  if (::testing::Test::HasFatalFailure()) return;
  constexpr auto kLease = std::chrono::seconds(2);
  const fs::path out = world.out();
  const std::vector<std::string> run_once = world.RunOnce();
  auto partners_step = [&] { world.PartnersStep(); };

  // What a killed run left in flight (read from the store file while no connector runs).
  FakeClock clock;
  auto in_flight_now = [&]() -> int {
    auto st = world.OpenStore(clock);
    if (!st.ok()) return 0;  // killed before the store was created
    store::DocumentQuery q;
    q.state = store::DocState::kInFlight;
    q.limit = 100000;
    auto docs = (*st)->ListDocuments(q);
    return docs.ok() ? static_cast<int>(docs->size()) : 0;
  };

  // About how long an undisturbed run takes here (ASan build): the random kills land within it.
  // The very first runs are killed too, so the POs go out under kills as well.
  const milliseconds full_run(2000);

  // Each cycle: two kills at a random moment of the run, and two at a random moment (0..30 ms)
  // after documents are seen in flight (a reader polls the store while the run works), then the
  // partners and the warehouse answer.
  auto watcher = world.OpenStore(clock);
  ASSERT_TRUE(watcher.ok()) << watcher.status().ToString();
  auto any_in_flight = [&] {
    store::DocumentQuery q;
    q.state = store::DocState::kInFlight;
    q.limit = 1;
    auto docs = (*watcher)->ListDocuments(q);
    return docs.ok() && !docs->empty();
  };
  int kills = 0, finished_before_kill = 0, caught_in_flight = 0;
  for (int cycle = 0; cycle < 3; ++cycle) {
    for (int k = 0; k < 4; ++k) {
      const pid_t pid = Spawn(run_once, out / fmt::format("run-kill-{}-{}.log", cycle, k));
      ASSERT_GT(pid, 0);
      bool exited = false;  // reaped while waiting: never signal a reaped pid
      if (k % 2 == 0) {
        std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(
            50, std::max(400, static_cast<int>(full_run.count())))(rng)));
      } else {
        const auto give_up = std::chrono::steady_clock::now() + 2 * full_run;
        int status = 0;
        while (!any_in_flight() && std::chrono::steady_clock::now() < give_up) {
          if (waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            break;
          }
          std::this_thread::sleep_for(milliseconds(2));
        }
        std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(0, 30)(rng)));
      }
      int status = 0;
      if (!exited) {
        kill(pid, SIGKILL);
        status = Wait(pid);
      }
      if (!exited && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
        ++kills;
        caught_in_flight += in_flight_now();
      } else {
        ++finished_before_kill;
      }
    }
    partners_step();
  }

  // The leases of what the killed runs held run out; then runs finish normally, with the
  // partners answering what they now get, until their invoices are in.
  std::this_thread::sleep_for(kLease + milliseconds(200));
  for (int i = 0; i < 3; ++i) {
    const fs::path log = out / fmt::format("run-final-{}.log", i);
    EXPECT_EQ(RunToEnd(run_once, log), 0) << ReadAll(log);
    partners_step();
  }
  EXPECT_EQ(RunToEnd(run_once, out / "run-last.log"), 0) << ReadAll(out / "run-last.log");
  std::cout << fmt::format(
      "{} runs killed ({} with documents in flight, {} in all), {} finished before their kill\n",
      kills, caught_in_flight > 0 ? "some" : "none", caught_in_flight, finished_before_kill);
  EXPECT_GE(kills, 6) << "most runs should have been killed mid-way";
  EXPECT_GT(caught_in_flight, 0) << "no kill caught a document in flight: the reclaim path was "
                                    "not exercised";

  // Nothing stuck, nothing lost, nothing doubled: store, mailboxes, NetSuite.
  Outcome o;
  CheckNothingLostNothingDoubled(world, &o);
  std::cout << StatesLine(o) << "\n";

  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  std::cout << fmt::format("{} bills, {} POs sent; the test took {} ms\n", o.billed, o.pos_sent,
                           took.count());
}

}  // namespace
}  // namespace mlc::e2e
