#include "flows/po_outbound.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cleo/client.h"
#include "common/civil_time.h"
#include "common/log.h"
#include "edi/documents.h"
#include "edi/schema.h"
#include "flows/edi_status.h"
#include "flows/po_detail.h"
#include "flows/reference_data.h"
#include "mapping/netsuite_po.h"
#include "mapping/x12_850.h"
#include "mapping/x12_860.h"
#include "mapping/x12_envelope.h"
#include "model/documents.h"

namespace mlc::flows {
namespace {

using nlohmann::json;

constexpr std::string_view kSendStep = "send";
constexpr std::string_view kWritebackStep = "writeback";  // netsuite.status_fields only
constexpr std::string_view kMapStep = "map";  // parked at ingest: could not be mapped
constexpr std::string_view kClosed = "H";     // NetSuite's status of a closed purchase order

// Idempotency key of one revision: "po:<internal id>:r<revision>:<fingerprint>".
std::string RevisionKey(std::string_view po_id, int revision, std::string_view fingerprint) {
  return fmt::format("po:{}:r{}:{}", po_id, revision, fingerprint);
}

struct KnownRevision {
  int revision = -1;        // of the latest document
  int sent_revisions = 0;   // documents that were not parked at mapping
  int64_t last_sent_id = -1;  // the latest of those: its "model" payload is what the partner has
  std::string fingerprint;  // of the latest document
};

// What the store already holds for PO `po_id` (number `po_number`).
Result<KnownRevision> LatestRevision(store::Store& store, std::string_view po_id,
                                     std::string_view po_number) {
  store::DocumentQuery q;
  q.flow = std::string(kPoOutbound);
  q.business_key = std::string(po_number);
  q.limit = 1000;
  ASSIGN_OR_RETURN(auto docs, store.ListDocuments(q));
  KnownRevision known;
  int64_t latest_id = -1;
  const std::string prefix = fmt::format("po:{}:r", po_id);
  for (const auto& d : docs) {
    if (d.idempotency_key.rfind(prefix, 0) != 0) continue;
    const std::string rest = d.idempotency_key.substr(prefix.size());
    const auto colon = rest.find(':');
    if (colon == std::string::npos) continue;
    if (d.step != kMapStep) {
      ++known.sent_revisions;
      known.last_sent_id = std::max(known.last_sent_id, d.id);
    }
    if (d.id > latest_id) {
      latest_id = d.id;
      known.revision = std::atoi(rest.substr(0, colon).c_str());
      known.fingerprint = rest.substr(colon + 1);
    }
  }
  return known;
}

std::vector<std::string> ItemIdsOf(const json& record) {
  std::vector<std::string> ids;
  auto items = record.find("item");
  if (items == record.end() || !items->is_object()) return ids;
  auto list = items->find("items");
  if (list == items->end() || !list->is_array()) return ids;
  for (const auto& line : *list) {
    auto item = line.find("item");
    if (item != line.end() && item->is_object() && item->contains("id") &&
        (*item)["id"].is_string()) {
      ids.push_back((*item)["id"].get<std::string>());
    }
  }
  return ids;
}

// Whether the 850 interchange `x12` replaces an earlier one (BEG01 "05").
bool IsReplace(std::string_view x12) {
  if (x12.size() < 4) return false;
  const char sep = x12[3];  // ISA's element separator
  const std::string beg = fmt::format("BEG{}05{}", sep, sep);
  return x12.find(beg) != std::string_view::npos;
}

// A PO read from NetSuite and what to record for it.
struct Prepared {
  const config::PartnerConfig* partner = nullptr;
  std::string internal_id;
  std::string number;
  std::string vendor;  // NetSuite internal id (the SuiteQL row's entity)
  int revision = 0;     // documents recorded for this PO before (the idempotency key's r<n>)
  int sent_before = 0;  // of those, the ones that went out (0: this is the original 850)
  std::string fingerprint;
  json record;
  json model;
  std::string type = "850";                // or "860": a change for a partner that wants one
  std::string functional_id;               // GS01 of `type`
  std::vector<edi::SegmentData> segments;  // empty when mapping failed
  Status error;                            // why it is parked
};

// Reads each PO with one Record API GET (`netsuite.po_detail: record`), by as many threads as
// the client's concurrency limit allows (the governor keeps NetSuite's limit).
Status ReadEachRecord(netsuite::Client& client, std::vector<Prepared>& prepared,
                      RunContext& ctx) {
  std::vector<Status> errors(prepared.size());
  std::atomic<size_t> next{0};
  std::atomic<int64_t> done{0};
  std::mutex progress_mu;
  auto worker = [&] {
    for (size_t i; (i = next++) < prepared.size();) {
      if (ctx.stopping()) {
        errors[i] = CancelledError("stopping");
        continue;
      }
      auto record = client.GetRecord("purchaseOrder", prepared[i].internal_id);
      if (record.ok()) {
        prepared[i].record = std::move(*record);
      } else {
        errors[i] = std::move(record).status().WithContext("reading purchase order " +
                                                           prepared[i].number);
      }
      std::lock_guard lock(progress_mu);
      ctx.Progress("reading purchase orders", ++done, static_cast<int64_t>(prepared.size()));
    }
  };
  const size_t threads = std::clamp<size_t>(
      static_cast<size_t>(client.options().concurrency_limit), 1, prepared.size() + 1);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (Status& e : errors) RETURN_IF_ERROR(e);
  return Status::Ok();
}

// Reads the POs with two SuiteQL queries per chunk (`netsuite.po_detail: suiteql`, po_detail.h).
// A PO that NetSuite no longer returns (deleted since the poll) is left out of this run.
Status ReadWithSuiteQl(netsuite::Client& client, std::vector<Prepared>& prepared,
                       RunContext& ctx, RunSummary& summary) {
  std::vector<std::string> ids;
  ids.reserve(prepared.size());
  for (const Prepared& p : prepared) ids.push_back(p.internal_id);
  ctx.Progress("reading purchase orders", 0, static_cast<int64_t>(prepared.size()));
  ASSIGN_OR_RETURN(auto records, ReadPurchaseOrders(client, ids)
                                     .WithContext("reading purchase orders with SuiteQL"));
  std::vector<Prepared> found;
  found.reserve(prepared.size());
  for (Prepared& p : prepared) {
    auto it = records.find(p.internal_id);
    if (it == records.end()) {
      summary.counts["gone_since_poll"] += 1;
      continue;
    }
    p.record = std::move(it->second);
    found.push_back(std::move(p));
  }
  prepared = std::move(found);
  ctx.Progress("reading purchase orders", static_cast<int64_t>(prepared.size()),
               static_cast<int64_t>(prepared.size()));
  return Status::Ok();
}

// GS01 of the set we send, from the schema tables (850: PO, 860: PC).
Result<std::string> FunctionalId(std::string_view type, const config::PartnerConfig& partner) {
  const edi::TransactionSetSchema* s =
      edi::SchemaRegistry::Builtin().Find(type, partner.x12_version);
  if (s == nullptr) {
    return FailedPreconditionError("no {} schema for X12 {} (partner {})", type,
                                   partner.x12_version, partner.id);
  }
  return s->functional_id;
}

// The PO as the partner last received it: the canonical JSON recorded with that revision.
// NOT_FOUND when that document has no model payload.
Result<model::PurchaseOrder> SentModel(store::Store& store, int64_t document_id) {
  ASSIGN_OR_RETURN(store::Payload payload, store.GetPayload(document_id, "ingest", "model"));
  json j = json::parse(payload.data, nullptr, false);
  if (j.is_discarded()) {
    return DataLossError("the model payload of document {} is not JSON", document_id);
  }
  return mapping::PurchaseOrderFromJson(j);
}

// An 860 for the change from the revision the partner has to `po` (partners with
// po_change_as: 860). Errors: those of SentModel, To860 and Build860.
Result<std::vector<edi::SegmentData>> ChangeSegments(store::Store& store,
                                                     const KnownRevision& known,
                                                     const model::PurchaseOrder& po,
                                                     const config::PartnerConfig& partner,
                                                     Instant now) {
  ASSIGN_OR_RETURN(model::PurchaseOrder before, SentModel(store, known.last_sent_id));
  ASSIGN_OR_RETURN(mapping::PurchaseOrderChange860 change,
                   mapping::To860(before, po, partner, known.sent_revisions, ToCivil(now).date));
  return mapping::Build860(change);
}

}  // namespace

class PoOutboundFlow::SendStep final : public store::StepHandler {
 public:
  explicit SendStep(const FlowEnv& env) : env_(env) {}

