// X12 schemas as data: segment dictionaries (elements with type, length, usage, code lists,
// syntax notes) and transaction-set structures (segment order, loops, min/max use) for 850, 810,
// 855, 856, 997 and 999 in 004010 and 005010. The tables are text files under src/edi/schemas/
// (format in schemas/README.md) compiled into the binary; adding a document type or version is a
// new data file, not new code.
//
// A SchemaRegistry owns everything it parsed; the pointers it hands out stay valid for its
// lifetime. Builtin() is parsed once (thread-safe static initialisation) and lives for the whole
// process. A registry is immutable after construction and may be shared between threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "edi/segment.h"  // TagKey

namespace mlc::edi {

enum class ElementType : uint8_t {
  kId,         // a code (ID)
  kString,     // AN
  kNumeric,    // N0..N9: integer digits with `implied_decimals` implied fraction digits
  kReal,       // R: optional minus, digits, optional decimal point
  kDate,       // DT: CCYYMMDD (or YYMMDD when max_length is 6)
  kTime,       // TM: HHMM[SS[D[D]]]
  kComposite,  // a composite (C001, C030, ...): see components
};
std::string_view ElementTypeName(ElementType type);  // "ID", "AN", "N", "R", "DT", "TM", "C"

enum class Usage : uint8_t { kMandatory, kOptional, kConditional };

// A code list of one data element. `partial` lists hold the codes seen in partner guides, not the
// whole X12 list; the validator checks them only when asked (ValidatorOptions).
struct CodeList {
  std::string reference;  // data element reference number, e.g. "353"
  bool partial = false;
  std::set<std::string, std::less<>> codes;
  // The codes of up to 8 characters packed into integers, sorted (the validator's hot path).
  std::vector<uint64_t> packed;
  // The same keys in an open-addressing hash table (linear probing, power-of-two size, 0 marks
  // a free slot) so a lookup is one or two probes instead of a binary search; built by
  // BuildTable() after `packed` changes.
  std::vector<uint64_t> table;
  unsigned table_shift = 64;

