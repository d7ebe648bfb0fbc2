#include "edi/validator.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mlc::edi {
namespace {

constexpr size_t kMaxElementErrors = 99;  // AK4 max use per AK3 loop (x12.md §8)

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Characters counted for length: N and R values exclude sign and decimal point (X12 rule);
// other values count characters (UTF-8 continuation bytes are not counted).
size_t ValueLength(const ElementDef& e, std::string_view v) {
  size_t n = 0;
  if (e.type == ElementType::kNumeric || e.type == ElementType::kReal) {
    for (char c : v) n += IsDigit(c);
    return n;
  }
  for (char c : v) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool HasControlCharacter(std::string_view v) {
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

int ToInt(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// CCYYMMDD, or YYMMDD read as 20YY (only the leap year rule needs the century).
bool ValidDate(std::string_view v) {
  if ((v.size() != 8 && v.size() != 6) || !AllDigits(v)) return false;
  const char* p = v.data() + v.size() - 4;  // MMDD
  const int month = (p[0] - '0') * 10 + (p[1] - '0');
  const int day = (p[2] - '0') * 10 + (p[3] - '0');
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day <= kDays[month - 1]) return true;
  if (month != 2 || day != 29) return false;
  const int year = v.size() == 8 ? ToInt(v.substr(0, 4)) : 2000 + ToInt(v.substr(0, 2));
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool ValidTime(std::string_view v) {
  if (!AllDigits(v) || v.size() < 4 || v.size() > 8) return false;
  if (ToInt(v.substr(0, 2)) > 23 || ToInt(v.substr(2, 2)) > 59) return false;
  if (v.size() >= 6 && ToInt(v.substr(4, 2)) > 59) return false;
  return true;
}

std::string Clip(std::string_view v) { return std::string(v.substr(0, 99)); }

// Judges one set; see ValidateSet.
class SetChecker {
 public:
  SetChecker(const TransactionSetSchema& schema, const ValidatorOptions& options, bool approximate,
             SetResult* out)
      : schema_(schema),
        options_(options),
        out_(out),
        v5010_(schema.version >= "005"),
        approximate_(approximate) {}

  void Run(std::span<const Segment> segments, bool has_trailer) {
    stack_.push_back(Frame{&schema_.root, 0, 0});
    for (size_t k = 0; k < segments.size(); ++k) OnSegment(segments[k]);
    if (segments.empty()) return;
    const Segment& last = segments.back();
    // Close every open loop; at the top level SE is the envelope's business (AK502 2).
    while (stack_.size() > 1) {
      Close(stack_.back(), last, false);
      stack_.pop_back();
    }
    Close(stack_.back(), last, !has_trailer);
  }

  // A fixed-capacity stack of open loops (no allocation per set); the schema parser bounds the
  // nesting to kMaxLoopDepth.
  template <typename T, size_t N>
  class FixedStack {
   public:
    void push_back(const T& v) {
      if (size_ < N) data_[size_++] = v;  // belief: depth <= kMaxLoopDepth (schema.cc checks)
    }
    void pop_back() { --size_; }
    T& back() { return data_[size_ - 1]; }
    T& operator[](size_t i) { return data_[i]; }
    const T* begin() const { return data_.data(); }
    const T* end() const { return data_.data() + size_; }
    size_t size() const { return size_; }

   private:
    std::array<T, N> data_{};
    size_t size_ = 0;
  };

 private:
  struct Frame {
    const StructureNode* loop;
    size_t pos;     // index into loop->children
    uint32_t uses;  // uses of children[pos]
  };

  std::string_view LoopId(const Frame& f) const {
    return f.loop == &schema_.root ? std::string_view() : std::string_view(f.loop->tag);
  }

  SegmentError& AddSegmentError(const Segment& at, std::string_view tag, std::string_view loop_id,
                                SegmentErrorCode code, std::string message) {
    SegmentError e;
    e.tag = std::string(tag);
    e.position = at.location().segment_in_set;
    e.loop_id = std::string(loop_id);
    e.code = code;
    e.location = at.location();
    e.message = std::move(message);
    out_->segments.push_back(std::move(e));
    return out_->segments.back();
  }

  // Reports mandatory entries of `f` from its position on that were not (fully) used.
  // `skip_se`: at the end of a set without trailer, SE itself is the envelope's finding.
  void Close(const Frame& f, const Segment& at, bool skip_se) {
    const auto& ch = f.loop->children;
    const uint32_t* min = f.loop->child_min.data();
    for (size_t j = f.pos; j < f.loop->required_end; ++j) {
      uint32_t uses = j == f.pos ? f.uses : 0;
      if (min[j] > uses && !(skip_se && ch[j].tag == "SE")) Missing(ch[j], f, at);
    }
  }

  void MissingBetween(const Frame& f, size_t to, const Segment& at) {
    const auto& ch = f.loop->children;
    const uint32_t* min = f.loop->child_min.data();
    to = std::min(to, f.loop->required_end);
    for (size_t j = f.pos; j < to; ++j) {
      uint32_t uses = j == f.pos ? f.uses : 0;
      if (min[j] > uses) Missing(ch[j], f, at);
    }
  }

  void Missing(const StructureNode& n, const Frame& f, const Segment& at) {
    AddSegmentError(at, n.tag, n.is_loop() ? std::string_view(n.tag) : LoopId(f),
                    SegmentErrorCode::kMandatorySegmentMissing,
                    fmt::format("mandatory {} {} is missing before segment {} ({})",
                                n.is_loop() ? "loop" : "segment", n.tag,
                                at.location().segment_in_set, at.tag()));
  }

  // Index of the entry for `key` in `f` from its position on (-1 if none); `over` when the only
  // candidate has reached its maximum use.
  static int Find(const Frame& f, uint32_t key, bool* over) {
    const StructureNode& loop = *f.loop;
    const uint32_t slot = loop.ChildSlot(key);
    *over = false;
    if (slot == 0) return -1;
    if ((slot & StructureNode::kRepeatedChild) == 0) {
      // The usual case: the key occurs once in the loop, at slot - 1.
      const size_t i = slot - 1;
      if (i < f.pos) return -1;
      const uint32_t uses = i == f.pos ? f.uses : 0;
      *over = uses >= loop.child_max[i];
      return static_cast<int>(i);
    }
    // A key that occurs more than once (REF in two places of a loop): the first from the
    // position on with uses left, else the first that is full.
    const uint32_t* keys = loop.child_keys.data();
    const size_t count = loop.child_keys.size();
    int first_full = -1;
    for (size_t i = f.pos; i < count; ++i) {
      if (keys[i] != key) continue;
      uint32_t uses = i == f.pos ? f.uses : 0;
      if (uses < loop.child_max[i]) return static_cast<int>(i);
      if (first_full < 0) first_full = static_cast<int>(i);
    }
    *over = first_full >= 0;
    return first_full;
  }

  void OnSegment(const Segment& s) {
    std::string_view tag = s.tag();
    const uint32_t key = s.tag_key();
    const uint64_t bit = StructureNode::FilterBit(key);
    for (size_t d = stack_.size(); d-- > 0;) {
      if ((stack_[d].loop->key_filter & bit) == 0) continue;  // no child has this tag
      bool over = false;
      int i = Find(stack_[d], key, &over);
      if (i < 0) continue;
      while (stack_.size() > d + 1) {
        Close(stack_.back(), s, false);
        stack_.pop_back();
      }
      Frame& f = stack_[d];
      auto idx = static_cast<size_t>(i);
      if (idx != f.pos) {
        MissingBetween(f, idx, s);
        f.pos = idx;
        f.uses = 0;
      }
      ++f.uses;
      const StructureNode& n = f.loop->children[idx];
      std::string_view loop_id = n.is_loop() ? std::string_view(n.tag) : LoopId(f);
      if (over) {
        if (n.is_loop()) {
          AddSegmentError(s, tag, loop_id, SegmentErrorCode::kLoopOverMaximum,
                          fmt::format("loop {} occurs more than {} times", n.tag, n.max_use));
        } else {
          AddSegmentError(s, tag, loop_id, SegmentErrorCode::kSegmentExceedsMaximumUse,
                          fmt::format("segment {} occurs more than {} times here", n.tag,
                                      n.max_use));
        }
      }
      if (n.is_loop()) stack_.push_back(Frame{&n, 0, 0});
      size_t errors_before = out_->segments.size();
      if (n.segment != nullptr) CheckElements(s, *n.segment, loop_id);
      if (key == schema_.unit_key && unit_position_ == 0) NoteUnit(s, errors_before);
      return;
    }
    Unmatched(s);
  }

  // The first segment carrying the business unit identifier: its value is known when present
  // and free of element errors (RFI 2293: an identifier with errors is "unknown").
  void NoteUnit(const Segment& s, size_t errors_before) {
    std::string_view v = s.element(schema_.unit_element);
    if (v.empty()) return;
    for (size_t k = errors_before; k < out_->segments.size(); ++k) {
      for (const ElementError& e : out_->segments[k].elements) {
        if (e.element == schema_.unit_element) return;
      }
    }
    // At most 35 characters (CTX01-2 is AN 1/35; RFI 2293 says truncate), not splitting UTF-8.
    size_t cut = 0, chars = 0;
    while (cut < v.size() && chars < 35) {
      ++cut;
      while (cut < v.size() && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) ++cut;
      ++chars;
    }
    unit_value_ = std::string(v.substr(0, cut));
    unit_position_ = s.location().segment_in_set;
  }

 public:
  // Gives every error within the business unit (at or after the identifier's segment) its
  // business unit CTX.
  void AddUnitContexts() {
    if (unit_position_ == 0) return;
    for (SegmentError& e : out_->segments) {
      if (e.position < unit_position_) continue;
      ErrorContext c;
      c.name = schema_.unit_id;
      c.reference = unit_value_;
      e.contexts.push_back(std::move(c));
    }
  }

 private:
  void Unmatched(const Segment& s) {
    std::string_view tag = s.tag();
    std::string_view loop_id = LoopId(stack_.back());
    bool well_formed = tag.size() >= 2 && tag.size() <= 3 &&
                       std::all_of(tag.begin(), tag.end(), [](char c) {
                         return IsDigit(c) || (c >= 'A' && c <= 'Z');
                       });
    if (!well_formed || !schema_.dictionary->Knows(tag)) {
      SegmentError& e = AddSegmentError(
          s, tag, loop_id, SegmentErrorCode::kUnrecognizedSegment,
          fmt::format("segment id '{}' is not an X12 {} segment", tag, schema_.version));
      e.tolerated = options_.accept_unknown_segments || approximate_;
      return;
    }
    if (!schema_.Contains(tag)) {
      SegmentError& e = AddSegmentError(
          s, tag, loop_id, SegmentErrorCode::kSegmentNotInSet,
          fmt::format("segment {} is not part of the {} transaction set", tag, schema_.id));
      e.tolerated = options_.accept_unknown_segments || approximate_;
      return;
    }
    // Defined in this set: earlier in an open loop means out of sequence, else unexpected here.
    uint32_t key = TagKey(tag);
    for (const Frame& f : stack_) {
      const auto& ch = f.loop->children;
      for (size_t i = 0; i < f.pos && i < ch.size(); ++i) {
        if (ch[i].key == key) {
          AddSegmentError(s, tag, loop_id, SegmentErrorCode::kSegmentOutOfSequence,
                          fmt::format("segment {} is out of sequence (it belongs before {})", tag,
                                      ch[f.pos].tag))
              .tolerated = approximate_;
          return;
        }
      }
    }
    AddSegmentError(s, tag, loop_id, SegmentErrorCode::kUnexpectedSegment,
                    fmt::format("segment {} is not expected here (not inside its loop)", tag))
        .tolerated = approximate_;
  }

  // The AK3 for `s` collecting its element errors (created on the first one).
  ElementError& AddElementError(const Segment& s, std::string_view loop_id, const ElementDef& e,
                                uint16_t element, uint16_t component, ElementErrorCode code,
                                std::string_view value, std::string message) {
    if (current_ == nullptr) {
      current_ = &AddSegmentError(s, s.tag(), loop_id, SegmentErrorCode::kSegmentHasElementErrors,
                                  fmt::format("segment {} has data element errors", s.tag()));
      current_->tolerated = true;  // until an element error counts
    }
    ElementError err;
    err.element = element;
    err.component = component;
    err.reference = e.reference;
    err.code = code;
    err.value = Clip(value);
    err.id = e.id;
    err.message = std::move(message);
    if (current_->elements.size() < kMaxElementErrors) current_->elements.push_back(std::move(err));
    else overflow_.push_back(std::move(err));
    return overflow_.empty() ? current_->elements.back() : overflow_.back();
  }

  void Counted(ElementError& err) {
    if (!err.tolerated) current_->tolerated = false;
  }

  bool CodeListIgnored(const ElementDef& e) const {
    const auto& ig = options_.ignore_code_lists_for;
    if (ig.empty()) return false;
    std::string_view id = e.id;
    if (size_t dash = id.find('-'); dash != std::string_view::npos) id = id.substr(0, dash);
    return ig.count(e.id) != 0 || ig.count(id) != 0 || ig.count(e.reference) != 0;
  }

  // `ctrl`: the value contains a control character (the caller scanned it already).
  // `chars`: the value's length in characters when the caller counted it, else -1.
  void CheckValue(const Segment& s, std::string_view loop_id, const ElementDef& e, uint16_t pos,
                  uint16_t comp, std::string_view v, bool ctrl, int64_t chars = -1) {
    auto add = [&](ElementErrorCode code, std::string message, bool tolerated = false) {
      ElementError& err = AddElementError(s, loop_id, e, pos, comp, code, v, std::move(message));
      err.tolerated = tolerated;
      Counted(err);
    };
    size_t len = 0;
    switch (e.type) {
      case ElementType::kNumeric:
      case ElementType::kReal: {
        // One pass: optional leading minus, digits, at most one point (R only); length counts
        // digits only.
        bool ok = true, point = false;
        for (size_t k = 0; k < v.size(); ++k) {
          char c = v[k];
          if (IsDigit(c)) {
            ++len;
          } else if (c == '-' && k == 0) {
          } else if (c == '.' && !point && e.type == ElementType::kReal) {
            point = true;
          } else {
            ok = false;
            break;
          }
        }
        if (!ok || len == 0) {
          return add(ElementErrorCode::kInvalidCharacter,
                     e.type == ElementType::kReal
                         ? fmt::format("{} '{}' is not a decimal number", e.id, v)
                         : fmt::format("{} '{}' is not an N{} number (digits only, implied "
                                       "decimals)", e.id, v, e.implied_decimals));
        }
        break;
      }
      case ElementType::kDate:
        if (!AllDigits(v)) {
          return add(ElementErrorCode::kInvalidDate, fmt::format("{} '{}' is not a date", e.id, v));
        }
        len = v.size();
        break;
      case ElementType::kTime:
        if (!AllDigits(v)) {
          return add(ElementErrorCode::kInvalidTime, fmt::format("{} '{}' is not a time", e.id, v));
        }
        len = v.size();
        break;
      default:
        if (ctrl) {
          return add(ElementErrorCode::kInvalidCharacter,
                     fmt::format("{} contains a control character", e.id));
        }
        len = chars >= 0 ? static_cast<size_t>(chars) : ValueLength(e, v);
        break;
    }
    if (len < e.min_length) {
      return add(ElementErrorCode::kTooShort,
                 fmt::format("{} '{}' is shorter than {} characters", e.id, v, e.min_length));
    }
    if (len > e.max_length) {
      return add(ElementErrorCode::kTooLong,
                 fmt::format("{} is longer than {} characters ({})", e.id, e.max_length, len));
    }
    if (e.type == ElementType::kDate && !ValidDate(v)) {
      return add(ElementErrorCode::kInvalidDate, fmt::format("{} '{}' is not a valid date", e.id, v));
    }
    if (e.type == ElementType::kTime && !ValidTime(v)) {
      return add(ElementErrorCode::kInvalidTime, fmt::format("{} '{}' is not a valid time", e.id, v));
    }
    if (e.codes != nullptr && (!e.codes->partial || options_.check_partial_code_lists) &&
        !e.codes->Contains(v)) {
      add(ElementErrorCode::kInvalidCode,
          fmt::format("{} '{}' is not a code of element {}", e.id, v, e.reference),
          CodeListIgnored(e));
    }
  }

  void CheckComposite(const Segment& s, std::string_view loop_id, const ElementDef& e,
                      uint16_t pos, std::string_view v) {
    char sep = s.delimiters().component;
    size_t k = 0, start = 0;
    for (;;) {
      size_t end = v.find(sep, start);
      std::string_view c = v.substr(start, end == std::string_view::npos ? v.npos : end - start);
      ++k;
      if (k > e.components.size()) {
        if (!e.more_components && !c.empty()) {
          ElementError& err = AddElementError(
              s, loop_id, e, pos, static_cast<uint16_t>(k), ElementErrorCode::kTooManyComponents,
              c, fmt::format("{} has more than {} components", e.id, e.components.size()));
          Counted(err);
        }
      } else {
        const ElementDef& cd = e.components[k - 1];
        if (c.empty()) {
          if (cd.usage == Usage::kMandatory) {
            ElementError& err = AddElementError(
                s, loop_id, cd, pos, static_cast<uint16_t>(k), ElementErrorCode::kMandatoryMissing,
                "", fmt::format("mandatory component {} is missing", cd.id));
            Counted(err);
          }
        } else {
          CheckValue(s, loop_id, cd, pos, static_cast<uint16_t>(k), c, HasControlCharacter(c));
        }
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }

  static constexpr uint8_t kComponent = 1, kRepetition = 2, kControl = 4;

  // The reader's segments have their element views inside raw(); a Segment built otherwise
  // takes the per-element path.
  static bool RawSpansElements(const Segment& s) {
    if (s.size() == 0) return true;
    std::string_view raw = s.raw(), first = s.tag(), last = s.element(s.size());
    return first.data() >= raw.data() && last.data() + last.size() <= raw.data() + raw.size();
  }

  // True when `raw` (a segment without its terminator) has no byte that the per-element scan
  // would flag or count differently: no control character, DEL or byte >= 0x80 (UTF-8), no
  // component or repetition separator. Element separators are allowed (they may be control
  // characters themselves).
  static bool PlainSegment(std::string_view raw, const Delimiters& d) {
    const char* p = raw.data();
    const size_t len = raw.size();
#if defined(__SSE2__)
    if (len >= 16) {
      const __m128i space = _mm_set1_epi8(0x20);
      const __m128i del = _mm_set1_epi8(0x7F);
      const __m128i comp = _mm_set1_epi8(d.component);
      const __m128i rep = _mm_set1_epi8(d.repetition);  // 0 (none) is a control byte anyway
      const __m128i sep = _mm_set1_epi8(d.element);
      auto special = [&](const char* at) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        // Signed compare: bytes 0x00..0x1F and 0x80..0xFF are both "less than" 0x20.
        __m128i bad = _mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, del));
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpeq_epi8(x, comp), _mm_cmpeq_epi8(x, rep)));
        return _mm_movemask_epi8(_mm_andnot_si128(_mm_cmpeq_epi8(x, sep), bad));
      };
      int any = 0;
      size_t k = 0;
      for (; k + 16 <= len; k += 16) any |= special(p + k);
      if (k < len) any |= special(p + len - 16);  // overlapping last block
      return any == 0;
    }
#endif
    bool bad = false;
    for (size_t k = 0; k < len; ++k) {
      char c = p[k];
      auto u = static_cast<unsigned char>(c);
      bad |= (u < 0x20 || u >= 0x7F || c == d.component || c == d.repetition) && c != d.element;
    }
    return !bad;
  }

  void Classify(const Delimiters& d) {
    // Every segment of a set points at the same Delimiters object: compare addresses first.
    if (classified_ptr_ == &d) return;
    classified_ptr_ = &d;
    if (classes_ready_ && d == classified_) return;
    for (int c = 0; c < 256; ++c) {
      classes_[c] = (c < 0x20 || c == 0x7F) ? kControl : 0;
    }
    // The delimiters win over the control class (BEL, NAK, DEL delimiters exist, x12.md §1).
    classes_[static_cast<unsigned char>(d.component)] = kComponent;
    if (d.repetition != 0) classes_[static_cast<unsigned char>(d.repetition)] = kRepetition;
    classified_ = d;
    classes_ready_ = true;
  }

  // Judges the non-empty value `v` of simple or composite element `e` at position `pos` and
  // reports what is wrong. `check`: e's precompiled check (null when the definition has none).
  // `plain`: the segment has no control, non-ASCII, component or repetition byte
  // (PlainSegment), so the byte scan is skipped.
  void CheckElement(const Segment& s, std::string_view loop_id, const ElementDef& e,
                    const ElementCheck* check, uint16_t pos, std::string_view v, bool plain) {
    const Delimiters& d = s.delimiters();
    // One branch-free pass over the value: delimiters that do not belong in it and control
    // characters (classes_ maps each byte to kComponent/kRepetition/kControl bits).
    uint8_t cls = 0;
    size_t continuation = 0;  // UTF-8 continuation bytes (not counted as characters)
    if (!plain) {
      for (char c : v) {
        auto u = static_cast<unsigned char>(c);
        cls |= classes_[u];
        continuation += (u & 0xC0) == 0x80;
      }
    }
    const size_t chars = v.size() - continuation;
    bool has_rep = (cls & kRepetition) != 0;
    bool has_comp = (cls & kComponent) != 0;
    bool has_ctrl = (cls & kControl) != 0;
    if (has_rep) {
      size_t reps = static_cast<size_t>(std::count(v.begin(), v.end(), d.repetition)) + 1;
      if (reps > e.max_repeat) {
        Counted(AddElementError(
            s, loop_id, e, pos, 0, ElementErrorCode::kTooManyRepetitions, v,
            e.max_repeat == 1
                ? fmt::format("{} does not repeat but contains the repetition separator '{}'",
                              e.id, d.repetition)
                : fmt::format("{} repeats {} times, at most {}", e.id, reps, e.max_repeat)));
        return;
      }
      if (e.type == ElementType::kComposite) {
        size_t start = 0;
        for (;;) {
          size_t end = v.find(d.repetition, start);
          std::string_view r = v.substr(start, end == v.npos ? v.npos : end - start);
          if (!r.empty()) CheckComposite(s, loop_id, e, pos, r);
          if (end == v.npos) break;
          start = end + 1;
        }
        return;
      }
    }
    if (e.type == ElementType::kComposite) {
      CheckComposite(s, loop_id, e, pos, v);
      return;
    }
    if (has_comp) {
      Counted(AddElementError(
          s, loop_id, e, pos, 0,
          v5010_ ? ElementErrorCode::kTooManyComponents : ElementErrorCode::kInvalidCharacter, v,
          fmt::format("{} is a simple element but contains the component separator '{}'", e.id,
                      d.component)));
      return;
    }
    if (!has_ctrl && check != nullptr && FastAccept(*check, v, chars)) return;
    CheckValue(s, loop_id, e, pos, 0, v, has_ctrl, static_cast<int64_t>(chars));
  }

  // True when the non-empty value `v` of `chars` characters, without control characters or
  // separators, passes the precompiled check `c`, i.e. CheckValue would report nothing for it.
  // False only means "judge it from the ElementDef" (which then finds the error, or accepts it
  // after all). Inlined into the element loop: a call per element costs more than the check.
  [[gnu::always_inline]] bool FastAccept(const ElementCheck& c, std::string_view v,
                                         size_t chars) const {
    // Kinds tested in order of frequency with plain compares (a switch's indirect jump
    // mispredicts here: the kinds of consecutive elements follow no pattern it learns).
    using Kind = ElementCheck::Kind;
    static_assert(Kind::kString < Kind::kId && Kind::kId < Kind::kNumeric &&
                      Kind::kNumeric < Kind::kReal && Kind::kReal < Kind::kDate,
                  "FastAccept tests kinds by their order");
    const size_t n = chars;  // DT and TM are accepted only as digits, where chars == v.size()
    if (c.kind <= Kind::kId) {  // AN, ID
      return n >= c.min_length && n <= c.max_length &&
             (c.codes == nullptr || (c.partial_codes && !options_.check_partial_code_lists) ||
              c.codes->Contains(v));
    }
    if (c.kind <= Kind::kReal) {  // N, R: optional leading minus, digits, one point for R
      const size_t size = v.size();
      size_t k = v[0] == '-' ? 1 : 0;
      size_t others = k;  // the minus and the point
      for (; k < size; ++k) {
        if (static_cast<unsigned char>(v[k] - '0') <= 9) continue;
        if (v[k] != '.' || c.kind != Kind::kReal || others > (v[0] == '-' ? 1u : 0u)) {
          return false;
        }
        ++others;
      }
      const size_t digits = size - others;
      return digits > 0 && digits >= c.min_length && digits <= c.max_length;
    }
    if (c.kind == Kind::kDate) {  // ValidDate/ValidTime require digits only
      return n >= c.min_length && n <= c.max_length && ValidDate(v);
    }
    if (c.kind == Kind::kTime) return n >= c.min_length && n <= c.max_length && ValidTime(v);
    return false;  // kComposite
  }

  // Reports mandatory element `i` of `def` as missing from `s`.
  void MissingElement(const Segment& s, std::string_view loop_id, const SegmentDef& def, size_t i) {
    const ElementDef& e = def.elements[i - 1];
    Counted(AddElementError(s, loop_id, e, static_cast<uint16_t>(i), 0,
                            ElementErrorCode::kMandatoryMissing, "",
                            fmt::format("mandatory element {} is missing", e.id)));
  }

  void CheckElements(const Segment& s, const SegmentDef& def, std::string_view loop_id) {
    current_ = nullptr;
    overflow_.clear();
    const Delimiters& d = s.delimiters();
    // Most segments are printable ASCII without component or repetition separators: the
    // reader's scan says so (Segment::plain), or one SIMD pass over the whole segment for a
    // segment built otherwise, and that stands for the per-element byte scans; their values go
    // through the precompiled checks (SegmentDef::checks) first.
    const bool plain = s.plain() == Segment::Plain::kYes ||
                       (s.plain() == Segment::Plain::kUnknown && RawSpansElements(s) &&
                        PlainSegment(s.raw(), d));
    if (!plain) Classify(d);
    // The linked checks, one per element (their count is cheaper to get than the elements').
    const ElementCheck* checks = def.checks.empty() ? nullptr : def.checks.data();
    const size_t n = checks != nullptr ? def.checks.size() : def.elements.size();
    const size_t size = s.size();  // (read once: the error vectors written below may alias)
    const size_t present = std::min(n, size);
    const std::string_view* values = s.element_data();  // values[i] is element i (1-based)
    // Bit i set when element i (1..63) is present, for the syntax notes; built along the way.
    uint64_t present_mask = 0;
    if (plain && checks != nullptr && present < 64) {
      // The usual case, without the per-element tests of the general loop below: every value's
      // length in characters is its size, and every element has its precompiled check.
      uint64_t bit = 1;  // 1 << i
      for (size_t i = 1; i <= present; ++i) {
        bit <<= 1;
        const std::string_view v = values[i];
        const ElementCheck& c = checks[i - 1];
        if (v.empty()) {
          if (c.mandatory) MissingElement(s, loop_id, def, i);
          continue;
        }
        present_mask |= bit;
        if (FastAccept(c, v, v.size())) continue;
        CheckElement(s, loop_id, def.elements[i - 1], &c, static_cast<uint16_t>(i), v, true);
      }
    } else {
      for (size_t i = 1; i <= present; ++i) {
        const std::string_view v = values[i];
        if (v.empty()) {
          if (def.elements[i - 1].usage == Usage::kMandatory) MissingElement(s, loop_id, def, i);
          continue;
        }
        if (i < 64) present_mask |= uint64_t{1} << i;
        const ElementCheck* check = checks != nullptr ? &checks[i - 1] : nullptr;
        // In a plain segment a value's length in characters is its size.
        if (plain && check != nullptr && FastAccept(*check, v, v.size())) continue;
        CheckElement(s, loop_id, def.elements[i - 1], check, static_cast<uint16_t>(i), v, plain);
      }
    }
    // Usually every element up to the last mandatory one is present and none lies beyond the
    // definition: nothing more to look at before the notes.
    if (size > n || present < def.last_mandatory) CheckTail(s, def, loop_id, &present_mask);
    if (!def.rules.empty()) {
      for (const SyntaxRule& r : def.rules) {
        // Notes whose elements all lie beyond the segment's last element cannot fire, except R
        // (at least one required), which then reports its first element (SyntaxRule::reach).
        if (r.reach > size) continue;
        if (r.mask != 0 && RuleHolds(r, present_mask)) continue;  // the usual case, without a call
        CheckRule(s, loop_id, def, r);
      }
    }
    current_ = nullptr;
  }

  // CheckElements for the elements after the last present one: mandatory ones missing, and
  // present ones beyond the definition (added to *present_mask for the notes; reported unless
  // more_elements).
  void CheckTail(const Segment& s, const SegmentDef& def, std::string_view loop_id,
                 uint64_t* present_mask) {
    const size_t n = def.elements.size();
    const size_t size = s.size();
    const size_t present = std::min(n, size);
    const std::string_view* values = s.element_data();
    // Elements after the last present one can only be missing: look at them only up to the last
    // mandatory one.
    for (size_t i = present + 1; i <= def.last_mandatory && i <= n; ++i) {
      if (def.elements[i - 1].usage == Usage::kMandatory) MissingElement(s, loop_id, def, i);
    }
    // Present elements beyond the definition (reported below unless more_elements).
    for (size_t i = present + 1; i <= size && i < 64; ++i) {
      *present_mask |= static_cast<uint64_t>(!values[i].empty()) << i;
    }
    if (!def.more_elements && size > n) {
      for (size_t i = n + 1; i <= size; ++i) {
        if (!s.element(i).empty()) {
          ElementDef extra;
          extra.id = fmt::format("{}{:02}", def.tag, i);
          Counted(AddElementError(s, loop_id, extra, static_cast<uint16_t>(i), 0,
                                  ElementErrorCode::kTooManyElements, s.element(i),
                                  fmt::format("{} has {} elements, at most {} are defined",
                                              def.tag, s.size(), n)));
          break;
        }
      }
    }
  }

  // True when note `r` (with a mask) is satisfied by the elements in `present`; false means
  // CheckRule must look (it reports what is wrong). Same conditions as CheckRule's.
  static bool RuleHolds(const SyntaxRule& r, uint64_t present) {
    const uint64_t have = present & r.mask;
    const bool first = (present & r.first_mask) != 0;
    switch (r.kind) {
      case SyntaxRule::Kind::kPaired: return have == 0 || have == r.mask;
      case SyntaxRule::Kind::kRequired: return have != 0;
      case SyntaxRule::Kind::kExclusion: return (have & (have - 1)) == 0;  // at most one
      case SyntaxRule::Kind::kConditional: return !first || have == r.mask;
      case SyntaxRule::Kind::kListConditional: return !first || std::popcount(have) >= 2;
    }
    return false;
  }

  void CheckRule(const Segment& s, std::string_view loop_id, const SegmentDef& def,
                 const SyntaxRule& r) {
    auto present = [&](uint16_t p) { return !s.element(p).empty(); };
    auto def_at = [&](uint16_t p) -> ElementDef {
      if (p >= 1 && p <= def.elements.size()) return def.elements[p - 1];
      ElementDef e;
      e.id = fmt::format("{}{:02}", def.tag, p);
      return e;
    };
    // The 999's CTX for an error this note raises: the present element that triggered it.
    auto trigger = [&](ElementError& err, uint16_t p) {
      ErrorContext c;
      c.name = std::string(kSituationalTrigger);
      c.tag = std::string(s.tag());
      c.position = s.location().segment_in_set;
      c.loop_id = std::string(loop_id);
      c.element = p;
      if (p >= 1 && p <= def.elements.size()) c.element_reference = def.elements[p - 1].reference;
      err.contexts.push_back(std::move(c));
    };
    auto first_present = [&]() -> uint16_t {
      for (uint16_t p : r.positions) {
        if (present(p)) return p;
      }
      return 0;
    };
    auto missing = [&](uint16_t p, uint16_t because) {
      ElementDef e = def_at(p);
      ElementError& err =
          AddElementError(s, loop_id, e, p, 0, ElementErrorCode::kConditionalRequiredMissing, "",
                          fmt::format("{} is required by syntax note {}", e.id, r.text));
      Counted(err);
      if (because != 0) trigger(err, because);
    };
    size_t count = 0;
    for (uint16_t p : r.positions) count += present(p);
    switch (r.kind) {
      case SyntaxRule::Kind::kPaired:
        if (count > 0 && count < r.positions.size()) {
          uint16_t because = first_present();
          for (uint16_t p : r.positions) {
            if (!present(p)) missing(p, because);
          }
        }
        break;
      case SyntaxRule::Kind::kRequired:
        if (count == 0) missing(r.positions[0], 0);  // nothing present: no trigger
        break;
      case SyntaxRule::Kind::kExclusion:
        if (count > 1) {
          size_t seen = 0;
          for (uint16_t p : r.positions) {
            if (present(p) && ++seen == 2) {
              ElementDef e = def_at(p);
              ElementError& err = AddElementError(
                  s, loop_id, e, p, 0, ElementErrorCode::kExclusionViolated, s.element(p),
                  fmt::format("{} may not be present with the others of {}", e.id, r.text));
              Counted(err);
              trigger(err, first_present());
            }
          }
        }
        break;
      case SyntaxRule::Kind::kConditional:
        if (present(r.positions[0])) {
          for (size_t k = 1; k < r.positions.size(); ++k) {
            if (!present(r.positions[k])) missing(r.positions[k], r.positions[0]);
          }
        }
        break;
      case SyntaxRule::Kind::kListConditional:
        if (present(r.positions[0]) && count == 1) missing(r.positions[1], r.positions[0]);
        break;
    }
  }

  const TransactionSetSchema& schema_;
  const ValidatorOptions& options_;
  SetResult* out_;
  bool v5010_;
  bool approximate_;  // the schema is of a nearby version: unknown/unexpected segments are warnings
  FixedStack<Frame, StructureNode::kMaxLoopDepth + 1> stack_;
  std::array<uint8_t, 256> classes_;  // filled by Classify before first use
  Delimiters classified_;
  const Delimiters* classified_ptr_ = nullptr;
  bool classes_ready_ = false;
  SegmentError* current_ = nullptr;
  std::vector<ElementError> overflow_;  // AK4s beyond 99 (dropped)
  std::string unit_value_;              // the business unit identifier's value
  uint32_t unit_position_ = 0;          // its segment's position (0: not seen / not known)
};

void FinalizeSet(SetResult* r, bool supported, const ValidatorOptions& options) {
  r->set_errors.clear();
  auto add = [&](std::string_view code) {
    if (!code.empty() &&
        std::find(r->set_errors.begin(), r->set_errors.end(), code) == r->set_errors.end()) {
      r->set_errors.emplace_back(code);
    }
  };
  bool unsupported = !supported && !options.accept_unsupported_sets;
  if (unsupported) add("1");
  for (const Finding& f : r->findings) add(Ak502Code(f.kind));
  bool structural = false, element = false;
  for (const SegmentError& s : r->segments) {
    if (!s.counts()) continue;
    if (s.code == SegmentErrorCode::kSegmentHasElementErrors) {
      element = true;
    } else {
      structural = true;
    }
  }
  if (structural || element) add("5");
  bool element_only = element && !structural && r->findings.empty() && !unsupported;
  if (r->set_errors.empty()) {
    r->code = AckCode::kAccepted;  // tolerated problems do not count
  } else if (element_only && options.accept_element_errors) {
    r->code = AckCode::kAcceptedWithErrors;
  } else {
    r->code = AckCode::kRejected;
  }
}

// Sets the group received: those kept plus the omitted accepted ones.
uint32_t SetsSeen(const GroupResult& g) {
  return static_cast<uint32_t>(g.sets.size()) + g.omitted_accepted;
}

void FinalizeGroup(GroupResult* g) {
  g->group_errors.clear();
  for (const Finding& f : g->findings) {
    std::string_view c = Ak905Code(f.kind);
    if (!c.empty() && std::find(g->group_errors.begin(), g->group_errors.end(), c) ==
                          g->group_errors.end()) {
      g->group_errors.emplace_back(c);
    }
  }
  g->received = SetsSeen(*g);
  g->accepted = g->omitted_accepted;
  bool errors = false;
  for (const SetResult& s : g->sets) {
    if (s.code != AckCode::kRejected) ++g->accepted;
    if (s.code == AckCode::kAcceptedWithErrors) errors = true;
  }
  if (!g->group_errors.empty()) {
    g->code = AckCode::kRejected;
  } else if (g->accepted == g->received) {
    g->code = errors ? AckCode::kAcceptedWithErrors : AckCode::kAccepted;
  } else if (g->accepted == 0) {
    g->code = AckCode::kRejected;
  } else {
    g->code = AckCode::kPartiallyAccepted;
  }
}

// ISA12 "00501" -> "005010" for sets outside a group.
std::string VersionFromIsa(std::string_view isa12) {
  if (isa12.size() == 5 && AllDigits(isa12)) return std::string(isa12) + "0";
  return "";
}

}  // namespace