  Result<store::StepOutcome> Run(const store::Document& doc, store::StepContext& ctx) override {
    const config::PartnerConfig* partner = FindPartner(*env_.config, doc.partner);
    if (partner == nullptr) {
      return FailedPreconditionError("partner '{}' is no longer in the config; add it back and "
                                     "replay the document",
                                     doc.partner);
    }
    ASSIGN_OR_RETURN(std::string x12, ctx.Payload("x12"));
    ASSIGN_OR_RETURN(std::string name, cleo::OutboundFileName({.partner_id = partner->id,
                                                               .document_type = doc.type,
                                                               .isa13 = doc.control.isa13,
                                                               .gs06 = doc.control.gs06,
                                                               .st02 = doc.control.st02}));
    ASSIGN_OR_RETURN(cleo::FileTransport * transport, env_.transport(*partner));
    Status s = cleo::DropOutbound(*transport, env_.cleo_api,
                                  partner->transport.run_action_after_drop, name, x12);
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) {
      return std::move(s).WithContext(fmt::format("dropping {} for {}", name, partner->id));
    }
    store::StepOutcome out;
    if (StatusFieldsOn(*env_.config)) {
      // Recorded with the step's completion; the writeback step PATCHes it onto the PO.
      out.audit.push_back({.event = std::string(kEdiStatusEvent),
                           .step = std::string(kSendStep),
                           .actor = env_.worker_id,
                           .detail = SentStatusText(doc, env_.clock->Now(), IsReplace(x12))});
    }
    ++sent_;
    out.audit.push_back(
        {.event = std::string(store::event::kSent),
         .step = std::string(kSendStep),
         .actor = env_.worker_id,
         .detail = fmt::format("{} {} to {} outbox (ISA13 {}, GS06 {}, ST02 {}){}", name,
                               s.ok() ? "dropped" : "found", partner->id, doc.control.isa13,
                               doc.control.gs06, doc.control.st02,
                               s.ok() ? "" : ": delivered by an earlier attempt")});
    return out;
  }

