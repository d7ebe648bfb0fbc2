// The simulated warehouse: the partner simulator records what it ships, and `warehouse step`
// receives it into the NetSuite sandbox (real client, OAuth 2.0, loopback HTTP) exactly once.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "common/file_system.h"
#include "sandbox/partners/simulator.h"
#include "sandbox/warehouse/warehouse.h"
#include "support.h"
#include "tests/netsuite_sandbox/sandbox_fixture.h"

namespace mlc::sandbox::warehouse {
namespace {

namespace fs = std::filesystem;
using mlc::netsuite::testing::MakeRig;
using mlc::netsuite::testing::Rig;
using partners::PartnerProfile;
using testing_support::Build850;
using testing_support::TempDir;
using testing_support::WriteText;

// ACME ships every line short (3/4, rounded down); GLOBEX ships in full.
std::vector<PartnerProfile> Profiles() {
  PartnerProfile acme;
  acme.id = "ACME";
  acme.mailbox = "acme";
  acme.seed = 5;
  acme.quirks.short_ship_percent = 100;
  PartnerProfile globex;
  globex.id = "GLOBEX";
  globex.mailbox = "globex";
  globex.seed = 6;
  return {acme, globex};
}

sandbox::netsuite::SandboxOptions SmallAccount() {
  sandbox::netsuite::SandboxOptions o;
  o.seed.purchase_orders = 10;
  o.seed.items = 40;
  return o;
}

// A NetSuite PO `tranid` of vendor 1 with `lines` lines of 10 each (like Build850's lines).
std::string CreatePo(Rig& rig, const std::string& tranid, int lines) {
  nlohmann::json items = nlohmann::json::array();
  for (int i = 1; i <= lines; ++i) {
    items.push_back({{"item", {{"id", std::to_string(i)}}}, {"quantity", 10}, {"rate", 12.5}});
  }
  auto r = rig.client->Create("purchaseOrder", {{"externalId", "wh-" + tranid},
                                                {"tranId", tranid},
                                                {"entity", {{"id", "1"}}},
                                                {"item", {{"items", items}}}});
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->id : "";
}

void Drop850(const fs::path& root, const std::string& mailbox, const std::string& partner_isa,
             const std::string& po, int lines, const std::string& isa13) {
  fs::create_directories(root / mailbox / "outbox");
  WriteText(root / mailbox / "outbox" / (po + ".x12"), Build850(partner_isa, po, lines, isa13));
}

nlohmann::json PoLines(Rig& rig, const std::string& id) {
  auto po = rig.client->GetRecord("purchaseOrder", id);
  EXPECT_TRUE(po.ok()) << po.status();
  return po.ok() ? (*po)["item"]["items"] : nlohmann::json::array();
}

// The state of the partner simulator + NetSuite after one partner step over three 850s:
// ACME PO-WH-1 (2 lines, shipped short), GLOBEX PO-WH-2 (3 lines, in full), GLOBEX PO-NOPE
// (no such PO in NetSuite).
struct World {
  TempDir root{"warehouse"};
  std::unique_ptr<Rig> rig = MakeRig(SmallAccount());
  std::string po1, po2;

