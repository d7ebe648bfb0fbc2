// `ml-connector check` run as a process against `ml-sandbox netsuite` and `ml-sandbox cleo` (both
// real processes on port 0). The NetSuite private key is sealed in the store's vault, the other
// secrets come from the environment, so both kinds of secret reference are resolved.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "store/store.h"
#include "store/vault.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

// A child process with stdout and stderr captured (merged or separate).
class Process {
 public:
  Process(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    int out[2], err[2];
    EXPECT_EQ(pipe(out), 0);
    EXPECT_EQ(pipe(err), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(err[1], 2);
      close(out[0]);
      close(err[0]);
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGTERM);
      if (Wait(5s) < 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
      }
    }
    close(out_);
    close(err_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Reads stdout until a line "port=N"; 0 on timeout or end of output.
  int WaitForPort(std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string buffer;
    for (;;) {
      for (size_t nl; (nl = buffer.find('\n')) != std::string::npos; buffer.erase(0, nl + 1)) {
        const std::string line = buffer.substr(0, nl);
        if (line.rfind("port=", 0) == 0) return std::stoi(line.substr(5));
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return 0;
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return 0;
      char buf[1024];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) return 0;
      buffer.append(buf, static_cast<size_t>(n));
    }
  }

  // Waits for the exit; collects all output. Exit code, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout = 90s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      Drain();
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        Drain();
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }
  const std::string& out() const { return stdout_; }
  const std::string& err() const { return stderr_; }

 private:
  void Drain() {
    for (auto [fd, sink] : {std::pair{out_, &stdout_}, std::pair{err_, &stderr_}}) {
      for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) break;
        char buf[4096];
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        sink->append(buf, static_cast<size_t>(n));
      }
    }
  }

  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
  bool exited_ = false;
  std::string stdout_, stderr_;
};

constexpr const char* kConfig = R"(store:
  url: sqlite://{dir}/state.db
  vault:
    master_key_env: T_VAULT_KEY
logging:
  level: warn
netsuite:
  account_id: "1234567_SB1"
  base_url: http://127.0.0.1:{ns_port}
  auth:
    method: oauth2_m2m
    oauth2:
      client_id: env:T_NS_CLIENT
      certificate_id: {certificate_id}
      private_key: vault:{key_name}
      algorithm: {algorithm}
  retry: {max_attempts: 2, initial_backoff: 50ms}
cleo:
  base_url: http://127.0.0.1:{cleo_port}
  username: mlc-api
  password: env:T_CLEO_PASSWORD
  retry: {max_attempts: 2, initial_backoff: 50ms}
partners:
  - id: ACME
    netsuite_vendor_id: "1"
    production: {our_isa_qualifier: ZZ, our_isa_id: MLCONNECTOR, their_isa_qualifier: ZZ,
                 their_isa_id: ACMESUPPLY, our_gs_id: MLCONNECTOR, their_gs_id: ACMESUPPLY}
    x12_version: "004010"
    delimiters: {element: "*", component: ">", segment: "~"}
    documents: ["850", "855", "810", "997"]
    transport: {type: http, mailbox: acme, password: env:T_ACME_PASSWORD}
  - id: GLOBEX
    netsuite_vendor_id: "3"
    production: {our_isa_qualifier: ZZ, our_isa_id: MLCONNECTOR, their_isa_qualifier: "01",
                 their_isa_id: "123456789", our_gs_id: MLCONNECTOR, their_gs_id: GLOBEXGS}
    x12_version: "005010"
    delimiters: {element: "|", component: ":", segment: "~", repetition: "^"}
    documents: ["850", "855", "810", "997"]
    transport: {type: http, mailbox: globex, password: env:T_GLOBEX_PASSWORD}
  - id: INITECH
    netsuite_vendor_id: "5"
    production: {our_isa_qualifier: ZZ, our_isa_id: MLCONNECTOR, their_isa_qualifier: ZZ,
                 their_isa_id: INITECH, our_gs_id: MLCONNECTOR, their_gs_id: INITECH}
    x12_version: "004010"
    delimiters: {element: "^", component: "\\", segment: "'"}
    documents: ["850", "855", "810", "997"]
    transport: {type: folder, inbox: "{dir}/initech/inbox", outbox: "{dir}/initech/outbox"}
)";

