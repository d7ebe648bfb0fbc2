#include "edi/schema.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>

#include <fmt/format.h>

namespace mlc::edi {
namespace {

// The schema data, compiled in (each file is a raw string literal; see schemas/README.md).
// Dictionaries first: sets refer to them. Add a new document type or version here (one line).
const std::vector<SchemaRegistry::File>& BuiltinFiles() {
  static const std::vector<SchemaRegistry::File> files = {
      {"dictionary_004010",
#include "edi/schemas/dictionary_004010.schema"
      },
      {"dictionary_005010",
#include "edi/schemas/dictionary_005010.schema"
      },
      {"codes",
#include "edi/schemas/codes.schema"
      },
      {"850_004010",
#include "edi/schemas/850_004010.schema"
      },
      {"850_005010",
#include "edi/schemas/850_005010.schema"
      },
      {"810_004010",
#include "edi/schemas/810_004010.schema"
      },
      {"810_005010",
#include "edi/schemas/810_005010.schema"
      },
      {"855_004010",
#include "edi/schemas/855_004010.schema"
      },
      {"855_005010",
#include "edi/schemas/855_005010.schema"
      },
      {"860_004010",
#include "edi/schemas/860_004010.schema"
      },
      {"860_005010",
#include "edi/schemas/860_005010.schema"
      },
      {"856_004010",
#include "edi/schemas/856_004010.schema"
      },
      {"856_005010",
#include "edi/schemas/856_005010.schema"
      },
      {"997_004010",
#include "edi/schemas/997_004010.schema"
      },
      {"997_005010",
#include "edi/schemas/997_005010.schema"
      },
      {"999_005010",
#include "edi/schemas/999_005010.schema"
      },
  };
  return files;
}

struct Line {
  size_t number = 0;
  size_t indent = 0;
  std::vector<std::string_view> tokens;
};

// Splits a file into non-empty lines without comments, with their indentation.
std::vector<Line> Lines(std::string_view text) {
  std::vector<Line> out;
  size_t number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    Line l;
    l.number = number;
    while (l.indent < line.size() && line[l.indent] == ' ') ++l.indent;
    size_t i = l.indent;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
      if (i > start) l.tokens.push_back(line.substr(start, i - start));
    }
    if (!l.tokens.empty()) out.push_back(std::move(l));
  }
  return out;
}

Status LineError(const SchemaRegistry::File& f, const Line& l, std::string_view what) {
  return InvalidArgumentError("schema {} line {}: {}", f.name, l.number, what);
}