  World() {
    po1 = CreatePo(*rig, "PO-WH-1", 2);
    po2 = CreatePo(*rig, "PO-WH-2", 3);
    Drop850(root.path(), "acme", "ACMESUP", "PO-WH-1", 2, "2001");
    Drop850(root.path(), "globex", "GLOBEXSUP", "PO-WH-2", 3, "2002");
    Drop850(root.path(), "globex", "GLOBEXSUP", "PO-NOPE", 1, "2003");
    auto step = partners::Step(root.path(), Profiles());
    EXPECT_TRUE(step.ok()) << step.status();
  }
};

TEST(Warehouse, SimulatorRecordsWhatItShips) {
  World w;
  auto acme = partners::LoadShipments(w.root.path(), "ACME");
  ASSERT_TRUE(acme.ok()) << acme.status();
  ASSERT_EQ(acme->size(), 1u);
  EXPECT_EQ((*acme)[0].po_number, "PO-WH-1");
  EXPECT_FALSE((*acme)[0].received);
  ASSERT_EQ((*acme)[0].lines.size(), 2u);
  EXPECT_EQ((*acme)[0].lines[0].po_line, "1");
  EXPECT_EQ((*acme)[0].lines[0].quantity, Decimal::FromInt(7));  // 3/4 of 10, rounded down
  auto globex = partners::LoadShipments(w.root.path(), "GLOBEX");
  ASSERT_TRUE(globex.ok());
  ASSERT_EQ(globex->size(), 2u);
  EXPECT_NE((*globex)[0].id, (*globex)[1].id);
  const partners::Shipment& wh2 = (*globex)[0].po_number == "PO-WH-2" ? (*globex)[0] : (*globex)[1];
  ASSERT_EQ(wh2.po_number, "PO-WH-2");
  ASSERT_EQ(wh2.lines.size(), 3u);
  EXPECT_EQ(wh2.lines[2].po_line, "3");
  EXPECT_EQ(wh2.lines[2].quantity, Decimal::FromInt(10));  // GLOBEX ships in full
  auto partners_seen = partners::PartnersWithState(w.root.path());
  ASSERT_TRUE(partners_seen.ok());
  EXPECT_EQ(*partners_seen, (std::vector<std::string>{"ACME", "GLOBEX"}));
}

TEST(Warehouse, ReceivesShippedQuantitiesOnceShortShipmentsShort) {
  World w;
  const int64_t receipts_before = w.rig->sandbox->state().CountTransactions("ItemRcpt");
  auto first = ReceiveShipments(w.root.path(), *w.rig->client);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->receipts, 2);
  EXPECT_EQ(first->lines_received, 5);
  EXPECT_EQ(first->pos, (std::set<std::string>{"PO-WH-1", "PO-WH-2"}));
  ASSERT_EQ(first->skipped.size(), 1u);  // the unknown PO: reported, not fatal
  EXPECT_EQ(first->skipped[0].po, "PO-NOPE");
  EXPECT_EQ(first->skipped[0].partner, "GLOBEX");
  EXPECT_NE(first->skipped[0].reason.find("no purchase order"), std::string::npos);
  EXPECT_EQ(first->Summary().rfind("received 5 lines on 2 POs (2 item receipts); 1 skipped: "
                                   "GLOBEX ",
                                   0),
            0u)
      << first->Summary();
  EXPECT_EQ(w.rig->sandbox->state().CountTransactions("ItemRcpt"), receipts_before + 2);
  // Short shipment received short: 7 of 10 on both lines; PO partially received.
  auto l1 = PoLines(*w.rig, w.po1);
  ASSERT_EQ(l1.size(), 2u);
  EXPECT_EQ(l1[0]["quantityReceived"], 7.0);
  EXPECT_EQ(l1[1]["quantityReceived"], 7.0);
  EXPECT_EQ((*w.rig->client->GetRecord("purchaseOrder", w.po1))["orderStatus"]["id"], "E");
  auto l2 = PoLines(*w.rig, w.po2);
  for (const auto& l : l2) EXPECT_EQ(l["quantityReceived"], 10.0);
  EXPECT_EQ((*w.rig->client->GetRecord("purchaseOrder", w.po2))["orderStatus"]["id"], "F");
  // The receipt carries the externalId that makes reruns safe.
  EXPECT_EQ(w.rig->sandbox->state().CountByExternalId("itemReceipt", "IR-ACME-000001"), 1);
  // State files say received.
  auto acme = partners::LoadShipments(w.root.path(), "ACME");
  EXPECT_TRUE((*acme)[0].received);

