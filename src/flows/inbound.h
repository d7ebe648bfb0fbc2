// The inbound flows: what partners send us through their Cleo inboxes.
//
// invoice_inbound (ingest + the file and invoice steps)
//   ingest   lists every partner's inbox and records each new file (name + SHA-256 is the
//            idempotency key) with its bytes BEFORE anything parses it: a file that crashes the
//            parser is still kept for inspection.
//   parse    validates the file (edi::ValidateInput), checks that its envelope comes from the
//            partner whose mailbox it was in (an unknown sender is parked, never guessed),
//            builds our 997/999 for every group when the partner wants them (rejected groups
//            and sets too, with their AK3/AK4/AK5 reasons), and records one child document per
//            accepted transaction set: 810 -> "match" (invoice_inbound), 855 -> "apply_855"
//            (ack_inbound), 997/999 -> "reconcile_997" (fa_inbound). Children point at the
//            file's stored bytes; nothing is copied or re-fetched.
//   match    810: duplicate invoice number for the partner (the earlier document wins), the
//            NetSuite PO (BIG04), its vendor, reference data and received quantities, then the
//            three-way match. Exceptions park the invoice with the exact reasons, unless the
//            partner's on_mismatch is `hold`: then the bill is created on payment hold with the
//            reasons in its memo. Output: the vendor bill request.
//   bill     POST purchaseOrder/{id}/!transform/vendorBill?replace=item with an externalId made
//            from partner + invoice number: a retry or a crash never makes a second bill.
//   archive  the inbox file is archived at Cleo, only after its children and our 997 are
//            recorded (and the 997 dropped).
// fa_outbound: send_997 drops the 997/999 built by `parse` into the partner's outbox, then runs
//            the file's `archive` step at once (so a run leaves no file waiting for the next).
// ack_inbound: apply_855 reviews the 855 against its PO and writes the ack status fields onto
//            the PO (PATCH); rejections and changed quantities, prices or dates are exceptions in
//            the audit trail and the run summary.
// fa_inbound: reconcile_997 records on each 850 we sent whether the partner accepted,
//            accepted with errors or rejected it (with the AK3/AK4 reasons); each run also
//            reports 850s whose 997 is overdue after the partner's expect_997_within window.
//
// Thread safety: each flow's Run is called by one runner thread at a time; flows may run in
// parallel with each other (they share only the store and the thread-safe clients).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "flows/env.h"
#include "flows/runner.h"

namespace mlc::flows {

inline constexpr std::string_view kInvoiceInbound = "invoice_inbound";
inline constexpr std::string_view kAckInbound = "ack_inbound";
inline constexpr std::string_view kFaInbound = "fa_inbound";
inline constexpr std::string_view kFaOutbound = "fa_outbound";

class InvoiceInboundFlow final : public Flow {
 public:
  explicit InvoiceInboundFlow(FlowEnv env);
  ~InvoiceInboundFlow() override;
  std::string name() const override { return std::string(kInvoiceInbound); }
  Result<RunSummary> Run(RunContext& ctx) override;

 private:
  class ParseStep;
  class MatchStep;
  class BillStep;
  class ArchiveStep;
  Status Ingest(RunContext& ctx, RunSummary& summary);

  FlowEnv env_;
  std::vector<std::string> notes_;  // filled by the steps during a run
  std::unique_ptr<ParseStep> parse_;
  std::unique_ptr<MatchStep> match_;
  std::unique_ptr<BillStep> bill_;
  std::unique_ptr<ArchiveStep> archive_;
};

class AckInboundFlow final : public Flow {
 public:
  explicit AckInboundFlow(FlowEnv env);
  ~AckInboundFlow() override;
  std::string name() const override { return std::string(kAckInbound); }
  Result<RunSummary> Run(RunContext& ctx) override;

 private:
  class ApplyStep;
  FlowEnv env_;
  std::vector<std::string> notes_;
  std::unique_ptr<ApplyStep> apply_;
};

class FaInboundFlow final : public Flow {
 public:
  explicit FaInboundFlow(FlowEnv env);
  ~FaInboundFlow() override;
  std::string name() const override { return std::string(kFaInbound); }
  Result<RunSummary> Run(RunContext& ctx) override;

 private:
  class ReconcileStep;
  Status ReportOverdue(RunSummary& summary);
  FlowEnv env_;
  std::vector<std::string> notes_;
  std::unique_ptr<ReconcileStep> reconcile_;
};

class FaOutboundFlow final : public Flow {
 public:
  explicit FaOutboundFlow(FlowEnv env);
  ~FaOutboundFlow() override;
  std::string name() const override { return std::string(kFaOutbound); }
  Result<RunSummary> Run(RunContext& ctx) override;

 private:
  class SendAckStep;
  FlowEnv env_;
  std::unique_ptr<SendAckStep> send_;
  std::unique_ptr<store::StepHandler> archive_;  // the file's next step, run at once
};

}  // namespace mlc::flows
