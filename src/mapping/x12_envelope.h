// Writing one outbound interchange (ISA .. IEA with one GS group and one transaction set) for a
// partner profile: their and our ISA/GS ids for the profile's usage (P/T), its X12 version,
// delimiters and line-break style. Used for the 850s we send; the 997/999 we send are built by
// edi::BuildAcknowledgment, which addresses them back from the received interchange.
//
// Pure and byte-stable: control numbers and the time come from the caller (the store allocates
// the numbers, the flow passes the time), so the same input always gives the same bytes.
//
// Thread safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "edi/documents.h"
#include "edi/writer.h"

namespace mlc::mapping {

// The control numbers of one outbound interchange (what the store allocated for the partner).
struct EnvelopeControl {
  std::string isa13;  // 9 digits
  std::string gs06;   // 1..9 digits
  std::string st02;   // 4..9 digits
};

// The writer options (delimiters, repetition separator only from 00402 on, line break) that the
// partner's profile asks for. Errors: INVALID_ARGUMENT naming the partner and the delimiter key
// when a delimiter is missing, not one character, or two are equal.
Result<edi::WriterOptions> WriterOptionsFor(const config::PartnerConfig& partner);

// ISA..IEA around one set: ISA05/06 = our qualifier/id, ISA07/08 = theirs, ISA09/10 and GS04/05
// from `at` (UTC), ISA12 00401 for 004010 and 00501 for 005010, ISA15 = the profile's usage,
// GS01 = `functional_id` ("PO" for an 850), GS02/GS03 = our/their GS ids, GS08 = the version.
// `segments` are the set's body (between ST and SE). Errors: INVALID_ARGUMENT naming the partner
// and what is wrong (a missing id, a control number that does not fit), or the Writer's.
Result<std::string> WriteInterchange(const config::PartnerConfig& partner,
                                     const EnvelopeControl& control, Instant at,
                                     std::string_view functional_id, std::string_view set_id,
                                     std::span<const edi::SegmentData> segments);

}  // namespace mlc::mapping
