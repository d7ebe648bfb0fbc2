// AckStatus: which 850s and 860s sent to a partner are still waiting for the partner's 997, and
// which of those are overdue, for the console's partners page, `status` and the mlc_ack_overdue
// metric.
//
// The rule and the query live in flows/ack_status.h, where fa_inbound's run summary uses the
// same function: one definition, so the number on a dashboard, the highlighted console rows and
// the flow's "overdue_997" count always agree. This header re-exports them under mlc::server.
//
// Thread safety: as flows/ack_status.h (pure functions over the thread-safe store).
#pragma once

#include "flows/ack_status.h"

namespace mlc::server {

using flows::AckStatus;
using flows::PartnerAckStatus;
using flows::UnacknowledgedSend;

}  // namespace mlc::server
