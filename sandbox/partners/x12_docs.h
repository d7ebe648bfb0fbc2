// The X12 the partner simulator reads and writes: 850s in, 997 / 855 / 810 out. Reading uses the
// edi Reader and the typed 850 view (edi/documents.h); writing uses the edi Writer with the
// partner's delimiters and line breaks (src/edi has builders for 850 and 997 only, so the 855 and
// 810 segment lists are written here). Kept apart from the decision logic (simulator.cc).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/decimal.h"
#include "common/status.h"
#include "sandbox/partners/simulator.h"

namespace mlc::sandbox::partners {

struct OrderLine {
  std::string line;                                      // PO101
  Decimal quantity;                                      // PO102
  std::string uom;                                       // PO103
  Decimal price;                                         // PO104
  std::vector<std::pair<std::string, std::string>> ids;  // PO106/PO107, PO108/PO109, ...
  std::string status;  // 855 ACK01 decided by the supplier (IA, IQ, IP, IR)
};

struct Order {
  std::string st02;
  std::string number;  // BEG03
  std::string date;    // BEG05 CCYYMMDD
  std::vector<OrderLine> lines;
};

// One functional group of an inbound interchange, with what the replies need.
struct InboundGroup {
  // From the ISA: who sent it (becomes our replies' receiver) and to whom.
  std::string sender_qualifier, sender_id, receiver_qualifier, receiver_id;
  std::string gs_sender, gs_receiver, gs_date, gs_time, gs06, functional_id;
  std::vector<std::pair<std::string, std::string>> sets;  // (ST01, ST02) of every set
  std::vector<Order> orders;                              // the 850s among them
};

// Reads every group of `content`. Errors: INVALID_ARGUMENT when it is not readable X12.
Result<std::vector<InboundGroup>> ReadInbound(std::string_view content);

// The envelope of a reply: our ISA control number and the 850's parties, swapped.
struct ReplyEnvelope {
  std::string isa13;  // digits
  const InboundGroup* group = nullptr;
};

// A 997 accepting every set of the group (AK5 A per set, AK9 A).
Result<std::string> Build997(const PartnerProfile& p, const ReplyEnvelope& env);
// An 855 for `order`: BAK02 = `ack_type`, one PO1 + ACK per line (ACK01 = line.status).
Result<std::string> Build855(const PartnerProfile& p, const ReplyEnvelope& env, const Order& order,
                             std::string_view ack_type);
// An 810 for the lines of `order` as shipped: BIG (invoice date = the order date, number),
// IT1 per line, TDS total (N2 implied decimals), CTT.
Result<std::string> Build810(const PartnerProfile& p, const ReplyEnvelope& env,
                             const Order& shipped, std::string_view invoice_number);

// Makes the first SE01 of `x12` wrong (count + 5): the "malformed file" quirk.
std::string CorruptSegmentCount(std::string x12, char element);

}  // namespace mlc::sandbox::partners
