#include "flows/reference_sync.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "cleo/client.h"
#include "cleo/names.h"
#include "common/civil_time.h"
#include "flows/env.h"
#include "flows/reference_data.h"
#include "store/relay.h"

namespace mlc::flows {
namespace {

using netsuite::Row;
using netsuite::SuiteQl;
using json = nlohmann::json;

// netsuite.md 3.2: open purchase orders (pending approval, pending receipt, partially received,
// pending billing/partially received, pending bill). G fully billed, H closed and C rejected are
// not open.
constexpr const char* kOpenPoStatuses[] = {"A", "B", "D", "E", "F"};

int64_t NumericId(const std::string& id) {
  int64_t v = 0;
  for (char c : id) v = v * 10 + (c - '0');
  return v;
}

template <typename T>
void SortById(std::vector<T>& v) {
  std::sort(v.begin(), v.end(), [](const T& a, const T& b) {
    return std::pair(a.id.size(), a.id) < std::pair(b.id.size(), b.id);
  });
}

bool IdLess(const std::string& a, const std::string& b) {
  return std::pair(a.size(), a) < std::pair(b.size(), b);
}

Result<bool> Flag(const Row& r, std::string_view column) {
  ASSIGN_OR_RETURN(std::optional<bool> v, r.GetBool(column));
  return v.value_or(false);
}

// The identifier a partner prefers first, as {code, what it is, NetSuite field, value}.
struct PreferredId {
  std::string code;
  std::string label;
  std::string field;
};

std::optional<PreferredId> PreferredOf(const config::PartnerConfig& p) {
  if (p.item_id_preference.empty()) return std::nullopt;
  const std::string& code = p.item_id_preference.front();
  if (code == "BP") return PreferredId{code, "buyer part number", "itemid"};
  if (code == "VP") return PreferredId{code, "vendor part number", "vendorname"};
  if (code == "UP") return PreferredId{code, "UPC", "upccode"};
  return std::nullopt;  // config validation owns unknown codes
}

const std::string& ValueOf(const ItemRecord& item, const PreferredId& pref) {
  if (pref.code == "VP") return item.vendor_part;
  if (pref.code == "UP") return item.upc;
  return item.item_id;
}

void CheckAccount(const config::PartnerConfig& p, const std::string& id, std::string_view role,
                  const std::map<std::string, const AccountRecord*>& accounts,
                  std::vector<Mismatch>& out) {
  if (id.empty()) return;
  auto it = accounts.find(id);
  if (it == accounts.end()) {
    out.push_back({MismatchKind::kAccountMissing, p.id, id,
                   fmt::format("partner {}: default {} account {} does not exist in NetSuite; "
                               "fix default_accounts.{} in the partner profile",
                               p.id, role, id, role)});
    return;
  }
  const AccountRecord& a = *it->second;
  if (a.inactive) {
    out.push_back({MismatchKind::kAccountInactive, p.id, id,
                   fmt::format("partner {}: default {} account {} ({}) is inactive in NetSuite; "
                               "choose an active account or reactivate it",
                               p.id, role, id, a.name)});
  }
  if (role == "ap" && !a.type.empty() && a.type != "AcctPay") {
    out.push_back({MismatchKind::kAccountWrongType, p.id, id,
                   fmt::format("partner {}: default ap account {} ({}) is of type {}, not an "
                               "accounts payable account (AcctPay)",
                               p.id, id, a.name, a.type)});
  }
}

std::string CsvField(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void CsvRow(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) out += ',';
    first = false;
    out += CsvField(f);
  }
  out += "\r\n";
}

}  // namespace

std::string_view MismatchKindName(MismatchKind kind) {
  switch (kind) {
    case MismatchKind::kVendorMissing:
      return "vendor_missing";
    case MismatchKind::kVendorInactive:
      return "vendor_inactive";
    case MismatchKind::kVendorNotEdiEnabled:
      return "vendor_not_edi_enabled";
    case MismatchKind::kVendorWithoutPartner:
      return "vendor_without_partner";
    case MismatchKind::kItemWithoutPreferredId:
      return "item_without_preferred_id";
    case MismatchKind::kItemInactive:
      return "item_inactive";
    case MismatchKind::kAccountMissing:
      return "account_missing";
    case MismatchKind::kAccountInactive:
      return "account_inactive";
    case MismatchKind::kAccountWrongType:
      return "account_wrong_type";
  }
  return "unknown";
}

