// Crashes for real: the sandboxes run as processes (ml-sandbox netsuite and cleo, as scripts/e2e
// starts them), and `ml-connector run --once` with examples/demo.yaml is SIGKILLed at random
// moments, several times per cycle, with the partners and the warehouse answering between
// cycles. Then the lease runs out, a few runs finish normally, and the test checks what the
// processes left:
//   - no duplicate vendor bills in NetSuite (each externalId once; one bill per billed 810),
//   - every PO's 850 at most once per revision in the mailboxes (outbox + sentbox),
//   - nothing stuck in_flight (a killed run's documents are reclaimed once their lease expired:
//     the config gives every flow `lease: 2s` instead of the default 5m),
//   - no document lost: every one done or parked as an exception with its reason.
// The kill times come from a seed printed in the log (MLC_KILL_SEED=<n> repeats a run).
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "sandbox/netsuite/state.h"
#include "store/store.h"
#include "tests/flows_sandbox/x12_beg.h"

extern char** environ;

namespace mlc {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Starts `argv` with stdin from `in` (or /dev/null) and stdout + stderr appended to `log`.
pid_t Spawn(const std::vector<std::string>& argv, const fs::path& log, const fs::path& in = {}) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in.empty() ? "/dev/null" : in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Runs to the end; the exit status (or -1 when it did not exit normally).
int RunToEnd(const std::vector<std::string>& argv, const fs::path& log, const fs::path& in = {}) {
  const pid_t pid = Spawn(argv, log, in);
  if (pid < 0) return -1;
  const int status = Wait(pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The sandbox processes, stopped (SIGTERM) when the test ends however it ends.
struct Processes {
  std::vector<pid_t> pids;
  ~Processes() { StopAll(); }
  void StopAll() {
    for (pid_t p : pids) kill(p, SIGTERM);
    for (pid_t p : pids) Wait(p);
    pids.clear();
  }
};

// Waits for "port=N" in a server's log; 0 when it did not come within 30 s.
int WaitPort(const fs::path& log) {
  for (int i = 0; i < 300; ++i) {
    const std::string s = ReadAll(log);
    const auto at = s.find("port=");
    if (at != std::string::npos && s.find('\n', at) != std::string::npos) {
      return std::atoi(s.c_str() + at + 5);
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  return 0;
}

TEST(KillTest, KilledRunsLoseNothingAndDuplicateNothing) {
  const auto started = std::chrono::steady_clock::now();
  const fs::path out = fs::temp_directory_path() / fmt::format("mlc-kill-{}", getpid());
  fs::remove_all(out);
  fs::create_directories(out / "cleo");
  const fs::path src = MLC_SOURCE_DIR;
  const std::string seed_file = (src / "sandbox/cleo/seed.example.yaml").string();
  const std::string sandbox = MLC_SANDBOX_BIN;
  const std::string connector = MLC_CONNECTOR_BIN;

  uint64_t seed = std::random_device{}();
  if (const char* s = getenv("MLC_KILL_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::cout << "kill seed: MLC_KILL_SEED=" << seed << "\n";
  std::mt19937_64 rng(seed);

  // The sandboxes, as scripts/e2e starts them.
  Processes procs;
  const fs::path creds_file = out / "netsuite-credentials.json";
  procs.pids.push_back(Spawn(
      {sandbox, "netsuite", "--port", "0", "--db", (out / "netsuite.db").string(), "--credentials",
       creds_file.string(), "--vendors", "12", "--items", "60", "--pos", "60", "--max-lines", "3"},
      out / "netsuite.log"));
  const int ns_port = WaitPort(out / "netsuite.log");
  ASSERT_GT(ns_port, 0) << ReadAll(out / "netsuite.log");
  procs.pids.push_back(Spawn(
      {sandbox, "cleo", "--port", "0", "--root", (out / "cleo").string(), "--seed", seed_file},
      out / "cleo.log"));
  const int cleo_port = WaitPort(out / "cleo.log");
  ASSERT_GT(cleo_port, 0) << ReadAll(out / "cleo.log");

  // The demo config, with a short lease so killed runs' documents are reclaimed within seconds.
  std::string config = ReadAll(src / "examples/demo.yaml");
  const std::string schedule = "    schedule: every 5m\n";
  int leases = 0;
  for (size_t at = 0; (at = config.find(schedule, at)) != std::string::npos; ++leases) {
    config.insert(at + schedule.size(), "    lease: 2s\n");
    at += schedule.size();
  }
  ASSERT_EQ(leases, 5) << "examples/demo.yaml changed: the five document flows run every 5m";
  const fs::path config_file = out / "kill.yaml";
  std::ofstream(config_file) << config;
  constexpr auto kLease = std::chrono::seconds(2);

  const json creds = json::parse(ReadAll(creds_file), nullptr, false);
  ASSERT_TRUE(creds.is_object()) << ReadAll(creds_file);
  std::string vault_key;
  for (int i = 0; i < 32; ++i) {
    vault_key += fmt::format("{:02x}", static_cast<unsigned>(rng() & 0xff));
  }
  const std::map<std::string, std::string> env = {
      {"MLC_DEMO_DIR", out.string()},
      {"MLC_DEMO_NETSUITE_PORT", std::to_string(ns_port)},
      {"MLC_DEMO_CLEO_PORT", std::to_string(cleo_port)},
      {"MLC_VAULT_KEY", vault_key},
      {"MLC_DEMO_NS_CLIENT_ID", creds.value("client_id", "")},
      {"MLC_DEMO_NS_CERTIFICATE_ID", creds.value("certificate_id", "")},
      {"MLC_DEMO_NS_ALGORITHM", creds.value("algorithm", "")},
      // The sandbox's own throwaway values (sandbox/cleo/seed.example.yaml), as scripts/e2e.
      {"MLC_DEMO_CLEO_PASSWORD", "sandbox-api-pass"},
      {"MLC_DEMO_ACME_PASSWORD", "acme-mailbox-pass"},
      {"MLC_DEMO_GLOBEX_PASSWORD", "globex-mailbox-pass"},
      {"MLC_DEMO_INITECH_PASSWORD", "initech-mailbox-pass"}};
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);

  const fs::path key_file = out / "key.pem";
  std::ofstream(key_file) << creds.value("private_key_pem", "");
  fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_EQ(
      RunToEnd({connector, "-c", config_file.string(), "secrets", "set", "netsuite_private_key"},
               out / "secrets.log", key_file),
      0)
      << ReadAll(out / "secrets.log");
  fs::remove(key_file);

  const std::vector<std::string> run_once = {connector, "-c",     config_file.string(),
                                             "run",     "--once", "--json"};
  auto partners_step = [&] {
    EXPECT_EQ(RunToEnd({sandbox, "partners", "step", "--root", (out / "cleo").string(), "--seed",
                        seed_file},
                       out / "partners.log"),
              0)
        << ReadAll(out / "partners.log");
    EXPECT_EQ(RunToEnd({sandbox, "warehouse", "step", "--root", (out / "cleo").string(),
                        "--netsuite-url", fmt::format("http://127.0.0.1:{}", ns_port),
                        "--credentials", creds_file.string()},
                       out / "warehouse.log"),
              0)
        << ReadAll(out / "warehouse.log");
  };

  // What a killed run left in flight (read from the store file while no connector runs).
  FakeClock clock;
  auto in_flight_now = [&]() -> int {
    auto st = store::OpenStore("sqlite://" + (out / "state.db").string(), clock);
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
  auto watcher = store::OpenStore("sqlite://" + (out / "state.db").string(), clock);
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

  // The connector's store: nothing stuck, nothing lost.
  auto st = store::OpenStore("sqlite://" + (out / "state.db").string(), clock);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  store::DocumentQuery all;
  all.limit = 100000;
  auto docs = (*st)->ListDocuments(all);
  ASSERT_TRUE(docs.ok());
  std::map<std::string, int> states;
  std::map<std::string, int> po_docs;  // po number -> 850 documents
  int billed = 0;
  for (const auto& d : *docs) {
    ++states[std::string(store::DocStateName(d.state))];
    EXPECT_TRUE(d.state == store::DocState::kDone || d.state == store::DocState::kParked)
        << d.id << " " << d.type << " " << d.po_number << " is " << store::DocStateName(d.state);
    if (d.state == store::DocState::kParked) {
      // Parked as an exception (a business reason), never because of the kills.
      EXPECT_EQ(d.last_error_message.rfind("exception: ", 0), 0u)
          << d.type << " " << d.po_number << ": " << d.last_error_message;
    }
    if (d.type == "850") ++po_docs[d.po_number];
    if (d.type == "810" && d.state == store::DocState::kDone) ++billed;
  }
  std::cout << "documents:";
  for (const auto& [s, n] : states) std::cout << " " << s << "=" << n;
  std::cout << "\n";
  EXPECT_GT(po_docs.size(), 0u);
  EXPECT_GT(billed, 0) << "no invoice was billed: the test proved little";

  // The mailboxes: each PO's 850 once (no changes were made to the POs, so one revision each).
  std::map<std::string, int> files_850;  // "PO BEG01" -> files
  for (const auto& e : fs::recursive_directory_iterator(out / "cleo")) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.find("_850_") == std::string::npos) continue;
    for (const auto& beg : x12_testing::BegOf(ReadAll(e.path()))) ++files_850[beg];
  }
  EXPECT_EQ(files_850.size(), po_docs.size());
  for (const auto& [po, n] : files_850) EXPECT_EQ(n, 1) << "850 files for PO " << po;
  for (const auto& [po, n] : po_docs) EXPECT_EQ(n, 1) << "850 documents for PO " << po;

  // NetSuite: each bill once, one per billed invoice.
  procs.StopAll();
  sandbox::netsuite::StateOptions so;
  so.db_path = (out / "netsuite.db").string();
  auto ns = sandbox::netsuite::State::Open(so);
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  auto a = (*ns)->SuiteQl(json{{"q",
                                "SELECT externalid AS e FROM transaction WHERE type = "
                                "'VendBill' AND externalid IS NOT NULL AND createdfrom IS "
                                "NOT NULL"}}
                              .dump(),
                          1000, 0);
  ASSERT_EQ(a.status, 200) << a.body;
  const json bills = json::parse(a.body, nullptr, false);
  ASSERT_TRUE(bills.contains("items")) << a.body;
  std::map<std::string, int> by_external_id;
  for (const auto& row : bills["items"]) ++by_external_id[row["e"].get<std::string>()];
  for (const auto& [e, n] : by_external_id) EXPECT_EQ(n, 1) << "bills with externalId " << e;
  EXPECT_EQ(static_cast<int>(bills["items"].size()), billed);

  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  std::cout << fmt::format("{} bills, {} POs sent; the test took {} ms\n", billed, po_docs.size(),
                           took.count());
  if (!HasFailure()) fs::remove_all(out);
}

}  // namespace
}  // namespace mlc
