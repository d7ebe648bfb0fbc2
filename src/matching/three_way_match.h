// Three-way match: an invoice (810) against its purchase order and what was received.
//
// Pure: no I/O, clock or randomness. The invoice flow fills the views below from the parsed 810,
// the NetSuite PO (lines with quantity ordered, received = quantityshiprecv, billed =
// quantitybilled) and the partner profile; ThreeWayMatch decides, per invoice line, which PO
// line it bills and whether price and quantity are within the partner's tolerances.
//
// The result is a list of bill lines and a list of exceptions, each exception with a precise
// reason that names the invoice line, the PO line, the item and the numbers. Clean (no
// exceptions): bill it. Holdable (only tolerance exceptions): bill it on payment hold if the
// partner's profile says so, else park it. Anything else: park it. Nothing is ever silently
// changed: the bill lines carry the invoiced quantities and prices exactly as invoiced.
//
// Rules (kept in one place, here):
//  * a PO that is closed, fully billed, rejected or unapproved is not billable (kPoNotBillable);
//  * an invoice line is matched to a PO line by its line number (IT101 = PO101 = the NetSuite
//    line) when the item identifiers it carries agree with that line, else by item identifiers
//    in the partner's preference order (VP vendor part, BP buyer part, UP UPC, IN item name);
//    no match is kUnknownItem, several equally good ones kAmbiguousItem;
//  * units must agree after the partner's unit map (kUnitMismatch);
//  * quantity: never more than ordered minus already billed (kQuantityOverOrdered, no tolerance:
//    NetSuite refuses it too); not more than received minus already billed plus the quantity
//    tolerance (kQuantityOverReceived; with require_receipt off, e.g. bill in advance of
//    receipt, only the ordered limit applies);
//  * price: |invoiced - PO rate| <= max(price_amount, rate * price_percent / 100), else
//    kPriceVariance;
//  * several invoice lines billing one PO line are merged when their prices are equal;
//  * the sum of line amounts (quantity x price, rounded half-up to the currency's 2 places) plus
//    charges and tax must equal the invoice total when the invoice states one (TDS), else
//    kTotalMismatch: an internally inconsistent invoice is not guessed at.
//
// Thread safety: pure functions on values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/decimal.h"
#include "common/status.h"

namespace mlc::matching {

// An item identifier with its X12 qualifier: VP vendor part, BP buyer part, UP UPC, IN buyer's
// item number (NetSuite item name), SK SKU, ...
struct ItemId {
  std::string qualifier;
  std::string value;
};

struct PoLine {
  int line = 0;             // NetSuite line (item.items[].line), sent as PO101
  std::string item;         // NetSuite item name/number, for messages
  std::vector<ItemId> ids;  // what the partner may quote for this line
  Decimal ordered;
  Decimal received;  // quantityshiprecv
  Decimal billed;    // quantitybilled
  Decimal rate;
  std::string unit;  // NetSuite unit abbreviation; empty = not tracked
  bool closed = false;
};

struct PurchaseOrderView {
  std::string number;       // tranId
  std::string status;       // NetSuite status letter (PurchOrd: A..H, P)
  std::string currency;     // ISO code; empty = not known
  std::vector<PoLine> lines;
};

struct InvoiceLine {
  int position = 0;       // 1-based position of the IT1 in the invoice, for messages
  std::string line_ref;   // IT101 as sent (often the PO line number, may be empty)
  Decimal quantity;       // IT102
  std::string unit;       // IT103 (partner's unit code)
  Decimal unit_price;     // IT104
  std::vector<ItemId> ids;  // IT106/IT107, IT108/IT109, ...
};

struct InvoiceView {
  std::string number;    // BIG02
  std::string po_number; // BIG04 (or REF*PO)
  std::string currency;  // CUR02; empty = the PO's currency
  std::vector<InvoiceLine> lines;
  Decimal charges;                    // SAC charges minus allowances, signed
  Decimal tax;                        // TXI / SAC tax
  std::optional<Decimal> stated_total;  // TDS01 (implied 2 decimals already applied)
};

struct Tolerances {
  Decimal price_percent;     // e.g. 2 = 2 %
  Decimal price_amount;      // absolute per unit, in the PO's currency
  Decimal quantity_percent;  // over-receipt allowance on the received quantity
};

struct MatchOptions {
  Tolerances tolerances;
  std::vector<std::string> id_preference = {"VP", "BP", "UP", "IN"};
  std::map<std::string, std::string> unit_map;  // partner unit code -> NetSuite unit
  bool require_receipt = true;
  int currency_places = 2;
};

struct BillLine {
  int po_line = 0;
  std::vector<int> invoice_positions;  // the IT1s merged into this line
  Decimal quantity;
  Decimal rate;
  Decimal amount;  // quantity x rate, rounded half-up to currency_places
};

enum class ExceptionKind {
  kPoNotBillable,
  kCurrencyMismatch,
  kUnknownItem,
  kAmbiguousItem,
  kLineClosed,
  kUnitMismatch,
  kQuantityOverOrdered,
  kQuantityOverReceived,
  kPriceVariance,
  kConflictingPrices,
  kTotalMismatch,
};

std::string_view ExceptionKindName(ExceptionKind kind);  // "price_variance", ...

struct MatchException {
  ExceptionKind kind;
  int invoice_position = 0;  // 0 = the invoice as a whole
  int po_line = 0;           // 0 = none
  std::string message;       // complete sentence fragment, e.g. "invoice line 2 (PO line 3, ..."
};

struct MatchResult {
  // One bill line per PO line the invoice bills, exactly as invoiced. A line outside a tolerance
  // (price variance, quantity over received) is here AND in `exceptions`; a line that cannot be
  // billed at all (unknown or ambiguous item, closed line, unit mismatch, over the ordered
  // quantity, conflicting prices) is only in `exceptions`.
  std::vector<BillLine> lines;
  std::vector<MatchException> exceptions;
  Decimal lines_total;  // sum of bill line amounts

  bool clean() const { return exceptions.empty(); }
  // Every exception is a tolerance one, so `lines` bills every invoice line as invoiced and the
  // invoice's total was checked: such a bill may be created on payment hold for a person to
  // review (on_mismatch: hold). Anything else can only be parked.
  bool holdable() const;
  // All exception messages joined with "; ", for the document's last error.
  std::string Summary() const;
};

// Matches `invoice` against `po`. Errors only for arithmetic overflow (INVALID_ARGUMENT naming the
// invoice); every business mismatch is a MatchException in the result.
Result<MatchResult> ThreeWayMatch(const InvoiceView& invoice, const PurchaseOrderView& po,
                                  const MatchOptions& options);

}  // namespace mlc::matching