std::vector<Mismatch> FindMismatches(const std::vector<config::PartnerConfig>& partners,
                                     const ReferenceSnapshot& snapshot) {
  std::map<std::string, const VendorRecord*> vendors;
  for (const auto& v : snapshot.vendors) vendors[v.id] = &v;
  std::map<std::string, const ItemRecord*> items;
  for (const auto& i : snapshot.items) items[i.id] = &i;
  std::map<std::string, const AccountRecord*> accounts;
  for (const auto& a : snapshot.accounts) accounts[a.id] = &a;
  std::map<std::string, std::vector<const OpenPoItem*>> open_by_vendor;
  for (const auto& o : snapshot.open_po_items) open_by_vendor[o.vendor_id].push_back(&o);

  std::vector<Mismatch> out;
  std::set<std::string> named;
  for (const auto& p : partners) {
    named.insert(p.netsuite_vendor_id);
    auto v = vendors.find(p.netsuite_vendor_id);
    if (p.netsuite_vendor_id.empty() || v == vendors.end()) {
      out.push_back({MismatchKind::kVendorMissing, p.id, p.netsuite_vendor_id,
                     p.netsuite_vendor_id.empty()
                         ? fmt::format("partner {} has no netsuite_vendor_id", p.id)
                         : fmt::format("partner {}: netsuite_vendor_id {} is not a NetSuite "
                                       "vendor; fix the partner profile",
                                       p.id, cleo::Printable(p.netsuite_vendor_id, 40))});
    } else {
      const VendorRecord& vr = *v->second;
      if (vr.inactive) {
        out.push_back({MismatchKind::kVendorInactive, p.id, vr.id,
                       fmt::format("partner {}: vendor {} ({}) is inactive in NetSuite; its "
                                   "documents cannot be mapped",
                                   p.id, vr.id, vr.company_name)});
      }
      if (!vr.edi_enabled) {
        out.push_back({MismatchKind::kVendorNotEdiEnabled, p.id, vr.id,
                       fmt::format("partner {}: vendor {} ({}) is not EDI-enabled "
                                   "(custentity_mlc_edi_enabled); its purchase orders are not "
                                   "sent",
                                   p.id, vr.id, vr.company_name)});
      }
    }
    if (auto pref = PreferredOf(p)) {
      auto open = open_by_vendor.find(p.netsuite_vendor_id);
      if (open != open_by_vendor.end()) {
        for (const OpenPoItem* o : open->second) {
          auto it = items.find(o->item_id);
          if (it == items.end()) continue;  // not readable: nothing to say about it
          const ItemRecord& item = *it->second;
          if (ValueOf(item, *pref).empty()) {
            out.push_back({MismatchKind::kItemWithoutPreferredId, p.id, item.id,
                           fmt::format("partner {} wants {} ({}) first, but item {} ({}) on open "
                                       "PO {} has no {} ({})",
                                       p.id, pref->code, pref->label, item.item_id, item.id,
                                       o->po_number, pref->label, pref->field)});
          }
          if (item.inactive) {
            out.push_back({MismatchKind::kItemInactive, p.id, item.id,
                           fmt::format("partner {}: item {} ({}) on open PO {} is inactive", p.id,
                                       item.item_id, item.id, o->po_number)});
          }
        }
      }
    }
    CheckAccount(p, p.default_accounts.expense, "expense", accounts, out);
    CheckAccount(p, p.default_accounts.ap, "ap", accounts, out);
  }
  for (const auto& v : snapshot.vendors) {
    if (v.edi_enabled && !v.inactive && !named.contains(v.id)) {
      out.push_back(
          {MismatchKind::kVendorWithoutPartner, "", v.id,
           fmt::format("vendor {} ({}, EDI partner id '{}') is EDI-enabled in NetSuite "
                       "but no partner profile has netsuite_vendor_id {}",
                       v.id, v.company_name, cleo::Printable(v.edi_partner_id, 40), v.id)});
    }
  }
  return out;
}

