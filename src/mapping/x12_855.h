// An incoming 855 -> the canonical PoAck -> what the buyer must see: the PO update request
// (PATCH /record/v1/purchaseOrder/{id}) and the exceptions (rejections, quantity, price and
// date changes), each with a precise reason.
//
// The PATCH body writes custom fields that a NetSuite administrator adds for ml-connector
// (docs/netsuite-setup.md): custbody_mlc_ack_status (accepted, accepted_with_changes, rejected,
// acknowledged_no_detail), custbody_mlc_ack_date, and per line (item.items keyed by `line`)
// custcol_mlc_ack_status (the ACK01 code and its meaning) and custcol_mlc_promised_date from
// ACK05 when the partner promised a date. Nothing else on the PO is changed: a changed quantity
// or price is an exception for the buyer, never written over the order. (The promised date is
// deliberately not written into NetSuite's expectedReceiptDate: that field is the buyer's, it is
// part of what the 850 tells the partner, and writing the partner's answer into it would make
// the next poll send the PO again as a change.)
//
// Rules (ReviewAck):
//  * BAK02 RJ, RD, RF, RN, RO, RV reject the whole order (status rejected); so does an ack whose
//    every line is rejected. Header-only acks: AD and AT are accepted, others
//    acknowledged_no_detail. Otherwise accepted, or accepted_with_changes when any exception.
//  * A PO1 loop may carry several ACKs (6 IA + 4 IB): their quantities, without the rejected
//    ones, are summed and compared with the ordered quantity. An accepted line without a
//    quantity (no ACK02 nor PO102) accepts the ordered quantity.
//  * Lines are found by PO101, else (empty PO101) by item ids when exactly one PO line has them.
//    PO lines an ack with detail leaves out are exceptions, except for AE/RF (exceptions only).
//  * Exceptions: rejected lines, backorders, unknown ACK01 codes, quantity and price (PO104)
//    differences, DR reschedules, and promised dates later than the line's expected date (or
//    the PO's due date). custbody_mlc_ack_date is BAK09, written only when the 855 has one.
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "edi/documents.h"
#include "model/documents.h"

namespace mlc::mapping {

// One model line per ACK segment (a PO1 without ACK gives one line with an empty ack_code).
// promised_date is ACK05 when ACK04 is 017, 067, 068, 069 or 079 (a date the partner commits to).
// Errors: INVALID_ARGUMENT naming the segment and element (no BAK03, BAK04 not a date, a PO101
// that is not a line number, an ACK05 that is not a date).
Result<model::PoAck> PoAckFrom855(const edi::PoAck855& x12);

struct AckReview {
  std::string status;    // accepted, accepted_with_changes, rejected, acknowledged_no_detail
  nlohmann::json patch;  // the PATCH body (see above)
  std::vector<std::string> exceptions;  // "line 2 (HB-100): quantity changed from 10 to 8 (IQ)"
};

// Compares the ack with the PO it answers. Lines the ack names that the PO does not have are
// exceptions too. Errors: none for business differences; INVALID_ARGUMENT only when the ack is
// for a different PO number than `po`.
Result<AckReview> ReviewAck(const model::PoAck& ack, const model::PurchaseOrder& po);

nlohmann::json ToJson(const model::PoAck& ack);

}  // namespace mlc::mapping
