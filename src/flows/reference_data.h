// Reference data read from NetSuite with SuiteQL: what mapping::PurchaseOrderFromRecord needs
// beside the PO record itself (ISO currency codes, item cross references, unit abbreviations,
// vendors' EDI partner ids).
//
// Every value enters SuiteQL through netsuite::SuiteQl placeholders (never spliced); ids are
// NetSuite internal ids (digits only) and go into `IN (...)` lists of at most `chunk` values per
// statement (NetSuite accepts at most 1000 IN items, netsuite.md 2.1).
//
// Thread safety: stateless functions; the Client may be shared (it is thread-safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mapping/netsuite_po.h"
#include "netsuite/client.h"
#include "netsuite/suiteql.h"

namespace mlc::flows {

inline constexpr size_t kDefaultInListChunk = 500;

struct PoReferenceOptions {
  // Ids per IN (...) list, 1..1000.
  size_t chunk = kDefaultInListChunk;
  // Read unit abbreviations from unitsTypeUom. An account without the Multiple Units of Measure
  // feature (and the sandbox) answers that query with a search error: the units map then stays
  // empty and PurchaseOrderFromRecord keeps the line's unit text as it is.
  bool units = true;
};

// Reads the reference data for purchase orders with these items and vendors (internal ids;
// duplicates and empty strings are ignored): every currency (id -> symbol, the ISO code), the
// listed items (itemid, vendorname as vendor part, upccode, isinactive), the listed vendors
// (entityid, companyname, isinactive, custentity_mlc_edi_partner) and, where the account has
// them, unit abbreviations. Ids that NetSuite does not know are simply absent from the maps.
// Errors: INVALID_ARGUMENT for an id that is not a NetSuite internal id (digits) or a bad
// `chunk`; the client's errors (unavailable, rate limited, ...) with context.
Result<mapping::PoReference> LoadPoReference(netsuite::Client& client,
                                             const std::vector<std::string>& item_ids,
                                             const std::vector<std::string>& vendor_ids);
Result<mapping::PoReference> LoadPoReference(netsuite::Client& client,
                                             const std::vector<std::string>& item_ids,
                                             const std::vector<std::string>& vendor_ids,
                                             const PoReferenceOptions& options);

// Parses, deduplicates and sorts internal ids. Empty strings are skipped.
// Errors: INVALID_ARGUMENT naming `what` for an id that is not 1..18 digits (the message shows
// the id through cleo::Printable-style escaping, never raw).
Result<std::vector<int64_t>> ParseInternalIds(const std::vector<std::string>& ids,
                                              std::string_view what);

// Splits `ids` into chunks of at most `chunk` and returns, per chunk, "`column` IN (?, ?, ...)"
// with the ids bound. `chunk` must be 1..1000 (INVALID_ARGUMENT otherwise). No ids: no chunks.
Result<std::vector<netsuite::SuiteQl>> InListChunks(std::string_view column,
                                                    const std::vector<int64_t>& ids, size_t chunk);

// Runs `select_from` + " WHERE " + [`where` + " AND "] + "`column` IN (...)" + " ORDER BY
// `order_by`" (default: `column`; it must order the rows completely, the pages are offsets)
// once per chunk of `ids`, calling `on_row` for every row. `where` may hold placeholders. No
// ids: no request. Errors: those of InListChunks, Client::QueryOffset and on_row.
Status QueryByIds(netsuite::Client& client, std::string_view select_from,
                  const netsuite::SuiteQl& where, std::string_view column,
                  const std::vector<int64_t>& ids, size_t chunk,
                  const std::function<Status(const netsuite::Row&)>& on_row,
                  std::string_view order_by = {});

}  // namespace mlc::flows
