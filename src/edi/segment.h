// The X12 vocabulary shared by the reader, validator, writer and JSON forms: delimiters, a
// segment as views into the reader's buffer, and precise locations for errors.
//
// A Segment never owns its bytes: it is valid until the reader that produced it advances past
// its transaction set (see reader.h for the exact lifetime). Element access is 1-based, as X12
// numbers elements (element(1) of BEG is BEG01); a missing element reads as "".
//
// Thread safety: values; a Segment may be read from any thread while its buffer lives.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mlc::edi {

// The four delimiters of one interchange, as declared by its ISA.
struct Delimiters {
  char element = '*';    // ISA byte 3
  char component = '>';  // ISA16
  char segment = '~';    // the byte after ISA16
  char repetition = 0;   // ISA11 when ISA12 >= 00402 and not alphanumeric; 0 = none
  // A multi-byte UTF-8 segment terminator (U+2026 and U+00D6 occur in real files): `segment`
  // holds its lead byte and these are the continuation bytes that follow it. Size 0 for the usual
  // one-byte terminator.
  uint8_t segment_tail_size = 0;
  std::array<char, 3> segment_tail = {};

  // The terminator as written (1 to 4 bytes).
  std::string segment_terminator() const {
    std::string t(1, segment);
    t.append(segment_tail.data(), segment_tail_size);
    return t;
  }

  friend bool operator==(const Delimiters&, const Delimiters&) = default;
};

// Where something is in the input: byte offset from the start of the input (after a BOM, if
// any, is still counted: offsets are of the original bytes), the segment's ordinal within its
// transaction set (ST = 1, as AK301 wants) and within the whole input, and the element position
// (1-based; 0 = the segment as a whole) and component position (1-based; 0 = whole element).
struct Location {
  uint64_t byte_offset = 0;
  uint32_t segment_in_set = 0;    // AK302: position counted from ST = 1; 0 outside a set
  uint64_t segment_in_input = 0;  // 1-based across the whole input
  uint16_t element = 0;           // AK401 position
  uint16_t component = 0;         // AK401 component position
};

// Packs a segment tag (2..3 characters) into an integer for fast comparisons. Tags longer than 3
// characters (and the empty tag) get a key no real tag has.
constexpr uint32_t TagKey(std::string_view tag) {
  const size_t n = tag.size();
  if (n - 1 > 2) return 0xFFFFFFFFu;  // empty (n - 1 wraps) or longer than 3
  // Without a loop: tags of 2 and 3 characters alternate in a set, a per-length loop would
  // mispredict. Same value as shifting the characters in one by one.
  const uint32_t a = static_cast<unsigned char>(tag[0]);
  const uint32_t b = static_cast<unsigned char>(tag[n > 1 ? 1 : 0]);
  const uint32_t c = static_cast<unsigned char>(tag[n - 1]);
  const uint32_t k2 = (a << 8) | b;
  const uint32_t k3 = (a << 16) | (b << 8) | c;
  return n == 3 ? k3 : (n == 2 ? k2 : a);
}

// A one-bit-of-64 hash of a tag key, for filters: OR the bits of a set of tags; a key whose bit
// is clear is not in the set (a set bit means "maybe": compare the keys).
constexpr uint64_t TagFilterBit(uint32_t key) {
  return uint64_t{1} << ((key * 0x9E3779B1u) >> 26);
}

// One segment. `raw_` is the segment's bytes and the element views lie inside it (the validator
// scans raw() once instead of each element). `elements_` points at `count_` views (index 0 is
// the tag) that the reader keeps in a reused per-transaction-set array, so steady-state reading
// does not allocate per element and all segments of a set can be looked at together (the
// validator needs that).
class Segment {
 public:
  // Whether the segment's bytes (raw(), without its terminator) are all ordinary: no control
  // byte (below 0x20), DEL, byte of 0x80 or above (UTF-8), component or repetition separator,
  // element separators aside. A reader with ReaderOptions::mark_plain knows it from its scan
  // (kYes / kNo); other segments say kUnknown and the validator looks itself.
  enum class Plain : uint8_t { kUnknown, kYes, kNo };

  Segment() = default;
  Segment(std::string_view raw, const std::string_view* elements, size_t count,
          const Delimiters* delimiters, Location location)
      : raw_(raw),
        elements_(elements),
        count_(count),
        key_(count > 0 && elements != nullptr ? TagKey(elements[0]) : TagKey({})),
        delimiters_(delimiters),
        location_(location) {}

  std::string_view tag() const { return count_ > 0 ? elements_[0] : std::string_view(); }
  // TagKey(tag()), computed once.
  uint32_t tag_key() const { return key_; }
  // Number of data elements present (trailing empty elements included as written).
  size_t size() const { return count_ > 0 ? count_ - 1 : 0; }
  // 1-based element; "" when absent.
  std::string_view element(size_t i) const {
    return i > 0 && i < count_ ? elements_[i] : std::string_view();
  }
  // 1-based component `c` of element `i` (split by the component separator); "" when absent.
  std::string_view component(size_t i, size_t c) const {
    std::string_view e = element(i);
    if (c == 0 || delimiters_ == nullptr) return e;
    size_t start = 0;
    for (size_t k = 1;; ++k) {
      size_t end = e.find(delimiters_->component, start);
      if (k == c) return e.substr(start, end == std::string_view::npos ? e.npos : end - start);
      if (end == std::string_view::npos) return {};
      start = end + 1;
    }
  }
  // The element views: element_data()[i] is element(i) for 0 <= i <= size() (0 = the tag).
  const std::string_view* element_data() const { return elements_; }
  // The segment's bytes without its terminator.
  std::string_view raw() const { return raw_; }
  Plain plain() const { return plain_; }
  const Delimiters& delimiters() const { return *delimiters_; }
  const Location& location() const { return location_; }

 private:
  // The reader builds a set's segments in place while their element array may still grow, and
  // points them at their elements (and at a moved buffer) afterwards; it knows the tag's key and
  // the plainness from its scan.
  friend class Reader;
  Segment(std::string_view raw, size_t count, uint32_t key, Plain plain,
          const Delimiters* delimiters, Location location)
      : raw_(raw),
        count_(count),
        key_(key),
        plain_(plain),
        delimiters_(delimiters),
        location_(location) {}

  std::string_view raw_;
  const std::string_view* elements_ = nullptr;
  size_t count_ = 0;
  uint32_t key_ = TagKey({});
  Plain plain_ = Plain::kUnknown;
  const Delimiters* delimiters_ = nullptr;
  Location location_;
};

}  // namespace mlc::edi