char AckCodeChar(AckCode code) {
  switch (code) {
    case AckCode::kAccepted: return 'A';
    case AckCode::kAcceptedWithErrors: return 'E';
    case AckCode::kPartiallyAccepted: return 'P';
    case AckCode::kRejected: return 'R';
  }
  return 'R';
}

std::string_view AckCodeName(AckCode code) {
  switch (code) {
    case AckCode::kAccepted: return "accepted";
    case AckCode::kAcceptedWithErrors: return "accepted-with-errors";
    case AckCode::kPartiallyAccepted: return "partially-accepted";
    case AckCode::kRejected: return "rejected";
  }
  return "rejected";
}

Result<AckCode> ParseAckCode(std::string_view code) {
  if (code == "A") return AckCode::kAccepted;
  if (code == "E") return AckCode::kAcceptedWithErrors;
  if (code == "P") return AckCode::kPartiallyAccepted;
  // M (MAC failed), W (assurance failed), X (not analysable after decryption): rejections.
  if (code == "R" || code == "M" || code == "W" || code == "X") return AckCode::kRejected;
  return InvalidArgumentError("'{}' is not an acknowledgment code (A, E, P, R, M, W, X)", code);
}

std::string_view SegmentErrorName(SegmentErrorCode code) {
  switch (code) {
    case SegmentErrorCode::kUnrecognizedSegment: return "unrecognized segment id";
    case SegmentErrorCode::kUnexpectedSegment: return "unexpected segment";
    case SegmentErrorCode::kMandatorySegmentMissing: return "mandatory segment missing";
    case SegmentErrorCode::kLoopOverMaximum: return "loop occurs over maximum times";
    case SegmentErrorCode::kSegmentExceedsMaximumUse: return "segment exceeds maximum use";
    case SegmentErrorCode::kSegmentNotInSet: return "segment not in defined transaction set";
    case SegmentErrorCode::kSegmentOutOfSequence: return "segment not in proper sequence";
    case SegmentErrorCode::kSegmentHasElementErrors: return "segment has data element errors";
  }
  return "?";
}

