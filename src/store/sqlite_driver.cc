// SqlDriver on the sqlite3 C API: a mutex-guarded pool of connections, each in WAL mode with a
// busy timeout, used by one thread at a time (SQLITE_OPEN_NOMUTEX). Write transactions start
// with BEGIN IMMEDIATE so two writers never deadlock upgrading a read lock; the busy timeout
// makes the second one wait, and SQLITE_BUSY after it is a retried conflict.
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/sql.h"

namespace mlc::store::internal {
namespace {

constexpr int kBusyTimeoutMs = 10000;

Status SqliteError(int rc, sqlite3* db, std::string_view what) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string text = fmt::format("sqlite: {}: {}", what, msg);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return AbortedError("{}", text);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError("{}", text);
      }
      if (rc == SQLITE_CONSTRAINT_TRIGGER) return FailedPreconditionError("{}", text);
      return InvalidArgumentError("{}", text);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError("{}", text);
    case SQLITE_FULL:
      return ResourceExhaustedError("{}", text);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
      return UnavailableError("{}", text);
    default:
      return InternalError("{}", text);
  }
}

class SqliteTx final : public SqlTx {
 public:
  explicit SqliteTx(sqlite3* db) : db_(db) {}

  Result<SqlRows> Exec(std::string_view sql, const SqlParams& params) override {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return Note(SqliteError(rc, db_, "preparing statement"));
    struct Finalizer {
      sqlite3_stmt* s;
      ~Finalizer() { sqlite3_finalize(s); }
    } finalizer{stmt};
    for (size_t i = 0; i < params.size(); ++i) {
      const std::string name = "$" + std::to_string(i + 1);
      int idx = sqlite3_bind_parameter_index(stmt, name.c_str());
      if (idx == 0) continue;  // not used by this statement
      const SqlParam& p = params[i];
      switch (p.kind()) {
        case SqlParam::Kind::kNull:
          rc = sqlite3_bind_null(stmt, idx);
          break;
        case SqlParam::Kind::kInt:
          rc = sqlite3_bind_int64(stmt, idx, p.int_value());
          break;
        case SqlParam::Kind::kText:
          rc = sqlite3_bind_text(stmt, idx, p.text().data(), static_cast<int>(p.text().size()),
                                 SQLITE_TRANSIENT);
          break;
        case SqlParam::Kind::kBlob:
          rc = sqlite3_bind_blob(stmt, idx, p.text().data(), static_cast<int>(p.text().size()),
                                 SQLITE_TRANSIENT);
          break;
      }
      if (rc != SQLITE_OK) return Note(SqliteError(rc, db_, "binding parameter"));
    }
    SqlRows rows;
    while (true) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW)
        return Note(SqliteError(sqlite3_extended_errcode(db_), db_, "executing"));
      int n = sqlite3_column_count(stmt);
      std::vector<std::optional<std::string>> cells;
      cells.reserve(n);
      for (int c = 0; c < n; ++c) {
        int type = sqlite3_column_type(stmt, c);
        if (type == SQLITE_NULL) {
          cells.emplace_back(std::nullopt);
        } else if (type == SQLITE_BLOB) {
          const void* b = sqlite3_column_blob(stmt, c);
          int len = sqlite3_column_bytes(stmt, c);
          cells.emplace_back(std::string(static_cast<const char*>(b), len));
        } else {
          const unsigned char* t = sqlite3_column_text(stmt, c);
          int len = sqlite3_column_bytes(stmt, c);
          cells.emplace_back(std::string(reinterpret_cast<const char*>(t), len));
        }
      }
      rows.emplace_back(std::move(cells), false);
    }
    return rows;
  }

  Status ExecScript(std::string_view sql) override {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Note(SqliteError(sqlite3_extended_errcode(db_), nullptr, msg));
    }
    return Status::Ok();
  }

  bool conflict() const { return conflict_; }

 private:
  Status Note(Status s) {
    if (s.code() == StatusCode::kAborted) conflict_ = true;
    return s;
  }

  sqlite3* db_;
  bool conflict_ = false;
};

class SqliteDriver final : public SqlDriver {
 public:
  SqliteDriver(std::string path, int pool_size) : path_(std::move(path)), max_(pool_size) {}
  ~SqliteDriver() override {
    for (sqlite3* db : idle_) sqlite3_close_v2(db);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Init() {
    ASSIGN_OR_RETURN(sqlite3 * db, Connect());
    Release(db);
    return Status::Ok();
  }

  Status Transact(TxMode mode, const std::function<Status(SqlTx&)>& fn) override {
    Status last;
    for (int attempt = 0; attempt <= kMaxConflictRetries; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5 << attempt));
      ASSIGN_OR_RETURN(sqlite3 * db, Acquire());
      SqliteTx tx(db);
      last = tx.ExecScript(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
      if (last.ok()) {
        last = fn(tx);
        if (last.ok()) {
          last = tx.ExecScript("COMMIT");
        }
        if (!last.ok()) tx.ExecScript("ROLLBACK").IgnoreError();  // no-op if nothing is open
      }
      Release(db);
      if (last.ok() || !tx.conflict()) return last;
    }
    return last.WithContext(fmt::format("giving up after {} attempts", kMaxConflictRetries + 1));
  }

 private:
  Result<sqlite3*> Connect() {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path_.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      Status s = SqliteError(rc, db, fmt::format("opening {}", path_));
      sqlite3_close_v2(db);
      return UnavailableError("{}", s.message());
    }
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db, 1);
    SqliteTx setup(db);
    Status s = setup.ExecScript(path_ == ":memory:" ? "PRAGMA foreign_keys=ON"
                                                    : "PRAGMA journal_mode=WAL; "
                                                      "PRAGMA synchronous=FULL; "
                                                      "PRAGMA foreign_keys=ON");
    if (!s.ok()) {
      sqlite3_close_v2(db);
      return s.WithContext(fmt::format("configuring {}", path_));
    }
    return db;
  }

  Result<sqlite3*> Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      sqlite3* db = idle_.back();
      idle_.pop_back();
      return db;
    }
    ++open_;
    lock.unlock();
    Result<sqlite3*> db = Connect();
    if (!db.ok()) {
      std::lock_guard relock(mu_);
      --open_;
      cv_.notify_one();
    }
    return db;
  }

  void Release(sqlite3* db) {
    std::lock_guard lock(mu_);
    idle_.push_back(db);
    cv_.notify_one();
  }

  std::string path_;
  int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<sqlite3*> idle_;  // guarded by mu_
  int open_ = 0;                // guarded by mu_: connections created (idle or in use)
};

}  // namespace

Result<std::unique_ptr<SqlDriver>> OpenSqliteDriver(std::string_view url, int pool_size) {
  std::string path;
  if (url == "sqlite::memory:") {
    path = ":memory:";
    pool_size = 1;  // every :memory: connection would be its own database
  } else if (url.substr(0, 10) == "sqlite:///") {
    path = std::string(url.substr(9));
  } else {
    return InvalidArgumentError(
        "store url '{}': expected sqlite:///absolute/path.db or sqlite::memory:", url);
  }
  if (sqlite3_libversion_number() < 3035000) {
    return FailedPreconditionError("SQLite {} is too old: the store needs 3.35 (RETURNING)",
                                   sqlite3_libversion());
  }
  auto driver = std::make_unique<SqliteDriver>(path, pool_size < 1 ? 1 : pool_size);
  RETURN_IF_ERROR(driver->Init());
  return std::unique_ptr<SqlDriver>(std::move(driver));
}

}  // namespace mlc::store::internal
