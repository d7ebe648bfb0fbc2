// `ml-connector run` as a process: it is started with a config in a temp directory, its JSON log
// lines are read from stderr, and it is sent real signals.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/curl_http_client.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kConfig = R"(store:
  url: sqlite://{dir}/state.db
logging:
  format: json
  level: info
netsuite:
  account_id: "1234567_SB1"
  base_url: http://127.0.0.1:9
  retry: {max_attempts: 1}
  auth:
    method: oauth2_m2m
    oauth2:
      client_id: env:T_NS_CLIENT
      certificate_id: cert1
      private_key: env:T_NS_KEY
cleo:
  base_url: http://127.0.0.1:9
  username: demo
  password: env:T_CLEO_PASSWORD
flows:
  po_outbound:
    schedule: every 5m
server:
  listen: 127.0.0.1:0
  webhook:
    allowed_cidrs: [127.0.0.1/32]
)";

class Daemon {
 public:
  explicit Daemon(const fs::path& config, std::vector<std::string> extra = {"run"}) {
    int err[2], out[2];
    EXPECT_EQ(pipe(err), 0);
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(err[1], 2);
      dup2(out[1], 1);
      close(err[0]);
      close(out[0]);
      setenv("T_NS_CLIENT", "client-id-1234", 1);
      setenv("T_NS_KEY", "private-key-5678", 1);
      setenv("T_CLEO_PASSWORD", "cleo-password-9012", 1);
      std::vector<std::string> args = {MLC_CONNECTOR_BIN, "-c", config.string()};
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(err[1]);
    close(out[1]);
    err_ = err[0];
    out_ = out[0];
  }
  ~Daemon() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(err_);
    close(out_);
  }

  // Waits for a JSON log line whose "msg" equals `msg`; returns it (null on timeout).
  nlohmann::json WaitFor(const std::string& msg, std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      size_t nl;
      while ((nl = buffer_.find('\n')) != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        lines_.push_back(line);
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.value("msg", "") == msg) return j;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return nullptr;
      pollfd p{err_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return nullptr;
      char buf[4096];
      ssize_t n = read(err_, buf, sizeof buf);
      if (n <= 0) return nullptr;
      buffer_.append(buf, static_cast<size_t>(n));
    }
  }
  std::string AllStdout() {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = read(out_, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    return s;
  }
  void Signal(int sig) { kill(pid_, sig); }
  // Exit code, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  pid_t pid_ = -1;
  int err_ = -1, out_ = -1;
  bool exited_ = false;
  std::string buffer_;
  std::vector<std::string> lines_;
};

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mlc-daemon-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    WriteConfig(Good());
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Good() const {
    std::string c = kConfig;
    c.replace(c.find("{dir}"), 5, dir_.string());
    return c;
  }
  void WriteConfig(const std::string& text) { std::ofstream(dir_ / "ml.yaml") << text; }
  fs::path config() const { return dir_ / "ml.yaml"; }

  fs::path dir_;
};

int PortOf(const nlohmann::json& running) {
  const std::string listen = running.value("listen", "");
  return std::stoi(listen.substr(listen.rfind(':') + 1));
}

TEST_F(DaemonTest, StartsServesAndStopsCleanlyOnSigterm) {
  Daemon d(config());
  auto running = d.WaitFor("ml-connector running");
  ASSERT_FALSE(running.is_null()) << "daemon did not start";
  const int port = PortOf(running);
  mlc::CurlHttpClient http;
  mlc::HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  auto health = http.Send(req);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);
  // The console's API is served from the same port, backed by the configured store.
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/api/documents";
  auto docs = http.Send(req);
  ASSERT_TRUE(docs.ok()) << docs.status();
  EXPECT_EQ(docs->status, 200) << docs->body;
  EXPECT_TRUE(nlohmann::json::parse(docs->body, nullptr, false).contains("documents")) << docs->body;
  EXPECT_TRUE(fs::exists(dir_ / "state.db"));
  // A webhook call from an allowed address is accepted and logged.
  mlc::HttpRequest hook;
  hook.method = "POST";
  hook.url = "http://127.0.0.1:" + std::to_string(port) + "/webhook/netsuite";
  auto accepted = http.Send(hook);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->status, 202);
  EXPECT_FALSE(d.WaitFor("webhook triggered a poll").is_null());

  d.Signal(SIGTERM);
  EXPECT_FALSE(d.WaitFor("ml-connector stopped").is_null());
  EXPECT_EQ(d.Wait(), 0);
}