bool ParseUint(std::string_view s, uint32_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

Status ParseType(std::string_view s, ElementDef* e) {
  if (s == "ID") {
    e->type = ElementType::kId;
  } else if (s == "AN") {
    e->type = ElementType::kString;
  } else if (s == "R") {
    e->type = ElementType::kReal;
  } else if (s == "DT") {
    e->type = ElementType::kDate;
  } else if (s == "TM") {
    e->type = ElementType::kTime;
  } else if (s.size() == 2 && s[0] == 'N' && s[1] >= '0' && s[1] <= '9') {
    e->type = ElementType::kNumeric;
    e->implied_decimals = static_cast<uint8_t>(s[1] - '0');
  } else {
    return InvalidArgumentError("unknown element type '{}'", s);
  }
  return Status::Ok();
}

Status ParseUsage(std::string_view s, Usage* u) {
  if (s == "M") {
    *u = Usage::kMandatory;
  } else if (s == "O") {
    *u = Usage::kOptional;
  } else if (s == "X") {
    *u = Usage::kConditional;
  } else {
    return InvalidArgumentError("unknown usage '{}' (M, O or X)", s);
  }
  return Status::Ok();
}

// "2/30" -> 2, 30.
Status ParseLength(std::string_view s, ElementDef* e) {
  size_t slash = s.find('/');
  uint32_t lo = 0, hi = 0;
  if (slash == std::string_view::npos || !ParseUint(s.substr(0, slash), &lo) ||
      !ParseUint(s.substr(slash + 1), &hi) || lo == 0 || hi < lo || hi > 65535) {
    return InvalidArgumentError("bad length '{}' (want min/max)", s);
  }
  e->min_length = static_cast<uint16_t>(lo);
  e->max_length = static_cast<uint16_t>(hi);
  return Status::Ok();
}

Result<SyntaxRule> ParseRule(std::string_view s) {
  SyntaxRule r;
  r.text = std::string(s);
  if (s.size() < 5 || (s.size() - 1) % 2 != 0) {
    return InvalidArgumentError("bad syntax note '{}'", s);
  }
  switch (s[0]) {
    case 'P': r.kind = SyntaxRule::Kind::kPaired; break;
    case 'R': r.kind = SyntaxRule::Kind::kRequired; break;
    case 'E': r.kind = SyntaxRule::Kind::kExclusion; break;
    case 'C': r.kind = SyntaxRule::Kind::kConditional; break;
    case 'L': r.kind = SyntaxRule::Kind::kListConditional; break;
    default: return InvalidArgumentError("bad syntax note kind in '{}'", s);
  }
  for (size_t i = 1; i < s.size(); i += 2) {
    uint32_t p = 0;
    if (!ParseUint(s.substr(i, 2), &p) || p == 0) {
      return InvalidArgumentError("bad syntax note position in '{}'", s);
    }
    r.positions.push_back(static_cast<uint16_t>(p));
  }
  return r;
}

// The first six characters of a GS08 ("004010VICS" -> "004010").
std::string_view BaseVersion(std::string_view gs08) {
  size_t n = 0;
  while (n < gs08.size() && n < 6 && gs08[n] >= '0' && gs08[n] <= '9') ++n;
  return n == 6 ? gs08.substr(0, 6) : std::string_view();
}

// Structure lines: recursive descent on indentation.
Status ParseNodes(const SchemaRegistry::File& f, const std::vector<Line>& lines, size_t* i,
                  size_t indent, std::vector<StructureNode>* out, size_t depth = 1) {
  if (depth >= StructureNode::kMaxLoopDepth) {
    return LineError(f, lines[*i], "loops nest too deep");
  }
  while (*i < lines.size()) {
    const Line& l = lines[*i];
    if (l.indent < indent) return Status::Ok();
    if (l.indent > indent) return LineError(f, l, "unexpected indentation");
    if (l.tokens.size() != 3) return LineError(f, l, "want: TAG MIN MAX");
    StructureNode n;
    n.tag = std::string(l.tokens[0]);
    n.key = TagKey(n.tag);
    if (n.key == 0xFFFFFFFFu || n.tag.size() < 2) return LineError(f, l, "bad segment tag");
    if (!ParseUint(l.tokens[1], &n.min_use)) return LineError(f, l, "bad min use");
    if (l.tokens[2] == "n") {
      n.max_use = StructureNode::kUnbounded;
    } else if (!ParseUint(l.tokens[2], &n.max_use) || n.max_use == 0 || n.max_use < n.min_use) {
      return LineError(f, l, "bad max use");
    }
    ++*i;
    if (*i < lines.size() && lines[*i].indent > indent) {
      n.loop = true;
      RETURN_IF_ERROR(ParseNodes(f, lines, i, lines[*i].indent, &n.children, depth + 1));
    }
    out->push_back(std::move(n));
  }
  return Status::Ok();
}

void CollectTags(const StructureNode& n, std::set<std::string, std::less<>>* tags) {
  for (const StructureNode& c : n.children) {
    tags->insert(c.tag);
    CollectTags(c, tags);
  }
}

}  // namespace

std::string_view ElementTypeName(ElementType type) {
  switch (type) {
    case ElementType::kId: return "ID";
    case ElementType::kString: return "AN";
    case ElementType::kNumeric: return "N";
    case ElementType::kReal: return "R";
    case ElementType::kDate: return "DT";
    case ElementType::kTime: return "TM";
    case ElementType::kComposite: return "C";
  }
  return "?";
}

