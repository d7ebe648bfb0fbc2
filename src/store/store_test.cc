// Store tests, each run against SQLite and PostgreSQL (StoreTest/Backends/{sqlite,postgresql}).
#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "store/testing.h"

namespace mlc::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class StoreTest : public testing::BackendTest {
 protected:
  static NewDocument Doc(const std::string& key, const std::string& partner = "ACME") {
    NewDocument d;
    d.idempotency_key = key;
    d.direction = Direction::kOut;
    d.type = "850";
    d.partner = partner;
    d.po_number = "PO-" + key;
    d.step = "send";
    d.payloads.push_back({"send", "input", "application/edi-x12", "ISA*00*...~" + key});
    return d;
  }

  // Inserts documents with the given keys into flow "po_outbound"; returns their ids.
  std::vector<int64_t> Insert(const std::vector<std::string>& keys) {
    IngestBatch b{.flow = "po_outbound", .documents = {}, .cursor = std::nullopt};
    for (const auto& k : keys) b.documents.push_back(Doc(k));
    auto r = store_->Ingest(b);
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? r->ids : std::vector<int64_t>{};
  }

  std::vector<Claimed> ClaimAll(const std::string& worker, int limit = 100) {
    ClaimRequest req;
    req.worker_id = worker;
    req.limit = limit;
    req.lease_duration = seconds(30);
    auto r = store_->Claim(req);
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? *r : std::vector<Claimed>{};
  }

  std::vector<std::string> Events(int64_t id) {
    AuditQuery q;
    q.document_id = id;
    auto r = store_->QueryAudit(q);
    EXPECT_TRUE(r.ok()) << r.error();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& e : *r) out.push_back(e.event);
    }
    return out;
  }

  Document Get(int64_t id) {
    auto r = store_->GetDocument(id);
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? *r : Document{};
  }
};

TEST_P(StoreTest, MigrationsAreAppliedOnceAndReopenIsIdempotent) {
  ASSERT_EQ(store_->backend(), GetParam());
  auto v = store_->SchemaVersion();
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_EQ(*v, 2);
  auto ids = Insert({"a"});
  Reopen();
  Reopen();
  EXPECT_EQ(*store_->SchemaVersion(), 2);
  EXPECT_EQ(Get(ids[0]).idempotency_key, "a");  // data survives reopening
  // A schema newer than the program is refused, not "migrated" down.
  ASSERT_TRUE(db_->ExecRaw("INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                           "(99, 'future', 0)")
                  .ok());
  auto newer = OpenStore(db_->url(), clock_);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(newer.error().message(), HasSubstr("version 99"));
}

TEST_P(StoreTest, UnknownUrlSchemeIsInvalid) {
  auto s = OpenStore("mysql://x/y", clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, IdempotencyKeyIsUniquePerFlow) {
  auto first = Insert({"k1", "k2"});
  ASSERT_EQ(first.size(), 2u);
  IngestBatch again{.flow = "po_outbound", .documents = {Doc("k1"), Doc("k3")}, .cursor = {}};
  auto r = store_->Ingest(again);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(r->ids[0], first[0]);                          // the existing document's id
  EXPECT_THAT(Events(first[0]), ElementsAre("received"));  // no second "received"
  // The same key in another flow is a different document.
  IngestBatch other{.flow = "invoice_inbound", .documents = {Doc("k1")}, .cursor = {}};
  auto o = store_->Ingest(other);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->inserted, 1);
  EXPECT_NE(o->ids[0], first[0]);
}

TEST_P(StoreTest, ClaimLeasesDueDocumentsAndReclaimsExpiredLeases) {
  auto ids = Insert({"a", "b", "c"});
  auto w1 = ClaimAll("w1", 2);
  ASSERT_EQ(w1.size(), 2u);
  EXPECT_EQ(w1[0].document.id, ids[0]);
  EXPECT_EQ(w1[0].document.state, DocState::kInFlight);
  EXPECT_EQ(w1[0].document.attempts, 1);
  EXPECT_EQ(w1[0].lease.owner, "w1");
  EXPECT_EQ(w1[0].lease.expires_at, clock_.Now() + seconds(30));
  auto w2 = ClaimAll("w2");
  ASSERT_EQ(w2.size(), 1u);
  EXPECT_EQ(w2[0].document.id, ids[2]);
  EXPECT_TRUE(ClaimAll("w3").empty());  // all leased
  clock_.Advance(seconds(29));
  EXPECT_TRUE(ClaimAll("w3").empty());  // leases still valid
  clock_.Advance(seconds(1));
  auto w3 = ClaimAll("w3");  // every lease expired: reclaimed
  ASSERT_EQ(w3.size(), 3u);
  EXPECT_EQ(w3[0].document.attempts, 2);
  EXPECT_EQ(w3[0].lease.epoch, w1[0].lease.epoch + 1);
  EXPECT_EQ(Get(ids[0]).lease_owner, "w3");
}

TEST_P(StoreTest, ClaimFiltersByStepAndFlow) {
  Insert({"a"});
  IngestBatch b{.flow = "ack_inbound", .documents = {Doc("x")}, .cursor = {}};
  b.documents[0].step = "parse";
  ASSERT_TRUE(store_->Ingest(b).ok());
  ClaimRequest req;
  req.worker_id = "w";
  req.steps = {"parse"};
  auto r = store_->Claim(req);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].document.flow, "ack_inbound");
  req.steps.clear();
  req.flows = {"po_outbound"};
  r = store_->Claim(req);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].document.idempotency_key, "a");
}

