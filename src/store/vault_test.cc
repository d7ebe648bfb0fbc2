// Vault tests on both backends, and the check that no plaintext secret reaches the database
// file, the logs or an error message.
#include "store/vault.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "common/redact.h"
#include "store/relay.h"
#include "store/testing.h"

namespace mlc::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kHexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
// The same 32 bytes in base64.
constexpr const char* kBase64Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

MasterKey Key(const char* text) { return MasterKey::Parse(text, "test").value(); }

class VaultTest : public testing::BackendTest {};

TEST_P(VaultTest, SealsAndOpens) {
  Vault v(*store_, Key(kHexKey));
  ASSERT_TRUE(v.Set("cleo.password", "Tr0ub4dor&3-vault").ok());
  ASSERT_TRUE(v.Set("netsuite.client_id", "c1d2e3").ok());
  auto got = v.Get("cleo.password");
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(*got, "Tr0ub4dor&3-vault");
  EXPECT_EQ(Redact("pw=Tr0ub4dor&3-vault"), "pw=***");             // registered for redaction
  ASSERT_TRUE(v.Set("cleo.password", "n3w-passw0rd-value").ok());  // replace
  EXPECT_EQ(*v.Get("cleo.password"), "n3w-passw0rd-value");
  auto list = v.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "cleo.password");
  EXPECT_EQ((*list)[0].key_id, v.key_id());
  EXPECT_EQ(v.Get("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(v.Set("bad name", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.Set("empty", "").code(), StatusCode::kInvalidArgument);
  // Each seal uses a fresh nonce: the same value twice gives different ciphertexts.
  ASSERT_TRUE(v.Set("a", "same-value-123").ok());
  ASSERT_TRUE(v.Set("b", "same-value-123").ok());
  EXPECT_NE(store_->GetSecret("a")->ciphertext, store_->GetSecret("b")->ciphertext);
  EXPECT_NE(store_->GetSecret("a")->nonce, store_->GetSecret("b")->nonce);
}

TEST_P(VaultTest, WrongKeyIsAClearErrorAndDestroysNothing) {
  {
    Vault v(*store_, Key(kHexKey));
    ASSERT_TRUE(v.Set("cleo.password", "wr0ng-key-plaintext").ok());
  }
  Vault wrong(*store_, MasterKey::Generate());
  auto r = wrong.Get("cleo.password");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.error().message(), HasSubstr("cleo.password"));
  EXPECT_THAT(r.error().message(), HasSubstr("wrong master key"));
  EXPECT_THAT(r.error().message(), Not(HasSubstr("wr0ng-key-plaintext")));
  EXPECT_EQ(wrong.RotateKey(MasterKey::Generate()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(wrong.Set("other", "would-split-the-vault").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetSecret("other").status().code(), StatusCode::kNotFound);
  Vault right(*store_, Key(kBase64Key));  // base64 form of the same key
  EXPECT_EQ(*right.Get("cleo.password"), "wr0ng-key-plaintext");
}

TEST_P(VaultTest, TamperedOrMovedCiphertextIsDataLoss) {
  Vault v(*store_, Key(kHexKey));
  ASSERT_TRUE(v.Set("x", "value-of-x-123").ok());
  SealedSecret s = *store_->GetSecret("x");
  s.ciphertext[0] = static_cast<char>(s.ciphertext[0] ^ 1);
  ASSERT_TRUE(store_->PutSecret(s).ok());
  EXPECT_EQ(v.Get("x").status().code(), StatusCode::kDataLoss);
  SealedSecret moved = *store_->GetSecret("x");
  ASSERT_TRUE(v.Set("y", "value-of-y-456").ok());
  SealedSecret y = *store_->GetSecret("y");
  y.name = "z";  // y's ciphertext under another name: the associated data no longer matches
  ASSERT_TRUE(store_->PutSecret(y).ok());
  EXPECT_EQ(v.Get("z").status().code(), StatusCode::kDataLoss);
}

TEST_P(VaultTest, RotationReSealsEverySecretAtOnce) {
  Vault v(*store_, Key(kHexKey));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(v.Set("s" + std::to_string(i), "rotate-me-" + std::to_string(i)).ok());
  }
  MasterKey next = MasterKey::Generate();
  const std::string next_id = next.id();
  const std::string next_text = next.ToBase64();
  ASSERT_TRUE(v.RotateKey(std::move(next)).ok());
  EXPECT_EQ(v.key_id(), next_id);
  auto infos = v.List();
  ASSERT_TRUE(infos.ok());
  for (const auto& info : *infos) EXPECT_EQ(info.key_id, next_id);
  Vault old(*store_, Key(kHexKey));
  EXPECT_EQ(old.Get("s0").status().code(), StatusCode::kFailedPrecondition);
  Vault fresh(*store_, MasterKey::Parse(next_text, "test").value());
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(*fresh.Get("s" + std::to_string(i)), "rotate-me-" + std::to_string(i));

  // A secret the vault cannot open stops the rotation before anything is written.
  SealedSecret stray = *store_->GetSecret("s0");
  stray.name = "stray";
  stray.key_id = "0123456789abcdef";  // as if sealed under some other key
  ASSERT_TRUE(store_->PutSecret(stray).ok());
  EXPECT_FALSE(fresh.RotateKey(MasterKey::Generate()).ok());
  EXPECT_EQ(fresh.key_id(), next_id);
  EXPECT_EQ(*fresh.Get("s3"), "rotate-me-3");
}

INSTANTIATE_TEST_SUITE_P(Backends, VaultTest, ::testing::Values("sqlite", "postgresql"),
                         testing::BackendName);

class MasterKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mlc_key_" + std::to_string(getpid()) + "_" + std::to_string(std::rand()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text << "\n";
    chmod(path.c_str(), mode);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(MasterKeyTest, HexAndBase64GiveTheSameKey) {
  EXPECT_EQ(Key(kHexKey).id(), Key(kBase64Key).id());
  EXPECT_EQ(Key(kHexKey).id().size(), 16u);
  auto bad = MasterKey::Parse("abc", "environment variable K");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.error().message(), HasSubstr("environment variable K"));
  EXPECT_THAT(bad.error().message(), Not(HasSubstr("abc")));
  EXPECT_FALSE(MasterKey::Parse(std::string(kHexKey) + "00", "x").ok());  // 33 bytes
  EXPECT_NE(MasterKey::Generate().id(), MasterKey::Generate().id());
}

