// The pure parts of reference data: mismatch rules, the snapshot JSON, IN-list chunking.
#include "flows/reference_sync.h"

#include <gtest/gtest.h>

#include <set>

#include "cleo/names.h"
#include "flows/reference_data.h"

namespace mlc::flows {
namespace {

config::PartnerConfig Partner(std::string id, std::string vendor, std::vector<std::string> pref,
                              std::string expense = "", std::string ap = "") {
  config::PartnerConfig p;
  p.id = std::move(id);
  p.netsuite_vendor_id = std::move(vendor);
  p.item_id_preference = std::move(pref);
  p.default_accounts.expense = std::move(expense);
  p.default_accounts.ap = std::move(ap);
  return p;
}

// Vendor 1 active EDI, 2 active not EDI, 3 inactive EDI, 7 active EDI (no partner);
// items 10 (all ids), 11 (no vendor part), 12 (no UPC, inactive); accounts 6 AP, 14 expense,
// 20 inactive expense.
ReferenceSnapshot Snapshot() {
  ReferenceSnapshot s;
  s.vendors = {{"1", "V1", "Acme", "ML0001EDI", false, true},
               {"2", "V2", "Bright", "", false, false},
               {"3", "V3", "Cascade", "ML0003EDI", true, true},
               {"7", "V7", "Granite", "ML0007EDI", false, true}};
  s.items = {{"10", "ITM-10", "VP-10", "012345678905", false},
             {"11", "ITM-11", "", "012345678912", false},
             {"12", "ITM-12", "VP-12", "", true}};
  s.open_po_items = {{"1", "10", "PO1"}, {"1", "11", "PO1"}, {"1", "12", "PO2"}};
  s.accounts = {{"6", "2000", "2000 Accounts Payable", "AcctPay", false},
                {"14", "6000", "6000 Office Supplies", "Expense", false},
                {"20", "6900", "6900 Old Misc Expense", "Expense", true}};
  return s;
}

std::vector<MismatchKind> Kinds(const std::vector<Mismatch>& ms) {
  std::vector<MismatchKind> out;
  for (const auto& m : ms) out.push_back(m.kind);
  return out;
}

TEST(FindMismatchesTest, CleanPartnerHasNone) {
  auto s = Snapshot();
  s.vendors.pop_back();        // no unclaimed EDI vendor
  s.open_po_items.pop_back();  // not the inactive item
  auto ms = FindMismatches({Partner("ACME", "1", {"BP", "VP"}, "14", "6")}, s);
  EXPECT_TRUE(ms.empty()) << ms.front().message;
}

TEST(FindMismatchesTest, VendorMissingInactiveOrNotEdi) {
  auto s = Snapshot();
  auto ms =
      FindMismatches({Partner("A", "1", {}), Partner("B", "2", {}), Partner("C", "3", {}),
                      Partner("D", "99", {}), Partner("E", "", {}), Partner("F", "1 OR 1=1", {})},
                     s);
  EXPECT_EQ(Kinds(ms), (std::vector<MismatchKind>{
                           MismatchKind::kVendorNotEdiEnabled,   // B
                           MismatchKind::kVendorInactive,        // C
                           MismatchKind::kVendorMissing,         // D
                           MismatchKind::kVendorMissing,         // E
                           MismatchKind::kVendorMissing,         // F
                           MismatchKind::kVendorWithoutPartner,  // vendor 7
                       }));
  EXPECT_EQ(ms[0].partner, "B");
  EXPECT_EQ(ms[0].subject, "2");
  EXPECT_NE(ms[0].message.find("custentity_mlc_edi_enabled"), std::string::npos);
  EXPECT_EQ(ms[2].message,
            "partner D: netsuite_vendor_id 99 is not a NetSuite vendor; fix the partner profile");
  EXPECT_EQ(ms[3].message, "partner E has no netsuite_vendor_id");
  EXPECT_EQ(ms[5].partner, "");
  EXPECT_EQ(ms[5].subject, "7");
  EXPECT_NE(ms[5].message.find("ML0007EDI"), std::string::npos);
}

TEST(FindMismatchesTest, InactiveEdiVendorWithoutPartnerIsNotReported) {
  auto s = Snapshot();
  // Vendor 3 is EDI-enabled but inactive and named by no one: quiet. Vendor 7 is reported.
  auto ms = FindMismatches({Partner("A", "1", {})}, s);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].subject, "7");
}

