// SqlDriver on libpqxx 6: a mutex-guarded pool of pqxx::connection, one pqxx::work (READ
// COMMITTED) per Transact. libpqxx throws; every exception is caught here and mapped to Status
// (sql.h lists the mapping). A connection that broke is dropped from the pool.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "store/sql.h"

namespace mlc::store::internal {
namespace {

// Maps what libpqxx throws to a Status. `broken` is set when the connection must be dropped.
Status MapPqxx(const std::exception_ptr& ep, std::string_view what, bool& conflict, bool& broken) {
  try {
    std::rethrow_exception(ep);
  } catch (const pqxx::transaction_rollback& e) {  // serialization failure, deadlock
    conflict = true;
    return AbortedError("postgresql: {}: {}", what, e.what());
  } catch (const pqxx::broken_connection& e) {
    broken = true;
    return UnavailableError("postgresql: {}: connection lost: {}", what, e.what());
  } catch (const pqxx::in_doubt_error& e) {
    broken = true;
    return UnavailableError("postgresql: {}: commit outcome unknown: {}", what, e.what());
  } catch (const pqxx::unique_violation& e) {
    return AlreadyExistsError("postgresql: {}: {}", what, e.what());
  } catch (const pqxx::plpgsql_raise& e) {
    return FailedPreconditionError("postgresql: {}: {}", what, e.what());
  } catch (const pqxx::insufficient_resources& e) {
    return ResourceExhaustedError("postgresql: {}: {}", what, e.what());
  } catch (const pqxx::sql_error& e) {
    // Lock timeouts and "canceling statement" are retriable; the rest is our SQL or data.
    const std::string& state = e.sqlstate();
    if (state == "55P03" || state == "57014") {
      conflict = true;
      return AbortedError("postgresql: {}: {}", what, e.what());
    }
    if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0) {
      broken = true;
      return UnavailableError("postgresql: {}: {}", what, e.what());
    }
    return InternalError("postgresql: {}: {} (sqlstate {})", what, e.what(), state);
  } catch (const std::exception& e) {
    return InternalError("postgresql: {}: {}", what, e.what());
  }
}

class PgTx final : public SqlTx {
 public:
  explicit PgTx(pqxx::work& w) : w_(w) {}

  Result<SqlRows> Exec(std::string_view sql, const SqlParams& params) override {
    // Every parameter travels as text; blobs in bytea's hex input form.
    std::vector<std::string> storage;
    storage.reserve(params.size());
    std::vector<const char*> values;
    values.reserve(params.size());
    static constexpr char kHex[] = "0123456789abcdef";
    for (const SqlParam& p : params) {
      switch (p.kind()) {
        case SqlParam::Kind::kNull:
          storage.emplace_back();
          break;
        case SqlParam::Kind::kInt:
          storage.emplace_back(std::to_string(p.int_value()));
          break;
        case SqlParam::Kind::kText:
          storage.emplace_back(p.text());
          break;
        case SqlParam::Kind::kBlob: {
          std::string hex = "\\x";
          hex.reserve(2 + p.text().size() * 2);
          for (unsigned char c : p.text()) {
            hex.push_back(kHex[c >> 4]);
            hex.push_back(kHex[c & 15]);
          }
          storage.emplace_back(std::move(hex));
          break;
        }
      }
    }
    for (size_t i = 0; i < params.size(); ++i) {
      values.push_back(params[i].kind() == SqlParam::Kind::kNull ? nullptr : storage[i].c_str());
    }
    try {
      pqxx::result r = w_.exec_params(std::string(sql), pqxx::prepare::make_dynamic_params(values));
      SqlRows rows;
      rows.reserve(r.size());
      for (const auto& row : r) {
        std::vector<std::optional<std::string>> cells;
        cells.reserve(row.size());
        for (const auto& f : row) {
          if (f.is_null()) {
            cells.emplace_back(std::nullopt);
          } else {
            cells.emplace_back(std::string(f.c_str(), f.size()));
          }
        }
        rows.emplace_back(std::move(cells), true);
      }
      return rows;
    } catch (...) {
      return MapPqxx(std::current_exception(), "executing", conflict_, broken_);
    }
  }

  Status ExecScript(std::string_view sql) override {
    try {
      w_.exec(std::string(sql));
      return Status::Ok();
    } catch (...) {
      return MapPqxx(std::current_exception(), "executing script", conflict_, broken_);
    }
  }

  bool conflict_ = false;
  bool broken_ = false;

 private:
  pqxx::work& w_;
};

class PgDriver final : public SqlDriver {
 public:
  PgDriver(std::string url, int pool_size) : url_(std::move(url)), max_(pool_size) {}

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Init() {
    ASSIGN_OR_RETURN(auto conn, Connect());
    Release(std::move(conn), false);
    return Status::Ok();
  }

  Status Transact(TxMode mode, const std::function<Status(SqlTx&)>& fn) override {
    (void)mode;  // READ COMMITTED for both; row locks do the rest
    Status last;
    for (int attempt = 0; attempt <= kMaxConflictRetries; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5 << attempt));
      ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> conn, Acquire());
      bool conflict = false;
      bool broken = false;
      bool began = false;
      try {
        pqxx::work w(*conn);
        began = true;
        PgTx tx(w);
        last = fn(tx);
        conflict = tx.conflict_;
        broken = tx.broken_;
        if (last.ok()) {
          w.commit();
        } else {
          w.abort();
        }
      } catch (...) {
        last = MapPqxx(std::current_exception(), "committing", conflict, broken);
      }
      Release(std::move(conn), broken);
      // A pooled connection the server closed fails at BEGIN: nothing ran, so a fresh
      // connection may safely try again. A break after that has an unknown outcome.
      if (broken && !began) continue;
      if (last.ok() || !conflict) return last;
    }
    return last.WithContext(fmt::format("giving up after {} attempts", kMaxConflictRetries + 1));
  }

 private:
  Result<std::unique_ptr<pqxx::connection>> Connect() {
    try {
      auto conn = std::make_unique<pqxx::connection>(url_);
      pqxx::nontransaction n(*conn);
      n.exec("SET client_min_messages = warning");
      return conn;
    } catch (...) {
      bool conflict = false;
      bool broken = false;
      Status s = MapPqxx(std::current_exception(), "connecting", conflict, broken);
      return UnavailableError("{}", s.message());
    }
  }

  Result<std::unique_ptr<pqxx::connection>> Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
    lock.unlock();
    auto conn = Connect();
    if (!conn.ok()) {
      std::lock_guard relock(mu_);
      --open_;
      cv_.notify_one();
    }
    return conn;
  }

  void Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
    std::lock_guard lock(mu_);
    if (broken) {
      --open_;
    } else {
      idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  std::string url_;
  int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mu_
  int open_ = 0;                                         // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<SqlDriver>> OpenPostgresDriver(std::string_view url, int pool_size) {
  auto driver = std::make_unique<PgDriver>(std::string(url), pool_size < 1 ? 1 : pool_size);
  RETURN_IF_ERROR(driver->Init());
  return std::unique_ptr<SqlDriver>(std::move(driver));
}

}  // namespace mlc::store::internal
