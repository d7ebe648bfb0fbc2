// The flows under failed calls, and replay of a parked exception (issue 7: "survives crashes and
// failed calls without loss or duplicates").
//
// FailedCallsChangeNothingTheBusinessSees runs the same cycle twice from the same seed: once
// against a healthy NetSuite sandbox, once with 503s before processing, connections dropped AFTER
// processing (the client cannot know whether its write happened) and latency on every request,
// with the client retrying briefly (no real sleeping) and the relay's retry_wait due at once. The
// faulty world must end exactly like the healthy one: the same bills (each externalId once), the
// same parked exceptions with the same reasons, the same mailbox files (each PO's 850 once),
// nothing left pending, in flight or waiting.
//
// ReplayedExceptionBillsOnceAndOnlyOnce: a parked ACME price variance, the tolerance raised in
// the config, the document replayed by "test": one bill; a second replay is refused and bills
// nothing.
//
// TheFlowsLeaseComesFromTheConfig: flows.<name>.lease reaches the relay.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "tests/flows_sandbox/flows_world.h"

namespace mlc::flows {
namespace {

using testing::FlowsWorld;
using testing::Outcome;
using testing::WorldOptions;

// Runs every flow until a run succeeds in full and no document is pending, in flight or waiting
// for a retry (at most `max_runs` runs). Returns the runs it took.
int Settle(FlowsWorld& w, int& failed_runs, int max_runs = 15) {
  for (int run = 1; run <= max_runs; ++run) {
    int failed = 0;
    w.RunFlows(&failed);
    failed_runs += failed;
    if (failed == 0 && w.Unsettled() == 0) return run;
  }
  ADD_FAILURE() << "not settled after " << max_runs << " runs: " << w.Unsettled()
                << " documents unsettled\n"
                << w.Notes();
  return max_runs;
}

// The cycle of the main flows test: POs out, then four rounds of partners answering and the
// warehouse receiving, each followed by runs of every flow until everything settled. The
// warehouse is not under test: the faults are off while it posts its receipts.
void RunCycle(FlowsWorld& w, const sandbox::netsuite::Faults& faults, int& failed_runs) {
  Settle(w, failed_runs);
  for (int round = 0; round < 4; ++round) {
    auto step = sandbox::partners::Step(w.root_, w.profiles_);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    w.rig_->sandbox->SetFaults({});
    w.ReceiveSentOrders();
    w.rig_->sandbox->SetFaults(faults);
    Settle(w, failed_runs);
  }
}

std::string Show(const std::map<std::string, int>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += fmt::format("  {} x{}\n", k, v);
  return s;
}

std::string Show(const std::set<std::string>& m) {
  std::string s;
  for (const auto& k : m) s += "  " + k + "\n";
  return s;
}

TEST(FlowsFaultsTest, FailedCallsChangeNothingTheBusinessSees) {
  // The healthy world: what the business should see.
  FlowsWorld healthy;
  healthy.Init();
  if (::testing::Test::HasFatalFailure()) return;
  int healthy_failed = 0;
  RunCycle(healthy, {}, healthy_failed);
  EXPECT_EQ(healthy_failed, 0) << healthy.Notes();
  const Outcome want = healthy.Collect();
  ASSERT_FALSE(want.bills.empty());
  ASSERT_FALSE(want.parked.empty());
  ASSERT_FALSE(want.po_850s.empty());

  // The faulty world: the same seed, NetSuite failing all the time.
  sandbox::netsuite::Faults faults;
  faults.error_rate = 0.15;  // 503 before processing
  faults.drop_rate = 0.3;    // the connection dropped after processing
  faults.latency = std::chrono::milliseconds(1);
  WorldOptions o;
  o.faults = faults;
  o.client.retry = {.initial = std::chrono::milliseconds(1),
                    .multiplier = 1.0,
                    .max_delay = std::chrono::milliseconds(1),
                    .max_attempts = 3,
                    .jitter = 0};
  o.client.sleeper = [](std::chrono::milliseconds) {};  // retry at once
  // retry_wait documents are due at once; enough attempts that none is parked for the faults.
  o.backoff = BackoffPolicy{.initial = std::chrono::milliseconds(0),
                            .multiplier = 1.0,
                            .max_delay = std::chrono::milliseconds(0),
                            .max_attempts = 40,
                            .jitter = 0};
  FlowsWorld faulty;
  faulty.Init(o);
  if (::testing::Test::HasFatalFailure()) return;
  int faulty_failed = 0;
  RunCycle(faulty, faults, faulty_failed);
  faulty.rig_->sandbox->SetFaults({});
  const Outcome got = faulty.Collect();

  // The faults really happened, and the flows really retried.
  const auto stats = faulty.rig_->sandbox->stats();
  const auto client = faulty.rig_->client->stats();
  int64_t retry_scheduled = 0;
  int64_t bills_found = 0;  // bill creates retried after a lost answer
  store::DocumentQuery all;
  all.limit = 100000;
  auto docs = faulty.store_->ListDocuments(all);
  ASSERT_TRUE(docs.ok());
  for (const auto& d : *docs) {
    store::AuditQuery q;
    q.document_id = d.id;
    auto events = faulty.store_->QueryAudit(q);
    ASSERT_TRUE(events.ok());
    for (const auto& e : *events) {
      retry_scheduled += e.retry_class == "retriable" ? 1 : 0;
      // A bill step whose earlier answer was lost found its bill instead of making a second.
      bills_found += e.detail.find("vendor bill") != std::string::npos &&
                             (e.detail.find("already existed") != std::string::npos ||
                              e.detail.find("found after a lost answer") != std::string::npos)
                         ? 1
                         : 0;
    }
  }
  std::cout << fmt::format(
      "faults: {} requests, {} 503s, {} dropped after processing; client retries {}, "
      "ambiguous writes resolved {}; bills found on a retry {}; step failures retried by the relay "
      "{}; failed flow runs {}\n",
      stats.requests, stats.injected_errors, stats.dropped, client.retries, client.ambiguous_writes,
      bills_found, retry_scheduled, faulty_failed);
  EXPECT_GT(stats.injected_errors, 0);
  EXPECT_GT(stats.dropped, 0);
  EXPECT_GT(client.retries, 0);
  EXPECT_GT(retry_scheduled + faulty_failed, 0) << "no failure reached the relay or the run";

  // The same business outcome.
  EXPECT_EQ(got.bills, want.bills) << "faulty:\n"
                                   << Show(got.bills) << "healthy:\n"
                                   << Show(want.bills);
  for (const auto& [external_id, n] : got.bills) EXPECT_EQ(n, 1) << external_id;
  EXPECT_EQ(got.parked, want.parked) << "faulty:\n"
                                     << Show(got.parked) << "healthy:\n"
                                     << Show(want.parked);
  EXPECT_EQ(got.po_850s, want.po_850s);
  for (const auto& [po, n] : got.po_850s) EXPECT_EQ(n, 1) << "850 files for " << po;
  EXPECT_EQ(got.files, want.files) << "faulty:\n"
                                   << Show(got.files) << "healthy:\n"
                                   << Show(want.files);
  // No document lost: all done or parked, the same numbers as the healthy world.
  EXPECT_EQ(got.states, want.states) << Show(got.states);
  EXPECT_EQ(
      got.states.count("pending") + got.states.count("in_flight") + got.states.count("retry_wait"),
      0u);
}

// `flows.<name>.lease` is the lease of that flow's relay steps: how soon a killed worker's
// in_flight documents are claimable again (tests/e2e/kill_test relies on it).
TEST(FlowsFaultsTest, TheFlowsLeaseComesFromTheConfig) {
  auto loaded = config::LoadConfigText(
      testing::ReplaceAll(testing::kWorldConfig, "po_outbound: {schedule: every 5m}",
                          "po_outbound: {schedule: every 5m, lease: 2s}"),
      [](const std::string& name) -> std::optional<std::string> { return "secret-" + name; });
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  FlowEnv env;
  env.config = &loaded.config;
  EXPECT_EQ(RelayOptionsFor(env, kPoOutbound).lease_duration, std::chrono::seconds(2));
  EXPECT_EQ(RelayOptionsFor(env, kInvoiceInbound).lease_duration, std::chrono::minutes(5));
}

TEST(FlowsFaultsTest, ReplayedExceptionBillsOnceAndOnlyOnce) {
  FlowsWorld w;
  w.Init();
  if (::testing::Test::HasFatalFailure()) return;
  int failed = 0;
  RunCycle(w, {}, failed);
  ASSERT_EQ(failed, 0) << w.Notes();

  // ACME's price variance (2.5 % over the PO price, outside its 1 %): parked with the reason.
  store::DocumentQuery q;
  q.type = "810";
  q.partner = "ACME";
  q.state = store::DocState::kParked;
  q.limit = 1000;
  auto parked = w.store_->ListDocuments(q);
  ASSERT_TRUE(parked.ok());
  const store::Document* variance = nullptr;
  for (const auto& d : *parked) {
    if (d.last_error_message.find("differs from PO rate") != std::string::npos) {
      variance = &d;
      break;
    }
  }
  ASSERT_NE(variance, nullptr) << "no parked ACME price variance\n" << w.Notes();
  const int64_t id = variance->id;
  const auto bills_before = w.BillExternalIds();

  // A person accepts the supplier's price: ACME's tolerance goes to 5 %, and they replay it.
  config::PartnerConfig* acme = nullptr;
  for (auto& p : w.config_.partners) acme = p.id == "ACME" ? &p : acme;
  ASSERT_NE(acme, nullptr);
  acme->tolerances.price_percent = "5";
  ASSERT_TRUE(w.store_->Replay(id, "test", "price accepted: tolerance 5 %").ok());
  w.RunFlows();

  auto doc = w.store_->GetDocument(id);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->state, store::DocState::kDone) << doc->last_error_message;
  auto bills = w.BillExternalIds();
  ASSERT_EQ(bills.size(), bills_before.size() + 1) << Show(bills);
  std::string new_bill;
  for (const auto& [external_id, n] : bills) {
    EXPECT_EQ(n, 1) << external_id;
    if (!bills_before.count(external_id)) new_bill = external_id;
  }
  EXPECT_NE(new_bill.find("ACME"), std::string::npos) << new_bill;

  // Replaying a done document is refused, and the flows bill nothing more.
  Status again = w.store_->Replay(id, "test", "again");
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition) << again.ToString();
  w.RunFlows();
  EXPECT_EQ(w.BillExternalIds(), bills);

  // The audit trail says who replayed it, and that it was billed afterwards.
  store::AuditQuery aq;
  aq.document_id = id;
  auto events = w.store_->QueryAudit(aq);
  ASSERT_TRUE(events.ok());
  int replayed = 0;
  bool completed_after_replay = false;
  for (const auto& e : *events) {
    if (e.event == store::event::kReplayed) {
      ++replayed;
      EXPECT_EQ(e.actor, "test");
    } else if (replayed > 0 && e.event != store::event::kParked) {
      completed_after_replay = true;
    }
  }
  EXPECT_EQ(replayed, 1);
  EXPECT_TRUE(completed_after_replay);
}

}  // namespace
}  // namespace mlc::flows
