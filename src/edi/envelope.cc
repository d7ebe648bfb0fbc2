#include "edi/envelope.h"

#include <algorithm>
#include <array>
#include <utility>

namespace mlc::edi {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool Digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string_view StripZeros(std::string_view s) {
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  return s;
}

// Count equality: `written` (SE01, GE01, IEA01) against the actual count.
bool SameCount(std::string_view written, uint64_t actual) {
  return SameNumber(written, std::to_string(actual));
}

Location At(Location loc, uint16_t element) {
  loc.element = element;
  return loc;
}

// ISA fixed widths (x12.md section 2).
constexpr std::array<uint8_t, 17> kIsaWidth = {0, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1};

}  // namespace

bool SameNumber(std::string_view a, std::string_view b) {
  a = Trim(a);
  b = Trim(b);
  if (Digits(a) && Digits(b)) return StripZeros(a) == StripZeros(b);
  return a == b;
}

FindingScope ScopeOf(FindingKind kind) {
  switch (kind) {
    case FindingKind::kGroupTrailerMissing:
    case FindingKind::kGroupControlNumberMismatch:
    case FindingKind::kGroupSetCountWrong:
    case FindingKind::kGroupControlNumberInvalid:
    case FindingKind::kDuplicateGroupControlNumber:
      return FindingScope::kGroup;
    case FindingKind::kSetTrailerMissing:
    case FindingKind::kSetControlNumberMismatch:
    case FindingKind::kSegmentCountWrong:
    case FindingKind::kSetIdentifierInvalid:
    case FindingKind::kSetControlNumberInvalid:
    case FindingKind::kSetOutsideGroup:
    case FindingKind::kSetConventionMismatch:
    case FindingKind::kDuplicateSetControlNumber:
      return FindingScope::kSet;
    default:
      return FindingScope::kInterchange;
  }
}

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kInterchangeControlNumberMismatch: return "interchange-control-number-mismatch";
    case FindingKind::kIsaElementInvalid: return "isa-element-invalid";
    case FindingKind::kInterchangeGroupCountWrong: return "interchange-group-count-wrong";
    case FindingKind::kInterchangeTrailerMissing: return "interchange-trailer-missing";
    case FindingKind::kInterchangeContentInvalid: return "interchange-content-invalid";
    case FindingKind::kDuplicateInterchangeControlNumber: return "duplicate-interchange-control-number";
    case FindingKind::kDelimitersNotDistinct: return "delimiters-not-distinct";
    case FindingKind::kGroupTrailerMissing: return "group-trailer-missing";
    case FindingKind::kGroupControlNumberMismatch: return "group-control-number-mismatch";
    case FindingKind::kGroupSetCountWrong: return "group-set-count-wrong";
    case FindingKind::kGroupControlNumberInvalid: return "group-control-number-invalid";
    case FindingKind::kDuplicateGroupControlNumber: return "duplicate-group-control-number";
    case FindingKind::kSetTrailerMissing: return "set-trailer-missing";
    case FindingKind::kSetControlNumberMismatch: return "set-control-number-mismatch";
    case FindingKind::kSegmentCountWrong: return "segment-count-wrong";
    case FindingKind::kSetIdentifierInvalid: return "set-identifier-invalid";
    case FindingKind::kSetControlNumberInvalid: return "set-control-number-invalid";
    case FindingKind::kSetOutsideGroup: return "set-outside-group";
    case FindingKind::kSetConventionMismatch: return "set-convention-mismatch";
    case FindingKind::kDuplicateSetControlNumber: return "duplicate-set-control-number";
  }
  return "?";
}

std::string_view Ak502Code(FindingKind kind) {
  switch (kind) {
    case FindingKind::kSetTrailerMissing: return "2";
    case FindingKind::kSetControlNumberMismatch: return "3";
    case FindingKind::kSegmentCountWrong: return "4";
    case FindingKind::kSetIdentifierInvalid: return "6";
    case FindingKind::kSetControlNumberInvalid: return "7";
    case FindingKind::kSetOutsideGroup: return "18";
    case FindingKind::kSetConventionMismatch: return "19";
    case FindingKind::kDuplicateSetControlNumber: return "23";
    default: return "";
  }
}

