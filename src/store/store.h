// The durable store: documents moving through the connector, their payloads, the append-only
// audit trail, flow cursors, X12 control numbers and sealed secrets. Everything that must
// survive a crash, a restart and a failed downstream call lives here (DESIGN.md, "The heart").
//
// One interface, selected by URL (OpenStore):
//   sqlite:///abs/path/state.db   one machine; WAL mode, a small connection pool
//   sqlite::memory:               tests; one connection
//   postgresql://host/db          several processes share the work (postgres:// also accepted)
// Both run the same logic (sql_store.cc) over a thin driver (sql.h); migrations (schema.h) are
// applied when the store opens.
//
// Documents and the relay:
//   pending --Claim--> in_flight --Complete--> pending at the next step, or done
//                          |--Fail, retriable and attempts < max--> retry_wait (next_attempt_at)
//                          |--Fail, otherwise--> parked          (ALREADY_EXISTS: Complete)
//   parked / retry_wait --Replay(by whom)--> pending at the same step
//   in_flight whose lease expired is claimable again (crash recovery).
// Each Claim bumps the document's lease epoch; Complete, Fail and ExtendLease succeed only with
// the current epoch (fencing), so a worker whose lease was taken over can never complete the
// document twice. `attempts` counts claims of the current step, so a document that crashes its
// worker every time also ends up parked.
//
// Ownership: OpenStore returns the Store; it keeps a reference to the Clock, which must outlive
// it. Thread safety: every method may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/retry.h"
#include "common/status.h"

