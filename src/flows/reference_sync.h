// The reference_sync flow: pulls the reference data the document flows depend on from NetSuite
// (EDI-enabled vendors and the vendors partner profiles name, the items on those vendors' open
// purchase orders, GL and AP accounts), compares it with the partner profiles, and records a
// snapshot in the store so mismatches show up before a document fails on them (issue 7,
// "Reference data alignment"):
//   vendor_missing          a partner's netsuite_vendor_id is not a NetSuite vendor
//   vendor_inactive         ... is inactive
//   vendor_not_edi_enabled  ... does not have custentity_mlc_edi_enabled
//   vendor_without_partner  an active EDI-enabled vendor that no partner profile names
//   item_without_preferred_id  an item on an open PO of a partner's vendor lacks the identifier
//                           the partner prefers first (BP itemid, VP vendorname, UP upccode)
//   item_inactive           an inactive item on such an open PO
//   account_missing / account_inactive  a partner's default expense or AP account
//   account_wrong_type      the partner's AP account is not an AcctPay account
//
// The comparison (FindMismatches) is pure; PullReferenceSnapshot does the SuiteQL I/O; the flow
// joins them and saves the snapshot as one store document (flow "reference_sync", type
// "reference", direction in, idempotency key = "snapshot-" + SHA-256 of the snapshot JSON, so an
// unchanged pull adds nothing), completed at once (state done) with its JSON as the "input"
// payload of step "snapshot" and a "received" audit event. Optionally (cleo.reference_export) it
// exports the partner ids and item cross references as CSV files to a Cleo mailbox or folder for
// CIC-side lookups, through the relay (step "export"), so a failed drop is retried, never lost.
//
// Thread safety: the flow is run by one runner thread at a time; the pure functions are
// reentrant. The config, store, client and clock must outlive the flow.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cleo/rest_api.h"
#include "cleo/transport.h"
#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "flows/runner.h"
#include "netsuite/client.h"
#include "store/store.h"

