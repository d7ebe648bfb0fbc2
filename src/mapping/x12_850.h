// The canonical PurchaseOrder -> the partner's 850 (edi::PurchaseOrder850), per partner profile.
//
//   BEG  BEG01 00 original (revision 0) or 05 replace (revision > 0); BEG02 SA; BEG03 PO number;
//        BEG05 PO date. A revision > 0 travels in BEG04 (release number) as its decimal number.
//   CUR  CUR01 BY, CUR02 the ISO currency (left out when empty).
//   PER  BD buyer with TE/EM when the PO has a buyer contact.
//   FOB  when the PO has an incoterm: FOB01 CC for E/F terms (EXW FCA FAS FOB), PP for C/D
//        terms (CFR CIF CPT CIP DAP DPU DAT DDP), else DF; FOB02 ZZ; FOB03 the incoterm text.
//   ITD  terms: ITD01 01 basic, ITD02 3 invoice date, discount percent/days, net days,
//        description.
//   DTM  010 requested ship, 002 delivery requested.
//   N1   ST ship-to, BT bill-to, VN vendor (N2..N4 when present; N103/N104 when the address has
//        an id, N103 92 when it has no qualifier). A party with neither name nor id is named by
//        its role ("Ship To"), since N1 needs N102 or N103/N104.
//   PO1  PO101 = the NetSuite line number, quantity, the partner's unit code (uom_map, else the
//        unit upper-cased when it is a two-character code, else EA when the line has no unit; any
//        other unit is a FAILED_PRECONDITION), unit price (PO105 left out), then item ids in
//        the partner's item_id_preference order (BP buyer part, VP vendor part, UP UPC; ids the
//        PO line lacks are skipped). A line with none of the preferred ids falls back to BP,
//        and without a BP it is an error.
//   PID  F (free form) with PID05 = the line description (when present), line breaks and tabs
//        made spaces; a description longer than 80 characters becomes several PIDs.
//   DTM  002 per line expected date.
//   CTT  line count and hash total (computed by edi::Build850); AMT*TT the PO total less the
//        amounts of closed lines (left out when the total is zero).
// Closed lines are not sent. Values holding one of the partner's delimiters are not changed
// here: the writer refuses them (INVALID_ARGUMENT naming the segment and element).
//
// Thread safety: pure functions.
#pragma once

#include "common/status.h"
#include "config/config.h"
#include "edi/documents.h"
#include "model/documents.h"

namespace mlc::mapping {

// Errors: FAILED_PRECONDITION naming the PO, line and partner when a line has no identifier the
// partner can use, or the PO has no open line; INVALID_ARGUMENT for a PO without number or date.
Result<edi::PurchaseOrder850> To850(const model::PurchaseOrder& po,
                                    const config::PartnerConfig& partner, int revision);

}  // namespace mlc::mapping
