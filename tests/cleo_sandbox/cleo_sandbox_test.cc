// The Cleo client against the Cleo sandbox over real loopback HTTP (CurlHttpClient), including
// injected faults, expired tokens, unsafe names and the vulnerable-version warning.
#include "sandbox/cleo/cleo_sandbox.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <thread>

#include "cleo/client.h"
#include "common/curl_http_client.h"
#include "common/redact.h"
#include "sandbox/partners/simulator.h"
#include "support.h"

namespace mlc::cleo {
namespace {

using sandbox::cleo::CleoSandbox;
using sandbox::cleo::CleoSandboxOptions;
using sandbox::cleo::Fault;
using testing_support::TempDir;

constexpr char kApiPassword[] = "sandbox-api-pass-7f3";
constexpr char kMailboxPassword[] = "acme-mailbox-pass-9c1";

CleoSandboxOptions Options(const TempDir& dir) {
  CleoSandboxOptions o;
  o.root = dir.path();
  o.seed.users = {{"mlc-api", kApiPassword}};
  o.seed.mailboxes = {{"acme", kMailboxPassword}, {"globex", "globex-pass-2b8"}};
  o.seed.actions = {{"act-send-acme", "send acme", "acme"}};
  o.seed.filler_connections = 120;
  return o;
}

class ClientAgainstSandbox : public ::testing::Test {
 protected:
  void Start(CleoSandboxOptions o) {
    sandbox_ = std::make_unique<CleoSandbox>(std::move(o));
    ASSERT_TRUE(sandbox_->Start().ok());
  }
  void SetUp() override { Start(Options(dir_)); }
  void TearDown() override { sandbox_->Stop(); }

  SessionOptions ApiOptions() {
    SessionOptions o;
    o.base_url = sandbox_->base_url();
    o.username = "mlc-api";
    o.password = kApiPassword;
    o.retry.initial = std::chrono::milliseconds(5);
    o.retry.max_delay = std::chrono::milliseconds(20);
    o.retry.max_attempts = 6;
    o.request_timeout = std::chrono::milliseconds(5000);
    return o;
  }
  std::unique_ptr<HttpTransport> Mailbox(TransportLimits limits = {}) {
    HttpTransportOptions o;
    o.base_url = sandbox_->base_url();
    o.username = "acme";
    o.password = kMailboxPassword;
    o.retry.initial = std::chrono::milliseconds(5);
    o.retry.max_attempts = 6;
    auto t = HttpTransport::Create(http_, o, limits);
    EXPECT_TRUE(t.ok()) << t.status();
    return std::move(t).value();
  }

  TempDir dir_{"cleo-sbx"};
  std::unique_ptr<CleoSandbox> sandbox_;
  CurlHttpClient http_;
};

TEST_F(ClientAgainstSandbox, DiscoversMailboxesThroughPagedConnections) {
  Session session(http_, ApiOptions());
  RestApi api(session);
  auto all = api.ListConnections("", 25);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 122u);
  EXPECT_EQ(sandbox_->stats().requests, 1 + 5);  // one token grant, five pages
  auto http = api.ListConnections("type eq \"http\"");
  ASSERT_TRUE(http.ok()) << http.status();
  ASSERT_EQ(http->size(), 2u);
  EXPECT_EQ((*http)[0].alias, "acme");
  EXPECT_EQ((*http)[0].inbox, "acme/inbox/");
  EXPECT_EQ(session.token_fetches(), 1);
  auto bad = api.ListConnections("alias has \"x\"");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("invalid filter"), std::string::npos);
}

TEST_F(ClientAgainstSandbox, ReauthenticatesWhenTokensExpire) {
  Session session(http_, ApiOptions());
  RestApi api(session);
  ASSERT_TRUE(api.ListConnections("alias eq \"acme\"").ok());
  sandbox_->ExpireAllTokens();
  auto again = api.ListConnections("alias eq \"acme\"");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(session.token_fetches(), 2);
  EXPECT_EQ(sandbox_->stats().token_grants, 2);
  EXPECT_EQ(sandbox_->stats().unauthorized, 1);
}

