// Functional acknowledgments: building the 997 (004010 or 005010, per the received group's
// version) or 999 (005010X231A1) we send for a group we received, from the validator's results;
// and parsing the 997/999/TA1 a partner sends us into per-transaction-set results keyed by our
// original control numbers (AK102 = our GS06, AK202 = our ST02).
//
// Building is pure and byte-stable: the caller supplies the control numbers, date and time (no
// clock here); the envelope is addressed back to the sender (ISA05/06 <-> ISA07/08, GS02 <->
// GS03) and uses the received interchange's delimiters and line-break style unless
// AckOptions::writer overrides them. Written with the Writer (writer.h), so SE01/GE01/IEA01 are
// computed and no value can break the file (an AK404 copy that contains a delimiter is left out).
//
// Thread safety: free functions; results are plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "edi/reader.h"
#include "edi/segment.h"
#include "edi/validator.h"
#include "edi/writer.h"

namespace mlc::edi {

enum class AckKind : uint8_t { k997, k999 };

inline constexpr std::string_view k999Convention = "005010X231A1";

struct AckOptions {
  AckKind kind = AckKind::k997;
  // Control numbers of the acknowledgment: ISA13 (1..9 digits), the first GS06 and the first
  // ST02; each further group gets GS06 + 1 and ST02 + 1 (ST02 keeps the given width, min 4).
  std::string interchange_control_number;
  std::string group_control_number;
  std::string set_control_number;
  std::string date;  // CCYYMMDD: GS04; ISA09 is its last six digits
  std::string time;  // HHMM: ISA10 and GS05
  // Delimiters and line breaks; default: those of the received interchange (a repetition
  // separator is chosen when the ack's ISA12 is 00402 or later and the input had none).
  std::optional<WriterOptions> writer;
  // Write an AK2..AK5 for sets that were accepted without errors too (X12 allows omitting them).
  bool include_accepted_sets = true;
  std::string ack_requested = "0";  // ISA14
  // 999 only: write CTX segments (business unit identifier in the IK3 loop, situational trigger
  // in the IK4 loop) where the validator knows the context (validator.h ErrorContext).
  bool contexts = true;
};

// The 997/999 version for a received group version (GS08): "005010" from 005 on, else "004010".
std::string AckVersionFor(std::string_view gs08);

// Adds one 997/999 transaction set (ST..SE) acknowledging `group` to `writer`, which must have an
// open functional group. `version` is the ack's version ("004010"/"005010"; a 999 is always
// 005010). Errors: those of the Writer (kFailedPrecondition out of order, kInvalidArgument for
// a control number that contains a delimiter).
// `with_contexts`: a 999 carries CTX segments for the errors' contexts (ErrorContext); a 997
// never does.
Status AppendAckSet(Writer& writer, const GroupResult& group, AckKind kind,
                    std::string_view version, std::string_view set_control_number,
                    bool include_accepted_sets = true, bool with_contexts = true);

// One interchange addressed back to `received`'s sender with one FA group (and one 997/999 set)
// per received functional group, in input order; FA groups (997/999) are never acknowledged and
// are skipped, as are groups whose GS01 or GS06 is missing or GS06 not numeric (no AK1 can name
// them; the TA1 reports the truncated GS). Errors: kInvalidArgument for missing or bad control numbers, date or time;
// kFailedPrecondition when `received` has no group to acknowledge.
Result<std::string> BuildAcknowledgment(const InterchangeResult& received,
                                        const AckOptions& options);

// ---- inbound ----

struct AckedElementError {  // AK4 / IK4
  uint16_t position = 0;    // AK401-1
  uint16_t component = 0;   // AK401-2
  uint16_t repetition = 0;  // AK401-3
  std::string reference;    // AK402
  std::string code;         // AK403 / IK403 as sent ("7", "I12")
  std::string value;        // AK404
};

struct AckedSegmentError {  // AK3 / IK3
  std::string tag;          // AK301
  uint32_t position = 0;    // AK302
  std::string loop_id;      // AK303
  std::string code;         // AK304 / IK304 ("" when absent)
  std::vector<AckedElementError> elements;
};

struct AckedSet {  // AK2 .. AK5 / IK5
  std::string id;              // AK201: the acknowledged set's ST01
  std::string control_number;  // AK202: our ST02
  std::string convention;      // AK203
  AckCode code = AckCode::kAccepted;  // AK501 / IK501
  std::string raw_code;               // as sent
  std::vector<std::string> errors;    // AK502..AK506
  std::vector<AckedSegmentError> segments;
};

struct FunctionalAck {
  AckKind kind = AckKind::k997;
  std::string control_number;        // this ack's own ST02
  std::string functional_id;         // AK101: GS01 of our group
  std::string group_control_number;  // AK102: our GS06
  std::string version;               // AK103 (5010)
  std::vector<AckedSet> sets;
  AckCode group_code = AckCode::kAccepted;  // AK901
  std::string raw_group_code;
  uint32_t included = 0, received = 0, accepted = 0;  // AK902..AK904
  std::vector<std::string> group_errors;              // AK905..AK909

  // The AK2 result for our set `st02` (numeric comparison), or null.
  const AckedSet* Find(std::string_view st02) const;
  // The outcome for our set `st02`: its AK5 when listed; otherwise (X12 lets accepted sets be
  // omitted) accepted when the group is A, E or P, rejected when the group is R.
  AckCode ResultFor(std::string_view st02) const;
};

struct Ta1 {
  std::string control_number;  // TA101: our ISA13
  std::string date;            // TA102
  std::string time;            // TA103
  AckCode code = AckCode::kAccepted;  // TA104 (A, E, R)
  std::string note_code;              // TA105 ("000" = no error)
};

// Parses one 997 or 999 transaction set (segments[0] is the ST). Errors: kInvalidArgument naming
// the segment and element for a missing AK1/AK9, an AK2 outside order, a bad acknowledgment code
// or a count that is not a number.
Result<FunctionalAck> ParseFunctionalAck(std::span<const Segment> segments);
// Parses a TA1 segment. Errors: kInvalidArgument naming TA101/TA104 when missing or invalid.
Result<Ta1> ParseTa1(const Segment& segment);

// Every acknowledgment in an input: 997/999 sets and TA1 segments, in input order.
struct InboundAcks {
  std::vector<FunctionalAck> acks;
  std::vector<Ta1> ta1s;

  // The result for our set (group GS06 `gs06`, set ST02 `st02`), or nullopt when no ack names
  // that group. Control numbers compare numerically.
  std::optional<AckCode> ResultFor(std::string_view gs06, std::string_view st02) const;
};
// Errors: the reader's (not X12), or the first ParseFunctionalAck/ParseTa1 error with its byte
// offset.
Result<InboundAcks> ParseAcknowledgments(ByteSource& source);
Result<InboundAcks> ParseAcknowledgments(std::string_view x12);

}  // namespace mlc::edi
