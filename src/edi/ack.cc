#include "edi/ack.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace mlc::edi {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `base` + `add`, keeping at least the width of `base` (zero-padded): "0001" + 1 = "0002".
Result<std::string> AddToNumber(std::string_view base, uint64_t add, size_t min_width,
                                std::string_view what) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(base.data(), base.data() + base.size(), v);
  if (!AllDigits(base) || ec != std::errc() || p != base.data() + base.size()) {
    return InvalidArgumentError("{} '{}' is not a number", what, base);
  }
  return fmt::format("{:0{}}", v + add, std::max(min_width, base.size()));
}

LineBreak LineBreakOf(const InterchangeHeader& h) {
  if (h.line_break == "\r\n") return LineBreak::kCrLf;
  if (h.line_break == "\n") return LineBreak::kLf;
  return LineBreak::kNone;
}

// A repetition separator not already used by the other delimiters.
char PickRepetition(const Delimiters& d) {
  for (char c : {'^', '{', '!', '|', '}', '\\'}) {
    if (c != d.element && c != d.component && c != d.segment) return c;
  }
  return 0;
}

// A 999 CTX segment (005010X231A1 loops 2100 and 2110; see validator.h ErrorContext for what the
// contexts mean). A context whose values cannot be written (a delimiter in the business unit
// identifier) is left out: RFI 2293 treats an unusable identifier as unknown.
Status AddContexts(Writer& w, const std::vector<ErrorContext>& contexts) {
  constexpr size_t kMaxContexts = 10;  // CTX max use in each loop
  for (size_t k = 0; k < contexts.size() && k < kMaxContexts; ++k) {
    const ErrorContext& c = contexts[k];
    std::vector<ElementValue> ctx;
    ctx.push_back(c.reference.empty() ? ElementValue(c.name)
                                      : ElementValue::Composite({c.name, c.reference}));
    ctx.emplace_back(c.tag);
    ctx.emplace_back(c.position == 0 ? std::string() : std::to_string(c.position));
    ctx.emplace_back(c.loop_id);
    if (c.element == 0) {
      ctx.emplace_back();
    } else if (c.component == 0) {
      ctx.emplace_back(std::to_string(c.element));
    } else {
      ctx.push_back(ElementValue::Composite({std::to_string(c.element),
                                             std::to_string(c.component)}));
    }
    // CTX06-1 is the dictionary number; composite ids (C040) are not numbers.
    ctx.emplace_back(AllDigits(c.element_reference) ? c.element_reference : std::string());
    Status st = w.Add("CTX", ctx);
    if (!st.ok() && st.code() != StatusCode::kInvalidArgument) return st;
  }
  return Status::Ok();
}

uint32_t ParseCount(std::string_view v) {
  uint64_t n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return static_cast<uint32_t>(std::min<uint64_t>(n, UINT32_MAX));
}

}  // namespace

std::string AckVersionFor(std::string_view gs08) {
  return gs08.substr(0, 3) >= "005" && AllDigits(gs08.substr(0, 3)) ? "005010" : "004010";
}

