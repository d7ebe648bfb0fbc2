#include "config/spec.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/redact.h"

namespace mlc::config {
namespace {

std::string JoinPath(const std::string& path, std::string_view name) {
  if (path.empty()) return std::string(name);
  return path + "." + std::string(name);
}

std::string_view KindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a single value";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

bool IsVarName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string JoinValues(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string out = path.empty() ? message : path + ": " + message;
  if (line > 0 && column > 0) return fmt::format("{} (line {}, column {})", out, line, column);
  if (line > 0) return fmt::format("{} (line {})", out, line);
  return out;
}

// --- DecodeContext --------------------------------------------------------------------------

DecodeContext::DecodeContext(EnvLookup env) : env_(std::move(env)) {}

void DecodeContext::AddError(std::string path, int line, std::string message, int column) {
  if (errors_.size() >= kMaxErrors) {
    budget_ = 0;  // stop decoding: nobody reads past the first hundred errors
    if (errors_.size() == kMaxErrors) {
      errors_.push_back(ConfigError{"", 0, 0, fmt::format("more than {} errors; fix these first",
                                                          kMaxErrors)});
    }
    return;
  }
  // Status-independent errors still pass through redaction: an interpolated value could be a
  // registered secret.
  errors_.push_back(ConfigError{std::move(path), line, column, Redact(message)});
}

int DecodeContext::LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

int DecodeContext::Line(const std::string& path) const {
  auto it = lines_.find(path);
  return it == lines_.end() ? 0 : it->second;
}

bool DecodeContext::Spend() {
  if (budget_ <= 0) return false;
  if (--budget_ == 0) {
    AddError("", 0, fmt::format("config is too large (more than {} values after expanding "
                                "aliases)",
                                kMaxNodes));
    return false;
  }
  return true;
}

std::optional<std::string> DecodeContext::Scalar(const YAML::Node& node, const std::string& path,
                                                 std::string_view expected) {
  const int line = LineOf(node);
  if (!node.IsScalar()) {
    AddError(path, line, fmt::format("expected {}, got {}", expected, KindName(node)));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  if (applying_default_ || s.find('$') == std::string::npos) return s;
  // ${VAR} and ${VAR:-default}; "$${" writes a literal "${". Only values are interpolated, never
  // keys, and the result is not parsed as YAML again, so a variable cannot inject structure.
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (s.compare(i, 2, "${") != 0) {
      out += s[i++];
      continue;
    }
    size_t close = s.find('}', i + 2);
    if (close == std::string::npos) {
      AddError(path, line, "unterminated ${ in value (write $${ for a literal ${)");
      return std::nullopt;
    }
    std::string_view inner(s.data() + i + 2, close - i - 2);
    size_t sep = inner.find(":-");
    std::string name(inner.substr(0, sep));
    if (!IsVarName(name)) {
      AddError(path, line,
               fmt::format("'${{{}}}' is not a valid reference (use ${{VAR}} or ${{VAR:-default}})",
                           inner));
      return std::nullopt;
    }
    std::optional<std::string> value = env_ ? env_(name) : std::nullopt;
    if (sep != std::string_view::npos) {
      out += value && !value->empty() ? *value : std::string(inner.substr(sep + 2));
    } else if (value) {
      out += *value;
    } else {
      AddError(path, line,
               fmt::format("environment variable {} is not set (write ${{{}:-value}} to give "
                           "a default)",
                           name, name));
      return std::nullopt;
    }
    i = close + 1;
  }
  return out;
}

// --- SpecNode -------------------------------------------------------------------------------

std::string UnknownKeyMessage(std::string_view name, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    size_t d = EditDistance(name, c);
    if (d < best_distance) {
      best_distance = d;
      best = &c;
    }
  }
  // Close enough to be a typo: two edits, or a third of the name (long names, swapped words).
  if (best && (best_distance <= 2 || best_distance * 3 <= best->size())) {
    return fmt::format("unknown key (did you mean '{}'?)", *best);
  }
  return fmt::format("unknown key (allowed: {})", JoinValues(candidates));
}

void SpecNode::DecodeInto(const YAML::Node& node, void* out, DecodeContext& ctx,
                          const std::string& path, int line) const {
  if (!ctx.Spend()) return;
  const bool absent = !node.IsDefined() || node.IsNull();
  if (!absent && !node.IsMap()) {
    ctx.AddError(path, DecodeContext::LineOf(node),
                 fmt::format("expected a map of keys, got {}", KindName(node)));
    return;
  }
  std::vector<bool> seen(keys_.size(), false);
  if (!absent) {
    for (const auto& kv : node) {
      if (!ctx.Spend()) return;
      const int key_line = DecodeContext::LineOf(kv.first);
      if (!kv.first.IsScalar()) {
        ctx.AddError(path, key_line, "keys must be plain names");
        continue;
      }
      const std::string& name = kv.first.Scalar();
      const std::string key_path = JoinPath(path, name);
      auto it = std::find_if(keys_.begin(), keys_.end(),
                             [&](const KeySpec& k) { return k.name == name; });
      if (it == keys_.end()) {
        std::vector<std::string> names;
        for (const auto& k : keys_) names.push_back(k.name);
        ctx.AddError(key_path, key_line, UnknownKeyMessage(name, names));
        continue;
      }
      const size_t index = static_cast<size_t>(it - keys_.begin());
      if (seen[index]) {
        ctx.AddError(key_path, key_line, "duplicate key");
        continue;
      }
      seen[index] = true;
      ctx.RecordLine(key_path, key_line);
      if (kv.second.IsNull() && it->required) {
        ctx.AddError(key_path, key_line, "required key has no value");
        continue;
      }
      if (kv.second.IsNull()) {
        seen[index] = false;  // `key:` with nothing after it counts as absent: apply the default
        continue;
      }
      DecodeKey(index, kv.second, out, ctx, key_path, key_line);
    }
  }
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (seen[i]) continue;
    const KeySpec& k = keys_[i];
    const std::string key_path = JoinPath(path, k.name);
    if (k.required) {
      if (ctx.Line(key_path) == 0) ctx.AddError(key_path, line, "required key is missing");
      continue;
    }
    if (k.default_text) {
      YAML::Node value;
      try {
        value = YAML::Load(*k.default_text);
      } catch (const YAML::Exception& e) {
        // A belief about our own declarations; the spec test decodes every default.
        ctx.AddError(key_path, 0, fmt::format("internal: bad default in declaration: {}", e.what()));
        continue;
      }
      const bool was = ctx.applying_default();
      ctx.set_applying_default(true);
      DecodeKey(i, value, out, ctx, key_path, line);
      ctx.set_applying_default(was);
    } else if (k.type == Type::kSection) {
      DecodeKey(i, YAML::Node(), out, ctx, key_path, line);  // the section's own defaults
    }
  }
}

