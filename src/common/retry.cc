#include "common/retry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <thread>

namespace mlc {

std::chrono::milliseconds BackoffPolicy::Delay(int attempt, uint64_t random) const {
  attempt = std::max(attempt, 1);
  const double cap = static_cast<double>(std::max<int64_t>(max_delay.count(), 0));
  // pow may overflow to inf for large attempts; min() brings it back to the cap.
  const double grown = static_cast<double>(std::max<int64_t>(initial.count(), 0)) *
                       std::pow(std::max(multiplier, 1.0), attempt - 1);
  const double base = std::min(cap, grown);
  const double fraction = std::clamp(jitter, 0.0, 1.0);
  // random / 2^64 in [0, 1).
  const double u = static_cast<double>(random >> 11) * 0x1.0p-53;
  const double delay = base - std::floor(base * fraction * u);
  return std::chrono::milliseconds(static_cast<int64_t>(delay));
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty() || value.size() > 9) return std::nullopt;  // > 9 digits: years, not sensible
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

RetryLoop::RetryLoop(BackoffPolicy policy, Sleeper sleeper, RandomSource random)
    : policy_(policy), sleeper_(std::move(sleeper)), random_(std::move(random)) {
  if (!sleeper_) sleeper_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!random_) {
    random_ = [] {
      thread_local std::mt19937_64 engine(std::random_device{}());
      return engine();
    };
  }
}

Status RetryLoop::RunStatus(const std::function<Status(RetryAttempt&)>& fn) {
  const int max_attempts = std::max(policy_.max_attempts, 1);
  for (int n = 1;; ++n) {
    RetryAttempt attempt;
    attempt.number = n;
    Status status = fn(attempt);
    if (status.ok() || !status.retriable()) return status;
    if (n >= max_attempts) {
      if (max_attempts == 1) return status;
      return std::move(status).WithContext("giving up after " + std::to_string(n) + " attempts");
    }
    std::chrono::milliseconds delay = policy_.Delay(n, random_());
    if (attempt.retry_after) {
      delay =
          std::clamp(*attempt.retry_after, std::chrono::milliseconds(0), policy_.max_retry_after);
    }
    sleeper_(delay);
  }
}

}  // namespace mlc