TEST_F(ClientAgainstSandbox, ShortTokenLifetimeIsHandled) {
  sandbox_->Stop();
  CleoSandboxOptions o = Options(dir_);
  o.token_lifetime = std::chrono::milliseconds(30);
  Start(o);
  Session session(http_, ApiOptions());
  RestApi api(session);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(api.ListConnections("alias eq \"acme\"").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  EXPECT_GE(session.token_fetches(), 4);
}

TEST_F(ClientAgainstSandbox, WrongApiPasswordIsPermissionDeniedAndNeverEchoed) {
  SessionOptions o = ApiOptions();
  o.password = "not-the-password-42";
  Session session(http_, o);
  auto r = RestApi(session).ListConnections();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("invalid username or password"), std::string::npos);
  EXPECT_EQ(r.status().message().find("not-the-password-42"), std::string::npos);
}

TEST_F(ClientAgainstSandbox, LostResponseAfterTheWriteStillCountsAsDelivered) {
  HttpTransportOptions o;
  o.base_url = sandbox_->base_url();
  o.username = "acme";
  o.password = kMailboxPassword;
  o.sentbox_dir = "";  // one listing before the send
  o.retry.initial = std::chrono::milliseconds(5);
  auto t = HttpTransport::Create(http_, o);
  ASSERT_TRUE(t.ok());
  // The listing passes; the send is handled (the file is written) and its response dropped. The
  // retried send meets 409, fetches the file, finds its own bytes: delivered, exactly one file.
  sandbox_->FailNext(1, Fault::kNone);
  sandbox_->FailNext(1, Fault::kDropAfter);
  Status s = (*t)->PutOutbox("ACME_850_000000043_43_0001.x12", "ISA-43");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s;
  EXPECT_EQ(sandbox_->stats().injected_drops, 1);
  auto out = RealFileSystem().ListDir(sandbox_->MailboxDir("acme") / "outbox");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (std::vector<std::string>{"ACME_850_000000043_43_0001.x12", "payload"}));
  EXPECT_EQ(testing_support::ReadText(sandbox_->MailboxDir("acme") / "outbox" /
                                      "ACME_850_000000043_43_0001.x12"),
            "ISA-43");
}

TEST_F(ClientAgainstSandbox, RetriesInjected503AndDroppedConnections) {
  Session session(http_, ApiOptions());
  RestApi api(session);
  ASSERT_TRUE(session.Token().ok());
  sandbox_->FailNext(2, Fault::k503);
  sandbox_->FailNext(1, Fault::kDrop);
  auto r = api.ListConnections("alias eq \"acme\"");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(sandbox_->stats().injected_503, 2);
  EXPECT_EQ(sandbox_->stats().injected_drops, 1);
  // More faults in a row than attempts: the error says what happened and stays retriable.
  sandbox_->FailNext(10, Fault::kDrop);
  auto failed = api.ListConnections("alias eq \"acme\"");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(failed.status().retriable());
}

TEST_F(ClientAgainstSandbox, SurvivesRandomFaultsOnEveryOperation) {
  sandbox_->Stop();
  CleoSandboxOptions o = Options(dir_);
  o.error_rate = 0.15;
  o.drop_rate = 0.1;
  o.fault_seed = 20260315;
  Start(o);
  auto t = Mailbox();
  Session session(http_, ApiOptions());
  RestApi api(session);
  for (int i = 0; i < 15; ++i) {
    const std::string name = "ACME_850_" + std::to_string(i) + ".x12";
    Status put = DropOutbound(*t, &api, "send acme", name, "ISA-content-" + std::to_string(i));
    ASSERT_TRUE(put.ok() || put.code() == StatusCode::kAlreadyExists) << put;
  }
  auto s = sandbox_->stats();
  EXPECT_GT(s.injected_503 + s.injected_drops, 5) << "faults were not exercised";
  std::printf("random faults: %lld requests, %lld injected 503, %lld dropped, 15 files delivered\n",
              static_cast<long long>(s.requests), static_cast<long long>(s.injected_503),
              static_cast<long long>(s.injected_drops));
  // Every file was delivered exactly once (the action moved them all to sentbox).
  auto sent = RealFileSystem().ListDir(sandbox_->MailboxDir("acme") / "sentbox");
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->size(), 15u);
}

