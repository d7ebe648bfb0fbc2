#include "netsuite/suiteql.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace mlc::netsuite {
namespace {

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 4;
    if (n == 4 || (n == 1 && c < 0xc2) || i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

std::string IntText(int64_t v) { return std::to_string(v); }

Result<std::string> RenderValue(const SuiteQl::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return SuiteQlStringLiteral(*s);
  if (const auto* i = std::get_if<int64_t>(&v)) return IntText(*i);
  if (const auto* d = std::get_if<Decimal>(&v)) return d->ToString();
  return SuiteQlToDate(std::get<CivilDateTime>(v));
}

template <typename T>
Result<std::optional<T>> Missing() {
  return std::optional<T>();
}

}  // namespace

Result<std::string> SuiteQlStringLiteral(std::string_view value) {
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return InvalidArgumentError(
          "SuiteQL value holds a control character (code {}); NetSuite refuses tabs and line "
          "breaks in queries",
          static_cast<int>(u));
    }
  }
  if (!ValidUtf8(value)) return InvalidArgumentError("SuiteQL value is not valid UTF-8");
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += "''";
    else out.push_back(c);
  }
  out += "'";
  return out;
}

std::string EscapeLikePattern(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

SuiteQl& SuiteQl::Append(const SuiteQl& other) {
  text_ += other.text_;
  values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  return *this;
}

Result<std::string> SuiteQl::Render() const {
  std::string out;
  out.reserve(text_.size() + 16 * values_.size());
  size_t next = 0;
  bool in_literal = false;
  for (size_t i = 0; i < text_.size(); ++i) {
    const char c = text_[i];
    if (in_literal) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) {
        return InvalidArgumentError("SuiteQL text holds a control character inside a literal");
      }
      out.push_back(c);
      if (c == '\'') {
        if (i + 1 < text_.size() && text_[i + 1] == '\'') {
          out.push_back('\'');
          ++i;
        } else {
          in_literal = false;
        }
      }
      continue;
    }
    if (c == '\'') {
      in_literal = true;
      out.push_back(c);
    } else if (c == '?') {
      if (next >= values_.size()) {
        return InvalidArgumentError("SuiteQL has more '?' placeholders than the {} bound values",
                                    values_.size());
      }
      ASSIGN_OR_RETURN(std::string lit, RenderValue(values_[next]));
      out += lit;
      ++next;
    } else if (c == '\t' || c == '\n' || c == '\r') {
      out.push_back(' ');
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgumentError("SuiteQL text holds a control character (code {})",
                                  static_cast<int>(c));
    } else {
      out.push_back(c);
    }
  }
  if (in_literal) return InvalidArgumentError("SuiteQL text has an unterminated string literal");
  if (next != values_.size()) {
    return InvalidArgumentError("SuiteQL has {} '?' placeholders but {} bound values", next,
                                values_.size());
  }
  return out;
}

bool Row::Has(std::string_view column) const { return values_.find(std::string(column)) != values_.end(); }

std::optional<std::string> Row::Get(std::string_view column) const {
  auto it = values_.find(std::string(column));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<std::string> Row::Require(std::string_view column) const {
  auto v = Get(column);
  if (!v) return NotFoundError("SuiteQL row has no value for column '{}'", column);
  return *v;
}

Result<std::optional<bool>> Row::GetBool(std::string_view column) const {
  auto v = Get(column);
  if (!v) return Missing<bool>();
  if (*v == "T") return std::optional<bool>(true);
  if (*v == "F") return std::optional<bool>(false);
  return InvalidArgumentError("column '{}' is not T/F: '{}'", column, *v);
}

Result<std::optional<int64_t>> Row::GetInt(std::string_view column) const {
  auto v = Get(column);
  if (!v) return Missing<int64_t>();
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size()) {
    return InvalidArgumentError("column '{}' is not an integer: '{}'", column, *v);
  }
  return std::optional<int64_t>(out);
}