const SchemaRegistry& SchemaRegistry::Builtin() {
  static const SchemaRegistry* registry = [] {
    auto r = Parse(BuiltinFiles());
    if (!r.ok()) {
      // Belief: our compiled-in data parses (schema_test checks it); nothing else to do.
      std::fprintf(stderr, "ml-connector: built-in X12 schemas are broken: %s\n",
                   r.error().message().c_str());
      std::abort();
    }
    return r->release();
  }();
  return *registry;
}

Result<std::unique_ptr<SchemaRegistry>> SchemaRegistry::Parse(const std::vector<File>& files) {
  std::unique_ptr<SchemaRegistry> r(new SchemaRegistry());
  // Dictionaries first (in the order given, so a base precedes its derivations), then code lists
  // and sets.
  for (const File& f : files) {
    auto lines = Lines(f.text);
    if (!lines.empty() && lines[0].tokens[0] == "version") RETURN_IF_ERROR(r->ParseDictionary(f));
  }
  for (const File& f : files) {
    auto lines = Lines(f.text);
    if (lines.empty()) continue;
    if (lines[0].tokens[0] == "codes") RETURN_IF_ERROR(r->ParseCodes(f));
  }
  for (const File& f : files) {
    auto lines = Lines(f.text);
    if (lines.empty()) continue;
    std::string_view first = lines[0].tokens[0];
    if (first == "set") {
      RETURN_IF_ERROR(r->ParseSet(f));
    } else if (first != "version" && first != "codes") {
      return LineError(f, lines[0], fmt::format("unknown file kind '{}'", first));
    }
  }
  RETURN_IF_ERROR(r->Link());
  return r;
}

Status SchemaRegistry::ParseDictionary(const File& f) {
  auto lines = Lines(f.text);
  const Line& head = lines[0];
  if (head.tokens.size() != 2 && !(head.tokens.size() == 4 && head.tokens[2] == "base")) {
    return LineError(f, head, "want: version V [base V]");
  }
  auto dict = std::make_unique<Dictionary>();
  dict->version = std::string(head.tokens[1]);
  if (head.tokens.size() == 4) {
    auto base = dictionaries_.find(head.tokens[3]);
    if (base == dictionaries_.end()) {
      return LineError(f, head, fmt::format("unknown base version {}", head.tokens[3]));
    }
    *dict = *base->second;
    dict->version = std::string(head.tokens[1]);
  }
  SegmentDef* seg = nullptr;
  ElementDef* composite = nullptr;
  for (size_t i = 1; i < lines.size(); ++i) {
    const Line& l = lines[i];
    std::string_view k = l.tokens[0];
    if (l.indent == 0) {
      composite = nullptr;
      if (k == "seg" && l.tokens.size() == 2) {
        SegmentDef def;
        def.tag = std::string(l.tokens[1]);
        dict->known.insert(def.tag);
        auto& slot = dict->segments[TagKey(def.tag)];
        slot = std::move(def);
        seg = &slot;
      } else if (k == "known") {
        seg = nullptr;
        for (size_t t = 1; t < l.tokens.size(); ++t) dict->known.insert(std::string(l.tokens[t]));
      } else {
        return LineError(f, l, "want: seg TAG, or known TAG...");
      }
      continue;
    }
    if (seg == nullptr) return LineError(f, l, "element outside a segment");
    if (k == "more") {
      if (composite != nullptr && l.indent > 2) {
        composite->more_components = true;
      } else {
        seg->more_elements = true;
      }
      continue;
    }
    if (k == "note") {
      for (size_t t = 1; t < l.tokens.size(); ++t) {
        auto rule = ParseRule(l.tokens[t]);
        if (!rule.ok()) return LineError(f, l, rule.error().message());
        seg->rules.push_back(std::move(*rule));
      }
      continue;
    }
    bool component = l.indent > 2;
    if (component && composite == nullptr) return LineError(f, l, "component outside a composite");
    std::vector<ElementDef>& list = component ? composite->components : seg->elements;
    std::string expected = component
                               ? fmt::format("{}-{:02}", composite->id, list.size() + 1)
                               : fmt::format("{}{:02}", seg->tag, list.size() + 1);
    if (k != expected) {
      return LineError(f, l, fmt::format("element id {} where {} was expected", k, expected));
    }
    ElementDef e;
    e.id = std::string(k);
    // A trailing rN: the element repeats up to N times.
    std::vector<std::string_view> tokens = l.tokens;
    if (tokens.size() >= 4 && tokens.back().size() > 1 && tokens.back()[0] == 'r') {
      uint32_t n = 0;
      if (!ParseUint(tokens.back().substr(1), &n) || n == 0 || n > 65535) {
        return LineError(f, l, "bad repeat count");
      }
      e.max_repeat = static_cast<uint16_t>(n);
      tokens.pop_back();
    }
    if (tokens.size() == 3 && !component) {  // composite: ID REF USAGE
      e.reference = std::string(l.tokens[1]);
      e.type = ElementType::kComposite;
      e.min_length = 0;
      e.max_length = 0;
      Status s = ParseUsage(tokens[2], &e.usage);
      if (!s.ok()) return LineError(f, l, s.message());
      list.push_back(std::move(e));
      composite = &list.back();
      continue;
    }
    if (tokens.size() != 5) return LineError(f, l, "want: ID REF TYPE MIN/MAX USAGE [rN]");
    if (!component) composite = nullptr;
    e.reference = std::string(l.tokens[1]);
    for (Status s : {ParseType(l.tokens[2], &e), ParseLength(l.tokens[3], &e),
                     ParseUsage(l.tokens[4], &e.usage)}) {
      if (!s.ok()) return LineError(f, l, s.message());
    }
    list.push_back(std::move(e));
    if (!component) composite = nullptr;
  }
  std::string version = dict->version;
  dictionaries_[version] = std::move(dict);
  return Status::Ok();
}

