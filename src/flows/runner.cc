#include "flows/runner.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <charconv>

#include "common/civil_time.h"

namespace mlc::flows {
namespace {

// "host:pid" -> {host, pid}; pid 0 when `owner` is not of that form.
std::pair<std::string_view, pid_t> SplitOwner(std::string_view owner) {
  const auto colon = owner.rfind(':');
  if (colon == std::string_view::npos) return {owner, 0};
  pid_t pid = 0;
  const std::string_view digits = owner.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc() || end != digits.data() + digits.size() || pid <= 0) return {owner, 0};
  return {owner.substr(0, colon), pid};
}

// True when `holder` names a process of our host ("host:pid", the same host as `self`) that no
// longer exists. Conservative: anything else (another host, a reused pid) counts as alive.
bool HolderIsDeadHere(std::string_view holder, std::string_view self) {
  const auto [host, pid] = SplitOwner(holder);
  const auto [self_host, self_pid] = SplitOwner(self);
  if (pid == 0 || self_pid == 0 || host != self_host || pid == self_pid) return false;
  return kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace

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

void FlowRunner::SetIngestLock(IngestLockOptions options) {
  std::lock_guard lock(mu_);
  ingest_lock_ = std::move(options);
}

RunContext FlowRunner::MakeContext(Entry& e, ProgressFn progress) {
  return RunContext(&stop_, std::move(progress),
                    [this, &e](RunSummary& summary, const std::function<Status()>& ingest) {
                      return GuardedIngest(e, summary, ingest);
                    });
}

Status FlowRunner::GuardedIngest(Entry& e, RunSummary& summary,
                                 const std::function<Status()>& ingest) {
  // Set before Start/RunAllOnce and never changed while flows run: read without mu_.
  const IngestLockOptions& o = ingest_lock_;
  if (o.store == nullptr) return ingest();
  const std::string name = "ingest:" + e.status.name;
  ASSIGN_OR_RETURN(store::LockAttempt a, o.store->AcquireLock(name, o.owner, o.ttl));
  if (!a.acquired && HolderIsDeadHere(a.lock.owner, o.owner)) {
    spdlog::warn("taking over an ingest lock from a process that no longer exists flow={} "
                 "holder={}",
                 e.status.name, a.lock.owner);
    ASSIGN_OR_RETURN(a, o.store->TakeOverLock(a.lock, o.owner, o.ttl));
  }
  if (!a.acquired) {
    // The normal state of every process but one: quiet, and counted.
    summary.counts["ingest_skipped"] += 1;
    {
      std::lock_guard lock(mu_);
      ++e.status.ingest_skipped;
    }
    spdlog::debug("ingest skipped: another process holds the flow's ingest lock flow={} "
                  "holder={} until={}",
                  e.status.name, a.lock.owner, FormatIso8601(a.lock.expires_at));
    return Status::Ok();
  }
  // Renew while the ingest runs, so the hold outlives an ingest of any length.
  store::NamedLock held = a.lock;
  std::mutex renew_mu;
  std::condition_variable renew_cv;
  bool done = false;
  std::thread renewer([&] {
    std::unique_lock lock(renew_mu);
    while (!renew_cv.wait_for(lock, o.renew_every, [&] { return done; })) {
      lock.unlock();
      Status s = o.store->RenewLock(held, o.ttl);
      lock.lock();
      if (s.code() == StatusCode::kAborted) {
        spdlog::warn("lost the ingest lock while ingesting flow={} error=\"{}\"", e.status.name,
                     s.ToString());
        return;
      }
      if (!s.ok()) {
        spdlog::warn("could not renew the ingest lock; retrying flow={} error=\"{}\"",
                     e.status.name, s.ToString());
      }
    }
  });
  Status result = ingest();
  {
    std::lock_guard lock(renew_mu);
    done = true;
  }
  renew_cv.notify_all();
  renewer.join();
  if (Status r = o.store->ReleaseLock(held); !r.ok()) {
    // It expires by itself after the TTL.
    spdlog::warn("could not release the ingest lock flow={} error=\"{}\"", e.status.name,
                 r.ToString());
  }
  return result;
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
    RunContext ctx = MakeContext(e, nullptr);
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
    RunContext ctx = MakeContext(*e, std::move(prefixed));
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