TEST_F(DaemonTest, SighupWithBrokenConfigKeepsTheRunningOne) {
  Daemon d(config());
  auto running = d.WaitFor("ml-connector running");
  ASSERT_FALSE(running.is_null());
  const int port = PortOf(running);

  WriteConfig(Good() + "bogus_section: 1\n");
  d.Signal(SIGHUP);
  auto rejected = d.WaitFor("config reload rejected; keeping the running configuration");
  ASSERT_FALSE(rejected.is_null());
  EXPECT_NE(rejected.value("error", "").find("bogus_section"), std::string::npos)
      << rejected.dump();
  // Still serving on the same port.
  mlc::CurlHttpClient http;
  mlc::HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  auto health = http.Send(req);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);

  WriteConfig(Good());
  d.Signal(SIGHUP);
  EXPECT_FALSE(d.WaitFor("config reloaded; restarting flows and server").is_null());
  auto again = d.WaitFor("ml-connector running");
  ASSERT_FALSE(again.is_null());
  req.url = "http://127.0.0.1:" + std::to_string(PortOf(again)) + "/healthz";
  auto after = http.Send(req);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->status, 200);
  d.Signal(SIGINT);
  EXPECT_EQ(d.Wait(), 0);
}

TEST_F(DaemonTest, SecretsNeverReachTheLog) {
  Daemon d(config());
  ASSERT_FALSE(d.WaitFor("ml-connector running").is_null());
  d.Signal(SIGTERM);
  d.WaitFor("ml-connector stopped");
  EXPECT_EQ(d.Wait(), 0);
  for (const auto& line : d.lines()) {
    for (const char* secret : {"client-id-1234", "private-key-5678", "cleo-password-9012"}) {
      EXPECT_EQ(line.find(secret), std::string::npos) << line;
    }
  }
}

TEST_F(DaemonTest, BadConfigAtStartIsAUsageError) {
  WriteConfig(Good() + "flows:\n  nonsense: {}\n");
  Daemon d(config());
  EXPECT_EQ(d.Wait(), 2);
}

TEST_F(DaemonTest, OnceRunsTheEnabledFlowsAndReportsTheOneThatFailed) {
  // po_outbound is enabled, but NetSuite (127.0.0.1:9) does not answer: the run says so, names
  // the flow and exits 1; nothing hangs (one attempt, see the config).
  Daemon d(config(), {"run", "--once"});
  EXPECT_EQ(d.Wait(60s), 1);
  const std::string out = d.AllStdout();
  EXPECT_NE(out.find("po_outbound"), std::string::npos) << out;
  EXPECT_NE(out.find("FAILED"), std::string::npos) << out;
  EXPECT_EQ(out.find("private-key-5678"), std::string::npos) << out;
}