Status SchemaRegistry::ParseCodes(const File& f) {
  for (const Line& l : Lines(f.text)) {
    if (l.tokens[0] != "codes" || l.tokens.size() < 3) {
      return LineError(f, l, "want: codes REF [partial] CODE...");
    }
    auto& list = codes_[std::string(l.tokens[1])];
    if (!list) {
      list = std::make_unique<CodeList>();
      list->reference = std::string(l.tokens[1]);
    }
    size_t t = 2;
    if (l.tokens[2] == "partial") {
      list->partial = true;
      ++t;
    }
    for (; t < l.tokens.size(); ++t) {
      list->codes.insert(std::string(l.tokens[t]));
      if (l.tokens[t].size() <= 8) list->packed.push_back(CodeList::Pack(l.tokens[t]));
    }
    std::sort(list->packed.begin(), list->packed.end());
    list->BuildTable();
  }
  return Status::Ok();
}

void CodeList::BuildTable() {
  // At most half full, so a miss ends after a probe or two.
  size_t size = 8;
  unsigned bits = 3;
  while (size < 2 * packed.size()) {
    size *= 2;
    ++bits;
  }
  table.assign(size, 0);
  table_shift = 64 - bits;
  for (uint64_t k : packed) {
    if (k == 0) continue;  // found through `packed` (see Contains)
    size_t i = (k * 0x9E3779B97F4A7C15u) >> table_shift;
    while (table[i] != 0 && table[i] != k) i = (i + 1) & (size - 1);
    table[i] = k;
  }
}

