// The configuration declaration DSL: each section declares its keys once, and that declaration
// drives parsing into typed structs, validation (every error at once, with key path and line),
// unknown-key rejection with "did you mean" hints, and the generated Markdown reference.
//
//   Spec<LoggingConfig> s("Where and how ml-connector logs.");
//   s.Enum("format", &LoggingConfig::format, {{"human", LogFormat::kHuman}, {"json", ...}})
//       .Default("human").Doc("Log line format.");
//   s.String("file", &LoggingConfig::file).Doc("Log file; empty means standard error.");
//
// Defaults are written as YAML text and decoded by the same code as user input, so the docs show
// exactly what a user would write and a default can never bypass validation.
//
// This header is internal to src/config (it exposes yaml-cpp); other areas use config.h.
//
// Thread safety: a Spec is built once (function-local static) and then only read; Decode may run
// on several threads with separate DecodeContexts.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/status.h"
#include "config/config.h"
#include "config/values.h"

namespace mlc::config {

enum class Type : uint8_t {
  kString,
  kInt,
  kBool,
  kDuration,
  kEnum,
  kUrl,
  kPath,
  kDecimal,
  kHostPort,
  kCidrList,
  kSchedule,
  kSecret,
  kList,
  kMap,
  kSection,
  kOptionalSection,
  kSectionList,
  kSectionMap,
};

// "duration", "list of sections", ... (used in docs).
std::string_view TypeName(Type type);

// Collects errors and line numbers while one file is decoded.
class DecodeContext {
 public:
  explicit DecodeContext(EnvLookup env);

  // Records an error at `line` (1-based; 0 = unknown).
  void AddError(std::string path, int line, std::string message, int column = 0);
  // 1-based line of a node, 0 when the node has no position (absent, or made by us).
  static int LineOf(const YAML::Node& node);

  // The scalar text of `node` with ${VAR} and ${VAR:-default} expanded. Records an error and
  // returns nullopt when the node is not a scalar (`expected` names what was wanted) or a
  // variable is unset. Defaults written in specs are not interpolated.
  std::optional<std::string> Scalar(const YAML::Node& node, const std::string& path,
                                    std::string_view expected);

  // Remembers where a key path appeared, for cross-field errors.
  void RecordLine(const std::string& path, int line) { lines_[path] = line; }
  int Line(const std::string& path) const;

  // Each decoded node costs one unit; a document over budget (aliases can make a small file
  // expand enormously) stops decoding with one error.
  bool Spend();
  // True once the budget or the error limit stopped decoding.
  bool exhausted() const { return budget_ <= 0; }

  const EnvLookup& env() const { return env_; }
  bool applying_default() const { return applying_default_; }
  void set_applying_default(bool v) { applying_default_ = v; }
  const std::vector<ConfigError>& errors() const { return errors_; }
  std::vector<ConfigError> TakeErrors() { return std::move(errors_); }

 private:
  EnvLookup env_;
  std::vector<ConfigError> errors_;
  std::map<std::string, int> lines_;
  bool applying_default_ = false;
  static constexpr size_t kMaxErrors = 100;
  static constexpr int64_t kMaxNodes = 50'000;  // 500 partners of 60 keys fit five times over
  int64_t budget_ = kMaxNodes;
};

class SpecNode;

// One declared key. Everything the parser, the validator and the docs need.
struct KeySpec {
  std::string name;
  Type type = Type::kString;
  std::string doc;
  bool required = false;
  std::optional<std::string> default_text;  // YAML text
  std::vector<std::string> allowed;         // kEnum, or allowed items of a kList
  std::vector<std::string> schemes;         // kUrl
  std::optional<int64_t> min;               // kInt
  std::optional<int64_t> max;               // kInt
  std::function<Status(std::string_view)> check;  // extra check on string values
  std::string check_doc;                          // what `check` accepts, for the docs
  const SpecNode* child = nullptr;                // sections
};

// The type-erased part of a Spec<T>: its keys and the map-walking decoder.
class SpecNode {
 public:
  explicit SpecNode(std::string doc) : doc_(std::move(doc)) {}
  virtual ~SpecNode() = default;
  SpecNode(const SpecNode&) = delete;
  SpecNode& operator=(const SpecNode&) = delete;