  // 850s and 860s dropped since the last call.
  int64_t TakeSent() { return std::exchange(sent_, 0); }

 private:
  const FlowEnv& env_;
  int64_t sent_ = 0;
};

// Writes the 850's EDI status onto the PO (edi_status.h): "850 sent ..." or, when the 997 was
// reconciled first, what it said. Idempotent: the same text PATCHed again.
class PoOutboundFlow::WritebackStep final : public store::StepHandler {
 public:
  explicit WritebackStep(const FlowEnv& env) : env_(env) {}

  Result<store::StepOutcome> Run(const store::Document& doc, store::StepContext& ctx) override {
    store::StepOutcome out;
    if (!StatusFieldsOn(*env_.config)) {
      // Turned off while the document waited here: nothing to write, and nothing to lose.
      return out;
    }
    // The fallback for an 850 sent before the option was on: the time of its "sent" event.
    Instant sent_at = doc.updated_at;
    {
      store::AuditQuery q;
      q.document_id = doc.id;
      q.event = std::string(store::event::kSent);
      q.limit = 1;
      ASSIGN_OR_RETURN(auto sent, ctx.store().QueryAudit(q));
      if (!sent.empty()) sent_at = sent.front().at;
    }
    ASSIGN_OR_RETURN(std::string x12, ctx.Payload("x12", kSendStep));
    ASSIGN_OR_RETURN(std::optional<std::string> written,
                     WriteLatestEdiStatus(env_, ctx.store(), doc,
                                          SentStatusText(doc, sent_at, IsReplace(x12))));
    if (!written) {
      out.audit.push_back({.event = std::string(store::event::kCompleted),
                           .step = std::string(kWritebackStep),
                           .actor = env_.worker_id,
                           .detail = "a later revision of the PO was sent; its status stands"});
      return out;
    }
    ++written_;
    out.audit.push_back({.event = std::string(store::event::kSent),
                         .step = std::string(kWritebackStep),
                         .actor = env_.worker_id,
                         .detail = fmt::format("{} = \"{}\" on PO {}", kEdiStatusField, *written,
                                               doc.po_number)});
    return out;
  }

