// Named lock tests, each run against SQLite and PostgreSQL (LockTest/Backends/{sqlite,postgresql}).
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/testing.h"

namespace mlc::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class LockTest : public testing::BackendTest {
 protected:
  std::optional<NamedLock> Acquire(const std::string& owner, milliseconds ttl = seconds(10)) {
    auto r = store_->AcquireLock("ingest:po_outbound", owner, ttl);
    EXPECT_TRUE(r.ok()) << r.error();
    if (!r.ok() || !r->acquired) return std::nullopt;
    return r->lock;
  }
};

TEST_P(LockTest, HeldUntilItExpiresThenTakenOverWithANewEpoch) {
  auto a = Acquire("host-a:1");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->epoch, 1);
  EXPECT_EQ(a->owner, "host-a:1");
  EXPECT_EQ(a->expires_at, clock_.Now() + seconds(10));
  auto refused = store_->AcquireLock("ingest:po_outbound", "host-b:2", seconds(10));
  ASSERT_TRUE(refused.ok()) << refused.error();
  EXPECT_FALSE(refused->acquired);
  EXPECT_EQ(refused->lock.owner, "host-a:1");  // names the holder
  EXPECT_EQ(refused->lock.epoch, 1);

  clock_.Advance(seconds(10) - milliseconds(1));  // 1 ms before expiry: still A's
  EXPECT_FALSE(Acquire("host-b:2").has_value());
  clock_.Advance(milliseconds(1));  // exactly at expiry: free
  auto b = Acquire("host-b:2");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->epoch, 2);

  // A, late, can neither renew nor release B's hold.
  Status renew = store_->RenewLock(*a, seconds(10));
  EXPECT_EQ(renew.code(), StatusCode::kAborted) << renew;
  EXPECT_TRUE(store_->ReleaseLock(*a).ok());
  EXPECT_FALSE(Acquire("host-a:1").has_value());
  auto locks = store_->ListLocks();
  ASSERT_TRUE(locks.ok()) << locks.error();
  ASSERT_EQ(locks->size(), 1u);
  EXPECT_EQ((*locks)[0].owner, "host-b:2");
  EXPECT_EQ((*locks)[0].epoch, 2);
}

TEST_P(LockTest, ReacquiringOwnLockRenewsIt) {
  auto a = Acquire("host-a:1");
  ASSERT_TRUE(a.has_value());
  clock_.Advance(seconds(8));
  auto again = Acquire("host-a:1");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->epoch, 2);
  clock_.Advance(seconds(8));  // 16 s after the first hold, 8 s into the second
  EXPECT_FALSE(Acquire("host-b:2").has_value());
}

TEST_P(LockTest, RenewKeepsOthersOutAndReleaseLetsThemInAtOnce) {
  auto a = Acquire("host-a:1");
  ASSERT_TRUE(a.has_value());
  clock_.Advance(seconds(8));
  ASSERT_TRUE(store_->RenewLock(*a, seconds(10)).ok());
  EXPECT_EQ(a->expires_at, clock_.Now() + seconds(10));
  clock_.Advance(seconds(8));  // past the first expiry, inside the renewed one
  EXPECT_FALSE(Acquire("host-b:2").has_value());

  ASSERT_TRUE(store_->ReleaseLock(*a).ok());
  auto b = Acquire("host-b:2");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->epoch, 2);  // the row outlives the release: epochs only grow
  EXPECT_EQ(store_->RenewLock(*a, seconds(10)).code(), StatusCode::kAborted);

  // Another name is another lock.
  auto other = store_->AcquireLock("ingest:invoice_inbound", "host-a:1", seconds(10));
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_TRUE(other->acquired);
}

TEST_P(LockTest, TakeOverSucceedsOnlyFromTheHoldItWasToldAbout) {
  auto dead = Acquire("host-a:1");
  ASSERT_TRUE(dead.has_value());
  auto b = store_->TakeOverLock(*dead, "host-b:2", seconds(10));
  ASSERT_TRUE(b.ok()) << b.error();
  ASSERT_TRUE(b->acquired);
  EXPECT_EQ(b->lock.epoch, 2);
  // A second taker who also saw host-a's hold loses: the row has moved on.
  auto c = store_->TakeOverLock(*dead, "host-c:3", seconds(10));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_FALSE(c->acquired);
  EXPECT_EQ(c->lock.owner, "host-b:2");
  EXPECT_EQ(store_->RenewLock(*dead, seconds(10)).code(), StatusCode::kAborted);
  EXPECT_TRUE(store_->RenewLock(b->lock, seconds(10)).ok());
}

TEST_P(LockTest, RejectsMissingNameOwnerOrTtl) {
  EXPECT_EQ(store_->AcquireLock("", "a", seconds(1)).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AcquireLock("x", "", seconds(1)).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AcquireLock("x", "a", milliseconds(0)).error().code(),
            StatusCode::kInvalidArgument);
}

// Several store instances (own connections, as separate processes would have) race for the
// same lock round after round; each round exactly one wins.
TEST_P(LockTest, ConcurrentAcquirersNeverBothWin) {
  constexpr int kWorkers = 4;
  constexpr int kRounds = 20;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kWorkers; ++i) {
    auto s = OpenStore(db_->url(), clock_);
    ASSERT_TRUE(s.ok()) << s.error();
    stores.push_back(std::move(s).value());
  }
  std::atomic<int> winners{0}, errors{0};
  std::vector<int> wins_per_round(kRounds, 0);
  std::barrier sync(kWorkers, [&]() noexcept {
    // Between rounds (all workers parked): the round's hold expires.
    clock_.Advance(seconds(11));
  });
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      for (int round = 0; round < kRounds; ++round) {
        auto r = stores[w]->AcquireLock("ingest:po_outbound", "worker-" + std::to_string(w),
                                        seconds(10));
        if (!r.ok()) {
          ++errors;
        } else if (r->acquired) {
          ++winners;
          std::atomic_ref<int>(wins_per_round[round]).fetch_add(1);
        }
        sync.arrive_and_wait();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(winners.load(), kRounds);
  for (int round = 0; round < kRounds; ++round) EXPECT_EQ(wins_per_round[round], 1) << round;
  auto locks = store_->ListLocks();
  ASSERT_TRUE(locks.ok());
  ASSERT_EQ(locks->size(), 1u);
  EXPECT_EQ((*locks)[0].epoch, kRounds);
}

TEST_P(LockTest, AVersionOneStoreGainsTheLockTable) {
  // Make the database look like one written before migration 2.
  ASSERT_TRUE(db_->ExecRaw("DROP TABLE flow_locks").ok());
  ASSERT_TRUE(db_->ExecRaw("DELETE FROM schema_migrations WHERE version = 2").ok());
  Reopen();
  auto v = store_->SchemaVersion();
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_EQ(*v, 2);
  EXPECT_TRUE(Acquire("host-a:1").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, LockTest, ::testing::Values("sqlite", "postgresql"),
                         testing::BackendName);

}  // namespace
}  // namespace mlc::store
