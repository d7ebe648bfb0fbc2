// Integration: the NetSuite client against the NetSuite sandbox over real loopback HTTP.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/netsuite_sandbox/sandbox_fixture.h"

namespace mlc::netsuite::testing {
namespace {

using sandbox::netsuite::SandboxOptions;

nlohmann::json Sample(const std::string& name) {
  std::ifstream in(std::string(MLC_SAMPLES_DIR) + "/netsuite/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

ClientOptions FastRetry() {
  ClientOptions o;
  o.retry.initial = std::chrono::milliseconds(10);
  o.retry.max_delay = std::chrono::milliseconds(100);
  o.retry.max_attempts = 8;
  return o;
}

SandboxOptions Small() {
  SandboxOptions o;
  o.seed.purchase_orders = 60;
  o.seed.items = 80;
  return o;
}

TEST(NetsuiteSandboxTest, SuiteQlRowsHaveNetSuitesShapes) {
  auto rig = MakeRig(Small());
  auto page = rig->client->QueryPage(
      SuiteQl("SELECT t.id, t.tranid, t.status, t.trandate, t.foreigntotal, t.lastmodifieddate, "
              "TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS') AS lm, BUILTIN.DF(t.entity) AS "
              "vendor, BUILTIN.DF(t.status) AS status_text, t.externalid FROM transaction t WHERE "
              "t.type = ? ORDER BY t.id")
          .Bind("PurchOrd"),
      10, 0);
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_EQ(page->rows.size(), 10u);
  EXPECT_EQ(page->total_results, 60);
  EXPECT_TRUE(page->has_more);
  const Row& r = page->rows[0];
  EXPECT_TRUE(r.GetDate("trandate").ok()) << *r.Get("trandate");                  // M/D/YYYY
  EXPECT_TRUE(r.GetDate("lastmodifieddate").ok()) << *r.Get("lastmodifieddate");  // no time
  EXPECT_TRUE(r.GetDateTime("lm").ok());
  EXPECT_LT(**r.GetDecimal("foreigntotal"), Decimal());  // negative on POs, as in real data
  EXPECT_FALSE(r.Has("externalid"));                     // NULL columns are left out
  EXPECT_EQ(r.Get("status_text")->rfind("Purchase Order : ", 0), 0u);
  EXPECT_FALSE(r.Get("vendor")->empty());

  // The raw envelope has the real sample's keys, and each row a links member.
  HttpRequest req;
  req.method = "POST";
  req.url = rig->sandbox->base_url() + "/services/rest/query/v1/suiteql?limit=5&offset=0";
  req.headers["Prefer"] = "transient";
  req.headers["Content-Type"] = "application/json";
  req.body = R"({"q":"SELECT * FROM transaction WHERE type = 'PurchOrd'"})";
  ASSERT_TRUE(rig->auth->Authorize(req).ok());
  auto raw = rig->http->Send(req);
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->status, 200) << raw->body;
  auto mine = nlohmann::json::parse(raw->body);
  auto real = Sample("suiteql-response-transaction-PurchOrd.json");
  for (const auto& [k, v] : real.items()) {
    ASSERT_TRUE(mine.contains(k)) << k;
    EXPECT_EQ(mine[k].type(), v.type()) << k;
  }
  for (const auto& [k, v] : mine["items"][0].items()) {
    if (k == "links") continue;
    EXPECT_TRUE(v.is_string()) << k;  // every value a string
  }
  EXPECT_TRUE(mine["items"][0]["links"].is_array());
  // Columns the sandbox shares with the real sample hold the same kinds of text.
  const auto& real_row = real["items"][0];
  for (const char* k : {"type", "status", "billingstatus", "currency", "entity"}) {
    ASSERT_TRUE(mine["items"][0].contains(k)) << k;
    EXPECT_EQ(mine["items"][0][k].type(), real_row[k].type()) << k;
  }
}

// Every seeded item has a UPC-A: 12 digits whose last is the GS1 check digit (3 x the digits
// in odd positions + the others, rounded up to a multiple of 10), unique, and the same for
// the same seed in a second sandbox.
TEST(NetsuiteSandboxTest, SeededUpcsAreUniqueUpcAWithCheckDigits) {
  auto read_upcs = [](Rig& rig) {
    std::vector<std::string> upcs;
    Status s = rig.client->QueryOffset(SuiteQl("SELECT id, upccode FROM item ORDER BY id"),
                                       [&](const Row& r) {
                                         upcs.push_back(r.Get("upccode").value_or(""));
                                         return Status();
                                       });
    EXPECT_TRUE(s.ok()) << s;
    return upcs;
  };
  auto rig = MakeRig(Small());
  const std::vector<std::string> upcs = read_upcs(*rig);
  ASSERT_EQ(upcs.size(), 80u);
  for (const std::string& upc : upcs) {
    ASSERT_EQ(upc.size(), 12u) << upc;
    ASSERT_EQ(upc.find_first_not_of("0123456789"), std::string::npos) << upc;
    int sum = 0;
    for (size_t k = 0; k < 11; ++k) sum += (upc[k] - '0') * (k % 2 == 0 ? 3 : 1);
    EXPECT_EQ(upc[11] - '0', (10 - sum % 10) % 10) << upc;
  }
  EXPECT_EQ(std::set<std::string>(upcs.begin(), upcs.end()).size(), upcs.size());
  auto again = MakeRig(Small());
  EXPECT_EQ(read_upcs(*again), upcs);
}

TEST(NetsuiteSandboxTest, RecordGetMatchesTheRealSampleShapes) {
  auto rig = MakeRig(Small());
  auto po = rig->client->GetRecord("purchaseOrder", "1");
  ASSERT_TRUE(po.ok()) << po.error();
  auto real = Sample("record-purchaseOrder-get-expandSubResources.json");
  // Every key the sandbox emits that the real record also has must have the same JSON type, and
  // references must look alike.
  int shared = 0;
  for (const auto& [k, v] : po->items()) {
    if (!real.contains(k)) continue;
    ++shared;
    EXPECT_EQ(v.type(), real[k].type()) << k;
    if (v.is_object() && real[k].contains("refName")) {
      EXPECT_TRUE(v.contains("id") && v["id"].is_string()) << k;
      EXPECT_TRUE(v.contains("refName")) << k;
    }
  }
  EXPECT_GE(shared, 18);
  ASSERT_TRUE((*po)["item"].contains("items"));
  EXPECT_EQ((*po)["item"]["totalResults"], (*po)["item"]["items"].size());
  const auto& line = (*po)["item"]["items"][0];
  const auto& real_line = real["item"]["items"][0];
  for (const char* k : {"links", "amount", "item", "itemType", "line", "quantity", "quantityBilled",
                        "quantityReceived", "rate", "vendorName", "isClosed"}) {
    ASSERT_TRUE(line.contains(k)) << k;
    EXPECT_EQ(line[k].type(), real_line[k].type()) << k;
  }
  // Without expandSubResources the sublist is only a link.
  auto bare = rig->client->GetRecord("purchaseOrder", "1", false);
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE((*bare)["item"].contains("items"));
  EXPECT_EQ(rig->client->GetRecord("purchaseOrder", "999999").error().code(), StatusCode::kNotFound);
}

// The sandbox's error answers have the shape of the real samples (error-400-USER_ERROR.json,
// error-CONCURRENCY_LIMIT_EXCEEDED-mock.json): the same keys with the same JSON types, each
// detail with "detail" and "o:errorCode". SuiteQL the sandbox cannot run (bad syntax, an
// unknown column, ROWNUM) is answered as NetSuite answers a bad query, never with a 5xx.
TEST(NetsuiteSandboxTest, ErrorBodiesHaveNetSuitesShapes) {
  SandboxOptions o = Small();
  o.concurrency_limit = 1;
  o.faults.latency = std::chrono::milliseconds(150);
  auto rig = MakeRig(o, FastRetry());
  auto prepare = [&](const char* method, const std::string& path, const std::string& body) {
    HttpRequest req;
    req.method = method;
    req.url = rig->sandbox->base_url() + path;
    req.headers["Content-Type"] = "application/json";
    req.headers["Prefer"] = "transient";
    req.body = body;
    EXPECT_TRUE(rig->auth->Authorize(req).ok());
    return req;
  };
  auto suiteql = [&](const std::string& q) {
    return prepare("POST", "/services/rest/query/v1/suiteql?limit=5&offset=0",
                   nlohmann::json{{"q", q}}.dump());
  };
  auto same_shape = [](const nlohmann::json& mine, const nlohmann::json& real,
                       const std::string& what) {
    ASSERT_TRUE(mine.is_object()) << what;
    for (const auto& [k, v] : real.items()) {
      ASSERT_TRUE(mine.contains(k)) << what << ": " << k;
      EXPECT_EQ(mine[k].type(), v.type()) << what << ": " << k;
    }
  };
  auto check = [&](const HttpRequest& req, int status, const std::string& code,
                   const nlohmann::json& real) {
    auto r = rig->http->Send(req);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->status, status) << req.body << " -> " << r->body;
    const auto j = nlohmann::json::parse(r->body, nullptr, false);
    same_shape(j, real, r->body);
    ASSERT_TRUE(j["o:errorDetails"].is_array() && !j["o:errorDetails"].empty()) << r->body;
    same_shape(j["o:errorDetails"][0], real["o:errorDetails"][0], r->body);
    EXPECT_EQ(j["o:errorDetails"][0]["o:errorCode"], code) << r->body;
  };
  const auto user_error = Sample("error-400-USER_ERROR.json");
  for (const char* q : {"SELEC id FRM vendor", "SELECT nosuchcolumn FROM vendor",
                        "SELECT id FROM vendor WHERE ROWNUM <= 1", "SELECT id FROM nosuchtable",
                        "SELECT id FROM vendor WHERE id = 'unterminated"}) {
    check(suiteql(q), 400, "USER_ERROR", user_error);
    // The client reads it as NetSuite's "Invalid search query": a bad request, not retried.
    auto page = rig->client->QueryPage(SuiteQl(q), 5, 0);
    ASSERT_FALSE(page.ok()) << q;
    EXPECT_EQ(page.error().code(), StatusCode::kInvalidArgument) << q << ": " << page.error();
  }
  check(prepare("GET", "/services/rest/record/v1/purchaseOrder/999999", ""), 404,
        "NONEXISTENT_ID", user_error);

  // Concurrency limit 1: a second request while the first is in flight gets the 429 body.
  HttpRequest first = prepare("GET", "/services/rest/record/v1/vendor/1", "");
  HttpRequest second = first;
  std::thread slow([&] { EXPECT_TRUE(rig->http->Send(first).ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  check(second, 429, "CONCURRENCY_LIMIT_EXCEEDED",
        Sample("error-CONCURRENCY_LIMIT_EXCEEDED-mock.json"));
  slow.join();
}

// The token endpoint checks what NetSuite checks (netsuite.md 6.1, 10): the signature against
// the certificate registered under kid, iss, aud, iat/exp, and answers with the OAuth error
// form. Only the well-formed assertion gets a token.
TEST(NetsuiteSandboxTest, TokenEndpointRefusesBadAssertions) {
  auto rig = MakeRig(Small());
  const std::string endpoint = rig->sandbox->base_url() + "/services/rest/auth/oauth2/v1/token";
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  JwtAssertion good;
  good.client_id = rig->creds.client_id;
  good.certificate_id = rig->creds.certificate_id;
  good.audience = endpoint;
  good.issued_at = now;
  auto post = [&](const JwtAssertion& a, const std::string& key_pem) {
    auto jwt = SignJwtAssertion(a, rig->creds.algorithm, key_pem);
    EXPECT_TRUE(jwt.ok()) << jwt.error();
    HttpRequest req;
    req.method = "POST";
    req.url = endpoint;
    req.headers["Content-Type"] = "application/x-www-form-urlencoded";
    req.body = FormEncode({{"grant_type", "client_credentials"},
                           {"client_assertion_type",
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                           {"client_assertion", jwt.ok() ? *jwt : ""}});
    auto r = rig->http->Send(req);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : HttpResponse{};
  };
  auto refused = [&](const JwtAssertion& a, const std::string& key_pem, const char* why) {
    const HttpResponse r = post(a, key_pem);
    EXPECT_TRUE(r.status == 400 || r.status == 401) << why << ": " << r.status << " " << r.body;
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("error") && j["error"].is_string()) << why << r.body;
    EXPECT_FALSE(j.is_object() && j.contains("access_token")) << why;
  };
  auto other = GenerateKeyPair(rig->creds.algorithm, 2048);
  ASSERT_TRUE(other.ok());
  refused(good, other->private_key_pem, "signed with another key");
  JwtAssertion a = good;
  a.certificate_id = "not-registered";
  refused(a, rig->creds.private_key_pem, "unknown kid");
  a = good;
  a.client_id = "someone-else";
  refused(a, rig->creds.private_key_pem, "wrong iss");
  a = good;
  a.audience = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token";
  refused(a, rig->creds.private_key_pem, "wrong aud");
  a = good;
  a.issued_at = now - 1000;  // exp = iat + 300: expired
  refused(a, rig->creds.private_key_pem, "expired");
  a = good;
  a.issued_at = now + 3000;  // from the future
  refused(a, rig->creds.private_key_pem, "iat in the future");
  a = good;
  a.scopes = {"restlets"};
  refused(a, rig->creds.private_key_pem, "no rest_webservices scope");

  const HttpResponse ok = post(good, rig->creds.private_key_pem);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto token = ParseTokenResponse(ok.body);
  ASSERT_TRUE(token.ok()) << token.error();
  EXPECT_EQ(token->expires_in, std::chrono::seconds(3600));
}

TEST(NetsuiteSandboxTest, InjectionAttemptIsHarmless) {
  auto rig = MakeRig(Small());
  int rows = 0;
  Status s = rig->client->QueryOffset(
      SuiteQl("SELECT t.id FROM transaction t WHERE t.tranid = ?").Bind("' OR 1=1 --"),
      [&](const Row&) {
        ++rows;
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(rows, 0);
  // Unsupported syntax is NetSuite's error shape, typed INVALID_ARGUMENT.
  auto bad = rig->client->QueryPage(SuiteQl("SELECT id FROM transaction; DELETE FROM vendor"), 10, 0);
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  auto unknown = rig->client->QueryPage(SuiteQl("SELECT nosuch FROM transaction"), 10, 0);
  EXPECT_EQ(unknown.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message().find("nosuch"), std::string::npos);
}

TEST(NetsuiteSandboxTest, KeysetReadsEveryLineOfEveryPurchaseOrder) {
  SandboxOptions o = Small();
  o.seed.purchase_orders = 400;
  ClientOptions co;
  co.page_size = 100;  // small pages so several are needed
  auto rig = MakeRig(o, co);
  KeysetQuery q;
  q.select_from = SuiteQl(
      "SELECT t.id AS id, tl.id AS line, TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS') AS "
      "lm, tl.item, tl.quantity, tl.quantityshiprecv FROM transaction t JOIN transactionline tl ON "
      "tl.transaction = t.id");
  q.where = SuiteQl("t.type = ? AND tl.mainline = 'F'").Bind("PurchOrd");
  q.first = {"t.id", "id", true};
  q.second = {"tl.id", "line", true};
  std::set<std::pair<int64_t, int64_t>> seen;
  auto end = rig->client->QueryKeyset(q, std::nullopt, [&](const Row& r) {
    seen.insert({**r.GetInt("id"), **r.GetInt("line")});
    return Status::Ok();
  });
  ASSERT_TRUE(end.ok()) << end.error();
  auto total = rig->client->QueryPage(
      SuiteQl("SELECT COUNT(*) AS n FROM transactionline tl JOIN transaction t ON t.id = "
              "tl.transaction WHERE t.type = 'PurchOrd' AND tl.mainline = 'F'"),
      1, 0);
  ASSERT_TRUE(total.ok()) << total.error();
  EXPECT_EQ(static_cast<int64_t>(seen.size()), **total->rows[0].GetInt("n"));
  EXPECT_GT(seen.size(), 400u);
}

TEST(NetsuiteSandboxTest, ReceiptsAndBillsMovePoStatusAndRefuseOverBilling) {
  auto rig = MakeRig(Small());
  // A fresh PO with two lines from an active vendor and active items.
  nlohmann::json po = {{"externalId", "mlc-po-T1"},
                       {"entity", {{"id", "1"}}},
                       {"item", {{"items", {{{"item", {{"id", "1"}}}, {"quantity", 10}, {"rate", 2.5}},
                                             {{"item", {{"id", "2"}}}, {"quantity", 4}, {"rate", 10}}}}}}};
  auto created = rig->client->Create("purchaseOrder", po);
  ASSERT_TRUE(created.ok()) << created.error();
  const std::string id = created->id;
  auto status = [&] { return (*rig->client->GetRecord("purchaseOrder", id))["orderStatus"]["id"]; };
  EXPECT_EQ(status(), "B");
  // Receive 4 of line 1 only.
  nlohmann::json r1 = {{"externalId", "mlc-ir-T1a"},
                       {"item", {{"items", {{{"orderLine", 1}, {"quantity", 4}, {"itemReceive", true}},
                                             {{"orderLine", 2}, {"itemReceive", false}}}}}}};
  ASSERT_TRUE(rig->client->Transform("purchaseOrder", id, "itemReceipt", r1).ok());
  EXPECT_EQ(status(), "E");  // received, not billed
  // Bill those 4.
  nlohmann::json b1 = {{"externalId", "mlc-810-T-INV1"}, {"tranId", "INV1"},
                       {"item", {{"items", {{{"orderLine", 1}, {"quantity", 4}}}}}}};
  ASSERT_TRUE(rig->client->Transform("purchaseOrder", id, "vendorBill", b1, "replace=item").ok());
  EXPECT_EQ(status(), "D");  // partially received, nothing pending billing
  // Over-billing is refused with NetSuite's error, typed.
  nlohmann::json over = {{"externalId", "mlc-810-T-INV2"},
                         {"item", {{"items", {{{"orderLine", 1}, {"quantity", 7}}}}}}};
  auto refused = rig->client->Transform("purchaseOrder", id, "vendorBill", over, "replace=item");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message().find("item.items[0].quantity"), std::string::npos);
  // Receive the rest, then bill the rest.
  ASSERT_TRUE(rig->client->Transform("purchaseOrder", id, "itemReceipt", {{"externalId", "mlc-ir-T1b"}}).ok());
  EXPECT_EQ(status(), "F");
  auto bill = rig->client->Transform("purchaseOrder", id, "vendorBill", {{"externalId", "mlc-810-T-INV3"}});
  ASSERT_TRUE(bill.ok()) << bill.error();
  EXPECT_EQ(status(), "G");
  auto line = (*rig->client->GetRecord("purchaseOrder", id))["item"]["items"][0];
  EXPECT_EQ(line["quantityBilled"], 10.0);
  EXPECT_EQ(line["quantityReceived"], 10.0);
  auto vb = rig->client->GetRecord("vendorBill", bill->id);
  ASSERT_TRUE(vb.ok());
  EXPECT_EQ((*vb)["item"]["items"][0]["orderDoc"]["id"], id);
  // The same externalId again: the existing bill, not a second one.
  auto again = rig->client->Transform("purchaseOrder", id, "vendorBill", {{"externalId", "mlc-810-T-INV3"}});
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->id, bill->id);
  EXPECT_EQ(again->outcome, WriteResult::Outcome::kExisted);
  // Inactive vendor (the seed's last) and inactive item (id 97) are refused.
  nlohmann::json inactive = po;
  inactive["externalId"] = "mlc-po-T2";
  inactive["entity"]["id"] = "20";
  EXPECT_EQ(rig->client->Create("purchaseOrder", inactive).error().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(rig->client->Update("inventoryItem", "6", {{"isInactive", true}}).ok());
  nlohmann::json inactive_item = po;
  inactive_item["externalId"] = "mlc-po-T3";
  inactive_item["item"]["items"][0]["item"]["id"] = "6";
  auto e = rig->client->Create("purchaseOrder", inactive_item);
  EXPECT_EQ(e.error().code(), StatusCode::kFailedPrecondition);
}

TEST(NetsuiteSandboxTest, ClientNeverExceedsItsConcurrencyLimit) {
  SandboxOptions o = Small();
  o.concurrency_limit = 5;
  o.faults.latency = std::chrono::milliseconds(20);
  ClientOptions co = FastRetry();
  co.concurrency_limit = 5;
  auto rig = MakeRig(o, co);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 5; ++k) {
        if (!rig->client->GetRecord("vendor", std::to_string(1 + (t * 5 + k) % 20)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto st = rig->sandbox->stats();
  EXPECT_LE(st.max_in_flight, 5);
  EXPECT_EQ(st.max_in_flight, 5);  // and it did use all 5
  EXPECT_EQ(st.rejected_concurrency, 0);
  EXPECT_LE(rig->client->stats().max_in_flight, 5);

  // A client configured above the account's limit meets 429s and recovers by backing off.
  ClientOptions greedy = FastRetry();
  greedy.concurrency_limit = 12;
  Client over(*rig->http, *rig->auth, [&] {
    greedy.base_url = rig->sandbox->base_url();
    return greedy;
  }());
  rig->sandbox->ResetStats();
  threads.clear();
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 3; ++k) {
        if (!over.GetRecord("vendor", "1").ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(rig->sandbox->stats().rejected_concurrency, 0);
  EXPECT_GT(over.stats().concurrency_rejections, 0);
}

TEST(NetsuiteSandboxTest, NeverCreatesARecordTwiceUnderDropsAnd5xx) {
  SandboxOptions o = Small();
  o.faults.drop_rate = 0.3;   // the write happens, the answer is lost
  o.faults.error_rate = 0.1;  // 503 before processing
  o.fault_seed = 7;
  auto rig = MakeRig(o, FastRetry());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0}, recovered{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 10; ++k) {
        const std::string eid = fmt::format("mlc-po-D{}-{}", t, k);
        nlohmann::json po = {{"externalId", eid}, {"entity", {{"id", "3"}}},
                             {"item", {{"items", {{{"item", {{"id", "5"}}}, {"quantity", 1}}}}}}};
        auto r = rig->client->Create("purchaseOrder", po);
        if (!r.ok()) {
          ++failures;
          continue;
        }
        if (r->outcome == WriteResult::Outcome::kRecovered) ++recovered;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < 4; ++t) {
    for (int k = 0; k < 10; ++k) {
      EXPECT_EQ(rig->sandbox->state().CountByExternalId("purchaseOrder", fmt::format("mlc-po-D{}-{}", t, k)), 1);
    }
  }
  EXPECT_GT(rig->sandbox->stats().dropped, 0);
  EXPECT_GT(recovered.load(), 0);  // drops after processing were resolved by lookup
  EXPECT_EQ(rig->sandbox->state().CountTransactions("PurchOrd"), 60 + 40);
}

TEST(NetsuiteSandboxTest, RevokedTokenIsReplacedOnce) {
  auto rig = MakeRig(Small(), FastRetry());
  ASSERT_TRUE(rig->client->GetRecord("vendor", "1").ok());
  rig->sandbox->RevokeAllTokens();
  ASSERT_TRUE(rig->client->GetRecord("vendor", "1").ok());
  EXPECT_EQ(rig->oauth().stats().fetches, 2);
  EXPECT_EQ(rig->oauth().stats().invalidations, 1);
  EXPECT_EQ(rig->client->stats().reauthentications, 1);
}

TEST(NetsuiteSandboxTest, ShortTokenLifetimeIsRefreshedBeforeUse) {
  SandboxOptions o = Small();
  o.token_lifetime = std::chrono::seconds(2);
  auto rig = MakeRig(o, FastRetry());
  ASSERT_TRUE(rig->client->GetRecord("vendor", "1").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  ASSERT_TRUE(rig->client->GetRecord("vendor", "1").ok());
  // expires_in = 2 s: the client knew the token was dead and fetched a new one without a 401.
  EXPECT_EQ(rig->oauth().stats().fetches, 2);
  EXPECT_EQ(rig->client->stats().reauthentications, 0);
}

TEST(NetsuiteSandboxTest, TbaWorksAndRetriesWithFreshNonces) {
  SandboxOptions o = Small();
  o.faults.error_rate = 0.3;
  o.fault_seed = 3;
  auto rig = MakeRig(o, FastRetry(), Scheme::kTba);
  for (int i = 0; i < 10; ++i) {
    auto page = rig->client->QueryPage(SuiteQl("SELECT id, companyname FROM vendor ORDER BY id"), 5, 5);
    ASSERT_TRUE(page.ok()) << page.error();
    EXPECT_EQ(**page->rows[0].GetInt("id"), 6);
    ASSERT_TRUE(rig->client->GetRecord("vendor", "eid:nope").error().code() == StatusCode::kNotFound);
  }
  EXPECT_GT(rig->sandbox->stats().injected_errors, 0);
  EXPECT_EQ(rig->sandbox->stats().auth_failures, 0);  // no replayed nonce, no bad signature
  auto upsert = rig->client->Upsert("vendor", "V-NEW-1", {{"companyName", "New Vendor"}});
  ASSERT_TRUE(upsert.ok()) << upsert.error();
  auto again = rig->client->Upsert("vendor", "V-NEW-1", {{"companyName", "New Vendor Renamed"}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*upsert, *again);
  EXPECT_EQ((*rig->client->GetRecord("vendor", *upsert))["companyName"], "New Vendor Renamed");
}

TEST(NetsuiteSandboxTest, CommandLinePrintsThePortAndServes) {
  const std::string creds = ::testing::TempDir() + "/ns-creds-cli.json";
  std::remove(creds.c_str());
  const std::string cmd = "sh -c 'echo $$; exec " + std::string(MLC_SANDBOX_BIN) +
                          " netsuite --port 0 --pos 5 --items 20 --credentials " + creds + "'";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof line, p), nullptr);
  const int pid = std::atoi(line);
  ASSERT_GT(pid, 0);
  ASSERT_NE(fgets(line, sizeof line, p), nullptr);
  std::string port_line(line);
  ASSERT_EQ(port_line.rfind("port=", 0), 0u) << port_line;
  const int port = std::atoi(port_line.c_str() + 5);
  CurlHttpClient http;
  HttpRequest req;
  req.url = fmt::format("http://127.0.0.1:{}/__sandbox/stats", port);
  auto r = http.Send(req);
  kill(pid, SIGTERM);
  pclose(p);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(nlohmann::json::parse(r->body).contains("max_in_flight"));
  auto loaded = sandbox::netsuite::LoadOrCreateCredentials(creds);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_FALSE(loaded->client_id.empty());
}

// A two-line PO of vendor 1 for the custom-field and bill tests.
std::string MakeTwoLinePo(Rig& rig, const std::string& eid) {
  nlohmann::json po = {{"externalId", eid},
                       {"entity", {{"id", "1"}}},
                       {"item", {{"items", {{{"item", {{"id", "1"}}}, {"quantity", 10}, {"rate", 2.5}},
                                             {{"item", {{"id", "2"}}}, {"quantity", 4}, {"rate", 10}}}}}}};
  auto created = rig.client->Create("purchaseOrder", po);
  if (!created.ok()) return "";
  return created->id;
}

TEST(NetsuiteSandboxTest, PatchedCustomFieldsShowInGetAndSuiteQl) {
  auto rig = MakeRig(Small());
  const std::string id = MakeTwoLinePo(*rig, "mlc-po-CF1");
  ASSERT_FALSE(id.empty());
  // Before: no custom values (NetSuite leaves empty fields out).
  auto before = rig->client->GetRecord("purchaseOrder", id);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->contains("custbody_mlc_ack_status"));
  EXPECT_FALSE((*before)["item"]["items"][0].contains("custcol_mlc_ack_status"));
  nlohmann::json patch = {
      {"custbody_mlc_edi_status", "850 sent 2026-11-27 ISA 000000012"},
      {"custbody_mlc_ack_status", "accepted_with_changes"},
      {"custbody_mlc_ack_date", "2026-11-28"},
      {"item", {{"items", {{{"line", 2}, {"custcol_mlc_ack_status", "IQ"},
                            {"expectedReceiptDate", "2026-12-05"}}}}}}};
  ASSERT_TRUE(rig->client->Update("purchaseOrder", id, patch).ok());
  auto po = rig->client->GetRecord("purchaseOrder", id);
  ASSERT_TRUE(po.ok());
  EXPECT_EQ((*po)["custbody_mlc_edi_status"], "850 sent 2026-11-27 ISA 000000012");
  EXPECT_EQ((*po)["custbody_mlc_ack_status"], "accepted_with_changes");
  EXPECT_EQ((*po)["custbody_mlc_ack_date"], "2026-11-28");
  const auto& lines = (*po)["item"]["items"];
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_FALSE(lines[0].contains("custcol_mlc_ack_status"));  // line 1 untouched
  EXPECT_EQ(lines[1]["line"], 2);
  EXPECT_EQ(lines[1]["custcol_mlc_ack_status"], "IQ");
  EXPECT_EQ(lines[1]["expectedReceiptDate"], "2026-12-05");
  EXPECT_EQ(lines[1]["quantity"], 4.0);  // other line fields unchanged
  // Without expandSubResources the body fields are still there.
  auto flat = rig->client->GetRecord("purchaseOrder", id, false);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ((*flat)["custbody_mlc_ack_status"], "accepted_with_changes");
  EXPECT_FALSE((*flat)["item"].contains("items"));
  // SuiteQL sees the same values (dates in the user's M/D/YYYY form).
  auto head = rig->client->QueryPage(
      SuiteQl("SELECT t.custbody_mlc_edi_status, t.custbody_mlc_ack_status, t.custbody_mlc_ack_date "
              "FROM transaction t WHERE t.id = ?").Bind(static_cast<int64_t>(std::stoll(id))), 10, 0);
  ASSERT_TRUE(head.ok()) << head.error();
  ASSERT_EQ(head->rows.size(), 1u);
  EXPECT_EQ(*head->rows[0].Get("custbody_mlc_ack_status"), "accepted_with_changes");
  EXPECT_EQ(*head->rows[0].Get("custbody_mlc_ack_date"), "11/28/2026");
  EXPECT_EQ(*head->rows[0].Get("custbody_mlc_edi_status"), "850 sent 2026-11-27 ISA 000000012");
  auto tl = rig->client->QueryPage(
      SuiteQl("SELECT tl.id, tl.custcol_mlc_ack_status, tl.expectedreceiptdate FROM transactionline tl "
              "WHERE tl.transaction = ? AND tl.mainline = 'F' ORDER BY tl.id").Bind(static_cast<int64_t>(std::stoll(id))), 10, 0);
  ASSERT_TRUE(tl.ok()) << tl.error();
  ASSERT_EQ(tl->rows.size(), 2u);
  EXPECT_FALSE(tl->rows[0].Has("custcol_mlc_ack_status"));
  EXPECT_EQ(*tl->rows[1].Get("custcol_mlc_ack_status"), "IQ");
  EXPECT_EQ(*tl->rows[1].Get("expectedreceiptdate"), "12/5/2026");
  // null clears a field; fields left out stay.
  ASSERT_TRUE(rig->client->Update("purchaseOrder", id, {{"custbody_mlc_ack_date", nullptr}}).ok());
  po = rig->client->GetRecord("purchaseOrder", id);
  EXPECT_FALSE(po->contains("custbody_mlc_ack_date"));
  EXPECT_EQ((*po)["custbody_mlc_ack_status"], "accepted_with_changes");
}

TEST(NetsuiteSandboxTest, PatchRefusesUnknownLinesAndBadDatesAndChangesNothing) {
  auto rig = MakeRig(Small());
  const std::string id = MakeTwoLinePo(*rig, "mlc-po-CF2");
  ASSERT_FALSE(id.empty());
  nlohmann::json unknown = {{"custbody_mlc_ack_status", "accepted"},
                            {"item", {{"items", {{{"line", 7}, {"custcol_mlc_ack_status", "IA"}}}}}}};
  Status s = rig->client->Update("purchaseOrder", id, unknown);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;  // a bad reference
  EXPECT_NE(s.message().find("Invalid Field Value 7 for the following field: line"), std::string::npos) << s;
  EXPECT_NE(s.message().find("item.items[0].line"), std::string::npos) << s;
  // The whole PATCH was refused: the body field was not written either.
  EXPECT_FALSE(rig->client->GetRecord("purchaseOrder", id)->contains("custbody_mlc_ack_status"));
  // The raw answer is NetSuite's error body.
  HttpRequest req;
  req.method = "PATCH";
  req.url = rig->sandbox->base_url() + "/services/rest/record/v1/purchaseOrder/" + id;
  req.headers["Content-Type"] = "application/json";
  req.body = unknown.dump();
  ASSERT_TRUE(rig->auth->Authorize(req).ok());
  auto raw = rig->http->Send(req);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 400);
  auto err = nlohmann::json::parse(raw->body);
  EXPECT_EQ(err["status"], 400);
  EXPECT_EQ(err["o:errorDetails"][0]["o:errorCode"], "INVALID_KEY_OR_REF");
  // A date that is not a date.
  s = rig->client->Update("purchaseOrder", id, {{"custbody_mlc_ack_date", "2026-13-40"}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("custbody_mlc_ack_date"), std::string::npos) << s;
  s = rig->client->Update("purchaseOrder", id,
                          {{"item", {{"items", {{{"line", 1}, {"expectedReceiptDate", "soon"}}}}}}});
  EXPECT_FALSE(s.ok());
}

TEST(NetsuiteSandboxTest, BillWithExpenseLinesTotalsAndShowsThem) {
  auto rig = MakeRig(Small());
  const std::string id = MakeTwoLinePo(*rig, "mlc-po-EX1");
  ASSERT_FALSE(id.empty());
  // Seeded accounts: 12 is "5100 Freight In", 20 is inactive.
  nlohmann::json bill = {
      {"externalId", "mlc-810-EX-INV1"}, {"tranId", "INV-EX1"}, {"tranDate", "2026-11-30"},
      {"dueDate", "2026-12-30"}, {"memo", "EDI 810 ctrl 000123"}, {"paymentHold", true},
      {"item", {{"items", {{{"orderLine", 1}, {"quantity", 10}, {"rate", 2.5}}}}}},
      {"expense", {{"items", {{{"account", {{"id", "12"}}}, {"amount", 12.5}, {"memo", "freight"}},
                              {{"account", {{"id", 14}}}, {"amount", "3.10"}, {"memo", "pallet"}}}}}}};
  auto created = rig->client->Transform("purchaseOrder", id, "vendorBill", bill, "replace=item");
  ASSERT_TRUE(created.ok()) << created.error();
  auto vb = rig->client->GetRecord("vendorBill", created->id);
  ASSERT_TRUE(vb.ok());
  EXPECT_EQ((*vb)["total"], 40.6);  // 10 x 2.50 + 12.50 + 3.10
  EXPECT_EQ((*vb)["paymentHold"], true);
  EXPECT_EQ((*vb)["memo"], "EDI 810 ctrl 000123");
  EXPECT_EQ((*vb)["dueDate"], "2026-12-30");
  EXPECT_EQ((*vb)["tranId"], "INV-EX1");
  ASSERT_EQ((*vb)["item"]["items"].size(), 1u);
  const auto& ex = (*vb)["expense"]["items"];
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ((*vb)["expense"]["totalResults"], 2);
  EXPECT_EQ(ex[0]["account"]["id"], "12");
  EXPECT_EQ(ex[0]["account"]["refName"], "5100 Freight In");
  EXPECT_EQ(ex[0]["amount"], 12.5);
  EXPECT_EQ(ex[0]["memo"], "freight");
  EXPECT_EQ(ex[1]["amount"], 3.1);
  // The PO's lines are untouched by expense lines: line 1 billed, line 2 not.
  auto po = rig->client->GetRecord("purchaseOrder", id);
  EXPECT_EQ((*po)["item"]["items"][0]["quantityBilled"], 10.0);
  EXPECT_EQ((*po)["item"]["items"][1]["quantityBilled"], 0.0);
  // SuiteQL: the bill's header and its expense lines with their account.
  auto head = rig->client->QueryPage(
      SuiteQl("SELECT t.paymenthold, t.foreigntotal, t.memo FROM transaction t WHERE t.id = ?")
          .Bind(static_cast<int64_t>(std::stoll(created->id))), 10, 0);
  ASSERT_TRUE(head.ok()) << head.error();
  EXPECT_EQ(*head->rows[0].Get("paymenthold"), "T");
  EXPECT_EQ(**head->rows[0].GetDecimal("foreigntotal"), *Decimal::Parse("-40.60"));
  auto lines = rig->client->QueryPage(
      SuiteQl("SELECT tl.expenseaccount, tl.netamount, tl.memo, BUILTIN.DF(tl.expenseaccount) AS acct "
              "FROM transactionline tl WHERE tl.transaction = ? AND tl.mainline = 'F' AND "
              "tl.expenseaccount IS NOT NULL ORDER BY tl.id").Bind(static_cast<int64_t>(std::stoll(created->id))), 10, 0);
  ASSERT_TRUE(lines.ok()) << lines.error();
  ASSERT_EQ(lines->rows.size(), 2u);
  EXPECT_EQ(*lines->rows[0].Get("expenseaccount"), "12");
  EXPECT_EQ(**lines->rows[0].GetDecimal("netamount"), *Decimal::Parse("12.5"));
  EXPECT_EQ(*lines->rows[1].Get("memo"), "pallet");
  // Without paymentHold a bill is not on hold.
  auto plain = rig->client->Transform("purchaseOrder", id, "vendorBill",
                                      {{"externalId", "mlc-810-EX-INV2"},
                                       {"item", {{"items", {{{"orderLine", 2}, {"quantity", 1}}}}}}},
                                      "replace=item");
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ((*rig->client->GetRecord("vendorBill", plain->id))["paymentHold"], false);
}

TEST(NetsuiteSandboxTest, BillExpenseLineWithUnknownOrInactiveAccountIsRefused) {
  auto rig = MakeRig(Small());
  const std::string id = MakeTwoLinePo(*rig, "mlc-po-EX2");
  ASSERT_FALSE(id.empty());
  for (const char* account : {"999", "20"}) {  // unknown; inactive (seed account 20)
    nlohmann::json bill = {
        {"externalId", std::string("mlc-810-EX2-") + account},
        {"item", {{"items", {{{"orderLine", 1}, {"quantity", 1}}}}}},
        {"expense", {{"items", {{{"account", {{"id", account}}}, {"amount", 5}}}}}}};
    auto r = rig->client->Transform("purchaseOrder", id, "vendorBill", bill, "replace=item");
    ASSERT_FALSE(r.ok()) << account;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << r.error();
    EXPECT_NE(r.error().message().find(
                  fmt::format("Invalid Field Value {} for the following field: account", account)),
              std::string::npos) << r.error();
    EXPECT_NE(r.error().message().find("expense.items[0].account"), std::string::npos);
  }
  // Nothing was billed by the refused requests.
  EXPECT_EQ(rig->sandbox->state().CountByExternalId("vendorBill", "mlc-810-EX2-999"), 0);
  EXPECT_EQ((*rig->client->GetRecord("purchaseOrder", id))["item"]["items"][0]["quantityBilled"], 0.0);
  // A missing amount is refused too.
  nlohmann::json no_amount = {{"externalId", "mlc-810-EX2-x"},
                              {"expense", {{"items", {{{"account", {{"id", "12"}}}}}}}}};
  EXPECT_FALSE(rig->client->Transform("purchaseOrder", id, "vendorBill", no_amount, "replace=item").ok());
}

}  // namespace
}  // namespace mlc::netsuite::testing
