// The overdue-997 rule, defined once: which 850s and 860s sent to a partner still wait for the
// partner's 997, and which of those are overdue. fa_inbound's run summary ("overdue_997"), the
// console's partners page, `status` and the mlc_ack_overdue metric all call PartnerAckStatus
// (the server re-exports it in server/ack_status.h), so the numbers they show always agree.
//
// The rule (Classify997):
//   - an 850 is sent at its latest "sent" audit event of any step but "writeback" (the writeback
//     step's "sent" is a status PATCH to NetSuite, not a transmission to the partner); a resend
//     (a replay) restarts the clock;
//   - it is acknowledged once it has an "acknowledged" audit event (recorded by fa_inbound's
//     reconcile step), however late that came: a late 997 still acknowledges it;
//   - an unacknowledged one is overdue when now - sent > expect_997_within, strictly: at exactly
//     the window it is still awaiting; expect_997_within 0 means no 997 is expected, never overdue.
//
// Lives in flows (not server) because both layers need it: server links flows, never the other
// way round. Thread safety: pure functions, and a function over the (thread-safe) store.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "store/store.h"

namespace mlc::flows {

enum class AckWait : uint8_t { kAcknowledged, kAwaiting, kOverdue };

// The rule above for one 850.
AckWait Classify997(Instant sent_at, bool acknowledged, config::Duration expect_997_within,
                    Instant now);

struct UnacknowledgedSend {
  int64_t document_id = 0;
  Instant sent_at;  // the latest transmission
  bool overdue = false;
};

struct AckStatus {
  int64_t sent = 0;
  int64_t acknowledged = 0;
  int64_t awaiting = 0;  // unacknowledged, not yet overdue
  int64_t overdue = 0;
  // The unacknowledged 850s in document id order, at most `max_listed` of them.
  std::vector<UnacknowledgedSend> unacknowledged;
};

// The partner's 850s with a "sent" event within `window` before now, classified by Classify997.
// Cost: two paged audit queries (sent and acknowledged events of the partner's 850s within the
// window; an acknowledgment always follows its transmission, so none that counts is missed).
// Errors: those of Store::QueryAudit.
Result<AckStatus> PartnerAckStatus(store::Store& store, const config::PartnerConfig& partner,
                                   Instant now, std::chrono::hours window, size_t max_listed);

}  // namespace mlc::flows
