// The X12 validator: checks transaction sets against the schemas (schema.h) and reports EVERY
// problem as standard 997 data: AK3 segment errors (AK304 codes), AK4 element errors (AK403
// codes), AK5 set results (AK501/AK502) and AK9 group results (AK901..AK905), with the envelope
// findings of envelope.h mapped onto the AK5/AK9 codes and interchange findings kept for a TA1.
//
// Two layers:
//  - ValidateSet() judges one transaction set given as its segments (ST..SE): structure (order,
//    loops, repeats, mandatory segments) and elements (presence, length, characters, type, code
//    lists, dates, times, syntax notes). Pure; no envelope knowledge.
//  - ValidateInput() reads a whole input with the streaming Reader, runs the EnvelopeChecker
//    alongside and returns one InterchangeResult per interchange with per-group and per-set
//    results. Memory: the report holds results, not the input; the input is streamed.
//
// Tolerances (ValidatorOptions) are off by default. A tolerated problem is still reported (its
// `tolerated` flag is set, the human report shows it as a warning) but does not count against
// the set: it is left out of the 997 and does not change AK501.
//
// Thread safety: free functions over immutable schemas; results are plain values.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "edi/envelope.h"
#include "edi/reader.h"
#include "edi/schema.h"
#include "edi/segment.h"

namespace mlc::edi {

// AK304 (element 720).
enum class SegmentErrorCode : uint8_t {
  kUnrecognizedSegment = 1,
  kUnexpectedSegment = 2,
  kMandatorySegmentMissing = 3,
  kLoopOverMaximum = 4,
  kSegmentExceedsMaximumUse = 5,
  kSegmentNotInSet = 6,
  kSegmentOutOfSequence = 7,
  kSegmentHasElementErrors = 8,
};

// AK403 (element 723).
enum class ElementErrorCode : uint8_t {
  kMandatoryMissing = 1,
  kConditionalRequiredMissing = 2,
  kTooManyElements = 3,
  kTooShort = 4,
  kTooLong = 5,
  kInvalidCharacter = 6,
  kInvalidCode = 7,
  kInvalidDate = 8,
  kInvalidTime = 9,
  kExclusionViolated = 10,
  kTooManyRepetitions = 12,
  kTooManyComponents = 13,
};

// AK501 / AK901 (elements 717 / 715).
enum class AckCode : uint8_t {
  kAccepted,            // A
  kAcceptedWithErrors,  // E
  kPartiallyAccepted,   // P (groups only)
  kRejected,            // R
};
char AckCodeChar(AckCode code);
std::string_view AckCodeName(AckCode code);  // "accepted", "accepted-with-errors", ...
// Parses A/E/P/R (and the security codes M/W/X as rejected). kInvalidArgument otherwise.
Result<AckCode> ParseAckCode(std::string_view code);

std::string_view SegmentErrorName(SegmentErrorCode code);  // "mandatory segment missing", ...
std::string_view ElementErrorName(ElementErrorCode code);

// The context of an error, written as a CTX segment in a 999 (005010X231A1; a 997 has no CTX).
// Two kinds, both from the TR3:
//  - business unit identifier (IK3 loop): `name` is the element that identifies the document
//    ("BEG03", the TR3's example is "CLM01") and `reference` its value, truncated to 35
//    characters; sent only when the error lies within the business unit (at or after the
//    segment that carries the identifier) and the identifier is known, i.e. has no error of its
//    own (X12 RFI 1312 and RFI 2293, x12.org/resources/requests-for-interpretation);
//  - situational trigger (IK4 loop): `name` is "SITUATIONAL TRIGGER" and tag/position/loop_id/
//    element/element_reference locate the data that made the missing or excluded element
//    required or forbidden (CTX*SITUATIONAL TRIGGER*SBR*14*2000B*2:0 style, as IBM APAR PH34767
//    and TIBCO Foresight's Response Generator docs show it). Our validator knows such triggers
//    for the syntax notes (P, C, L, E): the trigger is the present element of the note.
struct ErrorContext {
  std::string name;               // CTX01-1
  std::string reference;          // CTX01-2 ("" for a trigger)
  std::string tag;                // CTX02: segment id of the trigger
  uint32_t position = 0;          // CTX03: its position in the set (ST = 1)
  std::string loop_id;            // CTX04
  uint16_t element = 0;           // CTX05-1 (0: none)
  uint16_t component = 0;         // CTX05-2
  std::string element_reference;  // CTX06-1: dictionary number of the trigger element

  friend bool operator==(const ErrorContext&, const ErrorContext&) = default;
};

inline constexpr std::string_view kSituationalTrigger = "SITUATIONAL TRIGGER";

struct ElementError {  // one AK4
  uint16_t element = 0;     // AK401-1: position in the segment
  uint16_t component = 0;   // AK401-2: component position (0: not a component)
  uint16_t repetition = 0;  // AK401-3 (5010): repetition position (0: not repeated)
  std::string reference;    // AK402: data element reference number ("353")
  ElementErrorCode code = ElementErrorCode::kMandatoryMissing;  // AK403
  std::string value;        // AK404: copy of the bad data ("" for missing elements)
  std::string id;           // "BEG02" (for people)
  std::string message;
  bool tolerated = false;
  std::vector<ErrorContext> contexts;  // 999 IK4-loop CTX (at most 10 are written)
};

struct SegmentError {  // one AK3 (+ its AK4s)
  std::string tag;         // AK301
  uint32_t position = 0;   // AK302: position in the set, ST = 1
  std::string loop_id;     // AK303: the enclosing loop's first segment ("" at the top level)
  SegmentErrorCode code = SegmentErrorCode::kSegmentHasElementErrors;  // AK304
  std::vector<ElementError> elements;  // AK4s (at most 99 are kept)
  Location location;       // of the segment (for a missing segment: where it was expected)
  std::string message;
  bool tolerated = false;
  std::vector<ErrorContext> contexts;  // 999 IK3-loop CTX (business unit; at most 10 written)

