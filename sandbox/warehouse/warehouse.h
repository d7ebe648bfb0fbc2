// The simulated warehouse: receives into NetSuite what the partner simulator shipped.
//
// The partner simulator records a shipment per answered 850 (sandbox/partners/simulator.h: PO
// number, PO lines and quantities shipped, short ones included). ReceiveShipments takes every
// unreceived shipment of every partner under the sandbox root, finds the PO by tranId with SuiteQL
// and posts an item receipt:
//   POST /record/v1/purchaseOrder/{id}/!transform/itemReceipt?replace=item
//   {"externalId":"IR-<partner>-<shipment id>", "memo":..., "item":{"items":[{orderLine, quantity}]}}
// then marks the shipment received in the partner's state file. The externalId makes a rerun
// safe: if the receipt exists already (say the state file was not written after it), the
// client resolves the duplicate to the existing receipt and the shipment is just marked.
//
// A shipment that cannot be received (no PO with that number, a PO line that is not a number,
// NetSuite refusing the receipt) is skipped with its reason and stays unreceived, so it is
// reported again next time; this is not an error. Errors are reserved for what stops the whole
// round: unreadable state files, and SuiteQL failing (authentication, NetSuite unreachable).
//
// Thread safety: one ReceiveShipments per root at a time; the client may be shared.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "netsuite/client.h"

namespace mlc::sandbox::warehouse {

struct Skipped {
  std::string partner;
  std::string shipment;  // shipment id
  std::string po;        // PO number
  std::string reason;
};

struct WarehouseReport {
  int lines_received = 0;         // PO lines on receipts created by this round
  int receipts = 0;               // item receipts created by this round
  int already_received = 0;       // shipments whose receipt existed already (externalId)
  std::set<std::string> pos;      // PO numbers that got a receipt this round
  std::vector<Skipped> skipped;

  // One line: "received 5 lines on 2 POs (2 item receipts); 1 skipped: ACME 000003 PO9: ...".
  std::string Summary() const;
};

// One round over every partner under `root` (see above). `client` talks to NetSuite.
// Errors: DATA_LOSS for a corrupt partner state file; SuiteQL errors of the client (with context).
Result<WarehouseReport> ReceiveShipments(const std::filesystem::path& root,
                                         mlc::netsuite::Client& client);

// ReceiveShipments with a client built for the NetSuite sandbox at `netsuite_url`, authenticated
// by OAuth 2.0 client credentials (JWT assertion) from the sandbox's credentials file
// (sandbox/netsuite/credentials.h). Errors: NOT_FOUND when the credentials file does not exist,
// INVALID_ARGUMENT when it is unreadable, then those of ReceiveShipments.
Result<WarehouseReport> ReceiveShipmentsFromSandbox(const std::filesystem::path& root,
                                                    const std::string& netsuite_url,
                                                    const std::string& credentials_file);

}  // namespace mlc::sandbox::warehouse
