// The relay: claims due documents, runs the step handler registered for each document's step,
// and records the outcome (Complete, or Fail with its retry class) in the store.
//
//   Relay relay(store, clock, {.worker_id = "host-1:4711"});
//   relay.AddStep("send", send_handler, "await_997");   // after "send", the document waits
//   relay.AddStep("await_997", ack_handler, "");        // "" = done
//   Result<RelayStats> s = relay.RunOnce();              // one claim batch
//
// A handler performs the step's side effect idempotently (DESIGN.md: idempotency keys make
// redelivery harmless) and returns what to store; it may be run again for the same document after
// a crash, and may find its own earlier result: returning ALREADY_EXISTS then counts as delivered.
// The relay never throws and never retries in-process: retry_wait and parking are the store's.
//
// Ownership: the Relay keeps references to the store, clock and handlers, which must outlive it.
// Thread safety: one Relay per thread; several relays (threads or processes) may share a store.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/retry.h"
#include "common/status.h"
#include "store/store.h"

namespace mlc::store {

// What a handler may use while it runs one step of one document.
class StepContext {
 public:
  StepContext(Store& store, const Lease& lease, const Document& doc)
      : store_(store), lease_(lease), doc_(doc) {}

  Store& store() { return store_; }
  const Lease& lease() const { return lease_; }
  // A stored payload of this document; `step` defaults to the current step.
  Result<std::string> Payload(std::string_view kind, std::string_view step = "");

 private:
  Store& store_;
  const Lease& lease_;
  const Document& doc_;
};

struct StepOutcome {
  // Unset: the next step registered with AddStep. Set to "": done.
  std::optional<std::string> next_step{};
  std::vector<PayloadIn> outputs{};    // step defaults to the current step
  std::vector<NewAuditEvent> audit{};  // e.g. {"sent", ..., "dropped ACME_850_000000042.x12"}
};

class StepHandler {
 public:
  virtual ~StepHandler() = default;
  // Performs the step. Errors carry their retry class (status.h); ALREADY_EXISTS = delivered.
  virtual Result<StepOutcome> Run(const Document& doc, StepContext& ctx) = 0;
};

struct RelayOptions {
  std::string worker_id;
  std::vector<std::string> flows{};  // claim only these flows; empty: all
  int batch = 10;
  std::chrono::milliseconds lease_duration{std::chrono::minutes(5)};
  BackoffPolicy backoff{};
  // Test hook for crash tests: called at "claimed" (after the claim committed), "ran" (the
  // handler returned) and "recorded" (the outcome committed), with the document.
  std::function<void(std::string_view point, const Document& doc)> fault_hook{};
};

struct RelayStats {
  int claimed = 0;
  int completed = 0;
  int retry_scheduled = 0;
  int parked = 0;
  int delivered = 0;
  int requeued = 0;
  int lease_lost = 0;  // finished after the lease was taken over: outcome dropped
};

class Relay {
 public:
  Relay(Store& store, RelayOptions options);

  // Registers the handler of `step`; `next_step` is where a document goes after it ("": done).
  void AddStep(std::string step, StepHandler& handler, std::string next_step);

  // Claims one batch of due documents at the registered steps and runs each. Errors: only when
  // the store itself fails (claiming or recording); a handler's error is the document's.
  Result<RelayStats> RunOnce();
  // RunOnce until a claim comes back empty (or `max_rounds`, or `stop` returns true: it is asked
  // before each batch, so a shutdown finishes the batch in flight and claims no more). Sums the
  // stats.
  Result<RelayStats> Drain(int max_rounds = 1000000, const std::function<bool()>& stop = {});

 private:
  struct Registered {
    StepHandler* handler;
    std::string next_step;
  };

  Status RunOne(const Claimed& c, RelayStats& stats);

  Store& store_;
  RelayOptions options_;
  std::map<std::string, Registered, std::less<>> steps_;
};

}  // namespace mlc::store