  // Errors that count (not tolerated) among this segment's own and its elements'.
  bool counts() const;
};

struct SetResult {  // one AK2 .. AK5
  std::string id;               // AK201 (ST01)
  std::string control_number;   // AK202 (ST02)
  std::string convention;       // AK203 (ST03)
  std::string schema_version;   // the schema used ("" when none)
  AckCode code = AckCode::kAccepted;     // AK501
  std::vector<std::string> set_errors;   // AK502..AK506 (at most 5 go to the 997)
  std::vector<SegmentError> segments;
  std::vector<Finding> findings;         // envelope findings about this set
  std::vector<std::string> notes;        // human explanations of set-level errors
  Location location;                     // of the ST
};

struct GroupResult {  // AK1 + AK9
  GroupHeader header;                    // copy of the GS
  std::string functional_id;             // AK101 (GS01)
  std::string control_number;            // AK102 (GS06)
  std::string version;                   // AK103 (GS08)
  std::vector<SetResult> sets;
  std::vector<Finding> findings;         // group-level envelope findings
  AckCode code = AckCode::kAccepted;     // AK901
  uint32_t included = 0;                 // AK902: GE01 as declared (received count if absent)
  uint32_t received = 0;                 // AK903
  uint32_t accepted = 0;                 // AK904
  std::vector<std::string> group_errors; // AK905..AK909
  // Sets accepted without any problem that were left out of `sets`
  // (ValidatorOptions::keep_accepted_sets false); AK903/AK904 count them.
  uint32_t omitted_accepted = 0;
};

struct InterchangeResult {
  InterchangeHeader header;              // copy of the ISA
  std::vector<Finding> findings;         // interchange-level findings (TA1 matters)
  std::vector<GroupResult> groups;
  std::vector<SetResult> orphan_sets;    // sets outside any group (cannot be 997-acknowledged)
  uint32_t ta1_count = 0;                // TA1 segments seen in the interchange

  bool ok() const;  // no counting problem anywhere
};

struct ValidationReport {
  std::vector<InterchangeResult> interchanges;
  bool ok() const;
};

struct ValidatorOptions {
  // Partner tolerances, all off by default.
  bool accept_unknown_segments = false;   // AK304 1 (unrecognized) and 6 (not in set) tolerated
  bool accept_isa11_letter_in_5010 = false;  // ISA12 >= 00402 with a letter ('U') in ISA11
  // Code-list violations (AK403 7) tolerated for these elements, by id ("BEG02") or by data
  // element reference ("355").
  std::set<std::string, std::less<>> ignore_code_lists_for;
  // Sets whose only problems are element errors are accepted with errors (AK501 E) instead of
  // rejected.
  bool accept_element_errors = false;
  // Check the code lists marked `partial` in the schema data too.
  bool check_partial_code_lists = false;
  // Sets with no schema (ST01 not supported, or no tables for the version) are accepted without
  // checks instead of rejected with AK502 1.
  bool accept_unsupported_sets = false;
  EnvelopeOptions envelope;
  // Keep a SetResult for every set. When false, sets accepted without any problem are counted
  // (GroupResult::omitted_accepted) but not kept, so memory is bounded by the problems found,
  // not by the number of sets in the input (a 1 GB file holds over a million sets); a 997 built
  // from such a report lists only the sets with problems (X12 allows omitting accepted ones) and
  // its AK9 counts stay right.
  bool keep_accepted_sets = true;
};

// Validates one transaction set (segments[0] is the ST; the last is the SE when present) against
// `schema` in `registry`'s terms. Only structure and elements: envelope counts are not judged
// here. `schema` null gives a rejected result with AK502 1 (unless accept_unsupported_sets).
// `group_version` (GS08): when its first six characters differ from the schema's version (a
// fallback such as 004030 -> 004010 tables), segments the tables do not place (AK304 1, 2, 6, 7)
// are reported as tolerated warnings, since the other version may define them.
SetResult ValidateSet(std::span<const Segment> segments, const TransactionSetSchema* schema,
                      const ValidatorOptions& options = {}, std::string_view group_version = "");

// Reads and validates all of `source`. Errors: those of Reader::Next (not X12, EBCDIC, source
// errors); problems *in* the X12 are results, never errors.
Result<ValidationReport> ValidateInput(ByteSource& source, const ValidatorOptions& options = {},
                                       const SchemaRegistry& registry = SchemaRegistry::Builtin());
Result<ValidationReport> ValidateInput(std::string_view x12, const ValidatorOptions& options = {},
                                       const SchemaRegistry& registry = SchemaRegistry::Builtin());

// A human report: one line per problem with byte offset, segment number, AK3/AK4 codes and
// message; tolerated problems as warnings.
std::string FormatReport(const ValidationReport& report, std::string_view input_name);
// The same as JSON text (one object per input; stable keys).
std::string FormatReportJson(const ValidationReport& report, std::string_view input_name);

}  // namespace mlc::edi