std::string_view ElementErrorName(ElementErrorCode code) {
  switch (code) {
    case ElementErrorCode::kMandatoryMissing: return "mandatory data element missing";
    case ElementErrorCode::kConditionalRequiredMissing:
      return "conditional required data element missing";
    case ElementErrorCode::kTooManyElements: return "too many data elements";
    case ElementErrorCode::kTooShort: return "data element too short";
    case ElementErrorCode::kTooLong: return "data element too long";
    case ElementErrorCode::kInvalidCharacter: return "invalid character in data element";
    case ElementErrorCode::kInvalidCode: return "invalid code value";
    case ElementErrorCode::kInvalidDate: return "invalid date";
    case ElementErrorCode::kInvalidTime: return "invalid time";
    case ElementErrorCode::kExclusionViolated: return "exclusion condition violated";
    case ElementErrorCode::kTooManyRepetitions: return "too many repetitions";
    case ElementErrorCode::kTooManyComponents: return "too many components";
  }
  return "?";
}

bool SegmentError::counts() const {
  if (tolerated) return false;
  if (code != SegmentErrorCode::kSegmentHasElementErrors) return true;
  return std::any_of(elements.begin(), elements.end(),
                     [](const ElementError& e) { return !e.tolerated; });
}

bool InterchangeResult::ok() const {
  if (!findings.empty() || !orphan_sets.empty()) return false;
  return std::all_of(groups.begin(), groups.end(), [](const GroupResult& g) {
    return g.code == AckCode::kAccepted || g.code == AckCode::kAcceptedWithErrors;
  });
}