std::string_view Ak905Code(FindingKind kind) {
  switch (kind) {
    case FindingKind::kGroupTrailerMissing: return "3";
    case FindingKind::kGroupControlNumberMismatch: return "4";
    case FindingKind::kGroupSetCountWrong: return "5";
    case FindingKind::kGroupControlNumberInvalid: return "6";
    case FindingKind::kDuplicateGroupControlNumber: return "19";
    default: return "";
  }
}

std::string_view Ta105Code(const Finding& f) {
  switch (f.kind) {
    case FindingKind::kInterchangeControlNumberMismatch: return "001";
    case FindingKind::kInterchangeGroupCountWrong: return "021";
    case FindingKind::kInterchangeTrailerMissing: return "023";
    case FindingKind::kInterchangeContentInvalid: return "024";
    case FindingKind::kDuplicateInterchangeControlNumber: return "025";
    case FindingKind::kDelimitersNotDistinct: return "026";
    case FindingKind::kIsaElementInvalid: {
      // TA105 (I18) note codes per ISA element. ISA11 is the standards identifier before 00402
      // ("016") and the repetition separator from 00402 on ("032"); the message says which.
      static constexpr std::array<std::string_view, 17> kByElement = {
          "022", "010", "011", "012", "013", "005", "006", "007", "008",
          "014", "015", "016", "017", "018", "019", "020", "027"};
      return f.location.element < kByElement.size() ? kByElement[f.location.element] : "022";
    }
    default: return "";
  }
}

void EnvelopeChecker::Add(FindingKind kind, const Location& loc, std::string_view tag,
                          std::string message, const TransactionSet* set) {
  Finding f;
  f.kind = kind;
  f.message = std::move(message);
  f.location = loc;
  f.segment_tag = std::string(tag);
  f.interchange_control_number = isa13_;
  if (in_group_) {
    f.functional_id = functional_id_;
    f.group_control_number = gs06_;
    f.group_version = gs08_;
  }
  if (set != nullptr) {
    f.set_id = std::string(set->id());
    f.set_control_number = std::string(set->control_number());
  }
  findings_.push_back(std::move(f));
}

void EnvelopeChecker::CheckIsa(const Event& ev) {
  const InterchangeHeader& h = *ev.interchange;
  const Location& loc = ev.location;
  if (options_.require_fixed_width_isa) {
    for (uint16_t k = 1; k <= 16; ++k) {
      if (h.isa[k].size() != kIsaWidth[k]) {
        Add(FindingKind::kIsaElementInvalid, At(loc, k), "ISA",
            fmt::format("ISA{:02} is {} bytes, the fixed width is {} (ISA is {} bytes, not 106)",
                        k, h.isa[k].size(), kIsaWidth[k], h.isa_length));
      }
    }
  }
  struct Numeric {
    uint16_t element;
    const char* what;
  };
  for (Numeric n : {Numeric{9, "interchange date"}, Numeric{10, "interchange time"},
                    Numeric{12, "control version number"}, Numeric{13, "control number"}}) {
    std::string_view v = Trim(h.isa[n.element]);
    if (!Digits(v)) {
      Add(FindingKind::kIsaElementInvalid, At(loc, n.element), "ISA",
          fmt::format("ISA{:02} ({}) '{}' is not numeric", n.element, n.what, h.isa[n.element]));
    }
  }
  const Delimiters& d = h.delimiters;
  if (d.element == d.component || d.element == d.segment || d.component == d.segment) {
    Add(FindingKind::kDelimitersNotDistinct, At(loc, 16), "ISA",
        fmt::format("delimiters are not distinct: element '{}', component '{}', terminator '{}'",
                    d.element, d.component, d.segment));
  }
  auto key = std::make_tuple(std::string(h.sender_qualifier()) + "/" + std::string(h.sender_id()),
                             std::string(h.receiver_qualifier()) + "/" +
                                 std::string(h.receiver_id()),
                             std::string(StripZeros(h.control_number())));
  if (options_.check_duplicate_interchanges && !interchanges_.insert(key).second) {
    Add(FindingKind::kDuplicateInterchangeControlNumber, At(loc, 13), "ISA",
        fmt::format("interchange control number {} from {} to {} was already used in this input",
                    h.control_number(), std::get<0>(key), std::get<1>(key)));
  }
}

