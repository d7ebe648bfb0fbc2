// The ops console's API over real loopback HTTP (OpsServer + curl), against a real SQLite store
// seeded through Store::Ingest, a real FlowRunner and a FakeClock.
#include "server/console.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/curl_http_client.h"
#include "common/redact.h"
#include "flows/runner.h"
#include "server/http_server.h"
#include "store/store.h"

namespace mlc::server {
namespace {

using nlohmann::json;

config::PartnerConfig Partner(std::string id, std::chrono::hours expect) {
  config::PartnerConfig p;
  p.id = std::move(id);
  p.name = p.id + " Corp";
  p.documents = {"850", "997"};
  p.expect_997_within = expect;
  return p;
}

class CountingFlow : public flows::Flow {
 public:
  std::string name() const override { return "po_outbound"; }
  Result<flows::RunSummary> Run(flows::RunContext&) override {
    flows::RunSummary s;
    s.counts["read"] = 3;
    return s;
  }
};

constexpr std::string_view kX12 =
    "ISA*00*          *00*          *ZZ*MLC            *ZZ*ACME           *260102*0304*U*00401*"
    "000000001*0*P*>~GS*PO*MLC*ACME*20260102*0304*1*X*004010~ST*850*0001~BEG*00*SA*PO-1001**"
    "20260102~SE*3*0001~GE*1*1~IEA*1*000000001~";

CurlHttpClientOptions NoProxy() {
  CurlHttpClientOptions o;
  o.proxy = "";
  return o;
}

ConsoleOptions WithToken(std::string token) {
  ConsoleOptions o;
  o.auth_token = std::move(token);
  return o;
}

struct Reply {
  int status = 0;
  std::string body;
  HttpHeaders headers;
  json Json() const { return json::parse(body, nullptr, false); }
};

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite::memory:", clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    Seed();
  }

  void TearDown() override {
    http_.reset();  // closes its keep-alive connections, so Stop need not wait them out
    if (server_) server_->Stop();
    if (runner_) runner_->Stop();
    ClearSecretsForTest();
  }

  // 1: ACME 850 PO-1001 pending, with an X12 payload; 2: ACME 850 PO-1002 parked;
  // 3: GLOBEX 810 INV-7 (invoice_inbound) pending, a day later; 4-6: ACME 850s for paging.
  void Seed() {
    store::IngestBatch out;
    out.flow = "po_outbound";
    store::NewDocument d1;
    d1.idempotency_key = "po:1001";
    d1.type = "850";
    d1.partner = "ACME";
    d1.po_number = "PO-1001";
    d1.step = "send";
    d1.payloads = {{"render", "output", "application/edi-x12", std::string(kX12)},
                   {"fetch", "input", "application/json", R"({"tranId":"PO-1001"})"}};
    store::NewDocument d2 = d1;
    d2.idempotency_key = "po:1002";
    d2.po_number = "PO-1002";
    d2.payloads.clear();
    d2.state = store::DocState::kParked;
    d2.error = FailedPreconditionError("vendor 881 has no partner mapping");
    out.documents = {d1, d2};
    ASSERT_TRUE(store_->Ingest(out).ok());

    clock_.Advance(std::chrono::hours(24));
    store::IngestBatch in;
    in.flow = "invoice_inbound";
    store::NewDocument d3;
    d3.idempotency_key = "inv:7";
    d3.direction = store::Direction::kIn;
    d3.type = "810";
    d3.partner = "GLOBEX";
    d3.invoice_number = "INV-7";
    d3.step = "map";
    in.documents = {d3};
    ASSERT_TRUE(store_->Ingest(in).ok());

    store::IngestBatch more;
    more.flow = "po_outbound";
    for (int i = 4; i <= 6; ++i) {
      store::NewDocument d = d1;
      d.idempotency_key = "po:100" + std::to_string(i);
      d.po_number = "PO-100" + std::to_string(i);
      d.payloads.clear();
      more.documents.push_back(d);
    }
    ASSERT_TRUE(store_->Ingest(more).ok());
  }