TEST_P(StoreTest, StaleLeaseCannotCompleteOrFail) {
  auto ids = Insert({"a"});
  auto first = ClaimAll("w1");
  ASSERT_EQ(first.size(), 1u);
  clock_.Advance(seconds(31));
  auto second = ClaimAll("w2");
  ASSERT_EQ(second.size(), 1u);
  Status stale = store_->Complete(first[0].lease, {});
  EXPECT_EQ(stale.code(), StatusCode::kAborted) << stale;
  EXPECT_THAT(stale.message(), HasSubstr("lease"));
  auto stale_fail = store_->Fail(first[0].lease, UnavailableError("x"), {});
  EXPECT_EQ(stale_fail.status().code(), StatusCode::kAborted);
  Lease l = first[0].lease;
  EXPECT_EQ(store_->ExtendLease(l, seconds(10)).code(), StatusCode::kAborted);
  ASSERT_TRUE(store_->Complete(second[0].lease, {}).ok());
  EXPECT_EQ(store_->Complete(second[0].lease, {}).code(), StatusCode::kAborted);  // only once
  EXPECT_EQ(Get(ids[0]).state, DocState::kDone);
  EXPECT_THAT(Events(ids[0]), ElementsAre("received", "completed"));
}

TEST_P(StoreTest, CompleteMovesToNextStepWithOutputsAndAudit) {
  auto ids = Insert({"a"});
  auto c = ClaimAll("w");
  Completion done{.next_step = "await_997",
                  .outputs = {{"", "output", "application/edi-x12", "ISA*...*IEA~"}},
                  .audit = {{"sent", "", "", "dropped ACME_850_000000001.x12", Status::Ok()}}};
  ASSERT_TRUE(store_->Complete(c[0].lease, done).ok());
  Document d = Get(ids[0]);
  EXPECT_EQ(d.step, "await_997");
  EXPECT_EQ(d.state, DocState::kPending);
  EXPECT_EQ(d.attempts, 0);
  EXPECT_TRUE(d.lease_owner.empty());
  auto out = store_->GetPayload(ids[0], "send", "output");
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(out->data, "ISA*...*IEA~");
  auto ev = store_->QueryAudit({.document_id = ids[0]});
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 3u);
  EXPECT_EQ((*ev)[1].event, "sent");
  EXPECT_EQ((*ev)[1].actor, "w");
  EXPECT_EQ((*ev)[1].step, "send");
  EXPECT_EQ((*ev)[2].event, "completed");
  EXPECT_EQ((*ev)[2].detail, "next step await_997");
}

