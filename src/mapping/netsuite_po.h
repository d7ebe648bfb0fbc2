// NetSuite purchase order (REST Record API JSON, `GET /record/v1/purchaseOrder/{id}
// ?expandSubResources=true`) -> the canonical model::PurchaseOrder.
//
// What the record does not carry by itself (ISO currency code, an item's vendor part number and
// UPC, a unit's abbreviation, the vendor's EDI partner id) comes from PoReference, which the
// reference-data sync keeps in the store. Missing reference data is a FAILED_PRECONDITION that
// names what to fix; a malformed record is INVALID_ARGUMENT naming the JSON path.
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "model/documents.h"

namespace mlc::mapping {

struct PoReference {
  std::map<std::string, std::string> currency_codes;  // currency internal id -> ISO 4217 code
  std::map<std::string, model::Item> items;           // item internal id -> item
  std::map<std::string, std::string> units;           // unit internal id -> abbreviation
  std::map<std::string, model::Vendor> vendors;       // vendor internal id -> vendor
  std::string upc_line_field;  // optional custom line field holding the UPC (e.g. custcol_upc)
};

Result<model::PurchaseOrder> PurchaseOrderFromRecord(const nlohmann::json& record,
                                                     const PoReference& ref);

// Reads PoReference from its JSON form (the golden tests' reference.json, the store's cache).
Result<PoReference> PoReferenceFromJson(const nlohmann::json& j);

// The model as JSON, for golden tests, the console and the audit payloads. Decimals are strings
// in their kept scale, dates ISO.
nlohmann::json ToJson(const model::PurchaseOrder& po);

// Reads back what ToJson writes (the stored form of each PO revision): the header fields it carries and every line
// (ids, description, quantity, unit, rate, expected date, received, billed, closed). The buyer
// contact, discount terms and vendor address are not in that JSON and stay empty.
// Errors: INVALID_ARGUMENT naming the JSON path of a missing or malformed value.
Result<model::PurchaseOrder> PurchaseOrderFromJson(const nlohmann::json& j);

}  // namespace mlc::mapping