  void Start(ConsoleOptions options = {}, bool with_runner = true) {
    if (with_runner) {
      runner_ = std::make_unique<flows::FlowRunner>(clock_, flows::TimeZone::FixedOffset({}));
      runner_->Add(std::make_unique<CountingFlow>(), *flows::Schedule::Parse("every 5m"));
      runner_->Start();
    }
    OpsServerOptions o;
    o.host = "127.0.0.1";
    o.console = std::make_shared<ConsoleApi>(
        *store_, runner_.get(),
        std::vector<config::PartnerConfig>{Partner("ACME", std::chrono::hours(24)),
                                           Partner("GLOBEX", std::chrono::hours(0))},
        clock_, std::move(options));
    server_ = std::make_unique<OpsServer>(std::move(o), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
  }

  Reply Send(const std::string& method, const std::string& target, HttpHeaders headers = {},
             std::string body = "") {
    HttpRequest r;
    r.method = method;
    r.url = "http://127.0.0.1:" + std::to_string(server_->port()) + target;
    r.headers = std::move(headers);
    r.body = std::move(body);
    auto resp = http_->Send(r);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    if (!resp.ok()) return {};
    return {resp->status, resp->body, resp->headers};
  }
  Reply Get(const std::string& target, HttpHeaders headers = {}) {
    return Send("GET", target, std::move(headers));
  }
  Reply Post(const std::string& target, std::string body = "", HttpHeaders headers = {}) {
    headers.emplace("X-MLC-Console", "1");
    return Send("POST", target, std::move(headers), std::move(body));
  }

  std::vector<int64_t> Ids(const Reply& r) {
    std::vector<int64_t> ids;
    const json j = r.Json();
    for (const auto& d : j["documents"]) ids.push_back(d["id"].get<int64_t>());
    return ids;
  }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<flows::FlowRunner> runner_;
  Metrics metrics_;
  std::unique_ptr<OpsServer> server_;
  std::unique_ptr<CurlHttpClient> http_ = std::make_unique<CurlHttpClient>(NoProxy());
};

TEST_F(ConsoleTest, ListsDocumentsWithFilters) {
  Start();
  EXPECT_EQ(Ids(Get("/api/documents")), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Ids(Get("/api/documents?partner=GLOBEX")), (std::vector<int64_t>{3}));
  EXPECT_EQ(Ids(Get("/api/documents?type=850&state=parked")), (std::vector<int64_t>{2}));
  EXPECT_EQ(Ids(Get("/api/documents?flow=invoice_inbound")), (std::vector<int64_t>{3}));
  EXPECT_EQ(Ids(Get("/api/documents?q=INV-7")), (std::vector<int64_t>{3}));
  EXPECT_EQ(Ids(Get("/api/documents?q=PO-1002")), (std::vector<int64_t>{2}));
  // Seeded on 2026-01-02 (1, 2) and 2026-01-03 (3-6); `until` as a date includes that day.
  EXPECT_EQ(Ids(Get("/api/documents?until=2026-01-02")), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Ids(Get("/api/documents?since=2026-01-03&partner=ACME")),
            (std::vector<int64_t>{4, 5, 6}));
  EXPECT_EQ(Ids(Get("/api/documents?since=2026-01-03T03:04:05Z&until=2026-01-03T03:04:06Z")),
            (std::vector<int64_t>{3, 4, 5, 6}));

  Reply d = Get("/api/documents?partner=ACME&state=parked");
  ASSERT_EQ(d.status, 200);
  json doc = d.Json()["documents"][0];
  EXPECT_EQ(doc["po_number"], "PO-1002");
  EXPECT_EQ(doc["last_error"]["code"], "FAILED_PRECONDITION");
  EXPECT_EQ(doc["last_error"]["message"], "vendor 881 has no partner mapping");

  EXPECT_EQ(Get("/api/documents?state=bogus").status, 400);
  EXPECT_EQ(Get("/api/documents?since=yesterday").status, 400);
  EXPECT_EQ(Get("/api/documents?limit=0").status, 400);
  EXPECT_EQ(Get("/api/documents?limit=501").status, 400);
  EXPECT_EQ(Get("/api/documents?after_id=x").status, 400);
}

TEST_F(ConsoleTest, PagesWithAfterId) {
  Start();
  Reply p1 = Get("/api/documents?limit=4");
  EXPECT_EQ(Ids(p1), (std::vector<int64_t>{1, 2, 3, 4}));
  ASSERT_EQ(p1.Json()["next_after_id"], 4);
  Reply p2 = Get("/api/documents?limit=4&after_id=4");
  EXPECT_EQ(Ids(p2), (std::vector<int64_t>{5, 6}));
  EXPECT_TRUE(p2.Json()["next_after_id"].is_null());
  // Exactly `limit` left: no next page.
  EXPECT_TRUE(Get("/api/documents?limit=2&after_id=4").Json()["next_after_id"].is_null());
}

TEST_F(ConsoleTest, DocumentTimelineAndPayloads) {
  Start();
  ASSERT_TRUE(store_
                  ->AppendAudit(1, {.event = "sent",
                                    .step = "send",
                                    .actor = "worker-1",
                                    .detail = "to Cleo",
                                    .error = {}})
                  .ok());
  Reply r = Get("/api/documents/1");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  EXPECT_EQ(j["document"]["id"], 1);
  EXPECT_EQ(j["document"]["state"], "pending");
  ASSERT_EQ(j["timeline"].size(), 2u);
  EXPECT_EQ(j["timeline"][0]["event"], "received");
  EXPECT_EQ(j["timeline"][1]["event"], "sent");
  EXPECT_EQ(j["timeline"][1]["actor"], "worker-1");
  EXPECT_EQ(j["timeline"][1]["detail"], "to Cleo");
  ASSERT_EQ(j["payloads"].size(), 2u);
  std::set<std::string> kinds;
  for (const auto& p : j["payloads"]) {
    kinds.insert(p["step"].get<std::string>() + "/" + p["kind"].get<std::string>());
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"render/output", "fetch/input"}));

  Reply x12 = Get("/api/documents/1/payloads/render/output");
  ASSERT_EQ(x12.status, 200);
  EXPECT_EQ(x12.body, kX12);
  EXPECT_EQ(x12.headers["Content-Type"], "text/plain; charset=utf-8");
  EXPECT_EQ(x12.headers["X-MLC-Media-Type"], "application/edi-x12");
  EXPECT_EQ(Get("/api/documents/1/payloads/fetch/input").body, R"({"tranId":"PO-1001"})");

  // The parked document's timeline says why.
  json parked = Get("/api/documents/2").Json();
  EXPECT_EQ(parked["document"]["state"], "parked");
  EXPECT_TRUE(parked["payloads"].empty());
}

