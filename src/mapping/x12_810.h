// An incoming 810 -> the canonical Invoice -> the three-way match views -> the NetSuite vendor
// bill request (a transform of the PO: POST /record/v1/purchaseOrder/{id}/!transform/vendorBill
// ?replace=item, so only the invoiced lines are billed).
//
//   InvoiceFrom810     edi::Invoice810 -> model::Invoice (BIG, CUR, N1*VN/SU, ITD, IT1 + PID,
//                      SAC, TXI tax, TDS). Item ids go to ItemIds by qualifier (BP and IN ->
//                      buyer_part, VP -> vendor_part, UP -> upc). Charges: the summary SACs when
//                      there are any (A or C; N is information only), else the IT1 loops' SACs
//                      (senders that use both repeat the line SACs as totals). SAC02 H850 is
//                      tax, not a charge; when no H850 states the tax, it is the sum of the
//                      TXI02s outside the lines, else of those in the lines.
//   MatchInvoiceView   model::Invoice -> matching::InvoiceView (charges signed: C +, A -).
//   MatchPoView        model::PurchaseOrder -> matching::PurchaseOrderView (ids per line: VP
//                      vendor part, BP and IN our item number, UP UPC).
//   MatchOptionsFor    the partner's tolerances (Decimal text), id preference, unit map
//                      (inverted: partner code -> NetSuite unit), require_receipt.
//   VendorBillBody     the transform body: externalId (BillExternalId), tranId = invoice number,
//                      tranDate = invoice date, memo naming the partner and the 810's control
//                      numbers, item.items [{orderLine, quantity, rate}] from the match's bill
//                      lines, expense.items for charges/allowances/tax when the partner has a
//                      default expense account (else they are left to the PO's lines and the
//                      memo says so); paymentHold true when `on_hold` (a mismatch the partner's
//                      profile says to bill on hold), with the exception summary in the memo.
//                      The match's bill lines are billed as invoiced; on hold (only for a
//                      holdable() match) that includes the lines outside tolerance.
//                      Quantities, rates and amounts are JSON numbers, exact (a value needing
//                      more than 15 significant digits is an error, never rounded).
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "edi/documents.h"
#include "matching/three_way_match.h"
#include "model/documents.h"

namespace mlc::mapping {

// Errors: INVALID_ARGUMENT naming the segment and element (BIG01 not a date, no IT1 lines, a
// credit memo BIG07 CR which this flow does not turn into a bill).
Result<model::Invoice> InvoiceFrom810(const edi::Invoice810& x12);

// X12 product id pairs (IT106.., PO106..) -> ItemIds: BP and IN -> buyer_part, VP -> vendor_part,
// UP -> upc; the first of each kind wins, other qualifiers are ignored. Shared with the 855.
model::ItemIds ItemIdsFromX12(const std::vector<edi::ProductId>& ids);

matching::InvoiceView MatchInvoiceView(const model::Invoice& invoice);
matching::PurchaseOrderView MatchPoView(const model::PurchaseOrder& po);

// Errors: INVALID_ARGUMENT naming the partner and tolerance key for a tolerance that is not a
// decimal.
Result<matching::MatchOptions> MatchOptionsFor(const config::PartnerConfig& partner);

// "<partner>-<invoice number>" with every character NetSuite refuses in an eid: path replaced by
// '_' and, when that changed anything or the result is longer than 80 characters, a short hash
// of the original appended, so two different invoice numbers never share an externalId.
std::string BillExternalId(std::string_view partner_id, std::string_view invoice_number);

// Errors: INVALID_ARGUMENT when `match` has no bill lines.
Result<nlohmann::json> VendorBillBody(const model::Invoice& invoice,
                                      const matching::MatchResult& match,
                                      const config::PartnerConfig& partner, bool on_hold);

// The model as JSON, for golden tests, the console and audit payloads (decimals as strings).
nlohmann::json ToJson(const model::Invoice& invoice);

}  // namespace mlc::mapping
