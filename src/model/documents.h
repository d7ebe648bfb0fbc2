// The canonical documents ml-connector moves between NetSuite and Cleo.
//
// They are business-shaped, neither NetSuite- nor X12-shaped: the mapping layer turns NetSuite
// JSON into these (src/mapping/netsuite_*) and these into X12 per partner profile
// (src/mapping/x12_*), and back. Money and quantities are Decimal; dates are CivilDate (a
// document date has no time zone); instants are UTC.
//
// Thread safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/civil_time.h"
#include "common/clock.h"
#include "common/decimal.h"

namespace mlc::model {

struct Address {
  std::string name;   // N102
  std::string name2;  // N2
  std::string line1, line2;
  std::string city, state, postal_code, country;
  std::string id_qualifier, id;  // N103/N104 (e.g. 92 assigned by buyer, a location code)

  bool empty() const { return name.empty() && line1.empty() && city.empty() && id.empty(); }
  friend bool operator==(const Address&, const Address&) = default;
};

struct Contact {
  std::string function;  // PER01, e.g. BD buyer
  std::string name;
  std::string phone, email;
  friend bool operator==(const Contact&, const Contact&) = default;
};

// What identifies an item to the partner. Empty strings are "unknown".
struct ItemIds {
  std::string buyer_part;   // BP: our item number (NetSuite itemid)
  std::string vendor_part;  // VP: the supplier's part number
  std::string upc;          // UP
  friend bool operator==(const ItemIds&, const ItemIds&) = default;
};

struct PurchaseOrderLine {
  int line = 0;              // NetSuite line (item.items[].line) -> PO101
  std::string item_id;       // NetSuite internal id of the item
  ItemIds ids;
  std::string description;   // PID05
  Decimal quantity;          // PO102
  std::string unit;          // NetSuite unit; mapped to the partner's code (PO103)
  Decimal rate;              // PO104
  std::optional<CivilDate> expected_date;  // DTM*002 per line
  Decimal received;  // quantityshiprecv (for matching, not sent)
  Decimal billed;    // quantitybilled (for matching, not sent)
  bool closed = false;
};

struct PurchaseOrder {
  std::string internal_id;   // NetSuite id
  std::string number;        // tranId -> BEG03
  std::string vendor_id;     // NetSuite vendor internal id
  std::string partner_id;    // our partner profile id
  std::string status;        // NetSuite status letter (A..H, P)
  CivilDate date;            // tranDate -> BEG05
  std::optional<CivilDate> ship_date;  // DTM*010 requested ship
  std::optional<CivilDate> due_date;   // DTM*002 delivery requested
  std::string currency;      // CUR02
  std::string terms;         // ITD text
  Decimal terms_discount_percent;      // ITD03
  int terms_discount_days = 0;         // ITD05
  int terms_net_days = 0;              // ITD07
  std::string memo;          // not sent unless the profile asks
  std::string incoterm;      // FOB
  Address ship_to, bill_to, vendor;
  Contact buyer;
  std::vector<PurchaseOrderLine> lines;
  Decimal total;             // AMT*TT (positive; SuiteQL's foreigntotal is negative on POs)
  Instant last_modified;     // for the cursor
};

// An 810, business-shaped.
struct InvoiceLine {
  int position = 0;          // 1-based IT1 position
  std::string line_ref;      // IT101
  Decimal quantity;          // IT102
  std::string unit;          // IT103 (partner code)
  Decimal unit_price;        // IT104
  ItemIds ids;
  std::string description;   // PID05
};

struct Charge {
  bool allowance = false;    // SAC01 A (allowance, reduces) or C (charge)
  std::string code;          // SAC02, e.g. D240 freight
  Decimal amount;            // SAC05 (positive as sent; the sign comes from `allowance`)
  std::string description;   // SAC15
};

struct Invoice {
  std::string number;        // BIG02
  CivilDate date;            // BIG01
  std::string po_number;     // BIG04, else REF*PO
  std::optional<CivilDate> po_date;  // BIG03
  std::string type;          // BIG07 (DI debit invoice, CR credit memo, ...)
  std::string currency;
  std::string vendor_name;   // N1*VN / N1*SU
  std::string vendor_id;     // N104 of N1*VN
  std::string vendor_id_qualifier;  // N103: 92 = assigned by buyer (our vendor number), 1 = DUNS..
  std::string terms;
  int terms_net_days = 0;
  std::vector<InvoiceLine> lines;
  std::vector<Charge> charges;
  Decimal tax;               // TXI01 amounts, summed
  std::optional<Decimal> total;  // TDS01 (implied 2 decimals already applied)
  // Envelope identity, filled by the flow: who sent it and under which control numbers.
  std::string sender_id, interchange_control, group_control, set_control;
};

// An 855, business-shaped.
enum class LineAckStatus {
  kAccepted,     // IA
  kChanged,      // IC (item changed), IP (price changed), IQ (quantity changed), DR (date)...
  kBackordered,  // IB
  kRejected,     // IR
  kOther,
};

struct PoAckLine {
  int line = 0;               // PO101
  std::string ack_code;       // ACK01 as sent (IA, IB, IC, IR, IQ, IP, DR, ...)
  LineAckStatus status = LineAckStatus::kOther;
  Decimal quantity;           // ACK02
  std::string unit;           // ACK03
  std::optional<CivilDate> promised_date;  // ACK05 with ACK04 017/067/068/069/079
  std::optional<Decimal> price;            // PO104 when the partner changed it
  ItemIds ids;                // PO106.. pairs: finds the PO line when PO101 is empty
};

struct PoAck {
  std::string po_number;      // BAK03
  std::string purpose;        // BAK01 (00 original, 04 change, ...)
  std::string ack_type;       // BAK02 (AC with changes, AD detail no change, AK no detail, RJ rejected)
  CivilDate date;             // BAK04
  std::optional<CivilDate> ack_date;  // BAK09 acknowledgment date, when sent
  std::vector<PoAckLine> lines;
  std::string sender_id;
};

LineAckStatus LineAckStatusFromCode(std::string_view ack01);

// Reference data.
struct Vendor {
  std::string internal_id;
  std::string entity_id;       // vendor number / name
  std::string company_name;
  bool inactive = false;
  std::string edi_partner_id;  // custom field linking to a partner profile; empty = not EDI
};

struct Item {
  std::string internal_id;
  std::string item_id;     // itemid (our part number)
  ItemIds ids;
  std::string unit;
  bool inactive = false;
};

struct Account {
  std::string internal_id;
  std::string number;
  std::string name;
  std::string type;        // AcctPay, Expense, ...
  bool inactive = false;
};

// A fingerprint of everything in a PO that the partner sees in an 850 (header fields, parties,
// terms, and per line: item ids, quantity, unit, rate, dates, description; not received or
// billed quantities, memo, status or last_modified). Two revisions with the same fingerprint
// send nothing; a different one sends a replacement 850 (BEG01 05). Hex SHA-256.
std::string PartnerVisibleFingerprint(const PurchaseOrder& po);

}  // namespace mlc::model