Result<std::optional<Decimal>> Row::GetDecimal(std::string_view column) const {
  auto v = Get(column);
  if (!v) return Missing<Decimal>();
  auto d = Decimal::Parse(*v);
  if (!d.ok()) return d.error().WithContext(fmt::format("column '{}'", column));
  return std::optional<Decimal>(*d);
}

Result<std::optional<CivilDate>> Row::GetDate(std::string_view column) const {
  auto v = Get(column);
  if (!v) return Missing<CivilDate>();
  auto d = ParseSuiteQlDate(*v);
  if (!d.ok()) return d.error().WithContext(fmt::format("column '{}'", column));
  return std::optional<CivilDate>(*d);
}

Result<std::optional<CivilDateTime>> Row::GetDateTime(std::string_view column) const {
  auto v = Get(column);
  if (!v) return Missing<CivilDateTime>();
  auto d = ParseSuiteQlDateTime(*v);
  if (!d.ok()) return d.error().WithContext(fmt::format("column '{}'", column));
  return std::optional<CivilDateTime>(*d);
}

Result<std::optional<Instant>> Row::GetInstant(std::string_view column,
                                               std::chrono::minutes offset) const {
  ASSIGN_OR_RETURN(std::optional<CivilDateTime> t, GetDateTime(column));
  if (!t) return Missing<Instant>();
  return std::optional<Instant>(ToInstant(*t, offset));
}

Result<SuiteQlPage> ParseSuiteQlPage(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return DataLossError("SuiteQL response is not a JSON object");
  auto items = j.find("items");
  if (items == j.end() || !items->is_array()) {
    return DataLossError("SuiteQL response has no 'items' array");
  }
  SuiteQlPage page;
  auto num = [&](const char* k) -> int64_t {
    auto it = j.find(k);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  page.count = num("count");
  page.offset = num("offset");
  page.total_results = num("totalResults");
  if (auto it = j.find("hasMore"); it != j.end() && it->is_boolean()) page.has_more = it->get<bool>();
  page.rows.reserve(items->size());
  for (const auto& item : *items) {
    if (!item.is_object()) return DataLossError("SuiteQL row is not a JSON object");
    std::map<std::string, std::string> values;
    for (const auto& [k, v] : item.items()) {
      if (k == "links" || v.is_null()) continue;  // HATEOAS links are not a column
      std::string key = k;
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      values[key] = v.is_string() ? v.get<std::string>() : v.dump();
    }
    page.rows.emplace_back(std::move(values));
  }
  if (page.count == 0) page.count = static_cast<int64_t>(page.rows.size());
  return page;
}

Result<std::string> RenderKeysetPage(const KeysetQuery& q,
                                     const std::optional<KeysetPosition>& after) {
  SuiteQl s = q.select_from;
  std::vector<std::string> conditions;
  bool has_where = !q.where.text().empty();
  s.Append(" WHERE ");
  if (has_where) {
    s.Append("(").Append(q.where).Append(")");
  }
  if (after) {
    if (has_where) s.Append(" AND ");
    auto bind = [&s](const KeysetKey& k, const std::string& v) -> Status {
      if (k.numeric) {
        int64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc() || p != v.data() + v.size()) {
          return InvalidArgumentError("keyset value for '{}' is not an integer", k.column);
        }
        s.Bind(n);
      } else {
        s.Bind(v);
      }
      return Status::Ok();
    };
    s.Append("(" + q.first.expr + " > ? OR (" + q.first.expr + " = ? AND " + q.second.expr +
             " > ?))");
    RETURN_IF_ERROR(bind(q.first, after->first));
    RETURN_IF_ERROR(bind(q.first, after->first));
    RETURN_IF_ERROR(bind(q.second, after->second));
  }
  if (!has_where && !after) s.Append("1 = 1");
  s.Append(" ORDER BY " + q.first.expr + ", " + q.second.expr);
  return s.Render();
}

}  // namespace mlc::netsuite