Status AppendAckSet(Writer& w, const GroupResult& group, AckKind kind, std::string_view version,
                    std::string_view st02, bool include_accepted_sets, bool with_contexts) {
  bool v5010 = kind == AckKind::k999 || version >= "005";
  bool is999 = kind == AckKind::k999;
  RETURN_IF_ERROR(w.BeginSet(is999 ? "999" : "997", st02, is999 ? k999Convention : ""));
  std::vector<ElementValue> ak1 = {group.functional_id, group.control_number};
  if (v5010) ak1.emplace_back(group.version);
  RETURN_IF_ERROR(w.Add("AK1", ak1));
  for (const SetResult& s : group.sets) {
    bool clean = s.code == AckCode::kAccepted &&
                 std::none_of(s.segments.begin(), s.segments.end(),
                              [](const SegmentError& e) { return e.counts(); });
    if (clean && !include_accepted_sets) continue;
    // AK201 and AK202 are mandatory: a set whose ST lacks its id or control number cannot be
    // named in an AK2 (it would make the whole acknowledgment invalid). It is still counted in
    // AK9 as received and not accepted, which tells the sender the group was not all taken.
    if (s.id.empty() || s.control_number.empty()) continue;
    std::vector<ElementValue> ak2 = {s.id, s.control_number};
    if (v5010 && !s.convention.empty()) ak2.emplace_back(s.convention);
    RETURN_IF_ERROR(w.Add("AK2", ak2));
    for (const SegmentError& e : s.segments) {
      if (!e.counts()) continue;
      RETURN_IF_ERROR(w.Add(is999 ? "IK3" : "AK3",
                            {e.tag, std::to_string(e.position), e.loop_id,
                             std::to_string(static_cast<int>(e.code))}));
      if (is999 && with_contexts) RETURN_IF_ERROR(AddContexts(w, e.contexts));
      for (const ElementError& el : e.elements) {
        if (el.tolerated) continue;
        std::vector<std::string> pos = {std::to_string(el.element)};
        if (el.component != 0 || (v5010 && el.repetition != 0)) {
          pos.push_back(std::to_string(el.component));
        }
        if (v5010 && el.repetition != 0) pos.push_back(std::to_string(el.repetition));
        ElementValue ak401 = pos.size() == 1 ? ElementValue(pos[0]) : ElementValue::Composite(pos);
        // AK402 is the dictionary number (N0); composite ids (C040) and unknown ones are omitted.
        std::string ref = AllDigits(el.reference) ? el.reference : "";
        std::vector<ElementValue> ak4 = {ak401, ref, std::to_string(static_cast<int>(el.code))};
        ak4.emplace_back(el.value);
        Status st = w.Add(is999 ? "IK4" : "AK4", ak4);
        if (!st.ok()) {
          // AK404 must itself be valid data: a copy containing a delimiter is left out.
          ak4.pop_back();
          RETURN_IF_ERROR(w.Add(is999 ? "IK4" : "AK4", ak4));
        }
        if (is999 && with_contexts) RETURN_IF_ERROR(AddContexts(w, el.contexts));
      }
    }
    std::vector<ElementValue> ak5 = {std::string(1, AckCodeChar(s.code))};
    for (size_t k = 0; k < s.set_errors.size() && k < 5; ++k) ak5.emplace_back(s.set_errors[k]);
    RETURN_IF_ERROR(w.Add(is999 ? "IK5" : "AK5", ak5));
  }
  std::vector<ElementValue> ak9 = {std::string(1, AckCodeChar(group.code)),
                                   std::to_string(group.included), std::to_string(group.received),
                                   std::to_string(group.accepted)};
  for (size_t k = 0; k < group.group_errors.size() && k < 5; ++k) {
    ak9.emplace_back(group.group_errors[k]);
  }
  RETURN_IF_ERROR(w.Add("AK9", ak9));
  return w.EndSet();
}

Result<std::string> BuildAcknowledgment(const InterchangeResult& received,
                                        const AckOptions& options) {
  // 997s and 999s are never acknowledged themselves (x12.md §8); a group without a usable GS01
  // or GS06 cannot be named in AK1 (a truncated GS is a TA1 matter: TA105 024).
  std::vector<const GroupResult*> groups;
  for (const GroupResult& g : received.groups) {
    if (g.functional_id != "FA" && !g.functional_id.empty() && AllDigits(g.control_number)) {
      groups.push_back(&g);
    }
  }
  if (groups.empty()) {
    return FailedPreconditionError(
        "interchange {} has no functional group to acknowledge (FA groups are not acknowledged; "
        "envelope problems are a TA1 matter)",
        received.header.control_number());
  }
  if (options.date.size() != 8 || !AllDigits(options.date)) {
    return InvalidArgumentError("ack date '{}' is not CCYYMMDD", options.date);
  }
  if (options.time.size() != 4 || !AllDigits(options.time)) {
    return InvalidArgumentError("ack time '{}' is not HHMM", options.time);
  }
  const InterchangeHeader& h = received.header;
  // 997 version per group; the envelope follows the first group's.
  std::string first_version = options.kind == AckKind::k999
                                  ? "005010"
                                  : AckVersionFor(groups.front()->version);
  WriterOptions wo;
  if (options.writer) {
    wo = *options.writer;
  } else {
    wo.delimiters = h.delimiters;
    wo.line_break = LineBreakOf(h);
  }
  IsaFields isa;
  isa.sender_qualifier = std::string(h.receiver_qualifier());
  isa.sender_id = std::string(h.receiver_id());
  isa.receiver_qualifier = std::string(h.sender_qualifier());
  isa.receiver_id = std::string(h.sender_id());
  isa.date = options.date.substr(2);
  isa.time = options.time;
  std::string_view rv = h.version();
  isa.version = (rv == "00401" || rv == "00501") ? std::string(rv)
                                                 : (first_version >= "005" ? "00501" : "00401");
  if (isa.version >= "00402" && wo.delimiters.repetition == 0 && !options.writer) {
    wo.delimiters.repetition = PickRepetition(wo.delimiters);
  }
  isa.control_number = options.interchange_control_number;
  isa.ack_requested = options.ack_requested;
  isa.usage_indicator = h.usage_indicator().empty() ? "P" : std::string(h.usage_indicator());
  Writer w(wo);
  RETURN_IF_ERROR(w.BeginInterchange(isa));
  size_t st_width = std::max<size_t>(4, options.set_control_number.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    const GroupResult& g = *groups[i];
    std::string version =
        options.kind == AckKind::k999 ? "005010" : AckVersionFor(g.version);
    GsFields gs;
    gs.functional_id = "FA";
    gs.sender = std::string(g.header.application_receiver());
    gs.receiver = std::string(g.header.application_sender());
    gs.date = options.date;
    gs.time = options.time;
    ASSIGN_OR_RETURN(gs.control_number,
                     AddToNumber(options.group_control_number, i, 1, "group control number"));
    gs.version = options.kind == AckKind::k999 ? std::string(k999Convention) : version;
    RETURN_IF_ERROR(w.BeginGroup(gs));
    ASSIGN_OR_RETURN(std::string st02, AddToNumber(options.set_control_number, i, st_width,
                                                   "set control number"));
    RETURN_IF_ERROR(AppendAckSet(w, g, options.kind, version, st02,
                                 options.include_accepted_sets, options.contexts));
    RETURN_IF_ERROR(w.EndGroup());
  }
  RETURN_IF_ERROR(w.EndInterchange());
  return w.Take();
}