TEST_P(StoreTest, RetriableFailuresBackOffThenPark) {
  auto ids = Insert({"a"});
  FailPolicy policy;
  policy.backoff.initial = milliseconds(1000);
  policy.backoff.multiplier = 2;
  policy.backoff.jitter = 0;
  policy.backoff.max_attempts = 3;
  const Instant t0 = clock_.Now();
  auto c = ClaimAll("w");
  auto f = store_->Fail(c[0].lease, UnavailableError("cleo: connection refused"), policy);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(*f, FailOutcome::kRetryScheduled);
  Document d = Get(ids[0]);
  EXPECT_EQ(d.state, DocState::kRetryWait);
  EXPECT_EQ(d.next_attempt_at, t0 + seconds(1));
  EXPECT_EQ(d.last_error_code, "UNAVAILABLE");
  EXPECT_EQ(d.last_retry_class, "retriable");
  EXPECT_TRUE(ClaimAll("w").empty());  // not due yet
  clock_.Advance(seconds(1));
  c = ClaimAll("w");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].document.attempts, 2);
  EXPECT_EQ(*store_->Fail(c[0].lease, DeadlineExceededError("timeout"), policy),
            FailOutcome::kRetryScheduled);
  EXPECT_EQ(Get(ids[0]).next_attempt_at, clock_.Now() + seconds(2));  // doubled
  clock_.Advance(seconds(2));
  c = ClaimAll("w");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(*store_->Fail(c[0].lease, UnavailableError("again"), policy), FailOutcome::kParked);
  d = Get(ids[0]);
  EXPECT_EQ(d.state, DocState::kParked);
  EXPECT_EQ(d.attempts, 3);
  clock_.Advance(seconds(3600));
  EXPECT_TRUE(ClaimAll("w").empty());  // parked stays parked
  auto failed = store_->QueryAudit({.document_id = ids[0], .event = "failed"});
  ASSERT_EQ(failed->size(), 3u);
  EXPECT_EQ((*failed)[0].error_code, "UNAVAILABLE");
  EXPECT_EQ((*failed)[0].retry_class, "retriable");
  EXPECT_EQ((*failed)[2].detail, "attempt 3 of 3");
  EXPECT_EQ(Events(ids[0]).back(), "parked");
}

TEST_P(StoreTest, JitterKeepsTheDelayWithinItsBand) {
  Insert({"a"});
  FailPolicy policy;
  policy.backoff.initial = milliseconds(8000);
  policy.backoff.jitter = 0.5;
  policy.random = [] { return ~uint64_t{0}; };  // the largest draw: delay = base * (1 - 0.5)
  auto c = ClaimAll("w");
  const Instant now = clock_.Now();
  ASSERT_TRUE(store_->Fail(c[0].lease, UnavailableError("x"), policy).ok());
  auto d = Get(c[0].document.id);
  EXPECT_GE(d.next_attempt_at, now + milliseconds(4000));
  EXPECT_LT(d.next_attempt_at, now + milliseconds(4002));
}