namespace mlc::store {

enum class Direction : uint8_t { kIn, kOut };
enum class DocState : uint8_t { kPending, kInFlight, kRetryWait, kParked, kDone };

std::string_view DirectionName(Direction d);  // "in", "out"
std::string_view DocStateName(DocState s);    // "pending", "in_flight", "retry_wait", ...
std::optional<DocState> ParseDocState(std::string_view name);
std::optional<Direction> ParseDirection(std::string_view name);

// Audit event names used by the connector (the column is free text; these are the vocabulary).
namespace event {
inline constexpr std::string_view kReceived = "received";
inline constexpr std::string_view kParsed = "parsed";
inline constexpr std::string_view kValidated = "validated";
inline constexpr std::string_view kMapped = "mapped";
inline constexpr std::string_view kSent = "sent";
inline constexpr std::string_view kAcknowledged = "acknowledged";
inline constexpr std::string_view kCompleted = "completed";  // a step finished (detail: step)
inline constexpr std::string_view kDelivered = "delivered";  // ALREADY_EXISTS: found done
inline constexpr std::string_view kFailed = "failed";        // with error and retry class
inline constexpr std::string_view kParked = "parked";
inline constexpr std::string_view kRequeued = "requeued";  // CANCELLED: shutdown mid-step
inline constexpr std::string_view kReplayed = "replayed";  // actor: who asked
}  // namespace event

struct ControlNumbers {
  std::string isa13;  // interchange control number, 9 digits
  std::string gs06;   // group control number
  std::string st02;   // transaction set control number, at least 4 digits
};

// A payload to store: the bytes are compressed (zlib) on the way in.
struct PayloadIn {
  std::string step{};
  std::string kind{};        // "input", "output", or a name ("x12", "netsuite_response")
  std::string media_type{};  // "application/edi-x12", "application/json"
  std::string data{};
};

struct Payload {
  int64_t document_id = 0;
  std::string step;
  std::string kind;
  std::string media_type;
  std::string data;         // decompressed
  int64_t stored_size = 0;  // compressed size in the store
  Instant created_at;
};

// An audit event to append (the store fills the document id and the time).
struct NewAuditEvent {
  std::string event{};   // event::k*
  std::string step{};    // the step it concerns, if any
  std::string actor{};   // worker id or person ("replayed by")
  std::string detail{};  // short free text (never a payload or a secret)
  Status error{};        // failed: code, message and retry class are recorded
};

struct AuditEvent {
  int64_t id = 0;
  int64_t document_id = 0;
  Instant at;
  std::string event;
  std::string step;
  std::string actor;
  std::string detail;
  std::string error_code;     // "UNAVAILABLE", or empty
  std::string error_message;  // redacted when recorded
  std::string retry_class;    // "retriable", "park", "delivered", or empty
};

struct NewDocument {
  std::string idempotency_key{};  // unique within the flow (IngestBatch::flow)
  Direction direction = Direction::kOut;
  std::string type{};  // "850", "810", "855", "997", "999", ...
  std::string partner{};
  std::string po_number{};
  std::string invoice_number{};
  ControlNumbers control{};
  std::string step{};                   // the first step the relay runs
  DocState state = DocState::kPending;  // or kParked for an item that failed to map
  Status error{};                       // why it is parked (kParked only)
  std::vector<PayloadIn> payloads{};
  std::vector<NewAuditEvent> audit{};  // "received" is added by the store unless given
};

struct Document {
  int64_t id = 0;
  std::string flow;
  std::string idempotency_key;
  Direction direction = Direction::kOut;
  std::string type;
  std::string partner;
  std::string po_number;
  std::string invoice_number;
  ControlNumbers control;
  std::string step;
  DocState state = DocState::kPending;
  int attempts = 0;
  Instant next_attempt_at;
  std::string lease_owner;
  int64_t lease_epoch = 0;
  std::optional<Instant> lease_expires_at;
  std::string last_error_code;
  std::string last_error_message;
  std::string last_retry_class;
  Instant created_at;
  Instant updated_at;
};

// The right to finish one step of one document, until `expires_at`.
struct Lease {
  int64_t document_id = 0;
  std::string owner;
  int64_t epoch = 0;  // the fencing token
  Instant expires_at;
};

struct Claimed {
  Document document;
  Lease lease;
};

struct ClaimRequest {
  std::string worker_id{};
  std::vector<std::string> steps{};  // empty: any step
  std::vector<std::string> flows{};  // empty: any flow
  int limit = 10;
  std::chrono::milliseconds lease_duration{std::chrono::minutes(5)};
};

struct Completion {
  std::string next_step{};  // empty: the document is done
  std::vector<PayloadIn> outputs{};
  std::vector<NewAuditEvent> audit{};  // a "completed" event is added by the store
};

struct FailPolicy {
  BackoffPolicy backoff;               // max_attempts and the delays for retry_wait
  std::string next_step_if_delivered;  // ALREADY_EXISTS completes the step towards this
  // Random input to the jitter; empty: a thread-local PRNG.
  std::function<uint64_t()> random;
};

enum class FailOutcome : uint8_t { kRetryScheduled, kParked, kDelivered, kRequeued };
std::string_view FailOutcomeName(FailOutcome o);

// Filters are ANDed; unset ones match everything. Results come in id order, after `after_id`,
// at most `limit` (paging: pass the last id seen).
struct DocumentQuery {
  std::optional<int64_t> document_id{};
  std::optional<std::string> flow{};
  std::optional<std::string> partner{};
  std::optional<std::string> type{};
  std::optional<std::string> business_key{};    // PO number or invoice number
  std::optional<std::string> control_number{};  // ISA13, GS06 or ST02
  std::optional<DocState> state{};
  std::optional<Instant> since{};      // documents: created_at >= since; audit: event time
  std::optional<Instant> until{};      // exclusive
  std::optional<std::string> event{};  // audit queries only
  int64_t after_id = 0;
  int limit = 100;
};
using AuditQuery = DocumentQuery;

struct IngestBatch {
  std::string flow{};
  std::vector<NewDocument> documents{};
  std::optional<std::string> cursor{};  // the flow's new cursor, saved with the documents
};

struct IngestResult {
  std::vector<int64_t> ids;  // one per input document (existing id for a duplicate)
  int inserted = 0;
  int duplicates = 0;
};

// Documents of one flow in one state (Store::CountDocuments).
struct StateCount {
  std::string flow;
  DocState state = DocState::kPending;
  int64_t count = 0;
  Instant oldest_next_attempt;  // MIN(next_attempt_at): for pending/retry_wait, the most overdue
  Instant latest_update;        // MAX(updated_at)
};

// A named, expiring lock (Store::AcquireLock): the right to do one kind of work in one process
// at a time (the daemon takes "ingest:<flow>" around a flow's ingest). `epoch` grows by one on
// every acquisition, so a holder that lost the lock (it expired and was taken over) can never
// renew or release its successor's hold.
struct NamedLock {
  std::string name;
  std::string owner;
  int64_t epoch = 0;
  Instant expires_at;
};

struct LockAttempt {
  bool acquired = false;
  NamedLock lock;  // ours when acquired, else the current holder's
};

struct SealedSecret {
  std::string name;
  std::string nonce;
  std::string ciphertext;
  std::string key_id;
  Instant created_at;
  Instant updated_at;
};

// Operations inside one store transaction (Store::Transact). Valid only inside the callback.
class Transaction {
 public:
  virtual ~Transaction() = default;
  // Inserts a document unless (flow, idempotency_key) exists. Returns {id, inserted}.
  virtual Result<std::pair<int64_t, bool>> InsertDocument(std::string_view flow,
                                                          const NewDocument& doc) = 0;
  // Stores (or replaces) the payload for (document, step, kind), compressed.
  virtual Status PutPayload(int64_t document_id, const PayloadIn& payload) = 0;
  virtual Status AppendAudit(int64_t document_id, const NewAuditEvent& e) = 0;
  virtual Result<std::optional<std::string>> GetCursor(std::string_view flow) = 0;
  virtual Status SetCursor(std::string_view flow, std::string_view value) = 0;
  // Next ISA13, GS06 and ST02 for the partner (each counter +1, zero-padded to 9 digits for
  // ISA13 and 4 or more for ST02). Never reused once committed. OUT_OF_RANGE at 999999999.
  virtual Result<ControlNumbers> AllocateControlNumbers(std::string_view partner) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual std::string_view backend() const = 0;  // "sqlite" or "postgresql"
  virtual Result<int> SchemaVersion() = 0;