json SnapshotToJson(const ReferenceSnapshot& s, const std::vector<config::PartnerConfig>& partners,
                    const std::vector<Mismatch>& mismatches) {
  json j;
  j["version"] = 1;
  json ps = json::array();
  for (const auto& p : partners) {
    ps.push_back({{"id", p.id},
                  {"netsuite_vendor_id", p.netsuite_vendor_id},
                  {"item_id_preference", p.item_id_preference},
                  {"expense_account", p.default_accounts.expense},
                  {"ap_account", p.default_accounts.ap}});
  }
  j["partners"] = std::move(ps);
  json vs = json::array();
  for (const auto& v : s.vendors) {
    vs.push_back({{"id", v.id},
                  {"entity_id", v.entity_id},
                  {"company_name", v.company_name},
                  {"edi_partner_id", v.edi_partner_id},
                  {"inactive", v.inactive},
                  {"edi_enabled", v.edi_enabled}});
  }
  j["vendors"] = std::move(vs);
  json is = json::array();
  for (const auto& i : s.items) {
    is.push_back({{"id", i.id},
                  {"item_id", i.item_id},
                  {"vendor_part", i.vendor_part},
                  {"upc", i.upc},
                  {"inactive", i.inactive}});
  }
  j["items"] = std::move(is);
  json os = json::array();
  for (const auto& o : s.open_po_items) {
    os.push_back({{"vendor_id", o.vendor_id}, {"item_id", o.item_id}, {"po_number", o.po_number}});
  }
  j["open_po_items"] = std::move(os);
  json as = json::array();
  for (const auto& a : s.accounts) {
    as.push_back({{"id", a.id},
                  {"number", a.number},
                  {"name", a.name},
                  {"type", a.type},
                  {"inactive", a.inactive}});
  }
  j["accounts"] = std::move(as);
  json ms = json::array();
  for (const auto& m : mismatches) {
    ms.push_back({{"kind", MismatchKindName(m.kind)},
                  {"partner", m.partner},
                  {"subject", m.subject},
                  {"message", m.message}});
  }
  j["mismatches"] = std::move(ms);
  return j;
}