// ---- inbound ----

const AckedSet* FunctionalAck::Find(std::string_view st02) const {
  for (const AckedSet& s : sets) {
    if (SameNumber(s.control_number, st02)) return &s;
  }
  return nullptr;
}

AckCode FunctionalAck::ResultFor(std::string_view st02) const {
  if (const AckedSet* s = Find(st02)) return s->code;
  return group_code == AckCode::kRejected ? AckCode::kRejected
                                          : (group_code == AckCode::kPartiallyAccepted
                                                 ? AckCode::kAccepted
                                                 : group_code);
}

std::optional<AckCode> InboundAcks::ResultFor(std::string_view gs06, std::string_view st02) const {
  std::optional<AckCode> out;
  for (const FunctionalAck& a : acks) {
    if (SameNumber(a.group_control_number, gs06)) out = a.ResultFor(st02);  // the latest wins
  }
  return out;
}

Result<FunctionalAck> ParseFunctionalAck(std::span<const Segment> segments) {
  if (segments.empty() || segments[0].tag() != "ST") {
    return InvalidArgumentError("acknowledgment does not start with ST");
  }
  FunctionalAck a;
  std::string_view id = segments[0].element(1);
  if (id == "999") {
    a.kind = AckKind::k999;
  } else if (id != "997") {
    return InvalidArgumentError("ST01 '{}' is not 997 or 999", id);
  }
  a.control_number = std::string(segments[0].element(2));
  auto where = [](const Segment& s, int element) {
    return fmt::format("{}{:02} (segment {}, byte {})", s.tag(), element,
                       s.location().segment_in_set, s.location().byte_offset);
  };
  bool have_ak1 = false, have_ak9 = false;
  AckedSet* set = nullptr;
  AckedSegmentError* seg = nullptr;
  for (size_t i = 1; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    std::string_view tag = s.tag();
    if (tag == "AK1") {
      if (s.element(1).empty() || s.element(2).empty()) {
        return InvalidArgumentError("{} is missing", where(s, s.element(1).empty() ? 1 : 2));
      }
      a.functional_id = std::string(s.element(1));
      a.group_control_number = std::string(s.element(2));
      a.version = std::string(s.element(3));
      have_ak1 = true;
    } else if (tag == "AK2") {
      if (!have_ak1) return InvalidArgumentError("AK2 before AK1 at {}", where(s, 1));
      set = &a.sets.emplace_back();
      seg = nullptr;
      set->id = std::string(s.element(1));
      set->control_number = std::string(s.element(2));
      set->convention = std::string(s.element(3));
      if (set->control_number.empty()) return InvalidArgumentError("{} is missing", where(s, 2));
    } else if (tag == "AK3" || tag == "IK3") {
      if (set == nullptr) return InvalidArgumentError("{} outside an AK2 loop", where(s, 1));
      seg = &set->segments.emplace_back();
      seg->tag = std::string(s.element(1));
      seg->position = ParseCount(s.element(2));
      seg->loop_id = std::string(s.element(3));
      seg->code = std::string(s.element(4));
    } else if (tag == "AK4" || tag == "IK4") {
      if (seg == nullptr) return InvalidArgumentError("{} outside an AK3 loop", where(s, 1));
      AckedElementError& e = seg->elements.emplace_back();
      e.position = static_cast<uint16_t>(ParseCount(s.component(1, 1)));
      e.component = static_cast<uint16_t>(ParseCount(s.component(1, 2)));
      e.repetition = static_cast<uint16_t>(ParseCount(s.component(1, 3)));
      e.reference = std::string(s.element(2));
      e.code = std::string(s.element(3));
      e.value = std::string(s.element(4));
    } else if (tag == "AK5" || tag == "IK5") {
      if (set == nullptr) return InvalidArgumentError("{} outside an AK2 loop", where(s, 1));
      auto code = ParseAckCode(s.element(1));
      if (!code.ok()) return InvalidArgumentError("{}: {}", where(s, 1), code.error().message());
      set->code = *code;
      set->raw_code = std::string(s.element(1));
      for (size_t k = 2; k <= 6; ++k) {
        if (!s.element(k).empty()) set->errors.emplace_back(s.element(k));
      }
      set = nullptr;
      seg = nullptr;
    } else if (tag == "AK9") {
      if (!have_ak1) return InvalidArgumentError("AK9 before AK1 at {}", where(s, 1));
      auto code = ParseAckCode(s.element(1));
      if (!code.ok()) return InvalidArgumentError("{}: {}", where(s, 1), code.error().message());
      a.group_code = *code;
      a.raw_group_code = std::string(s.element(1));
      for (int k = 2; k <= 4; ++k) {
        if (!AllDigits(s.element(k))) {
          return InvalidArgumentError("{} '{}' is not a number", where(s, k), s.element(k));
        }
      }
      a.included = ParseCount(s.element(2));
      a.received = ParseCount(s.element(3));
      a.accepted = ParseCount(s.element(4));
      for (size_t k = 5; k <= 9; ++k) {
        if (!s.element(k).empty()) a.group_errors.emplace_back(s.element(k));
      }
      have_ak9 = true;
    }
  }
  if (!have_ak1) return InvalidArgumentError("{} {} has no AK1", id, a.control_number);
  if (!have_ak9) return InvalidArgumentError("{} {} has no AK9", id, a.control_number);
  return a;
}