bool ValidationReport::ok() const {
  return std::all_of(interchanges.begin(), interchanges.end(),
                     [](const InterchangeResult& i) { return i.ok(); });
}

SetResult ValidateSet(std::span<const Segment> segments, const TransactionSetSchema* schema,
                      const ValidatorOptions& options, std::string_view group_version) {
  SetResult r;
  if (!segments.empty()) {
    r.id = std::string(segments[0].element(1));
    r.control_number = std::string(segments[0].element(2));
    r.convention = std::string(segments[0].element(3));
    r.location = segments[0].location();
  }
  bool has_trailer =
      segments.size() > 1 && segments.back().tag_key() == TagKey("SE");
  if (schema != nullptr) {
    r.schema_version = schema->version;
    bool approximate =
        !group_version.empty() && group_version.substr(0, 6) != schema->version;
    if (approximate) {
      r.notes.push_back(fmt::format("validated with the {} tables (no {} tables): unknown or "
                                    "misplaced segments are warnings",
                                    schema->version, group_version.substr(0, 6)));
    }
    SetChecker checker(*schema, options, approximate, &r);
    checker.Run(segments, has_trailer);
    checker.AddUnitContexts();
  } else if (!options.accept_unsupported_sets) {
    r.notes.push_back(fmt::format("transaction set {} is not supported (no schema)", r.id));
  }
  FinalizeSet(&r, schema != nullptr, options);
  return r;
}

