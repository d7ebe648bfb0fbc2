// An 810's N1*VN, when it carries our number for the vendor (N103 92), must name the PO's vendor:
// an invoice from ACME's mailbox naming another vendor is parked with the reason, never billed
// to ACME's PO; one naming ACME's vendor number passes this check. Same world as
// flows_sandbox_test (NetSuite sandbox over loopback HTTP, folder mailboxes, SQLite store).
#include <fmt/format.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/flows_sandbox/flows_world.h"

namespace mlc::flows {
namespace {

class VendorCheckTest : public ::testing::Test, protected testing::FlowsWorld {
 protected:
  void SetUp() override { Init(); }

  // A one-line 004010 810 from ACME (ids of the world's config) for `po`, N1*VN naming `vendor`.
  void DropInvoice(int control, const std::string& invoice, const std::string& po,
                   const std::string& vendor) {
    const std::string body = fmt::format(
        "ST*810*0001~BIG*20261127*{}*20261120*{}~N1*VN*Acme Industrial Supply*92*{}~"
        "IT1*1*1*EA*1.00**VP*NONE~TDS*100~CTT*1~SE*7*0001~",
        invoice, po, vendor);
    const std::string x12 = fmt::format(
        "ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*MLCONNECTOR    *261127*1200*U*"
        "00401*{:09}*0*P*>~GS*IN*ACMESUPPLY*MLCONNECTOR*20261127*1200*{}*X*004010~{}GE*1*{}~"
        "IEA*1*{:09}~",
        control, control, body, control, control);
    std::ofstream(root_ / "acme" / "inbox" / fmt::format("ACME_810_{}.x12", control)) << x12;
  }

  std::string ParkedReason(const std::string& invoice) {
    store::DocumentQuery q;
    q.type = "810";
    q.business_key = invoice;
    auto docs = store_->ListDocuments(q);
    EXPECT_TRUE(docs.ok());
    if (!docs.ok() || docs->size() != 1) return fmt::format("{} documents", docs->size());
    const auto& d = (*docs)[0];
    return d.state == store::DocState::kParked ? d.last_error_message : "not parked";
  }
};

TEST_F(VendorCheckTest, InvoiceNamingAnotherVendorIsParked) {
  RunFlows();  // the 850s go out
  const auto sent = CountDocs(kPoOutbound, "850", store::DocState::kDone);
  ASSERT_GT(sent, 0);
  store::DocumentQuery q;
  q.flow = std::string(kPoOutbound);
  q.partner = "ACME";
  q.limit = 1;
  auto acme = store_->ListDocuments(q);
  ASSERT_TRUE(acme.ok() && !acme->empty());
  const std::string po = (*acme)[0].po_number;
  auto page = rig_->client->QueryPage(netsuite::SuiteQl("SELECT entityid FROM vendor WHERE id = 1"),
                                      1, 0);
  ASSERT_TRUE(page.ok() && page->rows.size() == 1);
  const std::string entity_id = *page->rows[0].Get("entityid");

  DropInvoice(901, "INV-VN-WRONG", po, "V-SOMEONE-ELSE");
  DropInvoice(902, "INV-VN-NUMBER", po, entity_id);
  RunFlows();

  EXPECT_EQ(ParkedReason("INV-VN-WRONG"),
            fmt::format("exception: invoice INV-VN-WRONG names vendor 'V-SOMEONE-ELSE' in N1*VN "
                        "(our number for the vendor, N103 92), but PO {} is vendor 1 ({})",
                        po, entity_id))
      << Notes();
  // Naming the vendor by its number passes this check (the line itself, an item ACME never
  // sold us, is then an exception of the match). (Its internal id, 1, is too short for N104.)
  const std::string reason = ParkedReason("INV-VN-NUMBER");
  EXPECT_EQ(reason.find("in N1*VN"), std::string::npos) << reason;
  EXPECT_NE(reason.find("no line of PO"), std::string::npos) << reason;
}

}  // namespace
}  // namespace mlc::flows
