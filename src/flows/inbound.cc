#include "flows/inbound.h"

#include <cinttypes>
#include <functional>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cleo/client.h"
#include "common/civil_time.h"
#include "common/log.h"
#include "edi/ack.h"
#include "edi/documents.h"
#include "edi/reader.h"
#include "edi/validator.h"
#include "flows/ack_status.h"
#include "flows/edi_status.h"
#include "flows/reference_data.h"
#include "mapping/netsuite_po.h"
#include "mapping/x12_810.h"
#include "mapping/x12_855.h"
#include "matching/three_way_match.h"

namespace mlc::flows {
namespace {

using nlohmann::json;

constexpr std::string_view kParse = "parse";
constexpr std::string_view kSendAck = "send_997";
constexpr std::string_view kArchive = "archive";
constexpr std::string_view kMatch = "match";
constexpr std::string_view kBill = "bill";
constexpr std::string_view kApply855 = "apply_855";
constexpr std::string_view kReconcile = "reconcile_997";
constexpr std::string_view kException = "exception";  // audit event: a buyer must look

store::NewAuditEvent Audit(const FlowEnv& env, std::string_view event, std::string_view step,
                           std::string detail) {
  return {.event = std::string(event),
          .step = std::string(step),
          .actor = env.worker_id,
          .detail = std::move(detail)};
}

store::PayloadIn JsonPayload(std::string_view step, std::string_view kind, const json& j) {
  return {.step = std::string(step),
          .kind = std::string(kind),
          .media_type = "application/json",
          .data = j.dump()};
}

Result<json> ReadJson(std::string text, std::string_view what) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return DataLossError("the stored {} is not JSON", what);
  return j;
}

// A stored JSON payload of the document the step runs for.
Result<json> JsonOf(store::StepContext& ctx, std::string_view kind, std::string_view step = "") {
  ASSIGN_OR_RETURN(std::string text, ctx.Payload(kind, step));
  return ReadJson(std::move(text), kind);
}

const config::PartnerConfig* RequirePartnerOrNull(const FlowEnv& env, const store::Document& d) {
  return FindPartner(*env.config, d.partner);
}

Status NoPartner(const store::Document& d) {
  return FailedPreconditionError(
      "partner '{}' is no longer in the config; add it back and replay document {}", d.partner,
      d.id);
}

// Where a child document's transaction set lives: the file document and the set's position.
struct SetRef {
  int64_t file_doc = 0;
  int interchange = 0, group = 0, set = 0;
  json ToJson() const {
    return {{"file_document", file_doc}, {"interchange", interchange}, {"group", group},
            {"set", set}};
  }
};

// Re-reads the stored file of `ref` and calls `fn` with its transaction set.
Status WithSet(store::Store& st, const SetRef& ref,
               const std::function<Status(const edi::Event&)>& fn) {
  ASSIGN_OR_RETURN(store::Payload file, st.GetPayload(ref.file_doc, kParse, "x12"));
  edi::MemorySource src(file.data);
  edi::Reader reader(src);
  int k = -1, j = -1, i = -1;
  for (;;) {
    ASSIGN_OR_RETURN(edi::Event e, reader.Next());
    switch (e.kind) {
      case edi::EventKind::kEnd:
        return DataLossError("transaction set {}.{}.{} is not in the file of document {}",
                             ref.interchange, ref.group, ref.set, ref.file_doc);
      case edi::EventKind::kInterchangeStart:
        ++k;
        j = -1;
        break;
      case edi::EventKind::kGroupStart:
        ++j;
        i = -1;
        break;
      case edi::EventKind::kTransactionSet:
        if (e.group == nullptr) break;
        ++i;
        if (k == ref.interchange && j == ref.group && i == ref.set) return fn(e);
        break;
      default:
        break;
    }
  }
}

Result<SetRef> SetRefOf(store::StepContext& ctx, std::string_view step) {
  ASSIGN_OR_RETURN(json j, JsonOf(ctx, "set", step));
  SetRef r;
  r.file_doc = j.value("file_document", int64_t{0});
  r.interchange = j.value("interchange", 0);
  r.group = j.value("group", 0);
  r.set = j.value("set", 0);
  return r;
}

// The NetSuite internal id of purchase order `number`. FAILED_PRECONDITION when there is none.
Result<std::string> FindPurchaseOrder(netsuite::Client& ns, std::string_view number) {
  netsuite::SuiteQl q("SELECT id FROM transaction WHERE type = ? AND tranid = ?");
  q.Bind("PurchOrd").Bind(number);
  ASSIGN_OR_RETURN(netsuite::SuiteQlPage page, ns.QueryPage(q, 10, 0));
  if (page.rows.empty()) {
    return FailedPreconditionError("purchase order {} does not exist in NetSuite", number);
  }
  if (page.rows.size() > 1) {
    return FailedPreconditionError("{} purchase orders in NetSuite have the number {}",
                                   page.rows.size(), number);
  }
  return page.rows[0].Require("id");
}

struct LoadedPo {
  std::string id;
  json record;
  mapping::PoReference ref;  // the PO's vendor and items from the reference data
  model::PurchaseOrder po;
};

Result<LoadedPo> LoadPurchaseOrder(netsuite::Client& ns, std::string_view number) {
  LoadedPo out;
  ASSIGN_OR_RETURN(out.id, FindPurchaseOrder(ns, number));
  ASSIGN_OR_RETURN(out.record, ns.GetRecord("purchaseOrder", out.id));
  std::vector<std::string> items, vendors;
  if (auto it = out.record.find("item"); it != out.record.end() && it->contains("items")) {
    for (const auto& l : (*it)["items"]) {
      if (l.contains("item") && l["item"].contains("id") && l["item"]["id"].is_string()) {
        items.push_back(l["item"]["id"].get<std::string>());
      }
    }
  }
  if (out.record.contains("entity") && out.record["entity"].contains("id")) {
    vendors.push_back(out.record["entity"]["id"].get<std::string>());
  }
  ASSIGN_OR_RETURN(out.ref, LoadPoReference(ns, items, vendors));
  ASSIGN_OR_RETURN(out.po, mapping::PurchaseOrderFromRecord(out.record, out.ref));
  return out;
}

// "20261127" and "1305" for `t` (UTC).
std::pair<std::string, std::string> EdiDateTime(Instant t) {
  const CivilDateTime c = ToCivil(t);
  return {FormatEdiDate8(c.date), FormatEdiTime(c.time, 4)};
}

// Whether document `doc_id` already has an audit event `event` with exactly `detail`.
Result<bool> HasAudit(store::Store& st, int64_t doc_id, std::string_view event,
                      const std::string& detail) {
  store::AuditQuery q;
  q.document_id = doc_id;
  q.event = std::string(event);
  q.limit = 100;
  for (;;) {
    ASSIGN_OR_RETURN(auto events, st.QueryAudit(q));
    for (const auto& e : events) {
      if (e.detail == detail) return true;
    }
    if (static_cast<int>(events.size()) < q.limit) return false;
    q.after_id = events.back().id;
  }
}

bool SameNumber(std::string_view a, std::string_view b) {
  auto strip = [](std::string_view s) {
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    return s;
  };
  return strip(a) == strip(b);
}

}  // namespace