TEST_F(ConsoleTest, NotFound) {
  Start();
  EXPECT_EQ(Get("/api/documents/999").status, 404);
  EXPECT_EQ(Get("/api/documents/999").Json()["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(Get("/api/documents/abc").status, 404);
  EXPECT_EQ(Get("/api/documents/1/payloads/render/nope").status, 404);
  EXPECT_EQ(Get("/api/nothing").status, 404);
  EXPECT_EQ(Post("/api/documents/999/replay").status, 404);
  EXPECT_EQ(Post("/api/flows/no_such_flow/run").status, 404);
  EXPECT_EQ(Get("/assets/missing.js").status, 404);
}

TEST_F(ConsoleTest, ReplayChangesStateAndWritesAudit) {
  Start();
  Reply r = Post("/api/documents/2/replay", R"({"reason":"vendor mapping added"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["document"]["state"], "pending");
  EXPECT_EQ(r.Json()["actor"], "console");
  auto doc = store_->GetDocument(2);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->state, store::DocState::kPending);

  store::AuditQuery q;
  q.document_id = 2;
  q.event = "replayed";
  auto events = store_->QueryAudit(q);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].actor, "console");
  EXPECT_NE((*events)[0].detail.find("vendor mapping added"), std::string::npos)
      << (*events)[0].detail;

  // A pending document cannot be replayed: 409 with the store's reason.
  Reply again = Post("/api/documents/2/replay");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Json()["error"]["code"], "FAILED_PRECONDITION");
  EXPECT_EQ(Post("/api/documents/1/replay", "not json").status, 400);
}

TEST_F(ConsoleTest, ParkedListsOnlyParked) {
  Start();
  Reply r = Get("/api/parked");
  EXPECT_EQ(Ids(r), (std::vector<int64_t>{2}));
  EXPECT_EQ(r.Json()["documents"][0]["last_error"]["message"], "vendor 881 has no partner mapping");
  EXPECT_TRUE(Ids(Get("/api/parked?partner=GLOBEX")).empty());
}

