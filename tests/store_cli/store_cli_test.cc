// `ml-connector docs|replay|audit|secrets` as a process against a SQLite store seeded through
// the Store interface.
#include <sys/wait.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

struct CliRun {
  int code = -1;
  std::string out;  // stdout and stderr together
};

class StoreCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mlc-store-cli-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "state.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs ml-connector with `args` (shell words), the store URL and a vault key in the env.
  CliRun Cli(const std::string& args, const std::string& stdin_text = "",
          const std::string& key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=") {
    const fs::path in = dir_ / "stdin", out = dir_ / "out";
    std::ofstream(in) << stdin_text;
    const std::string cmd = "MLC_STORE_URL='" + url_ + "' MLC_VAULT_KEY='" + key + "' " +
                            MLC_CONNECTOR_BIN + " " + args + " <" + in.string() + " >" +
                            out.string() + " 2>&1";
    CliRun r;
    const int status = std::system(cmd.c_str());
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream f(out);
    std::stringstream ss;
    ss << f.rdbuf();
    r.out = ss.str();
    return r;
  }

  // Seeds one done 850 and one parked 810 (id 2).
  void Seed() {
    mlc::FakeClock clock;
    auto store = mlc::store::OpenStore(url_, clock);
    ASSERT_TRUE(store.ok()) << store.status();
    mlc::store::IngestBatch b;
    b.flow = "invoice_inbound";
    mlc::store::NewDocument ok;
    ok.idempotency_key = "mlc-850-ACME-PO1001";
    ok.type = "850";
    ok.partner = "ACME";
    ok.po_number = "PO1001";
    ok.step = "send";
    mlc::store::NewDocument parked;
    parked.idempotency_key = "mlc-810-ACME-INV88213";
    parked.direction = mlc::store::Direction::kIn;
    parked.type = "810";
    parked.partner = "ACME";
    parked.invoice_number = "INV88213";
    parked.step = "create_bill";
    parked.state = mlc::store::DocState::kParked;
    parked.error = mlc::FailedPreconditionError("item 'W-100' has no NetSuite match");
    b.documents = {ok, parked};
    auto r = (*store)->Ingest(b);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  fs::path dir_;
  std::string url_;
};

TEST_F(StoreCliTest, DocsListShowAndFilters) {
  Seed();
  CliRun all = Cli("docs list");
  EXPECT_EQ(all.code, 0) << all.out;
  EXPECT_THAT(all.out, HasSubstr("PO1001"));
  EXPECT_THAT(all.out, HasSubstr("INV88213"));
  CliRun parked = Cli("docs list --state parked");
  EXPECT_EQ(parked.code, 0) << parked.out;
  EXPECT_THAT(parked.out, HasSubstr("INV88213"));
  EXPECT_THAT(parked.out, Not(HasSubstr("PO1001")));
  CliRun show = Cli("docs show 2");
  EXPECT_EQ(show.code, 0) << show.out;
  EXPECT_THAT(show.out, HasSubstr("has no NetSuite match"));
  CliRun missing = Cli("docs show 99");
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.out, HasSubstr("NOT_FOUND"));
}

TEST_F(StoreCliTest, ReplayIsAuditedWithWhoAsked) {
  Seed();
  CliRun replay = Cli("replay 2 --by alice");
  EXPECT_EQ(replay.code, 0) << replay.out;
  CliRun audit = Cli("audit 2");
  EXPECT_EQ(audit.code, 0) << audit.out;
  EXPECT_THAT(audit.out, HasSubstr("replayed"));
  EXPECT_THAT(audit.out, HasSubstr("alice"));
  CliRun state = Cli("docs list --state pending");
  EXPECT_THAT(state.out, HasSubstr("INV88213"));
  CliRun again = Cli("replay 2 --by alice");
  EXPECT_EQ(again.code, 1) << again.out;  // pending, not parked any more
}

TEST_F(StoreCliTest, SecretsAreSealedListedAndNeverShown) {
  CliRun set = Cli("secrets set cleo_password", "cleo-password-xyz");
  EXPECT_EQ(set.code, 0) << set.out;
  CliRun list = Cli("secrets list");
  EXPECT_EQ(list.code, 0) << list.out;
  EXPECT_THAT(list.out, HasSubstr("cleo_password"));
  EXPECT_THAT(list.out, Not(HasSubstr("cleo-password-xyz")));
  // A different master key destroys nothing and says what is wrong.
  CliRun wrong = Cli("secrets set other", "other-value-123",
                  "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=");
  EXPECT_EQ(wrong.code, 1) << wrong.out;
  EXPECT_THAT(wrong.out, HasSubstr("wrong master key"));
  EXPECT_THAT(wrong.out, Not(HasSubstr("other-value-123")));
  EXPECT_THAT(Cli("secrets list").out, HasSubstr("cleo_password"));
  // The database files never hold the plaintext.
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().filename().string().rfind("state.db", 0) != 0) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("cleo-password-xyz"), std::string::npos) << e.path();
  }
}

TEST_F(StoreCliTest, MissingMasterKeyIsAClearError) {
  CliRun r = Cli("secrets set x", "value-1234", "");
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("MLC_VAULT_KEY"));
}

}  // namespace
