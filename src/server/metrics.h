// Metrics: counters and gauges with labels, rendered in the Prometheus text exposition format
// (version 0.0.4) for GET /metrics.
//
// Names follow Prometheus conventions: mlc_<what>_<unit>, counters end in _total. Families are
// declared once (Describe) with their help text; using an undeclared family declares it as
// untyped. Label values are escaped (backslash, double quote, newline).
//
// Gauges hold doubles: metrics are observations (seconds of lag, counts), never money.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlc::server {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kUntyped };

class Metrics {
 public:
  void Describe(std::string_view name, MetricType type, std::string_view help);
  void Inc(std::string_view name, const Labels& labels = {}, int64_t by = 1);
  void Set(std::string_view name, const Labels& labels, double value);
  // Replaces every series of the family at once (a gauge recomputed at scrape time, where a
  // label set that disappeared, say a state with no documents left, must not linger).
  void ReplaceSeries(std::string_view name, const std::vector<std::pair<Labels, double>>& series);
  // The current value of one series (0 when absent); for tests and `status`.
  double Value(std::string_view name, const Labels& labels = {}) const;
  std::string RenderPrometheus() const;

 private:
  struct Family {
    MetricType type = MetricType::kUntyped;
    std::string help;
    std::map<std::string, double> series;  // rendered label set -> value
  };
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace mlc::server