  // Runs `fn` in one transaction (committed when it returns OK). On a database conflict the
  // whole callback is retried, so it must do nothing but call the Transaction.
  virtual Status Transact(const std::function<Status(Transaction&)>& fn) = 0;

  // Ingest in ONE transaction: inserts new documents (a duplicate idempotency key is a no-op,
  // its payloads and events are not added), their payloads and audit events, and the cursor.
  // Any failure leaves none of it.
  virtual Result<IngestResult> Ingest(const IngestBatch& batch) = 0;

  virtual Result<std::optional<std::string>> GetCursor(std::string_view flow) = 0;
  virtual Result<ControlNumbers> AllocateControlNumbers(std::string_view partner) = 0;

  // NOT_FOUND when there is no such document.
  virtual Result<Document> GetDocument(int64_t id) = 0;
  virtual Result<std::vector<Document>> ListDocuments(const DocumentQuery& q) = 0;
  // One row per (flow, state) that has documents, ordered by flow then state name: one GROUP BY
  // over the documents table, cheap enough for every /metrics scrape. A pending or retry_wait
  // row whose oldest_next_attempt <= now has documents due for the relay; now minus it is the
  // relay lag.
  virtual Result<std::vector<StateCount>> CountDocuments() = 0;

  // NOT_FOUND when absent; DATA_LOSS when the stored bytes do not decompress.
  virtual Result<Payload> GetPayload(int64_t document_id, std::string_view step,
                                     std::string_view kind) = 0;
  virtual Result<std::vector<Payload>> ListPayloads(int64_t document_id) = 0;

  virtual Status AppendAudit(int64_t document_id, const NewAuditEvent& e) = 0;
  virtual Result<std::vector<AuditEvent>> QueryAudit(const AuditQuery& q) = 0;