TEST_F(ClientAgainstSandbox, HttpTransportRoundTripWithThePartnerSimulator) {
  auto t = Mailbox();
  const std::string po = testing_support::Build850("ACMESUPPLY", "PO-7001", 3);
  auto name = OutboundFileName({"ACME", "850", "1001", "1001", "0001"});
  ASSERT_TRUE(name.ok());
  ASSERT_TRUE(t->PutOutbox(*name, po).ok());
  // A retried drop finds its own file.
  EXPECT_EQ(t->PutOutbox(*name, po).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(t->PutOutbox(*name, po + "X").code(), StatusCode::kFailedPrecondition);

  sandbox::partners::PartnerProfile acme;
  acme.id = "ACME";
  acme.mailbox = "acme";
  acme.invoice_after_steps = 1;
  auto step1 = sandbox::partners::Step(dir_.path(), {acme});
  ASSERT_TRUE(step1.ok()) << step1.status();
  EXPECT_EQ(step1->orders, 1);
  // Cleo has sent it: the copy in sentbox still makes a retry count as delivered.
  EXPECT_EQ(t->PutOutbox(*name, po).code(), StatusCode::kAlreadyExists);

  MemorySeenFiles seen;
  auto batch = FetchNewInbound(*t, seen);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->files.size(), 2u);  // 997 and 855
  EXPECT_NE(batch->files[0].name.find("_855_"), std::string::npos);
  EXPECT_NE(batch->files[1].name.find("_997_"), std::string::npos);
  for (const auto& f : batch->files) ASSERT_TRUE(seen.Add(f.id()).ok());
  // Listed again before archiving: nothing new.
  auto again = FetchNewInbound(*t, seen);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->files.empty());
  EXPECT_EQ(again->already_seen, 2);
  for (const auto& f : batch->files) ASSERT_TRUE(t->Archive(f.name).ok()) << f.name;
  EXPECT_EQ(t->Archive(batch->files[0].name).code(), StatusCode::kNotFound);

  ASSERT_TRUE(sandbox::partners::Step(dir_.path(), {acme}).ok());
  auto invoices = FetchNewInbound(*t, seen);
  ASSERT_TRUE(invoices.ok());
  ASSERT_EQ(invoices->files.size(), 1u);
  EXPECT_NE(invoices->files[0].content.find("BIG*20260315*INVPO7001*20260315*PO-7001"),
            std::string::npos)
      << invoices->files[0].content;
  ASSERT_TRUE(t->Delete(invoices->files[0].name).ok());
  EXPECT_TRUE(t->ListInbox()->files.empty());
  auto archived = RealFileSystem().ListDir(sandbox_->MailboxDir("acme") / "receivedbox");
  EXPECT_EQ(archived->size(), 2u);
}

TEST_F(ClientAgainstSandbox, UnsafeNamesNeverReachTheServerOrTheDisk) {
  // A hostile file appears in the inbox (a partner upload): it is skipped, never fetched.
  testing_support::WriteText(sandbox_->MailboxDir("acme") / "inbox" / "ok.x12", "x");
  testing_support::WriteText(sandbox_->MailboxDir("acme") / "inbox" / "a\tb", "x");
  auto t = Mailbox();
  auto list = t->ListInbox();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->files.size(), 1u);
  EXPECT_EQ(list->rejected, 1);
  const int64_t before = sandbox_->stats().requests;
  EXPECT_EQ(t->Fetch("../globex/inbox/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t->PutOutbox("../../autorun/x.bat", "calc").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sandbox_->stats().requests, before);
  // And the sandbox itself refuses traversal and autorun when asked directly.
  HttpRequest raw;
  raw.method = "POST";
  raw.url = sandbox_->base_url() + "/server?request=send&directory=autorun%2F&filename=x.bat";
  raw.headers["Authorization"] = "Basic YWNtZTphY21lLW1haWxib3gtcGFzcy05YzE=";
  raw.body = "x";
  auto r = http_.Send(raw);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  raw.url = sandbox_->base_url() +
            "/server?request=receive&directory=..%2Fglobex%2Finbox%2F"
            "&filename=x";
  r = http_.Send(raw);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "acme" / "autorun"));
}