TEST_F(DaemonTest, OnceSkipsTheIngestAnotherProcessHoldsAndStillRelays) {
  // Another host's daemon is in the middle of po_outbound's ingest (its lock row, as it would
  // leave it in the shared store): this run must not poll NetSuite for it. NetSuite does not
  // answer here, so a poll would fail the flow; a skipped ingest leaves it ok.
  {
    auto store = mlc::store::OpenStore("sqlite://" + (dir_ / "state.db").string(),
                                       mlc::SystemClock::Get());
    ASSERT_TRUE(store.ok()) << store.status();
    auto held = (*store)->AcquireLock("ingest:po_outbound", "other-host:4242", 10min);
    ASSERT_TRUE(held.ok() && held->acquired);
  }
  Daemon d(config(), {"run", "--once", "--json"});
  EXPECT_EQ(d.Wait(60s), 0);
  const std::string out = d.AllStdout();
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << out;
  ASSERT_EQ(j.size(), 1u) << out;
  EXPECT_EQ(j[0]["flow"], "po_outbound");
  EXPECT_EQ(j[0]["ok"], true) << out;
  EXPECT_EQ(j[0]["counts"]["ingest_skipped"], 1) << out;

  // Once the other holder is gone (its hold released), the same run polls NetSuite and fails.
  {
    auto store = mlc::store::OpenStore("sqlite://" + (dir_ / "state.db").string(),
                                       mlc::SystemClock::Get());
    ASSERT_TRUE(store.ok()) << store.status();
    auto locks = (*store)->ListLocks();
    ASSERT_TRUE(locks.ok() && locks->size() == 1u);
    ASSERT_TRUE((*store)->ReleaseLock((*locks)[0]).ok());
  }
  Daemon again(config(), {"run", "--once", "--json"});
  EXPECT_EQ(again.Wait(60s), 1);
  j = nlohmann::json::parse(again.AllStdout(), nullptr, false);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j[0]["ok"], false);
}

// Seeds the daemon's store (before it starts) as an hour ago: one pending 850 in po_outbound (due
// since then) and one parked 810 in invoice_inbound.
void SeedStore(const fs::path& dir) {
  mlc::FakeClock clock(mlc::SystemClock::Get().Now() - 1h);
  auto store = mlc::store::OpenStore("sqlite://" + (dir / "state.db").string(), clock);
  ASSERT_TRUE(store.ok()) << store.status();
  mlc::store::NewDocument po;
  po.idempotency_key = "mlc-850-ACME-PO1";
  po.type = "850";
  po.partner = "ACME";
  po.po_number = "PO1";
  po.step = "send";
  ASSERT_TRUE((*store)->Ingest({.flow = "po_outbound", .documents = {po}, .cursor = {}}).ok());
  mlc::store::NewDocument inv = po;
  inv.idempotency_key = "mlc-810-ACME-INV1";
  inv.type = "810";
  inv.direction = mlc::store::Direction::kIn;
  inv.state = mlc::store::DocState::kParked;
  inv.error = mlc::FailedPreconditionError("no receipt for PO1");
  ASSERT_TRUE((*store)->Ingest({.flow = "invoice_inbound", .documents = {inv}, .cursor = {}}).ok());
}

