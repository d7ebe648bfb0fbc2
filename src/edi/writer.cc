#include "edi/writer.h"

#include <array>
#include <utility>

namespace mlc::edi {
namespace {

std::string Printable(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  return fmt::format("\\x{:02x}", u);
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string SegmentName(std::string_view tag, size_t element, uint32_t segment_number) {
  std::string name = fmt::format("{}{:02}", tag, element);
  if (segment_number > 0) name += fmt::format(" (segment {})", segment_number);
  return name;
}

}  // namespace

std::string_view LineBreakBytes(LineBreak lb) {
  switch (lb) {
    case LineBreak::kNone: return "";
    case LineBreak::kLf: return "\n";
    case LineBreak::kCrLf: return "\r\n";
  }
  return "";
}

bool ElementValue::empty() const {
  for (const auto& rep : repetitions) {
    for (const auto& c : rep) {
      if (!c.empty()) return false;
    }
  }
  return repetitions.size() <= 1 && (repetitions.empty() || repetitions[0].size() <= 1);
}

SegmentEncoder::SegmentEncoder(WriterOptions options) : options_(std::move(options)) {
  terminator_ = options_.delimiters.segment_terminator();
  terminator_ += LineBreakBytes(options_.line_break);
}

Status SegmentEncoder::AppendValue(std::string* out, std::string_view tag, size_t element,
                                   std::string_view v, uint32_t segment_number) const {
  const Delimiters& d = options_.delimiters;
  for (char c : v) {
    const char* what = nullptr;
    if (c == d.element) {
      what = "element separator";
    } else if (c == d.component) {
      what = "component separator";
    } else if (c == d.segment) {
      what = "segment terminator";
    } else if (d.repetition != 0 && c == d.repetition) {
      what = "repetition separator";
    }
    if (what == nullptr) {
      out->push_back(c);
      continue;
    }
    if (!options_.replacement) {
      return InvalidArgumentError("{} value contains the {} '{}': X12 has no escape character",
                                  SegmentName(tag, element, segment_number), what, Printable(c));
    }
    char r = *options_.replacement;
    if (r == d.element || r == d.component || r == d.segment ||
        (d.repetition != 0 && r == d.repetition)) {
      return InvalidArgumentError("replacement character '{}' is itself a delimiter",
                                  Printable(r));
    }
    out->push_back(r);
  }
  return Status::Ok();
}

Status SegmentEncoder::Append(std::string* out, std::string_view tag,
                              std::span<const ElementValue> elements,
                              uint32_t segment_number) const {
  size_t n = elements.size();
  if (options_.drop_trailing_empty) {
    while (n > 0 && elements[n - 1].empty()) --n;
  }
  const size_t mark = out->size();
  const Delimiters& d = options_.delimiters;
  RETURN_IF_ERROR(AppendValue(out, tag, 0, tag, segment_number));
  for (size_t i = 0; i < n; ++i) {
    out->push_back(d.element);
    const auto& reps = elements[i].repetitions;
    if (reps.size() > 1 && d.repetition == 0) {
      out->resize(mark);
      return InvalidArgumentError("{} has {} repetitions but the interchange has no repetition "
                                  "separator (ISA12 < 00402)",
                                  SegmentName(tag, i + 1, segment_number), reps.size());
    }
    for (size_t r = 0; r < reps.size(); ++r) {
      if (r > 0) out->push_back(d.repetition);
      for (size_t c = 0; c < reps[r].size(); ++c) {
        if (c > 0) out->push_back(d.component);
        if (Status s = AppendValue(out, tag, i + 1, reps[r][c], segment_number); !s.ok()) {
          out->resize(mark);
          return s;
        }
      }
    }
  }
  out->append(terminator_);
  return Status::Ok();
}

Status SegmentEncoder::AppendSimple(std::string* out, std::string_view tag,
                                    std::span<const std::string_view> elements,
                                    uint32_t segment_number) const {
  for (char c : tag) {
    if (c == options_.delimiters.element || c == options_.delimiters.segment) {
      return InvalidArgumentError("segment tag '{}' contains a delimiter", tag);
    }
  }
  size_t n = elements.size();
  if (options_.drop_trailing_empty) {
    while (n > 0 && elements[n - 1].empty()) --n;
  }
  const size_t mark = out->size();
  out->append(tag);
  for (size_t i = 0; i < n; ++i) {
    out->push_back(options_.delimiters.element);
    if (Status s = AppendValue(out, tag, i + 1, elements[i], segment_number); !s.ok()) {
      out->resize(mark);
      return s;
    }
  }
  out->append(terminator_);
  return Status::Ok();
}

void SegmentEncoder::AppendRaw(std::string* out, std::string_view segment_bytes) const {
  out->append(segment_bytes);
  out->append(terminator_);
}

Result<std::string> BuildIsa(const IsaFields& f, const Delimiters& d) {
  struct Field {
    const std::string* value;
    size_t width;
    bool zero_pad;
  };
  const std::string isa11 =
      (AllDigits(f.version) && f.version >= "00402" && d.repetition != 0) ? std::string(1, d.repetition)
                                                                          : std::string("U");
  const std::string isa16(1, d.component);
  const std::array<Field, 16> fields = {{
      {&f.authorization_qualifier, 2, false}, {&f.authorization, 10, false},
      {&f.security_qualifier, 2, false},      {&f.security, 10, false},
      {&f.sender_qualifier, 2, false},        {&f.sender_id, 15, false},
      {&f.receiver_qualifier, 2, false},      {&f.receiver_id, 15, false},
      {&f.date, 6, false},                    {&f.time, 4, false},
      {&isa11, 1, false},                     {&f.version, 5, false},
      {&f.control_number, 9, true},           {&f.ack_requested, 1, false},
      {&f.usage_indicator, 1, false},         {&isa16, 1, false},
  }};
  if (!AllDigits(f.control_number) || f.control_number.size() > 9) {
    return InvalidArgumentError("ISA13 control number '{}' must be 1 to 9 digits",
                                f.control_number);
  }
  std::string isa = "ISA";
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string& v = *fields[i].value;
    if (v.size() > fields[i].width) {
      return InvalidArgumentError("ISA{:02} value '{}' is longer than its fixed width {}", i + 1,
                                  v, fields[i].width);
    }
    for (char c : v) {
      if (i < 15 && (c == d.element || c == d.component || c == d.segment)) {
        return InvalidArgumentError("ISA{:02} value contains the delimiter '{}'", i + 1,
                                    Printable(c));
      }
    }
    isa.push_back(d.element);
    size_t pad = fields[i].width - v.size();
    if (fields[i].zero_pad) isa.append(pad, '0');
    isa += v;
    if (!fields[i].zero_pad) isa.append(pad, ' ');
  }
  return isa;
}

Status Writer::BeginInterchange(const IsaFields& isa) {
  if (level_ != Level::kNone) {
    return FailedPreconditionError("BeginInterchange: interchange {} is still open", isa13_);
  }
  ASSIGN_OR_RETURN(std::string bytes, BuildIsa(isa, encoder_.options().delimiters));
  encoder_.AppendRaw(&out_, bytes);
  isa13_ = bytes.substr(90, 9);  // ISA13 sits at offsets 90-98
  groups_ = 0;
  level_ = Level::kInterchange;
  return Status::Ok();
}

Status Writer::BeginGroup(const GsFields& gs) {
  if (level_ != Level::kInterchange) {
    return FailedPreconditionError("BeginGroup: no open interchange, or a group is still open");
  }
  if (!AllDigits(gs.control_number) || gs.control_number.size() > 9) {
    return InvalidArgumentError("GS06 group control number '{}' must be 1 to 9 digits",
                                gs.control_number);
  }
  const std::array<std::string_view, 8> e = {gs.functional_id, gs.sender, gs.receiver, gs.date,
                                             gs.time, gs.control_number, gs.agency, gs.version};
  RETURN_IF_ERROR(encoder_.AppendSimple(&out_, "GS", e));
  gs06_ = gs.control_number;
  sets_ = 0;
  ++groups_;
  level_ = Level::kGroup;
  return Status::Ok();
}

Status Writer::BeginSet(std::string_view id, std::string_view control_number,
                        std::string_view convention) {
  if (level_ != Level::kGroup) {
    return FailedPreconditionError("BeginSet: no open group, or a set is still open");
  }
  if (control_number.size() < 4 || control_number.size() > 9) {
    return InvalidArgumentError("ST02 control number '{}' must be 4 to 9 characters",
                                control_number);
  }
  const std::array<std::string_view, 3> e = {id, control_number, convention};
  RETURN_IF_ERROR(encoder_.AppendSimple(&out_, "ST", e, 1));
  st02_ = std::string(control_number);
  segments_ = 1;
  ++sets_;
  level_ = Level::kSet;
  return Status::Ok();
}

Status Writer::Add(std::string_view tag, std::span<const ElementValue> elements) {
  if (level_ != Level::kSet) {
    return FailedPreconditionError("adding segment {}: no open transaction set", tag);
  }
  if (tag.size() < 2 || tag.size() > 3) {
    return InvalidArgumentError("segment tag '{}' must be 2 or 3 characters", tag);
  }
  if (tag == "ST" || tag == "SE" || tag == "GS" || tag == "GE" || tag == "ISA" || tag == "IEA") {
    return InvalidArgumentError("adding segment {}: envelope segments are written by the Writer",
                                tag);
  }
  RETURN_IF_ERROR(encoder_.Append(&out_, tag, elements, segments_ + 1));
  ++segments_;
  return Status::Ok();
}

Status Writer::EndSet() {
  if (level_ != Level::kSet) return FailedPreconditionError("EndSet: no open transaction set");
  std::string count = std::to_string(segments_ + 1);
  const std::array<std::string_view, 2> e = {count, st02_};
  RETURN_IF_ERROR(encoder_.AppendSimple(&out_, "SE", e, segments_ + 1));
  level_ = Level::kGroup;
  return Status::Ok();
}

Status Writer::EndGroup() {
  if (level_ != Level::kGroup) return FailedPreconditionError("EndGroup: no open group");
  std::string count = std::to_string(sets_);
  const std::array<std::string_view, 2> e = {count, gs06_};
  RETURN_IF_ERROR(encoder_.AppendSimple(&out_, "GE", e));
  level_ = Level::kInterchange;
  return Status::Ok();
}

Status Writer::EndInterchange() {
  if (level_ != Level::kInterchange) {
    return FailedPreconditionError("EndInterchange: no open interchange, or a group is open");
  }
  std::string count = std::to_string(groups_);
  const std::array<std::string_view, 2> e = {count, isa13_};
  RETURN_IF_ERROR(encoder_.AppendSimple(&out_, "IEA", e));
  level_ = Level::kNone;
  return Status::Ok();
}

}  // namespace mlc::edi
