#include "cleo/call_stats.h"

namespace mlc::cleo {

void CallStats::RecordResponse(int status) {
  if (status >= 200 && status <= 299) {
    Add(ok_);
  } else if (status == 429) {
    Add(rate_limited_);
  } else {
    Add(error_);
  }
}

CallStatsSnapshot CallStats::snapshot() const {
  auto get = [](const std::atomic<int64_t>& c) { return c.load(std::memory_order_relaxed); };
  return {.ok = get(ok_),
          .rate_limited = get(rate_limited_),
          .error = get(error_),
          .transport_error = get(transport_error_),
          .retries = get(retries_),
          .relogins = get(relogins_),
          .logins = get(logins_),
          .login_failures = get(login_failures_)};
}

CallStats& ProcessCallStats() {
  static CallStats* stats = new CallStats();  // never destroyed: recorded into until exit
  return *stats;
}

}  // namespace mlc::cleo
