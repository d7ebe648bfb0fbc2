// Integration: flows::ReadPurchaseOrders (SuiteQL joins in pages) against the in-process NetSuite
// sandbox over loopback HTTP: it must give the same canonical purchase orders as the Record API,
// in far fewer requests.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/decimal.h"
#include "flows/po_detail.h"
#include "flows/reference_data.h"
#include "mapping/netsuite_po.h"
#include "tests/netsuite_sandbox/sandbox_fixture.h"

namespace mlc::flows {
namespace {

using json = nlohmann::json;
using netsuite::testing::MakeRig;
using sandbox::netsuite::SandboxOptions;

SandboxOptions Seeded(int purchase_orders) {
  SandboxOptions o;
  o.seed.vendors = 20;
  o.seed.items = 120;
  o.seed.purchase_orders = purchase_orders;
  return o;
}

std::vector<std::string> PurchaseOrderIds(netsuite::Client& client) {
  std::vector<std::string> ids;
  Status st = client.QueryOffset(
      netsuite::SuiteQl("SELECT id FROM transaction WHERE type = ? ORDER BY id").Bind("PurchOrd"),
      [&](const netsuite::Row& r) -> Status {
        ids.push_back(r.Get("id").value_or(""));
        return Status::Ok();
      });
  EXPECT_TRUE(st.ok()) << st;
  return ids;
}

// A decimal's value without its scale: the Record API writes numbers (31.0), SuiteQL strings
// ("31"); both are the same quantity.
std::string Value(const json& text) {
  auto d = Decimal::Parse(text.get<std::string>());
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? d->ToCanonical() : "";
}

// The canonical PO as JSON, without what only one way of reading knows (po_detail.h), with its
// amounts compared by value.
json Canonical(const json& record, const mapping::PoReference& ref) {
  auto po = mapping::PurchaseOrderFromRecord(record, ref);
  EXPECT_TRUE(po.ok()) << po.error() << "\n" << record.dump();
  if (!po.ok()) return nullptr;
  json j = mapping::ToJson(*po);
  j.erase("last_modified");
  j["total"] = Value(j["total"]);
  for (json& l : j["lines"]) {
    for (const char* k : {"quantity", "rate", "received", "billed"}) l[k] = Value(l[k]);
  }
  return j;
}

mapping::PoReference ReferenceFor(netsuite::Client& client, const std::vector<json>& records) {
  std::set<std::string> items, vendors;
  for (const json& r : records) {
    vendors.insert(r["entity"]["id"].get<std::string>());
    for (const json& l : r["item"]["items"]) items.insert(l["item"]["id"].get<std::string>());
  }
  auto ref =
      LoadPoReference(client, {items.begin(), items.end()}, {vendors.begin(), vendors.end()});
  EXPECT_TRUE(ref.ok()) << ref.error();
  return ref.ok() ? *ref : mapping::PoReference{};
}

TEST(PoDetailTest, GivesTheSameCanonicalPurchaseOrdersAsTheRecordApiInFewerRequests) {
  auto rig = MakeRig(Seeded(40));
  const std::vector<std::string> ids = PurchaseOrderIds(*rig->client);
  ASSERT_EQ(ids.size(), 40u);

  int64_t before = rig->client->stats().requests;
  PoDetailOptions options;
  options.chunk = 7;
  auto read = ReadPurchaseOrders(*rig->client, ids, options);
  ASSERT_TRUE(read.ok()) << read.error();
  const int64_t suiteql_requests = rig->client->stats().requests - before;
  // ceil(40 / 7) = 6 chunks, a header query and a line query each (every page fits in one).
  EXPECT_EQ(suiteql_requests, 12);
  ASSERT_EQ(read->size(), 40u);

  before = rig->client->stats().requests;
  std::vector<json> records;
  for (const std::string& id : ids) {
    auto r = rig->client->GetRecord("purchaseOrder", id);
    ASSERT_TRUE(r.ok()) << r.error();
    records.push_back(*r);
  }
  EXPECT_EQ(rig->client->stats().requests - before, 40);

  const mapping::PoReference ref = ReferenceFor(*rig->client, records);
  int with_ship_to = 0, with_terms = 0, with_ship_date = 0, lines = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    SCOPED_TRACE("purchase order " + ids[i]);
    const json from_record = Canonical(records[i], ref);
    const json from_suiteql = Canonical(read->at(ids[i]), ref);
    EXPECT_EQ(from_suiteql, from_record) << "SuiteQL: " << from_suiteql.dump(1)
                                         << "\nRecord API: " << from_record.dump(1);
    // What is compared is not empty: addresses, terms, dates and lines are there.
    if (!from_record["ship_to"]["city"].get<std::string>().empty()) ++with_ship_to;
    if (!from_record["terms"].get<std::string>().empty()) ++with_terms;
    if (!from_record["ship_date"].get<std::string>().empty()) ++with_ship_date;
    lines += static_cast<int>(from_record["lines"].size());
  }
  EXPECT_EQ(with_ship_to, 40);
  EXPECT_EQ(with_terms, 40);
  EXPECT_EQ(with_ship_date, 40);
  EXPECT_GE(lines, 40);
}

TEST(PoDetailTest, CarriesTheAddressesOfACreatedPurchaseOrder) {
  auto rig = MakeRig(Seeded(2));
  json body = {
      {"entity", {{"id", "3"}}},
      {"tranId", "PO-ADDR-1"},
      {"externalId", "po-addr-1"},
      {"shipDate", "2026-12-01"},
      {"terms", {{"id", "2"}}},
      {"shippingAddress",
       {{"addressee", "Plant 9"}, {"attention", "Dock 2"}, {"addr1", "9 Quay St"},
        {"city", "Halifax"}, {"state", "NS"}, {"zip", "B3J 1S9"}, {"country", {{"id", "CA"}}}}},
      {"billingAddress", {{"addressee", "HQ"}, {"addr1", "1 Main St"}, {"country", "US"}}},
      {"item",
       {{"items", json::array({{{"item", {{"id", "4"}}}, {"quantity", 3}, {"rate", "12.50"}}})}}}};
  auto created = rig->client->Create("purchaseOrder", body);
  ASSERT_TRUE(created.ok()) << created.error();
  const std::string id = created->id;

  auto read = ReadPurchaseOrders(*rig->client, {id});
  ASSERT_TRUE(read.ok()) << read.error();
  auto record = rig->client->GetRecord("purchaseOrder", id);
  ASSERT_TRUE(record.ok()) << record.error();
  const mapping::PoReference ref = ReferenceFor(*rig->client, {*record});
  const json po = Canonical(read->at(id), ref);
  EXPECT_EQ(po, Canonical(*record, ref));
  EXPECT_EQ(po["ship_to"]["name"], "Plant 9");
  EXPECT_EQ(po["ship_to"]["name2"], "Dock 2");
  EXPECT_EQ(po["ship_to"]["postal_code"], "B3J 1S9");
  EXPECT_EQ(po["ship_to"]["country"], "CA");
  EXPECT_EQ(po["bill_to"]["line1"], "1 Main St");
  EXPECT_EQ(po["bill_to"]["country"], "US");
  EXPECT_EQ(po["ship_date"], "2026-12-01");
  EXPECT_EQ(po["terms"], "Net 60");
  ASSERT_EQ(po["lines"].size(), 1u);
  EXPECT_EQ(po["lines"][0]["rate"], "12.5");
  EXPECT_EQ(po["lines"][0]["quantity"], "3");
}

TEST(PoDetailTest, LeavesOutIdsThatAreNotPurchaseOrders) {
  auto rig = MakeRig(Seeded(40));
  // Seeded receipts and bills are transactions too; 999999 does not exist.
  std::vector<std::string> others;
  Status st = rig->client->QueryOffset(
      netsuite::SuiteQl("SELECT id FROM transaction WHERE type <> ? ORDER BY id").Bind("PurchOrd"),
      [&](const netsuite::Row& r) -> Status {
        others.push_back(r.Get("id").value_or(""));
        return Status::Ok();
      });
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_FALSE(others.empty());
  std::vector<std::string> ids = others;
  ids.push_back("999999");
  ids.push_back("1");
  auto read = ReadPurchaseOrders(*rig->client, ids);
  ASSERT_TRUE(read.ok()) << read.error();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_TRUE(read->contains("1"));
  EXPECT_FALSE((*read)["1"]["item"]["items"].empty());
}

TEST(PoDetailTest, RefusesIdsThatAreNotInternalIdsBeforeAskingNetSuite) {
  auto rig = MakeRig(Seeded(2));
  const int64_t before = rig->client->stats().requests;
  auto read = ReadPurchaseOrders(*rig->client, {"1", "2) OR (1=1"});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(read.status().message().find("purchase order id"), std::string::npos) << read.error();
  EXPECT_EQ(rig->client->stats().requests, before);
}

}  // namespace
}  // namespace mlc::flows
