// The Store, written once over the SqlDriver (sql.h) for both SQLite and PostgreSQL. Where the
// dialects differ (the claim statement) both forms are here side by side.
#include <algorithm>
#include <random>

#include "store/compress.h"
#include "store/schema.h"
#include "store/sql.h"
#include "store/store.h"

namespace mlc::store {

using internal::Dialect;
using internal::SqlDriver;
using internal::SqlParam;
using internal::SqlParams;
using internal::SqlRow;
using internal::SqlRows;
using internal::SqlTx;
using internal::TxMode;

std::string_view DirectionName(Direction d) { return d == Direction::kIn ? "in" : "out"; }

std::string_view DocStateName(DocState s) {
  switch (s) {
    case DocState::kPending:
      return "pending";
    case DocState::kInFlight:
      return "in_flight";
    case DocState::kRetryWait:
      return "retry_wait";
    case DocState::kParked:
      return "parked";
    case DocState::kDone:
      return "done";
  }
  return "pending";
}

std::optional<DocState> ParseDocState(std::string_view name) {
  for (DocState s : {DocState::kPending, DocState::kInFlight, DocState::kRetryWait,
                     DocState::kParked, DocState::kDone}) {
    if (DocStateName(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<Direction> ParseDirection(std::string_view name) {
  if (name == "in") return Direction::kIn;
  if (name == "out") return Direction::kOut;
  return std::nullopt;
}

std::string_view FailOutcomeName(FailOutcome o) {
  switch (o) {
    case FailOutcome::kRetryScheduled:
      return "retry_scheduled";
    case FailOutcome::kParked:
      return "parked";
    case FailOutcome::kDelivered:
      return "delivered";
    case FailOutcome::kRequeued:
      return "requeued";
  }
  return "parked";
}

namespace {

constexpr int64_t kMaxControlNumber = 999999999;  // ISA13 is 9 digits; GS06/ST02 at most 9

int64_t Us(Instant t) { return t.time_since_epoch().count(); }
Instant FromUs(int64_t us) { return Instant(std::chrono::microseconds(us)); }

std::string_view RetryClassName(RetryClass c) {
  switch (c) {
    case RetryClass::kNone:
      return "";
    case RetryClass::kRetriable:
      return "retriable";
    case RetryClass::kPark:
      return "park";
    case RetryClass::kDelivered:
      return "delivered";
  }
  return "";
}

constexpr std::string_view kDocColumns[] = {"id",
                                            "flow",
                                            "idempotency_key",
                                            "direction",
                                            "doc_type",
                                            "partner",
                                            "po_number",
                                            "invoice_number",
                                            "isa13",
                                            "gs06",
                                            "st02",
                                            "step",
                                            "state",
                                            "attempts",
                                            "next_attempt_at",
                                            "lease_owner",
                                            "lease_epoch",
                                            "lease_expires_at",
                                            "last_error_code",
                                            "last_error_message",
                                            "last_retry_class",
                                            "created_at",
                                            "updated_at"};

std::string DocColumns(std::string_view prefix) {
  std::string out;
  for (std::string_view c : kDocColumns) {
    if (!out.empty()) out += ", ";
    out += prefix;
    out += c;
  }
  return out;
}

Document DocumentFromRow(const SqlRow& r) {
  Document d;
  d.id = r.Int(0);
  d.flow = r.Text(1);
  d.idempotency_key = r.Text(2);
  d.direction = ParseDirection(r.Text(3)).value_or(Direction::kOut);
  d.type = r.Text(4);
  d.partner = r.Text(5);
  d.po_number = r.Text(6);
  d.invoice_number = r.Text(7);
  d.control = {r.Text(8), r.Text(9), r.Text(10)};
  d.step = r.Text(11);
  d.state = ParseDocState(r.Text(12)).value_or(DocState::kParked);
  d.attempts = static_cast<int>(r.Int(13));
  d.next_attempt_at = FromUs(r.Int(14));
  d.lease_owner = r.Text(15);
  d.lease_epoch = r.Int(16);
  if (!r.IsNull(17)) d.lease_expires_at = FromUs(r.Int(17));
  d.last_error_code = r.Text(18);
  d.last_error_message = r.Text(19);
  d.last_retry_class = r.Text(20);
  d.created_at = FromUs(r.Int(21));
  d.updated_at = FromUs(r.Int(22));
  return d;
}

constexpr std::string_view kAuditColumns =
    "a.id, a.document_id, a.at, a.event, a.step, a.actor, a.detail, a.error_code, "
    "a.error_message, a.retry_class";

AuditEvent AuditFromRow(const SqlRow& r) {
  AuditEvent e;
  e.id = r.Int(0);
  e.document_id = r.Int(1);
  e.at = FromUs(r.Int(2));
  e.event = r.Text(3);
  e.step = r.Text(4);
  e.actor = r.Text(5);
  e.detail = r.Text(6);
  e.error_code = r.Text(7);
  e.error_message = r.Text(8);
  e.retry_class = r.Text(9);
  return e;
}

NewAuditEvent Ev(std::string_view name, std::string step, std::string actor = "",
                 std::string detail = "", Status error = Status::Ok()) {
  return NewAuditEvent{std::string(name), std::move(step), std::move(actor), std::move(detail),
                       std::move(error)};
}

uint64_t ThreadRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

// The Transaction handed to Store::Transact callbacks, and used by the store's own methods.
class SqlTransaction final : public Transaction {
 public:
  SqlTransaction(SqlTx& tx, const Clock& clock) : tx_(tx), now_(Us(clock.Now())) {}

  int64_t now() const { return now_; }
  SqlTx& sql() { return tx_; }

  Result<std::pair<int64_t, bool>> InsertDocument(std::string_view flow,
                                                  const NewDocument& doc) override {
    if (flow.empty() || doc.idempotency_key.empty() || doc.step.empty() || doc.type.empty()) {
      return InvalidArgumentError(
          "inserting a document: flow, idempotency key, type and step are required");
    }
    if (doc.state != DocState::kPending && doc.state != DocState::kParked) {
      return InvalidArgumentError("inserting a document: a new document is pending or parked");
    }
    const bool parked = doc.state == DocState::kParked;
    ASSIGN_OR_RETURN(
        SqlRows rows,
        tx_.Exec("INSERT INTO documents (flow, idempotency_key, direction, doc_type, partner, "
                 "po_number, invoice_number, isa13, gs06, st02, step, state, attempts, "
                 "next_attempt_at, last_error_code, last_error_message, last_retry_class, "
                 "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                 "$12, 0, $13, $14, $15, $16, $13, $13) "
                 "ON CONFLICT (flow, idempotency_key) DO NOTHING RETURNING id",
                 {flow, doc.idempotency_key, DirectionName(doc.direction), doc.type, doc.partner,
                  SqlParam::TextOrNull(doc.po_number), SqlParam::TextOrNull(doc.invoice_number),
                  SqlParam::TextOrNull(doc.control.isa13), SqlParam::TextOrNull(doc.control.gs06),
                  SqlParam::TextOrNull(doc.control.st02), doc.step, DocStateName(doc.state), now_,
                  parked ? SqlParam(StatusCodeName(doc.error.code())) : SqlParam(),
                  parked ? SqlParam(doc.error.message()) : SqlParam(),
                  parked ? SqlParam(RetryClassName(doc.error.retry_class())) : SqlParam()}));
    if (!rows.empty()) return std::pair<int64_t, bool>(rows[0].Int(0), true);
    ASSIGN_OR_RETURN(rows, tx_.Exec("SELECT id FROM documents WHERE flow = $1 AND "
                                    "idempotency_key = $2",
                                    {flow, doc.idempotency_key}));
    if (rows.empty()) return InternalError("document conflicted but cannot be found");
    return std::pair<int64_t, bool>(rows[0].Int(0), false);
  }

  Status PutPayload(int64_t document_id, const PayloadIn& p) override {
    if (p.step.empty() || p.kind.empty()) {
      return InvalidArgumentError("storing a payload: step and kind are required");
    }
    std::string packed = Compress(p.data);
    return tx_
        .Exec(
            "INSERT INTO payloads (document_id, step, kind, media_type, codec, raw_size, data, "
            "created_at) VALUES ($1, $2, $3, $4, 'zlib', $5, $6, $7) "
            "ON CONFLICT (document_id, step, kind) DO UPDATE SET media_type = "
            "excluded.media_type, codec = excluded.codec, raw_size = excluded.raw_size, "
            "data = excluded.data, created_at = excluded.created_at",
            {document_id, p.step, p.kind, p.media_type, static_cast<int64_t>(p.data.size()),
             SqlParam::Blob(packed), now_})
        .status();
  }

  Status AppendAudit(int64_t document_id, const NewAuditEvent& e) override {
    if (e.event.empty()) return InvalidArgumentError("appending an audit event: no event name");
    const bool err = !e.error.ok();
    return tx_
        .Exec(
            "INSERT INTO audit_events (document_id, at, event, step, actor, detail, "
            "error_code, error_message, retry_class) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
            "$9)",
            {document_id, now_, e.event, SqlParam::TextOrNull(e.step),
             SqlParam::TextOrNull(e.actor), SqlParam::TextOrNull(e.detail),
             err ? SqlParam(StatusCodeName(e.error.code())) : SqlParam(),
             err ? SqlParam(e.error.message()) : SqlParam(),
             err ? SqlParam(RetryClassName(e.error.retry_class())) : SqlParam()})
        .status();
  }

  Result<std::optional<std::string>> GetCursor(std::string_view flow) override {
    ASSIGN_OR_RETURN(SqlRows rows, tx_.Exec("SELECT value FROM cursors WHERE flow = $1", {flow}));
    if (rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(rows[0].Text(0));
  }

  Status SetCursor(std::string_view flow, std::string_view value) override {
    return tx_
        .Exec(
            "INSERT INTO cursors (flow, value, updated_at) VALUES ($1, $2, $3) "
            "ON CONFLICT (flow) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            {flow, value, now_})
        .status();
  }

  Result<ControlNumbers> AllocateControlNumbers(std::string_view partner) override {
    if (partner.empty()) return InvalidArgumentError("allocating control numbers: no partner");
    int64_t values[3];
    const char* kinds[3] = {"isa13", "gs06", "st02"};
    for (int i = 0; i < 3; ++i) {
      // The row lock taken by the upsert serialises concurrent allocators until commit.
      ASSIGN_OR_RETURN(
          SqlRows rows,
          tx_.Exec("INSERT INTO control_numbers (partner, kind, last_value, updated_at) "
                   "VALUES ($1, $2, 1, $3) ON CONFLICT (partner, kind) DO UPDATE SET "
                   "last_value = control_numbers.last_value + 1, updated_at = excluded.updated_at "
                   "RETURNING last_value",
                   {partner, kinds[i], now_}));
      values[i] = rows.at(0).Int(0);
      if (values[i] > kMaxControlNumber) {
        return OutOfRangeError(
            "allocating {} for partner {}: all 999999999 control numbers are used", kinds[i],
            partner);
      }
    }
    return ControlNumbers{fmt::format("{:09}", values[0]), fmt::format("{}", values[1]),
                          fmt::format("{:04}", values[2])};
  }

 private:
  SqlTx& tx_;
  int64_t now_;
};

class SqlStore final : public Store {
 public:
  SqlStore(std::unique_ptr<SqlDriver> driver, const Clock& clock)
      : driver_(std::move(driver)), clock_(clock) {}

  std::string_view backend() const override {
    return driver_->dialect() == Dialect::kSqlite ? "sqlite" : "postgresql";
  }

  Result<int> SchemaVersion() override {
    int v = 0;
    Status st = Read([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(SqlRows rows,
                       t.sql().Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
      v = static_cast<int>(rows.at(0).Int(0));
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    return v;
  }

  Status Transact(const std::function<Status(Transaction&)>& fn) override {
    return Write([&](SqlTransaction& t) { return fn(t); });
  }

  Result<IngestResult> Ingest(const IngestBatch& batch) override {
    IngestResult result;
    Status s = Write([&](SqlTransaction& t) -> Status {
      result = IngestResult();
      for (const NewDocument& doc : batch.documents) {
        ASSIGN_OR_RETURN(auto inserted, t.InsertDocument(batch.flow, doc));
        result.ids.push_back(inserted.first);
        if (!inserted.second) {
          ++result.duplicates;
          continue;
        }
        ++result.inserted;
        const int64_t id = inserted.first;
        for (const PayloadIn& p : doc.payloads) RETURN_IF_ERROR(t.PutPayload(id, p));
        bool has_received = std::any_of(doc.audit.begin(), doc.audit.end(),
                                        [](const auto& e) { return e.event == event::kReceived; });
        if (!has_received) {
          RETURN_IF_ERROR(
              t.AppendAudit(id, Ev(event::kReceived, doc.step, "", doc.idempotency_key)));
        }
        for (const NewAuditEvent& e : doc.audit) RETURN_IF_ERROR(t.AppendAudit(id, e));
        if (doc.state == DocState::kParked) {
          RETURN_IF_ERROR(t.AppendAudit(id, Ev(event::kParked, doc.step, "", "", doc.error)));
        }
      }
      if (batch.cursor) RETURN_IF_ERROR(t.SetCursor(batch.flow, *batch.cursor));
      return Status::Ok();
    });
    RETURN_IF_ERROR(s.WithContext(
        fmt::format("ingesting {} document(s) for flow {}", batch.documents.size(), batch.flow)));
    return result;
  }

  Result<std::optional<std::string>> GetCursor(std::string_view flow) override {
    std::optional<std::string> out;
    Status st = Read([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(out, t.GetCursor(flow));
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    return out;
  }

  Result<ControlNumbers> AllocateControlNumbers(std::string_view partner) override {
    ControlNumbers out;
    Status st = Write([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(out, t.AllocateControlNumbers(partner));
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    return out;
  }

  Result<Document> GetDocument(int64_t id) override {
    DocumentQuery q;
    q.document_id = id;
    q.limit = 1;
    ASSIGN_OR_RETURN(auto docs, ListDocuments(q));
    if (docs.empty()) return NotFoundError("document {} not found", id);
    return std::move(docs[0]);
  }

  Result<std::vector<Document>> ListDocuments(const DocumentQuery& q) override {
    SqlParams params;
    std::string where = Filters(q, "d.created_at", params);
    std::string sql = "SELECT " + DocColumns("d.") + " FROM documents d WHERE " + where +
                      " ORDER BY d.id LIMIT " + std::to_string(std::max(q.limit, 0));
    std::vector<Document> out;
    Status st = Read([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec(sql, params));
      out.clear();
      for (const auto& r : rows) out.push_back(DocumentFromRow(r));
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    return out;
  }

  Result<std::vector<StateCount>> CountDocuments() override {
    std::vector<StateCount> out;
    Status st = Read([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(SqlRows rows,
                       t.sql().Exec("SELECT flow, state, COUNT(*), MIN(next_attempt_at), "
                                    "MAX(updated_at) FROM documents GROUP BY flow, state "
                                    "ORDER BY flow, state"));
      out.clear();
      for (const auto& r : rows) {
        auto state = ParseDocState(r.Text(1));
        if (!state) return DataLossError("document state '{}' is unknown", r.Text(1));
        out.push_back({.flow = r.Text(0),
                       .state = *state,
                       .count = r.Int(2),
                       .oldest_next_attempt = FromUs(r.Int(3)),
                       .latest_update = FromUs(r.Int(4))});
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(st.WithContext("counting documents by flow and state"));
    return out;
  }

  Result<Payload> GetPayload(int64_t document_id, std::string_view step,
                             std::string_view kind) override {
    ASSIGN_OR_RETURN(auto all, ReadPayloads(document_id, step, kind));
    if (all.empty()) {
      return NotFoundError("document {} has no {} payload for step {}", document_id, kind, step);
    }
    return std::move(all[0]);
  }

  Result<std::vector<Payload>> ListPayloads(int64_t document_id) override {
    return ReadPayloads(document_id, "", "");
  }

  Status AppendAudit(int64_t document_id, const NewAuditEvent& e) override {
    return Write([&](SqlTransaction& t) { return t.AppendAudit(document_id, e); });
  }

  Result<std::vector<AuditEvent>> QueryAudit(const AuditQuery& q) override {
    SqlParams params;
    std::string where = Filters(q, "a.at", params);
    if (q.event) {
      params.emplace_back(*q.event);
      where += " AND a.event = $" + std::to_string(params.size());
    }
    std::string sql = "SELECT " + std::string(kAuditColumns) +
                      " FROM audit_events a JOIN documents d ON d.id = a.document_id WHERE " +
                      where + " ORDER BY a.id LIMIT " + std::to_string(std::max(q.limit, 0));
    std::vector<AuditEvent> out;
    Status st = Read([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec(sql, params));
      out.clear();
      for (const auto& r : rows) out.push_back(AuditFromRow(r));
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    return out;
  }

  Result<std::vector<Claimed>> Claim(const ClaimRequest& req) override {
    if (req.worker_id.empty() || req.limit <= 0 || req.lease_duration.count() <= 0) {
      return InvalidArgumentError("claiming: a worker id, a positive limit and lease are needed");
    }
    std::vector<Claimed> out;
    Status s = Write([&](SqlTransaction& t) -> Status {
      const int64_t expires = t.now() + req.lease_duration.count() * 1000;
      SqlParams params = {req.worker_id, expires, t.now(), req.limit};
      std::string due =
          "((state IN ('pending', 'retry_wait') AND next_attempt_at <= $3) OR "
          "(state = 'in_flight' AND lease_expires_at <= $3))";
      if (!req.steps.empty()) due += " AND step IN " + internal::InList(req.steps, params);
      if (!req.flows.empty()) due += " AND flow IN " + internal::InList(req.flows, params);
      const std::string set =
          "state = 'in_flight', lease_owner = $1, lease_epoch = lease_epoch + 1, "
          "lease_expires_at = $2, attempts = attempts + 1, updated_at = $3";
      std::string sql;
      if (driver_->dialect() == Dialect::kPostgres) {
        // SKIP LOCKED: concurrent claimers pass over each other's rows instead of waiting.
        sql = "WITH c AS (SELECT id FROM documents WHERE " + due +
              " ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) "
              "UPDATE documents d SET " +
              set + " FROM c WHERE d.id = c.id RETURNING " + DocColumns("d.");
      } else {
        // One statement under the write lock (BEGIN IMMEDIATE): no other claimer in between.
        sql = "UPDATE documents SET " + set + " WHERE id IN (SELECT id FROM documents WHERE " +
              due + " ORDER BY next_attempt_at, id LIMIT $4) RETURNING " + DocColumns("");
      }
      ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec(sql, params));
      out.clear();
      for (const auto& r : rows) {
        Document d = DocumentFromRow(r);
        Lease lease{d.id, req.worker_id, d.lease_epoch, FromUs(expires)};
        out.push_back({std::move(d), std::move(lease)});
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(s.WithContext("claiming documents"));
    std::sort(out.begin(), out.end(),
              [](const Claimed& a, const Claimed& b) { return a.document.id < b.document.id; });
    return out;
  }

  Status Complete(const Lease& lease, const Completion& c) override {
    return Write([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(auto cur, LockLeased(t, lease));
      return CompleteIn(t, lease, cur.step, c, event::kCompleted, Status::Ok());
    });
  }

  Result<FailOutcome> Fail(const Lease& lease, const Status& error,
                           const FailPolicy& policy) override {
    if (error.ok())
      return InvalidArgumentError("failing document {}: the error is OK", lease.document_id);
    FailOutcome outcome = FailOutcome::kParked;
    Status s = Write([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(auto cur, LockLeased(t, lease));
      const int64_t id = lease.document_id;
      if (error.code() == StatusCode::kCancelled) {
        // Shutdown mid-step: back to pending without using up an attempt.
        outcome = FailOutcome::kRequeued;
        RETURN_IF_ERROR(Update(t, lease,
                               "state = 'pending', attempts = CASE WHEN attempts > 0 THEN "
                               "attempts - 1 ELSE 0 END, next_attempt_at = $3",
                               {t.now()}));
        return t.AppendAudit(id, Ev(event::kRequeued, cur.step, lease.owner, "", error));
      }
      const RetryClass cls = error.retry_class();
      if (cls == RetryClass::kDelivered) {
        outcome = FailOutcome::kDelivered;
        Completion c{.next_step = policy.next_step_if_delivered, .outputs = {}, .audit = {}};
        return CompleteIn(t, lease, cur.step, c, event::kDelivered, error);
      }
      RETURN_IF_ERROR(t.AppendAudit(
          id,
          Ev(event::kFailed, cur.step, lease.owner,
             fmt::format("attempt {} of {}", cur.attempts, policy.backoff.max_attempts), error)));
      const SqlParams err = {SqlParam(StatusCodeName(error.code())), error.message(),
                             RetryClassName(cls)};
      if (cls == RetryClass::kRetriable && cur.attempts < policy.backoff.max_attempts) {
        outcome = FailOutcome::kRetryScheduled;
        uint64_t r = policy.random ? policy.random() : ThreadRandom();
        auto delay = policy.backoff.Delay(cur.attempts, r);
        const int64_t next = t.now() + delay.count() * 1000;
        return Update(t, lease,
                      "state = 'retry_wait', next_attempt_at = $3, last_error_code = $4, "
                      "last_error_message = $5, last_retry_class = $6",
                      {next, err[0], err[1], err[2]});
      }
      outcome = FailOutcome::kParked;
      RETURN_IF_ERROR(Update(t, lease,
                             "state = 'parked', last_error_code = $3, last_error_message = $4, "
                             "last_retry_class = $5",
                             {err[0], err[1], err[2]}));
      return t.AppendAudit(id, Ev(event::kParked, cur.step, lease.owner, "", error));
    });
    RETURN_IF_ERROR(s);
    return outcome;
  }

  Status ExtendLease(Lease& lease, std::chrono::milliseconds duration) override {
    int64_t expires = 0;
    Status st = Write([&](SqlTransaction& t) -> Status {
      expires = t.now() + duration.count() * 1000;
      ASSIGN_OR_RETURN(SqlRows rows,
                       t.sql().Exec("UPDATE documents SET lease_expires_at = $1 WHERE id = $2 "
                                    "AND lease_epoch = $3 AND state = 'in_flight' RETURNING id",
                                    {expires, lease.document_id, lease.epoch}));
      if (rows.empty()) return LeaseLost(lease);
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    lease.expires_at = FromUs(expires);
    return Status::Ok();
  }

  Status Replay(int64_t document_id, std::string_view actor, std::string_view reason) override {
    return Write([&](SqlTransaction& t) { return ReplayIn(t, document_id, actor, reason); });
  }

  Result<int> ReplayParked(std::optional<std::string> partner, std::string_view actor) override {
    int n = 0;
    Status st = Write([&](SqlTransaction& t) -> Status {
      n = 0;
      SqlParams params;
      std::string sql = "SELECT id FROM documents WHERE state = 'parked'";
      if (partner) {
        params.emplace_back(*partner);
        sql += " AND partner = $1";
      }
      ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec(sql + " ORDER BY id", params));
      for (const auto& r : rows) {
        RETURN_IF_ERROR(ReplayIn(t, r.Int(0), actor, "replay of all parked documents"));
        ++n;
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    return n;
  }

  Result<LockAttempt> AcquireLock(std::string_view name, std::string_view owner,
                                  std::chrono::milliseconds ttl) override {
    RETURN_IF_ERROR(CheckLockArgs(name, owner, ttl));
    LockAttempt out;
    Status st = Write([&](SqlTransaction& t) -> Status {
      const int64_t expires = t.now() + ttl.count() * 1000;
      // One statement, so two processes can never both win: the conflicting row is updated only
      // when its hold expired or is already ours (PostgreSQL re-checks the WHERE on the row's
      // latest version after waiting for a concurrent acquirer; SQLite has one writer).
      ASSIGN_OR_RETURN(
          SqlRows rows,
          t.sql().Exec("INSERT INTO flow_locks (name, owner, epoch, acquired_at, expires_at) "
                       "VALUES ($1, $2, 1, $3, $4) ON CONFLICT (name) DO UPDATE SET "
                       "owner = excluded.owner, epoch = flow_locks.epoch + 1, "
                       "acquired_at = excluded.acquired_at, expires_at = excluded.expires_at "
                       "WHERE flow_locks.expires_at <= $3 OR flow_locks.owner = $2 "
                       "RETURNING epoch",
                       {name, owner, t.now(), expires}));
      return LockOutcome(t, name, owner, expires, rows, out);
    });
    RETURN_IF_ERROR(st.WithContext(fmt::format("acquiring lock '{}'", name)));
    return out;
  }

  Result<LockAttempt> TakeOverLock(const NamedLock& holder, std::string_view owner,
                                   std::chrono::milliseconds ttl) override {
    RETURN_IF_ERROR(CheckLockArgs(holder.name, owner, ttl));
    LockAttempt out;
    Status st = Write([&](SqlTransaction& t) -> Status {
      const int64_t expires = t.now() + ttl.count() * 1000;
      ASSIGN_OR_RETURN(
          SqlRows rows,
          t.sql().Exec("UPDATE flow_locks SET owner = $1, epoch = epoch + 1, acquired_at = $2, "
                       "expires_at = $3 WHERE name = $4 AND owner = $5 AND epoch = $6 "
                       "RETURNING epoch",
                       {owner, t.now(), expires, holder.name, holder.owner, holder.epoch}));
      return LockOutcome(t, holder.name, owner, expires, rows, out);
    });
    RETURN_IF_ERROR(st.WithContext(
        fmt::format("taking lock '{}' over from {}", holder.name, holder.owner)));
    return out;
  }

  Status RenewLock(NamedLock& lock, std::chrono::milliseconds ttl) override {
    int64_t expires = 0;
    Status st = Write([&](SqlTransaction& t) -> Status {
      expires = t.now() + ttl.count() * 1000;
      // A hold that expired but was not taken over is still ours to renew (same epoch).
      ASSIGN_OR_RETURN(SqlRows rows,
                       t.sql().Exec("UPDATE flow_locks SET expires_at = $1 WHERE name = $2 AND "
                                    "owner = $3 AND epoch = $4 RETURNING epoch",
                                    {expires, lock.name, lock.owner, lock.epoch}));
      if (rows.empty()) {
        return AbortedError("lock '{}': hold {} of {} was lost (taken over or released)",
                            lock.name, lock.epoch, lock.owner);
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    lock.expires_at = FromUs(expires);
    return Status::Ok();
  }

  Status ReleaseLock(const NamedLock& lock) override {
    return Write([&](SqlTransaction& t) -> Status {
      return t.sql()
          .Exec("UPDATE flow_locks SET expires_at = $1 WHERE name = $2 AND owner = $3 AND "
                "epoch = $4 AND expires_at > $1",
                {t.now(), lock.name, lock.owner, lock.epoch})
          .status();
    });
  }

  Result<std::vector<NamedLock>> ListLocks() override {
    std::vector<NamedLock> out;
    Status st = Read([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec("SELECT name, owner, epoch, expires_at FROM "
                                                  "flow_locks ORDER BY name"));
      out.clear();
      for (const auto& r : rows) {
        out.push_back({r.Text(0), r.Text(1), r.Int(2), FromUs(r.Int(3))});
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    return out;
  }

  Status PutSecret(const SealedSecret& s) override {
    return Write([&](SqlTransaction& t) -> Status {
      return t.sql()
          .Exec(
              "INSERT INTO secrets (name, nonce, ciphertext, key_id, created_at, updated_at) "
              "VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (name) DO UPDATE SET "
              "nonce = excluded.nonce, ciphertext = excluded.ciphertext, "
              "key_id = excluded.key_id, updated_at = excluded.updated_at",
              {s.name, SqlParam::Blob(s.nonce), SqlParam::Blob(s.ciphertext), s.key_id, t.now()})
          .status();
    });
  }

  Result<SealedSecret> GetSecret(std::string_view name) override {
    ASSIGN_OR_RETURN(auto all, ReadSecrets(name));
    if (all.empty()) return NotFoundError("secret '{}' is not in the vault", name);
    return std::move(all[0]);
  }

  Result<std::vector<SealedSecret>> ListSecrets() override { return ReadSecrets(std::nullopt); }

  Status ReplaceSecrets(const std::vector<SealedSecret>& secrets) override {
    return Write([&](SqlTransaction& t) -> Status {
      for (const SealedSecret& s : secrets) {
        ASSIGN_OR_RETURN(SqlRows rows,
                         t.sql().Exec("UPDATE secrets SET nonce = $1, ciphertext = $2, "
                                      "key_id = $3, updated_at = $4 WHERE name = $5 RETURNING "
                                      "name",
                                      {SqlParam::Blob(s.nonce), SqlParam::Blob(s.ciphertext),
                                       s.key_id, t.now(), s.name}));
        if (rows.empty()) return NotFoundError("secret '{}' vanished during rotation", s.name);
      }
      return Status::Ok();
    });
  }

 private:
  struct Current {
    std::string step;
    int attempts = 0;
  };

  Status Write(const std::function<Status(SqlTransaction&)>& fn) {
    return driver_->Transact(TxMode::kWrite, [&](SqlTx& tx) {
      SqlTransaction t(tx, clock_);
      return fn(t);
    });
  }
  Status Read(const std::function<Status(SqlTransaction&)>& fn) {
    return driver_->Transact(TxMode::kRead, [&](SqlTx& tx) {
      SqlTransaction t(tx, clock_);
      return fn(t);
    });
  }

  static Status CheckLockArgs(std::string_view name, std::string_view owner,
                              std::chrono::milliseconds ttl) {
    if (name.empty() || owner.empty() || ttl.count() <= 0) {
      return InvalidArgumentError("lock '{}' for '{}': name, owner and a positive ttl are required",
                                  name, owner);
    }
    return Status::Ok();
  }

  // Fills `out` from an acquiring statement's RETURNING rows: ours, or the current holder.
  static Status LockOutcome(SqlTransaction& t, std::string_view name, std::string_view owner,
                            int64_t expires, const SqlRows& returned, LockAttempt& out) {
    if (!returned.empty()) {
      out = {true, {std::string(name), std::string(owner), returned[0].Int(0), FromUs(expires)}};
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec("SELECT owner, epoch, expires_at FROM flow_locks "
                                                "WHERE name = $1",
                                                {name}));
    out = {false, {std::string(name), "", 0, Instant()}};
    if (!rows.empty()) {
      out.lock = {std::string(name), rows[0].Text(0), rows[0].Int(1), FromUs(rows[0].Int(2))};
    }
    return Status::Ok();
  }

  static Status LeaseLost(const Lease& lease) {
    return AbortedError("document {}: lease {} of {} was lost (reclaimed or finished)",
                        lease.document_id, lease.epoch, lease.owner);
  }

  // Reads the leased document's step and attempts, locking its row (PostgreSQL) so nothing
  // changes it until commit. ABORTED when the lease epoch is no longer current.
  Result<Current> LockLeased(SqlTransaction& t, const Lease& lease) {
    std::string sql =
        "SELECT step, attempts FROM documents WHERE id = $1 AND lease_epoch = $2 AND "
        "state = 'in_flight'";
    if (driver_->dialect() == Dialect::kPostgres) sql += " FOR UPDATE";
    ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec(sql, {lease.document_id, lease.epoch}));
    if (rows.empty()) return LeaseLost(lease);
    return Current{rows[0].Text(0), static_cast<int>(rows[0].Int(1))};
  }

  // UPDATE documents SET <set>, lease cleared, fenced by the lease. <set> may use $3 onwards
  // (extra); $1 is the id and $2 the epoch.
  Status Update(SqlTransaction& t, const Lease& lease, std::string_view set, SqlParams extra) {
    SqlParams params = {lease.document_id, lease.epoch};
    for (auto& p : extra) params.push_back(std::move(p));
    params.emplace_back(t.now());
    const std::string now = "$" + std::to_string(params.size());
    std::string sql = "UPDATE documents SET " + std::string(set) +
                      ", lease_owner = NULL, lease_expires_at = NULL, updated_at = " + now +
                      " WHERE id = $1 AND lease_epoch = $2 AND state = 'in_flight' RETURNING id";
    ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec(sql, params));
    if (rows.empty()) return LeaseLost(lease);
    return Status::Ok();
  }

  Status CompleteIn(SqlTransaction& t, const Lease& lease, const std::string& step,
                    const Completion& c, std::string_view ev, const Status& error) {
    const int64_t id = lease.document_id;
    for (PayloadIn p : c.outputs) {
      if (p.step.empty()) p.step = step;
      RETURN_IF_ERROR(t.PutPayload(id, p));
    }
    for (NewAuditEvent e : c.audit) {
      if (e.step.empty()) e.step = step;
      if (e.actor.empty()) e.actor = lease.owner;
      RETURN_IF_ERROR(t.AppendAudit(id, e));
    }
    RETURN_IF_ERROR(
        t.AppendAudit(id, Ev(ev, step, lease.owner,
                             c.next_step.empty() ? "done" : "next step " + c.next_step, error)));
    const std::string clear_error =
        "last_error_code = NULL, last_error_message = NULL, last_retry_class = NULL";
    if (c.next_step.empty()) {
      return Update(t, lease, "state = 'done', " + clear_error, {});
    }
    return Update(
        t, lease,
        "state = 'pending', step = $3, attempts = 0, next_attempt_at = $4, " + clear_error,
        {c.next_step, t.now()});
  }

  Status ReplayIn(SqlTransaction& t, int64_t id, std::string_view actor, std::string_view why) {
    std::string sql = "SELECT state, step FROM documents WHERE id = $1";
    if (driver_->dialect() == Dialect::kPostgres) sql += " FOR UPDATE";
    ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec(sql, {id}));
    if (rows.empty()) return NotFoundError("replaying document {}: no such document", id);
    const std::string state = rows[0].Text(0);
    if (state != "parked" && state != "retry_wait") {
      return FailedPreconditionError(
          "replaying document {}: it is {}; only parked or retry_wait documents can be replayed",
          id, state);
    }
    RETURN_IF_ERROR(t.sql().Exec(
        "UPDATE documents SET state = 'pending', attempts = 0, next_attempt_at = $2, "
        "lease_owner = NULL, lease_expires_at = NULL, last_error_code = NULL, "
        "last_error_message = NULL, last_retry_class = NULL, updated_at = $2 WHERE id = $1",
        {id, t.now()}));
    return t.AppendAudit(id, Ev(event::kReplayed, rows[0].Text(1), std::string(actor),
                                fmt::format("from {}: {}", state, why)));
  }

  // WHERE clause for documents (alias d) and audit (time column given).
  static std::string Filters(const DocumentQuery& q, std::string_view time_col, SqlParams& params) {
    auto next = [&](SqlParam p) {
      params.push_back(std::move(p));
      return "$" + std::to_string(params.size());
    };
    std::string w = std::string(time_col == "a.at" ? "a.id" : "d.id") + " > " + next(q.after_id);
    if (q.document_id) w += " AND d.id = " + next(*q.document_id);
    if (q.flow) w += " AND d.flow = " + next(*q.flow);
    if (q.partner) w += " AND d.partner = " + next(*q.partner);
    if (q.type) w += " AND d.doc_type = " + next(*q.type);
    if (q.business_key) {
      std::string p = next(*q.business_key);
      w += " AND (d.po_number = " + p + " OR d.invoice_number = " + p + ")";
    }
    if (q.control_number) {
      std::string p = next(*q.control_number);
      w += " AND (d.isa13 = " + p + " OR d.gs06 = " + p + " OR d.st02 = " + p + ")";
    }
    if (q.state) w += " AND d.state = " + next(DocStateName(*q.state));
    if (q.since) w += " AND " + std::string(time_col) + " >= " + next(Us(*q.since));
    if (q.until) w += " AND " + std::string(time_col) + " < " + next(Us(*q.until));
    return w;
  }

  Result<std::vector<Payload>> ReadPayloads(int64_t id, std::string_view step,
                                            std::string_view kind) {
    SqlParams params = {id};
    std::string sql =
        "SELECT document_id, step, kind, media_type, codec, raw_size, data, created_at FROM "
        "payloads WHERE document_id = $1";
    if (!step.empty()) {
      params.emplace_back(step);
      params.emplace_back(kind);
      sql += " AND step = $2 AND kind = $3";
    }
    sql += " ORDER BY created_at, step, kind";
    SqlRows rows;
    Status st = Read([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(rows, t.sql().Exec(sql, params));
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    std::vector<Payload> out;
    for (const auto& r : rows) {
      Payload p;
      p.document_id = r.Int(0);
      p.step = r.Text(1);
      p.kind = r.Text(2);
      p.media_type = r.Text(3);
      std::string packed = r.Blob(6);
      p.stored_size = static_cast<int64_t>(packed.size());
      if (r.Text(4) != "zlib") {
        return DataLossError("payload {}/{} of document {} has unknown codec '{}'", p.step, p.kind,
                             id, r.Text(4));
      }
      ASSIGN_OR_RETURN(p.data, Decompress(packed, static_cast<size_t>(r.Int(5)))
                                   .WithContext(fmt::format("payload {}/{} of document {}", p.step,
                                                            p.kind, id)));
      p.created_at = FromUs(r.Int(7));
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<std::vector<SealedSecret>> ReadSecrets(std::optional<std::string_view> name) {
    SqlParams params;
    std::string sql = "SELECT name, nonce, ciphertext, key_id, created_at, updated_at FROM secrets";
    if (name) {
      params.emplace_back(*name);
      sql += " WHERE name = $1";
    }
    sql += " ORDER BY name";
    std::vector<SealedSecret> out;
    Status st = Read([&](SqlTransaction& t) -> Status {
      ASSIGN_OR_RETURN(SqlRows rows, t.sql().Exec(sql, params));
      out.clear();
      for (const auto& r : rows) {
        out.push_back(
            {r.Text(0), r.Blob(1), r.Blob(2), r.Text(3), FromUs(r.Int(4)), FromUs(r.Int(5))});
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    return out;
  }

  std::unique_ptr<SqlDriver> driver_;
  const Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const Clock& clock,
                                         const StoreOptions& options) {
  std::unique_ptr<SqlDriver> driver;
  if (url.substr(0, 7) == "sqlite:") {
    ASSIGN_OR_RETURN(driver, internal::OpenSqliteDriver(url, options.pool_size));
  } else if (url.substr(0, 13) == "postgresql://" || url.substr(0, 11) == "postgres://") {
    ASSIGN_OR_RETURN(driver, internal::OpenPostgresDriver(url, options.pool_size));
  } else {
    return InvalidArgumentError(
        "store url '{}': expected sqlite:///absolute/path.db or postgresql://host/db", url);
  }
  RETURN_IF_ERROR(internal::Migrate(*driver, clock));
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(driver), clock));
}

}  // namespace mlc::store