// 64 hex digits: the vault's master key (test only).
constexpr const char* kVaultKey =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// The sandboxes are started once for the suite: every test only reads from them.
class CheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("mlc-check-" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_ / "initech" / "inbox");
    fs::create_directories(*dir_ / "initech" / "outbox");
    netsuite_ = new Process({MLC_SANDBOX_BIN, "netsuite", "--port", "0", "--db",
                             ":memory:", "--credentials", (*dir_ / "ns-credentials.json").string(),
                             "--vendors", "4", "--items", "8", "--pos", "2"});
    ns_port_ = netsuite_->WaitForPort();
    cleo_ =
        new Process({MLC_SANDBOX_BIN, "cleo", "--port", "0", "--root", (*dir_ / "cleo").string(),
                     "--seed", std::string(MLC_SOURCE_DIR) + "/sandbox/cleo/seed.example.yaml"});
    cleo_port_ = cleo_->WaitForPort();
  }
  static void TearDownTestSuite() {
    delete cleo_;
    delete netsuite_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    ASSERT_GT(ns_port_, 0) << "ml-sandbox netsuite did not start";
    ASSERT_GT(cleo_port_, 0) << "ml-sandbox cleo did not start";
    std::ifstream in(*dir_ / "ns-credentials.json");
    creds_ = nlohmann::json::parse(in, nullptr, false);
    ASSERT_TRUE(creds_.is_object()) << "unreadable sandbox credentials";
    // Seal the private key in the store's vault, as `ml-connector secrets set` does.
    setenv("T_VAULT_KEY", kVaultKey, 1);
    auto key = mlc::store::MasterKey::FromEnv("T_VAULT_KEY");
    ASSERT_TRUE(key.ok()) << key.status();
    auto store =
        mlc::store::OpenStore("sqlite://" + (*dir_ / "state.db").string(), mlc::SystemClock::Get());
    ASSERT_TRUE(store.ok()) << store.status();
    mlc::store::Vault vault(**store, std::move(*key));
    ASSERT_TRUE(vault.Set("ns_private_key", creds_["private_key_pem"].get<std::string>()).ok());
  }

  std::map<std::string, std::string> GoodEnv() const {
    return {{"T_VAULT_KEY", kVaultKey},
            {"T_NS_CLIENT", creds_["client_id"].get<std::string>()},
            {"T_CLEO_PASSWORD", "sandbox-api-pass"},  // sandbox/cleo/seed.example.yaml
            {"T_ACME_PASSWORD", "acme-mailbox-pass"},
            {"T_GLOBEX_PASSWORD", "globex-mailbox-pass"}};
  }

  // kConfig for the running sandboxes.
  std::string ConfigText(const std::string& key_name = "ns_private_key") const {
    std::string text = kConfig;
    text = ReplaceAll(text, "{dir}", dir_->string());
    text = ReplaceAll(text, "{ns_port}", std::to_string(ns_port_));
    text = ReplaceAll(text, "{cleo_port}", std::to_string(cleo_port_));
    text = ReplaceAll(text, "{certificate_id}", creds_["certificate_id"].get<std::string>());
    text = ReplaceAll(text, "{algorithm}", creds_["algorithm"].get<std::string>());
    return ReplaceAll(text, "{key_name}", key_name);
  }

  // Writes `text` (default: ConfigText()) as `name` in the test's directory.
  fs::path WriteConfig(const std::string& text, const std::string& name = "ml.yaml") const {
    const fs::path path = *dir_ / name;
    std::ofstream(path) << text;
    return path;
  }
  fs::path WriteConfig() const { return WriteConfig(ConfigText()); }

  // Runs `ml-connector --config FILE check`; returns the exit code.
  int RunCheck(const fs::path& config, const std::map<std::string, std::string>& env,
               std::string* out, std::string* err) {
    Process p({MLC_CONNECTOR_BIN, "--config", config.string(), "check"}, env);
    const int rc = p.Wait();
    *out = p.out();
    *err = p.err();
    return rc;
  }

  static fs::path* dir_;
  static Process* netsuite_;
  static Process* cleo_;
  static int ns_port_;
  static int cleo_port_;
  nlohmann::json creds_;
};

