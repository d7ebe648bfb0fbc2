// Driver tests on both backends: values round-trip and errors map to the documented codes.
#include "store/sql.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/testing.h"

namespace mlc::store::internal {
namespace {

using ::testing::HasSubstr;

class SqlDriverTest : public testing::BackendTest {
 protected:
  // A database and a bare driver; no store (BackendTest::SetUp is not called).
  void SetUp() override {
    MakeDatabase();
    if (!db_) return;
    auto d = GetParam() == "sqlite" ? OpenSqliteDriver(db_->url(), 2)
                                    : OpenPostgresDriver(db_->url(), 2);
    ASSERT_TRUE(d.ok()) << d.error();
    driver_ = std::move(d).value();
    const bool lite = GetParam() == "sqlite";
    ASSERT_TRUE(Run(std::string("CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT, b ") +
                    (lite ? "BLOB" : "BYTEA") + ")")
                    .ok());
  }

  Status Run(const std::string& sql, const SqlParams& params = {}) {
    return driver_->Transact(TxMode::kWrite,
                             [&](SqlTx& tx) { return tx.Exec(sql, params).status(); });
  }

  std::unique_ptr<SqlDriver> driver_;
};

TEST_P(SqlDriverTest, ValuesRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  ASSERT_TRUE(Run("INSERT INTO t (k, n, b) VALUES ($1, $2, $3)",
                  {"key'with\"quotes", int64_t{-9007199254740993}, SqlParam::Blob(bytes)})
                  .ok());
  ASSERT_TRUE(
      Run("INSERT INTO t (k, n, b) VALUES ($1, $2, $3)", {"nulls", SqlParam(), SqlParam()}).ok());
  SqlRows rows;
  Status s = driver_->Transact(TxMode::kRead, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(rows, tx.Exec("SELECT k, n, b FROM t ORDER BY k"));
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Text(0), "key'with\"quotes");
  EXPECT_EQ(rows[0].Int(1), -9007199254740993);
  EXPECT_EQ(rows[0].Blob(2), bytes);
  EXPECT_TRUE(rows[1].IsNull(1));
  EXPECT_TRUE(rows[1].IsNull(2));
}

TEST_P(SqlDriverTest, ErrorsMapToCodes) {
  ASSERT_TRUE(Run("INSERT INTO t (k) VALUES ('a')").ok());
  Status dup = Run("INSERT INTO t (k) VALUES ('a')");
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists) << dup;
  Status syntax = Run("SELEKT 1");
  EXPECT_EQ(syntax.code(), StatusCode::kInternal) << syntax;
  // A failed transaction leaves nothing behind.
  Status partial = driver_->Transact(TxMode::kWrite, [&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec("INSERT INTO t (k) VALUES ('b')"));
    return tx.Exec("INSERT INTO t (k) VALUES ('a')").status();
  });
  EXPECT_EQ(partial.code(), StatusCode::kAlreadyExists);
  int64_t n = 0;
  ASSERT_TRUE(driver_
                  ->Transact(TxMode::kRead,
                             [&](SqlTx& tx) -> Status {
                               ASSIGN_OR_RETURN(SqlRows r, tx.Exec("SELECT COUNT(*) FROM t"));
                               n = r.at(0).Int(0);
                               return Status::Ok();
                             })
                  .ok());
  EXPECT_EQ(n, 1);
}

TEST(SqlDriverOpenTest, UnreachableDatabasesAreUnavailable) {
  auto pg = OpenPostgresDriver("postgresql://127.0.0.1:1/none?connect_timeout=2", 1);
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.error().code(), StatusCode::kUnavailable);
  auto lite = OpenSqliteDriver("sqlite:///nonexistent-dir-mlc/x/state.db", 1);
  ASSERT_FALSE(lite.ok());
  EXPECT_EQ(lite.error().code(), StatusCode::kUnavailable);
  EXPECT_THAT(lite.error().message(), HasSubstr("nonexistent-dir-mlc"));
  EXPECT_EQ(OpenSqliteDriver("sqlite://relative.db", 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SqlDriverOpenTest, InMemorySqliteWorksAsAStore) {
  FakeClock clock;
  auto s = OpenStore("sqlite::memory:", clock);
  ASSERT_TRUE(s.ok()) << s.error();
  auto n = (*s)->AllocateControlNumbers("ACME");
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->isa13, "000000001");
  EXPECT_EQ(*(*s)->SchemaVersion(), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlDriverTest, ::testing::Values("sqlite", "postgresql"),
                         testing::BackendName);

}  // namespace
}  // namespace mlc::store::internal
