#include "cleo/folder_transport.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cleo/client.h"

namespace mlc::cleo {
namespace {

namespace fs = std::filesystem;

class FolderTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mem_.CreateDirs("/mb/inbox").ok());
    ASSERT_TRUE(mem_.CreateDirs("/mb/outbox").ok());
    ASSERT_TRUE(mem_.CreateDirs("/mb/sentbox").ok());
  }
  std::unique_ptr<FolderTransport> Make(TransportLimits limits = {}) {
    auto t = FolderTransport::Create(mem_, FolderTransportOptions{.root = "/mb"}, limits);
    EXPECT_TRUE(t.ok()) << t.status();
    return std::move(t).value();
  }
  MemFileSystem mem_;
};

TEST_F(FolderTransportTest, ListSkipsHiddenAndUnsafeAndDirectories) {
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/b.x12", "B").ok());
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/a.x12", "AA").ok());
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/.partial", "x").ok());
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/bad\x01name", "x").ok());
  ASSERT_TRUE(mem_.CreateDirs("/mb/inbox/sub").ok());
  auto t = Make();
  auto list = t->ListInbox();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->files.size(), 2u);
  EXPECT_EQ(list->files[0].name, "a.x12");
  EXPECT_EQ(list->files[0].size, 2u);
  EXPECT_EQ(list->rejected, 1);
}

