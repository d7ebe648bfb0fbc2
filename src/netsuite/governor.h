// Governor: a counting semaphore bounding the client's in-flight requests to NetSuite.
//
// NetSuite limits CONCURRENT requests per account (5 on sandbox/standard accounts, more with
// higher tiers and SuiteCloud Plus; netsuite.md 5.2), shared by every integration. The client
// holds one slot per HTTP exchange (token fetches included), so it never has more than `limit`
// requests open against the account. The highest number of slots ever held at once is kept for
// tests and metrics.
//
// Thread safety: all members may be called from any thread. A Slot must not outlive its
// Governor.
#pragma once

#include <condition_variable>
#include <mutex>

namespace mlc::netsuite {

class Governor {
 public:
  // `limit` < 1 is treated as 1.
  explicit Governor(int limit) : limit_(limit < 1 ? 1 : limit) {}
  Governor(const Governor&) = delete;
  Governor& operator=(const Governor&) = delete;

  class Slot {
   public:
    explicit Slot(Governor* g) : g_(g) {}
    Slot(Slot&& o) noexcept : g_(o.g_) { o.g_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot() { Release(); }
    void Release() {
      if (g_) g_->Release();
      g_ = nullptr;
    }

   private:
    Governor* g_;
  };

  // Blocks until a slot is free.
  Slot Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return in_flight_ < limit_; });
    ++in_flight_;
    if (in_flight_ > max_in_flight_) max_in_flight_ = in_flight_;
    return Slot(this);
  }

  int limit() const { return limit_; }
  int in_flight() const {
    std::lock_guard lock(mu_);
    return in_flight_;
  }
  int max_in_flight() const {
    std::lock_guard lock(mu_);
    return max_in_flight_;
  }

 private:
  void Release() {
    {
      std::lock_guard lock(mu_);
      --in_flight_;
    }
    cv_.notify_one();
  }

  const int limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

}  // namespace mlc::netsuite