TEST_F(ConsoleTest, PostWithoutConsoleHeaderOrCrossOriginIsRefused) {
  Start();
  Reply r = Send("POST", "/api/documents/2/replay");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Send("POST", "/api/flows/po_outbound/run").status, 403);
  EXPECT_EQ(Post("/api/documents/2/replay", "", {{"Origin", "https://evil.example"}}).status, 403);
  EXPECT_EQ(store_->GetDocument(2)->state, store::DocState::kParked);
  // A same-origin POST from the page passes.
  std::string origin = "http://127.0.0.1:" + std::to_string(server_->port());
  EXPECT_EQ(Post("/api/documents/2/replay", "", {{"Origin", origin}}).status, 200);
}

TEST_F(ConsoleTest, ForeignHostHeaderIsRefusedWithoutAuth) {
  Start();
  // What a DNS-rebinding page would send.
  EXPECT_EQ(Get("/api/documents", {{"Host", "evil.example:8080"}}).status, 403);
  EXPECT_EQ(Get("/api/documents", {{"Host", "localhost:8080"}}).status, 200);
  EXPECT_EQ(Get("/api/documents", {{"Host", "[::1]:8080"}}).status, 200);
}

TEST_F(ConsoleTest, AuthRequiredWhenTokenConfigured) {
  Start(WithToken("s3cret-console-token"));
  Reply none = Get("/api/documents");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.headers["WWW-Authenticate"].find("Basic"), std::string::npos);
  EXPECT_EQ(Get("/").status, 401);
  EXPECT_EQ(Get("/api/documents", {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(Get("/api/documents", {{"Authorization", "Bearer s3cret-console-token2"}}).status, 401);
  EXPECT_EQ(Get("/api/documents", {{"Authorization", "Bearer s3cret-console-token"}}).status, 200);
  EXPECT_EQ(Get("/", {{"Authorization", "Bearer s3cret-console-token"}}).status, 200);
  // Basic: any user name, the token as password ("alice:s3cret-console-token").
  HttpHeaders basic = {{"Authorization", "Basic YWxpY2U6czNjcmV0LWNvbnNvbGUtdG9rZW4="}};
  EXPECT_EQ(Get("/api/documents", basic).status, 200);
  EXPECT_EQ(Get("/api/documents", {{"Authorization", "Basic YWxpY2U6d3Jvbmc="}}).status, 401);
  EXPECT_EQ(Get("/api/documents", {{"Authorization", "Basic !!!!"}}).status, 401);
  // The basic user is the replay actor.
  Reply r = Post("/api/documents/2/replay", "", basic);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["actor"], "alice");
  store::AuditQuery q;
  q.document_id = 2;
  q.event = "replayed";
  EXPECT_EQ(store_->QueryAudit(q)->at(0).actor, "alice");
  // The token never comes back in an error.
  EXPECT_EQ(Redact("s3cret-console-token"), "***");
}

TEST_F(ConsoleTest, NonLoopbackListenerRequiresAToken) {
  // Exercised through Handle: binding a non-loopback address is not hermetic.
  ConsoleApi open(*store_, nullptr, {}, clock_);
  ConsoleRequest req;
  req.method = "GET";
  req.path = "/api/documents";
  req.headers["host"] = "10.1.2.3:8080";
  req.loopback_listener = false;
  EXPECT_EQ(open.Handle(req).status, 403);  // no token configured: nobody gets in

  ConsoleApi guarded(*store_, nullptr, {}, clock_, WithToken("tok"));
  EXPECT_EQ(guarded.Handle(req).status, 401);
  req.headers["authorization"] = "Bearer tok";
  EXPECT_EQ(guarded.Handle(req).status, 200);  // any Host once authenticated
}

TEST_F(ConsoleTest, PartnersShowOverdue997WithFakeClock) {
  Start();
  // ACME: 850 #1 sent now, #4 sent now and acknowledged; GLOBEX expects no 997.
  for (int64_t id : {1, 4}) {
    ASSERT_TRUE(
        store_
            ->AppendAudit(
                id, {.event = "sent", .step = "send", .actor = "w", .detail = "", .error = {}})
            .ok());
  }
  ASSERT_TRUE(store_
                  ->AppendAudit(4, {.event = "acknowledged",
                                    .step = "",
                                    .actor = "fa_inbound",
                                    .detail = "997 AK5*A",
                                    .error = {}})
                  .ok());
  auto acme = [&] {
    json all = Get("/api/partners").Json()["partners"];
    EXPECT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1]["id"], "GLOBEX");
    EXPECT_EQ(all[1]["ack"]["status"], "not_expected");
    return all[0];
  };
  json a = acme();
  EXPECT_EQ(a["id"], "ACME");
  EXPECT_EQ(a["expect_997_within"], "1d");
  EXPECT_EQ(a["ack"]["sent"], 2);
  EXPECT_EQ(a["ack"]["acknowledged"], 1);
  EXPECT_EQ(a["ack"]["awaiting"], 1);
  EXPECT_EQ(a["ack"]["overdue"], 0);
  EXPECT_EQ(a["ack"]["status"], "awaiting");

  clock_.Advance(std::chrono::hours(24));  // exactly the limit: not yet overdue
  EXPECT_EQ(acme()["ack"]["status"], "awaiting");

  clock_.Advance(std::chrono::seconds(1));
  a = acme();
  EXPECT_EQ(a["ack"]["status"], "overdue");
  EXPECT_EQ(a["ack"]["overdue"], 1);
  ASSERT_EQ(a["ack"]["unacknowledged"].size(), 1u);
  EXPECT_EQ(a["ack"]["unacknowledged"][0]["document_id"], 1);
  EXPECT_EQ(a["ack"]["unacknowledged"][0]["po_number"], "PO-1001");
  EXPECT_EQ(a["ack"]["unacknowledged"][0]["overdue"], true);
  EXPECT_EQ(a["ack"]["unacknowledged"][0]["age"], "1d1s");

  // Resent (after a replay): the clock restarts at the latest send.
  ASSERT_TRUE(store_
                  ->AppendAudit(
                      1, {.event = "sent", .step = "send", .actor = "w", .detail = "", .error = {}})
                  .ok());
  EXPECT_EQ(acme()["ack"]["status"], "awaiting");

  // Beyond the 30-day window nothing is counted.
  clock_.Advance(std::chrono::hours(24 * 31));
  EXPECT_EQ(acme()["ack"]["sent"], 0);
  EXPECT_EQ(acme()["ack"]["status"], "ok");
}