  // Claims up to `limit` due documents: pending or retry_wait with next_attempt_at <= now, or
  // in_flight with an expired lease. Each becomes in_flight under a new lease, attempts + 1.
  virtual Result<std::vector<Claimed>> Claim(const ClaimRequest& req) = 0;
  // Finishes the leased step: outputs, audit and the move to the next step (or done) in one
  // transaction. ABORTED ("lease lost") when the epoch is no longer current.
  virtual Status Complete(const Lease& lease, const Completion& c) = 0;
  // Records a failed step and applies its retry class (see the header comment). ABORTED when
  // the lease was lost. `error` must not be OK (INVALID_ARGUMENT).
  virtual Result<FailOutcome> Fail(const Lease& lease, const Status& error,
                                   const FailPolicy& policy) = 0;
  // Pushes the lease's expiry to now + duration. ABORTED when the lease was lost.
  virtual Status ExtendLease(Lease& lease, std::chrono::milliseconds duration) = 0;

  // Puts a parked or retry_wait document back to pending at its step, attempts 0, audited as
  // replayed by `actor`. FAILED_PRECONDITION for other states, NOT_FOUND for an unknown id.
  virtual Status Replay(int64_t document_id, std::string_view actor, std::string_view reason) = 0;
  // Replays every parked document (of one partner when given). Returns how many.
  virtual Result<int> ReplayParked(std::optional<std::string> partner, std::string_view actor) = 0;

  // Named locks (table flow_locks). Times come from the store's clock, like document leases, so
  // processes sharing a PostgreSQL store need clocks within a small fraction of the TTL.
  //
  // Takes `name` for `owner` until now + ttl, atomically (one upsert): when nobody holds it,
  // when the holder's hold expired, or when `owner` already holds it (re-entry renews it). Each
  // success bumps the epoch. Not acquired when another owner holds it unexpired (the attempt
  // then names that holder). INVALID_ARGUMENT for an empty name or owner or a ttl <= 0.
  virtual Result<LockAttempt> AcquireLock(std::string_view name, std::string_view owner,
                                          std::chrono::milliseconds ttl) = 0;
  // Takes the lock from `holder` although its hold has not expired: for a caller that knows the
  // holder is dead (a process of this host that no longer exists). Compare-and-set: acquired
  // only while the row is still exactly holder's hold (owner and epoch); otherwise not acquired,
  // naming whoever holds it now. Same errors as AcquireLock.
  virtual Result<LockAttempt> TakeOverLock(const NamedLock& holder, std::string_view owner,
                                           std::chrono::milliseconds ttl) = 0;
  // Pushes the hold's expiry to now + ttl. ABORTED ("lock lost") when the lock is no longer
  // held under this epoch (it expired and was taken over, or was released).
  virtual Status RenewLock(NamedLock& lock, std::chrono::milliseconds ttl) = 0;
  // Gives the lock up at once (it expires now; the row and its epoch stay). OK when it was
  // already lost: there is nothing left to give up.
  virtual Status ReleaseLock(const NamedLock& lock) = 0;
  // Every lock row, held or not, in name order (status pages, tests).
  virtual Result<std::vector<NamedLock>> ListLocks() = 0;

  // Sealed secrets (the vault, vault.h, does the sealing).
  virtual Status PutSecret(const SealedSecret& s) = 0;
  virtual Result<SealedSecret> GetSecret(std::string_view name) = 0;  // NOT_FOUND
  virtual Result<std::vector<SealedSecret>> ListSecrets() = 0;
  // Replaces every listed secret in one transaction (key rotation).
  virtual Status ReplaceSecrets(const std::vector<SealedSecret>& secrets) = 0;
};

struct StoreOptions {
  int pool_size = 4;  // connections per process
};

// Opens the store at `url` and applies pending migrations.
// Errors: INVALID_ARGUMENT for an unknown URL scheme; UNAVAILABLE when the database cannot be
// reached or opened; FAILED_PRECONDITION when its schema is newer than this program.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const Clock& clock,
                                         const StoreOptions& options = {});

}  // namespace mlc::store