// --- value decoders -------------------------------------------------------------------------

std::optional<std::string> DecodeString(const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                                        const std::string& path) {
  auto text = ctx.Scalar(n, path, TypeName(k.type) == "url" ? "a URL" : "a single value");
  if (!text) return std::nullopt;
  const int line = DecodeContext::LineOf(n);
  auto fail = [&](const Status& s) {
    ctx.AddError(path, line, s.message());
    return std::nullopt;
  };
  if (text->empty()) {
    if (k.required) return fail(InvalidArgumentError("must not be empty"));
    return text;
  }
  if (text->find('\0') != std::string::npos) return fail(InvalidArgumentError("contains a NUL"));
  Status s;
  switch (k.type) {
    case Type::kUrl: s = CheckUrl(*text, k.schemes); break;
    case Type::kDecimal: s = CheckDecimal(*text); break;
    case Type::kHostPort: s = CheckHostPort(*text); break;
    case Type::kPath:
      if (std::any_of(text->begin(), text->end(),
                      [](char c) { return static_cast<unsigned char>(c) < ' '; })) {
        s = InvalidArgumentError("path contains control characters");
      }
      break;
    default: break;
  }
  if (!s.ok()) return fail(s);
  if (k.check) {
    if (Status c = k.check(*text); !c.ok()) return fail(c);
  }
  return text;
}