Result<Ta1> ParseTa1(const Segment& s) {
  if (s.tag() != "TA1") return InvalidArgumentError("segment {} is not a TA1", s.tag());
  Ta1 t;
  t.control_number = std::string(s.element(1));
  t.date = std::string(s.element(2));
  t.time = std::string(s.element(3));
  t.note_code = std::string(s.element(5));
  if (t.control_number.empty()) return InvalidArgumentError("TA101 is missing");
  std::string_view c = s.element(4);
  if (c == "A") {
    t.code = AckCode::kAccepted;
  } else if (c == "E") {
    t.code = AckCode::kAcceptedWithErrors;
  } else if (c == "R") {
    t.code = AckCode::kRejected;
  } else {
    return InvalidArgumentError("TA104 '{}' is not A, E or R", c);
  }
  return t;
}

Result<InboundAcks> ParseAcknowledgments(ByteSource& source) {
  Reader reader(source);
  InboundAcks out;
  for (;;) {
    ASSIGN_OR_RETURN(Event ev, reader.Next());
    if (ev.kind == EventKind::kEnd) break;
    if (ev.kind == EventKind::kTa1 && ev.segment != nullptr) {
      auto t = ParseTa1(*ev.segment);
      if (!t.ok()) {
        return InvalidArgumentError("TA1 at byte {}: {}", ev.location.byte_offset,
                                    t.error().message());
      }
      out.ta1s.push_back(std::move(*t));
    } else if (ev.kind == EventKind::kTransactionSet &&
               (ev.set->id() == "997" || ev.set->id() == "999")) {
      auto a = ParseFunctionalAck(ev.set->segments);
      if (!a.ok()) {
        return InvalidArgumentError("{} at byte {}: {}", ev.set->id(), ev.location.byte_offset,
                                    a.error().message());
      }
      out.acks.push_back(std::move(*a));
    }
  }
  return out;
}

Result<InboundAcks> ParseAcknowledgments(std::string_view x12) {
  MemorySource source(x12);
  return ParseAcknowledgments(source);
}

}  // namespace mlc::edi
