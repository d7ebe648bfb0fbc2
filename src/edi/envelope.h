// Envelope checks over the reader's event stream: ISA fixed widths and numeric fields, IEA01/IEA02,
// GE01/GE02, SE01/SE02, duplicate control numbers, ST03 vs GS08, missing trailers, segments and
// sets outside their envelopes. Every problem becomes a structured Finding (kind, message,
// Location with byte offset, segment number and element position, and the control numbers that
// key it), not only the first one.
//
// FindingKind maps one to one onto the X12 reason codes (x12.md section 8), so the 997/999 and
// TA1 builders need no judgement of their own: Ak502Code() for set-level kinds (AK5), Ak905Code()
// for group-level kinds (AK9), Ta105Code() for interchange-level kinds (TA1 note codes; for
// kIsaElementInvalid the code depends on the element, taken from the finding's location).
//
// Counts and control numbers are compared numerically when both sides are digits
// (`SE*0000000026` matches 26; IEA02 `3438` matches ISA13 `000003438`), else as strings.
//
// Thread safety: an EnvelopeChecker is used from one thread; findings are plain values.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/status.h"
#include "edi/reader.h"
#include "edi/segment.h"

namespace mlc::edi {

enum class FindingKind : uint8_t {
  // Interchange level: reported in a TA1 (TA105 note code in the comment).
  kInterchangeControlNumberMismatch,   // 001  IEA02 != ISA13
  kIsaElementInvalid,                  // 005..020, 027 by element: wrong fixed width, not numeric
  kInterchangeGroupCountWrong,         // 021  IEA01 != number of groups
  kInterchangeTrailerMissing,          // 023  no IEA (premature end of file / next ISA)
  kInterchangeContentInvalid,          // 024  truncated GS, stray segment, GE without GS
  kDuplicateInterchangeControlNumber,  // 025  same sender, receiver and ISA13 twice in the input
  kDelimitersNotDistinct,              // 026  two delimiters are the same character
  // Group level: AK905 codes.
  kGroupTrailerMissing,          // 3
  kGroupControlNumberMismatch,   // 4   GE02 != GS06
  kGroupSetCountWrong,           // 5   GE01 != number of sets
  kGroupControlNumberInvalid,    // 6   GS06 missing or not numeric
  kDuplicateGroupControlNumber,  // 19  GS06 repeated within the interchange (GS08 005010+ only)
  // Transaction set level: AK502 codes.
  kSetTrailerMissing,          // 2
  kSetControlNumberMismatch,   // 3   SE02 != ST02
  kSegmentCountWrong,          // 4   SE01 != segments ST..SE
  kSetIdentifierInvalid,       // 6   ST01 missing or not 3 characters
  kSetControlNumberInvalid,    // 7   ST02 missing or not 4..9 characters
  kSetOutsideGroup,            // 18  ST without an enclosing GS
  kSetConventionMismatch,      // 19  ST03 present and != GS08
  kDuplicateSetControlNumber,  // 23  ST02 repeated within the group
};

enum class FindingScope : uint8_t { kInterchange, kGroup, kSet };

FindingScope ScopeOf(FindingKind kind);
// Stable kebab-case name, e.g. "segment-count-wrong".
std::string_view FindingKindName(FindingKind kind);

struct Finding {
  FindingKind kind;
  std::string message;  // lowercase, names the values: "SE01 is 15 but the set has 14 segments"
  Location location;    // the offending segment; element = the offending element (0 = segment)
  std::string segment_tag;                 // tag of the located segment ("" for end of input)
  std::string interchange_control_number;  // ISA13 as written
  std::string functional_id;               // GS01 ("" outside a group)
  std::string group_control_number;        // GS06
  std::string group_version;               // GS08
  std::string set_id;                      // ST01 ("" for group/interchange findings)
  std::string set_control_number;          // ST02
};

// AK502 code for a set-level kind ("" otherwise): kSetTrailerMissing -> "2", ...
std::string_view Ak502Code(FindingKind kind);
// AK905 code for a group-level kind ("" otherwise): kGroupTrailerMissing -> "3", ...
std::string_view Ak905Code(FindingKind kind);
// TA105 note code for an interchange-level finding ("" otherwise). For kIsaElementInvalid the
// code depends on finding.location.element (ISA01 -> "010", ISA06 -> "006", ISA16 -> "027", ...).
std::string_view Ta105Code(const Finding& finding);

struct EnvelopeOptions {
  bool require_fixed_width_isa = true;  // report ISA elements not at their fixed widths
  bool check_convention = true;         // report ST03 != GS08 when ST03 is present
  // Report an ISA13 used twice for the same sender/receiver within one input. Off by default:
  // uniqueness is a property of the partner's history (the store checks it across files), and
  // two public "valid" samples repeat an interchange on purpose.
  bool check_duplicate_interchanges = false;
};

// Watches an event stream and collects findings. Call Observe for every event in order (kEnd
// included, which is harmless). Findings are appended in input order.
class EnvelopeChecker {
 public:
  explicit EnvelopeChecker(EnvelopeOptions options = {}) : options_(options) {}

  void Observe(const Event& ev);
  const std::vector<Finding>& findings() const { return findings_; }
  std::vector<Finding> TakeFindings() { return std::move(findings_); }

 private:
  void Add(FindingKind kind, const Location& loc, std::string_view tag, std::string message,
           const TransactionSet* set = nullptr);
  void CheckIsa(const Event& ev);

  EnvelopeOptions options_;
  std::vector<Finding> findings_;
  std::string isa13_;
  bool in_group_ = false;
  std::string functional_id_, gs06_, gs08_;
  uint64_t groups_ = 0;
  uint64_t sets_ = 0;
  bool stray_run_ = false;  // inside a run of stray segments (reported once)
  std::set<std::string> group_numbers_;
  // ST02s seen in the open group: all-digit ones by value in a sorted vector (no allocation per
  // set; increasing numbers append), others as strings.
  bool InsertSetNumber(std::string_view cn);
  std::vector<uint64_t> set_numbers_;
  std::set<std::string> set_names_;
  std::set<std::tuple<std::string, std::string, std::string>> interchanges_;
};

// Reads all of `source` and returns the envelope findings. Reader errors (not X12, EBCDIC, ...)
// are returned as the Status.
Result<std::vector<Finding>> CheckEnvelopes(ByteSource& source, EnvelopeOptions options = {});

// True when `a` and `b` are equal as X12 numbers (both all digits: leading zeros ignored) or as
// strings. Spaces around either are ignored.
bool SameNumber(std::string_view a, std::string_view b);

}  // namespace mlc::edi