TEST_F(ClientAgainstSandbox, SizeLimitsOnBothSides) {
  sandbox_->Stop();
  CleoSandboxOptions o = Options(dir_);
  o.max_upload_bytes = 1000;
  Start(o);
  testing_support::WriteText(sandbox_->MailboxDir("acme") / "inbox" / "big.x12",
                             std::string(5000, 'x'));
  auto t = Mailbox(TransportLimits{.max_file_bytes = 2000});
  EXPECT_EQ(t->Fetch("big.x12").status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(t->PutOutbox("big-out.x12", std::string(3000, 'x')).code(), StatusCode::kOutOfRange);
  Status server_refused = t->PutOutbox("mid.x12", std::string(1500, 'x'));
  EXPECT_EQ(server_refused.code(), StatusCode::kOutOfRange) << server_refused;
  EXPECT_NE(server_refused.message().find("larger than the server's limit"), std::string::npos);
}

TEST_F(ClientAgainstSandbox, WrongMailboxPasswordIsPermissionDenied) {
  HttpTransportOptions o;
  o.base_url = sandbox_->base_url();
  o.username = "acme";
  o.password = "wrong-mailbox-pass";
  auto t = HttpTransport::Create(http_, o);
  ASSERT_TRUE(t.ok());
  auto r = (*t)->ListInbox();
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().message().find("wrong-mailbox-pass"), std::string::npos);
}

TEST_F(ClientAgainstSandbox, NoticesAVulnerableServerVersion) {
  sandbox_->Stop();
  CleoSandboxOptions o = Options(dir_);
  o.server_header = "Cleo Harmony/5.8.0.21 (Linux)";
  Start(o);
  Session session(http_, ApiOptions());
  ASSERT_TRUE(RestApi(session).ListConnections("alias eq \"acme\"").ok());
  EXPECT_TRUE(session.server_vulnerable());
  ASSERT_TRUE(session.server_version());
  EXPECT_EQ(session.server_version()->ToString(), "Harmony 5.8.0.21");
  SessionOptions refuse = ApiOptions();
  refuse.refuse_vulnerable_server = true;
  Session strict(http_, refuse);
  EXPECT_EQ(RestApi(strict).ListConnections().status().code(), StatusCode::kPermissionDenied);
}

TEST_F(ClientAgainstSandbox, ConcurrentClientsShareOneToken) {
  Session session(http_, ApiOptions());
  RestApi api(session);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 3; ++k) {
        if (api.ListConnections("alias eq \"acme\"").ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 18);
  EXPECT_EQ(session.token_fetches(), 1);
  EXPECT_EQ(sandbox_->stats().token_grants, 1);
}

// The real binary: `ml-sandbox cleo --port 0` prints the port it picked and serves it.
TEST(SandboxBinary, PrintsThePortAndServes) {
  TempDir dir("cleo-bin");
  const auto seed = dir.path() / "seed.yaml";
  testing_support::WriteText(seed,
                             "cleo:\n  users: [{username: u1, password: bin-pass-1}]\n"
                             "  mailboxes: [{name: acme, password: acme-bin-pass}]\n");
  const std::string cmd = std::string(MLC_SANDBOX_BIN) + " cleo --port 0 --root " +
                          (dir.path() / "root").string() + " --seed " + seed.string();
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  FILE* f = ::fdopen(out[0], "r");
  char line[256];
  int port = 0;
  while (port == 0 && std::fgets(line, sizeof line, f) != nullptr) {
    if (std::string(line).rfind("port=", 0) == 0) port = std::atoi(line + 5);
  }
  ASSERT_GT(port, 0);
  CurlHttpClient http;
  SessionOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port);
  o.username = "u1";
  o.password = "bin-pass-1";
  Session session(http, o);
  auto conns = RestApi(session).ListConnections();
  ASSERT_TRUE(conns.ok()) << conns.status();
  EXPECT_EQ(conns->size(), 1u);
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::fclose(f);
}

}  // namespace
}  // namespace mlc::cleo