std::map<std::string, double> ScrapeMetrics(int port) {
  mlc::CurlHttpClient http;
  mlc::HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  auto r = http.Send(req);
  EXPECT_TRUE(r.ok()) << r.status();
  std::map<std::string, double> out;
  if (!r.ok()) return out;
  std::istringstream in(r->body);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

struct CliResult {
  int code = -1;
  std::string out;
};

// Runs `ml-connector -c CONFIG ARGS` to completion; stdout only (stderr to a file beside it).
CliResult RunCli(const fs::path& dir, const std::string& args) {
  const std::string cmd = "T_NS_CLIENT=client-id-1234 T_NS_KEY=private-key-5678 "
                          "T_CLEO_PASSWORD=cleo-password-9012 " +
                          std::string(MLC_CONNECTOR_BIN) + " -c " + (dir / "ml.yaml").string() +
                          " " + args + " 2>" + (dir / "cli.err").string();
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST_F(DaemonTest, MetricsReportDocumentsLagFlowsAndNetsuiteCalls) {
  SeedStore(dir_);
  Daemon d(config());
  auto running = d.WaitFor("ml-connector running");
  ASSERT_FALSE(running.is_null()) << "daemon did not start";
  auto m = ScrapeMetrics(PortOf(running));
  EXPECT_EQ(m[R"(mlc_documents{flow="po_outbound",state="pending"})"], 1);
  EXPECT_EQ(m[R"(mlc_documents{flow="invoice_inbound",state="parked"})"], 1);
  EXPECT_EQ(m["mlc_store_up"], 1);
  // The 850 has been due for an hour (plus the seconds this test took).
  const double lag = m[R"(mlc_relay_lag_seconds{flow="po_outbound"})"];
  EXPECT_GE(lag, 3600);
  EXPECT_LT(lag, 3600 + 120);
  EXPECT_EQ(m[R"(mlc_relay_lag_seconds{flow="invoice_inbound"})"], 0);  // parked is not due
  // po_outbound is scheduled every 5m: registered, not run yet, nothing sent to NetSuite.
  ASSERT_TRUE(m.count(R"(mlc_flow_runs_total{flow="po_outbound"})"));
  EXPECT_EQ(m[R"(mlc_flow_runs_total{flow="po_outbound"})"], 0);
  EXPECT_EQ(m[R"(mlc_flow_running{flow="po_outbound"})"], 0);
  ASSERT_TRUE(m.count(R"(mlc_netsuite_requests_total{outcome="ok"})"));
  EXPECT_EQ(m[R"(mlc_netsuite_requests_total{outcome="ok"})"], 0);
  ASSERT_TRUE(m.count(R"(mlc_netsuite_token_requests_total{outcome="ok"})"));
  EXPECT_EQ(m["mlc_netsuite_retries_total"], 0);
  // Cleo's counters and the skipped-ingest counter are exported from the start.
  ASSERT_TRUE(m.count(R"(mlc_cleo_requests_total{outcome="ok"})"));
  EXPECT_EQ(m[R"(mlc_cleo_requests_total{outcome="transport_error"})"], 0);
  EXPECT_EQ(m["mlc_cleo_retries_total"], 0);
  ASSERT_TRUE(m.count(R"(mlc_flow_ingest_skipped_total{flow="po_outbound"})"));
  EXPECT_EQ(m[R"(mlc_flow_ingest_skipped_total{flow="po_outbound"})"], 0);
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(), 0);
}

TEST_F(DaemonTest, StatusReadsTheStoreAndAsksTheRunningDaemon) {
  SeedStore(dir_);
  // Without a daemon: the store's view, for people and as JSON.
  CliResult human = RunCli(dir_, "status");
  EXPECT_EQ(human.code, 0) << human.out;
  EXPECT_NE(human.out.find("po_outbound"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("every 5m"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("BACKLOG"), std::string::npos) << human.out;

  Daemon d(config());
  auto running = d.WaitFor("ml-connector running");
  ASSERT_FALSE(running.is_null()) << "daemon did not start";
  const std::string url = "http://127.0.0.1:" + std::to_string(PortOf(running));
  CliResult r = RunCli(dir_, "status --json --url " + url);
  ASSERT_EQ(r.code, 0) << r.out;
  auto st = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(st.is_object()) << r.out;
  EXPECT_EQ(st["daemon"]["reachable"], true);
  std::map<std::string, nlohmann::json> flows;
  for (const auto& f : st["flows"]) flows[f["name"].get<std::string>()] = f;
  ASSERT_TRUE(flows.count("po_outbound")) << r.out;
  const auto& po = flows["po_outbound"];
  EXPECT_EQ(po["enabled"], true);
  EXPECT_EQ(po["schedule"], "every 5m");
  EXPECT_EQ(po["documents"]["pending"], 1);
  EXPECT_EQ(po["backlog"], 1);
  EXPECT_GE(po["relay_lag_seconds"].get<int64_t>(), 3600);
  EXPECT_EQ(po["daemon"]["runs"], 0);  // from the daemon's /api/flows
  EXPECT_FALSE(po["daemon"]["next_due"].is_null());
  ASSERT_TRUE(flows.count("invoice_inbound")) << r.out;  // in the store, not in the config
  EXPECT_EQ(flows["invoice_inbound"]["enabled"], false);
  EXPECT_EQ(flows["invoice_inbound"]["parked"], 1);

  d.Signal(SIGTERM);
  ASSERT_EQ(d.Wait(), 0);
  // The daemon is gone: status still shows the store, says so, and exits 1.
  CliResult gone = RunCli(dir_, "status --url " + url);
  EXPECT_EQ(gone.code, 1) << gone.out;
  EXPECT_NE(gone.out.find("NOT answering"), std::string::npos) << gone.out;
  EXPECT_NE(gone.out.find("po_outbound"), std::string::npos) << gone.out;
}

}  // namespace