bool EnvelopeChecker::InsertSetNumber(std::string_view cn) {
  if (!Digits(cn)) return set_names_.insert(std::string(StripZeros(cn))).second;
  uint64_t v = 0;
  for (char c : cn) v = v * 10 + static_cast<uint64_t>(c - '0');  // at most 9 digits
  if (set_numbers_.empty() || v > set_numbers_.back()) {
    set_numbers_.push_back(v);
    return true;
  }
  auto it = std::lower_bound(set_numbers_.begin(), set_numbers_.end(), v);
  if (it != set_numbers_.end() && *it == v) return false;
  set_numbers_.insert(it, v);
  return true;
}

void EnvelopeChecker::Observe(const Event& ev) {
  const Segment* seg = ev.segment;
  switch (ev.kind) {
    case EventKind::kEnd:
      return;
    case EventKind::kInterchangeStart:
      isa13_ = ev.interchange->isa[13];
      in_group_ = false;
      groups_ = 0;
      stray_run_ = false;
      group_numbers_.clear();
      CheckIsa(ev);
      return;
    case EventKind::kInterchangeEnd:
      if (in_group_) in_group_ = false;  // the reader always closes groups first
      stray_run_ = false;
      if (seg == nullptr) {
        Add(FindingKind::kInterchangeTrailerMissing, ev.location, "",
            fmt::format("interchange {} has no IEA trailer", isa13_));
        return;
      }
      if (!SameCount(seg->element(1), groups_)) {
        Add(FindingKind::kInterchangeGroupCountWrong, At(ev.location, 1), "IEA",
            fmt::format("IEA01 is '{}' but the interchange has {} functional group(s)",
                        seg->element(1), groups_));
      }
      if (!SameNumber(seg->element(2), isa13_)) {
        Add(FindingKind::kInterchangeControlNumberMismatch, At(ev.location, 2), "IEA",
            fmt::format("IEA02 '{}' does not match ISA13 '{}'", seg->element(2), isa13_));
      }
      return;
    case EventKind::kGroupStart: {
      ++groups_;
      sets_ = 0;
      stray_run_ = false;
      set_numbers_.clear();
      set_names_.clear();
      const GroupHeader& g = *ev.group;
      in_group_ = true;
      functional_id_ = std::string(g.functional_id());
      gs06_ = std::string(g.control_number());
      gs08_ = std::string(g.version());
      if (seg->size() < 8) {
        Add(FindingKind::kInterchangeContentInvalid, At(ev.location, static_cast<uint16_t>(seg->size() + 1)),
            "GS", fmt::format("GS has {} elements, 8 are required", seg->size()));
      }
      if (!Digits(Trim(gs06_))) {
        Add(FindingKind::kGroupControlNumberInvalid, At(ev.location, 6), "GS",
            fmt::format("GS06 group control number '{}' is missing or not numeric", gs06_));
      } else if (!group_numbers_.insert(std::string(StripZeros(Trim(gs06_)))).second &&
                 gs08_ >= "005") {
        // AK905 19 exists from the 5010 code lists on; older groups reuse GS06 in the wild.
        Add(FindingKind::kDuplicateGroupControlNumber, At(ev.location, 6), "GS",
            fmt::format("group control number {} is used twice in interchange {}", gs06_, isa13_));
      }
      return;
    }
    case EventKind::kGroupEnd:
      stray_run_ = false;
      if (seg == nullptr) {
        Add(FindingKind::kGroupTrailerMissing, ev.location, "",
            fmt::format("functional group {} has no GE trailer", gs06_));
      } else {
        if (!SameCount(seg->element(1), sets_)) {
          Add(FindingKind::kGroupSetCountWrong, At(ev.location, 1), "GE",
              fmt::format("GE01 is '{}' but the group has {} transaction set(s)", seg->element(1),
                          sets_));
        }
        if (!SameNumber(seg->element(2), gs06_)) {
          Add(FindingKind::kGroupControlNumberMismatch, At(ev.location, 2), "GE",
              fmt::format("GE02 '{}' does not match GS06 '{}'", seg->element(2), gs06_));
        }
      }
      in_group_ = false;
      return;
    case EventKind::kTransactionSet: {
      stray_run_ = false;
      const TransactionSet& set = *ev.set;
      const Segment& st = set.segments.front();
      if (ev.group == nullptr) {
        Add(FindingKind::kSetOutsideGroup, ev.location, "ST",
            fmt::format("transaction set {} {} is not inside a functional group (no GS)", set.id(),
                        set.control_number()),
            &set);
      } else {
        ++sets_;
      }
      std::string_view id = st.element(1);
      if (id.size() != 3) {
        Add(FindingKind::kSetIdentifierInvalid, At(ev.location, 1), "ST",
            fmt::format("ST01 transaction set identifier '{}' is not 3 characters", id), &set);
      }
      std::string_view cn = st.element(2);
      if (cn.size() < 4 || cn.size() > 9) {
        Add(FindingKind::kSetControlNumberInvalid, At(ev.location, 2), "ST",
            fmt::format("ST02 control number '{}' must be 4 to 9 characters", cn), &set);
      } else if (ev.group != nullptr && !InsertSetNumber(cn)) {
        Add(FindingKind::kDuplicateSetControlNumber, At(ev.location, 2), "ST",
            fmt::format("transaction set control number {} is used twice in group {}", cn, gs06_),
            &set);
      }
      std::string_view convention = st.element(3);
      if (options_.check_convention && ev.group != nullptr && !convention.empty() &&
          !gs08_.empty() && convention != gs08_) {
        Add(FindingKind::kSetConventionMismatch, At(ev.location, 3), "ST",
            fmt::format("ST03 '{}' does not match GS08 '{}'", convention, gs08_), &set);
      }
      const Segment* se = set.trailer();
      if (se == nullptr) {
        const Segment& last = set.segments.back();
        Add(FindingKind::kSetTrailerMissing, last.location(), last.tag(),
            fmt::format("transaction set {} {} has no SE trailer (last segment {} at position {})",
                        set.id(), cn, last.tag(), last.location().segment_in_set),
            &set);
        return;
      }
      if (!SameCount(se->element(1), set.segments.size())) {
        Add(FindingKind::kSegmentCountWrong, At(se->location(), 1), "SE",
            fmt::format("SE01 is '{}' but the set has {} segments (ST through SE)", se->element(1),
                        set.segments.size()),
            &set);
      }
      if (!SameNumber(se->element(2), cn)) {
        Add(FindingKind::kSetControlNumberMismatch, At(se->location(), 2), "SE",
            fmt::format("SE02 '{}' does not match ST02 '{}'", se->element(2), cn), &set);
      }
      return;
    }
    case EventKind::kTa1:
      return;  // TA1 may stand between ISA and the first GS, or alone (IEA01 = 0)
    case EventKind::kSegment: {
      std::string_view tag = seg->tag();
      if (!in_group_ && (tag == "ISB" || tag == "ISE")) return;  // interchange service segments
      if (stray_run_) return;
      stray_run_ = true;
      std::string where = in_group_ ? fmt::format("inside group {} but outside any ST/SE", gs06_)
                                    : std::string("outside any functional group");
      if (tag == "GE") where = "without a GS";
      if (tag == "SE") where = "without an ST";
      Add(FindingKind::kInterchangeContentInvalid, ev.location, tag,
          fmt::format("segment '{}' {}", tag, where));
      return;
    }
  }
}

Result<std::vector<Finding>> CheckEnvelopes(ByteSource& source, EnvelopeOptions options) {
  Reader reader(source);
  EnvelopeChecker checker(options);
  for (;;) {
    ASSIGN_OR_RETURN(Event ev, reader.Next());
    checker.Observe(ev);
    if (ev.kind == EventKind::kEnd) return checker.TakeFindings();
  }
}

}  // namespace mlc::edi
