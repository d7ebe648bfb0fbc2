// Test support: a fresh, private database per test on either backend.
//
//   sqlite:      a new temporary directory holding state.db, removed at the end
//   postgresql:  a new schema (random name) in the database $MLC_TEST_PG_URL points at, selected
//                through libpq's `options=-csearch_path=...`, dropped at the end
// so parallel ctest runs never see each other's rows. When MLC_TEST_PG_URL is unset,
// TestDatabase::Create returns FAILED_PRECONDITION with the reason, and tests GTEST_SKIP with it.
//
// Header-only, for *_test.cc files and the integration suites under tests/. Not thread-safe;
// one object per test.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace mlc::store::testing {

inline constexpr const char* kPgUrlEnv = "MLC_TEST_PG_URL";

class TestDatabase {
 public:
  // backend: "sqlite" or "postgresql".
  static Result<TestDatabase> Create(const std::string& backend) {
    TestDatabase db;
    db.backend_ = backend;
    std::random_device rd;
    const std::string tag =
        std::to_string(getpid()) + "_" + std::to_string(rd()) + std::to_string(rd() % 1000);
    if (backend == "sqlite") {
      db.dir_ = std::filesystem::temp_directory_path() / ("mlc_store_" + tag);
      std::error_code ec;
      std::filesystem::create_directories(db.dir_, ec);
      if (ec) return InternalError("creating {}: {}", db.dir_.string(), ec.message());
      db.url_ = "sqlite://" + (db.dir_ / "state.db").string();
      return db;
    }
    const char* base = std::getenv(kPgUrlEnv);
    if (base == nullptr || *base == '\0') {
      return FailedPreconditionError(
          "{} is not set: PostgreSQL store tests need a server (scripts/pg-start prints a URL; "
          "scripts/test sets it)",
          kPgUrlEnv);
    }
    db.base_url_ = base;
    db.schema_ = "mlc_t_" + tag;
    try {
      pqxx::connection c(db.base_url_);
      pqxx::work w(c);
      w.exec("CREATE SCHEMA " + db.schema_);
      w.commit();
    } catch (const std::exception& e) {
      return UnavailableError("creating test schema at {}: {}", db.base_url_, e.what());
    }
    db.url_ = db.base_url_ + (db.base_url_.find('?') == std::string::npos ? "?" : "&") +
              "options=-csearch_path%3D" + db.schema_;
    return db;
  }

  TestDatabase(TestDatabase&& o) noexcept { *this = std::move(o); }
  TestDatabase& operator=(TestDatabase&& o) noexcept {
    std::swap(backend_, o.backend_);
    std::swap(url_, o.url_);
    std::swap(base_url_, o.base_url_);
    std::swap(schema_, o.schema_);
    std::swap(dir_, o.dir_);
    return *this;
  }
  ~TestDatabase() {
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
    if (!schema_.empty()) {
      try {
        pqxx::connection c(base_url_);
        pqxx::nontransaction n(c);
        n.exec("SET client_min_messages = warning");
        n.exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
      } catch (const std::exception&) {  // best effort: a leftover schema harms no other test
      }
    }
  }

  const std::string& url() const { return url_; }
  const std::string& backend() const { return backend_; }
  // SQLite only: the database file.
  std::filesystem::path sqlite_path() const { return dir_ / "state.db"; }
  std::filesystem::path dir() const { return dir_; }

  // Runs one SQL statement outside the store (to poke at the schema). The database's error
  // message on failure.
  Status ExecRaw(const std::string& sql) const {
    if (backend_ == "sqlite") {
      sqlite3* h = nullptr;
      if (sqlite3_open(sqlite_path().c_str(), &h) != SQLITE_OK) {
        sqlite3_close(h);
        return UnavailableError("open failed");
      }
      sqlite3_busy_timeout(h, 5000);
      char* err = nullptr;
      int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
      std::string msg = err != nullptr ? err : "";
      sqlite3_free(err);
      sqlite3_close(h);
      if (rc != SQLITE_OK) return FailedPreconditionError("{}", msg);
      return Status::Ok();
    }
    try {
      pqxx::connection c(url_);
      pqxx::work w(c);
      w.exec(sql);
      w.commit();
      return Status::Ok();
    } catch (const std::exception& e) {
      return FailedPreconditionError("{}", e.what());
    }
  }

 private:
  TestDatabase() = default;

  std::string backend_;
  std::string url_;
  std::string base_url_;
  std::string schema_;
  std::filesystem::path dir_;
};

// A parameterized fixture: GetParam() is the backend; SetUp makes a fresh database and opens the
// store on a FakeClock (PostgreSQL cases skip, saying why, when MLC_TEST_PG_URL is unset).
//   INSTANTIATE_TEST_SUITE_P(Backends, MyTest, ::testing::Values("sqlite", "postgresql"),
//                            BackendName);
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    MakeDatabase();
    if (db_) Reopen();
  }

  // Sets db_, or skips (no PostgreSQL URL) or fails the test.
  void MakeDatabase() {
    auto db = TestDatabase::Create(GetParam());
    if (!db.ok()) {
      if (db.error().code() == StatusCode::kFailedPrecondition) {
        GTEST_SKIP() << db.error().message();
      }
      FAIL() << db.error();
    }
    db_.emplace(std::move(db).value());
  }

  void Reopen() {
    store_.reset();
    auto s = OpenStore(db_->url(), clock_);
    ASSERT_TRUE(s.ok()) << s.error();
    store_ = std::move(s).value();
  }

  FakeClock clock_;
  std::optional<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace mlc::store::testing
