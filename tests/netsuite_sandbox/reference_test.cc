// Integration: reference data (LoadPoReference) and the reference_sync flow against the
// in-process NetSuite sandbox over loopback HTTP, with a sqlite::memory: store.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "cleo/folder_transport.h"
#include "cleo/names.h"
#include "common/clock.h"
#include "common/file_system.h"
#include "config/config.h"
#include "flows/reference_data.h"
#include "flows/reference_sync.h"
#include "mapping/netsuite_po.h"
#include "store/store.h"
#include "tests/netsuite_sandbox/sandbox_fixture.h"

namespace mlc::flows {
namespace {

using netsuite::testing::MakeRig;
using sandbox::netsuite::SandboxOptions;

SandboxOptions Small() {
  SandboxOptions o;
  o.seed.vendors = 20;
  o.seed.items = 120;
  o.seed.purchase_orders = 40;
  return o;
}

std::vector<std::string> Ids(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(std::to_string(i));
  return out;
}

TEST(LoadPoReferenceTest, ReadsCurrenciesItemsAndVendorsFromTheSandbox) {
  auto rig = MakeRig(Small());
  auto ref = LoadPoReference(*rig->client, {"1", "97", "5", "1", ""}, {"1", "2", "3"});
  ASSERT_TRUE(ref.ok()) << ref.error();

  EXPECT_EQ(ref->currency_codes.size(), 3u);
  EXPECT_EQ(ref->currency_codes.at("1"), "USD");
  EXPECT_EQ(ref->currency_codes.at("2"), "CAD");
  EXPECT_EQ(ref->currency_codes.at("3"), "EUR");

  ASSERT_EQ(ref->items.size(), 3u);  // 1, 5, 97 (duplicates and "" ignored)
  const model::Item& i1 = ref->items.at("1");
  EXPECT_EQ(i1.internal_id, "1");
  EXPECT_EQ(i1.item_id, "ITM-00001");
  EXPECT_EQ(i1.ids.buyer_part, "ITM-00001");
  // Seed: vendorname "VP-<vendor>-<i*37 % 100000>", vendor = 1 + i % (vendors - 1).
  EXPECT_EQ(i1.ids.vendor_part, "VP-2-00037");
  // Seed: upccode is UPC-A, "0" + (3600000000 + i*7919 mod 10^9) + check digit
  // (3*(0+6+0+0+9+9) + (3+0+0+7+1) = 83 -> 7).
  EXPECT_EQ(i1.ids.upc, "036000079197");
  EXPECT_FALSE(i1.inactive);
  EXPECT_TRUE(ref->items.at("97").inactive);  // every 97th seeded item is inactive

  ASSERT_EQ(ref->vendors.size(), 3u);
  const model::Vendor& v1 = ref->vendors.at("1");
  EXPECT_EQ(v1.company_name, "Acme Industrial Supply");
  EXPECT_EQ(v1.entity_id, "V0001 Acme Industrial Supply");
  EXPECT_EQ(v1.edi_partner_id, "ML0001EDI");
  EXPECT_FALSE(v1.inactive);
  EXPECT_EQ(ref->vendors.at("2").edi_partner_id, "");  // even vendors are not EDI-enabled
  EXPECT_EQ(ref->vendors.at("3").edi_partner_id, "ML0003EDI");
  // The sandbox has no unitsTypeUom table (an account without multiple units): no units.
  EXPECT_TRUE(ref->units.empty());
}

TEST(LoadPoReferenceTest, ChunksLongIdListsAndMissesUnknownIds) {
  auto rig = MakeRig(Small());
  PoReferenceOptions opt;
  opt.chunk = 7;
  opt.units = false;
  const int64_t before = rig->client->stats().requests;
  auto ref = LoadPoReference(*rig->client, Ids(1, 30), Ids(15, 25), opt);
  ASSERT_TRUE(ref.ok()) << ref.error();
  EXPECT_EQ(ref->items.size(), 30u);
  EXPECT_EQ(ref->vendors.size(), 6u);  // 15..20 exist, 21..25 do not
  EXPECT_FALSE(ref->vendors.contains("21"));
  // currencies 1 + items ceil(30/7) = 5 + vendors ceil(11/7) = 2.
  EXPECT_EQ(rig->client->stats().requests - before, 8);
}

TEST(LoadPoReferenceTest, RefusesIdsThatAreNotInternalIds) {
  auto rig = MakeRig(Small());
  const int64_t before = rig->client->stats().requests;
  auto ref = LoadPoReference(*rig->client, {"1", "1) OR (1=1"}, {});
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ref.status().message().find("item id"), std::string::npos) << ref.error();
  EXPECT_EQ(rig->client->stats().requests, before);  // nothing was sent
}

TEST(LoadPoReferenceTest, FeedsPurchaseOrderFromRecord) {
  auto rig = MakeRig(Small());
  auto page = rig->client->QueryPage(
      netsuite::SuiteQl("SELECT id FROM transaction WHERE type = ? ORDER BY id").Bind("PurchOrd"),
      1, 0);
  ASSERT_TRUE(page.ok()) << page.error();
  ASSERT_EQ(page->rows.size(), 1u);
  auto record = rig->client->GetRecord("purchaseOrder", *page->rows[0].Get("id"));
  ASSERT_TRUE(record.ok()) << record.error();
  std::vector<std::string> items;
  for (const auto& line : (*record)["item"]["items"]) {
    items.push_back(line["item"]["id"].get<std::string>());
  }
  ASSERT_FALSE(items.empty());
  const std::string vendor = (*record)["entity"]["id"].get<std::string>();
  auto ref = LoadPoReference(*rig->client, items, {vendor});
  ASSERT_TRUE(ref.ok()) << ref.error();
  auto po = mapping::PurchaseOrderFromRecord(*record, *ref);
  ASSERT_TRUE(po.ok()) << po.error();
  EXPECT_EQ(po->currency.size(), 3u);  // an ISO code from currency.symbol
  ASSERT_EQ(po->lines.size(), items.size());
  for (const auto& l : po->lines) {
    const model::Item& it = ref->items.at(l.item_id);
    EXPECT_EQ(l.ids.buyer_part, it.item_id);
    EXPECT_FALSE(l.ids.vendor_part.empty());
  }
  EXPECT_EQ(po->vendor.name, ref->vendors.at(vendor).company_name);
}

}  // namespace
}  // namespace mlc::flows