Result<ReferenceSnapshot> PullReferenceSnapshot(
    netsuite::Client& client, const std::vector<config::PartnerConfig>& partners) {
  ReferenceSnapshot snap;
  std::vector<std::string> named_raw;
  for (const auto& p : partners) {
    // A malformed id is reported as vendor_missing by FindMismatches; it is never sent.
    if (ParseInternalIds({p.netsuite_vendor_id}, "vendor").ok()) {
      named_raw.push_back(p.netsuite_vendor_id);
    }
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> named, ParseInternalIds(named_raw, "vendor"));

  std::map<std::string, VendorRecord> vendors;
  auto on_vendor = [&](const Row& r) -> Status {
    VendorRecord v;
    ASSIGN_OR_RETURN(v.id, r.Require("id"));
    v.entity_id = r.Get("entityid").value_or("");
    v.company_name = r.Get("companyname").value_or("");
    v.edi_partner_id = r.Get("custentity_mlc_edi_partner").value_or("");
    ASSIGN_OR_RETURN(v.inactive, Flag(r, "isinactive"));
    ASSIGN_OR_RETURN(v.edi_enabled, Flag(r, "custentity_mlc_edi_enabled"));
    vendors[v.id] = std::move(v);
    return Status::Ok();
  };
  constexpr std::string_view kVendorSelect =
      "SELECT id, entityid, companyname, isinactive, custentity_mlc_edi_enabled, "
      "custentity_mlc_edi_partner FROM vendor";
  RETURN_IF_ERROR(client
                      .QueryOffset(SuiteQl(std::string(kVendorSelect) +
                                           " WHERE custentity_mlc_edi_enabled = ? ORDER BY id")
                                       .Bind("T"),
                                   on_vendor)
                      .WithContext("reading EDI-enabled vendors"));
  RETURN_IF_ERROR(QueryByIds(client, kVendorSelect, {}, "id", named, kDefaultInListChunk, on_vendor)
                      .WithContext("reading the vendors of the partner profiles"));
  for (auto& [id, v] : vendors) snap.vendors.push_back(std::move(v));
  SortById(snap.vendors);

  // Items on open POs of the partners' vendors (one row per PO line; deduplicated here).
  std::vector<int64_t> existing;
  for (const auto& v : snap.vendors) {
    if (std::binary_search(named.begin(), named.end(), NumericId(v.id))) {
      existing.push_back(NumericId(v.id));
    }
  }
  std::map<std::pair<std::string, std::string>, std::string> open;  // (vendor, item) -> PO
  SuiteQl open_where(
      "t.type = ? AND tl.mainline = ? AND tl.taxline = ? AND tl.item IS NOT NULL AND t.status "
      "IN (?, ?, ?, ?, ?)");
  open_where.Bind("PurchOrd").Bind("F").Bind("F");
  for (const char* s : kOpenPoStatuses) open_where.Bind(s);
  RETURN_IF_ERROR(
      QueryByIds(client,
                 "SELECT t.id AS po, t.tranid AS tranid, t.entity AS vendor, tl.id AS line, "
                 "tl.item AS item FROM transaction t JOIN transactionline tl ON tl.transaction = "
                 "t.id",
                 open_where, "t.entity", existing, kDefaultInListChunk,
                 [&](const Row& r) -> Status {
                   ASSIGN_OR_RETURN(std::string vendor, r.Require("vendor"));
                   ASSIGN_OR_RETURN(std::string item, r.Require("item"));
                   auto key = std::pair(std::move(vendor), std::move(item));
                   if (!open.contains(key)) open[key] = r.Get("tranid").value_or("");
                   return Status::Ok();
                 })
          .WithContext("reading the items on open purchase orders"));
  std::set<std::string> item_ids;
  for (const auto& [key, po] : open) {
    snap.open_po_items.push_back({key.first, key.second, po});
    item_ids.insert(key.second);
  }
  std::sort(snap.open_po_items.begin(), snap.open_po_items.end(),
            [](const OpenPoItem& a, const OpenPoItem& b) {
              if (a.vendor_id != b.vendor_id) return IdLess(a.vendor_id, b.vendor_id);
              return IdLess(a.item_id, b.item_id);
            });
  ASSIGN_OR_RETURN(std::vector<int64_t> items,
                   ParseInternalIds({item_ids.begin(), item_ids.end()}, "item"));
  RETURN_IF_ERROR(QueryByIds(client, "SELECT id, itemid, vendorname, upccode, isinactive FROM item",
                             {}, "id", items, kDefaultInListChunk,
                             [&](const Row& r) -> Status {
                               ItemRecord i;
                               ASSIGN_OR_RETURN(i.id, r.Require("id"));
                               i.item_id = r.Get("itemid").value_or("");
                               i.vendor_part = r.Get("vendorname").value_or("");
                               i.upc = r.Get("upccode").value_or("");
                               ASSIGN_OR_RETURN(i.inactive, Flag(r, "isinactive"));
                               snap.items.push_back(std::move(i));
                               return Status::Ok();
                             })
                      .WithContext("reading the items on open purchase orders"));
  SortById(snap.items);

  RETURN_IF_ERROR(
      client
          .QueryOffset(
              SuiteQl("SELECT id, acctnumber, fullname, accttype, isinactive FROM account ORDER "
                      "BY id"),
              [&](const Row& r) -> Status {
                AccountRecord a;
                ASSIGN_OR_RETURN(a.id, r.Require("id"));
                a.number = r.Get("acctnumber").value_or("");
                a.name = r.Get("fullname").value_or("");
                a.type = r.Get("accttype").value_or("");
                ASSIGN_OR_RETURN(a.inactive, Flag(r, "isinactive"));
                snap.accounts.push_back(std::move(a));
                return Status::Ok();
              })
          .WithContext("reading accounts"));
  SortById(snap.accounts);
  return snap;
}

std::string PartnersCsv(const ReferenceSnapshot& snapshot,
                        const std::vector<config::PartnerConfig>& partners) {
  std::map<std::string, const VendorRecord*> vendors;
  for (const auto& v : snapshot.vendors) vendors[v.id] = &v;
  std::string out;
  CsvRow(out, {"partner_id", "netsuite_vendor_id", "vendor_name", "edi_partner_id", "vendor_active",
               "edi_enabled"});
  for (const auto& p : partners) {
    auto it = vendors.find(p.netsuite_vendor_id);
    const VendorRecord* v = it == vendors.end() ? nullptr : it->second;
    CsvRow(out, {p.id, p.netsuite_vendor_id, v ? v->company_name : "", v ? v->edi_partner_id : "",
                 v ? (v->inactive ? "F" : "T") : "", v ? (v->edi_enabled ? "T" : "F") : ""});
  }
  return out;
}

