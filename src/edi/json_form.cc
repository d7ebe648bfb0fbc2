#include "edi/json_form.h"

#include <utility>
#include <vector>

namespace mlc::edi {
namespace {

using nlohmann::json;

json ComponentsOrString(std::string_view v, char component) {
  if (v.find(component) == std::string_view::npos) return json(std::string(v));
  json arr = json::array();
  size_t start = 0;
  for (;;) {
    size_t end = v.find(component, start);
    arr.push_back(std::string(v.substr(start, end == std::string_view::npos ? v.npos : end - start)));
    if (end == std::string_view::npos) return arr;
    start = end + 1;
  }
}

json DelimitersToJson(const Delimiters& d) {
  return json{{"element", std::string(1, d.element)},
              {"component", std::string(1, d.component)},
              {"segment", d.segment_terminator()},
              {"repetition", d.repetition == 0 ? json(nullptr) : json(std::string(1, d.repetition))}};
}

// What to write after each terminator for `style` (nullopt: the interchange's own bytes).
std::string LineBreakFor(const InterchangeHeader& h, std::optional<LineBreak> style) {
  const Delimiters& d = h.delimiters;
  std::string out;
  if (!style) {
    out = h.line_break;
  } else if (d.segment == '\n') {
  } else if (d.segment == '\r') {
    out = *style == LineBreak::kNone ? "" : "\n";
  } else {
    out = std::string(LineBreakBytes(*style));
  }
  // A one-byte terminator that is a UTF-8 lead byte (0xC3 ...) directly followed by a segment
  // that starts with a continuation byte would read back as a two-byte terminator: the original
  // kept them apart (with NUL padding, say). A line break keeps them apart in what we write, so
  // the output reads back the same (found by fuzzing).
  if (out.empty() && d.segment_tail_size == 0 && static_cast<unsigned char>(d.segment) >= 0xC0) {
    out = "\n";
  }
  return out;
}

// JSON -> X12 with paths in errors.
class JsonWriter {
 public:
  Result<std::string> Write(const json& doc) {
    if (!doc.is_object() || !doc.contains("interchanges") || !doc["interchanges"].is_array()) {
      return InvalidArgumentError("JSON form: expected an object with an \"interchanges\" array");
    }
    if (doc.contains("format") && doc["format"] != kJsonFormat) {
      return InvalidArgumentError("JSON form: unsupported format {}", doc["format"].dump());
    }
    const json& list = doc["interchanges"];
    for (size_t i = 0; i < list.size(); ++i) {
      RETURN_IF_ERROR(Interchange(list[i], fmt::format("interchanges[{}]", i)));
    }
    return std::move(out_);
  }

 private:
  static Result<char> OneChar(const json& j, const std::string& path) {
    if (!j.is_string() || j.get_ref<const std::string&>().size() != 1) {
      return InvalidArgumentError("{}: expected a one-character string", path);
    }
    return j.get_ref<const std::string&>()[0];
  }