Status SchemaRegistry::ParseSet(const File& f) {
  auto lines = Lines(f.text);
  const Line& head = lines[0];
  if (head.tokens.size() < 4) return LineError(f, head, "want: set ID VERSION GS01 TITLE...");
  auto set = std::make_unique<TransactionSetSchema>();
  set->id = std::string(head.tokens[1]);
  set->version = std::string(head.tokens[2]);
  set->functional_id = std::string(head.tokens[3]);
  for (size_t t = 4; t < head.tokens.size(); ++t) {
    if (!set->title.empty()) set->title += ' ';
    set->title += head.tokens[t];
  }
  auto dict = dictionaries_.find(set->version);
  if (dict == dictionaries_.end()) {
    return LineError(f, head, fmt::format("no dictionary for version {}", set->version));
  }
  set->dictionary = dict->second.get();
  std::vector<Line> body;
  for (size_t k = 1; k < lines.size(); ++k) {
    const Line& l = lines[k];
    if (l.indent != 0 || l.tokens[0] != "unit") {
      body.push_back(l);
      continue;
    }
    // unit BEG03: segment id (2-3 characters) + two-digit element position.
    std::string_view u = l.tokens.size() == 2 ? l.tokens[1] : std::string_view();
    uint32_t position = 0;
    bool ok = u.size() >= 4 && u.size() <= 5 && ParseUint(u.substr(u.size() - 2), &position) &&
              position > 0;
    if (!ok) return LineError(f, l, "want: unit SEGNN (the business unit element, e.g. BEG03)");
    set->unit_id = std::string(u);
    set->unit_key = TagKey(u.substr(0, u.size() - 2));
    set->unit_element = static_cast<uint16_t>(position);
  }
  size_t i = 0;
  set->root.tag = "ST";
  set->root.loop = true;
  RETURN_IF_ERROR(ParseNodes(f, body, &i, 0, &set->root.children));
  auto& ch = set->root.children;
  if (ch.size() < 2 || ch.front().tag != "ST" || ch.back().tag != "SE") {
    return InvalidArgumentError("schema {}: a set must start with ST and end with SE", f.name);
  }
  CollectTags(set->root, &set->tags);
  if (!set->unit_id.empty() &&
      !set->Contains(std::string_view(set->unit_id).substr(0, set->unit_id.size() - 2))) {
    return InvalidArgumentError("schema {}: unit {} names a segment the set does not have",
                                f.name, set->unit_id);
  }
  std::string key = set->version + "/" + set->id;
  if (sets_.count(key) != 0) return InvalidArgumentError("schema {}: {} defined twice", f.name, key);
  sets_[key] = std::move(set);
  return Status::Ok();
}

