#include "flows/edi_status.h"

#include <utility>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/civil_time.h"
#include "common/fake_http_client.h"
#include "netsuite/authenticator.h"
#include "netsuite/client.h"

namespace mlc::flows {
namespace {

using nlohmann::json;

constexpr char kBase[] = "https://1234567-sb1.suitetalk.api.netsuite.com";
constexpr char kPatchPo42[] =
    "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/purchaseOrder/42";

class EdiStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::OpenStore("sqlite::memory:", clock_);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    netsuite::TbaOptions to;
    to.account_id = "1234567_SB1";
    to.credentials = {"ck", "cs", "ti", "ts"};
    auth_ = std::make_unique<netsuite::TbaAuthenticator>(to, clock_);
    netsuite::ClientOptions co;
    co.base_url = kBase;
    co.sleeper = [](std::chrono::milliseconds) {};
    client_ = std::make_unique<netsuite::Client>(fake_, *auth_, co);
    fake_.On("PATCH", kPatchPo42).Handle([this](const HttpRequest& r) {
      patched_.push_back(json::parse(r.body).value(std::string(kEdiStatusField), ""));
      if (on_patch_) on_patch_();
      HttpResponse no_content;
      no_content.status = 204;
      return Result<HttpResponse>(std::move(no_content));
    });
    env_.store = store_.get();
    env_.netsuite = client_.get();
    env_.worker_id = "test";
  }