  static uint64_t Pack(std::string_view code) {
    uint64_t k = 0;
    for (char c : code) k = (k << 8) | static_cast<unsigned char>(c);
    return k;
  }
  void BuildTable();
  bool Contains(std::string_view code) const {
    if (code.size() > 8) return codes.find(code) != codes.end();
    const uint64_t k = Pack(code);
    // (Key 0, the empty code, cannot be told from a free slot: the sorted keys answer it.)
    if (k == 0 || table.empty()) return std::binary_search(packed.begin(), packed.end(), k);
    const size_t mask = table.size() - 1;
    for (size_t i = (k * 0x9E3779B97F4A7C15u) >> table_shift;; i = (i + 1) & mask) {
      if (table[i] == k) return true;
      if (table[i] == 0) return false;
    }
  }
};

struct ElementDef {
  std::string id;         // "BEG01", or "REF04-01" for a component
  std::string reference;  // AK402: dictionary reference ("353"), or the composite's ("C040")
  ElementType type = ElementType::kString;
  uint8_t implied_decimals = 0;  // kNumeric only
  uint16_t min_length = 1;
  uint16_t max_length = 1;
  Usage usage = Usage::kOptional;
  uint16_t max_repeat = 1;              // > 1: a repeating element (5010 repetition separator)
  const CodeList* codes = nullptr;      // ID elements with a code list
  std::vector<ElementDef> components;   // kComposite only
  bool more_components = false;         // components after the last listed are not checked
};

// An X12 syntax note ("P0607": if any of elements 6, 7 is present, all are).
struct SyntaxRule {
  enum class Kind : uint8_t {
    kPaired,           // P: if any is present, all are required
    kRequired,         // R: at least one is required
    kExclusion,        // E: not more than one may be present
    kConditional,      // C: if the first is present, all the others are required
    kListConditional,  // L: if the first is present, at least one of the others is required
  };
  Kind kind;
  // The fields the validator reads for every segment come first (one cache line per note).
  // The note cannot fire on a segment with fewer than `reach` elements (0: always checked; R
  // then reports its first element). Computed when the registry is linked.
  uint16_t reach = 0;
  // Bit p set for each position p, so the validator can judge the note with a few bit operations
  // on a mask of the present elements. 0 (no fast check) when a position is 0, above 63 or
  // repeated. Computed when the registry is linked, with `first_mask`: the bit of positions[0].
  uint64_t mask = 0;
  uint64_t first_mask = 0;
  std::vector<uint16_t> positions;  // 1-based element positions
  std::string text;                 // as written, e.g. "P0607"
};

// The validator's precompiled check of one present element of a segment: the few facts its hot
// path needs, packed into 16 bytes so a segment's checks sit in one or two cache lines (an
// ElementDef with its strings is ten times larger). It can only accept a value; anything it does
// not accept is judged again from the ElementDef, which reports what is wrong.
struct ElementCheck {
  enum class Kind : uint8_t {
    kString,     // AN: length only
    kId,         // ID: length and, with `codes`, the code list
    kNumeric,    // N0..N9: optional minus, digits; length counts digits
    kReal,       // R: optional minus, digits, at most one point; length counts digits
    kDate,       // DT
    kTime,       // TM
    kComposite,  // never accepted here (a composite with listed components is checked as its
                 // first component: a value without component separators is that component)
  };
  Kind kind = Kind::kString;
  bool partial_codes = false;  // `codes` is a partial list (checked only when asked)
  bool mandatory = false;      // the element's usage is M (for an empty value)
  uint16_t min_length = 1;
  uint16_t max_length = 1;
  const CodeList* codes = nullptr;  // kId with a code list, else null
};

struct SegmentDef {
  std::string tag;
  std::vector<ElementDef> elements;  // elements[0] is position 1
  bool more_elements = false;        // elements after the last listed exist but are not checked
  std::vector<SyntaxRule> rules;
  size_t last_mandatory = 0;         // position of the last mandatory element (0: none)
  // checks[i] for elements[i]; computed when the registry is linked (empty before).
  std::vector<ElementCheck> checks;
};

// One entry of a loop's child list: a segment, or a loop whose first segment is `tag`.
struct StructureNode {
  std::string tag;
  uint32_t key = 0;                  // TagKey(tag)
  uint32_t min_use = 0;
  uint32_t max_use = 1;              // kUnbounded for ">1"
  const SegmentDef* segment = nullptr;  // the dictionary entry (null: structure-only segment)
  std::vector<StructureNode> children;  // a loop's body after its first segment
  bool loop = false;
  // Precomputed when the registry is linked, for the validator's hot path:
  uint64_t key_filter = 0;  // FilterBit() of every child's key: a clear bit means "not here"
  size_t required_end = 0;  // 1 + index of the last child with min_use > 0 (0: none)
  // children[i].key for every i, side by side: the validator scans these for a segment's place
  // without touching a cache line per child.
  std::vector<uint32_t> child_keys;
  // children[i].min_use / max_use side by side, for the same reason.
  std::vector<uint32_t> child_min, child_max;
  // Where a child key first occurs: an open-addressing table of (key << 32 | slot), slot = index
  // + 1, with kRepeatedChild set when the key occurs more than once in `children`. Empty entries
  // are 0 (no real tag has key 0).
  std::vector<uint64_t> child_slots;
  uint32_t child_slot_shift = 31;  // 32 - log2(child_slots.size()): the hash's top bits
  static constexpr uint32_t kRepeatedChild = 0x80000000u;
  static size_t SlotHash(uint32_t key, uint32_t shift) { return (key * 0x9E3779B1u) >> shift; }
  // The slot of `child_key` (0: no child has it).
  uint32_t ChildSlot(uint32_t child_key) const {
    const size_t mask = child_slots.size() - 1;  // a power of two (linked), never 0
    for (size_t i = SlotHash(child_key, child_slot_shift);; i = (i + 1) & mask) {
      const uint64_t e = child_slots[i];
      if (e == 0) return 0;
      if (static_cast<uint32_t>(e >> 32) == child_key) return static_cast<uint32_t>(e);
    }
  }

