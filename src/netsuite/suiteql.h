// SuiteQL text building with safe literals, SuiteQL response pages, and typed row decoding.
//
// Values never enter query text unescaped. A SuiteQl statement is written with '?' placeholders
// (outside string literals) and values are bound in order; Render() substitutes each as a
// literal: strings as '...' with quotes doubled (so a PO number "' OR 1=1 --" stays a string),
// integers and Decimals as digits, date-times through TO_DATE(...) (netsuite.md 2.4: no date
// literals). Strings holding control characters (tab, CR, LF, NUL, ...) or invalid UTF-8 are
// refused: NetSuite answers INVALID_CONTENT for tabs (ehmad11/suiteql #5) and no SuiteQL value
// the connector sends needs them. Tabs and line breaks in the statement text itself (outside
// literals) are turned into spaces.
//
// Rows (netsuite.md 2.2, the real sample): every value is a string, booleans are "T"/"F", NULL
// columns are absent, dates are "M/D/YYYY" unless selected with TO_CHAR(..,'YYYY-MM-DD
// HH24:MI:SS'), which gives a wall-clock reading in the integration user's time zone. Each row's
// "links" member is dropped.
//
// Thread safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/civil_time.h"
#include "common/decimal.h"
#include "common/status.h"

namespace mlc::netsuite {

// 'it''s': a SuiteQL string literal. Errors: INVALID_ARGUMENT for control characters or invalid
// UTF-8 (the message does not echo the value, which may be partner data).
Result<std::string> SuiteQlStringLiteral(std::string_view value);

// Escapes LIKE wildcards (% and _) with '\' so a vendor name matches literally; use with
// "LIKE ? ESCAPE '\'".
std::string EscapeLikePattern(std::string_view value);

class SuiteQl {
 public:
  using Value = std::variant<std::string, int64_t, Decimal, CivilDateTime>;

  SuiteQl() = default;
  explicit SuiteQl(std::string text) : text_(std::move(text)) {}

  SuiteQl& Bind(std::string_view v) { values_.emplace_back(std::string(v)); return *this; }
  SuiteQl& Bind(const char* v) { return Bind(std::string_view(v)); }
  SuiteQl& Bind(int64_t v) { values_.emplace_back(v); return *this; }
  SuiteQl& Bind(int v) { return Bind(static_cast<int64_t>(v)); }
  SuiteQl& Bind(const Decimal& v) { values_.emplace_back(v); return *this; }
  SuiteQl& Bind(const CivilDateTime& v) { values_.emplace_back(v); return *this; }

  // Appends text (with its own placeholders) and values of `other`.
  SuiteQl& Append(const SuiteQl& other);
  SuiteQl& Append(std::string_view text) { text_ += text; return *this; }

  const std::string& text() const { return text_; }
  size_t bound() const { return values_.size(); }

  // The final statement. Errors: INVALID_ARGUMENT when the number of placeholders and values
  // differ, a string literal in the text is unterminated, or a value is refused (see above).
  Result<std::string> Render() const;

 private:
  std::string text_;
  std::vector<Value> values_;
};

// One decoded row: column (lower case) -> string value; NULL columns are absent.
class Row {
 public:
  Row() = default;
  explicit Row(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  bool Has(std::string_view column) const;
  // nullopt when NULL (absent).
  std::optional<std::string> Get(std::string_view column) const;
  // Errors: NOT_FOUND naming the column when it is NULL/absent.
  Result<std::string> Require(std::string_view column) const;
  // "T" -> true, "F" -> false; absent -> nullopt. Errors: INVALID_ARGUMENT for other text.
  Result<std::optional<bool>> GetBool(std::string_view column) const;
  Result<std::optional<int64_t>> GetInt(std::string_view column) const;
  Result<std::optional<Decimal>> GetDecimal(std::string_view column) const;
  // "M/D/YYYY" (SuiteQL's default date output).
  Result<std::optional<CivilDate>> GetDate(std::string_view column) const;
  // "YYYY-MM-DD HH24:MI:SS" (TO_CHAR output), a reading in the user's time zone.
  Result<std::optional<CivilDateTime>> GetDateTime(std::string_view column) const;
  // The same reading turned into a UTC instant with the user's fixed offset.
  Result<std::optional<Instant>> GetInstant(std::string_view column,
                                            std::chrono::minutes user_utc_offset) const;

  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

struct SuiteQlPage {
  std::vector<Row> rows;
  int64_t count = 0;
  bool has_more = false;
  int64_t offset = 0;
  int64_t total_results = 0;
};

// Parses a SuiteQL response envelope {links, count, hasMore, offset, totalResults, items}.
// Non-string scalar values are kept in their JSON text form (NetSuite sends strings; this is
// leniency, not a contract). Errors: DATA_LOSS for a body that is not such an envelope.
Result<SuiteQlPage> ParseSuiteQlPage(std::string_view body);

// The key a keyset pager orders and resumes by: two expressions, compared lexicographically.
// The first is usually TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS') (compared as text,
// so sub-second precision on NetSuite's side cannot break the order), the second the id.
struct KeysetKey {
  std::string expr;    // SuiteQL expression, used in WHERE and ORDER BY
  std::string column;  // the (lower-case) column name it comes back as in each row
  bool numeric = false;
};

struct KeysetQuery {
  // "SELECT ... FROM ... [JOIN ...]" with no WHERE / ORDER BY; must select both keys.
  SuiteQl select_from;
  // Optional filter ANDed in (may have placeholders); empty text = none.
  SuiteQl where;
  KeysetKey first;
  KeysetKey second;
};

struct KeysetPosition {
  std::string first;   // value of the first key of the last row seen
  std::string second;  // value of the second key
};

// The statement for the page after `after` (nullopt: from the start), ordered by both keys.
Result<std::string> RenderKeysetPage(const KeysetQuery& q,
                                     const std::optional<KeysetPosition>& after);

}  // namespace mlc::netsuite
