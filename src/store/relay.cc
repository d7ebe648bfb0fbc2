#include "store/relay.h"

#include "common/log.h"

namespace mlc::store {

Result<std::string> StepContext::Payload(std::string_view kind, std::string_view step) {
  ASSIGN_OR_RETURN(auto p,
                   store_.GetPayload(lease_.document_id, step.empty() ? doc_.step : step, kind));
  return std::move(p.data);
}

Relay::Relay(Store& store, RelayOptions options) : store_(store), options_(std::move(options)) {}

void Relay::AddStep(std::string step, StepHandler& handler, std::string next_step) {
  steps_[std::move(step)] = Registered{&handler, std::move(next_step)};
}

Result<RelayStats> Relay::RunOnce() {
  RelayStats stats;
  if (steps_.empty()) return stats;
  ClaimRequest req;
  req.worker_id = options_.worker_id;
  req.flows = options_.flows;
  req.limit = options_.batch;
  req.lease_duration = options_.lease_duration;
  for (const auto& [step, r] : steps_) req.steps.push_back(step);
  ASSIGN_OR_RETURN(std::vector<Claimed> claimed, store_.Claim(req));
  stats.claimed = static_cast<int>(claimed.size());
  for (const Claimed& c : claimed) {
    if (options_.fault_hook) options_.fault_hook("claimed", c.document);
    RETURN_IF_ERROR(RunOne(c, stats));
  }
  return stats;
}

Result<RelayStats> Relay::Drain(int max_rounds, const std::function<bool()>& stop) {
  RelayStats total;
  for (int i = 0; i < max_rounds; ++i) {
    if (stop && stop()) break;
    ASSIGN_OR_RETURN(RelayStats s, RunOnce());
    total.claimed += s.claimed;
    total.completed += s.completed;
    total.retry_scheduled += s.retry_scheduled;
    total.parked += s.parked;
    total.delivered += s.delivered;
    total.requeued += s.requeued;
    total.lease_lost += s.lease_lost;
    if (s.claimed == 0) break;
  }
  return total;
}

Status Relay::RunOne(const Claimed& c, RelayStats& stats) {
  const Document& doc = c.document;
  auto it = steps_.find(doc.step);
  // Claim asked only for registered steps.
  if (it == steps_.end()) return InternalError("claimed document {} at unknown step", doc.id);
  const Registered& reg = it->second;
  StepContext ctx(store_, c.lease, doc);
  Result<StepOutcome> out = reg.handler->Run(doc, ctx);
  if (options_.fault_hook) options_.fault_hook("ran", doc);
  const LogFields fields = {{"document", doc.id},
                            {"flow", doc.flow},
                            {"step", doc.step},
                            {"partner", doc.partner},
                            {"attempt", doc.attempts}};
  Status recorded;
  if (out.ok()) {
    Completion done;
    done.next_step = out->next_step.value_or(reg.next_step);
    done.outputs = std::move(out->outputs);
    done.audit = std::move(out->audit);
    recorded = store_.Complete(c.lease, done);
    if (recorded.ok()) ++stats.completed;
  } else {
    FailPolicy policy;
    policy.backoff = options_.backoff;
    policy.next_step_if_delivered = reg.next_step;
    Result<FailOutcome> f = store_.Fail(c.lease, out.error(), policy);
    recorded = f.status();
    if (f.ok()) {
      LogFields with_error = fields;
      with_error.emplace_back("error", out.error().ToString());
      switch (*f) {
        case FailOutcome::kRetryScheduled:
          ++stats.retry_scheduled;
          LogWarn("step failed, will retry", with_error);
          break;
        case FailOutcome::kParked:
          ++stats.parked;
          LogError("step failed, document parked", with_error);
          break;
        case FailOutcome::kDelivered:
          ++stats.delivered;
          break;
        case FailOutcome::kRequeued:
          ++stats.requeued;
          break;
      }
    }
  }
  if (recorded.code() == StatusCode::kAborted) {
    // Another worker reclaimed the document after our lease expired; its run records the
    // outcome. Our side effect was idempotent, so nothing is lost or doubled.
    ++stats.lease_lost;
    LogWarn("lease lost before the outcome was recorded", fields);
    return Status::Ok();
  }
  RETURN_IF_ERROR(
      recorded.WithContext(fmt::format("recording step {} of document {}", doc.step, doc.id)));
  if (options_.fault_hook) options_.fault_hook("recorded", doc);
  return Status::Ok();
}

}  // namespace mlc::store