namespace mlc::flows {
namespace {

config::PartnerConfig P(std::string id, std::string vendor, std::vector<std::string> pref,
                        std::string expense = "", std::string ap = "") {
  config::PartnerConfig p;
  p.id = std::move(id);
  p.netsuite_vendor_id = std::move(vendor);
  p.item_id_preference = std::move(pref);
  p.default_accounts.expense = std::move(expense);
  p.default_accounts.ap = std::move(ap);
  return p;
}

class ReferenceSyncFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rig_ = MakeRig(Small());
    auto store = store::OpenStore("sqlite::memory:", clock_);
    ASSERT_TRUE(store.ok()) << store.error();
    store_ = std::move(*store);
    // Seed: odd vendors are EDI-enabled, vendor 20 (the last) is inactive; account 6 is A/P,
    // 14 an expense account, 20 an inactive expense account.
    config_.partners = {P("ACME", "1", {"VP", "BP"}, "14", "6"),
                        P("GLOBEX", "3", {"UP"}),
                        P("INITECH", "5", {"BP"}, "20", "6"),
                        P("ODD", "2", {}),
                        P("GONE", "20", {}),
                        P("NOPE", "999", {})};
    // One open PO of vendor 1 with item 3, so ACME surely has an open PO item.
    auto po = rig_->client->Create(
        "purchaseOrder",
        {{"externalId", "ref-test-po"},
         {"tranId", "PO-REF-1"},
         {"entity", {{"id", "1"}}},
         {"item", {{"items", {{{"item", {{"id", "3"}}}, {"quantity", 2}, {"rate", 1.5}}}}}}});
    ASSERT_TRUE(po.ok()) << po.error();
  }

  Result<RunSummary> RunOnce() {
    std::atomic<bool> stop{false};
    RunContext ctx(&stop);
    ReferenceSyncFlow flow(config_, *store_, *rig_->client, clock_);
    EXPECT_EQ(flow.name(), "reference_sync");
    return flow.Run(ctx);
  }

  std::vector<store::Document> Documents() {
    store::DocumentQuery q;
    q.flow = "reference_sync";
    auto docs = store_->ListDocuments(q);
    EXPECT_TRUE(docs.ok()) << docs.error();
    return docs.ok() ? *docs : std::vector<store::Document>{};
  }

  FakeClock clock_;
  std::unique_ptr<netsuite::testing::Rig> rig_;
  std::unique_ptr<store::Store> store_;
  config::Config config_;
};

