// An incoming 855 -> the canonical PoAck -> what the buyer must see: the PO update request
// (PATCH /record/v1/purchaseOrder/{id}) and the exceptions (rejections, quantity, price and
// date changes), each with a precise reason.
//
// The PATCH body writes custom fields that a NetSuite administrator adds for ml-connector
// (docs/netsuite-setup.md): custbody_mlc_ack_status (accepted, accepted_with_changes, rejected,
// acknowledged_no_detail), custbody_mlc_ack_date, and per line (item.items keyed by `line`)
// custcol_mlc_ack_status (the ACK01 code and its meaning) and expectedReceiptDate from ACK05 when
// the partner promised a date. Nothing else on the PO is changed: a changed quantity or price is
// an exception for the buyer, never written over the order.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "edi/documents.h"
#include "model/documents.h"

namespace mlc::mapping {

// Errors: INVALID_ARGUMENT naming the segment and element (no BAK03, BAK04 not a date, a PO101
// that is not a line number).
Result<model::PoAck> PoAckFrom855(const edi::PoAck855& x12);

struct AckReview {
  std::string status;  // accepted, accepted_with_changes, rejected, acknowledged_no_detail
  nlohmann::json patch;                // the PATCH body (see above)
  std::vector<std::string> exceptions;  // "line 2 (HB-100): quantity changed from 10 to 8 (IQ)"
};

// Compares the ack with the PO it answers. Lines the ack names that the PO does not have are
// exceptions too. Errors: none for business differences; INVALID_ARGUMENT only when the ack is
// for a different PO number than `po`.
Result<AckReview> ReviewAck(const model::PoAck& ack, const model::PurchaseOrder& po);

nlohmann::json ToJson(const model::PoAck& ack);

}  // namespace mlc::mapping