  Status Interchange(const json& ic, const std::string& path) {
    if (!ic.is_object()) return InvalidArgumentError("{}: expected an object", path);
    const json* dj = Member(ic, "delimiters");
    if (dj == nullptr || !dj->is_object()) {
      return InvalidArgumentError("{}.delimiters: expected an object", path);
    }
    Delimiters d;
    ASSIGN_OR_RETURN(d.element, OneChar(dj->value("element", json()), path + ".delimiters.element"));
    ASSIGN_OR_RETURN(d.component,
                     OneChar(dj->value("component", json()), path + ".delimiters.component"));
    json seg = dj->value("segment", json());
    if (!seg.is_string() || seg.get_ref<const std::string&>().empty() ||
        seg.get_ref<const std::string&>().size() > 4) {
      return InvalidArgumentError("{}.delimiters.segment: expected a string of 1 to 4 bytes", path);
    }
    const std::string& st = seg.get_ref<const std::string&>();
    d.segment = st[0];
    d.segment_tail_size = static_cast<uint8_t>(st.size() - 1);
    for (size_t i = 1; i < st.size(); ++i) d.segment_tail[i - 1] = st[i];
    json rep = dj->value("repetition", json());
    if (!rep.is_null()) {
      ASSIGN_OR_RETURN(d.repetition, OneChar(rep, path + ".delimiters.repetition"));
    }
    if (d.element == d.component || d.element == d.segment || d.component == d.segment ||
        (d.repetition != 0 && (d.repetition == d.element || d.repetition == d.component ||
                               d.repetition == d.segment))) {
      return InvalidArgumentError("{}.delimiters: the delimiters must be distinct", path);
    }
    WriterOptions wo;
    wo.delimiters = d;
    wo.drop_trailing_empty = false;
    std::string lb = ic.value("line_break", std::string());
    if (lb == "\n") {
      wo.line_break = LineBreak::kLf;
    } else if (lb == "\r\n") {
      wo.line_break = LineBreak::kCrLf;
    } else if (!lb.empty()) {
      return InvalidArgumentError("{}.line_break: expected \"\", \"\\n\" or \"\\r\\n\"", path);
    }
    SegmentEncoder enc(wo);
    // ISA: written verbatim (its padding is part of the data).
    const json* isa = Member(ic, "isa");
    if (isa == nullptr || !isa->is_array() || isa->size() != 16) {
      return InvalidArgumentError("{}.isa: expected an array of 16 strings", path);
    }
    std::string bytes = "ISA";
    for (size_t k = 0; k < 16; ++k) {
      const json& e = (*isa)[k];
      if (!e.is_string()) return InvalidArgumentError("{}.isa[{}]: expected a string", path, k);
      const std::string& v = e.get_ref<const std::string&>();
      for (char c : v) {
        if (c == d.element || c == d.segment || (k < 15 && c == d.component)) {
          return InvalidArgumentError("{}.isa[{}] (ISA{:02}) contains a delimiter", path, k, k + 1);
        }
      }
      bytes.push_back(d.element);
      bytes += v;
    }
    enc.AppendRaw(&out_, bytes);
    RETURN_IF_ERROR(Content(ic, path, enc));
    return Trailer(ic, "iea", path, enc);
  }

