#include "flows/edi_status.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/civil_time.h"
#include "flows/po_outbound.h"

namespace mlc::flows {
namespace {

// "2026-11-27 14:05 UTC"
std::string UtcMinute(Instant t) {
  const CivilDateTime c = ToCivil(t);
  return fmt::format("{} {:02}:{:02} UTC", FormatIsoDate(c.date), c.time.hour, c.time.minute);
}

std::string Cut(std::string s) {
  if (s.size() <= kEdiStatusMaxChars) return s;
  s.resize(kEdiStatusMaxChars - 3);
  // Do not leave half a UTF-8 sequence (partner text may carry any byte).
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
  if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0x80) != 0) s.pop_back();
  return s + "...";
}

}  // namespace

bool StatusFieldsOn(const config::Config& config) { return config.netsuite.status_fields; }

std::optional<std::string> PoInternalIdOf(const store::Document& doc) {
  if (doc.flow != kPoOutbound) return std::nullopt;
  const std::string_view key = doc.idempotency_key;
  if (key.rfind("po:", 0) != 0) return std::nullopt;
  const size_t end = key.find(":r", 3);
  if (end == std::string_view::npos || end == 3) return std::nullopt;
  return std::string(key.substr(3, end - 3));
}

std::string SentStatusText(const store::Document& doc, Instant sent_at, bool replace) {
  return Cut(fmt::format("{} {}sent {}, ISA {}", doc.type, replace ? "replace " : "",
                         UtcMinute(sent_at), doc.control.isa13));
}

std::string AckStatusText(const store::Document& doc, edi::AckCode code, Instant received_at,
                          std::string_view reasons) {
  std::string what(edi::AckCodeName(code));
  std::replace(what.begin(), what.end(), '-', ' ');
  return Cut(fmt::format("{} {} by 997 {}, ISA {}{}{}", doc.type, what, UtcMinute(received_at),
                         doc.control.isa13, reasons.empty() ? "" : ": ", reasons));
}

Result<std::optional<std::string>> LatestEdiStatus(store::Store& store, int64_t doc_id) {
  store::AuditQuery q;
  q.document_id = doc_id;
  q.event = std::string(kEdiStatusEvent);
  q.limit = 100;
  std::optional<std::string> latest;
  for (;;) {
    ASSIGN_OR_RETURN(auto events, store.QueryAudit(q));
    if (!events.empty()) latest = events.back().detail;
    if (static_cast<int>(events.size()) < q.limit) break;
    q.after_id = events.back().id;
  }
  return latest;
}

Result<bool> IsLatestSentRevision(store::Store& store, const store::Document& doc) {
  const std::optional<std::string> po_id = PoInternalIdOf(doc);
  if (!po_id) return false;
  store::DocumentQuery q;
  q.flow = doc.flow;
  q.business_key = doc.po_number;
  q.after_id = doc.id;  // only later documents can supersede it
  q.limit = 100;
  const std::string prefix = fmt::format("po:{}:r", *po_id);
  for (;;) {
    ASSIGN_OR_RETURN(auto later, store.ListDocuments(q));
    for (const auto& d : later) {
      // A revision parked at mapping ("map") never went out: the partner still has this one.
      if (d.idempotency_key.rfind(prefix, 0) == 0 && d.step != "map") return false;
    }
    if (static_cast<int>(later.size()) < q.limit) break;
    q.after_id = later.back().id;
  }
  return true;
}

namespace {

Status Patch(const FlowEnv& env, const store::Document& doc, const std::string& po_id,
             const std::string& text) {
  return env.netsuite
      ->Update("purchaseOrder", po_id, nlohmann::json{{std::string(kEdiStatusField), text}})
      .WithContext(fmt::format("writing the EDI status onto PO {}", doc.po_number));
}

Status Record(const FlowEnv& env, store::Store& store, const store::Document& doc,
              const std::string& text) {
  return store.AppendAudit(doc.id, {.event = std::string(kEdiStatusEvent),
                                    .step = "writeback",
                                    .actor = env.worker_id,
                                    .detail = text});
}

// The PO's internal id when `doc` speaks for its PO, nullopt when a later revision does.
Result<std::optional<std::string>> WritablePo(const FlowEnv& env, store::Store& store,
                                              const store::Document& doc) {
  if (env.netsuite == nullptr) return UnavailableError("NetSuite is not configured");
  std::optional<std::string> po_id = PoInternalIdOf(doc);
  if (!po_id) {
    return InvalidArgumentError("document {} is not a purchase order we sent", doc.id);
  }
  ASSIGN_OR_RETURN(bool latest, IsLatestSentRevision(store, doc));
  if (!latest) return std::optional<std::string>();
  return po_id;
}

}  // namespace

Result<bool> RecordAndWriteEdiStatus(const FlowEnv& env, store::Store& store,
                                     const store::Document& doc, const std::string& text) {
  ASSIGN_OR_RETURN(std::optional<std::string> po_id, WritablePo(env, store, doc));
  if (!po_id) return false;
  // Recorded before the PATCH: a writeback step that reads after this writes it too.
  ASSIGN_OR_RETURN(std::optional<std::string> recorded, LatestEdiStatus(store, doc.id));
  if (recorded != text) RETURN_IF_ERROR(Record(env, store, doc, text));
  RETURN_IF_ERROR(Patch(env, doc, *po_id, text));
  return true;
}

Result<std::optional<std::string>> WriteLatestEdiStatus(const FlowEnv& env, store::Store& store,
                                                        const store::Document& doc,
                                                        const std::string& fallback) {
  ASSIGN_OR_RETURN(std::optional<std::string> po_id, WritablePo(env, store, doc));
  if (!po_id) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::optional<std::string> text, LatestEdiStatus(store, doc.id));
  if (!text) {
    RETURN_IF_ERROR(Record(env, store, doc, fallback));
    text = fallback;
  }
  // A 997 reconciled while we PATCHed recorded a newer status: write that one as well. Three
  // rounds are plenty (each needs a new 997 for the same 850 in between).
  for (int round = 0; round < 3; ++round) {
    RETURN_IF_ERROR(Patch(env, doc, *po_id, *text));
    ASSIGN_OR_RETURN(std::optional<std::string> now, LatestEdiStatus(store, doc.id));
    if (!now || *now == *text) break;
    text = std::move(now);
  }
  return text;
}

}  // namespace mlc::flows
