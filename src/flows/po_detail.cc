#include "flows/po_detail.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace mlc::flows {
namespace {

using json = nlohmann::json;
using netsuite::Row;
using netsuite::SuiteQl;

// Address subrecord columns; the Record API's shippingAddress/billingAddress use the same names.
constexpr std::array<const char*, 8> kAddressFields = {
    "addressee", "attention", "addr1", "addr2", "city", "state", "zip", "country"};

std::string AddressColumns(std::string_view alias, std::string_view prefix) {
  std::string out;
  for (const char* column : kAddressFields) {
    out += fmt::format(", {}.{} AS {}_{}", alias, column, prefix, column);
  }
  return out;
}

// The address object of the Record API from the row's `prefix`_ columns; nullopt when the PO
// has none (LEFT JOIN found no subrecord).
std::optional<json> AddressFrom(const Row& r, std::string_view prefix) {
  json a = json::object();
  for (const char* key : kAddressFields) {
    auto v = r.Get(fmt::format("{}_{}", prefix, key));
    if (!v) continue;
    if (std::string_view(key) == "country") {
      a[key] = {{"id", *v}, {"refName", *v}};
    } else {
      a[key] = *v;
    }
  }
  if (a.empty()) return std::nullopt;
  return a;
}

// {"id", "refName"} as the Record API writes a reference; null when the id column is NULL.
json RefOf(const Row& r, std::string_view id_column, std::string_view name_column) {
  auto id = r.Get(id_column);
  if (!id) return nullptr;
  return {{"id", *id}, {"refName", r.Get(name_column).value_or("")}};
}

void CopyIf(const Row& r, std::string_view column, json& to, const char* key) {
  if (auto v = r.Get(column)) to[key] = *v;
}

}  // namespace

Result<std::map<std::string, json>> ReadPurchaseOrders(netsuite::Client& client,
                                                       const std::vector<std::string>& ids,
                                                       const PoDetailOptions& options) {
  ASSIGN_OR_RETURN(std::vector<int64_t> numbers, ParseInternalIds(ids, "purchase order"));
  std::map<std::string, json> out;

  const std::string headers =
      "SELECT t.id AS id, t.tranid AS tranid, t.entity AS entity, "
      "BUILTIN.DF(t.entity) AS entityname, t.status AS status, "
      "TO_CHAR(t.trandate,'YYYY-MM-DD') AS trandate, TO_CHAR(t.shipdate,'YYYY-MM-DD') AS shipdate, "
      "TO_CHAR(t.duedate,'YYYY-MM-DD') AS duedate, t.currency AS currency, "
      "BUILTIN.DF(t.currency) AS currencyname, t.terms AS terms, BUILTIN.DF(t.terms) AS termsname, "
      "t.memo AS memo, ABS(t.foreigntotal) AS total" +
      AddressColumns("sa", "ship") + AddressColumns("ba", "bill") +
      " FROM transaction t"
      " LEFT JOIN transactionshippingaddress sa ON sa.nkey = t.shippingaddress"
      " LEFT JOIN transactionbillingaddress ba ON ba.nkey = t.billingaddress";
  RETURN_IF_ERROR(
      QueryByIds(client, headers, SuiteQl("t.type = ?").Bind("PurchOrd"), "t.id", numbers,
                 options.chunk,
                 [&](const Row& r) -> Status {
                   auto id = r.Get("id");
                   if (!id) return DataLossError("a purchase order row has no id");
                   json po = json::object();
                   po["id"] = *id;
                   CopyIf(r, "tranid", po, "tranId");
                   po["entity"] = RefOf(r, "entity", "entityname");
                   if (auto s = r.Get("status")) po["orderStatus"] = {{"id", *s}, {"refName", *s}};
                   CopyIf(r, "trandate", po, "tranDate");
                   CopyIf(r, "shipdate", po, "shipDate");
                   CopyIf(r, "duedate", po, "dueDate");
                   po["currency"] = RefOf(r, "currency", "currencyname");
                   if (r.Has("terms")) po["terms"] = RefOf(r, "terms", "termsname");
                   CopyIf(r, "memo", po, "memo");
                   CopyIf(r, "total", po, "total");
                   if (auto a = AddressFrom(r, "ship")) po["shippingAddress"] = std::move(*a);
                   if (auto a = AddressFrom(r, "bill")) po["billingAddress"] = std::move(*a);
                   po["item"] = {{"items", json::array()}};
                   out[*id] = std::move(po);
                   return Status::Ok();
                 })
          .WithContext("reading purchase order headers"));
  if (out.empty()) return out;

  const std::string lines =
      "SELECT tl.transaction AS po, tl.id AS line, tl.item AS item, "
      "BUILTIN.DF(tl.item) AS itemname, tl.memo AS description, ABS(tl.quantity) AS quantity, "
      "tl.rate AS rate, BUILTIN.DF(tl.units) AS units, "
      "TO_CHAR(tl.expectedreceiptdate,'YYYY-MM-DD') AS expected, "
      "ABS(tl.quantityshiprecv) AS received, ABS(tl.quantitybilled) AS billed, "
      "tl.isclosed AS closed FROM transactionline tl";
  RETURN_IF_ERROR(
      QueryByIds(client, lines,
                 SuiteQl("tl.mainline = ? AND tl.taxline = ? AND tl.item IS NOT NULL")
                     .Bind("F")
                     .Bind("F"),
                 "tl.transaction", numbers, options.chunk,
                 [&](const Row& r) -> Status {
                   auto po = r.Get("po");
                   auto line = r.Get("line");
                   if (!po || !line) return DataLossError("a purchase order line row has no id");
                   auto it = out.find(*po);
                   if (it == out.end()) return Status::Ok();  // not a PO (the header said so)
                   json l = json::object();
                   l["line"] = *line;
                   l["item"] = RefOf(r, "item", "itemname");
                   CopyIf(r, "description", l, "description");
                   CopyIf(r, "quantity", l, "quantity");
                   CopyIf(r, "rate", l, "rate");
                   CopyIf(r, "units", l, "units");
                   CopyIf(r, "expected", l, "expectedReceiptDate");
                   CopyIf(r, "received", l, "quantityReceived");
                   CopyIf(r, "billed", l, "quantityBilled");
                   CopyIf(r, "closed", l, "isClosed");
                   it->second["item"]["items"].push_back(std::move(l));
                   return Status::Ok();
                 },
                 "tl.transaction, tl.id")
          .WithContext("reading purchase order lines"));
  return out;
}

}  // namespace mlc::flows
