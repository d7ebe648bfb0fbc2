// The document flows end to end in one process: the real NetSuite sandbox (loopback HTTP, OAuth
// 2.0), Cleo mailboxes as folders answered by the trading-partner simulator (the partners of
// sandbox/cleo/seed.example.yaml: ACME bills 2.5 % over the PO price, GLOBEX ships short and
// reuses invoice numbers, INITECH bills an unknown item and sends a malformed 810), the
// warehouse played by the test (item receipts through the Record API), and a SQLite store.
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "tests/flows_sandbox/flows_world.h"

namespace mlc::flows {
namespace {

namespace fs = std::filesystem;

class FlowsSandboxTest : public ::testing::Test, protected testing::FlowsWorld {
 protected:
  void SetUp() override { Init(); }
};

TEST_F(FlowsSandboxTest, PurchaseOrdersBecomeBillsAndExceptionsAndRerunsChangeNothing) {
  // The POs the partners should get: open POs of vendors 1, 3 and 5.
  const int64_t open_pos = SuiteQlCount(
      "SELECT COUNT(*) AS n FROM transaction WHERE type = 'PurchOrd' AND entity IN (1, 3, 5) AND "
      "status IN ('B', 'D', 'E', 'F')");
  ASSERT_GT(open_pos, 0);
  const int64_t bills_before =
      SuiteQlCount("SELECT COUNT(*) AS n FROM transaction WHERE type = 'VendBill'");

  auto c1 = RunFlows();
  EXPECT_EQ(c1["po_outbound.sent"], open_pos) << Notes();
  EXPECT_EQ(CountDocs(kPoOutbound, "850", store::DocState::kDone), open_pos);
  // Vendors 7 has EDI but no profile: named, not guessed.
  EXPECT_GT(c1["po_outbound.no_partner_profile"], 0);

  for (int round = 0; round < 4; ++round) {
    auto step = sandbox::partners::Step(root_, profiles_);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    ReceiveSentOrders();
    RunFlows();
  }

  // Bills were created in NetSuite, each linked to its PO by the transform and named by
  // partner + invoice number.
  const int64_t bills =
      SuiteQlCount("SELECT COUNT(*) AS n FROM transaction WHERE type = 'VendBill'") - bills_before;
  const int billed_docs = CountDocs(kInvoiceInbound, "810", store::DocState::kDone);
  EXPECT_GT(billed_docs, 0) << Notes();
  EXPECT_EQ(bills, billed_docs) << Notes();
  EXPECT_EQ(SuiteQlCount("SELECT COUNT(*) AS n FROM transaction WHERE type = 'VendBill' AND "
                         "externalid IS NOT NULL AND createdfrom IS NOT NULL"),
            bills)
      << "every new bill carries an externalId and its PO";

  // Exceptions are parked with their reasons: ACME's price variance (2.5 % > 1 %), GLOBEX's
  // reused invoice numbers, INITECH's unknown item.
  const std::string notes = Notes();
  EXPECT_NE(notes.find("price"), std::string::npos) << notes;
  EXPECT_NE(notes.find("duplicate invoice number"), std::string::npos) << notes;
  EXPECT_NE(notes.find("INITECH"), std::string::npos) << notes;
  EXPECT_GT(CountDocs(kInvoiceInbound, "810", store::DocState::kParked), 0);

  // 997s both ways: every 850 we sent was acknowledged, and we acknowledged their files.
  int acked = 0;
  store::DocumentQuery sent_q;
  sent_q.type = "850";
  sent_q.limit = 10000;
  auto sent_docs = store_->ListDocuments(sent_q);
  ASSERT_TRUE(sent_docs.ok());
  for (const auto& d : *sent_docs) {
    store::AuditQuery aq;
    aq.document_id = d.id;
    aq.event = std::string(store::event::kAcknowledged);
    auto events = store_->QueryAudit(aq);
    ASSERT_TRUE(events.ok());
    acked += events->empty() ? 0 : 1;
  }
  EXPECT_EQ(acked, open_pos) << notes;
  int our_997s = 0;
  for (const char* m : {"acme", "globex", "initech"}) {
    for (const auto& e : fs::directory_iterator(root_ / m / "sentbox")) {
      our_997s += e.path().filename().string().find("_997_") != std::string::npos;
    }
  }
  EXPECT_GT(our_997s, 0);
  // INITECH's malformed 810 was rejected in our 997 and is not a document.
  EXPECT_NE(notes.find("rejected"), std::string::npos) << notes;

  // What happened, for the test log (the summary notes of every run).
  std::cout << notes;
  // Nothing is left half-done.
  EXPECT_EQ(CountDocs(kInvoiceInbound, "file", store::DocState::kPending), 0);
  EXPECT_EQ(CountDocs(kInvoiceInbound, "file", store::DocState::kRetryWait), 0);

  // Rerunning changes nothing.
  store::DocumentQuery all;
  all.limit = 100000;
  const size_t docs_before = store_->ListDocuments(all)->size();
  auto again = RunFlows();
  auto again2 = RunFlows();
  EXPECT_EQ(store_->ListDocuments(all)->size(), docs_before);
  EXPECT_EQ(again["po_outbound.sent"] + again2["po_outbound.sent"], 0);
  EXPECT_EQ(SuiteQlCount("SELECT COUNT(*) AS n FROM transaction WHERE type = 'VendBill'") -
                bills_before,
            bills);
}

}  // namespace
}  // namespace mlc::flows