  static uint64_t FilterBit(uint32_t key) { return TagFilterBit(key); }

  static constexpr uint32_t kUnbounded = 0xFFFFFFFFu;
  static constexpr size_t kMaxLoopDepth = 16;
  bool is_loop() const { return loop; }
};

// The segment dictionary of one version.
struct Dictionary {
  std::string version;  // "004010"
  std::unordered_map<uint32_t, SegmentDef> segments;  // by TagKey
  std::set<std::string, std::less<>> known;  // every segment id this version knows of

  const SegmentDef* Find(std::string_view tag) const {
    auto it = segments.find(TagKey(tag));
    return it == segments.end() ? nullptr : &it->second;
  }
  bool Knows(std::string_view tag) const { return known.find(tag) != known.end(); }
};

struct TransactionSetSchema {
  std::string id;             // "850"
  std::string version;        // "004010"
  std::string functional_id;  // GS01: "PO"
  std::string title;
  StructureNode root;         // a pseudo-loop whose children are ST ... SE (loops nest at most
                              // kMaxLoopDepth deep)
  const Dictionary* dictionary = nullptr;
  std::set<std::string, std::less<>> tags;  // every tag anywhere in the structure
  // The business unit identifier (a `unit BEG03` line): the element naming the document, used
  // for the 999's CTX (validator.h ErrorContext). unit_id "" when the set has none.
  std::string unit_id;
  uint32_t unit_key = 0;       // TagKey of its segment
  uint16_t unit_element = 0;   // its position

  bool Contains(std::string_view tag) const { return tags.find(tag) != tags.end(); }
};

class SchemaRegistry {
 public:
  // The schemas compiled from src/edi/schemas/. Parsed on first use; a parse error in our own
  // data aborts (belief: the data is tested by schema_test).
  static const SchemaRegistry& Builtin();

  // Parses schema files (dictionaries first, then code lists and sets in any order; see
  // schemas/README.md). Errors: kInvalidArgument naming the file name given, the line and what is
  // wrong (unknown type, bad length, element id not matching its position, unknown base version,
  // set for a version without dictionary, ...).
  struct File {
    std::string name;
    std::string_view text;
  };
  static Result<std::unique_ptr<SchemaRegistry>> Parse(const std::vector<File>& files);

  // The schema for set `id` (ST01) in the group version `gs08` (GS08, e.g. "004010VICS"), or null.
  // Versions are matched on their first six characters; a version without its own tables falls
  // back to the nearest lower one of the same major release (004030 -> 004010,
  // 005010X231A1 -> 005010), never across majors (003010 has none).
  const TransactionSetSchema* Find(std::string_view id, std::string_view gs08) const;
  // The dictionary used for `gs08` by the same rule, or null.
  const Dictionary* FindDictionary(std::string_view gs08) const;
  // The version Find() would use for `gs08` ("" when none).
  std::string ResolveVersion(std::string_view gs08) const;

  std::vector<const TransactionSetSchema*> sets() const;
  const CodeList* FindCodes(std::string_view reference) const;

 private:
  SchemaRegistry() = default;
  Status ParseDictionary(const File& file);
  Status ParseCodes(const File& file);
  Status ParseSet(const File& file);
  Status Link();

  std::map<std::string, std::unique_ptr<Dictionary>, std::less<>> dictionaries_;
  std::map<std::string, std::unique_ptr<CodeList>, std::less<>> codes_;
  // key: version + "/" + id
  std::map<std::string, std::unique_ptr<TransactionSetSchema>, std::less<>> sets_;
};

}  // namespace mlc::edi