Result<ValidationReport> ValidateInput(ByteSource& source, const ValidatorOptions& options,
                                       const SchemaRegistry& registry) {
  ReaderOptions reader_options;
  reader_options.mark_plain = true;  // CheckElements then skips its own scan of plain segments
  Reader reader(source, reader_options);
  EnvelopeChecker checker(options.envelope);
  ValidationReport report;
  InterchangeResult* ic = nullptr;
  GroupResult* group = nullptr;
  size_t seen = 0;
  // The last schema lookup (sets of a group share id and version).
  std::string cached_id, cached_version;
  const TransactionSetSchema* cached_schema = nullptr;
  for (;;) {
    ASSIGN_OR_RETURN(Event ev, reader.Next());
    checker.Observe(ev);
    if (ev.kind == EventKind::kEnd) break;
    switch (ev.kind) {
      case EventKind::kInterchangeStart: {
        ic = &report.interchanges.emplace_back();
        group = nullptr;
        ic->header = *ev.interchange;
        const InterchangeHeader& h = ic->header;
        std::string_view isa11 = std::string_view(h.isa[11]).substr(0, 1);
        bool alnum = !isa11.empty() && (IsDigit(isa11[0]) || (isa11[0] >= 'A' && isa11[0] <= 'Z') ||
                                        (isa11[0] >= 'a' && isa11[0] <= 'z'));
        if (h.version() >= "00402" && AllDigits(h.version()) && alnum &&
            !options.accept_isa11_letter_in_5010) {
          Finding f;
          f.kind = FindingKind::kIsaElementInvalid;
          f.message = fmt::format("ISA11 is '{}' but ISA12 {} wants a repetition separator there "
                                  "(a letter cannot be one)", isa11, h.version());
          f.location = ev.location;
          f.location.element = 11;
          f.segment_tag = "ISA";
          f.interchange_control_number = h.isa[13];
          ic->findings.push_back(std::move(f));
        }
        break;
      }
      case EventKind::kGroupStart: {
        group = &ic->groups.emplace_back();
        group->header = *ev.group;
        group->functional_id = std::string(ev.group->functional_id());
        group->control_number = std::string(ev.group->control_number());
        group->version = std::string(ev.group->version());
        break;
      }
      case EventKind::kTransactionSet: {
        const TransactionSet& set = *ev.set;
        // (A view into the group: no string copy per set.)
        std::string isa_version;
        if (group == nullptr) isa_version = VersionFromIsa(ev.interchange->version());
        const std::string_view version = group != nullptr ? group->version : isa_version;
        if (set.id() != cached_id || version != cached_version) {
          cached_id = std::string(set.id());
          cached_version = std::string(version);
          cached_schema = registry.Find(set.id(), version);
        }
        const TransactionSetSchema* schema = cached_schema;
        SetResult r = ValidateSet(set.segments, schema, options, version);
        if (schema == nullptr && !options.accept_unsupported_sets) {
          r.notes.clear();
          r.notes.push_back(
              registry.ResolveVersion(version).empty()
                  ? fmt::format("version '{}' has no schema tables", version)
                  : fmt::format("transaction set {} is not supported in {}", set.id(), version));
        }
        (group != nullptr ? group->sets : ic->orphan_sets).push_back(std::move(r));
        break;
      }
      case EventKind::kGroupEnd:
        if (group != nullptr && ev.segment != nullptr) {
          std::string_view ge01 = ev.segment->element(1);
          group->included = AllDigits(ge01) && ge01.size() <= 9
                                ? static_cast<uint32_t>(std::stoul(std::string(ge01)))
                                : 0;
          if (!AllDigits(ge01)) group->included = SetsSeen(*group);
        } else if (group != nullptr) {
          group->included = SetsSeen(*group);
        }
        break;
      case EventKind::kTa1:
        if (ic != nullptr) ++ic->ta1_count;
        break;
      default:
        break;
    }
    // Attribute the findings this event produced.
    const auto& all = checker.findings();
    for (; seen < all.size(); ++seen) {
      const Finding& f = all[seen];
      if (ic == nullptr) continue;  // belief: the reader starts every input with an ISA
      switch (ScopeOf(f.kind)) {
        case FindingScope::kSet: {
          std::vector<SetResult>* sets = group != nullptr ? &group->sets : &ic->orphan_sets;
          auto it = std::find_if(sets->rbegin(), sets->rend(), [&](const SetResult& s) {
            return s.control_number == f.set_control_number && s.id == f.set_id;
          });
          if (it != sets->rend()) {
            it->findings.push_back(f);
            it->notes.push_back(f.message);
          } else {
            ic->findings.push_back(f);
          }
          break;
        }
        case FindingScope::kGroup:
          if (group != nullptr) {
            group->findings.push_back(f);
          } else if (!ic->groups.empty()) {
            ic->groups.back().findings.push_back(f);
          } else {
            ic->findings.push_back(f);
          }
          break;
        case FindingScope::kInterchange:
          ic->findings.push_back(f);
          break;
      }
    }
    // Every finding about a set comes with the set's own event, so its result is complete now.
    if (ev.kind == EventKind::kTransactionSet && group != nullptr && !options.keep_accepted_sets) {
      SetResult& last = group->sets.back();
      FinalizeSet(&last, !last.schema_version.empty(), options);
      if (last.code == AckCode::kAccepted && last.segments.empty() && last.findings.empty() &&
          last.notes.empty()) {
        group->sets.pop_back();
        ++group->omitted_accepted;
      }
    }
    if (ev.kind == EventKind::kGroupEnd) group = nullptr;
  }
  for (InterchangeResult& i : report.interchanges) {
    for (GroupResult& g : i.groups) {
      for (SetResult& s : g.sets) FinalizeSet(&s, !s.schema_version.empty(), options);
      FinalizeGroup(&g);
      if (g.included == 0 && g.received != 0 && g.header.gs.empty()) g.included = g.received;
    }
    for (SetResult& s : i.orphan_sets) FinalizeSet(&s, !s.schema_version.empty(), options);
  }
  return report;
}

