// store_crash_worker: a relay process for the crash test. It runs two steps per document against
// an idempotent fake sink and can SIGKILL itself at a chosen fault point.
//
//   store_crash_worker STORE_URL SINK_DB WORKER_ID [LEASE_MS]
//   MLC_CRASH_AT=point:N   kill -9 this process the Nth time `point` is reached, where point is
//                          claimed | before_side_effect | after_side_effect | ran | recorded
//
// The sink is a SQLite file, separate from the store (like NetSuite or Cleo are): table
// deliveries(key, worker) has NO unique constraint, so a step performed twice would show as two
// rows; the step itself is idempotent the way the real ones are (look the key up first, in the
// same sink transaction, and answer ALREADY_EXISTS when found). attempts(key, n) counts every
// try. Exit: 0 when every document is done, 3 on timeout, 1 on a store error.
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "store/relay.h"
#include "store/store.h"

namespace {

using mlc::Result;
using mlc::Status;
using mlc::store::Document;
using mlc::store::StepContext;
using mlc::store::StepOutcome;

std::string g_crash_point;
int g_crash_countdown = 0;

void MaybeCrash(std::string_view point) {
  if (g_crash_point != point) return;
  if (--g_crash_countdown == 0) {
    std::fprintf(stderr, "worker %d: kill -9 at %s\n", getpid(), g_crash_point.c_str());
    ::kill(::getpid(), SIGKILL);
  }
}

class Sink {
 public:
  explicit Sink(const std::string& path) {
    sqlite3_open(path.c_str(), &db_);
    sqlite3_busy_timeout(db_, 10000);
    Exec("PRAGMA journal_mode=WAL");
    Exec("CREATE TABLE IF NOT EXISTS deliveries (key TEXT NOT NULL, worker TEXT NOT NULL)");
    Exec("CREATE TABLE IF NOT EXISTS attempts (key TEXT PRIMARY KEY, n INTEGER NOT NULL)");
  }
  ~Sink() { sqlite3_close(db_); }

  // Delivers `key` once: ALREADY_EXISTS when an earlier run already did.
  Status Deliver(const std::string& key, const std::string& worker) {
    if (!Exec("BEGIN IMMEDIATE")) return mlc::UnavailableError("sink busy");
    Exec("INSERT INTO attempts (key, n) VALUES ('" + key +
         "', 1) ON CONFLICT (key) DO UPDATE "
         "SET n = n + 1");
    bool found = Count("SELECT COUNT(*) FROM deliveries WHERE key = '" + key + "'") > 0;
    if (!found)
      Exec("INSERT INTO deliveries (key, worker) VALUES ('" + key + "', '" + worker + "')");
    if (!Exec("COMMIT")) {
      Exec("ROLLBACK");
      return mlc::UnavailableError("sink commit failed");
    }
    if (found) return mlc::AlreadyExistsError("{} was delivered before", key);
    return Status::Ok();
  }

 private:
  bool Exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  int64_t Count(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return n;
  }
  sqlite3* db_ = nullptr;
};

class DeliverStep : public mlc::store::StepHandler {
 public:
  DeliverStep(Sink& sink, std::string worker) : sink_(sink), worker_(std::move(worker)) {}
  Result<StepOutcome> Run(const Document& doc, StepContext& ctx) override {
    ASSIGN_OR_RETURN(std::string input, ctx.Payload("input", "deliver"));
    MaybeCrash("before_side_effect");
    Status s = sink_.Deliver(doc.idempotency_key + "/" + doc.step, worker_);
    MaybeCrash("after_side_effect");
    if (!s.ok()) return s;
    StepOutcome out;
    out.audit.push_back({"sent", "", "", doc.idempotency_key + "/" + doc.step, Status::Ok()});
    out.outputs.push_back({"", "output", "text/plain", "receipt for " + input});
    return out;
  }

 private:
  Sink& sink_;
  std::string worker_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s STORE_URL SINK_DB WORKER_ID [LEASE_MS]\n", argv[0]);
    return 2;
  }
  if (const char* at = std::getenv("MLC_CRASH_AT"); at != nullptr && *at != '\0') {
    std::string spec = at;
    size_t colon = spec.find(':');
    g_crash_point = spec.substr(0, colon);
    g_crash_countdown = colon == std::string::npos ? 1 : std::atoi(spec.c_str() + colon + 1);
  }
  const std::string worker = argv[3];
  const int lease_ms = argc > 4 ? std::atoi(argv[4]) : 400;
  auto store = mlc::store::OpenStore(argv[1], mlc::SystemClock::Get(), {.pool_size = 2});
  if (!store.ok()) {
    std::fprintf(stderr, "worker: %s\n", store.error().ToString().c_str());
    return 1;
  }
  Sink sink(argv[2]);
  DeliverStep deliver(sink, worker);
  mlc::store::RelayOptions opts;
  opts.worker_id = worker;
  opts.batch = 3;
  opts.lease_duration = std::chrono::milliseconds(lease_ms);
  opts.backoff.initial = std::chrono::milliseconds(10);
  opts.backoff.max_attempts = 1000;  // crashes count as attempts; never park in this test
  opts.fault_hook = [](std::string_view point, const Document&) { MaybeCrash(point); };
  mlc::store::Relay relay(**store, opts);
  relay.AddStep("deliver", deliver, "confirm");
  relay.AddStep("confirm", deliver, "");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = relay.RunOnce();
    if (!s.ok()) {
      std::fprintf(stderr, "worker: %s\n", s.error().ToString().c_str());
      return 1;
    }
    if (s->claimed > 0) continue;
    // Nothing due: finished, or waiting for a dead worker's lease to expire.
    auto open = (*store)->ListDocuments({.state = std::nullopt, .limit = 100000});
    if (!open.ok()) return 1;
    bool all_done = true;
    for (const auto& d : *open) all_done = all_done && d.state == mlc::store::DocState::kDone;
    if (all_done) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 3;
}
