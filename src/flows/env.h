// FlowEnv: what the document flows run against: the config (partner profiles), the store, the
// NetSuite client, each partner's Cleo file transport, and the clock. The daemon builds one from
// the config (src/app); tests build one over the sandboxes or fakes.
//
// Every flow is a pair: an ingest that reads a source (a SuiteQL poll, a Cleo inbox) and records
// what it found in the store in one transaction, and relay steps that carry each recorded
// document on (store/relay.h), each step idempotent so a crash or a failed call is retried
// without loss or duplicates (DESIGN.md, "The heart").
//
// Ownership: FlowEnv holds references and pointers only; everything must outlive the flows.
// Thread safety: the parts are thread-safe; flows run on their own threads (runner.h).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "cleo/rest_api.h"
#include "cleo/transport.h"
#include "common/clock.h"
#include "common/retry.h"
#include "common/status.h"
#include "config/config.h"
#include "netsuite/client.h"
#include "store/relay.h"
#include "store/store.h"

namespace mlc::flows {

struct FlowEnv {
  const config::Config* config = nullptr;
  store::Store* store = nullptr;
  netsuite::Client* netsuite = nullptr;  // null: flows that need NetSuite fail their run
  // The partner's Cleo transport (owned by whoever supplies it). Errors: the transport could not
  // be built (a bad transport config, a missing password).
  std::function<Result<cleo::FileTransport*>(const config::PartnerConfig&)> transport;
  cleo::RestApi* cleo_api = nullptr;  // for partners that run a Cleo action after a drop
  const Clock* clock = &SystemClock::Get();
  std::string worker_id = "ml-connector";
  // Retry policy of the relay steps (retry_wait delays and attempts before parking).
  BackoffPolicy backoff{.initial = std::chrono::seconds(30),
                        .multiplier = 2.0,
                        .max_delay = std::chrono::minutes(30),
                        .max_attempts = 8,
                        .jitter = 0.2};
};

// The partner profile with this id, or null.
const config::PartnerConfig* FindPartner(const config::Config& config, std::string_view id);
// The partner whose netsuite_vendor_id is `vendor_id`, or null.
const config::PartnerConfig* PartnerForVendor(const config::Config& config,
                                              std::string_view vendor_id);
// True when `flow` is configured and enabled.
bool FlowEnabled(const config::Config& config, std::string_view flow);

// Relay options for one flow's steps: the worker id and backoff from `env`, the lease from the
// flow's config (`flows.<flow>.lease`; a killed worker's in_flight document is claimable again
// once its lease has expired).
store::RelayOptions RelayOptionsFor(const FlowEnv& env, std::string_view flow);

// For Relay::Drain: true once the run is asked to stop (SIGTERM), so the relay finishes the
// batch in flight and claims no more.
class RunContext;
std::function<bool()> Stopping(const RunContext& ctx);

// Adds a relay's stats to a run summary's counts.
struct RunSummary;
void AddRelayCounts(const store::RelayStats& stats, RunSummary& summary);

}  // namespace mlc::flows