  const std::string& doc() const { return doc_; }
  const std::vector<KeySpec>& keys() const { return keys_; }

  // Decodes `node` into `out` (a T* of the concrete Spec<T>): rejects non-maps, unknown and
  // duplicate keys, decodes present keys, applies defaults, reports missing required keys at
  // `line` (the line of the key that introduced this section). A null or absent node counts as
  // an empty map.
  void DecodeInto(const YAML::Node& node, void* out, DecodeContext& ctx, const std::string& path,
                  int line) const;

  // Fluent setters for the key just added (kept valid by index, not by reference).
  class KeyRef {
   public:
    KeyRef(SpecNode* spec, size_t index) : spec_(spec), index_(index) {}
    KeyRef& Required() { key().required = true; return *this; }
    KeyRef& Default(std::string yaml_text) { key().default_text = std::move(yaml_text); return *this; }
    KeyRef& Doc(std::string text) { key().doc = std::move(text); return *this; }
    KeyRef& Range(int64_t min, int64_t max) { key().min = min; key().max = max; return *this; }
    KeyRef& OneOf(std::vector<std::string> values) { key().allowed = std::move(values); return *this; }
    KeyRef& Check(std::function<Status(std::string_view)> fn, std::string what) {
      key().check = std::move(fn);
      key().check_doc = std::move(what);
      return *this;
    }

   private:
    KeySpec& key() { return spec_->keys_[index_]; }
    SpecNode* spec_;
    size_t index_;
  };

 protected:
  // `line` is the line of the key, or of the enclosing section's key when the key is absent.
  virtual void DecodeKey(size_t index, const YAML::Node& value, void* out, DecodeContext& ctx,
                         const std::string& path, int line) const = 0;
  KeySpec& last_key() { return keys_.back(); }
  static KeySpec MakeKey(std::string name, Type type, const SpecNode* child) {
    KeySpec k;
    k.name = std::move(name);
    k.type = type;
    k.child = child;
    return k;
  }
  KeyRef AddKey(KeySpec key) {
    keys_.push_back(std::move(key));
    return KeyRef(this, keys_.size() - 1);
  }

 private:
  std::string doc_;
  std::vector<KeySpec> keys_;
};

// Value decoders shared by every Spec<T>. Each returns nullopt after recording an error; `path`
// is the key's full path ("partners[1].transport.type").
std::optional<std::string> DecodeString(const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                                        const std::string& path);
std::optional<int64_t> DecodeInt(const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                                 const std::string& path);
std::optional<bool> DecodeBool(const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                               const std::string& path);
std::optional<Duration> DecodeDuration(const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                                       const std::string& path);
std::optional<std::string> DecodeEnumName(const YAML::Node& n, const KeySpec& k,
                                          DecodeContext& ctx, const std::string& path);
std::optional<SecretRef> DecodeSecret(const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                                      const std::string& path);
std::optional<Schedule> DecodeSchedule(const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                                       const std::string& path);
std::optional<std::vector<Cidr>> DecodeCidrList(const YAML::Node& n, const KeySpec& k,
                                                DecodeContext& ctx, const std::string& path);
std::optional<std::vector<std::string>> DecodeList(const YAML::Node& n, const KeySpec& k,
                                                   DecodeContext& ctx, const std::string& path);
std::optional<std::map<std::string, std::string>> DecodeMap(const YAML::Node& n, const KeySpec& k,
                                                            DecodeContext& ctx,
                                                            const std::string& path);
// "unknown key (did you mean 'account_id'?)", or the allowed names when none is close.
std::string UnknownKeyMessage(std::string_view name, const std::vector<std::string>& candidates);
// Checks that `n` is a sequence (records "expected a list" otherwise).
bool ExpectSequence(const YAML::Node& n, DecodeContext& ctx, const std::string& path);
bool ExpectMap(const YAML::Node& n, DecodeContext& ctx, const std::string& path);

// The declaration of one section whose values land in a T.
template <typename T>
class Spec final : public SpecNode {
 public:
  using SpecNode::SpecNode;

