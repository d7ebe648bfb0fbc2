// The trading-partner simulator: simulated suppliers answering the connector's purchase orders.
//
// Every partner has a mailbox under the sandbox root (<root>/<mailbox>/{inbox,outbox,sentbox});
// the connector drops 850s into the outbox. Step() plays Cleo and the supplier for one round:
//  1. each new file in a partner's outbox (new = name + SHA-256 not seen before) is "sent": moved
//     to sentbox, as Cleo does after delivering it (files an action already moved to sentbox are
//     picked up there too);
//  2. for each 850 in it, the supplier answers into the inbox: a 997 at once, an 855 at once
//     (accept, or with changed / rejected lines), and an 810 `invoice_after_steps` rounds later
//     for what it shipped. An 860 (purchase order change, group PC) gets its 997 and nothing
//     else: it is not a new order, and the simulated supplier takes the change silently (no 865,
//     and the invoice already pending for the order is not re-cut);
//  3. pending invoices that are due are written.
// Files that are not readable X12 (or whose 850 lacks what the typed view needs) are consumed and
// counted in StepReport::unreadable but not answered: no 997 "R" is sent for them (a gap; many
// real suppliers' translators stay silent too, which is what the overdue-997 alert is for).
//
// Partners differ the way real ones do (the profile's quirks): 004010 or 005010; delimiters and
// line breaks; a price variance on one invoice line; short shipments; a reused invoice number; an
// unknown item on the invoice; a malformed file. Every decision is drawn from a PRNG seeded with
// (profile seed, partner id, PO number), so the same seed and the same 850s give the same bytes
// (dates and times in the envelopes come from the 850, never from the clock).
//
// What ships (accepted lines, some short) is also recorded as a shipment (PO number, PO lines
// with the quantity shipped, a shipment id, received=false) for the simulated warehouse
// (sandbox/warehouse/), which posts item receipts and marks shipments received.
//
// State (processed files, pending invoices, shipments, control-number counters) lives in
// <root>/.partners/<partner>.json, written atomically under an flock of <partner>.lock, so a
// one-shot `ml-sandbox partners step`, the in-process poll loop and `ml-sandbox warehouse step`
// continue each other's work.
//
// Thread safety: Step is not reentrant for one root; run one simulator per root.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/decimal.h"
#include "common/status.h"

namespace mlc::sandbox::partners {

struct Quirks {
  int change_line_percent = 0;         // chance per 855 line of IQ (quantity) or IP (price) change
  int reject_line_percent = 0;         // chance per 855 line of IR (rejected)
  int short_ship_percent = 0;          // chance per shipped line of shipping 3/4 (rounded down)
  std::string price_variance_percent;  // e.g. "2.5": one 810 line is billed this much higher
  bool duplicate_invoice_number = false;  // every invoice after the first reuses its number
  bool unknown_item = false;              // the 810 carries one extra line for an unknown item
  std::string malformed;                  // "", "997", "855" or "810": that file's SE01 is wrong
  // Chance per order that the invoice quirks above (price variance, reused invoice number,
  // unknown item, malformed 810) hit its invoice; 100 = every invoice. Drawn from a PRNG of its
  // own, so the other decisions do not depend on it.
  int percent = 100;
};

struct PartnerProfile {
  std::string id;                  // "ACME"
  std::string mailbox;             // directory under the root
  std::string version = "004010";  // or "005010"
  char element = '*';
  char component = '>';
  char segment = '~';
  char repetition = '^';   // written in ISA11 for 005010 only
  std::string line_break;  // "", "\n" or "\r\n" after each segment
  uint64_t seed = 1;
  int invoice_after_steps = 1;  // 0: the 810 comes in the same step as the 855
  Quirks quirks;
};

// Reads the `partners:` list of a seed YAML file:
//   partners:
//     - id: ACME
//       mailbox: acme
//       version: "005010"
//       delimiters: {element: "|", component: ":", segment: "\n", repetition: "^"}
//       line_break: crlf            # none | lf | crlf
//       seed: 7
//       invoice_after_steps: 1
//       quirks: {price_variance_percent: "2.5", short_ship_percent: 50, unknown_item: true,
//                duplicate_invoice_number: true, change_line_percent: 20,
//                reject_line_percent: 10, malformed: "810", percent: 30}
// Errors: NOT_FOUND for a missing file, INVALID_ARGUMENT naming the partner and key.
Result<std::vector<PartnerProfile>> LoadProfiles(const std::filesystem::path& file);

struct StepReport {
  int files_consumed = 0;  // outbox/sentbox files taken this step
  int orders = 0;          // 850 sets answered
  int changes = 0;         // 860 sets received (acknowledged by the group's 997 only)
  int acks_997 = 0;
  int acks_855 = 0;
  int invoices = 0;
  int acks_received = 0;             // FA groups (the buyer's 997s) read, not answered
  int unreadable = 0;                // files that were not readable X12
  std::vector<std::string> written;  // inbox file names written, in order
};

// One round over every profile (see above). Errors: file-system errors, a corrupt state file.
Result<StepReport> Step(const std::filesystem::path& root,
                        const std::vector<PartnerProfile>& profiles);

struct ShipmentLine {
  std::string po_line;  // PO101 of the 850 (the NetSuite line number when the connector sent it)
  Decimal quantity;     // shipped
};

struct Shipment {
  std::string id;         // "000001", per partner
  std::string po_number;  // BEG03 (the NetSuite tranId)
  std::vector<ShipmentLine> lines;
  bool received = false;
};

// Partner ids that have a state file under <root>/.partners, sorted.
Result<std::vector<std::string>> PartnersWithState(const std::filesystem::path& root);

// Every shipment recorded for `partner_id` (none when it has no state yet), oldest first.
// Errors: DATA_LOSS for a corrupt state file.
Result<std::vector<Shipment>> LoadShipments(const std::filesystem::path& root,
                                            std::string_view partner_id);

// Sets received=true on the named shipments (re-reading the state file under its lock).
// Errors: DATA_LOSS for a corrupt state file, file-system errors.
Status MarkShipmentsReceived(const std::filesystem::path& root, std::string_view partner_id,
                             const std::vector<std::string>& shipment_ids);

}  // namespace mlc::sandbox::partners