  int64_t TakeWritten() { return std::exchange(written_, 0); }

 private:
  const FlowEnv& env_;
  int64_t written_ = 0;
};

PoOutboundFlow::PoOutboundFlow(FlowEnv env, PoOutboundOptions options)
    : env_(std::move(env)),
      options_(std::move(options)),
      send_(std::make_unique<SendStep>(env_)),
      writeback_(std::make_unique<WritebackStep>(env_)) {}

PoOutboundFlow::~PoOutboundFlow() = default;

Result<RunSummary> PoOutboundFlow::Run(RunContext& ctx) {
  RunSummary summary;
  // One process at a time per flow when several share the store (runner.h); the relay, always.
  RETURN_IF_ERROR(ctx.Ingest(summary, [&] { return Ingest(ctx, summary); }));
  store::Relay relay(*env_.store, RelayOptionsFor(env_, kPoOutbound));
  relay.AddStep(std::string(kSendStep), *send_,
                StatusFieldsOn(*env_.config) ? std::string(kWritebackStep) : "");
  relay.AddStep(std::string(kWritebackStep), *writeback_, "");
  ASSIGN_OR_RETURN(store::RelayStats stats, relay.Drain(100, Stopping(ctx)));
  summary.counts["sent"] += send_->TakeSent();
  if (const int64_t w = writeback_->TakeWritten(); w > 0) summary.counts["status_written"] += w;
  AddRelayCounts(stats, summary);
  return summary;
}

