// po_outbound: NetSuite purchase orders -> X12 850 (and 860 changes) in the partner's Cleo outbox.
//
// Ingest (one run): a SuiteQL keyset poll of purchase orders of EDI-enabled vendors, open for
// the supplier (status B pending receipt, D partially received, E pending billing/partially
// received, F pending bill), changed since the flow's cursor minus the lookback window, at most
// `max_per_run` per run (the rest comes next run; the cursor only moves past what was read).
// The POs that go to a partner are read in full as `netsuite.po_detail` says: by default with two
// SuiteQL queries per 200 POs (headers with addresses, lines; po_detail.h), or with one Record
// API GET each (also, for that run, when NetSuite refuses the SuiteQL detail query: counted as
// read_by_record_fallback and named in a note). Each is mapped to the canonical PurchaseOrder
// (reference data from LoadPoReference) and compared with the last revision recorded for it: the
// partner-visible fingerprint (model::PartnerVisibleFingerprint) decides whether anything is
// sent. A new or changed PO is mapped to the partner's 850 (revision 0: BEG01 00; later: 05
// replace) or, for a change to a partner with `po_change_as: 860`, to an 860 holding what changed
// since the revision the partner has (mapping/x12_860.h; that revision's canonical PO is the
// "model" payload recorded with it; when it is missing the change goes out as an 850 replace,
// with a note). When a partner takes 860s, closed POs (status H) are polled too: one that
// partner has is cancelled with an 860 (BCH01 01); one never sent is skipped. Control numbers
// are allocated, and the interchange is built and recorded with its document, payloads and the
// cursor in ONE store transaction: a crash loses nothing and never allocates the same numbers
// twice. A PO that cannot be mapped is recorded parked with the
// reason (no partner identifier for an item, ...). Vendors that are EDI-enabled in NetSuite but
// have no partner profile are counted and named in the summary, never guessed.
//
// Relay step "send": drops the recorded interchange into the partner's outbox under its
// deterministic name (cleo::OutboundFileName) and runs the partner's Cleo action when one is
// configured. A retried drop that finds its own file counts as sent. Audit: "sent" naming the
// file and the ISA13/GS06/ST02 that the partner's 997 will quote.
//
// Relay step "writeback" (only with `netsuite.status_fields: true`, edi_status.h): PATCHes
// custbody_mlc_edi_status = "850 sent 2026-11-27 14:05 UTC, ISA 000000012" onto the PO (or the
// 997's verdict, when fa_inbound recorded one first). The field is outside the partner-visible
// fingerprint, so the PO's new lastmodifieddate makes the next poll re-read it as "unchanged".
//
// Thread safety: Run is called by one runner thread at a time.
#pragma once

#include <string>

#include "flows/env.h"
#include "flows/runner.h"

namespace mlc::flows {

inline constexpr std::string_view kPoOutbound = "po_outbound";

struct PoOutboundOptions {
  int max_per_run = 500;
  // NetSuite's statuses of a purchase order the supplier should see.
  std::vector<std::string> statuses = {"B", "D", "E", "F"};
};

class PoOutboundFlow final : public Flow {
 public:
  PoOutboundFlow(FlowEnv env, PoOutboundOptions options = {});
  ~PoOutboundFlow() override;
  std::string name() const override { return std::string(kPoOutbound); }
  Result<RunSummary> Run(RunContext& ctx) override;

 private:
  class SendStep;
  class WritebackStep;
  Status Ingest(RunContext& ctx, RunSummary& summary);

  FlowEnv env_;
  PoOutboundOptions options_;
  std::unique_ptr<SendStep> send_;
  std::unique_ptr<WritebackStep> writeback_;
};

}  // namespace mlc::flows
