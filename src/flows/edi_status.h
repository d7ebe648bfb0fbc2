// edi_status: the EDI status of a purchase order written back onto it in NetSuite
// (custbody_mlc_edi_status), so buyers see in NetSuite whether the 850 went out and what the
// partner's 997 said. Used by po_outbound (relay step "writeback", after "send") and fa_inbound
// (reconcile_997), and only when the account has the field: `netsuite.status_fields: true`
// (docs/netsuite-setup.md lists the custom fields an administrator creates).
//
// The store is the source of truth: each status is first recorded on the 850's document as an
// audit event "edi_status" (detail = the text), then PATCHed onto the PO. Whoever writes reads
// the latest recorded text, so the two flows converge on the newest status whatever order they
// run in, and a retried step writes the same text again (PATCH of one body field: idempotent).
// Only the latest revision of a PO writes: a late 997 for an 850 that was since replaced leaves
// the newer status alone. The field is not part of the PO's partner-visible fingerprint
// (model::PartnerVisibleFingerprint reads no custom fields), so writing it never causes a resend.
//
// Thread safety: stateless functions over the thread-safe store and NetSuite client.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "edi/validator.h"
#include "flows/env.h"
#include "store/store.h"

namespace mlc::flows {

inline constexpr std::string_view kEdiStatusField = "custbody_mlc_edi_status";
inline constexpr std::string_view kEdiStatusEvent = "edi_status";  // audit event on the 850
// NetSuite's free-form text custom fields hold at most 300 characters.
inline constexpr size_t kEdiStatusMaxChars = 300;

// True when `netsuite.status_fields` is on.
bool StatusFieldsOn(const config::Config& config);

// The NetSuite internal id of the PO of a po_outbound document (its idempotency key is
// "po:<id>:r<revision>:<fingerprint>"), or nullopt for any other document.
std::optional<std::string> PoInternalIdOf(const store::Document& doc);

// "850 sent 2026-11-27 14:05 UTC, ISA 000000012" ("850 replace sent ..." when `replace`).
std::string SentStatusText(const store::Document& doc, Instant sent_at, bool replace);
// "850 accepted by 997 2026-11-27 15:10 UTC, ISA 000000012" (also "accepted with errors",
// "rejected", with `reasons` appended after ": "), cut to kEdiStatusMaxChars.
std::string AckStatusText(const store::Document& doc, edi::AckCode code, Instant received_at,
                          std::string_view reasons);

// The text of the latest "edi_status" audit event of document `doc_id`, or nullopt.
Result<std::optional<std::string>> LatestEdiStatus(store::Store& store, int64_t doc_id);

// Whether `doc` is the latest po_outbound document of its PO that went out (documents parked
// at mapping do not count): only that one speaks for the PO in NetSuite.
Result<bool> IsLatestSentRevision(store::Store& store, const store::Document& doc);

// Records `text` on `doc` (unless it already is the latest status) and PATCHes it onto the PO
// (fa_inbound, when the 997 arrives). Returns whether the PATCH was made (false: not the
// latest revision). Errors: the PATCH's (retry class as in netsuite::Client), the store's.
Result<bool> RecordAndWriteEdiStatus(const FlowEnv& env, store::Store& store,
                                     const store::Document& doc, const std::string& text);

// PATCHes the latest recorded status of `doc` onto the PO (po_outbound's writeback step),
// recording `fallback` first when none is recorded (an 850 sent before the option was on). When
// another writer recorded a newer status meanwhile, writes that one too, so the PO ends with the
// newest. Returns the text written, or nullopt when `doc` is not the latest revision. Errors: as
// RecordAndWriteEdiStatus.
Result<std::optional<std::string>> WriteLatestEdiStatus(const FlowEnv& env, store::Store& store,
                                                        const store::Document& doc,
                                                        const std::string& fallback);

}  // namespace mlc::flows