TEST_P(StoreTest, NonRetriableParksAlreadyExistsDeliversCancelledRequeues) {
  auto ids = Insert({"bad", "dup", "stop"});
  auto c = ClaimAll("w");
  ASSERT_EQ(c.size(), 3u);
  FailPolicy policy;
  policy.next_step_if_delivered = "await_997";
  EXPECT_EQ(*store_->Fail(c[0].lease, InvalidArgumentError("N1 missing"), policy),
            FailOutcome::kParked);
  EXPECT_EQ(Get(ids[0]).state, DocState::kParked);
  EXPECT_EQ(Get(ids[0]).last_error_message, "N1 missing");
  EXPECT_EQ(*store_->Fail(c[1].lease, AlreadyExistsError("file exists"), policy),
            FailOutcome::kDelivered);
  EXPECT_EQ(Get(ids[1]).state, DocState::kPending);
  EXPECT_EQ(Get(ids[1]).step, "await_997");
  EXPECT_THAT(Events(ids[1]), ElementsAre("received", "delivered"));
  EXPECT_EQ(*store_->Fail(c[2].lease, CancelledError("shutting down"), policy),
            FailOutcome::kRequeued);
  Document stop = Get(ids[2]);
  EXPECT_EQ(stop.state, DocState::kPending);
  EXPECT_EQ(stop.attempts, 0);  // the interrupted attempt does not count
  EXPECT_EQ(store_->Fail(c[2].lease, Status(), policy).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, ReplayIsAuditedWithWhoAsked) {
  auto ids = Insert({"a", "b", "c"});
  auto c = ClaimAll("w");
  for (auto& cl : c) ASSERT_TRUE(store_->Fail(cl.lease, NotFoundError("no vendor"), {}).ok());
  ASSERT_TRUE(store_->Replay(ids[0], "alice", "vendor mapping added").ok());
  Document d = Get(ids[0]);
  EXPECT_EQ(d.state, DocState::kPending);
  EXPECT_EQ(d.step, "send");
  EXPECT_EQ(d.attempts, 0);
  EXPECT_TRUE(d.last_error_code.empty());
  auto ev = store_->QueryAudit({.document_id = ids[0], .event = "replayed"});
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].actor, "alice");
  EXPECT_EQ((*ev)[0].detail, "from parked: vendor mapping added");
  Status again = store_->Replay(ids[0], "bob", "");
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("pending"));
  EXPECT_EQ(store_->Replay(987654, "bob", "").code(), StatusCode::kNotFound);
  auto n = store_->ReplayParked(std::string("OTHER"), "bob");
  EXPECT_EQ(*n, 0);
  n = store_->ReplayParked(std::nullopt, "bob");
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(ClaimAll("w").size(), 3u);
}

TEST_P(StoreTest, PayloadsRoundTripCompressed) {
  std::string x12;
  for (int i = 0; i < 2000; ++i) x12 += fmt::format("PO1*{}*10*EA*9.25**BP*W-{}~\n", i, i % 7);
  std::string binary;
  for (int i = 0; i < 512; ++i) binary.push_back(static_cast<char>(i * 37));
  NewDocument d = Doc("big");
  d.payloads = {{"send", "input", "application/edi-x12", x12},
                {"send", "raw", "application/octet-stream", binary},
                {"send", "empty", "text/plain", ""}};
  IngestBatch b{.flow = "po_outbound", .documents = {d}, .cursor = {}};
  auto r = store_->Ingest(b);
  ASSERT_TRUE(r.ok()) << r.error();
  auto p = store_->GetPayload(r->ids[0], "send", "input");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->data, x12);
  EXPECT_EQ(p->media_type, "application/edi-x12");
  EXPECT_LT(p->stored_size * 5, static_cast<int64_t>(x12.size()));  // really compressed
  EXPECT_EQ(store_->GetPayload(r->ids[0], "send", "raw")->data, binary);
  EXPECT_EQ(store_->GetPayload(r->ids[0], "send", "empty")->data, "");
  EXPECT_EQ(store_->ListPayloads(r->ids[0])->size(), 3u);
  EXPECT_EQ(store_->GetPayload(r->ids[0], "send", "output").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, AuditTrailRejectsUpdateAndDelete) {
  auto ids = Insert({"a"});
  Status upd = db_->ExecRaw("UPDATE audit_events SET event = 'forged'");
  EXPECT_FALSE(upd.ok());
  EXPECT_THAT(upd.message(), HasSubstr("append-only"));
  Status del = db_->ExecRaw("DELETE FROM audit_events");
  EXPECT_FALSE(del.ok());
  EXPECT_THAT(del.message(), HasSubstr("append-only"));
  EXPECT_THAT(Events(ids[0]), ElementsAre("received"));
}