  KeyRef String(std::string name, std::string T::*m) {
    return Add(std::move(name), Type::kString, m, &DecodeString);
  }
  KeyRef Path(std::string name, std::string T::*m) {
    return Add(std::move(name), Type::kPath, m, &DecodeString);
  }
  KeyRef Decimal(std::string name, std::string T::*m) {
    return Add(std::move(name), Type::kDecimal, m, &DecodeString);
  }
  KeyRef HostPort(std::string name, std::string T::*m) {
    return Add(std::move(name), Type::kHostPort, m, &DecodeString);
  }
  KeyRef Url(std::string name, std::string T::*m, std::vector<std::string> schemes) {
    KeyRef ref = Add(std::move(name), Type::kUrl, m, &DecodeString);
    last_key().schemes = std::move(schemes);
    return ref;
  }
  template <typename I>
  KeyRef Int(std::string name, I T::*m) {
    KeyRef ref = Add(std::move(name), Type::kInt, m,
                     [](const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                        const std::string& path) -> std::optional<I> {
                       auto v = DecodeInt(n, k, ctx, path);
                       if (!v) return std::nullopt;
                       return static_cast<I>(*v);
                     });
    last_key().min = std::numeric_limits<I>::min();
    last_key().max = std::numeric_limits<I>::max();
    return ref;
  }
  KeyRef Bool(std::string name, bool T::*m) {
    return Add(std::move(name), Type::kBool, m, &DecodeBool);
  }
  KeyRef Duration(std::string name, config::Duration T::*m) {
    return Add(std::move(name), Type::kDuration, m, &DecodeDuration);
  }
  KeyRef Secret(std::string name, SecretRef T::*m) {
    return Add(std::move(name), Type::kSecret, m, &DecodeSecret);
  }
  KeyRef Schedule(std::string name, config::Schedule T::*m) {
    return Add(std::move(name), Type::kSchedule, m, &DecodeSchedule);
  }
  KeyRef CidrList(std::string name, std::vector<Cidr> T::*m) {
    return Add(std::move(name), Type::kCidrList, m, &DecodeCidrList);
  }
  // A list of strings; restrict the items with .OneOf({...}).
  KeyRef List(std::string name, std::vector<std::string> T::*m) {
    return Add(std::move(name), Type::kList, m, &DecodeList);
  }
  // A map of string to string.
  KeyRef Map(std::string name, std::map<std::string, std::string> T::*m) {
    return Add(std::move(name), Type::kMap, m, &DecodeMap);
  }
  template <typename E>
  KeyRef Enum(std::string name, E T::*m, std::vector<std::pair<std::string, E>> values) {
    std::vector<std::string> names;
    for (const auto& [text, v] : values) names.push_back(text);
    KeyRef ref = Add(std::move(name), Type::kEnum, m,
                     [values](const YAML::Node& n, const KeySpec& k, DecodeContext& ctx,
                              const std::string& path) -> std::optional<E> {
                       auto text = DecodeEnumName(n, k, ctx, path);
                       if (!text) return std::nullopt;
                       for (const auto& [t, v] : values) {
                         if (t == *text) return v;
                       }
                       return std::nullopt;  // unreachable: DecodeEnumName checked
                     });
    last_key().allowed = std::move(names);
    return ref;
  }
  template <typename S>
  KeyRef Section(std::string name, S T::*m, const Spec<S>& spec) {
    KeySpec k = MakeKey(std::move(name), Type::kSection, &spec);
    decoders_.push_back([m, &spec](const YAML::Node& n, T& out, DecodeContext& ctx,
                                   const std::string& path, const KeySpec&, int line) {
      spec.DecodeInto(n, &(out.*m), ctx, path, line);
    });
    return AddKey(std::move(k));
  }
  // Absent (or null) leaves the optional empty; present decodes a fresh S.
  template <typename S>
  KeyRef OptionalSection(std::string name, std::optional<S> T::*m, const Spec<S>& spec) {
    KeySpec k = MakeKey(std::move(name), Type::kOptionalSection, &spec);
    decoders_.push_back([m, &spec](const YAML::Node& n, T& out, DecodeContext& ctx,
                                   const std::string& path, const KeySpec&, int line) {
      if (!n.IsDefined() || n.IsNull()) return;
      (out.*m).emplace();
      spec.DecodeInto(n, &*(out.*m), ctx, path, line);
    });
    return AddKey(std::move(k));
  }
  template <typename S>
  KeyRef SectionList(std::string name, std::vector<S> T::*m, const Spec<S>& spec) {
    KeySpec k = MakeKey(std::move(name), Type::kSectionList, &spec);
    decoders_.push_back([m, &spec](const YAML::Node& n, T& out, DecodeContext& ctx,
                                   const std::string& path, const KeySpec&, int) {
      if (!n.IsDefined() || n.IsNull()) return;
      if (!ExpectSequence(n, ctx, path)) return;
      size_t i = 0;
      for (const auto& item : n) {
        std::string item_path = path + "[" + std::to_string(i++) + "]";
        S value{};
        ctx.RecordLine(item_path, DecodeContext::LineOf(item));
        spec.DecodeInto(item, &value, ctx, item_path, DecodeContext::LineOf(item));
        (out.*m).push_back(std::move(value));
      }
    });
    return AddKey(std::move(k));
  }
  // A map from user-chosen names (or names from .OneOf) to sections.
  template <typename S>
  KeyRef SectionMap(std::string name, std::map<std::string, S> T::*m, const Spec<S>& spec) {
    KeySpec k = MakeKey(std::move(name), Type::kSectionMap, &spec);
    decoders_.push_back([m, &spec](const YAML::Node& n, T& out, DecodeContext& ctx,
                                   const std::string& path, const KeySpec& key, int) {
      if (!n.IsDefined() || n.IsNull()) return;
      if (!ExpectMap(n, ctx, path)) return;
      for (const auto& kv : n) {
        if (!ctx.Spend()) return;
        if (!kv.first.IsScalar()) {
          ctx.AddError(path, DecodeContext::LineOf(kv.first), "keys must be plain names");
          continue;
        }
        const std::string& name_text = kv.first.Scalar();
        std::string item_path = path + "." + name_text;
        if (!key.allowed.empty() && std::find(key.allowed.begin(), key.allowed.end(),
                                              name_text) == key.allowed.end()) {
          ctx.AddError(item_path, DecodeContext::LineOf(kv.first),
                       UnknownKeyMessage(name_text, key.allowed));
          continue;
        }
        if ((out.*m).count(name_text)) {
          ctx.AddError(item_path, DecodeContext::LineOf(kv.first), "duplicate key");
          continue;
        }
        ctx.RecordLine(item_path, DecodeContext::LineOf(kv.first));
        spec.DecodeInto(kv.second, &(out.*m)[name_text], ctx, item_path,
                        DecodeContext::LineOf(kv.first));
      }
    });
    return AddKey(std::move(k));
  }