// ---- invoice_inbound: parse ------------------------------------------------------------------

class InvoiceInboundFlow::ParseStep final : public store::StepHandler {
 public:
  ParseStep(const FlowEnv& env, std::vector<std::string>& notes) : env_(env), notes_(notes) {}

  Result<store::StepOutcome> Run(const store::Document& doc, store::StepContext& ctx) override {
    const config::PartnerConfig* partner = RequirePartnerOrNull(env_, doc);
    if (partner == nullptr) return NoPartner(doc);
    ASSIGN_OR_RETURN(std::string raw, ctx.Payload("x12"));
    auto report = edi::ValidateInput(raw);
    if (!report.ok()) {
      notes_.push_back(fmt::format("{}: file of document {} is not X12 and was kept: {}",
                                   partner->id, doc.id, report.status().message()));
      return InvalidArgumentError("not readable X12 (kept for inspection; no 997 is possible "
                                  "without an ISA): {}",
                                  report.status().message());
    }
    const config::EnvelopeIds& ids = partner->ids();
    for (const auto& ic : report->interchanges) {
      const auto& h = ic.header;
      if (h.sender_id() != ids.their_isa_id || h.receiver_id() != ids.our_isa_id) {
        notes_.push_back(fmt::format("{}: unknown sender {}:{} (to {}:{}) in document {}",
                                     partner->id, h.sender_qualifier(), h.sender_id(),
                                     h.receiver_qualifier(), h.receiver_id(), doc.id));
        return FailedPreconditionError(
            "unknown sender: interchange {} comes from {}:{} to {}:{}, but partner {} is "
            "{}:{} and we are {}:{}; not processed (fix the partner profile and replay)",
            h.control_number(), h.sender_qualifier(), h.sender_id(), h.receiver_qualifier(),
            h.receiver_id(), partner->id, ids.their_isa_qualifier, ids.their_isa_id,
            ids.our_isa_qualifier, ids.our_isa_id);
      }
    }

    store::StepOutcome out;
    // Our 997/999 for every non-FA group, one interchange per received interchange.
    std::string acks;
    json ack_meta = json::array();
    if (partner->send_ack != config::AckKind::kNone) {
      const auto [date, time] = EdiDateTime(env_.clock->Now());
      for (const auto& ic : report->interchanges) {
        bool any = false;
        for (const auto& g : ic.groups) any = any || (g.functional_id != "FA");
        if (!any) continue;
        ASSIGN_OR_RETURN(store::ControlNumbers cn, ctx.store().AllocateControlNumbers(partner->id));
        edi::AckOptions o;
        o.kind = partner->send_ack == config::AckKind::k999 ? edi::AckKind::k999
                                                             : edi::AckKind::k997;
        o.interchange_control_number = cn.isa13;
        o.group_control_number = cn.gs06;
        o.set_control_number = cn.st02;
        o.date = date;
        o.time = time;
        auto ack = edi::BuildAcknowledgment(ic, o);
        if (!ack.ok()) {
          if (ack.status().code() == StatusCode::kFailedPrecondition) continue;
          return std::move(ack).status().WithContext("building our 997");
        }
        acks += *ack;
        ack_meta.push_back({{"isa13", cn.isa13}, {"gs06", cn.gs06}, {"st02", cn.st02},
                            {"acknowledges", std::string(ic.header.control_number())}});
      }
    }

    // One child document per accepted transaction set.
    std::vector<std::pair<std::string, store::NewDocument>> children;  // (flow, document)
    std::vector<std::string> rejected;
    int accepted = 0;
    {
      edi::MemorySource src(raw);
      edi::Reader reader(src);
      int k = -1, j = -1, i = -1;
      for (bool done = false; !done;) {
        ASSIGN_OR_RETURN(edi::Event e, reader.Next());
        switch (e.kind) {
          case edi::EventKind::kEnd:
            done = true;
            break;
          case edi::EventKind::kInterchangeStart:
            ++k;
            j = -1;
            break;
          case edi::EventKind::kGroupStart:
            ++j;
            i = -1;
            break;
          case edi::EventKind::kTransactionSet: {
            if (e.group == nullptr) break;
            ++i;
            const auto& ic = report->interchanges.at(static_cast<size_t>(k));
            const auto& gr = ic.groups.at(static_cast<size_t>(j));
            const edi::SetResult* sr =
                static_cast<size_t>(i) < gr.sets.size() ? &gr.sets[static_cast<size_t>(i)] : nullptr;
            const std::string id(e.set->id());
            const std::string st02(e.set->control_number());
            if (sr == nullptr || sr->code == edi::AckCode::kRejected ||
                gr.code == edi::AckCode::kRejected) {
              std::string why = sr ? fmt::format("{}", fmt::join(sr->notes, "; ")) : "";
              if (sr && why.empty()) why = fmt::format("{}", fmt::join(sr->set_errors, ", "));
              rejected.push_back(fmt::format("{} {} rejected{}{}", id, st02, why.empty() ? "" : ": ", why));
              break;
            }
            store::NewDocument c;
            c.idempotency_key = fmt::format("{}#{}.{}.{}", doc.idempotency_key, k, j, i);
            c.direction = store::Direction::kIn;
            c.type = id;
            c.partner = partner->id;
            c.control = {std::string(e.interchange->control_number()),
                         std::string(e.group->control_number()), st02};
            std::string flow;
            if (id == "810") {
              auto inv = edi::Read810(e.set->segments);
              if (inv.ok()) {
                c.invoice_number = inv->number;
                c.po_number = inv->po_number;
              }
              flow = kInvoiceInbound;
              c.step = kMatch;
            } else if (id == "855") {
              auto ack = edi::Read855(e.set->segments);
              if (ack.ok()) c.po_number = ack->po_number;
              flow = kAckInbound;
              c.step = kApply855;
            } else if (id == "997" || id == "999") {
              flow = kFaInbound;
              c.step = kReconcile;
            } else {
              flow = kInvoiceInbound;
              c.step = "unsupported";
              c.state = store::DocState::kParked;
              c.error = UnimplementedError("transaction set {} is not a document ml-connector "
                                           "takes in (810, 855, 997, 999)",
                                           id);
            }
            c.payloads.push_back(JsonPayload(c.step, "set", SetRef{doc.id, k, j, i}.ToJson()));
            c.audit.push_back(Audit(env_, store::event::kReceived, kParse,
                                    fmt::format("{} {} in file document {}", id, st02, doc.id)));
            children.emplace_back(std::move(flow), std::move(c));
            ++accepted;
            break;
          }
          default:
            break;
        }
      }
    }
    Status recorded = ctx.store().Transact([&](store::Transaction& tx) -> Status {
      for (const auto& [flow, child] : children) {
        ASSIGN_OR_RETURN(auto ins, tx.InsertDocument(flow, child));
        if (!ins.second) continue;
        for (const auto& p : child.payloads) RETURN_IF_ERROR(tx.PutPayload(ins.first, p));
        for (const auto& a : child.audit) RETURN_IF_ERROR(tx.AppendAudit(ins.first, a));
        if (child.state == store::DocState::kParked) {
          RETURN_IF_ERROR(tx.AppendAudit(ins.first, {.event = std::string(store::event::kParked),
                                                     .step = child.step,
                                                     .actor = env_.worker_id,
                                                     .error = child.error}));
        }
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(recorded);
    for (const auto& r : rejected) {
      notes_.push_back(fmt::format("{}: document {}: {}", partner->id, doc.id, r));
    }
    out.audit.push_back(Audit(
        env_, store::event::kValidated, kParse,
        fmt::format("{} transaction set(s) accepted, {} rejected{}{}", accepted, rejected.size(),
                    rejected.empty() ? "" : ": ", fmt::join(rejected, "; "))));
    if (!acks.empty() && FlowEnabled(*env_.config, kFaOutbound)) {
      out.outputs.push_back({.step = std::string(kSendAck),
                             .kind = "x12",
                             .media_type = "application/edi-x12",
                             .data = acks});
      out.outputs.push_back(JsonPayload(kSendAck, "ack", ack_meta));
      out.next_step = std::string(kSendAck);
    } else {
      out.next_step = std::string(kArchive);
    }
    return out;
  }

 private:
  const FlowEnv& env_;
  std::vector<std::string>& notes_;
};

// ---- fa_outbound: send_997 -----------------------------------------------------------------

class FaOutboundFlow::SendAckStep final : public store::StepHandler {
 public:
  explicit SendAckStep(const FlowEnv& env) : env_(env) {}

  // 997s dropped (or found from an earlier attempt) since the last call.
  int TakeSent() { return std::exchange(sent_, 0); }

  Result<store::StepOutcome> Run(const store::Document& doc, store::StepContext& ctx) override {
    const config::PartnerConfig* partner = RequirePartnerOrNull(env_, doc);
    if (partner == nullptr) return NoPartner(doc);
    ASSIGN_OR_RETURN(std::string x12, ctx.Payload("x12"));
    ASSIGN_OR_RETURN(json meta, JsonOf(ctx, "ack"));
    if (!meta.is_array() || meta.empty()) return DataLossError("no 997 control numbers stored");
    const json& first = meta[0];
    ASSIGN_OR_RETURN(std::string name,
                     cleo::OutboundFileName(
                         {.partner_id = partner->id,
                          .document_type = partner->send_ack == config::AckKind::k999 ? "999"
                                                                                      : "997",
                          .isa13 = first.value("isa13", ""),
                          .gs06 = first.value("gs06", ""),
                          .st02 = meta.size() == 1 ? first.value("st02", "") : ""}));
    ASSIGN_OR_RETURN(cleo::FileTransport * transport, env_.transport(*partner));
    Status s = cleo::DropOutbound(*transport, env_.cleo_api,
                                  partner->transport.run_action_after_drop, name, x12);
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) {
      return std::move(s).WithContext(fmt::format("dropping our 997 {} for {}", name, partner->id));
    }
    store::StepOutcome out;
    out.audit.push_back(Audit(env_, store::event::kSent, kSendAck,
                              fmt::format("997 {} {} to {} outbox (ISA13 {})", name,
                                          s.ok() ? "dropped" : "found", partner->id,
                                          first.value("isa13", ""))));
    out.next_step = std::string(kArchive);
    ++sent_;
    return out;
  }

 private:
  int sent_ = 0;
  const FlowEnv& env_;
};

// ---- invoice_inbound: archive --------------------------------------------------------------

namespace {

// Step "archive" of a file document: shared by invoice_inbound (files without a 997 to send) and
// fa_outbound (right after it sent the 997), so a run leaves no file waiting for the next one.
class ArchiveInboxFileStep : public store::StepHandler {
 public:
  explicit ArchiveInboxFileStep(const FlowEnv& env) : env_(env) {}

  Result<store::StepOutcome> Run(const store::Document& doc, store::StepContext& ctx) override {
    const config::PartnerConfig* partner = RequirePartnerOrNull(env_, doc);
    if (partner == nullptr) return NoPartner(doc);
    ASSIGN_OR_RETURN(json meta, JsonOf(ctx, "file", "ingest"));
    const std::string name = meta.value("name", "");
    ASSIGN_OR_RETURN(cleo::FileTransport * transport, env_.transport(*partner));
    Status s = transport->Archive(name);
    if (!s.ok() && s.code() != StatusCode::kNotFound) {
      return std::move(s).WithContext(fmt::format("archiving {} in {}'s inbox", name, partner->id));
    }
    store::StepOutcome out;
    out.audit.push_back(Audit(env_, store::event::kCompleted, kArchive,
                              fmt::format("{} {}", name, s.ok() ? "archived at Cleo"
                                                                : "was already gone from the inbox")));
    return out;
  }

 private:
  const FlowEnv& env_;
};

}  // namespace

class InvoiceInboundFlow::ArchiveStep final : public ArchiveInboxFileStep {
 public:
  using ArchiveInboxFileStep::ArchiveInboxFileStep;
};

// ---- invoice_inbound: match and bill --------------------------------------------------------

class InvoiceInboundFlow::MatchStep final : public store::StepHandler {
 public:
  MatchStep(const FlowEnv& env, std::vector<std::string>& notes) : env_(env), notes_(notes) {}

  Result<store::StepOutcome> Run(const store::Document& doc, store::StepContext& ctx) override {
    const config::PartnerConfig* partner = RequirePartnerOrNull(env_, doc);
    if (partner == nullptr) return NoPartner(doc);
    if (env_.netsuite == nullptr) return UnavailableError("NetSuite is not configured");
    ASSIGN_OR_RETURN(SetRef ref, SetRefOf(ctx, kMatch));
    model::Invoice invoice;
    RETURN_IF_ERROR(WithSet(ctx.store(), ref, [&](const edi::Event& e) -> Status {
      ASSIGN_OR_RETURN(edi::Invoice810 x, edi::Read810(e.set->segments));
      ASSIGN_OR_RETURN(invoice, mapping::InvoiceFrom810(x));
      invoice.sender_id = std::string(e.interchange->sender_id());
      invoice.interchange_control = std::string(e.interchange->control_number());
      invoice.group_control = std::string(e.group->control_number());
      invoice.set_control = std::string(e.set->control_number());
      return Status::Ok();
    }));

    // The same invoice number from this partner earlier: the first one wins.
    store::DocumentQuery q;
    q.flow = std::string(kInvoiceInbound);
    q.partner = partner->id;
    q.type = "810";
    q.business_key = invoice.number;
    ASSIGN_OR_RETURN(auto same, ctx.store().ListDocuments(q));
    for (const auto& d : same) {
      if (d.id < doc.id && d.invoice_number == invoice.number) {
        return Exception(doc, fmt::format("duplicate invoice number {} from {}: already received "
                                          "as document {} (ISA13 {})",
                                          invoice.number, partner->id, d.id, d.control.isa13));
      }
    }

    auto loaded = LoadPurchaseOrder(*env_.netsuite, invoice.po_number);
    if (!loaded.ok()) {
      if (loaded.status().code() == StatusCode::kFailedPrecondition) {
        return Exception(doc, fmt::format("invoice {}: {}", invoice.number,
                                          loaded.status().message()));
      }
      return std::move(loaded).status().WithContext("reading PO " + invoice.po_number);
    }
    if (!partner->netsuite_vendor_id.empty() && loaded->po.vendor_id != partner->netsuite_vendor_id) {
      return Exception(doc, fmt::format("invoice {} from {} names PO {}, which belongs to vendor "
                                        "{}, not to this partner's vendor {}",
                                        invoice.number, partner->id, invoice.po_number,
                                        loaded->po.vendor_id, partner->netsuite_vendor_id));
    }
    // N1*VN with a number we assigned (N103 92) must name the PO's vendor, by its internal id or
    // its vendor number (entityid). Other qualifiers (DUNS, ...) are the partner's own numbers.
    if (invoice.vendor_id_qualifier == "92" && !invoice.vendor_id.empty()) {
      const auto v = loaded->ref.vendors.find(loaded->po.vendor_id);
      const std::string number = v != loaded->ref.vendors.end() ? v->second.entity_id : "";
      if (invoice.vendor_id != loaded->po.vendor_id && invoice.vendor_id != number) {
        return Exception(doc, fmt::format("invoice {} names vendor '{}' in N1*VN (our number for "
                                          "the vendor, N103 92), but PO {} is vendor {} ({})",
                                          invoice.number, invoice.vendor_id, invoice.po_number,
                                          loaded->po.vendor_id,
                                          number.empty() ? "no vendor number" : number));
      }
    }
    ASSIGN_OR_RETURN(matching::MatchOptions mo, mapping::MatchOptionsFor(*partner));
    ASSIGN_OR_RETURN(matching::MatchResult match,
                     matching::ThreeWayMatch(mapping::MatchInvoiceView(invoice),
                                             mapping::MatchPoView(loaded->po), mo));
    bool hold = false;
    if (!match.clean()) {
      if (partner->on_mismatch != config::MismatchAction::kHold || !match.holdable()) {
        return Exception(doc, fmt::format("invoice {} for PO {}: {}", invoice.number,
                                          invoice.po_number, match.Summary()));
      }
      hold = true;
      notes_.push_back(fmt::format("{}: invoice {} billed ON HOLD: {}", partner->id,
                                   invoice.number, match.Summary()));
    }
    ASSIGN_OR_RETURN(json body, mapping::VendorBillBody(invoice, match, *partner, hold));
    store::StepOutcome out;
    out.outputs.push_back(JsonPayload(kMatch, "invoice", mapping::ToJson(invoice)));
    out.outputs.push_back(JsonPayload(kBill, "request", body));
    out.outputs.push_back(JsonPayload(kBill, "po", {{"id", loaded->id}, {"number", invoice.po_number}}));
    out.audit.push_back(Audit(env_, store::event::kMapped, kMatch,
                              fmt::format("invoice {} matched PO {}: {} line(s), {}{}",
                                          invoice.number, invoice.po_number, match.lines.size(),
                                          match.lines_total.ToString(), hold ? ", ON HOLD" : "")));
    return out;
  }

 private:
  // Parks the invoice with the reason (a person must act), and says so in the run summary.
  Status Exception(const store::Document& doc, std::string reason) {
    notes_.push_back(fmt::format("{}: invoice document {} parked: {}", doc.partner, doc.id, reason));
    return FailedPreconditionError("exception: {}", reason);
  }

  const FlowEnv& env_;
  std::vector<std::string>& notes_;
};

class InvoiceInboundFlow::BillStep final : public store::StepHandler {
 public:
  explicit BillStep(const FlowEnv& env) : env_(env) {}

  Result<store::StepOutcome> Run(const store::Document&, store::StepContext& ctx) override {
    if (env_.netsuite == nullptr) return UnavailableError("NetSuite is not configured");
    ASSIGN_OR_RETURN(json body, JsonOf(ctx, "request"));
    ASSIGN_OR_RETURN(json po, JsonOf(ctx, "po"));
    ASSIGN_OR_RETURN(netsuite::WriteResult w,
                     env_.netsuite->Transform("purchaseOrder", po.value("id", ""), "vendorBill",
                                              body, "replace=item"));
    const char* how = w.outcome == netsuite::WriteResult::Outcome::kCreated     ? "created"
                      : w.outcome == netsuite::WriteResult::Outcome::kRecovered ? "created (found after a lost answer)"
                                                                                : "already existed";
    store::StepOutcome out;
    out.outputs.push_back(JsonPayload(kBill, "response", {{"id", w.id}, {"outcome", how}}));
    out.audit.push_back(Audit(env_, store::event::kSent, kBill,
                              fmt::format("vendor bill {} {} from PO {} (externalId {})", w.id,
                                          how, po.value("number", ""),
                                          body.value("externalId", ""))));
    return out;
  }

 private:
  const FlowEnv& env_;
};

InvoiceInboundFlow::InvoiceInboundFlow(FlowEnv env)
    : env_(std::move(env)),
      parse_(std::make_unique<ParseStep>(env_, notes_)),
      match_(std::make_unique<MatchStep>(env_, notes_)),
      bill_(std::make_unique<BillStep>(env_)),
      archive_(std::make_unique<ArchiveStep>(env_)) {}

InvoiceInboundFlow::~InvoiceInboundFlow() = default;

Status InvoiceInboundFlow::Ingest(RunContext& ctx, RunSummary& summary) {
  for (const auto& partner : env_.config->partners) {
    if (ctx.stopping()) break;
    auto transport = env_.transport(partner);
    if (!transport.ok()) {
      summary.counts["inbox_errors"] += 1;
      summary.notes.push_back(fmt::format("{}: no inbox: {}", partner.id, transport.status().message()));
      continue;
    }
    cleo::MemorySeenFiles none;  // the store's idempotency keys decide what is new
    auto batch = cleo::FetchNewInbound(**transport, none);
    if (!batch.ok()) {
      summary.counts["inbox_errors"] += 1;
      summary.notes.push_back(
          fmt::format("{}: listing the inbox failed: {}", partner.id, batch.status().message()));
      continue;
    }
    for (const auto& e : batch->errors) {
      summary.notes.push_back(fmt::format("{}: {}", partner.id, e.message()));
    }
    store::IngestBatch ib;
    ib.flow = std::string(kInvoiceInbound);
    for (const auto& f : batch->files) {
      store::NewDocument d;
      d.idempotency_key = fmt::format("file:{}:{}", f.name, f.sha256);
      d.direction = store::Direction::kIn;
      d.type = "file";
      d.partner = partner.id;
      d.step = std::string(kParse);
      d.payloads.push_back({.step = std::string(kParse),
                            .kind = "x12",
                            .media_type = "application/edi-x12",
                            .data = f.content});
      d.payloads.push_back(JsonPayload("ingest", "file",
                                       {{"name", f.name}, {"sha256", f.sha256},
                                        {"size", f.content.size()}}));
      d.audit.push_back(Audit(env_, store::event::kReceived, "ingest",
                              fmt::format("{} ({} bytes) from {}'s inbox", f.name,
                                          f.content.size(), partner.id)));
      ib.documents.push_back(std::move(d));
    }
    if (ib.documents.empty()) continue;
    ASSIGN_OR_RETURN(store::IngestResult r, env_.store->Ingest(ib));
    summary.counts["files_received"] += r.inserted;
  }
  return Status::Ok();
}

Result<RunSummary> InvoiceInboundFlow::Run(RunContext& ctx) {
  RunSummary summary;
  notes_.clear();
  // One process at a time per flow when several share the store (runner.h); the relay, always.
  RETURN_IF_ERROR(ctx.Ingest(summary, [&] { return Ingest(ctx, summary); }));
  store::Relay relay(*env_.store, RelayOptionsFor(env_, kInvoiceInbound));
  relay.AddStep(std::string(kParse), *parse_, std::string(kArchive));
  relay.AddStep(std::string(kMatch), *match_, std::string(kBill));
  relay.AddStep(std::string(kBill), *bill_, "");
  relay.AddStep(std::string(kArchive), *archive_, "");
  ASSIGN_OR_RETURN(store::RelayStats stats, relay.Drain(1000, Stopping(ctx)));
  AddRelayCounts(stats, summary);
  for (auto& n : notes_) summary.notes.push_back(std::move(n));
  notes_.clear();
  return summary;
}

// ---- fa_outbound -----------------------------------------------------------------------------

FaOutboundFlow::FaOutboundFlow(FlowEnv env)
    : env_(std::move(env)),
      send_(std::make_unique<SendAckStep>(env_)),
      archive_(std::make_unique<ArchiveInboxFileStep>(env_)) {}
FaOutboundFlow::~FaOutboundFlow() = default;

Result<RunSummary> FaOutboundFlow::Run(RunContext& ctx) {
  RunSummary summary;
  // Our 997s travel on the file documents of invoice_inbound.
  store::Relay relay(*env_.store, RelayOptionsFor(env_, kInvoiceInbound));
  relay.AddStep(std::string(kSendAck), *send_, std::string(kArchive));
  relay.AddStep(std::string(kArchive), *archive_, "");
  ASSIGN_OR_RETURN(store::RelayStats stats, relay.Drain(1000, Stopping(ctx)));
  summary.counts["acks_sent"] += send_->TakeSent();
  AddRelayCounts(stats, summary);
  return summary;
}

// ---- ack_inbound: apply_855 ------------------------------------------------------------------

class AckInboundFlow::ApplyStep final : public store::StepHandler {
 public:
  ApplyStep(const FlowEnv& env, std::vector<std::string>& notes) : env_(env), notes_(notes) {}

  Result<store::StepOutcome> Run(const store::Document& doc, store::StepContext& ctx) override {
    const config::PartnerConfig* partner = RequirePartnerOrNull(env_, doc);
    if (partner == nullptr) return NoPartner(doc);
    if (env_.netsuite == nullptr) return UnavailableError("NetSuite is not configured");
    ASSIGN_OR_RETURN(SetRef ref, SetRefOf(ctx, kApply855));
    model::PoAck ack;
    RETURN_IF_ERROR(WithSet(ctx.store(), ref, [&](const edi::Event& e) -> Status {
      ASSIGN_OR_RETURN(edi::PoAck855 x, edi::Read855(e.set->segments));
      ASSIGN_OR_RETURN(ack, mapping::PoAckFrom855(x));
      ack.sender_id = std::string(e.interchange->sender_id());
      return Status::Ok();
    }));
    auto loaded = LoadPurchaseOrder(*env_.netsuite, ack.po_number);
    if (!loaded.ok()) {
      if (loaded.status().code() == StatusCode::kFailedPrecondition) {
        notes_.push_back(fmt::format("{}: 855 document {} parked: {}", partner->id, doc.id,
                                     loaded.status().message()));
        return FailedPreconditionError("exception: 855 for {}: {}", ack.po_number,
                                       loaded.status().message());
      }
      return std::move(loaded).status().WithContext("reading PO " + ack.po_number);
    }
    ASSIGN_OR_RETURN(mapping::AckReview review, mapping::ReviewAck(ack, loaded->po));
    // The ack fields exist only where the administrator created them (netsuite.status_fields);
    // without them the review stays in the store (the "patch" payload) and the console.
    if (StatusFieldsOn(*env_.config)) {
      RETURN_IF_ERROR(env_.netsuite->Update("purchaseOrder", loaded->id, review.patch)
                          .WithContext("writing the acknowledgment onto PO " + ack.po_number));
    }
    store::StepOutcome out;
    out.outputs.push_back(JsonPayload(kApply855, "ack", mapping::ToJson(ack)));
    out.outputs.push_back(JsonPayload(kApply855, "patch", review.patch));
    out.audit.push_back(Audit(env_, store::event::kAcknowledged, kApply855,
                              fmt::format("PO {} acknowledged by {}: {}", ack.po_number,
                                          partner->id, review.status)));
    for (const auto& x : review.exceptions) {
      out.audit.push_back(Audit(env_, kException, kApply855, x));
      notes_.push_back(fmt::format("{}: PO {} acknowledgment: {}", partner->id, ack.po_number, x));
    }
    return out;
  }

 private:
  const FlowEnv& env_;
  std::vector<std::string>& notes_;
};

AckInboundFlow::AckInboundFlow(FlowEnv env)
    : env_(std::move(env)), apply_(std::make_unique<ApplyStep>(env_, notes_)) {}
AckInboundFlow::~AckInboundFlow() = default;

Result<RunSummary> AckInboundFlow::Run(RunContext& ctx) {
  RunSummary summary;
  notes_.clear();
  store::Relay relay(*env_.store, RelayOptionsFor(env_, kAckInbound));
  relay.AddStep(std::string(kApply855), *apply_, "");
  ASSIGN_OR_RETURN(store::RelayStats stats, relay.Drain(1000, Stopping(ctx)));
  summary.counts["acks_applied"] += stats.completed;
  AddRelayCounts(stats, summary);
  for (auto& n : notes_) summary.notes.push_back(std::move(n));
  notes_.clear();
  return summary;
}

// ---- fa_inbound: reconcile_997 ---------------------------------------------------------------

class FaInboundFlow::ReconcileStep final : public store::StepHandler {
 public:
  ReconcileStep(const FlowEnv& env, std::vector<std::string>& notes) : env_(env), notes_(notes) {}

  Result<store::StepOutcome> Run(const store::Document& doc, store::StepContext& ctx) override {
    const config::PartnerConfig* partner = RequirePartnerOrNull(env_, doc);
    if (partner == nullptr) return NoPartner(doc);
    ASSIGN_OR_RETURN(SetRef ref, SetRefOf(ctx, kReconcile));
    edi::FunctionalAck fa;
    RETURN_IF_ERROR(WithSet(ctx.store(), ref, [&](const edi::Event& e) -> Status {
      ASSIGN_OR_RETURN(fa, edi::Read997(e.set->segments));
      return Status::Ok();
    }));
    // Our outbound documents of that group.
    store::DocumentQuery q;
    q.partner = partner->id;
    q.control_number = fa.group_control_number;
    q.limit = 1000;
    ASSIGN_OR_RETURN(auto candidates, ctx.store().ListDocuments(q));
    std::vector<store::Document> ours;
    for (auto& d : candidates) {
      if (d.direction == store::Direction::kOut &&
          SameNumber(d.control.gs06, fa.group_control_number)) {
        ours.push_back(std::move(d));
      }
    }
    if (ours.empty()) {
      // Control numbers are stored without the partner's padding; try the canonical form.
      std::string_view g = fa.group_control_number;
      while (g.size() > 1 && g.front() == '0') g.remove_prefix(1);
      q.control_number = std::string(g);
      ASSIGN_OR_RETURN(candidates, ctx.store().ListDocuments(q));
      for (auto& d : candidates) {
        if (d.direction == store::Direction::kOut && SameNumber(d.control.gs06, g)) {
          ours.push_back(std::move(d));
        }
      }
    }
    if (ours.empty()) {
      notes_.push_back(fmt::format("{}: 997 {} acknowledges group {}, which we never sent to "
                                   "them",
                                   partner->id, doc.control.st02, fa.group_control_number));
      return FailedPreconditionError("exception: the 997 acknowledges group {} ({}), which was "
                                     "never sent to {}",
                                     fa.group_control_number, fa.functional_id, partner->id);
    }
    store::StepOutcome out;
    int rejected = 0;
    for (const auto& d : ours) {
      const edi::AckCode code = fa.ResultFor(d.control.st02);
      std::string detail = fmt::format("{} {} (ST02 {}) {} by {}'s 997 {} (AK5 {})", d.type,
                                       d.po_number.empty() ? d.invoice_number : d.po_number,
                                       d.control.st02, edi::AckCodeName(code), partner->id,
                                       doc.control.st02, edi::AckCodeChar(code));
      std::string reasons;
      if (const edi::AckedSet* s = fa.Find(d.control.st02)) {
        for (const auto& seg : s->segments) {
          reasons += fmt::format("; AK3 {} at {} code {}", seg.tag, seg.position, seg.code);
          for (const auto& el : seg.elements) {
            reasons += fmt::format(", AK4 element {} code {}", el.position, el.code);
          }
        }
        for (const auto& e : s->errors) reasons += fmt::format("; AK5 error {}", e);
      }
      detail += reasons;
      // This step may run again (the status PATCH below failed): record each verdict once.
      ASSIGN_OR_RETURN(bool known, HasAudit(ctx.store(), d.id, store::event::kAcknowledged,
                                            detail));
      if (!known) {
        RETURN_IF_ERROR(ctx.store().AppendAudit(
            d.id, Audit(env_, store::event::kAcknowledged, "997", detail)));
      }
      if (code == edi::AckCode::kRejected) {
        ++rejected;
        notes_.push_back(fmt::format("{}: {}", partner->id, detail));
      }
      if (StatusFieldsOn(*env_.config) && (d.type == "850" || d.type == "860") && PoInternalIdOf(d)) {
        const std::string text = AckStatusText(
            d, code, doc.created_at, reasons.size() > 2 ? std::string_view(reasons).substr(2) : "");
        ASSIGN_OR_RETURN(bool written, RecordAndWriteEdiStatus(env_, ctx.store(), d, text));
        if (written) {
          out.audit.push_back(Audit(env_, store::event::kSent, kReconcile,
                                    fmt::format("{} = \"{}\" on PO {}", kEdiStatusField, text,
                                                d.po_number)));
        }
      }
    }
    out.audit.push_back(Audit(env_, store::event::kCompleted, kReconcile,
                              fmt::format("acknowledges {} document(s) of group {}, {} rejected",
                                          ours.size(), fa.group_control_number, rejected)));
    return out;
  }

 private:
  const FlowEnv& env_;
  std::vector<std::string>& notes_;
};

FaInboundFlow::FaInboundFlow(FlowEnv env)
    : env_(std::move(env)), reconcile_(std::make_unique<ReconcileStep>(env_, notes_)) {}
FaInboundFlow::~FaInboundFlow() = default;

Status FaInboundFlow::ReportOverdue(RunSummary& summary) {
  // The rule is flows/ack_status.h's, shared with the console, `status` and /metrics.
  const Instant now = env_.clock->Now();
  for (const auto& partner : env_.config->partners) {
    if (partner.expect_997_within.count() <= 0) continue;
    ASSIGN_OR_RETURN(AckStatus ack, PartnerAckStatus(*env_.store, partner, now,
                                                     std::chrono::hours(24 * 30), SIZE_MAX));
    for (const UnacknowledgedSend& u : ack.unacknowledged) {
      if (!u.overdue) continue;
      ASSIGN_OR_RETURN(store::Document d, env_.store->GetDocument(u.document_id));
      summary.counts["overdue_997"] += 1;
      summary.notes.push_back(fmt::format(
          "{}: no 997 for {} {} (ISA13 {}) sent {} ago; expected within {}", partner.id, d.type,
          d.po_number, d.control.isa13,
          config::FormatDuration(std::chrono::duration_cast<config::Duration>(now - u.sent_at)),
          config::FormatDuration(partner.expect_997_within)));
    }
  }
  return Status::Ok();
}

Result<RunSummary> FaInboundFlow::Run(RunContext& ctx) {
  RunSummary summary;
  notes_.clear();
  store::Relay relay(*env_.store, RelayOptionsFor(env_, kFaInbound));
  relay.AddStep(std::string(kReconcile), *reconcile_, "");
  ASSIGN_OR_RETURN(store::RelayStats stats, relay.Drain(1000, Stopping(ctx)));
  summary.counts["acks_reconciled"] += stats.completed;
  AddRelayCounts(stats, summary);
  for (auto& n : notes_) summary.notes.push_back(std::move(n));
  notes_.clear();
  RETURN_IF_ERROR(ReportOverdue(summary));
  return summary;
}

}  // namespace mlc::flows
