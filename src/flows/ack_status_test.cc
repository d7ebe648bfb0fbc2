// The one overdue-997 rule: the pure classification at its edges, and the two places that report
// it (fa_inbound's run summary and PartnerAckStatus, which the console, `status` and /metrics
// use) agreeing on the same store at each edge.
#include "flows/ack_status.h"

#include <gtest/gtest.h>

#include "common/civil_time.h"
#include "flows/inbound.h"

namespace mlc::flows {
namespace {

using namespace std::chrono_literals;
using Both = std::pair<int64_t, int64_t>;  // {fa_inbound summary, PartnerAckStatus}

TEST(Classify997Test, OverdueOnlyStrictlyPastTheWindowAndNeverOnceAcknowledged) {
  const Instant sent = *ParseIso8601("2026-03-02T10:00:00Z");
  const config::Duration window = 4h;
  EXPECT_EQ(Classify997(sent, false, window, sent), AckWait::kAwaiting);
  EXPECT_EQ(Classify997(sent, false, window, sent + 4h), AckWait::kAwaiting);  // exactly at it
  EXPECT_EQ(Classify997(sent, false, window, sent + 4h + 1us), AckWait::kOverdue);
  EXPECT_EQ(Classify997(sent, false, window, sent + 24h), AckWait::kOverdue);
  // Acknowledged late (the 997 came after the window): acknowledged, not overdue.
  EXPECT_EQ(Classify997(sent, true, window, sent + 24h), AckWait::kAcknowledged);
  // No 997 expected (0): never overdue.
  EXPECT_EQ(Classify997(sent, false, config::Duration(0), sent + 24h * 365), AckWait::kAwaiting);
}

class AckStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::OpenStore("sqlite::memory:", clock_);
    ASSERT_TRUE(st.ok()) << st.error();
    store_ = std::move(st).value();
    config::PartnerConfig acme;
    acme.id = "ACME";
    acme.expect_997_within = 1h;
    config_.partners = {acme};
    env_.config = &config_;
    env_.store = store_.get();
    env_.clock = &clock_;
    env_.worker_id = "test";
  }

  int64_t AddSent850(const std::string& po, const std::string& type = "850") {
    store::NewDocument d;
    d.idempotency_key = po + type;
    d.type = type;
    d.partner = "ACME";
    d.po_number = po;
    d.control = {"000000007", "7", "0007"};
    d.step = "send";
    auto r = store_->Ingest({.flow = "po_outbound", .documents = {d}, .cursor = std::nullopt});
    EXPECT_TRUE(r.ok()) << r.error();
    const int64_t id = r->ids.at(0);
    Event(id, "sent", "send");
    return id;
  }
  void Event(int64_t id, const std::string& event, const std::string& step) {
    ASSERT_TRUE(store_->AppendAudit(id, {.event = event, .step = step, .actor = "t", .detail = "",
                                         .error = {}})
                    .ok());
  }

  // {what fa_inbound's summary says, what PartnerAckStatus says} about overdue 850s.
  std::pair<int64_t, int64_t> Overdue() {
    FaInboundFlow flow(env_);
    std::atomic<bool> stop{false};
    RunContext ctx(&stop);
    auto run = flow.Run(ctx);
    EXPECT_TRUE(run.ok()) << run.error();
    auto ack = PartnerAckStatus(*store_, config_.partners[0], clock_.Now(), 24h * 30, 10);
    EXPECT_TRUE(ack.ok()) << ack.error();
    const int64_t from_flow =
        run.ok() && run->counts.contains("overdue_997") ? run->counts.at("overdue_997") : 0;
    return {from_flow, ack.ok() ? ack->overdue : -1};
  }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  config::Config config_;
  FlowEnv env_;
};

TEST_F(AckStatusTest, FlowSummaryAndStatusAgreeAtEveryEdge) {
  const int64_t id = AddSent850("PO-1");
  // The status writeback's "sent" (a PATCH to NetSuite) does not restart the 997 clock.
  clock_.Advance(30min);
  Event(id, "sent", "writeback");
  clock_.Advance(30min);  // exactly the window after the transmission
  EXPECT_EQ(Overdue(), Both(0, 0));
  auto ack = PartnerAckStatus(*store_, config_.partners[0], clock_.Now(), 24h * 30, 10);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->sent, 1);
  EXPECT_EQ(ack->awaiting, 1);

  clock_.Advance(1s);  // just past it
  EXPECT_EQ(Overdue(), Both(1, 1));
  ack = PartnerAckStatus(*store_, config_.partners[0], clock_.Now(), 24h * 30, 10);
  ASSERT_EQ(ack->unacknowledged.size(), 1u);
  EXPECT_TRUE(ack->unacknowledged[0].overdue);
  EXPECT_EQ(ack->unacknowledged[0].sent_at, clock_.Now() - 1h - 1s);

  // The 997 arrives late: acknowledged, overdue nowhere.
  clock_.Advance(5h);
  Event(id, "acknowledged", "");
  EXPECT_EQ(Overdue(), Both(0, 0));
  ack = PartnerAckStatus(*store_, config_.partners[0], clock_.Now(), 24h * 30, 10);
  EXPECT_EQ(ack->acknowledged, 1);
  EXPECT_EQ(ack->awaiting, 0);
  EXPECT_TRUE(ack->unacknowledged.empty());

  // A resend (replay) restarts the clock of an unacknowledged 850.
  const int64_t second = AddSent850("PO-2");
  clock_.Advance(2h);
  EXPECT_EQ(Overdue(), Both(1, 1));
  Event(second, "sent", "send");
  EXPECT_EQ(Overdue(), Both(0, 0));

  // An 860 (a change of PO-2) waits for its 997 like an 850.
  const int64_t change = AddSent850("PO-2", "860");
  clock_.Advance(1h + 1s);
  EXPECT_EQ(Overdue(), Both(2, 2));  // PO-2's 850 and its 860
  Event(change, "acknowledged", "");
  EXPECT_EQ(Overdue(), Both(1, 1));
}

}  // namespace
}  // namespace mlc::flows
