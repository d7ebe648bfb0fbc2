// Full purchase orders read with SuiteQL in pages, instead of one Record API GET per PO.
//
// ReadPurchaseOrders asks NetSuite two questions per chunk of at most `chunk` POs (IN lists,
// reference_data.h): the headers with their ship-to and bill-to addresses (transaction LEFT JOIN
// transactionShippingAddress / transactionBillingAddress on the address subrecord's nkey), and
// the item lines (transactionline, mainline 'F', taxline 'F', ordered by transaction and line
// id, offset-paged). 200 POs of 5 lines cost 2 requests where the Record API needs 200.
//
// The answer is each PO in the Record API's JSON shape (the fields
// mapping::PurchaseOrderFromRecord reads: tranId, entity, orderStatus, tranDate, shipDate,
// dueDate, currency, terms, memo, total, shippingAddress, billingAddress and item.items[] with
// line, item, description, quantity, rate, units, expectedReceiptDate, quantityReceived,
// quantityBilled, isClosed), so one mapping serves both ways of reading. Numbers stay strings
// (exact Decimals). What SuiteQL does not give:
//   - lastModifiedDate: SuiteQL times are in the integration user's zone (netsuite.md 3.6), the
//     Record API's are UTC; it is left out rather than guessed (the model marks it unknown).
//   - incoTerm: no SuiteQL column for it is documented (netsuite.md has none; a search of public
//     SuiteQL found none); accounts that put Incoterms on POs use `netsuite.po_detail: record`.
// Line identity: `line` is transactionline.id, which is the Record API's item line `line` and
// the bill transform's `orderLine` (netsuite.md 3.3 and 11 fact 6: community code relies on it;
// it may differ after lines were deleted or re-sequenced, which `po_detail: record` avoids).
// Signs: quantities and the total are read with ABS (netsuite.md 3.1: foreigntotal is negative
// on POs; 3.3: sales-side quantities come back negative), a PO line never has a negative one.
//
// Thread safety: stateless; the Client may be shared.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "flows/reference_data.h"
#include "netsuite/client.h"

namespace mlc::flows {

struct PoDetailOptions {
  // POs per IN (...) list, 1..1000.
  size_t chunk = 200;
};

// Reads the purchase orders with these internal ids (duplicates ignored). POs NetSuite does not
// return (deleted since the poll, or not purchase orders) are absent from the map; a PO without
// item lines is returned with an empty item.items (the mapping rejects it with a clear reason).
// Errors: INVALID_ARGUMENT for an id that is not an internal id or a bad chunk; the client's
// errors with context; DATA_LOSS when a row lacks its id.
Result<std::map<std::string, nlohmann::json>> ReadPurchaseOrders(
    netsuite::Client& client, const std::vector<std::string>& ids,
    const PoDetailOptions& options = {});

}  // namespace mlc::flows
