#include "flows/env.h"

#include "flows/runner.h"

namespace mlc::flows {

const config::PartnerConfig* FindPartner(const config::Config& config, std::string_view id) {
  for (const auto& p : config.partners) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const config::PartnerConfig* PartnerForVendor(const config::Config& config,
                                              std::string_view vendor_id) {
  for (const auto& p : config.partners) {
    if (!p.netsuite_vendor_id.empty() && p.netsuite_vendor_id == vendor_id) return &p;
  }
  return nullptr;
}

bool FlowEnabled(const config::Config& config, std::string_view flow) {
  auto it = config.flows.find(std::string(flow));
  return it != config.flows.end() && it->second.enabled;
}

store::RelayOptions RelayOptionsFor(const FlowEnv& env, std::string_view flow) {
  store::RelayOptions o;
  o.worker_id = env.worker_id;
  o.flows = {std::string(flow)};
  o.backoff = env.backoff;
  if (env.config != nullptr) {
    auto fc = env.config->flows.find(std::string(flow));
    if (fc != env.config->flows.end() && fc->second.lease.count() > 0) {
      o.lease_duration = fc->second.lease;
    }
  }
  return o;
}

std::function<bool()> Stopping(const RunContext& ctx) {
  return [&ctx] { return ctx.stopping(); };
}

void AddRelayCounts(const store::RelayStats& stats, RunSummary& summary) {
  auto add = [&](const char* k, int v) {
    if (v != 0) summary.counts[k] += v;
  };
  add("steps_completed", stats.completed);
  add("retry_scheduled", stats.retry_scheduled);
  add("parked", stats.parked);
  add("delivered_earlier", stats.delivered);
  add("requeued", stats.requeued);
}

}  // namespace mlc::flows
