// The sandbox's SuiteQL: the table schema (NetSuite's table and column names) and a translator
// from the SuiteQL subset the connector sends to SQLite SQL.
//
// Supported: SELECT [DISTINCT] items (columns, t.col, *, t.*, expressions, `AS alias` or a bare
// alias), FROM table [alias] with [INNER|LEFT [OUTER]] JOIN ... ON, WHERE with = <> != < <= > >=,
// IN (...), LIKE [ESCAPE], IS [NOT] NULL, BETWEEN, AND/OR/NOT and parentheses, '||', ORDER BY
// [ASC|DESC], GROUP BY / HAVING, FETCH FIRST n ROWS ONLY, '?' parameters; functions COUNT, SUM,
// MIN, MAX, ABS, UPPER, LOWER, NVL, COALESCE, SUBSTR, LENGTH, TO_CHAR, TO_DATE, TO_TIMESTAMP,
// BUILTIN.DF, SYSDATE, SESSIONTIMEZONE (no date arithmetic yet). Anything else (subqueries, WITH, [ ],
// quoted identifiers, ';', comments, unknown tables/columns/functions) is an error whose message
// reads like NetSuite's ("Search error occurred: ...").
//
// Date-time columns hold UTC "YYYY-MM-DD HH:MM:SS" text, date columns "YYYY-MM-DD"; SQLite
// functions registered by RegisterSuiteQlFunctions convert date-times to and from the
// integration user's zone: a bare date or date-time column in the SELECT list comes back as
// "M/D/YYYY" (ns_date), TO_CHAR renders in the user's zone, TO_DATE reads in the user's zone.
//
// Thread safety: pure functions; the schema is immutable.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "common/status.h"

namespace mlc::sandbox::netsuite {

// kDate holds "YYYY-MM-DD" (a calendar date, no zone); kDateTime holds UTC "YYYY-MM-DD HH:MM:SS".
enum class ColumnKind { kText, kInteger, kDecimal, kDate, kDateTime, kBool };

struct ColumnDef {
  std::string name;
  ColumnKind kind;
};

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;
  const ColumnDef* Find(std::string_view column) const;
};

// Every table the sandbox knows, in creation order.
const std::vector<TableDef>& Schema();
const TableDef* FindTable(std::string_view name);

struct TranslatedQuery {
  std::string sql;                   // SQLite SELECT, no LIMIT/OFFSET of its own beyond FETCH
  std::vector<std::string> columns;  // output column names, lower case
  int parameters = 0;                // number of '?'
};

// Errors: INVALID_ARGUMENT with a NetSuite-like message.
Result<TranslatedQuery> TranslateSuiteQl(std::string_view suiteql);

// Registers ns_date, ns_to_char, ns_to_date, ns_sysdate and ns_session_tz on `db`.
// `user_offset` is the integration user's zone as a fixed UTC offset.
void RegisterSuiteQlFunctions(sqlite3* db, std::chrono::minutes user_offset);

}  // namespace mlc::sandbox::netsuite