TEST(FindMismatchesTest, ItemsFollowTheFirstPreference) {
  auto s = Snapshot();
  s.vendors.pop_back();
  // VP first: item 11 has no vendor part; item 12 is inactive.
  auto vp = FindMismatches({Partner("ACME", "1", {"VP", "UP"})}, s);
  ASSERT_EQ(vp.size(), 2u);
  EXPECT_EQ(vp[0].kind, MismatchKind::kItemWithoutPreferredId);
  EXPECT_EQ(vp[0].subject, "11");
  EXPECT_EQ(vp[0].message,
            "partner ACME wants VP (vendor part number) first, but item ITM-11 (11) on open PO "
            "PO1 has no vendor part number (vendorname)");
  EXPECT_EQ(vp[1].kind, MismatchKind::kItemInactive);
  EXPECT_EQ(vp[1].subject, "12");
  // UP first: item 12 lacks a UPC (and is inactive); item 11 has one.
  auto up = FindMismatches({Partner("ACME", "1", {"UP"})}, s);
  EXPECT_EQ(Kinds(up), (std::vector<MismatchKind>{MismatchKind::kItemWithoutPreferredId,
                                                  MismatchKind::kItemInactive}));
  EXPECT_EQ(up[0].subject, "12");
  // BP first: itemid is always there; only the inactive item.
  auto bp = FindMismatches({Partner("ACME", "1", {"BP"})}, s);
  EXPECT_EQ(Kinds(bp), (std::vector<MismatchKind>{MismatchKind::kItemInactive}));
  // Items of another vendor's POs do not concern this partner.
  s.open_po_items = {{"2", "11", "PO9"}};
  EXPECT_TRUE(FindMismatches({Partner("ACME", "1", {"VP"})}, s).empty());
}

TEST(FindMismatchesTest, DefaultAccounts) {
  auto s = Snapshot();
  s.vendors.pop_back();
  s.open_po_items.clear();
  auto ms = FindMismatches({Partner("A", "1", {}, "20", "14"), Partner("B", "1", {}, "77", "")}, s);
  EXPECT_EQ(Kinds(ms), (std::vector<MismatchKind>{MismatchKind::kAccountInactive,
                                                  MismatchKind::kAccountWrongType,
                                                  MismatchKind::kAccountMissing}));
  EXPECT_EQ(ms[0].subject, "20");
  EXPECT_NE(ms[0].message.find("6900 Old Misc Expense"), std::string::npos);
  EXPECT_EQ(ms[1].subject, "14");
  EXPECT_NE(ms[1].message.find("type Expense"), std::string::npos);
  EXPECT_EQ(ms[2].partner, "B");
  EXPECT_EQ(ms[2].subject, "77");
}

TEST(FindMismatchesTest, KindNamesAreDistinct) {
  std::set<std::string_view> names;
  for (int k = 0; k <= static_cast<int>(MismatchKind::kAccountWrongType); ++k) {
    names.insert(MismatchKindName(static_cast<MismatchKind>(k)));
  }
  EXPECT_EQ(names.size(), 9u);
  EXPECT_FALSE(names.contains("unknown"));
}

TEST(SnapshotToJsonTest, IsDeterministicAndCarriesEverything) {
  auto s = Snapshot();
  std::vector<config::PartnerConfig> ps = {Partner("ACME", "1", {"VP"}, "14", "6")};
  auto ms = FindMismatches(ps, s);
  const auto a = SnapshotToJson(s, ps, ms);
  EXPECT_EQ(a.dump(), SnapshotToJson(s, ps, ms).dump());
  EXPECT_EQ(a["version"], 1);
  EXPECT_EQ(a["vendors"].size(), 4u);
  EXPECT_EQ(a["vendors"][0]["edi_partner_id"], "ML0001EDI");
  EXPECT_EQ(a["items"][1]["vendor_part"], "");
  EXPECT_EQ(a["open_po_items"][2]["po_number"], "PO2");
  EXPECT_EQ(a["accounts"][2]["inactive"], true);
  EXPECT_EQ(a["partners"][0]["item_id_preference"][0], "VP");
  EXPECT_EQ(a["mismatches"].size(), ms.size());
  EXPECT_EQ(a["mismatches"][0]["kind"], "item_without_preferred_id");
  // A change in the data changes the JSON (so the store records a new snapshot).
  s.items[1].vendor_part = "VP-11";
  EXPECT_NE(a.dump(), SnapshotToJson(s, ps, FindMismatches(ps, s)).dump());
}

