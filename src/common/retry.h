// Backoff and retry for calls to remote systems.
//
// BackoffPolicy computes the delay before the next attempt: exponential growth from `initial` by
// `multiplier`, capped at `max_delay`, with a `jitter` fraction of it randomised. The random
// input is a parameter, so the delay is a pure function (the relay stores `not_before` computed
// from it; tests pass fixed values).
//
// RetryLoop runs a callable until it succeeds, fails with a non-retriable error
// (Status::retriable() false: INVALID_ARGUMENT, NOT_FOUND, ...), or has used `max_attempts`.
// Between attempts it sleeps through an injected Sleeper (tests record the delays instead of
// sleeping). A callable that learns a server-provided Retry-After sets it on the RetryAttempt it
// is given; that delay is then used instead of the computed backoff (capped at max_retry_after).
//
// In-process retry is for short waits (a token fetch, a 429 with Retry-After: 2). Long waits
// belong to the relay, which parks the document in retry_wait instead of holding a thread.
//
// Thread safety: BackoffPolicy is a value. A RetryLoop may be used by one thread at a time; its
// Sleeper and RandomSource are called on that thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/status.h"

namespace mlc {

struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{30000};
  // Total attempts, the first one included; 1 means no retry.
  int max_attempts = 5;
  // Fraction of the delay that is random, in [0, 1]: the delay is drawn uniformly from
  // [base * (1 - jitter), base]. 1.0 is "full jitter", 0.5 is "equal jitter" (AWS Architecture
  // Blog, "Exponential Backoff And Jitter"), 0 is no jitter.
  double jitter = 0.5;
  // Upper bound for a server's Retry-After.
  std::chrono::milliseconds max_retry_after{std::chrono::minutes(5)};

  // The delay after failed attempt number `attempt` (1-based), before attempt + 1:
  //   base = min(max_delay, initial * multiplier^(attempt - 1))
  //   delay = base - floor(base * jitter * random / 2^64)
  // Deterministic in its inputs; attempt < 1 is treated as 1.
  std::chrono::milliseconds Delay(int attempt, uint64_t random) const;
};

// Parses a Retry-After header given in delta-seconds ("120"). The HTTP-date form and anything
// malformed give nullopt (the caller then uses its own backoff).
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value);

// What the callable learns about, and may tell, the loop.
struct RetryAttempt {
  int number = 1;  // 1 for the first call
  // Set by the callable when the server said how long to wait (e.g. from ParseRetryAfter).
  std::optional<std::chrono::milliseconds> retry_after;
};

class RetryLoop {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;
  using RandomSource = std::function<uint64_t()>;

  // Sleeper defaults to std::this_thread::sleep_for, RandomSource to a thread-local PRNG.
  explicit RetryLoop(BackoffPolicy policy, Sleeper sleeper = nullptr,
                     RandomSource random = nullptr);

  // Calls `fn` (either `fn()` or `fn(RetryAttempt&)`, returning Status or Result<T>) until it
  // succeeds, returns a non-retriable error, or max_attempts are used. Returns the last
  // outcome; a retriable error after the last attempt gets the context
  // "giving up after N attempts".
  template <typename Fn>
  auto Run(Fn&& fn);

  const BackoffPolicy& policy() const { return policy_; }

 private:
  Status RunStatus(const std::function<Status(RetryAttempt&)>& fn);

  BackoffPolicy policy_;
  Sleeper sleeper_;
  RandomSource random_;
};

template <typename Fn>
auto RetryLoop::Run(Fn&& fn) {
  auto call = [&fn](RetryAttempt& attempt) {
    if constexpr (std::is_invocable_v<Fn&, RetryAttempt&>) {
      return fn(attempt);
    } else {
      (void)attempt;
      return fn();
    }
  };
  using R = decltype(call(std::declval<RetryAttempt&>()));
  if constexpr (std::is_same_v<R, Status>) {
    return RunStatus(call);
  } else {
    std::optional<R> last;
    Status status = RunStatus([&](RetryAttempt& attempt) {
      last.emplace(call(attempt));
      return last->status();
    });
    // The context added on giving up lives in `status`; the value (or first error) in `last`.
    if (!status.ok()) return R(std::move(status));
    return std::move(*last);
  }
}

}  // namespace mlc
