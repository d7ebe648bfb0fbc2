#include "flows/runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace mlc::flows {

FlowRunner::FlowRunner(const Clock& clock, std::unique_ptr<TimeZone> zone)
    : clock_(clock), zone_(std::move(zone)) {}

FlowRunner::~FlowRunner() { Stop(); }

void FlowRunner::Add(std::unique_ptr<Flow> flow, Schedule schedule, bool run_at_start) {
  std::lock_guard lock(mu_);
  auto e = std::make_unique<Entry>();
  e->status.name = flow->name();
  e->status.schedule = schedule.spec();
  e->flow = std::move(flow);
  e->schedule = std::move(schedule);
  e->run_at_start = run_at_start;
  entries_.push_back(std::move(e));
}

void FlowRunner::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  stop_ = false;
  const Instant now = clock_.Now();
  for (auto& e : entries_) {
    e->status.next_due = e->run_at_start ? std::optional<Instant>(now)
                                         : e->schedule.Next(now, *zone_);
    e->thread = std::thread([this, entry = e.get()] { Loop(*entry); });
  }
}

void FlowRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_) return;
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& e : entries_) {
    if (e->thread.joinable()) e->thread.join();
  }
  std::lock_guard lock(mu_);
  started_ = false;
}

void FlowRunner::Kick() { cv_.notify_all(); }

Status FlowRunner::Trigger(const std::string& name) {
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const auto& e) { return e->status.name == name; });
    if (it == entries_.end()) return NotFoundError("no flow named '{}'", name);
    (*it)->triggered = true;
  }
  cv_.notify_all();
  return Status::Ok();
}

void FlowRunner::RecordRun(Entry& e, Instant start, Result<RunSummary>&& r) {
  // Caller holds mu_.
  e.status.runs++;
  e.status.last_start = start;
  e.status.last_end = clock_.Now();
  e.status.running = false;
  if (r.ok()) {
    e.status.last_status = Status::Ok();
    e.status.last_summary = std::move(r).value();
  } else {
    e.status.failures++;
    e.status.last_status = r.error();
    e.status.last_summary = RunSummary{};
  }
}

void FlowRunner::Loop(Entry& e) {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const Instant now = clock_.Now();
    const bool due = e.triggered || (e.status.next_due && *e.status.next_due <= now);
    if (!due) {
      // Wake at the due time (real clock), on Kick/Trigger/Stop, or at least every second so a
      // changed wall clock is noticed.
      auto wait = std::chrono::milliseconds(1000);
      if (e.status.next_due) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*e.status.next_due - now);
        wait = std::clamp(until, std::chrono::milliseconds(1), wait);
      }
      cv_.wait_for(lock, wait);
      continue;
    }
    e.triggered = false;
    e.status.running = true;
    const Instant start = now;
    lock.unlock();
    RunContext ctx(&stop_);
    Result<RunSummary> r = e.flow->Run(ctx);
    if (!r.ok()) {
      spdlog::warn("flow run failed flow={} error=\"{}\"", e.status.name, r.error().ToString());
    }
    lock.lock();
    RecordRun(e, start, std::move(r));
    e.status.next_due = e.schedule.Next(e.schedule.is_interval() ? *e.status.last_end : start,
                                        *zone_);
    cv_.notify_all();
  }
}

std::vector<std::pair<std::string, Result<RunSummary>>> FlowRunner::RunAllOnce(
    ProgressFn progress) {
  std::vector<std::pair<std::string, Result<RunSummary>>> out;
  for (auto& e : entries_) {
    ProgressFn prefixed;
    if (progress) {
      prefixed = [&progress, name = e->status.name](std::string_view what, int64_t done,
                                                     std::optional<int64_t> total) {
        progress(name + ": " + std::string(what), done, total);
      };
    }
    RunContext ctx(&stop_, std::move(prefixed));
    const Instant start = clock_.Now();
    Result<RunSummary> r = e->flow->Run(ctx);
    {
      std::lock_guard lock(mu_);
      Result<RunSummary> copy = r;
      RecordRun(*e, start, std::move(copy));
    }
    out.emplace_back(e->status.name, std::move(r));
  }
  return out;
}

std::vector<FlowStatus> FlowRunner::status() const {
  std::lock_guard lock(mu_);
  std::vector<FlowStatus> out;
  for (const auto& e : entries_) out.push_back(e->status);
  return out;
}

bool FlowRunner::WaitForRuns(const std::string& name, int64_t runs,
                             std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    for (const auto& e : entries_) {
      if (e->status.name == name) return e->status.runs >= runs;
    }
    return false;
  });
}

}  // namespace mlc::flows