Result<ValidationReport> ValidateInput(std::string_view x12, const ValidatorOptions& options,
                                       const SchemaRegistry& registry) {
  MemorySource source(x12);
  return ValidateInput(source, options, registry);
}

namespace {

std::string Ak401(const ElementError& e) {
  std::string s = std::to_string(e.element);
  if (e.component != 0 || e.repetition != 0) s += fmt::format(":{}", e.component);
  if (e.repetition != 0) s += fmt::format(":{}", e.repetition);
  return s;
}

void FormatSet(std::string* out, std::string_view name, const SetResult& s,
               std::string_view where) {
  out->append(fmt::format("{}: {}set {} {}: {} (AK501 {}{}{})\n", name, where, s.id,
                          s.control_number, AckCodeName(s.code), AckCodeChar(s.code),
                          s.set_errors.empty() ? "" : ", AK502 ",
                          fmt::join(s.set_errors, " ")));
  for (const std::string& n : s.notes) {
    out->append(fmt::format("{}:   {}{}\n", name, n,
                            n.find("not supported") != std::string::npos ||
                                    n.find("no schema") != std::string::npos
                                ? " (AK502 1)"
                                : ""));
  }
  for (const SegmentError& e : s.segments) {
    std::string_view level = e.counts() ? "error" : "warning";
    if (e.code != SegmentErrorCode::kSegmentHasElementErrors) {
      out->append(fmt::format("{}:{}: {}: segment {} ({}): AK304 {} {}: {}\n", name,
                              e.location.byte_offset, level, e.position, e.tag,
                              static_cast<int>(e.code), SegmentErrorName(e.code), e.message));
    }
    for (const ElementError& el : e.elements) {
      out->append(fmt::format(
          "{}:{}: {}: segment {} ({}) element {}{}: AK304 8, AK403 {} {}: {}\n", name,
          e.location.byte_offset, el.tolerated ? "warning" : "error", e.position, e.tag,
          Ak401(el), el.reference.empty() ? "" : fmt::format(" [{}]", el.reference),
          static_cast<int>(el.code), ElementErrorName(el.code), el.message));
    }
  }
}

nlohmann::json SetJson(const SetResult& s) {
  nlohmann::json j;
  j["id"] = s.id;
  j["control_number"] = s.control_number;
  j["schema_version"] = s.schema_version;
  j["result"] = AckCodeName(s.code);
  j["ak501"] = std::string(1, AckCodeChar(s.code));
  j["ak502"] = s.set_errors;
  j["notes"] = s.notes;
  j["byte_offset"] = s.location.byte_offset;
  nlohmann::json segs = nlohmann::json::array();
  for (const SegmentError& e : s.segments) {
    nlohmann::json je;
    je["tag"] = e.tag;
    je["position"] = e.position;
    je["loop_id"] = e.loop_id;
    je["ak304"] = static_cast<int>(e.code);
    je["message"] = e.message;
    je["byte_offset"] = e.location.byte_offset;
    je["tolerated"] = !e.counts();
    nlohmann::json els = nlohmann::json::array();
    for (const ElementError& el : e.elements) {
      els.push_back({{"id", el.id},
                     {"ak401", Ak401(el)},
                     {"ak402", el.reference},
                     {"ak403", static_cast<int>(el.code)},
                     {"value", el.value},
                     {"message", el.message},
                     {"tolerated", el.tolerated}});
    }
    je["elements"] = els;
    segs.push_back(je);
  }
  j["errors"] = segs;
  return j;
}

nlohmann::json FindingJson(const Finding& f) {
  return {{"kind", FindingKindName(f.kind)},
          {"message", f.message},
          {"byte_offset", f.location.byte_offset},
          {"segment", f.segment_tag},
          {"ak502", Ak502Code(f.kind)},
          {"ak905", Ak905Code(f.kind)},
          {"ta105", Ta105Code(f)}};
}

}  // namespace