TEST_P(StoreTest, AuditQueriesByEachFilter) {
  IngestBatch b{.flow = "po_outbound", .documents = {}, .cursor = {}};
  NewDocument po = Doc("po1", "ACME");
  po.po_number = "4500001";
  po.control = {"000000101", "101", "0101"};
  NewDocument inv = Doc("inv1", "GLOBEX");
  inv.type = "810";
  inv.direction = Direction::kIn;
  inv.po_number = "";
  inv.invoice_number = "INV-88213";
  inv.control = {"000000777", "777", "0777"};
  b.documents = {po};
  auto r1 = store_->Ingest(b);
  const Instant between = clock_.Now() + seconds(30);
  clock_.Advance(seconds(60));
  b.documents = {inv};
  auto r2 = store_->Ingest(b);
  ASSERT_TRUE(r1.ok() && r2.ok());
  const int64_t po_id = r1->ids[0];
  const int64_t inv_id = r2->ids[0];
  auto c = ClaimAll("w");
  ASSERT_EQ(c.size(), 2u);
  ASSERT_TRUE(store_->Fail(c[1].lease, InvalidArgumentError("bad"), {}).ok());  // inv parked

  auto docs_of = [&](const AuditQuery& q) {
    auto r = store_->QueryAudit(q);
    EXPECT_TRUE(r.ok()) << r.error();
    std::set<int64_t> ids;
    for (const auto& e : *r) ids.insert(e.document_id);
    return ids;
  };
  EXPECT_EQ(docs_of({.document_id = po_id}), std::set<int64_t>{po_id});
  EXPECT_EQ(docs_of({.partner = "GLOBEX"}), std::set<int64_t>{inv_id});
  EXPECT_EQ(docs_of({.type = "810"}), std::set<int64_t>{inv_id});
  EXPECT_EQ(docs_of({.business_key = "4500001"}), std::set<int64_t>{po_id});
  EXPECT_EQ(docs_of({.business_key = "INV-88213"}), std::set<int64_t>{inv_id});
  EXPECT_EQ(docs_of({.control_number = "000000101"}), std::set<int64_t>{po_id});
  EXPECT_EQ(docs_of({.control_number = "0777"}), std::set<int64_t>{inv_id});
  EXPECT_EQ(docs_of({.state = DocState::kParked}), std::set<int64_t>{inv_id});
  EXPECT_EQ(docs_of({.state = DocState::kInFlight}), std::set<int64_t>{po_id});
  EXPECT_EQ(docs_of({.until = between}), std::set<int64_t>{po_id});
  EXPECT_EQ(docs_of({.since = between}), std::set<int64_t>{inv_id});
  EXPECT_EQ(docs_of({.event = "received"}), (std::set<int64_t>{po_id, inv_id}));
  EXPECT_EQ(docs_of({.since = between, .event = "received"}), std::set<int64_t>{inv_id});
  EXPECT_TRUE(docs_of({.partner = "NOBODY"}).empty());

  // Paging: limit and after_id walk the events in order without gaps or repeats.
  auto all = store_->QueryAudit({});
  ASSERT_TRUE(all.ok());
  std::vector<int64_t> paged;
  AuditQuery q;
  q.limit = 2;
  while (true) {
    auto page = store_->QueryAudit(q);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const auto& e : *page) paged.push_back(e.id);
    q.after_id = page->back().id;
  }
  std::vector<int64_t> expected;
  for (const auto& e : *all) expected.push_back(e.id);
  EXPECT_EQ(paged, expected);
  EXPECT_EQ(expected.size(), 4u);  // 2 received, failed, parked

  // The same filters on documents.
  auto docs = store_->ListDocuments({.partner = "ACME"});
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].po_number, "4500001");
  EXPECT_EQ((*docs)[0].control.isa13, "000000101");
  EXPECT_EQ(store_->ListDocuments({.state = DocState::kParked})->at(0).id, inv_id);
  EXPECT_EQ(store_->ListDocuments({.since = between})->size(), 1u);
}

