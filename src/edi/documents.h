// Typed C++ views of the business content of the X12 documents the flows exchange: 850
// purchase order (we write it), 810 invoice and 855 PO acknowledgment (we read them) and the 997
// (both ways; the 997 struct is FunctionalAck from ack.h). These are X12-shaped (qualifiers and
// codes kept as sent); mapping to the canonical model (src/model) is the mapping layer's job.
//
// Money and quantities are mlc::Decimal, never double: R values are parsed as written, Nn values
// (TDS01, SAC05, ITD08) with their implied decimals (TDS*843202 = 8432.02).
//
// Read functions take the segments of one transaction set (ST..SE, as the Reader hands them out)
// and copy what they need: the result owns its strings. They check only what the typed view
// needs (a required value present, a number parsing) and name the segment, element and position
// in the error; full standard validation is validator.h's job. Build functions return segment
// data for the Writer (AddSegments), without ST/SE (Writer::BeginSet/EndSet add those).
//
// Thread safety: plain values and free functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/decimal.h"
#include "common/status.h"
#include "edi/ack.h"
#include "edi/segment.h"
#include "edi/writer.h"

namespace mlc::edi {

struct ProductId {  // a (qualifier, id) pair: PO106/PO107, IT106/IT107, ACK07/ACK08 ...
  std::string qualifier;  // 235: BP, VP, UP, ...
  std::string id;
  friend bool operator==(const ProductId&, const ProductId&) = default;
};

struct Reference {  // REF
  std::string qualifier;    // REF01 (128)
  std::string value;        // REF02
  std::string description;  // REF03
  friend bool operator==(const Reference&, const Reference&) = default;
};

struct Contact {  // PER
  std::string function;  // PER01 (366): BD, IC, ...
  std::string name;      // PER02
  std::vector<std::pair<std::string, std::string>> numbers;  // (PER03, PER04), ... TE/EM/FX
  friend bool operator==(const Contact&, const Contact&) = default;
};

struct DateTime {  // DTM
  std::string qualifier;  // DTM01 (374): 002 delivery requested, 010 requested ship, ...
  std::string date;       // DTM02 CCYYMMDD
  std::string time;       // DTM03
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

struct Party {  // N1 loop: N1, N2, N3, N4
  std::string entity;        // N101 (98): ST, BT, VN, ...
  std::string name;          // N102
  std::string id_qualifier;  // N103 (66)
  std::string id;            // N104
  std::vector<std::string> extra_names;  // N201/N202
  std::vector<std::string> address;      // N301, N302 (of each N3)
  std::string city, state, postal_code, country;  // N401..N404
  friend bool operator==(const Party&, const Party&) = default;
};

struct Terms {  // ITD
  std::string type;   // ITD01 (336)
  std::string basis;  // ITD02 (333)
  std::optional<Decimal> discount_percent;  // ITD03 (R)
  std::string discount_due_date;            // ITD04
  std::optional<int> discount_days;         // ITD05
  std::string net_due_date;                 // ITD06
  std::optional<int> net_days;              // ITD07
  std::optional<Decimal> discount_amount;   // ITD08 (N2)
  std::string description;                  // ITD12
  friend bool operator==(const Terms&, const Terms&) = default;
};

struct Fob {  // FOB
  std::string payment_method;        // FOB01 (146): PP, CC, ...
  std::string location_qualifier;    // FOB02
  std::string description;           // FOB03
  friend bool operator==(const Fob&, const Fob&) = default;
};

struct Charge {  // SAC (allowance or charge)
  std::string indicator;  // SAC01 (248): A allowance, C charge, N none
  std::string code;       // SAC02 (1300): D240 freight, ...
  std::optional<Decimal> amount;   // SAC05 (N2)
  std::optional<Decimal> percent;  // SAC07 (R)
  std::string handling;            // SAC12 (331)
  std::string description;         // SAC15
  friend bool operator==(const Charge&, const Charge&) = default;
};

struct Tax {  // TXI
  std::string type;                // TXI01 (963): ST state, FD federal, VA VAT, TX all taxes, ...
  std::optional<Decimal> amount;   // TXI02 (R)
  std::optional<Decimal> percent;  // TXI03 (R)
  friend bool operator==(const Tax&, const Tax&) = default;
};

// ---- 850 ----

struct PoLine {  // PO1 loop
  std::string line_number;  // PO101
  Decimal quantity;         // PO102
  std::string unit;         // PO103 (355)
  std::optional<Decimal> unit_price;  // PO104
  std::string price_basis;            // PO105 (639)
  std::vector<ProductId> ids;         // PO106.. pairs
  std::vector<std::string> descriptions;  // PID05 of each PID
  std::vector<DateTime> dates;            // DTM in the loop
  friend bool operator==(const PoLine&, const PoLine&) = default;
};

struct PurchaseOrder850 {
  std::string purpose;    // BEG01 (353): 00 original, ...
  std::string type;       // BEG02 (92): SA, NE, ...
  std::string number;     // BEG03
  std::string release;    // BEG04
  std::string date;       // BEG05 CCYYMMDD
  std::string contract;   // BEG06
  std::string currency;   // CUR02 (with CUR01 BY)
  std::vector<Reference> references;
  std::vector<Contact> contacts;
  std::optional<Fob> fob;
  std::vector<Terms> terms;
  std::vector<DateTime> dates;
  std::vector<Party> parties;
  std::vector<PoLine> lines;
  std::optional<uint32_t> line_count;   // CTT01
  std::optional<Decimal> hash_total;    // CTT02
  std::optional<Decimal> total_amount;  // AMT02 where AMT01 = TT
  friend bool operator==(const PurchaseOrder850&, const PurchaseOrder850&) = default;
};

// ---- 810 ----

struct InvoiceLine {  // IT1 loop
  std::string line_number;  // IT101 (often the PO1 line number; may be empty)
  Decimal quantity;         // IT102
  std::string unit;         // IT103
  Decimal unit_price;       // IT104
  std::string price_basis;  // IT105
  std::vector<ProductId> ids;             // IT106.. pairs
  std::vector<std::string> descriptions;  // PID05
  std::vector<Charge> charges;            // SAC in the loop
  std::vector<Tax> taxes;                 // TXI in the loop
  friend bool operator==(const InvoiceLine&, const InvoiceLine&) = default;
};

struct Invoice810 {
  std::string date;              // BIG01
  std::string number;            // BIG02
  std::string po_date;           // BIG03
  std::string po_number;         // BIG04
  std::string release;           // BIG05
  std::string transaction_type;  // BIG07 (640): DI, CR, DR
  std::string currency;          // CUR02
  std::vector<Reference> references;
  std::vector<Party> parties;
  std::vector<Terms> terms;
  std::vector<DateTime> dates;
  std::vector<InvoiceLine> lines;
  Decimal total;                                  // TDS01 (N2), mandatory
  std::optional<Decimal> amount_subject_to_discount;  // TDS02
  std::optional<Decimal> discounted_amount_due;       // TDS03
  std::optional<Decimal> terms_discount;              // TDS04
  std::vector<Charge> charges;                    // summary SAC
  std::vector<Tax> taxes;                         // TXI outside the IT1 loops (heading, summary)
  std::optional<uint32_t> line_count;             // CTT01
  friend bool operator==(const Invoice810&, const Invoice810&) = default;
};

// ---- 855 ----

struct LineAck {  // ACK
  std::string status;  // ACK01 (668): IA accepted, IR rejected, IB backordered, ...
  std::optional<Decimal> quantity;  // ACK02
  std::string unit;                 // ACK03
  std::string date_qualifier;       // ACK04 (374)
  std::string date;                 // ACK05
  friend bool operator==(const LineAck&, const LineAck&) = default;
};

struct PoAckLine {  // PO1 loop of an 855
  std::string line_number;  // PO101
  std::optional<Decimal> quantity;    // PO102
  std::string unit;                   // PO103
  std::optional<Decimal> unit_price;  // PO104
  std::vector<ProductId> ids;
  std::vector<LineAck> acks;
  friend bool operator==(const PoAckLine&, const PoAckLine&) = default;
};

struct PoAck855 {
  std::string purpose;    // BAK01 (353)
  std::string type;       // BAK02 (587): AC, AD, AK, RJ, ...
  std::string po_number;  // BAK03
  std::string po_date;    // BAK04
  std::string seller_order_number;  // BAK08
  std::string ack_date;   // BAK09
  std::vector<Reference> references;
  std::vector<Party> parties;
  std::vector<DateTime> dates;
  std::vector<PoAckLine> lines;
  friend bool operator==(const PoAck855&, const PoAck855&) = default;
};

// One segment to write: tag and elements (what Writer::Add takes).
struct SegmentData {
  std::string tag;
  std::vector<ElementValue> elements;
};

// Reads the typed views from one transaction set's segments (segments[0] = ST). Errors:
// kInvalidArgument naming the set, segment, position and element: wrong ST01, a missing BEG/BIG/
// BAK/TDS or required element (BEG03, BIG02, TDS01, ...), a quantity or amount that is not a
// number.
Result<PurchaseOrder850> Read850(std::span<const Segment> segments);
Result<Invoice810> Read810(std::span<const Segment> segments);
Result<PoAck855> Read855(std::span<const Segment> segments);
// The 997/999 view (ack.h); here for symmetry.
Result<FunctionalAck> Read997(std::span<const Segment> segments);

// The segments between ST and SE for `po`: BEG, CUR, REF, PER, FOB, ITD, DTM, N1 loops, PO1
// loops (PO1, PID, DTM), CTT (line count and hash total computed from the lines) and AMT.
// Errors: kInvalidArgument for a PO without number, date or lines, or an amount that cannot be
// written in its X12 type.
Result<std::vector<SegmentData>> Build850(const PurchaseOrder850& po);
// The segments between ST and SE of a 997 (AK1 .. AK9) for `ack` (AK103/AK203 written when set).
std::vector<SegmentData> Build997(const FunctionalAck& ack);

// Adds `segments` to an open set of `writer`. Errors: those of Writer::Add.
Status AddSegments(Writer& writer, std::span<const SegmentData> segments);

}  // namespace mlc::edi