std::string FormatReport(const ValidationReport& report, std::string_view name) {
  std::string out;
  for (const InterchangeResult& ic : report.interchanges) {
    out.append(fmt::format("{}: interchange {} from {}/{} to {}/{}: {}\n", name,
                           ic.header.control_number(), ic.header.sender_qualifier(),
                           ic.header.sender_id(), ic.header.receiver_qualifier(),
                           ic.header.receiver_id(), ic.ok() ? "valid" : "INVALID"));
    for (const Finding& f : ic.findings) {
      out.append(fmt::format("{}:{}: error: {}: {} (TA105 {})\n", name, f.location.byte_offset,
                             FindingKindName(f.kind), f.message, Ta105Code(f)));
    }
    for (const GroupResult& g : ic.groups) {
      out.append(fmt::format(
          "{}: group {} {} ({}): {} (AK9 {}*{}*{}*{}{}{})\n", name, g.functional_id,
          g.control_number, g.version, AckCodeName(g.code), AckCodeChar(g.code), g.included,
          g.received, g.accepted, g.group_errors.empty() ? "" : "*",
          fmt::join(g.group_errors, "*")));
      for (const Finding& f : g.findings) {
        out.append(fmt::format("{}:{}: error: {}: {} (AK905 {})\n", name, f.location.byte_offset,
                               FindingKindName(f.kind), f.message, Ak905Code(f.kind)));
      }
      for (const SetResult& s : g.sets) FormatSet(&out, name, s, "");
    }
    for (const SetResult& s : ic.orphan_sets) FormatSet(&out, name, s, "outside any group: ");
  }
  return out;
}

