// A changed PurchaseOrder -> the partner's 860 (Purchase Order Change Request - Buyer
// Initiated), for partners whose profile says `po_change_as: 860` (others get an 850 replace,
// x12_850.h). The 860 carries what changed since the revision the partner last received:
//
//   BCH  BCH01 04 change, or 01 cancellation when the whole PO is closed (NetSuite status H, or
//        no open line left); BCH02 SA; BCH03 PO number; BCH05 change order sequence number =
//        the revision (the number an 850 replace carries in BEG04); BCH06 PO date; BCH11 the
//        change request date.
//   CUR, PER, FOB, ITD, DTM, N1 loops: the new PO's heading, exactly as its 850 would carry it
//        (To850): the 850 and 860 headings are the same segments at the same positions (Bots
//        grammars 850004010 / 860004010).
//   POC  one per changed line, POC01 = the NetSuite line number, POC02 (670):
//          AI  a line the partner has not seen open (new, or reopened)
//          DI  a line that was open and is now closed or gone (POC03/POC04 0: nothing is ordered
//              any more; X12 5010+ semantic note "POC03 is current order quantity")
//          QI / QD  only the quantity went up / down
//          PC  only the unit price changed
//          CA  anything else (quantity and price together, unit, item ids, description, date)
//        POC03 the quantity now ordered, POC04 the quantity left to receive (ordered less
//        received, not below 0), POC05 the partner's unit, POC06 the unit price, POC08.. the item
//        ids in the partner's preference order; then PID (description) and DTM*002 (expected
//        date) as on the 850's PO1. Lines that did not change are not sent.
//   CTT  number of POC segments and the hash total of POC03 (left out without POC);
//   AMT  TT the new PO total less closed lines (as on the 850; left out when cancelling).
// Codes and elements: x12.md §4 (GS01 PC); Stedi's X12 BCH and POC segment pages and element 670
// (see the comments in src/edi/schemas/dictionary_004010.schema).
//
// `before` is the PO as last sent (the canonical JSON the flow stored with that revision, read
// back with PurchaseOrderFromJson, netsuite_po.h); `after` is the PO as NetSuite has it now.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/civil_time.h"
#include "common/decimal.h"
#include "common/status.h"
#include "config/config.h"
#include "edi/documents.h"
#include "model/documents.h"

namespace mlc::mapping {

struct PoChangeLine {       // POC loop: POC, PID, DTM
  std::string change;       // POC02 (670): AI, DI, QI, QD, PC, CA
  edi::PoLine line;         // POC01 line_number, POC03 quantity, POC05 unit, POC06 unit_price,
                            // POC08.. ids; PID descriptions; DTM dates
  Decimal left_to_receive;  // POC04
  friend bool operator==(const PoChangeLine&, const PoChangeLine&) = default;
};

struct PurchaseOrderChange860 {
  std::string purpose;          // BCH01 (353): 04 change, 01 cancellation
  std::string type;             // BCH02 (92): SA
  std::string number;           // BCH03
  std::string change_sequence;  // BCH05
  std::string date;             // BCH06 CCYYMMDD
  std::string change_date;      // BCH11 CCYYMMDD
  // CUR, REF, PER, FOB, ITD, DTM and N1 loops (its BEG fields and lines are not used).
  edi::PurchaseOrder850 heading;
  std::vector<PoChangeLine> lines;
  std::optional<Decimal> total_amount;  // AMT*TT
  friend bool operator==(const PurchaseOrderChange860&, const PurchaseOrderChange860&) = default;
};

// The 860 for the change from `before` to `after` as revision `revision` (>= 1).
// Errors: INVALID_ARGUMENT when the two are not the same PO (number), the revision is below 1, or
// `after` lacks a number or date; FAILED_PRECONDITION as To850 (a line without an identifier or
// unit the partner takes).
Result<PurchaseOrderChange860> To860(const model::PurchaseOrder& before,
                                     const model::PurchaseOrder& after,
                                     const config::PartnerConfig& partner, int revision,
                                     CivilDate change_date);

// The segments between ST and SE: BCH, the heading, POC loops, CTT and AMT.
// Errors: INVALID_ARGUMENT for a change without PO number or date.
Result<std::vector<edi::SegmentData>> Build860(const PurchaseOrderChange860& change);

}  // namespace mlc::mapping