TEST_F(FolderTransportTest, FetchValidatesNamesAndSize) {
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/a.x12", "0123456789AB").ok());
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/secret", "top").ok());
  auto t = Make(TransportLimits{.max_file_bytes = 10});
  EXPECT_EQ(t->Fetch("a.x12").status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(t->Fetch("../secret").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t->Fetch("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(FolderTransportTest, PutStagesThenRenamesAndIsIdempotent) {
  auto t = Make();
  ASSERT_TRUE(t->PutOutbox("A_850.x12", "ISA").ok());
  EXPECT_EQ(*mem_.ReadFile("/mb/outbox/A_850.x12"), "ISA");
  EXPECT_TRUE(mem_.ListDir("/mb/.mlc-staging")->empty());
  EXPECT_EQ(t->PutOutbox("A_850.x12", "ISA").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(t->PutOutbox("A_850.x12", "ISB").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(mem_.Rename("/mb/outbox/A_850.x12", "/mb/sentbox/A_850.x12").ok());
  EXPECT_EQ(t->PutOutbox("A_850.x12", "ISA").code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(mem_.Exists("/mb/outbox/A_850.x12"));
  EXPECT_EQ(t->PutOutbox("../../etc/x", "x").code(), StatusCode::kInvalidArgument);
}

TEST_F(FolderTransportTest, ArchiveKeepsBothCopiesOnNameReuse) {
  auto t = Make();
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/invoice.edi", "one").ok());
  ASSERT_TRUE(t->Archive("invoice.edi").ok());
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/invoice.edi", "two").ok());
  ASSERT_TRUE(t->Archive("invoice.edi").ok());
  auto names = mem_.ListDir("/mb/receivedbox");
  ASSERT_TRUE(names.ok());
  ASSERT_EQ(names->size(), 2u);
  EXPECT_EQ(*mem_.ReadFile("/mb/receivedbox/invoice.edi"), "one");
  EXPECT_EQ(*mem_.ReadFile("/mb/receivedbox/invoice.edi." + Sha256Hex("two").substr(0, 12)), "two");
  // Same content again: the redundant inbox copy just goes.
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/invoice.edi", "one").ok());
  ASSERT_TRUE(t->Archive("invoice.edi").ok());
  EXPECT_EQ(mem_.ListDir("/mb/receivedbox")->size(), 2u);
  EXPECT_EQ(t->Archive("invoice.edi").code(), StatusCode::kNotFound);
}

TEST_F(FolderTransportTest, Delete) {
  auto t = Make();
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/x", "1").ok());
  ASSERT_TRUE(t->Delete("x").ok());
  EXPECT_EQ(t->Delete("x").code(), StatusCode::kNotFound);
}

TEST_F(FolderTransportTest, RefusesAutorunAndBadLayouts) {
  FolderTransportOptions autorun{.root = "/mb"};
  autorun.outbox = "autorun";
  EXPECT_EQ(FolderTransport::Create(mem_, autorun).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(FolderTransport::Create(mem_, {.root = "/opt/Harmony/autorun"}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(FolderTransport::Create(mem_, {.root = "/mb", .inbox = "../x"}).status().code(),
            StatusCode::kInvalidArgument);
  FolderTransportOptions staging{.root = "/mb"};
  staging.staging = "stage";
  EXPECT_EQ(FolderTransport::Create(mem_, staging).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FolderTransport::Create(mem_, {.root = "/nowhere"}).status().code(),
            StatusCode::kNotFound);
}

// On the real disk: a reader polling the outbox never sees a partial file.
TEST(FolderTransportDiskTest, PollerNeverSeesPartialFiles) {
  fs::path root = fs::temp_directory_path() / ("mlc-cleo-folder-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "inbox");
  fs::create_directories(root / "outbox");
  auto t = FolderTransport::Create(RealFileSystem(), {.root = root});
  ASSERT_TRUE(t.ok()) << t.status();
  const std::string content(2 << 20, 'Z');
  std::atomic<bool> done{false};
  std::atomic<int> partial{0}, seen{0};
  std::thread poller([&] {
    while (!done) {
      for (const auto& e : fs::directory_iterator(root / "outbox")) {
        ++seen;
        std::ifstream in(e.path(), std::ios::binary);
        std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (got.size() != content.size()) ++partial;
      }
    }
  });
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE((*t)->PutOutbox("f" + std::to_string(i) + ".x12", content).ok());
  }
  done = true;
  poller.join();
  EXPECT_EQ(partial.load(), 0);
  EXPECT_GT(seen.load(), 0);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(root / "outbox")) ++files;
  EXPECT_EQ(files, 20);
  fs::remove_all(root);
}

// --- client helpers ------------------------------------------------------------------------

TEST_F(FolderTransportTest, FetchNewInboundProcessesEachFileOnce) {
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/a.x12", "A").ok());
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/b.x12", "B").ok());
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/huge", std::string(100, 'x')).ok());
  auto t = Make(TransportLimits{.max_file_bytes = 50});
  MemorySeenFiles seen;
  auto first = FetchNewInbound(*t, seen);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->files.size(), 2u);
  ASSERT_EQ(first->errors.size(), 1u);
  EXPECT_EQ(first->errors[0].code(), StatusCode::kOutOfRange);
  for (const auto& f : first->files) ASSERT_TRUE(seen.Add(f.id()).ok());
  // Listed again (not yet archived): nothing new. A same-named file with new content is new.
  ASSERT_TRUE(mem_.WriteFileAtomic("/mb/inbox/b.x12", "B2").ok());
  auto second = FetchNewInbound(*t, seen);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->files.size(), 1u);
  EXPECT_EQ(second->files[0].content, "B2");
  EXPECT_EQ(second->already_seen, 1);
}

TEST_F(FolderTransportTest, MakeTransportFromConfig) {
  config::CleoConfig cleo;
  config::PartnerConfig p;
  p.id = "ACME";
  p.transport.type = config::TransportType::kFolder;
  p.transport.inbox = "/mb/inbox/";
  p.transport.outbox = "/mb/outbox";
  class NoHttp : public HttpClient {
    Result<HttpResponse> Send(const HttpRequest&) override { return InternalError("no"); }
  } http;
  auto t = MakeTransport(cleo, p, "", http, mem_);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->kind(), "folder");
  ASSERT_TRUE((*t)->PutOutbox("x.x12", "1").ok());
  EXPECT_TRUE(mem_.Exists("/mb/outbox/x.x12"));
  p.transport.outbox = "/elsewhere/outbox";
  EXPECT_EQ(MakeTransport(cleo, p, "", http, mem_).status().code(), StatusCode::kInvalidArgument);
  p.transport.type = config::TransportType::kHttp;
  p.transport.mailbox = "acme";
  EXPECT_EQ(MakeTransport(cleo, p, "", http, mem_).status().code(), StatusCode::kInvalidArgument);
  cleo.base_url = "https://cleo.test";
  cleo.username = "api";
  cleo.password.kind = config::SecretRef::Kind::kVault;
  cleo.password.name = "cleo";
  EXPECT_EQ(MakeTransport(cleo, p, "", http, mem_).status().code(), StatusCode::kFailedPrecondition);
  auto h = MakeTransport(cleo, p, "api-pass-2", http, mem_);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ((*h)->kind(), "http");
}

TEST(TransportPasswordTest, PartnerPasswordWinsOverTheCleoPassword) {
  config::CleoConfig cleo;
  cleo.password.kind = config::SecretRef::Kind::kVault;
  cleo.password.name = "cleo_api";
  config::PartnerConfig p;
  p.id = "ACME";
  TransportPassword fallback = TransportPasswordOf(cleo, p);
  EXPECT_EQ(&fallback.ref, &cleo.password);
  EXPECT_EQ(fallback.key_path, "cleo.password");
  p.transport.password.kind = config::SecretRef::Kind::kVault;
  p.transport.password.name = "acme_mailbox";
  TransportPassword own = TransportPasswordOf(cleo, p);
  EXPECT_EQ(&own.ref, &p.transport.password);
  EXPECT_EQ(own.key_path, "partners[id=ACME].transport.password");
}

TEST(TransportPasswordTest, TheReferenceExportIsServedLikeAPartnerUnderItsOwnKeys) {
  config::CleoConfig cleo;
  cleo.password.kind = config::SecretRef::Kind::kVault;
  cleo.password.name = "cleo_api";
  cleo.reference_export = config::ReferenceExportConfig{};
  cleo.reference_export->type = config::TransportType::kFolder;
  cleo.reference_export->outbox = "/srv/cleo/lookups";
  config::PartnerConfig p = ReferenceExportProfile(cleo);
  EXPECT_EQ(p.id, kReferenceExportId);
  EXPECT_EQ(p.transport.inbox, "/srv/cleo/lookups");  // drop-only: the inbox is the outbox
  EXPECT_EQ(p.transport.outbox, "/srv/cleo/lookups");
  EXPECT_EQ(TransportPasswordOf(cleo, p).key_path, "cleo.password");
  cleo.reference_export->type = config::TransportType::kHttp;
  cleo.reference_export->mailbox = "lookups";
  cleo.reference_export->password.kind = config::SecretRef::Kind::kEnv;
  cleo.reference_export->password.name = "LOOKUPS_PW";
  p = ReferenceExportProfile(cleo);
  EXPECT_EQ(p.transport.mailbox, "lookups");
  TransportPassword own = TransportPasswordOf(cleo, p);
  EXPECT_EQ(&own.ref, &p.transport.password);
  EXPECT_EQ(own.key_path, "cleo.reference_export.password");
}

TEST(TransportPasswordTest, HttpTransportWithoutPasswordNamesTheKey) {
  config::CleoConfig cleo;
  cleo.base_url = "https://cleo.test";
  cleo.username = "api";
  config::PartnerConfig p;
  p.id = "ACME";
  p.transport.type = config::TransportType::kHttp;
  p.transport.mailbox = "acme";
  p.transport.password.kind = config::SecretRef::Kind::kVault;
  p.transport.password.name = "acme_mailbox";
  class NoHttp : public HttpClient {
    Result<HttpResponse> Send(const HttpRequest&) override { return InternalError("no"); }
  } http;
  auto t = MakeTransport(cleo, p, "", http, RealFileSystem());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(t.status().message().find("partners[id=ACME].transport.password"), std::string::npos)
      << t.status();
}

TEST(TransportLimitsTest, TheConfiguredSizeLimitReachesTheTransport) {
  const auto root = std::filesystem::temp_directory_path() /
                    ("mlc-limits-" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "inbox");
  std::filesystem::create_directories(root / "outbox");
  config::CleoConfig cleo;
  cleo.max_file_size_mb = 1;
  cleo.refuse_vulnerable_server = true;
  config::PartnerConfig p;
  p.id = "ACME";
  p.transport.type = config::TransportType::kFolder;
  p.transport.inbox = (root / "inbox").string();
  p.transport.outbox = (root / "outbox").string();
  class NoHttp : public HttpClient {
    Result<HttpResponse> Send(const HttpRequest&) override { return InternalError("no"); }
  } http;
  EXPECT_EQ(TransportLimitsFromConfig(cleo).max_file_bytes, 1u << 20);
  auto t = MakeTransport(cleo, p, "", http, RealFileSystem(), TransportLimitsFromConfig(cleo));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->PutOutbox("ACME_850_000000001_1_0001.x12", std::string((1u << 20) + 1, 'x'))
                .code(),
            StatusCode::kOutOfRange);
  EXPECT_TRUE((*t)->PutOutbox("ACME_850_000000001_1_0001.x12", "ISA*small").ok());
  cleo.base_url = "https://cleo.test";
  cleo.username = "api";
  auto so = SessionOptionsFromConfig(cleo, "pw-1234");
  ASSERT_TRUE(so.ok()) << so.status();
  EXPECT_TRUE(so->refuse_vulnerable_server);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace mlc::cleo