TEST_F(ReferenceSyncFlowTest, ReportsMismatchesAndSavesOneSnapshotPerChange) {
  auto first = RunOnce();
  ASSERT_TRUE(first.ok()) << first.error();
  const auto& c = first->counts;
  EXPECT_EQ(c.at("vendors"), 12);  // 10 EDI-enabled (odd) + 2 and 20 named by partners
  EXPECT_EQ(c.at("accounts"), 20);
  EXPECT_GE(c.at("open_po_items"), 1);
  EXPECT_EQ(c.at("vendor_without_partner"), 7);  // 7, 9, ..., 19
  EXPECT_EQ(c.at("vendor_not_edi_enabled"), 2);  // ODD (2) and GONE (20)
  EXPECT_EQ(c.at("vendor_inactive"), 1);         // GONE
  EXPECT_EQ(c.at("vendor_missing"), 1);          // NOPE
  EXPECT_EQ(c.at("account_inactive"), 1);        // INITECH's expense account 20
  EXPECT_FALSE(c.contains("item_without_preferred_id"));
  EXPECT_EQ(c.at("mismatches"), 12);
  EXPECT_EQ(c.at("saved"), 1);
  EXPECT_EQ(first->notes.size(), 12u);
  bool named_nope = false;
  for (const auto& n : first->notes) {
    named_nope |= n ==
                  "partner NOPE: netsuite_vendor_id 999 is not a NetSuite vendor; fix the "
                  "partner profile";
  }
  EXPECT_TRUE(named_nope);

  auto docs = Documents();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].type, "reference");
  EXPECT_EQ(docs[0].direction, store::Direction::kIn);
  EXPECT_EQ(docs[0].state, store::DocState::kDone);
  auto payload = store_->GetPayload(docs[0].id, "snapshot", "input");
  ASSERT_TRUE(payload.ok()) << payload.error();
  auto snap = nlohmann::json::parse(payload->data);
  EXPECT_EQ(docs[0].idempotency_key, "snapshot-" + cleo::Sha256Hex(payload->data));
  EXPECT_EQ(snap["mismatches"].size(), 12u);
  bool has_item3 = false;
  for (const auto& o : snap["open_po_items"]) {
    has_item3 |= o["vendor_id"] == "1" && o["item_id"] == "3";
  }
  EXPECT_TRUE(has_item3);
  store::AuditQuery aq;
  aq.document_id = docs[0].id;
  aq.event = "received";
  auto audit = store_->QueryAudit(aq);
  ASSERT_TRUE(audit.ok()) << audit.error();
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_NE((*audit)[0].detail.find("12 mismatches"), std::string::npos) << (*audit)[0].detail;

  // Unchanged data: nothing new.
  clock_.Advance(std::chrono::hours(1));
  auto second = RunOnce();
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->counts.at("saved"), 0);
  EXPECT_EQ(second->counts.at("mismatches"), 12);
  EXPECT_EQ(Documents().size(), 1u);

  // Item 3 loses its vendor part number: ACME (VP first) is told, and a new snapshot is saved.
  ASSERT_TRUE(rig_->client->Update("inventoryItem", "3", {{"vendorName", ""}}).ok());
  auto third = RunOnce();
  ASSERT_TRUE(third.ok()) << third.error();
  EXPECT_GE(third->counts.at("item_without_preferred_id"), 1);
  EXPECT_EQ(third->counts.at("saved"), 1);
  bool told = false;
  for (const auto& n : third->notes) {
    told |= n.starts_with(
        "partner ACME wants VP (vendor part number) first, but item ITM-00003 "
        "(3) on open PO ");
  }
  EXPECT_TRUE(told);
  docs = Documents();
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1].state, store::DocState::kDone);
  EXPECT_NE(docs[0].idempotency_key, docs[1].idempotency_key);
}