TEST_P(StoreTest, CursorAdvancesOnlyWithItsDocuments) {
  IngestBatch bad{.flow = "po_outbound", .documents = {Doc("a"), Doc("b")}, .cursor = "2026-01-02"};
  bad.documents[1].step = "";  // invalid: fails mid-batch, after "a" was inserted
  auto r = store_->Ingest(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store_->GetCursor("po_outbound")->has_value());
  EXPECT_TRUE(store_->ListDocuments({})->empty());  // "a" rolled back with it

  // A callback failing after writing documents, payloads, audit and cursor leaves nothing.
  Status s = store_->Transact([&](Transaction& t) -> Status {
    ASSIGN_OR_RETURN(auto id, t.InsertDocument("po_outbound", Doc("c")));
    RETURN_IF_ERROR(t.AppendAudit(id.first, {"received", "", "", "", Status::Ok()}));
    RETURN_IF_ERROR(t.SetCursor("po_outbound", "x"));
    return UnavailableError("netsuite went away mid-batch");
  });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store_->GetCursor("po_outbound")->has_value());
  EXPECT_TRUE(store_->ListDocuments({})->empty());

  IngestBatch good{.flow = "po_outbound", .documents = {Doc("a")}, .cursor = "2026-01-02"};
  ASSERT_TRUE(store_->Ingest(good).ok());
  EXPECT_EQ(store_->GetCursor("po_outbound")->value_or(""), "2026-01-02");
  EXPECT_EQ(store_->ListDocuments({})->size(), 1u);
  good.cursor = "2026-01-03";
  ASSERT_TRUE(store_->Ingest(good).ok());  // re-read of "a" is a no-op; the cursor still moves
  EXPECT_EQ(store_->GetCursor("po_outbound")->value_or(""), "2026-01-03");
}

TEST_P(StoreTest, ParkedAtIngestKeepsErrorAndRawInput) {
  NewDocument d = Doc("unmappable");
  d.state = DocState::kParked;
  d.error = FailedPreconditionError("vendor 77 has no partner profile");
  IngestBatch b{.flow = "po_outbound", .documents = {d}, .cursor = "c1"};
  auto r = store_->Ingest(b);
  ASSERT_TRUE(r.ok()) << r.error();
  Document got = Get(r->ids[0]);
  EXPECT_EQ(got.state, DocState::kParked);
  EXPECT_EQ(got.last_error_code, "FAILED_PRECONDITION");
  EXPECT_THAT(Events(r->ids[0]), ElementsAre("received", "parked"));
  EXPECT_TRUE(store_->GetPayload(r->ids[0], "send", "input").ok());
  EXPECT_TRUE(ClaimAll("w").empty());
  EXPECT_EQ(store_->GetCursor("po_outbound")->value_or(""), "c1");  // the cursor did not stall
}

TEST_P(StoreTest, CountDocumentsGroupsByFlowAndState) {
  auto empty = store_->CountDocuments();
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_TRUE(empty->empty());

  const Instant t0 = clock_.Now();
  auto ids = Insert({"a", "b"});  // pending since t0
  clock_.Advance(seconds(10));
  Insert({"c"});  // pending since t0 + 10 s
  ASSERT_EQ(ids.size(), 2u);
  auto claimed = ClaimAll("w", 1);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(store_->Complete(claimed[0].lease, {}).ok());  // done at t0 + 10 s
  NewDocument parked = Doc("bad", "GLOBEX");
  parked.type = "810";
  parked.state = DocState::kParked;
  parked.error = InvalidArgumentError("no such PO");
  IngestBatch b{.flow = "invoice_inbound", .documents = {parked}, .cursor = std::nullopt};
  ASSERT_TRUE(store_->Ingest(b).ok());

  auto counts = store_->CountDocuments();
  ASSERT_TRUE(counts.ok()) << counts.error();
  std::vector<std::tuple<std::string, std::string, int64_t>> got;
  for (const auto& c : *counts) got.emplace_back(c.flow, DocStateName(c.state), c.count);
  EXPECT_THAT(got, ElementsAre(std::make_tuple("invoice_inbound", "parked", 1),
                               std::make_tuple("po_outbound", "done", 1),
                               std::make_tuple("po_outbound", "pending", 2)));
  const StateCount& pending = (*counts)[2];
  // One of a/b is still pending since t0: the relay lag is measured from there.
  EXPECT_EQ(pending.oldest_next_attempt, t0);
  EXPECT_EQ(pending.latest_update, t0 + seconds(10));
  EXPECT_EQ((*counts)[1].latest_update, t0 + seconds(10));
}

