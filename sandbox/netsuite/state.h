// The NetSuite sandbox's account state in SQLite, and the REST answers computed from it.
//
// Tables and columns carry NetSuite's SuiteQL names (suiteql_sqlite.h), so SuiteQL runs on
// them after translation. Record API JSON is built in NetSuite's shapes (the real sample in
// tests/data/samples/netsuite/): references {links, id, refName}, sublists {links, items,
// totalResults} (only with expandSubResources), JSON numbers for quantities and amounts,
// ISO UTC date-times, plain dates. Money and quantities are Decimal (stored as text).
//
// Business rules (issue 5): a PO's status letter follows its lines (B pending receipt,
// D partially received, E pending billing/partially received, F pending bill, G fully billed);
// per-line quantityBilled / quantityReceived; a bill or receipt cannot exceed what remains;
// externalId is unique per record type; inactive vendors and items are refused; a repeated
// X-NetSuite-Idempotency-Key is 400 IDEMPOTENCY_ERROR. Errors use NetSuite's body form.
//
// The connector's custom fields (flows-plan.md): PATCH of a transaction stores
// custbody_mlc_edi_status, custbody_mlc_ack_status, custbody_mlc_ack_date and paymentHold, and per
// line (item.items keyed by `line`) custcol_mlc_ack_status and expectedReceiptDate; other line
// fields of a PATCH are ignored, and a line without `line` (an append in NetSuite) is refused.
// GET shows them under those names (left out while empty); SuiteQL has them as
// transaction.custbody_* / paymenthold and transactionline.custcol_* / expectedreceiptdate.
// A bill transform also takes expense.items [{account:{id}, amount, memo}] (lines with
// transactionline.expenseaccount, added to the total), paymentHold, memo and dueDate.
//
// Thread safety: every public member may be called from any thread; one mutex serialises
// database access.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "common/status.h"

namespace mlc::sandbox::netsuite {

struct SeedOptions {
  uint64_t seed = 1;
  int vendors = 20;
  int items = 300;
  int purchase_orders = 200;
  int max_lines = 5;  // lines per PO are 1..max_lines
  bool exact_lines = false;  // every PO gets exactly max_lines lines (benchmarks)
};

struct StateOptions {
  std::string db_path = ":memory:";
  std::chrono::minutes user_utc_offset{-6 * 60};  // the integration user's zone (SuiteQL)
  std::string public_base_url;  // for links, e.g. "http://127.0.0.1:8080"
};

// A REST answer: status, body (empty for 204) and Location for creates.
struct Answer {
  int status = 200;
  std::string body;
  std::string location;
  std::string content_type = "application/vnd.oracle.resource+json; type=singular";
};

// NetSuite's error body: {"type","title","status","o:errorDetails":[{detail,o:errorCode,..}]}.
Answer ErrorAnswer(int status, std::string_view code, std::string_view detail,
                   std::string_view path = "", std::string_view title = "");

class State {
 public:
  // Opens (creating when needed) the database. Errors: UNAVAILABLE when SQLite cannot open it.
  static Result<std::unique_ptr<State>> Open(StateOptions options);
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // Fills an empty account deterministically from `seed`; does nothing when data exists.
  Status Seed(const SeedOptions& seed);
  void set_public_base_url(std::string url);

  // POST /query/v1/suiteql. `limit` < 0: not given (1000).
  Answer SuiteQl(const std::string& body, int64_t limit, int64_t offset);
  // GET /record/v1/{type}/{id|eid:x}
  Answer Get(const std::string& type, const std::string& id, bool expand);
  // POST /record/v1/{type}
  Answer Create(const std::string& type, const std::string& body, const std::string& idem_key);
  // PATCH /record/v1/{type}/{id|eid:x}
  Answer Patch(const std::string& type, const std::string& id, const std::string& body);
  // PUT /record/v1/{type}/eid:{x}
  Answer Upsert(const std::string& type, const std::string& external_id, const std::string& body);
  // POST /record/v1/{from}/{id}/!transform/{to}; `replace_items` for ?replace=item.
  Answer Transform(const std::string& from_type, const std::string& id, const std::string& to_type,
                   const std::string& body, bool replace_items, const std::string& idem_key);

  // Test/admin helpers: number of records of `type` with this externalId; total transactions.
  int64_t CountByExternalId(const std::string& type, const std::string& external_id);
  int64_t CountTransactions(const std::string& type_code);

 private:
  explicit State(StateOptions options);
  struct Impl;
  StateOptions options_;
  std::mutex mu_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlc::sandbox::netsuite