  // Second step: nothing to receive; the unknown PO is still reported.
  auto second = ReceiveShipments(w.root.path(), *w.rig->client);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->receipts, 0);
  EXPECT_EQ(second->lines_received, 0);
  EXPECT_EQ(second->already_received, 0);
  EXPECT_EQ(second->skipped.size(), 1u);
  EXPECT_EQ(w.rig->sandbox->state().CountTransactions("ItemRcpt"), receipts_before + 2);
  EXPECT_EQ(PoLines(*w.rig, w.po1)[0]["quantityReceived"], 7.0);
}

TEST(Warehouse, LostStateUpdateDoesNotReceiveTwice) {
  World w;
  ASSERT_TRUE(ReceiveShipments(w.root.path(), *w.rig->client).ok());
  const int64_t receipts = w.rig->sandbox->state().CountTransactions("ItemRcpt");
  // As if the state file had not been written after the receipt: received=false again.
  const fs::path file = w.root.path() / ".partners" / "ACME.json";
  auto text = RealFileSystem().ReadFile(file);
  ASSERT_TRUE(text.ok());
  nlohmann::json j = nlohmann::json::parse(*text);
  j["shipments"][0]["received"] = false;
  ASSERT_TRUE(RealFileSystem().WriteFileAtomic(file, j.dump()).ok());
  auto again = ReceiveShipments(w.root.path(), *w.rig->client);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->receipts, 0);
  EXPECT_EQ(again->already_received, 1);  // the existing receipt, found by externalId
  EXPECT_EQ(w.rig->sandbox->state().CountTransactions("ItemRcpt"), receipts);
  EXPECT_EQ(PoLines(*w.rig, w.po1)[0]["quantityReceived"], 7.0);
  EXPECT_TRUE((*partners::LoadShipments(w.root.path(), "ACME"))[0].received);
}

TEST(Warehouse, RefusedReceiptIsSkippedWithNetSuitesReason) {
  World w;
  // Someone received line 1 of PO-WH-1 in full by hand: the 7 shipped no longer fit.
  ASSERT_TRUE(w.rig->client
                  ->Transform("purchaseOrder", w.po1, "itemReceipt",
                              {{"externalId", "manual-1"},
                               {"item", {{"items", {{{"orderLine", 1}, {"quantity", 10}}}}}}},
                              "replace=item")
                  .ok());
  auto r = ReceiveShipments(w.root.path(), *w.rig->client);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->receipts, 1);  // PO-WH-2 only
  ASSERT_EQ(r->skipped.size(), 2u);
  bool found = false;
  for (const auto& s : r->skipped) {
    if (s.po == "PO-WH-1") {
      found = true;
      EXPECT_NE(s.reason.find("cannot receive more than the remaining quantity"), std::string::npos)
          << s.reason;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_FALSE((*partners::LoadShipments(w.root.path(), "ACME"))[0].received);
}

TEST(Warehouse, CommandLineReceivesAndPrintsOneLine) {
  World w;
  const fs::path creds = w.root.path() / "ns-credentials.json";
  WriteText(creds, w.rig->creds.ToJson().dump());
  const std::string base = std::string(MLC_SANDBOX_BIN) + " warehouse step --root " +
                           w.root.path().string() + " --netsuite-url " +
                           w.rig->sandbox->base_url();
  // stdout only (logs go to stderr), or both with `both`.
  auto run = [](const std::string& cmd, int* rc, bool both = false) {
    std::string out;
    FILE* p = ::popen((cmd + (both ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
    if (p == nullptr) return out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    *rc = WEXITSTATUS(::pclose(p));
    return out;
  };
  int rc = -1;
  std::string out = run(base + " --credentials " + creds.string(), &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out.rfind("warehouse: received 5 lines on 2 POs (2 item receipts); 1 skipped: GLOBEX", 0),
            0u)
      << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  out = run(base + " --credentials " + creds.string(), &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out.rfind("warehouse: received 0 lines on 0 POs (0 item receipts); 1 skipped", 0), 0u)
      << out;
  out = run(base + " --credentials " + (w.root.path() / "missing.json").string(), &rc, true);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("does not exist"), std::string::npos) << out;
}

}  // namespace
}  // namespace mlc::sandbox::warehouse