Status SchemaRegistry::Link() {
  for (auto& [version, dict] : dictionaries_) {
    for (auto& [key, seg] : dict->segments) {
      std::function<void(std::vector<ElementDef>&)> link = [&](std::vector<ElementDef>& list) {
        for (ElementDef& e : list) {
          e.codes = nullptr;
          if (e.type == ElementType::kId) e.codes = FindCodes(e.reference);
          link(e.components);
        }
      };
      link(seg.elements);
      // Precomputed for the validator's hot path.
      seg.last_mandatory = 0;
      seg.checks.clear();
      for (size_t i = 0; i < seg.elements.size(); ++i) {
        const ElementDef& e = seg.elements[i];
        if (e.usage == Usage::kMandatory) seg.last_mandatory = i + 1;
        ElementCheck c;
        // A composite's value without component separators is its first component alone (the
        // validator reports no missing later components then), so its check is that
        // component's; a composite without listed components keeps kComposite (never accepted).
        const ElementDef& t =
            e.type == ElementType::kComposite && !e.components.empty() ? e.components[0] : e;
        switch (t.type) {
          case ElementType::kId: c.kind = ElementCheck::Kind::kId; break;
          case ElementType::kString: c.kind = ElementCheck::Kind::kString; break;
          case ElementType::kNumeric: c.kind = ElementCheck::Kind::kNumeric; break;
          case ElementType::kReal: c.kind = ElementCheck::Kind::kReal; break;
          case ElementType::kDate: c.kind = ElementCheck::Kind::kDate; break;
          case ElementType::kTime: c.kind = ElementCheck::Kind::kTime; break;
          case ElementType::kComposite: c.kind = ElementCheck::Kind::kComposite; break;
        }
        c.min_length = t.min_length;
        c.max_length = t.max_length;
        c.codes = t.codes;
        c.partial_codes = t.codes != nullptr && t.codes->partial;
        c.mandatory = e.usage == Usage::kMandatory;
        seg.checks.push_back(c);
      }
      for (SyntaxRule& r : seg.rules) {
        r.reach = 0;
        if (r.kind == SyntaxRule::Kind::kPaired) {
          r.reach = *std::min_element(r.positions.begin(), r.positions.end());
        } else if (r.kind != SyntaxRule::Kind::kRequired) {
          r.reach = r.positions.front();
        }
        r.mask = 0;
        bool maskable = !r.positions.empty();
        for (uint16_t p : r.positions) {
          const uint64_t bit = p >= 1 && p <= 63 ? uint64_t{1} << p : 0;
          maskable = maskable && bit != 0 && (r.mask & bit) == 0;
          r.mask |= bit;
        }
        if (!maskable) r.mask = 0;
        r.first_mask = r.mask != 0 ? uint64_t{1} << r.positions.front() : 0;
      }
    }
  }
  for (auto& [key, set] : sets_) {
    const Dictionary* dict = set->dictionary;
    std::function<void(StructureNode&)> link = [&](StructureNode& n) {
      n.key_filter = 0;
      n.required_end = 0;
      n.child_keys.clear();
      n.child_min.clear();
      n.child_max.clear();
      size_t slots = 2;
      n.child_slot_shift = 31;
      while (slots < 2 * n.children.size()) {  // at most half full
        slots *= 2;
        --n.child_slot_shift;
      }
      n.child_slots.assign(slots, 0);
      for (size_t i = 0; i < n.children.size(); ++i) {
        StructureNode& c = n.children[i];
        c.segment = dict->Find(c.tag);
        n.key_filter |= StructureNode::FilterBit(c.key);
        n.child_keys.push_back(c.key);
        n.child_min.push_back(c.min_use);
        n.child_max.push_back(c.max_use);
        if (c.min_use > 0) n.required_end = i + 1;
        for (size_t h = StructureNode::SlotHash(c.key, n.child_slot_shift);;
             h = (h + 1) & (slots - 1)) {
          uint64_t& e = n.child_slots[h];
          if (e == 0) {
            e = uint64_t{c.key} << 32 | (i + 1);
            break;
          }
          if (static_cast<uint32_t>(e >> 32) == c.key) {
            e |= StructureNode::kRepeatedChild;
            break;
          }
        }
        link(c);
      }
    };
    link(set->root);
    // Every tag a set uses is known to its version's dictionary.
    for (const std::string& t : set->tags) {
      const_cast<Dictionary*>(dict)->known.insert(t);
    }
  }
  return Status::Ok();
}

const CodeList* SchemaRegistry::FindCodes(std::string_view reference) const {
  auto it = codes_.find(reference);
  return it == codes_.end() ? nullptr : it->second.get();
}

std::string SchemaRegistry::ResolveVersion(std::string_view gs08) const {
  std::string_view v = BaseVersion(gs08);
  if (v.empty()) return "";
  if (dictionaries_.count(v) != 0) return std::string(v);
  // Nearest lower version of the same major release (first three digits).
  std::string best;
  for (const auto& [have, dict] : dictionaries_) {
    if (have.compare(0, 3, v.substr(0, 3)) == 0 && have < v && have > best) best = have;
  }
  return best;
}

const TransactionSetSchema* SchemaRegistry::Find(std::string_view id,
                                                 std::string_view gs08) const {
  std::string v = ResolveVersion(gs08);
  if (v.empty()) return nullptr;
  auto it = sets_.find(v + "/" + std::string(id));
  return it == sets_.end() ? nullptr : it->second.get();
}

const Dictionary* SchemaRegistry::FindDictionary(std::string_view gs08) const {
  std::string v = ResolveVersion(gs08);
  auto it = dictionaries_.find(v);
  return it == dictionaries_.end() ? nullptr : it->second.get();
}

std::vector<const TransactionSetSchema*> SchemaRegistry::sets() const {
  std::vector<const TransactionSetSchema*> out;
  for (const auto& [k, s] : sets_) out.push_back(s.get());
  return out;
}

}  // namespace mlc::edi
