#include "mapping/json_values.h"

#include <fmt/format.h>

namespace mlc::mapping {

const nlohmann::json* Member(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> StringAt(const nlohmann::json& obj, std::string_view key, std::string_view path,
                             bool required) {
  const auto* v = Member(obj, key);
  if (v == nullptr) {
    if (required) return InvalidArgumentError("{}.{}: required value is missing", path, key);
    return std::string();
  }
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number() || v->is_boolean()) return v->dump();
  return InvalidArgumentError("{}.{}: expected a string, got {}", path, key, v->type_name());
}

std::string RefId(const nlohmann::json& obj, std::string_view key) {
  const auto* v = Member(obj, key);
  if (v == nullptr || !v->is_object()) return {};
  const auto* id = Member(*v, "id");
  return id && id->is_string() ? id->get<std::string>() : std::string();
}

std::string RefName(const nlohmann::json& obj, std::string_view key) {
  const auto* v = Member(obj, key);
  if (v == nullptr || !v->is_object()) return {};
  const auto* name = Member(*v, "refName");
  return name && name->is_string() ? name->get<std::string>() : std::string();
}

Result<Decimal> ToDecimal(const nlohmann::json& value, std::string_view path) {
  if (value.is_string()) {
    return Decimal::Parse(value.get<std::string>()).WithContext(path);
  }
  if (value.is_number_integer()) {
    if (value.is_number_unsigned()) {
      const auto u = value.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) {
        return InvalidArgumentError("{}: integer {} is out of range", path, u);
      }
      return Decimal::FromInt(static_cast<int64_t>(u));
    }
    return Decimal::FromInt(value.get<int64_t>());
  }
  if (value.is_number_float()) {
    // nlohmann prints the shortest text that reads back as the same double.
    const std::string text = value.dump();
    if (text.find_first_of("eE") != std::string::npos) {
      return InvalidArgumentError("{}: number {} is in exponent form; refusing to approximate",
                                  path, text);
    }
    int digits = 0;
    for (char c : text) digits += (c >= '0' && c <= '9') ? 1 : 0;
    if (digits > 15) {
      return InvalidArgumentError(
          "{}: number {} has more than 15 significant digits and may not be exact", path, text);
    }
    return Decimal::Parse(text).WithContext(path);
  }
  return InvalidArgumentError("{}: expected a number, got {}", path, value.type_name());
}

Result<Decimal> DecimalAt(const nlohmann::json& obj, std::string_view key, std::string_view path,
                          std::optional<Decimal> fallback) {
  const auto* v = Member(obj, key);
  const std::string where = fmt::format("{}.{}", path, key);
  if (v == nullptr) {
    if (fallback) return *fallback;
    return InvalidArgumentError("{}: required number is missing", where);
  }
  return ToDecimal(*v, where);
}

Result<bool> BoolAt(const nlohmann::json& obj, std::string_view key, std::string_view path,
                    bool fallback) {
  const auto* v = Member(obj, key);
  if (v == nullptr) return fallback;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    const auto s = v->get<std::string>();
    if (s == "T") return true;
    if (s == "F") return false;
  }
  return InvalidArgumentError("{}.{}: expected true/false or \"T\"/\"F\", got {}", path, key,
                              v->dump());
}

Result<std::optional<CivilDate>> DateAt(const nlohmann::json& obj, std::string_view key,
                                        std::string_view path) {
  const auto* v = Member(obj, key);
  if (v == nullptr) return std::optional<CivilDate>();
  if (!v->is_string()) {
    return InvalidArgumentError("{}.{}: expected a date string, got {}", path, key, v->type_name());
  }
  const auto s = v->get<std::string>();
  if (s.empty()) return std::optional<CivilDate>();
  Result<CivilDate> d = s.find('/') != std::string::npos ? ParseSuiteQlDate(s) : ParseIsoDate(s);
  if (!d.ok()) return d.error().WithContext(fmt::format("{}.{}", path, key));
  return std::optional<CivilDate>(*d);
}

}  // namespace mlc::mapping
