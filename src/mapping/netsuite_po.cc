#include "mapping/netsuite_po.h"

#include <charconv>
#include <regex>

#include <fmt/format.h>

#include "mapping/json_values.h"

namespace mlc::mapping {
namespace {

using nlohmann::json;

// NetSuite's standard terms names (Setup > Accounting > Accounting Lists > Term): "Net 30" ->
// net 30 days; "2% 10 Net 30" -> 2 % discount within 10 days, net 30; "Due on receipt" -> net 0.
// Other names set nothing (their text still goes out in ITD12).
void ParseTerms(std::string_view terms, model::PurchaseOrder& po) {
  static const std::regex kTerms(
      R"(^\s*(?:(\d{1,2}(?:\.\d{1,4})?)\s*%\s*(\d{1,3})\s+)?[Nn]et\s*(\d{1,3})\s*$)");
  std::cmatch m;
  if (!std::regex_match(terms.begin(), terms.end(), m, kTerms)) return;
  auto number = [](const std::csub_match& g) {
    int v = 0;
    std::from_chars(g.first, g.second, v);
    return v;
  };
  po.terms_net_days = number(m[3]);
  if (m[1].matched) {
    auto percent = Decimal::Parse(std::string_view(m[1].first, static_cast<size_t>(m[1].length())));
    if (percent.ok()) po.terms_discount_percent = *percent;
    po.terms_discount_days = number(m[2]);
  }
}

Result<model::Address> AddressFrom(const json& record, std::string_view key) {
  model::Address a;
  const json* v = Member(record, key);
  if (v == nullptr || !v->is_object()) return a;
  const std::string path(key);
  ASSIGN_OR_RETURN(a.name, StringAt(*v, "addressee", path));
  ASSIGN_OR_RETURN(a.name2, StringAt(*v, "attention", path));
  ASSIGN_OR_RETURN(a.line1, StringAt(*v, "addr1", path));
  ASSIGN_OR_RETURN(a.line2, StringAt(*v, "addr2", path));
  ASSIGN_OR_RETURN(a.city, StringAt(*v, "city", path));
  ASSIGN_OR_RETURN(a.state, StringAt(*v, "state", path));
  ASSIGN_OR_RETURN(a.postal_code, StringAt(*v, "zip", path));
  a.country = RefId(*v, "country");
  return a;
}

// Reads back the address object ToJson writes (null or absent: an empty address).
Result<model::Address> AddressFromJson(const json& j, std::string_view key) {
  model::Address a;
  const json* v = Member(j, key);
  if (v == nullptr) return a;
  if (!v->is_object()) return InvalidArgumentError("{}: expected an object", key);
  const std::string path(key);
  ASSIGN_OR_RETURN(a.name, StringAt(*v, "name", path));
  ASSIGN_OR_RETURN(a.name2, StringAt(*v, "name2", path));
  ASSIGN_OR_RETURN(a.line1, StringAt(*v, "line1", path));
  ASSIGN_OR_RETURN(a.line2, StringAt(*v, "line2", path));
  ASSIGN_OR_RETURN(a.city, StringAt(*v, "city", path));
  ASSIGN_OR_RETURN(a.state, StringAt(*v, "state", path));
  ASSIGN_OR_RETURN(a.postal_code, StringAt(*v, "postal_code", path));
  ASSIGN_OR_RETURN(a.country, StringAt(*v, "country", path));
  ASSIGN_OR_RETURN(a.id_qualifier, StringAt(*v, "id_qualifier", path));
  ASSIGN_OR_RETURN(a.id, StringAt(*v, "id", path));
  return a;
}

Result<model::PurchaseOrderLine> LineFrom(const json& item, size_t index, const PoReference& ref) {
  const std::string path = fmt::format("item.items[{}]", index);
  model::PurchaseOrderLine l;
  ASSIGN_OR_RETURN(Decimal line, DecimalAt(item, "line", path));
  ASSIGN_OR_RETURN(int64_t line_number, line.ToUnscaled(0).WithContext(path + ".line"));
  l.line = static_cast<int>(line_number);
  l.item_id = RefId(item, "item");
  if (l.item_id.empty()) return InvalidArgumentError("{}.item: the line has no item", path);
  l.ids.buyer_part = RefName(item, "item");
  if (auto it = ref.items.find(l.item_id); it != ref.items.end()) {
    if (!it->second.item_id.empty()) l.ids.buyer_part = it->second.item_id;
    l.ids.vendor_part = it->second.ids.vendor_part;
    l.ids.upc = it->second.ids.upc;
    l.unit = it->second.unit;
  }
  // The line's vendorName is the vendor's code for the item; it wins over the item record.
  ASSIGN_OR_RETURN(std::string vendor_code, StringAt(item, "vendorName", path));
  if (!vendor_code.empty()) l.ids.vendor_part = vendor_code;
  if (!ref.upc_line_field.empty()) {
    ASSIGN_OR_RETURN(std::string upc, StringAt(item, ref.upc_line_field, path));
    if (!upc.empty()) l.ids.upc = upc;
  }
  ASSIGN_OR_RETURN(l.description, StringAt(item, "description", path));
  ASSIGN_OR_RETURN(l.quantity, DecimalAt(item, "quantity", path));
  ASSIGN_OR_RETURN(l.rate, DecimalAt(item, "rate", path));
  ASSIGN_OR_RETURN(std::string units, StringAt(item, "units", path));
  if (!units.empty()) {
    auto u = ref.units.find(units);
    l.unit = u != ref.units.end() ? u->second : units;
  }
  ASSIGN_OR_RETURN(l.expected_date, DateAt(item, "expectedReceiptDate", path));
  ASSIGN_OR_RETURN(l.received, DecimalAt(item, "quantityReceived", path, Decimal()));
  ASSIGN_OR_RETURN(l.billed, DecimalAt(item, "quantityBilled", path, Decimal()));
  ASSIGN_OR_RETURN(l.closed, BoolAt(item, "isClosed", path));
  return l;
}

std::string DateText(const std::optional<CivilDate>& d) { return d ? FormatIsoDate(*d) : ""; }

}  // namespace

Result<model::PurchaseOrder> PurchaseOrderFromRecord(const json& record, const PoReference& ref) {
  model::PurchaseOrder po;
  if (!record.is_object()) return InvalidArgumentError("purchase order: expected a JSON object");
  ASSIGN_OR_RETURN(po.internal_id, StringAt(record, "id", "purchaseOrder", true));
  const std::string path = "purchaseOrder " + po.internal_id;
  ASSIGN_OR_RETURN(po.number, StringAt(record, "tranId", path, true));
  po.vendor_id = RefId(record, "entity");
  if (po.vendor_id.empty()) return InvalidArgumentError("{}.entity: the PO has no vendor", path);
  if (auto v = ref.vendors.find(po.vendor_id); v != ref.vendors.end()) {
    po.partner_id = v->second.edi_partner_id;
    po.vendor.name = v->second.company_name;
  } else {
    po.vendor.name = RefName(record, "entity");
  }
  const json* status = Member(record, "orderStatus");
  if (status != nullptr) po.status = RefId(record, "orderStatus");
  ASSIGN_OR_RETURN(auto date, DateAt(record, "tranDate", path));
  if (!date) return InvalidArgumentError("{}.tranDate: required date is missing", path);
  po.date = *date;
  ASSIGN_OR_RETURN(po.ship_date, DateAt(record, "shipDate", path));
  ASSIGN_OR_RETURN(po.due_date, DateAt(record, "dueDate", path));
  const std::string currency_id = RefId(record, "currency");
  if (!currency_id.empty()) {
    auto c = ref.currency_codes.find(currency_id);
    if (c == ref.currency_codes.end()) {
      return FailedPreconditionError(
          "{}: currency {} ({}) has no ISO code in the reference data; run the reference sync",
          path, currency_id, RefName(record, "currency"));
    }
    po.currency = c->second;
  }
  po.terms = RefName(record, "terms");
  ParseTerms(po.terms, po);
  po.incoterm = RefName(record, "incoTerm");
  ASSIGN_OR_RETURN(po.memo, StringAt(record, "memo", path));
  ASSIGN_OR_RETURN(po.ship_to, AddressFrom(record, "shippingAddress"));
  ASSIGN_OR_RETURN(po.bill_to, AddressFrom(record, "billingAddress"));
  ASSIGN_OR_RETURN(Decimal total, DecimalAt(record, "total", path, Decimal()));
  po.total = total.Abs();  // SuiteQL shows PO totals negative; the 850 wants the amount
  ASSIGN_OR_RETURN(std::string modified, StringAt(record, "lastModifiedDate", path));
  if (!modified.empty()) {
    ASSIGN_OR_RETURN(po.last_modified, ParseIso8601(modified).WithContext(path + ".lastModifiedDate"));
  }
  const json* items = Member(record, "item");
  const json* rows = items ? Member(*items, "items") : nullptr;
  if (rows == nullptr || !rows->is_array() || rows->empty()) {
    return InvalidArgumentError(
        "{}.item.items: the PO has no item lines (was it read with expandSubResources=true?)",
        path);
  }
  for (size_t i = 0; i < rows->size(); ++i) {
    ASSIGN_OR_RETURN(auto line, LineFrom((*rows)[i], i, ref).WithContext(path));
    po.lines.push_back(std::move(line));
  }
  return po;
}

namespace {
// The object at `key`, or an empty object (kept alive statically: range-for over items() of a
// temporary would dangle).
const json& ObjectAt(const json& j, const char* key) {
  static const json kEmpty = json::object();
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}
}  // namespace

Result<PoReference> PoReferenceFromJson(const json& j) {
  PoReference ref;
  if (!j.is_object()) return InvalidArgumentError("reference: expected a JSON object");
  try {
    for (const auto& [k, v] : ObjectAt(j, "currency_codes").items()) {
      ref.currency_codes[k] = v.get<std::string>();
    }
    for (const auto& [k, v] : ObjectAt(j, "units").items()) {
      ref.units[k] = v.get<std::string>();
    }
    for (const auto& [k, v] : ObjectAt(j, "items").items()) {
      model::Item item;
      item.internal_id = k;
      item.item_id = v.value("item_id", "");
      item.ids.vendor_part = v.value("vendor_part", "");
      item.ids.upc = v.value("upc", "");
      item.unit = v.value("unit", "");
      item.inactive = v.value("inactive", false);
      ref.items[k] = item;
    }
    for (const auto& [k, v] : ObjectAt(j, "vendors").items()) {
      model::Vendor vendor;
      vendor.internal_id = k;
      vendor.company_name = v.value("company_name", "");
      vendor.edi_partner_id = v.value("edi_partner_id", "");
      vendor.inactive = v.value("inactive", false);
      ref.vendors[k] = vendor;
    }
    ref.upc_line_field = j.value("upc_line_field", "");
  } catch (const json::exception& e) {
    return InvalidArgumentError("reference: {}", e.what());
  }
  return ref;
}

json ToJson(const model::PurchaseOrder& po) {
  auto address = [](const model::Address& a) {
    if (a.empty()) return json(nullptr);
    return json{{"name", a.name},   {"name2", a.name2}, {"line1", a.line1},
                {"line2", a.line2}, {"city", a.city},   {"state", a.state},
                {"postal_code", a.postal_code}, {"country", a.country},
                {"id_qualifier", a.id_qualifier}, {"id", a.id}};
  };
  json lines = json::array();
  for (const auto& l : po.lines) {
    lines.push_back({{"line", l.line},
                     {"item_id", l.item_id},
                     {"buyer_part", l.ids.buyer_part},
                     {"vendor_part", l.ids.vendor_part},
                     {"upc", l.ids.upc},
                     {"description", l.description},
                     {"quantity", l.quantity.ToString()},
                     {"unit", l.unit},
                     {"rate", l.rate.ToString()},
                     {"expected_date", DateText(l.expected_date)},
                     {"received", l.received.ToString()},
                     {"billed", l.billed.ToString()},
                     {"closed", l.closed}});
  }
  return json{{"internal_id", po.internal_id},
              {"number", po.number},
              {"vendor_id", po.vendor_id},
              {"partner_id", po.partner_id},
              {"status", po.status},
              {"date", FormatIsoDate(po.date)},
              {"ship_date", DateText(po.ship_date)},
              {"due_date", DateText(po.due_date)},
              {"currency", po.currency},
              {"terms", po.terms},
              {"terms_discount_percent", po.terms_discount_percent.ToString()},
              {"terms_discount_days", po.terms_discount_days},
              {"terms_net_days", po.terms_net_days},
              {"incoterm", po.incoterm},
              {"memo", po.memo},
              {"ship_to", address(po.ship_to)},
              {"bill_to", address(po.bill_to)},
              {"vendor_name", po.vendor.name},
              {"total", po.total.ToString()},
              // Unknown (read through SuiteQL, whose times are in the user's zone): "".
              {"last_modified",
               po.last_modified == Instant{} ? "" : FormatIso8601(po.last_modified)},
              {"lines", lines},
              {"fingerprint", model::PartnerVisibleFingerprint(po)}};
}

Result<model::PurchaseOrder> PurchaseOrderFromJson(const json& j) {
  if (!j.is_object()) return InvalidArgumentError("purchase order JSON: expected an object");
  model::PurchaseOrder po;
  constexpr std::string_view kPath = "purchase order";
  ASSIGN_OR_RETURN(po.internal_id, StringAt(j, "internal_id", kPath));
  ASSIGN_OR_RETURN(po.number, StringAt(j, "number", kPath, /*required=*/true));
  ASSIGN_OR_RETURN(po.vendor_id, StringAt(j, "vendor_id", kPath));
  ASSIGN_OR_RETURN(po.partner_id, StringAt(j, "partner_id", kPath));
  ASSIGN_OR_RETURN(po.status, StringAt(j, "status", kPath));
  ASSIGN_OR_RETURN(std::optional<CivilDate> date, DateAt(j, "date", kPath));
  if (!date) return InvalidArgumentError("{}.date: required", kPath);
  po.date = *date;
  ASSIGN_OR_RETURN(po.ship_date, DateAt(j, "ship_date", kPath));
  ASSIGN_OR_RETURN(po.due_date, DateAt(j, "due_date", kPath));
  ASSIGN_OR_RETURN(po.currency, StringAt(j, "currency", kPath));
  ASSIGN_OR_RETURN(po.terms, StringAt(j, "terms", kPath));
  if (const json* nd = Member(j, "terms_net_days"); nd != nullptr && nd->is_number_integer()) {
    po.terms_net_days = nd->get<int>();
  }
  ASSIGN_OR_RETURN(po.terms_discount_percent,
                   DecimalAt(j, "terms_discount_percent", kPath, Decimal()));
  if (const json* dd = Member(j, "terms_discount_days");
      dd != nullptr && dd->is_number_integer()) {
    po.terms_discount_days = dd->get<int>();
  }
  ASSIGN_OR_RETURN(po.incoterm, StringAt(j, "incoterm", kPath));
  ASSIGN_OR_RETURN(po.memo, StringAt(j, "memo", kPath));
  ASSIGN_OR_RETURN(po.ship_to, AddressFromJson(j, "ship_to"));
  ASSIGN_OR_RETURN(po.bill_to, AddressFromJson(j, "bill_to"));
  ASSIGN_OR_RETURN(po.vendor.name, StringAt(j, "vendor_name", kPath));
  ASSIGN_OR_RETURN(po.total, DecimalAt(j, "total", kPath, Decimal()));
  if (const json* lm = Member(j, "last_modified");
      lm != nullptr && lm->is_string() && !lm->get_ref<const std::string&>().empty()) {
    ASSIGN_OR_RETURN(po.last_modified, ParseIso8601(lm->get<std::string>()));
  }
  const json* lines = Member(j, "lines");
  if (lines == nullptr || !lines->is_array()) {
    return InvalidArgumentError("{}.lines: expected an array", kPath);
  }
  for (size_t i = 0; i < lines->size(); ++i) {
    const json& l = (*lines)[i];
    const std::string path = fmt::format("{}.lines[{}]", kPath, i);
    if (!l.is_object()) return InvalidArgumentError("{}: expected an object", path);
    model::PurchaseOrderLine line;
    const json* n = Member(l, "line");
    if (n == nullptr || !n->is_number_integer()) {
      return InvalidArgumentError("{}.line: expected an integer", path);
    }
    line.line = n->get<int>();
    ASSIGN_OR_RETURN(line.item_id, StringAt(l, "item_id", path));
    ASSIGN_OR_RETURN(line.ids.buyer_part, StringAt(l, "buyer_part", path));
    ASSIGN_OR_RETURN(line.ids.vendor_part, StringAt(l, "vendor_part", path));
    ASSIGN_OR_RETURN(line.ids.upc, StringAt(l, "upc", path));
    ASSIGN_OR_RETURN(line.description, StringAt(l, "description", path));
    ASSIGN_OR_RETURN(line.quantity, DecimalAt(l, "quantity", path));
    ASSIGN_OR_RETURN(line.unit, StringAt(l, "unit", path));
    ASSIGN_OR_RETURN(line.rate, DecimalAt(l, "rate", path));
    ASSIGN_OR_RETURN(line.expected_date, DateAt(l, "expected_date", path));
    ASSIGN_OR_RETURN(line.received, DecimalAt(l, "received", path, Decimal()));
    ASSIGN_OR_RETURN(line.billed, DecimalAt(l, "billed", path, Decimal()));
    ASSIGN_OR_RETURN(line.closed, BoolAt(l, "closed", path));
    po.lines.push_back(std::move(line));
  }
  return po;
}

}  // namespace mlc::mapping