TEST_F(MasterKeyTest, KeyFileMustBeOwnerOnly) {
  std::string ok = Write("ok.key", kBase64Key, 0600);
  auto k = MasterKey::FromFile(ok);
  ASSERT_TRUE(k.ok()) << k.error();
  EXPECT_EQ(k->id(), Key(kHexKey).id());
  EXPECT_TRUE(MasterKey::FromFile(Write("ro.key", kHexKey, 0400)).ok());
  auto open = MasterKey::FromFile(Write("open.key", kHexKey, 0644));
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(open.error().message(), HasSubstr("0644"));
  EXPECT_THAT(open.error().message(), HasSubstr("chmod 600"));
  EXPECT_THAT(open.error().message(), Not(HasSubstr(kHexKey)));
  EXPECT_EQ(MasterKey::FromFile((dir_ / "missing.key").string()).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(MasterKeyTest, MissingEnvironmentKeyIsClear) {
  unsetenv("MLC_TEST_VAULT_KEY_UNSET");
  auto k = MasterKey::FromEnv("MLC_TEST_VAULT_KEY_UNSET");
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(k.error().message(), HasSubstr("MLC_TEST_VAULT_KEY_UNSET is not set"));
  setenv("MLC_TEST_VAULT_KEY_SET", kHexKey, 1);
  EXPECT_EQ(MasterKey::Load("", "MLC_TEST_VAULT_KEY_SET")->id(), Key(kHexKey).id());
  unsetenv("MLC_TEST_VAULT_KEY_SET");
}

// A step that fails with the secret inside its error, as a careless client might.
class LeakyHandler : public StepHandler {
 public:
  explicit LeakyHandler(std::string secret) : secret_(std::move(secret)) {}
  Result<StepOutcome> Run(const Document&, StepContext&) override {
    return PermissionDeniedError("login rejected for password {}", secret_);
  }
  std::string secret_;
};

TEST(VaultPlaintextTest, NoSecretInDatabaseFileLogsOrErrors) {
  auto db = testing::TestDatabase::Create("sqlite");
  ASSERT_TRUE(db.ok());
  std::ostringstream logs;
  LogOptions lo;
  lo.level = LogLevel::kTrace;
  lo.sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs);
  ASSERT_TRUE(InitLogging(lo).ok());
  struct Restore {  // the sink points at `logs`: detach it whatever happens
    ~Restore() { spdlog::set_default_logger(std::make_shared<spdlog::logger>("test-off")); }
  } restore;
  const std::vector<std::string> secrets = {"PlainCleoPassw0rd!", "ns-client-id-7f3a9c",
                                            "-----BEGIN PRIVATE KEY-----MIIEvQIBADAN"};
  FakeClock clock;
  {
    auto store = OpenStore(db->url(), clock);
    ASSERT_TRUE(store.ok());
    Vault v(**store, Key(kHexKey));
    for (size_t i = 0; i < secrets.size(); ++i) {
      ASSERT_TRUE(v.Set("s" + std::to_string(i), secrets[i]).ok());
    }
    ASSERT_TRUE(v.RotateKey(MasterKey::Generate()).ok());
    // Errors that involve the secrets: wrong key, and a step failing with the secret in it.
    Vault wrong(**store, Key(kHexKey));
    auto err = wrong.Get("s0");
    ASSERT_FALSE(err.ok());
    LogError("vault error", {{"error", err.error().ToString()}});
    IngestBatch b{.flow = "f", .documents = {}, .cursor = {}};
    NewDocument d;
    d.idempotency_key = "k";
    d.type = "850";
    d.partner = "ACME";
    d.step = "send";
    b.documents.push_back(d);
    ASSERT_TRUE((*store)->Ingest(b).ok());
    LeakyHandler leaky(secrets[0]);
    Relay relay(**store, {.worker_id = "w"});
    relay.AddStep("send", leaky, "");
    auto stats = relay.RunOnce();
    ASSERT_TRUE(stats.ok()) << stats.error();
    EXPECT_EQ(stats->parked, 1);
    auto audit = (*store)->QueryAudit({.event = "failed"});
    ASSERT_EQ(audit->size(), 1u);
    EXPECT_THAT(audit->at(0).error_message, HasSubstr("***"));
    for (const auto& s : secrets) {
      EXPECT_THAT(err.error().message(), Not(HasSubstr(s)));
      EXPECT_THAT(audit->at(0).error_message, Not(HasSubstr(s)));
    }
  }
  spdlog::default_logger()->flush();
  std::string all_files;
  for (const auto& entry : std::filesystem::directory_iterator(db->dir())) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    all_files += buf.str();
  }
  ASSERT_GT(all_files.size(), 4096u);  // the database really is there
  EXPECT_THAT(logs.str(), HasSubstr("document parked"));
  for (const auto& s : secrets) {
    EXPECT_EQ(all_files.find(s), std::string::npos) << "plaintext secret in the database file";
    EXPECT_EQ(logs.str().find(s), std::string::npos) << "plaintext secret in the logs";
  }
}

}  // namespace
}  // namespace mlc::store
