#include "flows/ack_status.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace mlc::flows {
namespace {

// po_outbound's step that PATCHes the EDI status onto the PO; its "sent" is not a transmission.
constexpr std::string_view kWritebackStep = "writeback";

}  // namespace

AckWait Classify997(Instant sent_at, bool acknowledged, config::Duration expect_997_within,
                    Instant now) {
  if (acknowledged) return AckWait::kAcknowledged;
  if (expect_997_within.count() <= 0) return AckWait::kAwaiting;  // none expected
  return now - sent_at > expect_997_within ? AckWait::kOverdue : AckWait::kAwaiting;
}

Result<AckStatus> PartnerAckStatus(store::Store& store, const config::PartnerConfig& partner,
                                   Instant now, std::chrono::hours window, size_t max_listed) {
  std::map<int64_t, Instant> sent;  // document id -> latest transmission
  std::set<int64_t> acked;
  // What we send that the partner acknowledges with a 997: orders and order changes.
  using store::event::kAcknowledged, store::event::kSent;
  const std::pair<std::string_view, std::string_view> kQueries[] = {
      {"850", kSent}, {"850", kAcknowledged}, {"860", kSent}, {"860", kAcknowledged}};
  for (const auto& [type, ev] : kQueries) {
    store::AuditQuery aq;
    aq.partner = partner.id;
    aq.type = std::string(type);
    aq.event = std::string(ev);
    // Both within the window, to bound the cost of every scrape; an acknowledgment always
    // follows the transmission it acknowledges, so none in the window is missed.
    aq.since = now - window;
    aq.limit = 1000;
    for (;;) {
      ASSIGN_OR_RETURN(auto events, store.QueryAudit(aq));
      for (const auto& e : events) {
        if (ev == kAcknowledged) {
          acked.insert(e.document_id);
        } else if (e.step != kWritebackStep) {
          auto [it, inserted] = sent.try_emplace(e.document_id, e.at);
          if (!inserted) it->second = std::max(it->second, e.at);
        }
      }
      if (events.size() < static_cast<size_t>(aq.limit)) break;
      aq.after_id = events.back().id;
    }
  }
  AckStatus out;
  out.sent = static_cast<int64_t>(sent.size());
  for (const auto& [id, at] : sent) {
    const AckWait w = Classify997(at, acked.contains(id), partner.expect_997_within, now);
    if (w == AckWait::kAcknowledged) {
      ++out.acknowledged;
      continue;
    }
    ++(w == AckWait::kOverdue ? out.overdue : out.awaiting);
    if (out.unacknowledged.size() < max_listed) {
      out.unacknowledged.push_back({id, at, w == AckWait::kOverdue});
    }
  }
  return out;
}

}  // namespace mlc::flows
