#include "flows/reference_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "cleo/names.h"

namespace mlc::flows {
namespace {

using netsuite::Row;
using netsuite::SuiteQl;

}  // namespace

Result<std::vector<int64_t>> ParseInternalIds(const std::vector<std::string>& ids,
                                              std::string_view what) {
  std::vector<int64_t> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    if (id.empty()) continue;
    int64_t v = 0;
    const char* end = id.data() + id.size();
    auto [p, ec] = std::from_chars(id.data(), end, v);
    if (id.size() > 18 || ec != std::errc() || p != end || v < 0 || id[0] == '-' || id[0] == '+') {
      return InvalidArgumentError("{} id '{}' is not a NetSuite internal id", what,
                                  cleo::Printable(id, 40));
    }
    out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<SuiteQl>> InListChunks(std::string_view column, const std::vector<int64_t>& ids,
                                          size_t chunk) {
  // netsuite.md 2.1: IN (...) takes at most 1000 items.
  if (chunk == 0 || chunk > 1000) {
    return InvalidArgumentError("IN list chunk size {} is outside 1..1000", chunk);
  }
  std::vector<SuiteQl> out;
  for (size_t start = 0; start < ids.size(); start += chunk) {
    const size_t n = std::min(chunk, ids.size() - start);
    std::string text = fmt::format("{} IN (", column);
    for (size_t k = 0; k < n; ++k) text += k ? ", ?" : "?";
    text += ")";
    SuiteQl q(std::move(text));
    for (size_t k = 0; k < n; ++k) q.Bind(ids[start + k]);
    out.push_back(std::move(q));
  }
  return out;
}

Status QueryByIds(netsuite::Client& client, std::string_view select_from, const SuiteQl& where,
                  std::string_view column, const std::vector<int64_t>& ids, size_t chunk,
                  const std::function<Status(const Row&)>& on_row, std::string_view order_by) {
  ASSIGN_OR_RETURN(std::vector<SuiteQl> lists, InListChunks(column, ids, chunk));
  for (const SuiteQl& in : lists) {
    SuiteQl q{std::string(select_from)};
    q.Append(" WHERE ");
    if (!where.text().empty()) q.Append(where).Append(" AND ");
    q.Append(in).Append(fmt::format(" ORDER BY {}", order_by.empty() ? column : order_by));
    RETURN_IF_ERROR(client.QueryOffset(q, on_row));
  }
  return Status::Ok();
}

Result<mapping::PoReference> LoadPoReference(netsuite::Client& client,
                                             const std::vector<std::string>& item_ids,
                                             const std::vector<std::string>& vendor_ids) {
  return LoadPoReference(client, item_ids, vendor_ids, PoReferenceOptions{});
}

Result<mapping::PoReference> LoadPoReference(netsuite::Client& client,
                                             const std::vector<std::string>& item_ids,
                                             const std::vector<std::string>& vendor_ids,
                                             const PoReferenceOptions& options) {
  ASSIGN_OR_RETURN(std::vector<int64_t> items, ParseInternalIds(item_ids, "item"));
  ASSIGN_OR_RETURN(std::vector<int64_t> vendors, ParseInternalIds(vendor_ids, "vendor"));
  mapping::PoReference ref;

  // currency.symbol is the ISO 4217 code ("USD"); currency.name is the display name ("USA").
  RETURN_IF_ERROR(client
                      .QueryOffset(SuiteQl("SELECT id, symbol FROM currency ORDER BY id"),
                                   [&](const Row& r) -> Status {
                                     ASSIGN_OR_RETURN(std::string id, r.Require("id"));
                                     if (auto sym = r.Get("symbol"); sym && !sym->empty()) {
                                       ref.currency_codes[id] = *sym;
                                     }
                                     return Status::Ok();
                                   })
                      .WithContext("reading currencies"));

  RETURN_IF_ERROR(QueryByIds(client, "SELECT id, itemid, vendorname, upccode, isinactive FROM item",
                             {}, "id", items, options.chunk,
                             [&](const Row& r) -> Status {
                               model::Item item;
                               ASSIGN_OR_RETURN(item.internal_id, r.Require("id"));
                               item.item_id = r.Get("itemid").value_or("");
                               item.ids.buyer_part = item.item_id;
                               item.ids.vendor_part = r.Get("vendorname").value_or("");
                               item.ids.upc = r.Get("upccode").value_or("");
                               ASSIGN_OR_RETURN(std::optional<bool> inactive,
                                                r.GetBool("isinactive"));
                               item.inactive = inactive.value_or(false);
                               ref.items[item.internal_id] = std::move(item);
                               return Status::Ok();
                             })
                      .WithContext("reading items"));

  RETURN_IF_ERROR(
      QueryByIds(client,
                 "SELECT id, entityid, companyname, isinactive, custentity_mlc_edi_partner "
                 "FROM vendor",
                 {}, "id", vendors, options.chunk,
                 [&](const Row& r) -> Status {
                   model::Vendor v;
                   ASSIGN_OR_RETURN(v.internal_id, r.Require("id"));
                   v.entity_id = r.Get("entityid").value_or("");
                   v.company_name = r.Get("companyname").value_or("");
                   v.edi_partner_id = r.Get("custentity_mlc_edi_partner").value_or("");
                   ASSIGN_OR_RETURN(std::optional<bool> inactive, r.GetBool("isinactive"));
                   v.inactive = inactive.value_or(false);
                   ref.vendors[v.internal_id] = std::move(v);
                   return Status::Ok();
                 })
          .WithContext("reading vendors"));

  if (options.units) {
    // unitsTypeUom: one row per unit of each units type (internalid, abbreviation, unitname).
    std::map<std::string, std::string> units;
    Status st = client.QueryOffset(
        SuiteQl("SELECT internalid, abbreviation FROM unitstypeuom ORDER BY internalid"),
        [&](const Row& r) -> Status {
          ASSIGN_OR_RETURN(std::string id, r.Require("internalid"));
          if (auto abbr = r.Get("abbreviation"); abbr && !abbr->empty()) units[id] = *abbr;
          return Status::Ok();
        });
    if (st.ok()) {
      ref.units = std::move(units);
    } else if (st.code() != StatusCode::kInvalidArgument) {
      // A search error (INVALID_ARGUMENT) means the account has no units table: no units.
      return st.WithContext("reading units of measure");
    }
  }
  return ref;
}

}  // namespace mlc::flows
