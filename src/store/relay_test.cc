// Relay tests on both backends.
#include "store/relay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "store/testing.h"

namespace mlc::store {
namespace {

using ::testing::ElementsAre;

class FnHandler : public StepHandler {
 public:
  using Fn = std::function<Result<StepOutcome>(const Document&, StepContext&)>;
  explicit FnHandler(Fn fn) : fn_(std::move(fn)) {}
  Result<StepOutcome> Run(const Document& d, StepContext& ctx) override {
    ++calls;
    return fn_(d, ctx);
  }
  int calls = 0;

 private:
  Fn fn_;
};

class RelayTest : public testing::BackendTest {
 protected:
  int64_t InsertOne(const std::string& key) {
    NewDocument d;
    d.idempotency_key = key;
    d.type = "850";
    d.partner = "ACME";
    d.step = "map";
    d.payloads.push_back({"map", "input", "application/json", "{\"tranId\":\"" + key + "\"}"});
    auto r = store_->Ingest({.flow = "po_outbound", .documents = {d}, .cursor = {}});
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? r->ids[0] : 0;
  }
  std::vector<std::string> Events(int64_t id) {
    std::vector<std::string> out;
    auto events = store_->QueryAudit({.document_id = id});
    EXPECT_TRUE(events.ok()) << events.error();
    for (const auto& e : *events) out.push_back(e.event);
    return out;
  }
};

TEST_P(RelayTest, RunsEachStepOnceAndChainsThem) {
  const int64_t id = InsertOne("PO1");
  FnHandler map([](const Document&, StepContext& ctx) -> Result<StepOutcome> {
    ASSIGN_OR_RETURN(std::string in, ctx.Payload("input"));
    StepOutcome o;
    o.outputs.push_back({"", "output", "application/edi-x12", "X12 for " + in});
    o.audit.push_back({"mapped", "", "", "", Status::Ok()});
    return o;
  });
  FnHandler send([](const Document&, StepContext& ctx) -> Result<StepOutcome> {
    ASSIGN_OR_RETURN(std::string x12, ctx.Payload("output", "map"));
    StepOutcome o;
    o.audit.push_back({"sent", "", "", std::to_string(x12.size()) + " bytes", Status::Ok()});
    return o;
  });
  Relay relay(*store_, {.worker_id = "w1"});
  relay.AddStep("map", map, "send");
  relay.AddStep("send", send, "");
  auto stats = relay.Drain();
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_EQ(stats->claimed, 2);
  EXPECT_EQ(stats->completed, 2);
  EXPECT_EQ(map.calls, 1);
  EXPECT_EQ(send.calls, 1);
  EXPECT_EQ(store_->GetDocument(id)->state, DocState::kDone);
  EXPECT_EQ(store_->GetPayload(id, "map", "output")->data, "X12 for {\"tranId\":\"PO1\"}");
  EXPECT_THAT(Events(id), ElementsAre("received", "mapped", "completed", "sent", "completed"));
}

TEST_P(RelayTest, RetriesWithBackoffAndTreatsAlreadyExistsAsDelivered) {
  const int64_t id = InsertOne("PO2");
  int failures_left = 2;
  FnHandler flaky([&](const Document&, StepContext&) -> Result<StepOutcome> {
    if (failures_left-- > 0) return UnavailableError("cleo: 503");
    return AlreadyExistsError("file ACME_850_1.x12 already delivered");
  });
  RelayOptions opts{.worker_id = "w1"};
  opts.backoff.initial = std::chrono::milliseconds(1000);
  opts.backoff.jitter = 0;
  Relay relay(*store_, opts);
  relay.AddStep("map", flaky, "await_997");
  auto s1 = relay.RunOnce();
  EXPECT_EQ(s1->retry_scheduled, 1);
  EXPECT_EQ(relay.RunOnce()->claimed, 0);  // waiting
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(relay.RunOnce()->retry_scheduled, 1);
  clock_.Advance(std::chrono::seconds(2));
  auto s3 = relay.RunOnce();
  EXPECT_EQ(s3->delivered, 1);
  Document d = *store_->GetDocument(id);
  EXPECT_EQ(d.state, DocState::kPending);
  EXPECT_EQ(d.step, "await_997");
  EXPECT_EQ(flaky.calls, 3);
}

TEST_P(RelayTest, DrainStopsBetweenBatchesWhenAskedToStop) {
  for (int i = 0; i < 5; ++i) InsertOne("STOP" + std::to_string(i));
  bool stopping = false;
  int runs = 0;
  FnHandler step([&](const Document&, StepContext&) -> Result<StepOutcome> {
    if (++runs == 1) stopping = true;  // SIGTERM arrives while the first batch runs
    return StepOutcome{};
  });
  Relay relay(*store_, {.worker_id = "w1", .batch = 2});
  relay.AddStep("map", step, "");
  auto stats = relay.Drain(1000, [&] { return stopping; });
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_EQ(stats->claimed, 2);  // the batch in flight finished...
  EXPECT_EQ(stats->completed, 2);
  EXPECT_EQ(step.calls, 2);  // ...and no other was claimed
  int pending = 0, in_flight = 0;
  auto docs = store_->ListDocuments({});
  ASSERT_TRUE(docs.ok()) << docs.error();
  for (const auto& d : *docs) {
    pending += d.state == DocState::kPending ? 1 : 0;
    in_flight += d.state == DocState::kInFlight ? 1 : 0;
  }
  EXPECT_EQ(pending, 3);
  EXPECT_EQ(in_flight, 0);
  stopping = false;
  EXPECT_EQ(relay.Drain(1000, [&] { return stopping; })->completed, 3);
}

TEST_P(RelayTest, ParksNonRetriableErrors) {
  const int64_t id = InsertOne("PO3");
  FnHandler bad([](const Document&, StepContext&) -> Result<StepOutcome> {
    return FailedPreconditionError("vendor 77 has no partner profile");
  });
  Relay relay(*store_, {.worker_id = "w1"});
  relay.AddStep("map", bad, "");
  EXPECT_EQ(relay.Drain()->parked, 1);
  EXPECT_EQ(store_->GetDocument(id)->state, DocState::kParked);
  EXPECT_EQ(bad.calls, 1);
}

TEST_P(RelayTest, LostLeaseDropsTheOutcomeInsteadOfCompletingTwice) {
  const int64_t id = InsertOne("PO4");
  RelayOptions opts{.worker_id = "slow"};
  opts.lease_duration = std::chrono::seconds(10);
  FnHandler slow([&](const Document&, StepContext&) -> Result<StepOutcome> {
    // Meanwhile the lease expires and another worker takes the document over.
    clock_.Advance(std::chrono::seconds(11));
    auto taken = store_->Claim({.worker_id = "fast", .limit = 1});
    EXPECT_EQ(taken->size(), 1u);
    return StepOutcome{};
  });
  Relay relay(*store_, opts);
  relay.AddStep("map", slow, "");
  auto s = relay.RunOnce();
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->lease_lost, 1);
  EXPECT_EQ(s->completed, 0);
  Document d = *store_->GetDocument(id);
  EXPECT_EQ(d.state, DocState::kInFlight);
  EXPECT_EQ(d.lease_owner, "fast");
}

TEST_P(RelayTest, FaultHookSeesEveryPoint) {
  InsertOne("PO5");
  FnHandler ok([](const Document&, StepContext&) -> Result<StepOutcome> { return StepOutcome{}; });
  std::vector<std::string> points;
  RelayOptions opts{.worker_id = "w"};
  opts.fault_hook = [&](std::string_view p, const Document&) { points.emplace_back(p); };
  Relay relay(*store_, opts);
  relay.AddStep("map", ok, "");
  ASSERT_TRUE(relay.RunOnce().ok());
  EXPECT_THAT(points, ElementsAre("claimed", "ran", "recorded"));
}

INSTANTIATE_TEST_SUITE_P(Backends, RelayTest, ::testing::Values("sqlite", "postgresql"),
                         testing::BackendName);

}  // namespace
}  // namespace mlc::store