namespace mlc::flows {

inline constexpr std::string_view kReferenceSyncFlow = "reference_sync";
inline constexpr std::string_view kReferenceDocType = "reference";
inline constexpr std::string_view kReferenceStep = "snapshot";

struct VendorRecord {
  std::string id;
  std::string entity_id;
  std::string company_name;
  std::string edi_partner_id;  // custentity_mlc_edi_partner
  bool inactive = false;
  bool edi_enabled = false;  // custentity_mlc_edi_enabled
};

struct ItemRecord {
  std::string id;
  std::string item_id;      // itemid: BP
  std::string vendor_part;  // vendorname: VP
  std::string upc;          // upccode: UP
  bool inactive = false;
};

struct AccountRecord {
  std::string id;
  std::string number;  // acctnumber
  std::string name;    // fullname
  std::string type;    // accttype: AcctPay, Expense, COGS, ...
  bool inactive = false;
};

// An item on an open purchase order (status A, B, D, E or F) of a vendor.
struct OpenPoItem {
  std::string vendor_id;
  std::string item_id;
  std::string po_number;  // the first such PO (lowest internal id), for the report
};

// What one pull saw. Vectors are sorted by numeric id (open_po_items by vendor, then item), so
// equal data gives equal JSON.
struct ReferenceSnapshot {
  std::vector<VendorRecord> vendors;  // EDI-enabled vendors and every vendor a partner names
  std::vector<ItemRecord> items;      // the items of open_po_items
  std::vector<OpenPoItem> open_po_items;
  std::vector<AccountRecord> accounts;  // every account
};

enum class MismatchKind : uint8_t {
  kVendorMissing,
  kVendorInactive,
  kVendorNotEdiEnabled,
  kVendorWithoutPartner,
  kItemWithoutPreferredId,
  kItemInactive,
  kAccountMissing,
  kAccountInactive,
  kAccountWrongType,
};
// "vendor_missing", "vendor_inactive", ... (the names in the header comment).
std::string_view MismatchKindName(MismatchKind kind);

struct Mismatch {
  MismatchKind kind = MismatchKind::kVendorMissing;
  std::string partner;  // partner profile id; empty for vendor_without_partner
  std::string subject;  // NetSuite internal id of the vendor, item or account concerned
  std::string message;  // one sentence naming what to fix
  friend bool operator==(const Mismatch&, const Mismatch&) = default;
};

// Compares the snapshot with the partner profiles. Pure. Mismatches come in partner order (then
// vendor_without_partner by vendor id), each partner's in the order of the list above.
std::vector<Mismatch> FindMismatches(const std::vector<config::PartnerConfig>& partners,
                                     const ReferenceSnapshot& snapshot);

// The snapshot, the partner ids and cross references it was compared with, and the mismatches,
// as deterministic JSON (no times): {"version", "partners", "vendors", "items", "open_po_items",
// "accounts", "mismatches"}.
nlohmann::json SnapshotToJson(const ReferenceSnapshot& snapshot,
                              const std::vector<config::PartnerConfig>& partners,
                              const std::vector<Mismatch>& mismatches);

// Reads the snapshot for these partners from NetSuite with SuiteQL (values bound, IN lists in
// chunks of 500). Partners whose netsuite_vendor_id is not an internal id are skipped here (they
// show up as vendor_missing). Errors: the client's, with context.
Result<ReferenceSnapshot> PullReferenceSnapshot(netsuite::Client& client,
                                                const std::vector<config::PartnerConfig>& partners);

// The partner ids and item cross references as CSV (RFC 4180: comma separated, CRLF, fields
// quoted when they hold a comma, quote or line break; a header row first), for CIC-side lookups:
//   partners:  partner_id,netsuite_vendor_id,vendor_name,edi_partner_id,vendor_active,edi_enabled
//   item xref: partner_id,netsuite_vendor_id,item_internal_id,buyer_part,vendor_part,upc
// (one row per item on an open PO of the partner's vendor). Rows in partner order, then by id.
std::string PartnersCsv(const ReferenceSnapshot& snapshot,
                        const std::vector<config::PartnerConfig>& partners);
std::string ItemCrossReferenceCsv(const ReferenceSnapshot& snapshot,
                                  const std::vector<config::PartnerConfig>& partners);

// The two export files for this snapshot: "mlc_partners_<h>.csv" and "mlc_item_xref_<h>.csv",
// where <h> is the first 12 hex digits of the file's SHA-256. The name follows the content, so a
// changed file never overwrites an earlier one at Cleo (which PutOutbox refuses) and a retried
// drop of the same content finds its own file.
struct ExportFile {
  std::string name;
  std::string content;
};
std::vector<ExportFile> CrossReferenceFiles(const ReferenceSnapshot& snapshot,
                                            const std::vector<config::PartnerConfig>& partners);

// Where the export goes (cleo.reference_export): the transport (built on first use by whoever
// owns it), a label for logs and the idempotency key (e.g. "http:LOOKUPS"), and the optional
// Cleo action run after each drop.
struct ExportTarget {
  std::function<Result<cleo::FileTransport*>()> transport;
  std::string label;
  std::string run_action_after_drop;
  cleo::RestApi* api = nullptr;  // needed only with run_action_after_drop
};

inline constexpr std::string_view kReferenceExportStep = "export";

class ReferenceSyncFlow : public Flow {
 public:
  ReferenceSyncFlow(const config::Config& config, store::Store& store, netsuite::Client& client,
                    const Clock& clock);

  std::string name() const override { return std::string(kReferenceSyncFlow); }

  // Pulls, compares and records the snapshot. Summary counts: "vendors", "items", "accounts",
  // "open_po_items", "mismatches", one count per mismatch kind found, "saved" (1 when the
  // snapshot differed from every earlier one, else 0). Notes: one per mismatch (at most
  // kMaxNotes, then one note saying how many more are in the snapshot document).
  // Errors: NetSuite or store failures of the run as a whole.
  Result<RunSummary> Run(RunContext& ctx) override;

  static constexpr size_t kMaxNotes = 50;

  // Also export the partner ids and cross references (CrossReferenceFiles) to `target` whenever
  // a new snapshot is saved: the snapshot document then waits at step "export" instead of being
  // done at once, and the relay drops both files (count "exported": files dropped this run).
  // A failed drop is retried with backoff by later runs, and parked after the last attempt like
  // any relay step; turning the export on exports the current snapshot once. Before the first
  // Run only.
  void set_export(ExportTarget target) { export_ = std::move(target); }

 private:
  const config::Config& config_;
  store::Store& store_;
  netsuite::Client& client_;
  const Clock& clock_;
  std::optional<ExportTarget> export_;
};

}  // namespace mlc::flows
