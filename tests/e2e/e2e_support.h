// Shared by the process tests of tests/e2e (kill_test, sigterm_test): the sandboxes started as
// processes the way scripts/e2e starts them, the demo config with the test's edits, the
// `run --once` command line, the partners' and warehouse's answers, and the end-of-test check
// that the connector lost nothing and doubled nothing (store, Cleo mailboxes, NetSuite bills).
//
// Header-only, for the test binaries of this folder; GoogleTest assertions report failures.
// Not thread-safe: one World per test.
#pragma once

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
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "sandbox/netsuite/state.h"
#include "store/store.h"
#include "tests/flows_sandbox/x12_beg.h"

extern char** environ;

namespace mlc::e2e {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;

inline std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Starts `argv` with stdin from `in` (or /dev/null) and stdout + stderr appended to `log`.
inline pid_t Spawn(const std::vector<std::string>& argv, const fs::path& log,
                   const fs::path& in = {}) {
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

inline int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Runs to the end; the exit status (or -1 when it did not exit normally).
inline int RunToEnd(const std::vector<std::string>& argv, const fs::path& log,
                    const fs::path& in = {}) {
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
inline int WaitPort(const fs::path& log) {
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

// Inserts `line` after every occurrence of `after` in `text`; returns how many.
inline int InsertAfterEach(std::string& text, const std::string& after, const std::string& line) {
  int n = 0;
  for (size_t at = 0; (at = text.find(after, at)) != std::string::npos; ++n) {
    text.insert(at + after.size(), line);
    at += after.size() + line.size();
  }
  return n;
}

// The sandboxes (NetSuite with `pos` purchase orders, Cleo with the example seed) and the demo
// config, as scripts/e2e sets them up, in a fresh directory under the temp dir.
class World {
 public:
  explicit World(const std::string& name)
      : out_(fs::temp_directory_path() / fmt::format("{}-{}", name, getpid())) {
    fs::remove_all(out_);
    fs::create_directories(out_ / "cleo");
  }
  // Removes the directory when the test passed (kept for inspection otherwise).
  ~World() {
    procs_.StopAll();
    if (!::testing::Test::HasFailure()) fs::remove_all(out_);
  }

  // Starts the sandboxes, writes examples/demo.yaml edited by `edit_config` (its result is the
  // config), sets the environment scripts/e2e sets and seals the NetSuite key in the vault.
  // Fatal failures abort the calling test (check ::testing::Test::HasFatalFailure()).
  void Start(int pos, uint64_t seed, const std::function<void(std::string&)>& edit_config) {
    std::mt19937_64 rng(seed);
    const fs::path creds_file = out_ / "netsuite-credentials.json";
    procs_.pids.push_back(Spawn({sandbox_, "netsuite", "--port", "0", "--db",
                                 (out_ / "netsuite.db").string(), "--credentials",
                                 creds_file.string(), "--vendors", "12", "--items", "60", "--pos",
                                 std::to_string(pos), "--max-lines", "3"},
                                out_ / "netsuite.log"));
    ns_port_ = WaitPort(out_ / "netsuite.log");
    ASSERT_GT(ns_port_, 0) << ReadAll(out_ / "netsuite.log");
    procs_.pids.push_back(Spawn({sandbox_, "cleo", "--port", "0", "--root",
                                 (out_ / "cleo").string(), "--seed", seed_file_},
                                out_ / "cleo.log"));
    const int cleo_port = WaitPort(out_ / "cleo.log");
    ASSERT_GT(cleo_port, 0) << ReadAll(out_ / "cleo.log");

    std::string config = ReadAll(fs::path(MLC_SOURCE_DIR) / "examples/demo.yaml");
    edit_config(config);
    std::ofstream(config_file()) << config;

    const json creds = json::parse(ReadAll(creds_file), nullptr, false);
    ASSERT_TRUE(creds.is_object()) << ReadAll(creds_file);
    creds_file_ = creds_file;
    std::string vault_key;
    for (int i = 0; i < 32; ++i) {
      vault_key += fmt::format("{:02x}", static_cast<unsigned>(rng() & 0xff));
    }
    const std::map<std::string, std::string> env = {
        {"MLC_DEMO_DIR", out_.string()},
        {"MLC_DEMO_NETSUITE_PORT", std::to_string(ns_port_)},
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

    const fs::path key_file = out_ / "key.pem";
    std::ofstream(key_file) << creds.value("private_key_pem", "");
    fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write);
    ASSERT_EQ(RunToEnd({connector_, "-c", config_file().string(), "secrets", "set",
                        "netsuite_private_key"},
                       out_ / "secrets.log", key_file),
              0)
        << ReadAll(out_ / "secrets.log");
    fs::remove(key_file);
  }

  // `ml-connector -c CONFIG run --once --json`.
  std::vector<std::string> RunOnce() const {
    return {connector_, "-c", config_file().string(), "run", "--once", "--json"};
  }
  // `ml-connector -c CONFIG run` (the daemon).
  std::vector<std::string> Daemon() const {
    return {connector_, "-c", config_file().string(), "run"};
  }

  // The partners answer what they got (997, 855, 810) and the warehouse receives shipments.
  void PartnersStep() {
    EXPECT_EQ(RunToEnd({sandbox_, "partners", "step", "--root", (out_ / "cleo").string(),
                        "--seed", seed_file_},
                       out_ / "partners.log"),
              0)
        << ReadAll(out_ / "partners.log");
    EXPECT_EQ(RunToEnd({sandbox_, "warehouse", "step", "--root", (out_ / "cleo").string(),
                        "--netsuite-url", fmt::format("http://127.0.0.1:{}", ns_port_),
                        "--credentials", creds_file_.string()},
                       out_ / "warehouse.log"),
              0)
        << ReadAll(out_ / "warehouse.log");
  }

  // Opens the connector's store (a SQLite file; safe beside a running connector).
  Result<std::unique_ptr<store::Store>> OpenStore(const Clock& clock) const {
    return store::OpenStore("sqlite://" + (out_ / "state.db").string(), clock);
  }

  // Stops the sandboxes (NetSuite's database is then read directly).
  void StopSandboxes() { procs_.StopAll(); }

  const fs::path& out() const { return out_; }
  fs::path config_file() const { return out_ / "e2e.yaml"; }

 private:
  fs::path out_;
  std::string sandbox_ = MLC_SANDBOX_BIN;
  std::string connector_ = MLC_CONNECTOR_BIN;
  std::string seed_file_ = (fs::path(MLC_SOURCE_DIR) / "sandbox/cleo/seed.example.yaml").string();
  fs::path creds_file_;
  int ns_port_ = 0;
  Processes procs_;
};

// What the processes left, for the test's summary line.
struct Outcome {
  std::map<std::string, int> states;  // document state -> count
  int pos_sent = 0;                   // POs with an 850 document
  int billed = 0;                     // 810s done (a bill each)
};

// The end-of-test check, after the last runs: in the store every document is done or parked as
// an exception (never stuck, never parked because of the crash or the stop); in the mailboxes
// every PO's 850 exactly once; in NetSuite every bill once per externalId, one per billed 810.
// Stops the sandboxes.
inline void CheckNothingLostNothingDoubled(World& world, Outcome* outcome) {
  FakeClock clock;
  auto st = world.OpenStore(clock);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  store::DocumentQuery all;
  all.limit = 100000;
  auto docs = (*st)->ListDocuments(all);
  ASSERT_TRUE(docs.ok());
  Outcome o;
  std::map<std::string, int> po_docs;  // po number -> 850 documents
  for (const auto& d : *docs) {
    ++o.states[std::string(store::DocStateName(d.state))];
    EXPECT_TRUE(d.state == store::DocState::kDone || d.state == store::DocState::kParked)
        << d.id << " " << d.type << " " << d.po_number << " is " << store::DocStateName(d.state);
    if (d.state == store::DocState::kParked) {
      // Parked as an exception (a business reason), never because of the kills or the stop.
      EXPECT_EQ(d.last_error_message.rfind("exception: ", 0), 0u)
          << d.type << " " << d.po_number << ": " << d.last_error_message;
    }
    if (d.type == "850") ++po_docs[d.po_number];
    if (d.type == "810" && d.state == store::DocState::kDone) ++o.billed;
  }
  o.pos_sent = static_cast<int>(po_docs.size());
  EXPECT_GT(po_docs.size(), 0u);
  EXPECT_GT(o.billed, 0) << "no invoice was billed: the test proved little";

  // The mailboxes: each PO's 850 once (the POs are not changed, so one revision each).
  std::map<std::string, int> files_850;  // "PO BEG01" -> files
  for (const auto& e : fs::recursive_directory_iterator(world.out() / "cleo")) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.find("_850_") == std::string::npos) continue;
    for (const auto& beg : x12_testing::BegOf(ReadAll(e.path()))) ++files_850[beg];
  }
  EXPECT_EQ(files_850.size(), po_docs.size());
  for (const auto& [po, n] : files_850) EXPECT_EQ(n, 1) << "850 files for PO " << po;
  for (const auto& [po, n] : po_docs) EXPECT_EQ(n, 1) << "850 documents for PO " << po;

  // NetSuite: each bill once, one per billed invoice.
  world.StopSandboxes();
  sandbox::netsuite::StateOptions so;
  so.db_path = (world.out() / "netsuite.db").string();
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
  EXPECT_EQ(static_cast<int>(bills["items"].size()), o.billed);
  if (outcome != nullptr) *outcome = o;
}

inline std::string StatesLine(const Outcome& o) {
  std::string s = "documents:";
  for (const auto& [state, n] : o.states) s += fmt::format(" {}={}", state, n);
  return s;
}

}  // namespace mlc::e2e
