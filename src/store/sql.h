// The thin SQL layer under the store: a driver runs parameterised SQL inside transactions on a
// pooled connection, for SQLite (sqlite3 C API) or PostgreSQL (libpqxx).
//
// The store's logic (sql_store.cc) is written once against this interface; the drivers only
// move bytes. SQL text uses `$1, $2, ...` placeholders on both backends (SQLite accepts `$NNN` as
// a named parameter; the driver binds each by name). Values travel as SqlParam (null, integer,
// text, blob) and come back as SqlRow cells (text, or raw bytes for blobs).
//
// Errors: the drivers catch everything their libraries throw and map it to Status:
//   serialization failure, deadlock, SQLITE_BUSY/LOCKED after the busy timeout -> ABORTED (the
//     driver retries the whole transaction up to kMaxConflictRetries before returning it),
//   connection lost -> UNAVAILABLE, unique violation -> ALREADY_EXISTS,
//   a trigger's RAISE / RAISE EXCEPTION -> FAILED_PRECONDITION, anything else -> INTERNAL.
//
// Thread safety: a SqlDriver may be used from any number of threads; each Transact call holds
// its own connection for its duration. A SqlTx belongs to the thread running the callback and is
// valid only inside it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mlc::store::internal {

enum class Dialect : uint8_t { kSqlite, kPostgres };

class SqlParam {
 public:
  enum class Kind : uint8_t { kNull, kInt, kText, kBlob };

  SqlParam() = default;                                             // NULL
  SqlParam(int64_t v) : kind_(Kind::kInt), int_(v) {}               // NOLINT
  SqlParam(int v) : kind_(Kind::kInt), int_(v) {}                   // NOLINT
  SqlParam(std::string_view v) : kind_(Kind::kText), text_(v) {}    // NOLINT
  SqlParam(const std::string& v) : kind_(Kind::kText), text_(v) {}  // NOLINT
  SqlParam(const char* v) : kind_(Kind::kText), text_(v) {}         // NOLINT
  static SqlParam Blob(std::string_view bytes) {
    SqlParam p(bytes);
    p.kind_ = Kind::kBlob;
    return p;
  }
  // NULL when empty, else text (optional business keys).
  static SqlParam TextOrNull(std::string_view v) { return v.empty() ? SqlParam() : SqlParam(v); }

  Kind kind() const { return kind_; }
  int64_t int_value() const { return int_; }
  const std::string& text() const { return text_; }

 private:
  Kind kind_ = Kind::kNull;
  int64_t int_ = 0;
  std::string text_;
};

using SqlParams = std::vector<SqlParam>;

// One result row. Cells hold the value's text form (integers as decimal), blobs as raw bytes on
// SQLite and as PostgreSQL's hex form (\x...) on PostgreSQL; Blob() hides the difference.
class SqlRow {
 public:
  SqlRow(std::vector<std::optional<std::string>> cells, bool hex_blobs)
      : cells_(std::move(cells)), hex_blobs_(hex_blobs) {}

  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return !cells_.at(i).has_value(); }
  // "" for NULL.
  std::string Text(size_t i) const { return cells_.at(i).value_or(""); }
  // 0 for NULL or non-numeric text.
  int64_t Int(size_t i) const;
  std::string Blob(size_t i) const;

 private:
  std::vector<std::optional<std::string>> cells_;
  bool hex_blobs_;
};

using SqlRows = std::vector<SqlRow>;

class SqlTx {
 public:
  virtual ~SqlTx() = default;
  // Runs one statement with `$N` placeholders; returns its rows (none for DML without RETURNING).
  virtual Result<SqlRows> Exec(std::string_view sql, const SqlParams& params = {}) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
};

enum class TxMode : uint8_t {
  kRead,   // SQLite: BEGIN (deferred); PostgreSQL: READ COMMITTED, read only not enforced
  kWrite,  // SQLite: BEGIN IMMEDIATE (takes the write lock up front, no upgrade deadlock)
};

class SqlDriver {
 public:
  static constexpr int kMaxConflictRetries = 5;

  virtual ~SqlDriver() = default;
  virtual Dialect dialect() const = 0;
  // Runs `fn` in one transaction: commits when it returns OK, rolls back otherwise (and returns
  // its error). On a conflict (ABORTED from the database) the whole transaction, `fn` included,
  // is retried, so `fn` must touch nothing but the transaction and its own outputs.
  virtual Status Transact(TxMode mode, const std::function<Status(SqlTx&)>& fn) = 0;
};

// url: "sqlite:///abs/path.db" or "sqlite::memory:" (one connection).
Result<std::unique_ptr<SqlDriver>> OpenSqliteDriver(std::string_view url, int pool_size);
// url: any libpq connection URI ("postgresql:///mlc_test", "postgresql://host/db?options=...").
Result<std::unique_ptr<SqlDriver>> OpenPostgresDriver(std::string_view url, int pool_size);

// "$1, $2, ..." numbering helper for IN lists: appends params and returns "($k,$k+1,...)".
std::string InList(const std::vector<std::string>& values, SqlParams& params);

}  // namespace mlc::store::internal