TEST_F(ConsoleTest, FlowsListAndRunNow) {
  Start();
  json f = Get("/api/flows").Json();
  EXPECT_EQ(f["runner"], true);
  ASSERT_EQ(f["flows"].size(), 1u);
  EXPECT_EQ(f["flows"][0]["name"], "po_outbound");
  EXPECT_EQ(f["flows"][0]["schedule"], "every 5m");
  EXPECT_EQ(f["flows"][0]["runs"], 0);
  EXPECT_TRUE(f["flows"][0]["last_status"].is_null());

  Reply r = Post("/api/flows/po_outbound/run");
  EXPECT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(runner_->WaitForRuns("po_outbound", 1, std::chrono::seconds(10)));
  f = Get("/api/flows").Json()["flows"][0];
  EXPECT_EQ(f["runs"], 1);
  EXPECT_EQ(f["last_status"]["ok"], true);
  EXPECT_EQ(f["last_summary"]["counts"]["read"], 3);
  EXPECT_FALSE(f["last_end"].is_null());
}

TEST_F(ConsoleTest, FlowsWithoutRunner) {
  Start({}, /*with_runner=*/false);
  json f = Get("/api/flows").Json();
  EXPECT_EQ(f["runner"], false);
  EXPECT_TRUE(f["flows"].empty());
  EXPECT_EQ(Post("/api/flows/po_outbound/run").status, 503);
}

TEST_F(ConsoleTest, ServesThePageWithStrictHeaders) {
  Start();
  Reply page = Get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<title>ml-connector console</title>"), std::string::npos);
  EXPECT_NE(page.headers["Content-Security-Policy"].find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.headers["X-Frame-Options"], "DENY");
  Reply js = Get("/assets/console.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.headers["Content-Type"], "text/javascript; charset=utf-8");
  // The page only writes data through textContent / text nodes.
  EXPECT_EQ(js.body.find(".innerHTML"), std::string::npos);
  EXPECT_NE(js.body.find("X-MLC-Console"), std::string::npos);
  EXPECT_EQ(Get("/assets/console.css").status, 200);
  // The ops endpoints still answer next to the console.
  EXPECT_EQ(Get("/healthz").status, 200);
}

TEST(IsLoopbackHostTest, Addresses) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.9.8.7"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("localhost.evil.example"));
  EXPECT_FALSE(IsLoopbackHost(""));
}

}  // namespace
}  // namespace mlc::server