  // A po_outbound document of PO 42 (number PO-42), revision `revision`; `step` "map" = parked
  // at mapping (never sent).
  store::Document AddRevision(int revision, std::string step = "send") {
    store::NewDocument d;
    d.idempotency_key = fmt::format("po:42:r{}:fp{}", revision, revision);
    d.type = "850";
    d.partner = "ACME";
    d.po_number = "PO-42";
    d.control = {fmt::format("00000001{}", revision), "1", "0001"};
    d.step = std::move(step);
    int64_t id = 0;
    Status s = store_->Transact([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto ins, tx.InsertDocument("po_outbound", d));
      id = ins.first;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto doc = store_->GetDocument(id);
    EXPECT_TRUE(doc.ok());
    return *doc;
  }

  std::vector<std::string> Recorded(int64_t id) {
    store::AuditQuery q;
    q.document_id = id;
    q.event = std::string(kEdiStatusEvent);
    auto events = store_->QueryAudit(q);
    EXPECT_TRUE(events.ok());
    std::vector<std::string> out;
    for (const auto& e : *events) out.push_back(e.detail);
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  FakeHttpClient fake_;
  std::unique_ptr<netsuite::TbaAuthenticator> auth_;
  std::unique_ptr<netsuite::Client> client_;
  std::vector<std::string> patched_;
  std::function<void()> on_patch_;
  FlowEnv env_;
};

TEST_F(EdiStatusTest, TextsNameTheDocumentTimeAndInterchange) {
  store::Document d;
  d.type = "850";
  d.control.isa13 = "000000012";
  const Instant t = ToInstant(CivilDateTime{{2026, 11, 27}, {14, 5, 59}});
  EXPECT_EQ(SentStatusText(d, t, false), "850 sent 2026-11-27 14:05 UTC, ISA 000000012");
  EXPECT_EQ(SentStatusText(d, t, true), "850 replace sent 2026-11-27 14:05 UTC, ISA 000000012");
  EXPECT_EQ(AckStatusText(d, edi::AckCode::kAccepted, t, ""),
            "850 accepted by 997 2026-11-27 14:05 UTC, ISA 000000012");
  EXPECT_EQ(AckStatusText(d, edi::AckCode::kAcceptedWithErrors, t, ""),
            "850 accepted with errors by 997 2026-11-27 14:05 UTC, ISA 000000012");
  EXPECT_EQ(AckStatusText(d, edi::AckCode::kRejected, t, "AK3 N1 at 7 code 8"),
            "850 rejected by 997 2026-11-27 14:05 UTC, ISA 000000012: AK3 N1 at 7 code 8");
  // NetSuite's free-form text holds 300 characters; a long rejection is cut, not refused.
  const std::string long_text =
      AckStatusText(d, edi::AckCode::kRejected, t, std::string(500, 'x'));
  EXPECT_EQ(long_text.size(), kEdiStatusMaxChars);
  EXPECT_EQ(long_text.substr(long_text.size() - 3), "...");
}

TEST_F(EdiStatusTest, PoInternalIdComesFromTheRevisionKey) {
  const store::Document d = AddRevision(0);
  EXPECT_EQ(PoInternalIdOf(d), "42");
  store::Document other = d;
  other.flow = "invoice_inbound";
  EXPECT_FALSE(PoInternalIdOf(other).has_value());
  other = d;
  other.idempotency_key = "file:x.edi:abc";
  EXPECT_FALSE(PoInternalIdOf(other).has_value());
}

TEST_F(EdiStatusTest, WritebackAfterThe997WritesThe997sVerdictNotAStaleSent) {
  const store::Document d = AddRevision(0);
  // fa_inbound got there first (the writeback step was waiting for NetSuite to come back).
  auto r = RecordAndWriteEdiStatus(env_, *store_, d, "850 accepted by 997 ...");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(*r);
  auto w = WriteLatestEdiStatus(env_, *store_, d, "850 sent ...");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(*w, "850 accepted by 997 ...");
  EXPECT_EQ(patched_, (std::vector<std::string>{"850 accepted by 997 ...",
                                                "850 accepted by 997 ..."}));
  EXPECT_EQ(Recorded(d.id), (std::vector<std::string>{"850 accepted by 997 ..."}));
}

TEST_F(EdiStatusTest, ARetriedWriteRecordsOnceAndPatchesTheSameText) {
  const store::Document d = AddRevision(0);
  ASSERT_TRUE(RecordAndWriteEdiStatus(env_, *store_, d, "850 rejected by 997 ...").ok());
  ASSERT_TRUE(RecordAndWriteEdiStatus(env_, *store_, d, "850 rejected by 997 ...").ok());
  EXPECT_EQ(Recorded(d.id), (std::vector<std::string>{"850 rejected by 997 ..."}));
  EXPECT_EQ(patched_.size(), 2u);
  EXPECT_EQ(patched_[0], patched_[1]);
}

TEST_F(EdiStatusTest, NoStatusRecordedYetRecordsTheFallback) {
  const store::Document d = AddRevision(0);
  auto w = WriteLatestEdiStatus(env_, *store_, d, "850 sent 2026-11-27 14:05 UTC, ISA 1");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(Recorded(d.id), (std::vector<std::string>{"850 sent 2026-11-27 14:05 UTC, ISA 1"}));
  EXPECT_EQ(patched_, (std::vector<std::string>{"850 sent 2026-11-27 14:05 UTC, ISA 1"}));
}

TEST_F(EdiStatusTest, AVerdictRecordedDuringTheWritebackPatchIsWrittenToo) {
  const store::Document d = AddRevision(0);
  ASSERT_TRUE(store_->AppendAudit(d.id, {.event = std::string(kEdiStatusEvent),
                                         .detail = "850 sent ..."})
                  .ok());
  // While the writeback PATCHes "sent", fa_inbound records the 997's verdict.
  bool fired = false;
  on_patch_ = [&] {
    if (std::exchange(fired, true)) return;
    ASSERT_TRUE(store_->AppendAudit(d.id, {.event = std::string(kEdiStatusEvent),
                                           .detail = "850 accepted by 997 ..."})
                    .ok());
  };
  auto w = WriteLatestEdiStatus(env_, *store_, d, "unused");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(*w, "850 accepted by 997 ...");
  EXPECT_EQ(patched_, (std::vector<std::string>{"850 sent ...", "850 accepted by 997 ..."}));
}

TEST_F(EdiStatusTest, OnlyTheLatestSentRevisionWrites) {
  const store::Document r0 = AddRevision(0);
  const store::Document parked = AddRevision(1, "map");  // never went out
  auto latest = IsLatestSentRevision(*store_, r0);
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(*latest) << "a revision parked at mapping does not supersede the one sent";
  const store::Document r2 = AddRevision(2);
  latest = IsLatestSentRevision(*store_, r0);
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(*latest);
  // A late 997 for revision 0 leaves revision 2's status alone.
  auto r = RecordAndWriteEdiStatus(env_, *store_, r0, "850 accepted by 997 (late)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(*r);
  auto w = WriteLatestEdiStatus(env_, *store_, r0, "850 sent (old)");
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->has_value());
  EXPECT_TRUE(patched_.empty());
  EXPECT_TRUE(Recorded(r0.id).empty());
  (void)parked;
  (void)r2;
}

TEST_F(EdiStatusTest, AFailedPatchIsAnErrorWithItsRetryClass) {
  const store::Document d = AddRevision(0);
  fake_.On("PATCH", kPatchPo42).Reply(400, R"({"type":"https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",)"
                     R"("title":"Bad Request","status":400,"o:errorDetails":[{"detail":)"
                     R"("Invalid Field Value for custbody_mlc_edi_status",)"
                     R"("o:errorCode":"INVALID_KEY_OR_REF"}]})");
  auto r = RecordAndWriteEdiStatus(env_, *store_, d, "850 sent ...");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("writing the EDI status onto PO PO-42"), std::string::npos)
      << r.status().ToString();
  EXPECT_FALSE(r.status().retriable()) << "a missing field is for a person, not a retry";
}

}  // namespace
}  // namespace mlc::flows
