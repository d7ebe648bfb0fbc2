#include "server/ack_status.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "store/store.h"

namespace mlc::server {

Result<AckStatus> PartnerAckStatus(store::Store& store, const config::PartnerConfig& partner,
                                   Instant now, std::chrono::hours window, size_t max_listed) {
  std::map<int64_t, Instant> sent;  // document id -> latest "sent" event
  std::set<int64_t> acked;
  for (std::string_view ev : {store::event::kSent, store::event::kAcknowledged}) {
    store::AuditQuery aq;
    aq.partner = partner.id;
    aq.type = "850";
    aq.event = std::string(ev);
    aq.since = now - window;
    aq.limit = 1000;
    for (;;) {
      ASSIGN_OR_RETURN(auto events, store.QueryAudit(aq));
      for (const auto& e : events) {
        if (ev == store::event::kSent) {
          auto& at = sent[e.document_id];
          at = std::max(at, e.at);
        } else {
          acked.insert(e.document_id);
        }
      }
      if (events.size() < static_cast<size_t>(aq.limit)) break;
      aq.after_id = events.back().id;
    }
  }
  AckStatus out;
  out.sent = static_cast<int64_t>(sent.size());
  const auto within = partner.expect_997_within;
  for (const auto& [id, at] : sent) {
    if (acked.contains(id)) {
      ++out.acknowledged;
      continue;
    }
    const bool overdue = within.count() > 0 && now - at > within;
    ++(overdue ? out.overdue : out.awaiting);
    if (out.unacknowledged.size() < max_listed) out.unacknowledged.push_back({id, at, overdue});
  }
  return out;
}

}  // namespace mlc::server
