// Reading typed values out of NetSuite JSON without losing exactness.
//
// NetSuite's Record API sends quantities and amounts as JSON numbers (8.0, 1253.47) and SuiteQL
// sends every value as a string ("-56610.19", "T"). nlohmann::json keeps numbers as double, so a
// number is turned into a Decimal through its shortest round-trip text (1253.47 -> "1253.47"),
// which is exact for every value with at most 15 significant digits; anything longer, or in
// exponent form, is refused rather than rounded (money is never approximated).
//
// Every function names the JSON path in its errors: "item.items[2].quantity: ...".
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/civil_time.h"
#include "common/decimal.h"
#include "common/status.h"

namespace mlc::mapping {

// The member `key` of `obj`, or nullptr when absent or null.
const nlohmann::json* Member(const nlohmann::json& obj, std::string_view key);

// A string member; numbers are rendered as text. Absent or null -> "" (or an error if required).
Result<std::string> StringAt(const nlohmann::json& obj, std::string_view key, std::string_view path,
                             bool required = false);
// A reference {"id": "...", "refName": "..."}: its id or refName.
std::string RefId(const nlohmann::json& obj, std::string_view key);
std::string RefName(const nlohmann::json& obj, std::string_view key);

// A JSON number or numeric string as an exact Decimal. Absent or null -> `fallback` when given,
// else an INVALID_ARGUMENT error naming the path.
Result<Decimal> DecimalAt(const nlohmann::json& obj, std::string_view key, std::string_view path,
                          std::optional<Decimal> fallback = std::nullopt);
Result<Decimal> ToDecimal(const nlohmann::json& value, std::string_view path);

// Booleans: JSON true/false, or SuiteQL "T"/"F". Absent -> fallback.
Result<bool> BoolAt(const nlohmann::json& obj, std::string_view key, std::string_view path,
                    bool fallback = false);

// Dates: Record API "2026-01-09", SuiteQL "1/9/2026". Absent or null -> nullopt.
Result<std::optional<CivilDate>> DateAt(const nlohmann::json& obj, std::string_view key,
                                        std::string_view path);

}  // namespace mlc::mapping