TEST_F(ReferenceSyncFlowTest, ExportsPartnerIdsAndCrossReferencesThroughTheRelay) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/cleo/lookups/outbox").ok());
  auto folder = cleo::FolderTransport::Create(
      fs, {.root = "/cleo/lookups", .inbox = "outbox", .outbox = "outbox"});
  ASSERT_TRUE(folder.ok()) << folder.error();
  bool reachable = false;  // the first run finds Cleo unreachable
  ExportTarget target;
  target.label = "folder:/cleo/lookups/outbox";
  target.transport = [&]() -> Result<cleo::FileTransport*> {
    if (!reachable) return UnavailableError("connection refused");
    return folder->get();
  };
  std::atomic<bool> stop{false};
  RunContext ctx(&stop);
  ReferenceSyncFlow flow(config_, *store_, *rig_->client, clock_);
  flow.set_export(target);

  // Cleo down: the snapshot is saved and waits at step "export" for a retry; nothing is lost.
  auto first = flow.Run(ctx);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->counts.at("exported"), 0);
  EXPECT_EQ(first->counts.at("saved"), 1);
  auto docs = Documents();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].state, store::DocState::kRetryWait);
  EXPECT_EQ(docs[0].step, "export");
  EXPECT_NE(docs[0].last_error_message.find("connection refused"), std::string::npos)
      << docs[0].last_error_message;

  // Cleo back, the retry is due: both files are dropped, the document is done.
  reachable = true;
  clock_.Advance(std::chrono::hours(2));
  auto second = flow.Run(ctx);
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->counts.at("saved"), 0);
  EXPECT_EQ(second->counts.at("exported"), 2);
  docs = Documents();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].state, store::DocState::kDone);
  auto listed = fs.ListDir("/cleo/lookups/outbox");
  ASSERT_TRUE(listed.ok()) << listed.error();
  ASSERT_EQ(listed->size(), 2u);
  std::string partners_name, xref_name;
  for (const auto& n : *listed) {
    if (n.starts_with("mlc_partners_")) partners_name = n;
    if (n.starts_with("mlc_item_xref_")) xref_name = n;
  }
  ASSERT_FALSE(partners_name.empty());
  ASSERT_FALSE(xref_name.empty());
  auto partners = fs.ReadFile("/cleo/lookups/outbox/" + partners_name);
  ASSERT_TRUE(partners.ok()) << partners.error();
  EXPECT_NE(partners->find("\r\nACME,1,Acme Industrial Supply,ML0001EDI,T,T\r\n"),
            std::string::npos)
      << *partners;
  EXPECT_NE(partners->find("\r\nNOPE,999,,,,\r\n"), std::string::npos) << *partners;
  auto xref = fs.ReadFile("/cleo/lookups/outbox/" + xref_name);
  ASSERT_TRUE(xref.ok()) << xref.error();
  EXPECT_NE(xref->find("\r\nACME,1,3,ITM-00003,VP-"), std::string::npos) << *xref;
  store::AuditQuery aq;
  aq.document_id = docs[0].id;
  aq.event = "sent";
  auto audit = store_->QueryAudit(aq);
  ASSERT_TRUE(audit.ok()) << audit.error();
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_NE((*audit)[0].detail.find(xref_name), std::string::npos) << (*audit)[0].detail;

  // Unchanged data: nothing new is exported.
  auto third = flow.Run(ctx);
  ASSERT_TRUE(third.ok()) << third.error();
  EXPECT_EQ(third->counts.at("exported"), 0);
  EXPECT_EQ(fs.ListDir("/cleo/lookups/outbox")->size(), 2u);

  // An item's vendor part changes: a new item file next to the old one, the partners file is
  // the same content and name (found, not written again).
  ASSERT_TRUE(rig_->client->Update("inventoryItem", "3", {{"vendorName", "VP-NEW-3"}}).ok());
  auto fourth = flow.Run(ctx);
  ASSERT_TRUE(fourth.ok()) << fourth.error();
  EXPECT_EQ(fourth->counts.at("saved"), 1);
  EXPECT_EQ(fourth->counts.at("exported"), 1);
  EXPECT_EQ(fs.ListDir("/cleo/lookups/outbox")->size(), 3u);
}

TEST_F(ReferenceSyncFlowTest, NetSuiteFailureFailsTheRunAndSavesNothing) {
  config_.partners = {P("ACME", "1", {"VP"})};
  rig_->sandbox.reset();  // NetSuite goes away
  netsuite::ClientOptions o;
  o.base_url = "http://127.0.0.1:1";
  o.retry.max_attempts = 1;
  o.sleeper = [](std::chrono::milliseconds) {};
  netsuite::Client dead(*rig_->http, *rig_->auth, o);
  std::atomic<bool> stop{false};
  RunContext ctx(&stop);
  ReferenceSyncFlow flow(config_, *store_, dead, clock_);
  auto r = flow.Run(ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("pulling reference data from NetSuite"), std::string::npos)
      << r.error();
  EXPECT_TRUE(Documents().empty());
}

}  // namespace
}  // namespace mlc::flows