std::string ItemCrossReferenceCsv(const ReferenceSnapshot& snapshot,
                                  const std::vector<config::PartnerConfig>& partners) {
  std::map<std::string, const ItemRecord*> items;
  for (const auto& i : snapshot.items) items[i.id] = &i;
  std::string out;
  CsvRow(out, {"partner_id", "netsuite_vendor_id", "item_internal_id", "buyer_part", "vendor_part",
               "upc"});
  for (const auto& p : partners) {
    for (const auto& o : snapshot.open_po_items) {
      if (o.vendor_id != p.netsuite_vendor_id) continue;
      auto it = items.find(o.item_id);
      if (it == items.end()) continue;
      const ItemRecord& i = *it->second;
      CsvRow(out, {p.id, o.vendor_id, i.id, i.item_id, i.vendor_part, i.upc});
    }
  }
  return out;
}

namespace {

// The export files' stems, in CrossReferenceFiles' order; also the payload kinds of step "export".
constexpr std::string_view kExportKinds[] = {"mlc_partners", "mlc_item_xref"};

std::string ExportFileName(std::string_view stem, std::string_view content) {
  return fmt::format("{}_{}.csv", stem, cleo::Sha256Hex(content).substr(0, 12));
}

}  // namespace

std::vector<ExportFile> CrossReferenceFiles(const ReferenceSnapshot& snapshot,
                                            const std::vector<config::PartnerConfig>& partners) {
  std::vector<ExportFile> out;
  for (std::string content :
       {PartnersCsv(snapshot, partners), ItemCrossReferenceCsv(snapshot, partners)}) {
    out.push_back({ExportFileName(kExportKinds[out.size()], content), std::move(content)});
  }
  return out;
}

namespace {

// Relay step "snapshot": the snapshot is recorded by its ingest and needs nothing more.
class CompleteStep : public store::StepHandler {
 public:
  Result<store::StepOutcome> Run(const store::Document&, store::StepContext&) override {
    return store::StepOutcome{};
  }
};

// Relay step "export": drops both CSV files of the snapshot document through the target.
class ExportStep : public store::StepHandler {
 public:
  explicit ExportStep(const ExportTarget& target, int& exported)
      : target_(target), exported_(exported) {}

  Result<store::StepOutcome> Run(const store::Document& doc, store::StepContext& ctx) override {
    (void)doc;
    ASSIGN_OR_RETURN(cleo::FileTransport * transport,
                     target_.transport().WithContext("reference export " + target_.label));
    std::vector<std::string> names;
    for (std::string_view kind : kExportKinds) {
      ASSIGN_OR_RETURN(std::string content, ctx.Payload(kind));
      const std::string name = ExportFileName(kind, content);
      Status s = cleo::DropOutbound(*transport, target_.api, target_.run_action_after_drop, name,
                                    content);
      if (!s.ok() && s.code() != StatusCode::kAlreadyExists) {
        return std::move(s).WithContext(
            fmt::format("dropping {} into {}", name, target_.label));
      }
      if (s.ok()) ++exported_;
      names.push_back(name + (s.ok() ? "" : " (found from an earlier attempt)"));
    }
    store::StepOutcome out;
    out.audit.push_back({.event = std::string(store::event::kSent),
                         .step = std::string(kReferenceExportStep),
                         .actor = std::string(kReferenceSyncFlow),
                         .detail = fmt::format("{} to {}", fmt::join(names, ", "),
                                               target_.label)});
    return out;
  }

 private:
  const ExportTarget& target_;
  int& exported_;
};

}  // namespace

ReferenceSyncFlow::ReferenceSyncFlow(const config::Config& config, store::Store& store,
                                     netsuite::Client& client, const Clock& clock)
    : config_(config), store_(store), client_(client), clock_(clock) {}