Status PoOutboundFlow::Ingest(RunContext& ctx, RunSummary& summary) {
  if (env_.netsuite == nullptr) return FailedPreconditionError("po_outbound needs NetSuite");
  const config::Config& cfg = *env_.config;
  store::Store& st = *env_.store;

  // Where the last run stopped, minus the lookback window.
  std::optional<netsuite::KeysetPosition> after;
  ASSIGN_OR_RETURN(std::optional<std::string> cursor, st.GetCursor(kPoOutbound));
  if (cursor) {
    json c = json::parse(*cursor, nullptr, false);
    if (!c.is_object() || !c.contains("lm") || !c.contains("id")) {
      return DataLossError("the po_outbound cursor '{}' is not readable", *cursor);
    }
    netsuite::KeysetPosition pos{c["lm"].get<std::string>(), c["id"].get<std::string>()};
    auto fc = cfg.flows.find(std::string(kPoOutbound));
    if (fc != cfg.flows.end() && fc->second.lookback.count() > 0) {
      ASSIGN_OR_RETURN(CivilDateTime lm, ParseSuiteQlDateTime(pos.first));
      const Instant back = ToInstant(lm) - std::chrono::duration_cast<std::chrono::microseconds>(
                                               fc->second.lookback);
      pos = {FormatSuiteQlDateTime(ToCivil(back)), "0"};
    }
    after = pos;
  }

  netsuite::KeysetQuery q;
  q.select_from = netsuite::SuiteQl(
      "SELECT t.id AS id, TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS') AS lm, "
      "t.tranid AS tranid, t.entity AS entity, t.status AS status FROM transaction t "
      "JOIN vendor v ON v.id = t.entity");
  // Closed POs (status H) are read too when a partner takes 860s: a PO the partner has is
  // cancelled with an 860 (BCH01 01); closed POs never sent are skipped below.
  std::vector<std::string> statuses = options_.statuses;
  const bool closed_too =
      std::find(statuses.begin(), statuses.end(), kClosed) == statuses.end() &&
      std::any_of(cfg.partners.begin(), cfg.partners.end(),
                  [](const config::PartnerConfig& p) { return p.po_change_as == "860"; });
  if (closed_too) statuses.emplace_back(kClosed);
  std::string where = "t.type = ? AND v.custentity_mlc_edi_enabled = ? AND t.status IN (";
  for (size_t i = 0; i < statuses.size(); ++i) where += i == 0 ? "?" : ", ?";
  where += ")";
  q.where = netsuite::SuiteQl(where);
  q.where.Bind("PurchOrd").Bind("T");
  for (const auto& s : statuses) q.where.Bind(s);
  q.first = {"TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS')", "lm", false};
  q.second = {"t.id", "id", true};

  struct Header {
    std::string id, lm, tranid, entity, status;
  };
  std::vector<Header> headers;
  const Status enough = ResourceExhaustedError("po_outbound: run limit reached");
  auto polled = env_.netsuite->QueryKeyset(q, after, [&](const netsuite::Row& row) -> Status {
    if (static_cast<int>(headers.size()) >= options_.max_per_run || ctx.stopping()) return enough;
    Header h;
    ASSIGN_OR_RETURN(h.id, row.Require("id"));
    ASSIGN_OR_RETURN(h.lm, row.Require("lm"));
    ASSIGN_OR_RETURN(h.tranid, row.Require("tranid"));
    ASSIGN_OR_RETURN(h.entity, row.Require("entity"));
    ASSIGN_OR_RETURN(h.status, row.Require("status"));
    headers.push_back(std::move(h));
    ctx.Progress("polling purchase orders", static_cast<int64_t>(headers.size()));
    return Status::Ok();
  });
  if (!polled.ok() && polled.status().message() != enough.message()) {
    return polled.status().WithContext("polling NetSuite for purchase orders");
  }
  if (!polled.ok()) summary.notes.push_back("more purchase orders wait for the next run");
  summary.counts["polled"] += static_cast<int64_t>(headers.size());
  if (headers.empty()) return Status::Ok();

  // Full records of the POs whose vendor has a partner profile that exchanges 850s, read as
  // `netsuite.po_detail` says (SuiteQL in pages by default, or one Record API GET each).
  std::vector<Prepared> prepared;
  std::set<std::string> unmapped_vendors, item_ids, vendor_ids;
  for (const Header& h : headers) {
    const config::PartnerConfig* partner = PartnerForVendor(cfg, h.entity);
    if (partner == nullptr) {
      summary.counts["no_partner_profile"] += 1;
      unmapped_vendors.insert(h.entity);
      continue;
    }
    if (!partner->Exchanges("850")) {
      summary.counts["partner_takes_no_850"] += 1;
      continue;
    }
    if (closed_too && h.status == kClosed) {
      // Only a cancellation for a partner that takes 860s and has the PO.
      if (partner->po_change_as != "860") continue;
      ASSIGN_OR_RETURN(KnownRevision known, LatestRevision(st, h.id, h.tranid));
      if (known.sent_revisions == 0) continue;
    }
    Prepared p;
    p.partner = partner;
    p.internal_id = h.id;
    p.number = h.tranid;
    p.vendor = h.entity;
    prepared.push_back(std::move(p));
  }
  bool by_record = cfg.netsuite.po_detail == config::PoDetailSource::kRecord;
  if (!by_record) {
    Status read = ReadWithSuiteQl(*env_.netsuite, prepared, ctx, summary);
    if (read.code() == StatusCode::kInvalidArgument && !prepared.empty()) {
      // NetSuite refused the detail query itself (an account whose address tables or columns
      // differ from po_detail.h's): this run reads each PO with the Record API instead, and the
      // summary says so, so nothing waits on a query that cannot work.
      summary.counts["read_by_record_fallback"] += static_cast<int64_t>(prepared.size());
      summary.notes.push_back(fmt::format(
          "NetSuite refused the SuiteQL query for purchase order detail ({}); these purchase "
          "orders were read with the Record API instead. Set netsuite.po_detail: record to "
          "skip the attempt",
          read.message()));
      by_record = true;
    } else {
      RETURN_IF_ERROR(read);
    }
  }
  if (by_record) RETURN_IF_ERROR(ReadEachRecord(*env_.netsuite, prepared, ctx));
  for (const Prepared& p : prepared) {
    for (auto& id : ItemIdsOf(p.record)) item_ids.insert(std::move(id));
    vendor_ids.insert(p.vendor);
  }
  for (const auto& v : unmapped_vendors) {
    summary.notes.push_back(fmt::format(
        "vendor {} is EDI-enabled in NetSuite but no partner profile has netsuite_vendor_id {}; "
        "its purchase orders were not sent",
        v, v));
  }

  ASSIGN_OR_RETURN(
      mapping::PoReference ref,
      LoadPoReference(*env_.netsuite, {item_ids.begin(), item_ids.end()},
                      {vendor_ids.begin(), vendor_ids.end()})
          .WithContext("loading items, vendors and currencies for the purchase orders"));

  std::vector<Prepared> to_record;
  for (Prepared& p : prepared) {
    auto po = mapping::PurchaseOrderFromRecord(p.record, ref);
    if (!po.ok()) {
      p.error = po.status().WithContext("mapping purchase order " + p.number);
      p.fingerprint = "unmapped-" + cleo::Sha256Hex(p.record.dump()).substr(0, 16);
    } else {
      po->partner_id = p.partner->id;
      p.fingerprint = model::PartnerVisibleFingerprint(*po);
      p.model = mapping::ToJson(*po);
    }
    ASSIGN_OR_RETURN(KnownRevision known, LatestRevision(st, p.internal_id, p.number));
    if (known.revision >= 0 && known.fingerprint == p.fingerprint) {
      summary.counts["unchanged"] += 1;
      continue;
    }
    p.revision = known.revision + 1;
    p.sent_before = known.sent_revisions;
    if (p.error.ok()) {
      // A change goes out as an 860 to partners that want one (and can be: the revision the
      // partner has is on record), else as an 850 replace.
      Result<std::vector<edi::SegmentData>> segments = NotFoundError("no 860");
      if (known.sent_revisions > 0 && p.partner->po_change_as == "860") {
        segments = ChangeSegments(st, known, *po, *p.partner, env_.clock->Now());
        if (segments.ok()) {
          p.type = "860";
        } else if (segments.status().code() == StatusCode::kNotFound) {
          summary.notes.push_back(fmt::format(
              "PO {} ({}): the revision the partner has is not on record; sent as an 850 "
              "replace instead of an 860",
              p.number, p.partner->id));
        }
      }
      if (p.type == "850") {
        auto x850 = mapping::To850(*po, *p.partner, known.sent_revisions);
        segments = x850.ok() ? edi::Build850(*x850) : Result<std::vector<edi::SegmentData>>(
                                                           x850.status());
      }
      if (segments.ok()) {
        p.segments = std::move(*segments);
        // Checked with stand-in control numbers so nothing can fail inside the transaction.
        Result<std::string> gs01 = FunctionalId(p.type, *p.partner);
        if (gs01.ok()) {
          p.functional_id = std::move(*gs01);
          auto dry = mapping::WriteInterchange(*p.partner, {"000000001", "1", "0001"},
                                               env_.clock->Now(), p.functional_id, p.type,
                                               p.segments);
          if (!dry.ok()) p.error = dry.status();
        } else {
          p.error = gs01.status();
        }
      } else {
        p.error = segments.status();
      }
      if (!p.error.ok()) p.error = std::move(p.error).WithContext("mapping PO " + p.number);
      summary.counts[known.sent_revisions == 0 ? "new" : "changed"] += p.error.ok() ? 1 : 0;
    }
    if (!p.error.ok()) {
      summary.counts["parked"] += 1;
      summary.notes.push_back(fmt::format("PO {} ({}) parked: {}", p.number, p.partner->id,
                                          p.error.message()));
      p.segments.clear();
    }
    to_record.push_back(std::move(p));
  }

  const Header& last = headers.back();
  const std::string new_cursor = json{{"lm", last.lm}, {"id", last.id}}.dump();
  const Instant now = env_.clock->Now();
  return st.Transact([&](store::Transaction& tx) -> Status {
    for (const Prepared& p : to_record) {
      store::NewDocument d;
      d.idempotency_key = RevisionKey(p.internal_id, p.revision, p.fingerprint);
      d.direction = store::Direction::kOut;
      d.type = p.type;
      d.partner = p.partner->id;
      d.po_number = p.number;
      std::string x12;
      if (p.error.ok()) {
        ASSIGN_OR_RETURN(d.control, tx.AllocateControlNumbers(p.partner->id));
        ASSIGN_OR_RETURN(x12, mapping::WriteInterchange(
                                  *p.partner, {d.control.isa13, d.control.gs06, d.control.st02},
                                  now, p.functional_id, p.type, p.segments));
        d.step = std::string(kSendStep);
      } else {
        d.step = std::string(kMapStep);
        d.state = store::DocState::kParked;
        d.error = p.error;
      }
      ASSIGN_OR_RETURN(auto inserted, tx.InsertDocument(kPoOutbound, d));
      if (!inserted.second) continue;  // another process recorded it first
      const int64_t id = inserted.first;
      RETURN_IF_ERROR(tx.PutPayload(id, {.step = "ingest",
                                         .kind = "netsuite_record",
                                         .media_type = "application/json",
                                         .data = p.record.dump()}));
      RETURN_IF_ERROR(tx.AppendAudit(
          id, {.event = std::string(store::event::kReceived),
               .step = "ingest",
               .actor = env_.worker_id,
               .detail = fmt::format("purchase order {} (NetSuite id {}) revision {}", p.number,
                                     p.internal_id, p.revision)}));
      if (!p.error.ok()) {
        RETURN_IF_ERROR(tx.AppendAudit(id, {.event = std::string(store::event::kParked),
                                            .step = std::string(kMapStep),
                                            .actor = env_.worker_id,
                                            .detail = "could not be mapped to an X12 document",
                                            .error = p.error}));
        continue;
      }
      RETURN_IF_ERROR(tx.PutPayload(id, {.step = "ingest",
                                         .kind = "model",
                                         .media_type = "application/json",
                                         .data = p.model.dump()}));
      RETURN_IF_ERROR(tx.PutPayload(id, {.step = std::string(kSendStep),
                                         .kind = "x12",
                                         .media_type = "application/edi-x12",
                                         .data = x12}));
      RETURN_IF_ERROR(tx.AppendAudit(
          id, {.event = std::string(store::event::kMapped),
               .step = "ingest",
               .actor = env_.worker_id,
               .detail = p.type == "860"
                             ? fmt::format("860 {} (change order {}), ISA13 {}",
                                           d.control.st02, p.sent_before, d.control.isa13)
                             : fmt::format("850 {} (BEG01 {}), ISA13 {}", d.control.st02,
                                           p.sent_before == 0 ? "00" : "05", d.control.isa13)}));
    }
    return tx.SetCursor(kPoOutbound, new_cursor);
  });
}

}  // namespace mlc::flows