TEST_P(StoreTest, ControlNumbersAreNeverReused) {
  auto a = store_->AllocateControlNumbers("ACME");
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->isa13, "000000001");
  EXPECT_EQ(a->gs06, "1");
  EXPECT_EQ(a->st02, "0001");
  ASSERT_TRUE(store_->AllocateControlNumbers("ACME").ok());
  EXPECT_EQ(store_->AllocateControlNumbers("GLOBEX")->isa13, "000000001");  // per partner
  Reopen();  // a restart continues, never restarts the sequence
  EXPECT_EQ(store_->AllocateControlNumbers("ACME")->isa13, "000000003");

  // Allocated with the documents that carry them: a failed batch gives back nothing that was
  // ever committed, so the next allocation is still unused.
  Status s = store_->Transact([&](Transaction& t) -> Status {
    ASSIGN_OR_RETURN(ControlNumbers n, t.AllocateControlNumbers("ACME"));
    NewDocument d = Doc("with-numbers");
    d.control = n;
    RETURN_IF_ERROR(t.InsertDocument("po_outbound", d).status());
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(store_->ListDocuments({})->at(0).control.isa13, "000000004");

  // Concurrent allocators never see the same number.
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> seen;
  std::atomic<int> errors{0};
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto n = store_->AllocateControlNumbers("ACME");
        if (!n.ok()) {
          ++errors;
          continue;
        }
        std::lock_guard lock(mu);
        seen.insert(n->isa13);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(seen.size(), 80u);
  EXPECT_EQ(*seen.begin(), "000000005");
  EXPECT_EQ(*seen.rbegin(), "000000084");
}

TEST_P(StoreTest, ControlNumbersStopAtTheirMaximum) {
  ASSERT_TRUE(store_->AllocateControlNumbers("ACME").ok());
  ASSERT_TRUE(db_->ExecRaw("UPDATE control_numbers SET last_value = 999999999 WHERE kind = "
                           "'isa13'")
                  .ok());
  auto r = store_->AllocateControlNumbers("ACME");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kOutOfRange);
}

TEST_P(StoreTest, ThreadsNeverRunTheSameStepTwice) {
  std::vector<std::string> keys;
  keys.reserve(120);
  for (int i = 0; i < 120; ++i) keys.push_back("k" + std::to_string(i));
  Insert(keys);
  std::mutex mu;
  std::map<int64_t, int> runs;
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  workers.reserve(4);
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      while (true) {
        ClaimRequest req;
        req.worker_id = "w" + std::to_string(w);
        req.limit = 5;
        auto c = store_->Claim(req);
        if (!c.ok()) {
          ++errors;
          return;
        }
        if (c->empty()) return;
        for (const auto& cl : *c) {
          {
            std::lock_guard lock(mu);
            ++runs[cl.document.id];
          }
          if (!store_->Complete(cl.lease, {}).ok()) ++errors;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(errors.load(), 0);
  ASSERT_EQ(runs.size(), 120u);
  for (const auto& [id, n] : runs) EXPECT_EQ(n, 1) << "document " << id;
  EXPECT_EQ(store_->ListDocuments({.state = DocState::kDone, .limit = 1000})->size(), 120u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         testing::BackendName);

}  // namespace
}  // namespace mlc::store