  // Decodes a whole document (or section) into `out`.
  void Decode(const YAML::Node& node, T& out, DecodeContext& ctx, const std::string& path,
              int line) const {
    DecodeInto(node, &out, ctx, path, line);
  }

 protected:
  void DecodeKey(size_t index, const YAML::Node& value, void* out, DecodeContext& ctx,
                 const std::string& path, int line) const override {
    decoders_[index](value, *static_cast<T*>(out), ctx, path, keys()[index], line);
  }

 private:
  using Decoder = std::function<void(const YAML::Node&, T&, DecodeContext&, const std::string&,
                                     const KeySpec&, int line)>;

  template <typename V, typename Fn>
  KeyRef Add(std::string name, Type type, V T::*m, Fn decode) {
    decoders_.push_back([m, decode](const YAML::Node& n, T& out, DecodeContext& ctx,
                                    const std::string& path, const KeySpec& k, int) {
      if (!n.IsDefined() || n.IsNull()) return;
      std::optional<V> v = decode(n, k, ctx, path);
      if (v) out.*m = std::move(*v);
    });
    return AddKey(MakeKey(std::move(name), type, nullptr));
  }
  std::vector<Decoder> decoders_;
};

// Renders the Markdown reference for `root` (a tree of sections).
std::string RenderMarkdown(const SpecNode& root);

// Every key path under `root` as the docs spell it ("netsuite.auth.oauth2.client_id",
// "partners[].id"), for tests.
std::vector<std::string> AllKeyPaths(const SpecNode& root);

// The declaration of the whole file (config.cc).
const Spec<Config>& RootSpec();

}  // namespace mlc::config
