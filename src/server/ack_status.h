// AckStatus: which 850s sent to a partner are still waiting for the partner's 997, and which of
// those are overdue. One definition shared by the console's partners page and the
// mlc_ack_overdue metric, so that the number on a dashboard matches the highlighted rows.
//
// An 850 counts when it has a "sent" audit event within `window` before now; it is acknowledged
// when it has an "acknowledged" audit event; an unacknowledged one is overdue once now minus its
// latest send exceeds the partner's expect_997_within (0 = no 997 expected: never overdue).
// Cost: two paged audit queries per partner (sent and acknowledged events in the window).
//
// Thread safety: a pure function over the store (which is thread-safe).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"

namespace mlc::store {
class Store;
}

namespace mlc::server {

struct UnacknowledgedSend {
  int64_t document_id = 0;
  Instant sent_at;  // the latest "sent" event
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

// Errors: those of Store::QueryAudit.
Result<AckStatus> PartnerAckStatus(store::Store& store, const config::PartnerConfig& partner,
                                   Instant now, std::chrono::hours window, size_t max_listed);

}  // namespace mlc::server
