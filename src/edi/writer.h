// The X12 writer: builds interchanges with a partner's delimiters and layout, byte-stable (the
// same calls always give the same bytes).
//
// Two layers:
//  - SegmentEncoder turns one segment (tag + elements, each element made of repetitions of
//    components) into bytes. It refuses a value that contains any delimiter (kInvalidArgument
//    naming the segment, element and character: X12 has no escape character, so such a value
//    would break the file), or, when WriterOptions::replacement is set, writes that character
//    instead. It drops trailing empty elements (`N1*ST*X~`, never `N1*ST*X**~`) unless asked to
//    keep them (the lossless JSON form keeps what was written).
//  - Writer builds whole interchanges: a fixed-width ISA (AN fields space-padded, ISA13 zero-
//    padded to 9 digits, ISA11 = repetition separator from 00402 on, else 'U'; ISA16 = component
//    separator), caller-supplied control numbers (ISA13/GS06/ST02), and the computed trailers
//    SE01 (segments ST..SE), SE02 = ST02, GE01 (sets), GE02 = GS06, IEA01 (groups), IEA02 = ISA13.
//    Calls out of order (a segment outside a set, EndGroup without BeginGroup) are
//    kFailedPrecondition. Output accumulates in memory; take it with Take() or out().
//
// Thread safety: one thread per object; no shared state.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "edi/segment.h"

namespace mlc::edi {

enum class LineBreak : uint8_t { kNone, kLf, kCrLf };

std::string_view LineBreakBytes(LineBreak lb);

struct WriterOptions {
  Delimiters delimiters;
  LineBreak line_break = LineBreak::kNone;  // written after every segment terminator
  // When set, a delimiter found in a value is replaced by this character instead of failing.
  // It must not itself be a delimiter.
  std::optional<char> replacement;
  bool drop_trailing_empty = true;
};

// One element: its repetitions, each a list of components. `{{"A"}}` is the simple value "A";
// `{{"EA", "12"}}` is the composite EA>12; `{{"A"}, {"B"}}` is A^B with '^' repetition.
struct ElementValue {
  std::vector<std::vector<std::string>> repetitions;

  ElementValue() = default;
  ElementValue(std::string simple) : repetitions{{std::move(simple)}} {}  // NOLINT(google-explicit-constructor)
  ElementValue(const char* simple) : repetitions{{std::string(simple)}} {}  // NOLINT(google-explicit-constructor)
  static ElementValue Composite(std::vector<std::string> components) {
    ElementValue v;
    v.repetitions.push_back(std::move(components));
    return v;
  }
  bool empty() const;
};

class SegmentEncoder {
 public:
  explicit SegmentEncoder(WriterOptions options);

  // Appends `tag*e1*e2...~` (+ line break) to `out`. Errors: kInvalidArgument for a delimiter
  // inside a value or the tag (when no replacement is configured). The tag is not otherwise
  // judged (the lossless JSON form writes back whatever was read). On error `out` is unchanged.
  Status Append(std::string* out, std::string_view tag, std::span<const ElementValue> elements,
                uint32_t segment_number = 0) const;
  // Simple elements only (no components or repetitions).
  Status AppendSimple(std::string* out, std::string_view tag,
                      std::span<const std::string_view> elements, uint32_t segment_number = 0) const;
  // Appends bytes that were already encoded (the ISA) plus terminator and line break.
  void AppendRaw(std::string* out, std::string_view segment_bytes) const;

  const WriterOptions& options() const { return options_; }

 private:
  Status AppendValue(std::string* out, std::string_view tag, size_t element, std::string_view v,
                     uint32_t segment_number) const;

  WriterOptions options_;
  std::string terminator_;  // terminator bytes + line break
};

// ISA content (x12.md section 2). Values are padded to the fixed widths; longer values are an
// error. `control_number` must be 1..9 digits and is zero-padded.
struct IsaFields {
  std::string authorization_qualifier = "00";  // ISA01
  std::string authorization;                   // ISA02
  std::string security_qualifier = "00";       // ISA03
  std::string security;                        // ISA04
  std::string sender_qualifier = "ZZ";         // ISA05
  std::string sender_id;                       // ISA06
  std::string receiver_qualifier = "ZZ";       // ISA07
  std::string receiver_id;                     // ISA08
  std::string date;                            // ISA09 YYMMDD
  std::string time;                            // ISA10 HHMM
  std::string version = "00401";               // ISA12
  std::string control_number;                  // ISA13
  std::string ack_requested = "0";             // ISA14
  std::string usage_indicator = "P";           // ISA15
};

struct GsFields {
  std::string functional_id;  // GS01
  std::string sender;         // GS02
  std::string receiver;       // GS03
  std::string date;           // GS04 CCYYMMDD
  std::string time;           // GS05
  std::string control_number; // GS06
  std::string agency = "X";   // GS07
  std::string version;        // GS08, e.g. 004010
};

// Builds the 106-byte ISA (without terminator) for `fields` and `delimiters`. Errors:
// kInvalidArgument naming the element for a value too long or a bad control number.
Result<std::string> BuildIsa(const IsaFields& fields, const Delimiters& delimiters);

class Writer {
 public:
  explicit Writer(WriterOptions options) : encoder_(std::move(options)) {}

  Status BeginInterchange(const IsaFields& isa);
  Status BeginGroup(const GsFields& gs);
  // ST*id*control_number[*convention].
  Status BeginSet(std::string_view id, std::string_view control_number,
                  std::string_view convention = "");
  Status Add(std::string_view tag, std::span<const ElementValue> elements);
  Status Add(std::string_view tag, std::initializer_list<ElementValue> elements) {
    return Add(tag, std::span<const ElementValue>(elements.begin(), elements.size()));
  }
  Status EndSet();          // SE*count*ST02
  Status EndGroup();        // GE*sets*GS06
  Status EndInterchange();  // IEA*groups*ISA13

  const std::string& out() const { return out_; }
  // Moves the output so far out; the Writer goes on appending to an empty buffer (streaming
  // writes: take after each group).
  std::string Take() {
    std::string r = std::move(out_);
    out_.clear();
    return r;
  }

 private:
  enum class Level : uint8_t { kNone, kInterchange, kGroup, kSet };
  SegmentEncoder encoder_;
  std::string out_;
  Level level_ = Level::kNone;
  std::string isa13_, gs06_, st02_;
  uint64_t groups_ = 0, sets_ = 0;
  uint32_t segments_ = 0;
};

}  // namespace mlc::edi
