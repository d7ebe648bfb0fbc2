#include "server/metrics.h"

#include <algorithm>

#include <fmt/format.h>

namespace mlc::server {
namespace {

std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// {a="1",b="2"} with labels sorted by name, or "" for none.
std::string Render(const Labels& labels) {
  if (labels.empty()) return {};
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::string out = "{";
  for (size_t i = 0; i < sorted.size(); ++i) {
    out += fmt::format("{}{}=\"{}\"", i ? "," : "", sorted[i].first, Escape(sorted[i].second));
  }
  return out + "}";
}

std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kUntyped: break;
  }
  return "untyped";
}

std::string FormatValue(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) {
    return std::to_string(static_cast<int64_t>(v));
  }
  return fmt::format("{}", v);
}

}  // namespace

void Metrics::Describe(std::string_view name, MetricType type, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& f = families_[std::string(name)];
  f.type = type;
  f.help = std::string(help);
}

void Metrics::Inc(std::string_view name, const Labels& labels, int64_t by) {
  std::lock_guard lock(mu_);
  families_[std::string(name)].series[Render(labels)] += static_cast<double>(by);
}

void Metrics::Set(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  families_[std::string(name)].series[Render(labels)] = value;
}

void Metrics::ReplaceSeries(std::string_view name,
                            const std::vector<std::pair<Labels, double>>& series) {
  std::map<std::string, double> rendered;
  for (const auto& [labels, value] : series) rendered[Render(labels)] = value;
  std::lock_guard lock(mu_);
  families_[std::string(name)].series = std::move(rendered);
}

double Metrics::Value(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto s = f->second.series.find(Render(labels));
  return s == f->second.series.end() ? 0 : s->second;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += fmt::format("# HELP {} {}\n", name, f.help);
    out += fmt::format("# TYPE {} {}\n", name, TypeName(f.type));
    if (f.series.empty() && f.type == MetricType::kCounter) out += name + " 0\n";
    for (const auto& [labels, value] : f.series) {
      out += fmt::format("{}{} {}\n", name, labels, FormatValue(value));
    }
  }
  return out;
}

}  // namespace mlc::server