Result<RunSummary> ReferenceSyncFlow::Run(RunContext& ctx) {
  const Instant started = clock_.Now();
  ASSIGN_OR_RETURN(ReferenceSnapshot snap,
                   PullReferenceSnapshot(client_, config_.partners)
                       .WithContext("pulling reference data from NetSuite"));
  const std::vector<Mismatch> mismatches = FindMismatches(config_.partners, snap);

  RunSummary summary;
  summary.counts["vendors"] = static_cast<int64_t>(snap.vendors.size());
  summary.counts["items"] = static_cast<int64_t>(snap.items.size());
  summary.counts["open_po_items"] = static_cast<int64_t>(snap.open_po_items.size());
  summary.counts["accounts"] = static_cast<int64_t>(snap.accounts.size());
  summary.counts["mismatches"] = static_cast<int64_t>(mismatches.size());
  for (const Mismatch& m : mismatches) {
    ++summary.counts[std::string(MismatchKindName(m.kind))];
    if (summary.notes.size() < kMaxNotes) summary.notes.push_back(m.message);
  }
  if (mismatches.size() > kMaxNotes) {
    summary.notes.push_back(
        fmt::format("{} more reference mismatches: see the latest reference_sync snapshot document",
                    mismatches.size() - kMaxNotes));
  }
  if (ctx.stopping()) {
    summary.counts["saved"] = 0;
    return summary;
  }

  const std::string data = SnapshotToJson(snap, config_.partners, mismatches).dump();
  // With an export, the target is part of the key: turning the export on (or pointing it
  // elsewhere) exports the current data once even when NetSuite's data did not change.
  std::string key = "snapshot-" + cleo::Sha256Hex(data);
  if (export_) key += "-export-" + cleo::Sha256Hex(export_->label).substr(0, 12);
  store::NewDocument doc;
  doc.idempotency_key = key;
  doc.direction = store::Direction::kIn;
  doc.type = std::string(kReferenceDocType);
  doc.step = std::string(export_ ? kReferenceExportStep : kReferenceStep);
  doc.payloads.push_back({.step = std::string(kReferenceStep),
                          .kind = "input",
                          .media_type = "application/json",
                          .data = data});
  if (export_) {
    const std::vector<ExportFile> files = CrossReferenceFiles(snap, config_.partners);
    for (size_t i = 0; i < files.size(); ++i) {
      doc.payloads.push_back({.step = std::string(kReferenceExportStep),
                              .kind = std::string(kExportKinds[i]),
                              .media_type = "text/csv",
                              .data = files[i].content});
    }
  }
  doc.audit.push_back(
      {.event = std::string(store::event::kReceived),
       .step = std::string(kReferenceStep),
       .actor = std::string(kReferenceSyncFlow),
       .detail = fmt::format("pulled {} vendors, {} items, {} accounts at {}; {} mismatches",
                             snap.vendors.size(), snap.items.size(), snap.accounts.size(),
                             FormatIso8601(started), mismatches.size())});
  store::IngestBatch batch;
  batch.flow = std::string(kReferenceSyncFlow);
  batch.documents.push_back(std::move(doc));
  ASSIGN_OR_RETURN(store::IngestResult ingested,
                   store_.Ingest(batch).WithContext("saving the reference snapshot"));
  summary.counts["saved"] = ingested.inserted;

  // Through the relay, like every flow's steps (flows.reference_sync.lease, the default
  // backoff): step "snapshot" needs no delivery and completes at once, step "export" (with an
  // export) drops the files. A snapshot left by a run that crashed is finished by the next.
  FlowEnv env;
  env.config = &config_;
  env.worker_id = std::string(kReferenceSyncFlow);
  store::Relay relay(store_, RelayOptionsFor(env, kReferenceSyncFlow));
  CompleteStep snapshot_step;
  relay.AddStep(std::string(kReferenceStep), snapshot_step, "");
  int exported = 0;
  std::optional<ExportStep> export_step;
  if (export_) {
    export_step.emplace(*export_, exported);
    relay.AddStep(std::string(kReferenceExportStep), *export_step, "");
  }
  ASSIGN_OR_RETURN(store::RelayStats stats,
                   relay.Drain(1000000, Stopping(ctx))
                       .WithContext("relaying the reference snapshot"));
  if (export_) {
    AddRelayCounts(stats, summary);
    summary.counts["exported"] = exported;
  }
  spdlog::info("reference sync done. vendors={} items={} accounts={} mismatches={} saved={}",
               snap.vendors.size(), snap.items.size(), snap.accounts.size(), mismatches.size(),
               ingested.inserted);
  return summary;
}

}  // namespace mlc::flows