std::string FormatReportJson(const ValidationReport& report, std::string_view name) {
  nlohmann::json j;
  j["input"] = std::string(name);
  j["valid"] = report.ok();
  nlohmann::json ics = nlohmann::json::array();
  for (const InterchangeResult& ic : report.interchanges) {
    nlohmann::json ji;
    ji["control_number"] = std::string(ic.header.control_number());
    ji["sender"] = fmt::format("{}/{}", ic.header.sender_qualifier(), ic.header.sender_id());
    ji["receiver"] = fmt::format("{}/{}", ic.header.receiver_qualifier(), ic.header.receiver_id());
    ji["valid"] = ic.ok();
    nlohmann::json fs = nlohmann::json::array();
    for (const Finding& f : ic.findings) fs.push_back(FindingJson(f));
    ji["findings"] = fs;
    nlohmann::json gs = nlohmann::json::array();
    for (const GroupResult& g : ic.groups) {
      nlohmann::json jg;
      jg["functional_id"] = g.functional_id;
      jg["control_number"] = g.control_number;
      jg["version"] = g.version;
      jg["result"] = AckCodeName(g.code);
      jg["ak9"] = {std::string(1, AckCodeChar(g.code)), g.included, g.received, g.accepted};
      jg["ak905"] = g.group_errors;
      nlohmann::json gf = nlohmann::json::array();
      for (const Finding& f : g.findings) gf.push_back(FindingJson(f));
      jg["findings"] = gf;
      nlohmann::json ss = nlohmann::json::array();
      for (const SetResult& s : g.sets) ss.push_back(SetJson(s));
      jg["sets"] = ss;
      gs.push_back(jg);
    }
    ji["groups"] = gs;
    nlohmann::json os = nlohmann::json::array();
    for (const SetResult& s : ic.orphan_sets) os.push_back(SetJson(s));
    ji["sets_outside_groups"] = os;
    ics.push_back(ji);
  }
  j["interchanges"] = ics;
  // Values come from the input: replace invalid UTF-8 rather than throw.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace mlc::edi
