// FlowRunner: runs each registered flow on its own schedule, on its own thread, so that one
// slow or failing system (a Cleo outage) never holds up another flow (NetSuite polling).
//
// A flow run may also be triggered early (the NetSuite webhook, the console's run-now button):
// Trigger(name) wakes that flow's loop and it runs as soon as it is idle; triggers that arrive
// while it runs collapse into one more run. Stop() lets every run in flight finish (flows watch
// RunContext::stopping() at safe points) and joins the threads; nothing is interrupted midway.
//
// Several processes on one PostgreSQL store (SetIngestLock): a flow's ingest runs in one process
// at a time, its relay in all of them. A flow wraps its ingest in RunContext::Ingest; the runner
// then takes the store's named lock "ingest:<flow>" (store.h, NamedLock) for it, renews it while
// the ingest runs (every `renew_every`, so a slow first sync keeps it however long it takes) and
// releases it after. When another live process holds it, this cycle's ingest is skipped (counted
// as "ingest_skipped", logged at debug level) and the relay runs as usual. A holder that died
// without releasing blocks the others for at most the TTL; a holder on this host whose process
// no longer exists is taken over at once.
//
// Time comes from a Clock. With a FakeClock, tests advance the clock and call Kick() so the
// loops re-read it: no test waits on wall-clock sleeps for a schedule to fire.
//
// Thread safety: all public methods may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "flows/schedule.h"
#include "store/store.h"

namespace mlc::flows {

// Receives progress of long work: the phase ("polling purchase orders"), items done, and the
// total when known.
using ProgressFn =
    std::function<void(std::string_view what, int64_t done, std::optional<int64_t> total)>;

// What one run of a flow did, for the summary line, `status` and `run --once`.
struct RunSummary {
  std::map<std::string, int64_t> counts;  // e.g. {"read", 12}, {"sent", 3}, {"parked", 1}
  std::vector<std::string> notes;         // exceptions with reasons, warnings
};

// Runs a flow's ingest under whatever exclusion applies; see RunContext::Ingest.
using IngestGate = std::function<Status(RunSummary& summary, const std::function<Status()>& ingest)>;

class RunContext {
 public:
  explicit RunContext(const std::atomic<bool>* stop, ProgressFn progress = nullptr,
                      IngestGate gate = nullptr)
      : stop_(stop), progress_(std::move(progress)), gate_(std::move(gate)) {}
  // True once shutdown was asked for: finish the current item, commit, and return.
  bool stopping() const { return stop_->load(); }
  // Reports progress of long work (a first sync, a backfill) for a person watching `run --once`
  // on a terminal; a no-op otherwise. Cheap: call it per item.
  void Progress(std::string_view what, int64_t done,
                std::optional<int64_t> total = std::nullopt) const {
    if (progress_) progress_(what, done, total);
  }
  // Runs the flow's ingest (`ingest`: read the source, record what it found) unless another
  // process holds this flow's ingest lock: then it is skipped, summary.counts["ingest_skipped"]
  // is 1, and OK is returned so the flow goes on with its relay. Returns the ingest's own error,
  // or the store's when the lock cannot be read. Without a runner (tests) it just runs `ingest`.
  Status Ingest(RunSummary& summary, const std::function<Status()>& ingest) const {
    return gate_ ? gate_(summary, ingest) : ingest();
  }

 private:
  const std::atomic<bool>* stop_;
  ProgressFn progress_;
  IngestGate gate_;
};

class Flow {
 public:
  virtual ~Flow() = default;
  virtual std::string name() const = 0;
  // One run. Errors are for failures of the run as a whole (the store is unreachable); per
  // document problems are parked documents and counted in the summary.
  virtual Result<RunSummary> Run(RunContext& ctx) = 0;
};

struct FlowStatus {
  std::string name;
  std::string schedule;
  int64_t runs = 0;
  int64_t failures = 0;
  bool running = false;
  int64_t ingest_skipped = 0;  // runs whose ingest another process held (SetIngestLock)
  std::optional<Instant> last_start, last_end, next_due;
  Status last_status;
  RunSummary last_summary;
};

// Cross-process exclusion of each flow's ingest (see the header comment).
struct IngestLockOptions {
  store::Store* store = nullptr;  // null: no lock (the default; one process)
  std::string owner;              // this process, unique among those sharing the store: "host:pid"
  // The hold lasts `ttl` past its last renewal; renewals every `renew_every` while the ingest
  // runs. The TTL only matters when a holder dies: the others wait that long (at most) for it.
  std::chrono::milliseconds ttl{std::chrono::minutes(2)};
  std::chrono::milliseconds renew_every{std::chrono::seconds(20)};
};

class FlowRunner {
 public:
  FlowRunner(const Clock& clock, std::unique_ptr<TimeZone> zone);
  ~FlowRunner();
  FlowRunner(const FlowRunner&) = delete;
  FlowRunner& operator=(const FlowRunner&) = delete;

  // Before Start() only. The first scheduled run is the schedule's first time after Start()
  // (run_at_start = true runs once immediately as well).
  void Add(std::unique_ptr<Flow> flow, Schedule schedule, bool run_at_start = false);

  // Before Start() or RunAllOnce() only. `options.store` must outlive the runner.
  void SetIngestLock(IngestLockOptions options);

  void Start();
  // Asks every loop to stop after its current run and joins them. Idempotent.
  void Stop();
  // Wakes the loops to re-read the clock (after a FakeClock advance, a config reload).
  void Kick();
  // Runs `name` as soon as it is idle. NOT_FOUND for an unknown flow.
  Status Trigger(const std::string& name);

  // Runs every flow once, one after the other, on the caller's thread (for `run --once`). Not
  // while started. `progress` (optional) receives each flow's RunContext::Progress reports with
  // the phase prefixed by the flow's name ("po_outbound: polling purchase orders").
  std::vector<std::pair<std::string, Result<RunSummary>>> RunAllOnce(ProgressFn progress = nullptr);

  std::vector<FlowStatus> status() const;
  // Blocks until `name` has completed at least `runs` runs or `timeout` passes (for tests and
  // `run --once` style waits); returns whether it got there.
  bool WaitForRuns(const std::string& name, int64_t runs, std::chrono::milliseconds timeout) const;

 private:
  struct Entry {
    std::unique_ptr<Flow> flow;
    Schedule schedule;
    bool run_at_start = false;
    bool triggered = false;
    FlowStatus status;
    std::thread thread;
  };
  void Loop(Entry& e);
  RunContext MakeContext(Entry& e, ProgressFn progress);
  Status GuardedIngest(Entry& e, RunSummary& summary, const std::function<Status()>& ingest);
  void RecordRun(Entry& e, Instant start, Result<RunSummary>&& r);

  const Clock& clock_;
  std::unique_ptr<TimeZone> zone_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  bool started_ = false;
  IngestLockOptions ingest_lock_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace mlc::flows