fs::path* CheckTest::dir_ = nullptr;
Process* CheckTest::netsuite_ = nullptr;
Process* CheckTest::cleo_ = nullptr;
int CheckTest::ns_port_ = 0;
int CheckTest::cleo_port_ = 0;

TEST_F(CheckTest, AllChecksPassAgainstTheSandboxes) {
  std::string out, err;
  const int rc = RunCheck(WriteConfig(), GoodEnv(), &out, &err);
  EXPECT_EQ(rc, 0) << out << err;
  EXPECT_THAT(out, HasSubstr("ok   store ("));
  EXPECT_THAT(out, HasSubstr("ok   netsuite token ("));
  EXPECT_THAT(out, HasSubstr("ok   netsuite suiteql (1 row(s), "));
  EXPECT_THAT(out, HasSubstr("ok   cleo login ("));
  EXPECT_THAT(out, HasSubstr("ok   cleo ACME inbox (http acme, "));
  EXPECT_THAT(out, HasSubstr("ok   cleo GLOBEX inbox (http globex, "));
  EXPECT_THAT(out, HasSubstr("ok   cleo INITECH inbox (folder "));
  EXPECT_THAT(out, HasSubstr("ok   cleo mailboxes ("));
  EXPECT_THAT(out, HasSubstr("every partner mailbox found"));
  EXPECT_THAT(out, HasSubstr("check: all 8 passed"));
  EXPECT_THAT(out, Not(HasSubstr("FAIL")));
}

TEST_F(CheckTest, WrongCleoPasswordFailsTheLoginWithoutEchoingIt) {
  auto env = GoodEnv();
  env["T_CLEO_PASSWORD"] = "wrong-cleo-password-4711";
  std::string out, err;
  const int rc = RunCheck(WriteConfig(), env, &out, &err);
  EXPECT_EQ(rc, 1) << out << err;
  EXPECT_THAT(out, HasSubstr("FAIL cleo login: "));
  EXPECT_THAT(out, HasSubstr("ok   netsuite suiteql"));
  // The mailboxes have their own passwords: they still pass.
  EXPECT_THAT(out, HasSubstr("ok   cleo ACME inbox"));
  EXPECT_THAT(out, HasSubstr("check: 1 of 7 failed"));
  EXPECT_THAT(out + err, Not(HasSubstr("wrong-cleo-password-4711")));
}

TEST_F(CheckTest, WrongMailboxPasswordFailsThatPartnerOnly) {
  auto env = GoodEnv();
  env["T_ACME_PASSWORD"] = "wrong-acme-password-0815";
  std::string out, err;
  const int rc = RunCheck(WriteConfig(), env, &out, &err);
  EXPECT_EQ(rc, 1) << out << err;
  EXPECT_THAT(out, HasSubstr("FAIL cleo ACME inbox: "));
  EXPECT_THAT(out, HasSubstr("ok   cleo GLOBEX inbox"));
  EXPECT_THAT(out, HasSubstr("ok   cleo login"));
  EXPECT_THAT(out, HasSubstr("check: 1 of 8 failed"));
  EXPECT_THAT(out + err, Not(HasSubstr("wrong-acme-password-0815")));
}

TEST_F(CheckTest, ReferenceExportMailboxIsCheckedWithItsOwnPassword) {
  const fs::path config = WriteConfig(
      ReplaceAll(ConfigText(), "  retry: {max_attempts: 2, initial_backoff: 50ms}\npartners:",
                 "  retry: {max_attempts: 2, initial_backoff: 50ms}\n"
                 "  reference_export: {type: http, mailbox: lookups, "
                 "password: env:T_LOOKUPS_PASSWORD}\npartners:"));
  auto env = GoodEnv();
  env["T_LOOKUPS_PASSWORD"] = "sandbox-api-pass";  // sandbox/cleo/seed.example.yaml
  std::string out, err;
  EXPECT_EQ(RunCheck(config, env, &out, &err), 0) << out << err;
  EXPECT_THAT(out, HasSubstr("ok   cleo reference export (http lookups, "));
  EXPECT_THAT(out, HasSubstr("check: all 9 passed"));

  env["T_LOOKUPS_PASSWORD"] = "wrong-lookups-password-31337";
  EXPECT_EQ(RunCheck(config, env, &out, &err), 1) << out << err;
  EXPECT_THAT(out, HasSubstr("FAIL cleo reference export: "));
  EXPECT_THAT(out, HasSubstr("check: 1 of 9 failed"));
  EXPECT_THAT(out + err, Not(HasSubstr("wrong-lookups-password-31337")));
}

