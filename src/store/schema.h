// The store's schema as ordered, versioned migrations, one list per SQL dialect, and the
// function that applies the missing ones at start-up.
//
// Both dialects keep the same tables and columns; they differ only where the SQL does (identity
// columns, BYTEA vs BLOB, trigger syntax). Times are BIGINT microseconds since the Unix epoch
// (UTC) on both, so comparisons and paging behave the same. A migration is never edited once
// released: add a new one at the end.
//
// Thread and process safety: Migrate runs in one write transaction (SQLite: BEGIN IMMEDIATE;
// PostgreSQL: under a transaction-scoped advisory lock), so concurrent starts apply each
// migration exactly once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/sql.h"

namespace mlc::store::internal {

struct Migration {
  int version;
  std::string_view name;
  std::string sql;  // a script of several statements
};

const std::vector<Migration>& Migrations(Dialect dialect);

// Applies every migration newer than the recorded version. Returns the resulting version.
// Errors: whatever the database says; FAILED_PRECONDITION when the database is newer than this
// program (a downgrade).
Result<int> Migrate(SqlDriver& driver, const Clock& clock);

}  // namespace mlc::store::internal