std::optional<int64_t> DecodeInt(const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                                 const std::string& path) {
  auto text = ctx.Scalar(n, path, "an integer");
  if (!text) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  const int line = DecodeContext::LineOf(n);
  if (text->empty() || ec != std::errc() || ptr != text->data() + text->size()) {
    ctx.AddError(path, line, fmt::format("expected an integer, got '{}'", *text));
    return std::nullopt;
  }
  if ((k.min && v < *k.min) || (k.max && v > *k.max)) {
    ctx.AddError(path, line,
                 fmt::format("must be between {} and {}, got {}", k.min.value_or(INT64_MIN),
                             k.max.value_or(INT64_MAX), v));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> DecodeBool(const YAML::Node& n, const KeySpec&, DecodeContext& ctx,
                               const std::string& path) {
  auto text = ctx.Scalar(n, path, "true or false");
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  ctx.AddError(path, DecodeContext::LineOf(n), fmt::format("expected true or false, got '{}'", *text));
  return std::nullopt;
}

std::optional<Duration> DecodeDuration(const YAML::Node& n, const KeySpec&, DecodeContext& ctx,
                                       const std::string& path) {
  auto text = ctx.Scalar(n, path, "a duration");
  if (!text) return std::nullopt;
  auto d = ParseDuration(*text);
  if (!d.ok()) {
    ctx.AddError(path, DecodeContext::LineOf(n), fmt::format("{}, got '{}'", d.error().message(), *text));
    return std::nullopt;
  }
  return *d;
}

std::optional<std::string> DecodeEnumName(const YAML::Node& n, const KeySpec& k,
                                          DecodeContext& ctx, const std::string& path) {
  auto text = ctx.Scalar(n, path, "one of " + JoinValues(k.allowed));
  if (!text) return std::nullopt;
  if (k.allowed.empty() ||
      std::find(k.allowed.begin(), k.allowed.end(), *text) != k.allowed.end()) {
    return text;
  }
  std::string hint;
  for (const auto& a : k.allowed) {
    if (a.size() == text->size() &&
        std::equal(a.begin(), a.end(), text->begin(), [](char x, char y) {
          return std::tolower(static_cast<unsigned char>(x)) ==
                 std::tolower(static_cast<unsigned char>(y));
        })) {
      hint = fmt::format(" (did you mean '{}'?)", a);
    }
  }
  ctx.AddError(path, DecodeContext::LineOf(n),
               fmt::format("must be one of {}, got '{}'{}", JoinValues(k.allowed), *text, hint));
  return std::nullopt;
}

std::optional<SecretRef> DecodeSecret(const YAML::Node& n, const KeySpec&, DecodeContext& ctx,
                                      const std::string& path) {
  const int line = DecodeContext::LineOf(n);
  if (!n.IsScalar()) {
    ctx.AddError(path, line,
                 fmt::format("expected a secret reference (vault:NAME or env:VAR), got {}",
                             KindName(n)));
    return std::nullopt;
  }
  auto text = ctx.Scalar(n, path, "a secret reference");
  if (!text) return std::nullopt;
  auto ref = ParseSecretRef(*text);
  if (!ref.ok()) {
    ctx.AddError(path, line, ref.error().message());  // never the text: it may be the secret
    return std::nullopt;
  }
  if (ref->kind == SecretRef::Kind::kEnv) {
    std::optional<std::string> value = ctx.env() ? ctx.env()(ref->name) : std::nullopt;
    if (!value || value->empty()) {
      ctx.AddError(path, line,
                   fmt::format("environment variable {} (from env:{}) is not set or empty",
                               ref->name, ref->name));
      return std::nullopt;
    }
    if (value->size() < kMinSecretLength) {
      // Too short to redact from logs without mangling them (redact.h), and too short to be a
      // real credential: refuse it rather than risk printing it.
      ctx.AddError(path, line,
                   fmt::format("environment variable {} (from env:{}) is shorter than {} "
                               "characters; that cannot be a real secret",
                               ref->name, ref->name, kMinSecretLength));
      return std::nullopt;
    }
    RegisterSecret(*value);
    ref->value = std::move(*value);
  }
  return std::move(ref).value();
}

std::optional<Schedule> DecodeSchedule(const YAML::Node& n, const KeySpec&, DecodeContext& ctx,
                                       const std::string& path) {
  auto text = ctx.Scalar(n, path, "a schedule");
  if (!text) return std::nullopt;
  auto s = ParseSchedule(*text);
  if (!s.ok()) {
    ctx.AddError(path, DecodeContext::LineOf(n),
                 fmt::format("{}, got '{}'", s.error().message(), *text));
    return std::nullopt;
  }
  return std::move(s).value();
}

bool ExpectSequence(const YAML::Node& n, DecodeContext& ctx, const std::string& path) {
  if (n.IsSequence()) return true;
  ctx.AddError(path, DecodeContext::LineOf(n), fmt::format("expected a list, got {}", KindName(n)));
  return false;
}

bool ExpectMap(const YAML::Node& n, DecodeContext& ctx, const std::string& path) {
  if (n.IsMap()) return true;
  ctx.AddError(path, DecodeContext::LineOf(n), fmt::format("expected a map, got {}", KindName(n)));
  return false;
}

std::optional<std::vector<Cidr>> DecodeCidrList(const YAML::Node& n, const KeySpec&,
                                                DecodeContext& ctx, const std::string& path) {
  if (!ExpectSequence(n, ctx, path)) return std::nullopt;
  std::vector<Cidr> out;
  bool ok = true;
  size_t i = 0;
  for (const auto& item : n) {
    if (!ctx.Spend()) return std::nullopt;
    std::string item_path = path + "[" + std::to_string(i++) + "]";
    auto text = ctx.Scalar(item, item_path, "a CIDR range");
    if (!text) {
      ok = false;
      continue;
    }
    auto c = ParseCidr(*text);
    if (!c.ok()) {
      ctx.AddError(item_path, DecodeContext::LineOf(item), c.error().message());
      ok = false;
      continue;
    }
    out.push_back(std::move(c).value());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> DecodeList(const YAML::Node& n, const KeySpec& k,
                                                   DecodeContext& ctx, const std::string& path) {
  if (!ExpectSequence(n, ctx, path)) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  size_t i = 0;
  KeySpec item_key = k;
  item_key.type = Type::kEnum;
  for (const auto& item : n) {
    if (!ctx.Spend()) return std::nullopt;
    std::string item_path = path + "[" + std::to_string(i++) + "]";
    auto text = DecodeEnumName(item, item_key, ctx, item_path);
    if (!text) {
      ok = false;
      continue;
    }
    if (std::find(out.begin(), out.end(), *text) != out.end()) {
      ctx.AddError(item_path, DecodeContext::LineOf(item),
                   fmt::format("'{}' is listed twice", *text));
      ok = false;
      continue;
    }
    out.push_back(std::move(*text));
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> DecodeMap(const YAML::Node& n, const KeySpec&,
                                                            DecodeContext& ctx,
                                                            const std::string& path) {
  if (!ExpectMap(n, ctx, path)) return std::nullopt;
  std::map<std::string, std::string> out;
  bool ok = true;
  for (const auto& kv : n) {
    if (!ctx.Spend()) return std::nullopt;
    if (!kv.first.IsScalar()) {
      ctx.AddError(path, DecodeContext::LineOf(kv.first), "keys must be plain names");
      ok = false;
      continue;
    }
    std::string item_path = path + "." + kv.first.Scalar();
    auto value = ctx.Scalar(kv.second, item_path, "a single value");
    if (!value) {
      ok = false;
      continue;
    }
    if (!out.emplace(kv.first.Scalar(), std::move(*value)).second) {
      ctx.AddError(item_path, DecodeContext::LineOf(kv.first), "duplicate key");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

// --- docs -----------------------------------------------------------------------------------

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kString: return "string";
    case Type::kInt: return "integer";
    case Type::kBool: return "bool";
    case Type::kDuration: return "duration";
    case Type::kEnum: return "enum";
    case Type::kUrl: return "url";
    case Type::kPath: return "path";
    case Type::kDecimal: return "decimal";
    case Type::kHostPort: return "host:port";
    case Type::kCidrList: return "list of CIDR";
    case Type::kSchedule: return "schedule";
    case Type::kSecret: return "secret reference";
    case Type::kList: return "list";
    case Type::kMap: return "map";
    case Type::kSection: return "section";
    case Type::kOptionalSection: return "optional section";
    case Type::kSectionList: return "list of sections";
    case Type::kSectionMap: return "map of sections";
  }
  return "?";
}

namespace {

std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string Quoted(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "`" : ", `") + v + "`";
  return out;
}

bool IsSectionType(Type t) {
  return t == Type::kSection || t == Type::kOptionalSection || t == Type::kSectionList ||
         t == Type::kSectionMap;
}

std::string ChildPath(const std::string& path, const KeySpec& k) {
  std::string p = JoinPath(path, k.name);
  if (k.type == Type::kSectionList) return p + "[]";
  if (k.type == Type::kSectionMap) return p + ".<name>";
  return p;
}

std::string TypeCell(const KeySpec& k) {
  std::string t(TypeName(k.type));
  switch (k.type) {
    case Type::kEnum: t = "one of " + Quoted(k.allowed); break;
    case Type::kList:
      if (!k.allowed.empty()) t = "list of " + Quoted(k.allowed);
      else t = "list of strings";
      break;
    case Type::kMap: t = "map of string to string"; break;
    case Type::kUrl: t = "URL (" + Quoted(k.schemes) + ")"; break;
    case Type::kInt:
      if (k.min && k.max && (*k.min != INT32_MIN || *k.max != INT32_MAX)) {
        t = fmt::format("integer {}..{}", *k.min, *k.max);
      }
      break;
    case Type::kSectionMap:
      if (!k.allowed.empty()) t = "map of sections, keys: " + Quoted(k.allowed);
      break;
    default: break;
  }
  if (!k.check_doc.empty()) t += " (" + k.check_doc + ")";
  return t;
}

void RenderSection(const SpecNode& node, const std::string& path, std::string& out) {
  if (!path.empty()) {
    out += "\n## `" + path + "`\n\n";
    if (!node.doc().empty()) out += node.doc() + "\n\n";
  }
  out += "| Key | Type | Default | Description |\n|---|---|---|---|\n";
  for (const auto& k : node.keys()) {
    std::string def = k.required ? "**required**" : (k.default_text ? "`" + *k.default_text + "`" : "");
    std::string doc = k.doc;
    if (IsSectionType(k.type)) doc += (doc.empty() ? "" : " ") + ("See `" + ChildPath(path, k) + "`.");
    out += fmt::format("| `{}` | {} | {} | {} |\n", k.name, Cell(TypeCell(k)), Cell(def), Cell(doc));
  }
  for (const auto& k : node.keys()) {
    if (IsSectionType(k.type) && k.child) RenderSection(*k.child, ChildPath(path, k), out);
  }
}

void CollectPaths(const SpecNode& node, const std::string& path, std::vector<std::string>& out) {
  for (const auto& k : node.keys()) {
    out.push_back(JoinPath(path, k.name));
    if (IsSectionType(k.type) && k.child) CollectPaths(*k.child, ChildPath(path, k), out);
  }
}

}  // namespace

std::string RenderMarkdown(const SpecNode& root) {
  std::string out;
  RenderSection(root, "", out);
  return out;
}

std::vector<std::string> AllKeyPaths(const SpecNode& root) {
  std::vector<std::string> out;
  CollectPaths(root, "", out);
  return out;
}

}  // namespace mlc::config
