// Clock: the one way code under src/ learns the time, so tests can run on a fake clock.
//
// SystemClock reads std::chrono::system_clock (UTC instants) and steady_clock (for timeouts and
// token ages). FakeClock only moves when a test advances it. Both are thread-safe.
#pragma once

#include <atomic>
#include <chrono>

namespace mlc {

// A UTC instant with microsecond resolution (what SQLite/PostgreSQL timestamps keep).
using Instant = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock UTC time.
  virtual Instant Now() const = 0;
  // Monotonic time for measuring ages and timeouts; never jumps backwards.
  virtual std::chrono::steady_clock::time_point Steady() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
  std::chrono::steady_clock::time_point Steady() const override {
    return std::chrono::steady_clock::now();
  }
  // The process-wide instance.
  static SystemClock& Get() {
    static SystemClock clock;
    return clock;
  }
};

class FakeClock final : public Clock {
 public:
  // Starts at 2026-01-02T03:04:05Z unless told otherwise.
  explicit FakeClock(Instant start = Instant(std::chrono::microseconds(1767323045000000)))
      : now_us_(start.time_since_epoch().count()) {}

  Instant Now() const override { return Instant(std::chrono::microseconds(now_us_.load())); }
  std::chrono::steady_clock::time_point Steady() const override {
    return std::chrono::steady_clock::time_point(std::chrono::microseconds(now_us_.load()));
  }
  void Advance(std::chrono::microseconds d) { now_us_ += d.count(); }
  void Set(Instant t) { now_us_ = t.time_since_epoch().count(); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace mlc