// `partners pull` (flows/partner_profiles.h) against the same sandbox: vendors 1 and 3 are
// EDI-enabled with custentity_mlc_edi_partner ML0001EDI / ML0003EDI.
TEST_F(CheckTest, PartnersPullShowsDifferencesAndSuggestsProfilesThatLoad) {
  // GLOBEX points at vendor 2 (not EDI-enabled): vendor 3 is left without a profile.
  const std::string text =
      ReplaceAll(ConfigText(), "netsuite_vendor_id: \"3\"", "netsuite_vendor_id: \"2\"");
  const fs::path pull_config = WriteConfig(text, "pull.yaml");

  Process p({MLC_CONNECTOR_BIN, "--config", pull_config.string(), "partners", "pull"}, GoodEnv());
  ASSERT_EQ(p.Wait(), 0) << p.out() << p.err();
  EXPECT_THAT(p.out(), HasSubstr("partner ACME: interchange id is ZZ:ACMESUPPLY but NetSuite "
                                 "vendor 1 has custentity_mlc_edi_partner 'ML0001EDI'"));
  EXPECT_THAT(p.out(), HasSubstr("1 EDI-enabled vendor(s) without a profile"));
  EXPECT_THAT(p.out(), HasSubstr("NetSuite vendor 3 ("));

  Process j({MLC_CONNECTOR_BIN, "--config", pull_config.string(), "partners", "pull", "--json"},
            GoodEnv());
  ASSERT_EQ(j.Wait(), 0) << j.out() << j.err();
  nlohmann::json out;
  try {
    out = nlohmann::json::parse(j.out());
  } catch (const std::exception& e) {
    FAIL() << e.what() << "\n" << j.out();
  }
  ASSERT_TRUE(out.is_object()) << j.out();
  EXPECT_EQ(out["new_vendor_ids"], nlohmann::json::array({"3"}));
  // Pasted under `partners:`, the suggestion is a valid config.
  const fs::path merged =
      WriteConfig(text + out["new_profiles_yaml"].get<std::string>(), "merged.yaml");
  Process check({MLC_CONNECTOR_BIN, "config", "check", merged.string()}, GoodEnv());
  EXPECT_EQ(check.Wait(), 0) << check.out() << check.err()
                             << out["new_profiles_yaml"].get<std::string>();
  // Nothing was written: the config file is as it was.
  std::ifstream again(pull_config);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(again), {}), text);
}

TEST_F(CheckTest, MissingVaultEntryNamesTheKey) {
  std::string out, err;
  const int rc = RunCheck(WriteConfig(ConfigText("no_such_key")), GoodEnv(), &out, &err);
  EXPECT_EQ(rc, 1) << out << err;
  EXPECT_THAT(out, HasSubstr("FAIL netsuite client: "));
  EXPECT_THAT(out, HasSubstr("netsuite.auth.oauth2.private_key (vault:no_such_key)"));
  EXPECT_THAT(out, HasSubstr("ok   cleo login"));
  EXPECT_THAT(out, HasSubstr("check: 1 of 7 failed"));
}

TEST_F(CheckTest, InvalidConfigIsAUsageError) {
  auto env = GoodEnv();
  env.erase("T_NS_CLIENT");
  std::string out, err;
  const int rc = RunCheck(WriteConfig(), env, &out, &err);
  EXPECT_EQ(rc, 2) << out << err;
  EXPECT_THAT(err, HasSubstr("netsuite.auth.oauth2.client_id: environment variable T_NS_CLIENT"));
}

}  // namespace