TEST(CrossReferenceCsvTest, PartnersAndItemsWithQuoting) {
  auto s = Snapshot();
  s.vendors[0].company_name = "Acme, \"West\"";
  std::vector<config::PartnerConfig> ps = {Partner("ACME", "1", {"VP"}), Partner("NOPE", "99", {})};
  EXPECT_EQ(PartnersCsv(s, ps),
            "partner_id,netsuite_vendor_id,vendor_name,edi_partner_id,vendor_active,edi_enabled\r\n"
            "ACME,1,\"Acme, \"\"West\"\"\",ML0001EDI,T,T\r\n"
            "NOPE,99,,,,\r\n");
  EXPECT_EQ(ItemCrossReferenceCsv(s, ps),
            "partner_id,netsuite_vendor_id,item_internal_id,buyer_part,vendor_part,upc\r\n"
            "ACME,1,10,ITM-10,VP-10,012345678905\r\n"
            "ACME,1,11,ITM-11,,012345678912\r\n"
            "ACME,1,12,ITM-12,VP-12,\r\n");
}

TEST(CrossReferenceCsvTest, FileNamesFollowTheContent) {
  auto s = Snapshot();
  std::vector<config::PartnerConfig> ps = {Partner("ACME", "1", {"VP"})};
  const std::vector<ExportFile> first = CrossReferenceFiles(s, ps);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].content, PartnersCsv(s, ps));
  EXPECT_EQ(first[1].content, ItemCrossReferenceCsv(s, ps));
  EXPECT_EQ(first[0].name, "mlc_partners_" + cleo::Sha256Hex(first[0].content).substr(0, 12) +
                               ".csv");
  EXPECT_TRUE(first[1].name.starts_with("mlc_item_xref_")) << first[1].name;
  EXPECT_EQ(CrossReferenceFiles(s, ps)[1].name, first[1].name);  // same data, same name
  s.items[0].upc = "098765432109";
  const std::vector<ExportFile> second = CrossReferenceFiles(s, ps);
  EXPECT_EQ(second[0].name, first[0].name);  // the partners file did not change
  EXPECT_NE(second[1].name, first[1].name);  // the item file did
  EXPECT_NE(second[1].content.find("098765432109"), std::string::npos);
  for (const ExportFile& f : second) EXPECT_TRUE(cleo::ValidateRemoteName(f.name).ok()) << f.name;
}

TEST(ParseInternalIdsTest, SortsDeduplicatesAndRefusesNonIds) {
  auto ids = ParseInternalIds({"12", "", "3", "12", "007"}, "item");
  ASSERT_TRUE(ids.ok()) << ids.error();
  EXPECT_EQ(*ids, (std::vector<int64_t>{3, 7, 12}));
  for (const char* bad : {"-1", "+1", "1 OR 1=1", "1.0", "x", "1234567890123456789"}) {
    auto r = ParseInternalIds({"1", bad}, "vendor");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("vendor id"), std::string::npos);
  }
}

TEST(InListChunksTest, BindsEveryIdAndRespectsTheChunkSize) {
  std::vector<int64_t> ids;
  for (int64_t i = 1; i <= 1001; ++i) ids.push_back(i);
  auto chunks = InListChunks("t.entity", ids, 500);
  ASSERT_TRUE(chunks.ok()) << chunks.error();
  ASSERT_EQ(chunks->size(), 3u);
  EXPECT_EQ((*chunks)[0].bound(), 500u);
  EXPECT_EQ((*chunks)[2].bound(), 1u);
  auto last = (*chunks)[2].Render();
  ASSERT_TRUE(last.ok()) << last.error();
  EXPECT_EQ(*last, "t.entity IN (1001)");
  auto small = InListChunks("id", {4, 5}, 500);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(*(*small)[0].Render(), "id IN (4, 5)");
  EXPECT_TRUE(InListChunks("id", {}, 500)->empty());
  EXPECT_FALSE(InListChunks("id", ids, 0).ok());
  EXPECT_FALSE(InListChunks("id", ids, 1001).ok());
}

}  // namespace
}  // namespace mlc::flows
