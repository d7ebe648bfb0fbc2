// netsuite_read_figures: how many HTTP requests, and how long, the client needs to read N
// purchase orders with M lines each from the sandbox, two ways:
//   suiteql  keyset pages of 1000 over the headers, then keyset pages over the lines (join)
//   record   keyset pages over the headers for the ids, then one GET ?expandSubResources=true
//            per PO, `concurrency` at a time
// Usage: netsuite_read_figures [N=1000] [M=5] [latency_ms=150] [concurrency=5] [record=1]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "common/log.h"
#include "tests/netsuite_sandbox/sandbox_fixture.h"

using namespace mlc;
using namespace mlc::netsuite;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int m = argc > 2 ? std::atoi(argv[2]) : 5;
  const int latency = argc > 3 ? std::atoi(argv[3]) : 150;
  const int concurrency = argc > 4 ? std::atoi(argv[4]) : 5;
  const bool record = argc > 5 ? std::atoi(argv[5]) != 0 : true;
  LogOptions log_options;
  log_options.level = LogLevel::kWarn;
  InitLogging(log_options).IgnoreError();
  sandbox::netsuite::SandboxOptions o;
  o.seed.purchase_orders = n;
  o.seed.max_lines = m;
  o.seed.exact_lines = true;
  o.seed.items = 300;
  o.concurrency_limit = concurrency;
  o.faults.latency = std::chrono::milliseconds(latency);
  ClientOptions co;
  co.concurrency_limit = concurrency;
  auto t0 = std::chrono::steady_clock::now();
  auto rig = testing::MakeRig(o, co);
  auto seeded = std::chrono::steady_clock::now();
  std::printf("sandbox: %d POs x %d lines seeded in %.1f s; latency %d ms, concurrency limit %d\n",
              n, m, std::chrono::duration<double>(seeded - t0).count(), latency, concurrency);

  auto headers = [] {
    KeysetQuery q;
    q.select_from = SuiteQl(
        "SELECT t.id AS id, TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS') AS lm, t.tranid, "
        "t.status, t.entity, t.trandate, t.currency, t.foreigntotal FROM transaction t");
    q.where = SuiteQl("t.type = ?").Bind("PurchOrd");
    q.first = {"TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS')", "lm", false};
    q.second = {"t.id", "id", true};
    return q;
  };
  // --- SuiteQL only ---
  auto before = rig->client->stats().requests;
  auto start = std::chrono::steady_clock::now();
  int64_t header_rows = 0, line_rows = 0;
  auto h = rig->client->QueryKeyset(headers(), std::nullopt, [&](const Row&) {
    ++header_rows;
    return Status::Ok();
  });
  KeysetQuery lines;
  lines.select_from = SuiteQl(
      "SELECT tl.transaction AS po, tl.id AS line, tl.item, tl.quantity, tl.rate, "
      "tl.quantityshiprecv, tl.quantitybilled FROM transactionline tl JOIN transaction t ON t.id "
      "= tl.transaction");
  lines.where = SuiteQl("t.type = ? AND tl.mainline = 'F'").Bind("PurchOrd");
  lines.first = {"tl.transaction", "po", true};
  lines.second = {"tl.id", "line", true};
  auto l = rig->client->QueryKeyset(lines, std::nullopt, [&](const Row&) {
    ++line_rows;
    return Status::Ok();
  });
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!h.ok() || !l.ok()) {
    std::fprintf(stderr, "suiteql read failed: %s %s\n", h.status().ToString().c_str(),
                 l.status().ToString().c_str());
    return 1;
  }
  std::printf("suiteql: %lld headers + %lld lines in %lld requests (+%lld token), %.2f s\n",
              static_cast<long long>(header_rows), static_cast<long long>(line_rows),
              static_cast<long long>(rig->client->stats().requests - before),
              static_cast<long long>(rig->oauth().stats().fetches), secs);
  if (!record) return 0;
  // --- Record API per PO ---
  before = rig->client->stats().requests;
  start = std::chrono::steady_clock::now();
  std::vector<std::string> ids;
  auto ok = rig->client->QueryKeyset(headers(), std::nullopt, [&](const Row& r) {
    ids.push_back(*r.Get("id"));
    return Status::Ok();
  });
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      for (size_t i; (i = next++) < ids.size();) {
        if (!rig->client->GetRecord("purchaseOrder", ids[i]).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("record:  %zu POs in %lld requests, %.2f s (%d failures)%s\n", ids.size(),
              static_cast<long long>(rig->client->stats().requests - before), secs,
              failures.load(), ok.ok() ? "" : " (id listing failed)");
  auto st = rig->sandbox->stats();
  std::printf("sandbox: max in flight %d (limit %d), 429s %lld\n", st.max_in_flight, concurrency,
              static_cast<long long>(st.rejected_concurrency));
  return 0;
}