  static const json* Member(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  Status Trailer(const json& obj, const char* key, const std::string& path,
                 const SegmentEncoder& enc) {
    const json* t = Member(obj, key);
    if (t == nullptr || t->is_null()) return Status::Ok();
    return WriteSegment(*t, path + "." + key, enc);
  }

  Status Content(const json& obj, const std::string& path, const SegmentEncoder& enc) {
    const json* content = Member(obj, "content");
    if (content == nullptr) return Status::Ok();
    if (!content->is_array()) return InvalidArgumentError("{}.content: expected an array", path);
    for (size_t i = 0; i < content->size(); ++i) {
      const json& item = (*content)[i];
      std::string p = fmt::format("{}.content[{}]", path, i);
      if (!item.is_object()) return InvalidArgumentError("{}: expected an object", p);
      if (const json* s = Member(item, "segment"); s != nullptr) {
        RETURN_IF_ERROR(WriteSegment(*s, p + ".segment", enc));
      } else if (const json* set = Member(item, "set"); set != nullptr) {
        const json* segs = set->is_object() ? Member(*set, "segments") : nullptr;
        if (segs == nullptr || !segs->is_array()) {
          return InvalidArgumentError("{}.set.segments: expected an array", p);
        }
        for (size_t k = 0; k < segs->size(); ++k) {
          RETURN_IF_ERROR(WriteSegment((*segs)[k], fmt::format("{}.set.segments[{}]", p, k), enc));
        }
      } else if (const json* g = Member(item, "group"); g != nullptr) {
        if (!g->is_object()) return InvalidArgumentError("{}.group: expected an object", p);
        const json* gs = Member(*g, "gs");
        if (gs == nullptr) return InvalidArgumentError("{}.group.gs: missing", p);
        RETURN_IF_ERROR(WriteSegment(*gs, p + ".group.gs", enc));
        RETURN_IF_ERROR(Content(*g, p + ".group", enc));
        RETURN_IF_ERROR(Trailer(*g, "ge", p + ".group", enc));
      } else {
        return InvalidArgumentError("{}: expected one of \"segment\", \"set\", \"group\"", p);
      }
    }
    return Status::Ok();
  }

  static Result<std::vector<std::string>> Components(const json& j, const std::string& path) {
    std::vector<std::string> out;
    if (j.is_string()) {
      out.push_back(j.get<std::string>());
      return out;
    }
    if (j.is_array()) {
      for (const json& c : j) {
        if (!c.is_string()) {
          return InvalidArgumentError("{}: components must be strings", path);
        }
        out.push_back(c.get<std::string>());
      }
      if (out.empty()) return InvalidArgumentError("{}: empty component list", path);
      return out;
    }
    return InvalidArgumentError(
        "{}: expected a string, an array of component strings or {{\"rep\": [...]}}", path);
  }

  Status WriteSegment(const json& seg, const std::string& path, const SegmentEncoder& enc) {
    if (!seg.is_array() || seg.empty() || !seg[0].is_string()) {
      return InvalidArgumentError("{}: expected [tag, element, ...]", path);
    }
    values_.clear();
    for (size_t i = 1; i < seg.size(); ++i) {
      std::string p = fmt::format("{}[{}]", path, i);
      ElementValue v;
      const json& e = seg[i];
      if (e.is_object()) {
        const json* reps = Member(e, "rep");
        if (reps == nullptr || !reps->is_array() || reps->size() < 2) {
          return InvalidArgumentError("{}.rep: expected an array of at least 2 repetitions", p);
        }
        for (size_t r = 0; r < reps->size(); ++r) {
          ASSIGN_OR_RETURN(auto comps, Components((*reps)[r], fmt::format("{}.rep[{}]", p, r)));
          v.repetitions.push_back(std::move(comps));
        }
      } else {
        ASSIGN_OR_RETURN(auto comps, Components(e, p));
        v.repetitions.push_back(std::move(comps));
      }
      values_.push_back(std::move(v));
    }
    return enc.Append(&out_, seg[0].get_ref<const std::string&>(), values_).WithContext(path);
  }

  std::string out_;
  std::vector<ElementValue> values_;
};

}  // namespace

json SegmentToJson(const Segment& segment) {
  json arr = json::array();
  arr.push_back(std::string(segment.tag()));
  const Delimiters& d = segment.delimiters();
  for (size_t i = 1; i <= segment.size(); ++i) {
    std::string_view v = segment.element(i);
    if (d.repetition != 0 && v.find(d.repetition) != std::string_view::npos) {
      json reps = json::array();
      size_t start = 0;
      for (;;) {
        size_t end = v.find(d.repetition, start);
        reps.push_back(ComponentsOrString(
            v.substr(start, end == std::string_view::npos ? v.npos : end - start), d.component));
        if (end == std::string_view::npos) break;
        start = end + 1;
      }
      arr.push_back(json{{"rep", std::move(reps)}});
    } else {
      arr.push_back(ComponentsOrString(v, d.component));
    }
  }
  return arr;
}

Result<json> ToJson(ByteSource& source, const JsonFormOptions& options) {
  Reader reader(source);
  json doc = {{"format", kJsonFormat}, {"interchanges", json::array()}};
  json interchange;
  json group;
  bool in_group = false;
  for (;;) {
    ASSIGN_OR_RETURN(Event ev, reader.Next());
    json& content = in_group ? group["content"] : interchange["content"];
    switch (ev.kind) {
      case EventKind::kEnd:
        return doc;
      case EventKind::kInterchangeStart: {
        const InterchangeHeader& h = *ev.interchange;
        json isa = json::array();
        for (size_t k = 1; k <= 16; ++k) isa.push_back(h.isa[k]);
        interchange = json{{"delimiters", DelimitersToJson(h.delimiters)},
                           {"line_break", h.line_break},
                           {"isa", std::move(isa)},
                           {"content", json::array()},
                           {"iea", nullptr}};
        break;
      }
      case EventKind::kInterchangeEnd:
        if (ev.segment != nullptr) interchange["iea"] = SegmentToJson(*ev.segment);
        doc["interchanges"].push_back(std::move(interchange));
        interchange = json();
        break;
      case EventKind::kGroupStart:
        group = json{{"gs", SegmentToJson(*ev.segment)}, {"content", json::array()}, {"ge", nullptr}};
        in_group = true;
        break;
      case EventKind::kGroupEnd:
        if (ev.segment != nullptr) group["ge"] = SegmentToJson(*ev.segment);
        interchange["content"].push_back(json{{"group", std::move(group)}});
        group = json();
        in_group = false;
        break;
      case EventKind::kTransactionSet: {
        json segs = json::array();
        for (const Segment& s : ev.set->segments) segs.push_back(SegmentToJson(s));
        json set = {{"id", std::string(ev.set->id())},
                    {"control_number", std::string(ev.set->control_number())}};
        if (options.loops) {
          json loops = options.loops(*ev.set, segs);
          if (!loops.is_null()) set["loops"] = std::move(loops);
        }
        set["segments"] = std::move(segs);
        content.push_back(json{{"set", std::move(set)}});
        break;
      }
      case EventKind::kTa1:
      case EventKind::kSegment:
        content.push_back(json{{"segment", SegmentToJson(*ev.segment)}});
        break;
    }
  }
}

Result<json> ToJson(std::string_view x12, const JsonFormOptions& options) {
  MemorySource src(x12);
  return ToJson(src, options);
}

Result<std::string> FromJson(const json& doc) {
  try {
    JsonWriter w;
    return w.Write(doc);
  } catch (const std::exception& e) {
    return InvalidArgumentError("JSON form: {}", e.what());
  }
}

Result<std::string> FromJsonText(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError("JSON form: the input is not valid JSON");
  return FromJson(doc);
}

Result<std::string> DumpJson(const json& doc, int indent) {
  try {
    return doc.dump(indent);
  } catch (const json::exception& e) {
    return InvalidArgumentError("writing JSON: {} (the JSON form needs UTF-8 data)", e.what());
  }
}

Status Reformat(ByteSource& source, std::optional<LineBreak> line_break,
                const std::function<Status(std::string_view)>& sink) {
  Reader reader(source);
  std::string out;
  std::string terminator;
  for (;;) {
    ASSIGN_OR_RETURN(Event ev, reader.Next());
    if (ev.kind == EventKind::kEnd) return Status::Ok();
    if (ev.kind == EventKind::kInterchangeStart) {
      terminator = ev.interchange->delimiters.segment_terminator() +
                   LineBreakFor(*ev.interchange, line_break);
    }
    out.clear();
    if (ev.kind == EventKind::kTransactionSet) {
      for (const Segment& s : ev.set->segments) {
        out += s.raw();
        out += terminator;
      }
    } else if (ev.segment != nullptr) {
      out += ev.segment->raw();
      out += terminator;
    }
    if (!out.empty()) RETURN_IF_ERROR(sink(out));
  }
}

Result<std::string> Canonicalize(std::string_view x12, std::optional<LineBreak> line_break) {
  MemorySource src(x12);
  std::string out;
  RETURN_IF_ERROR(Reformat(src, line_break, [&](std::string_view piece) {
    out += piece;
    return Status::Ok();
  }));
  return out;
}

}  // namespace mlc::edi
