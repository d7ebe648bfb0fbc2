#include "sandbox/warehouse/warehouse.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/curl_http_client.h"
#include "netsuite/authenticator.h"
#include "sandbox/netsuite/credentials.h"
#include "sandbox/partners/simulator.h"

namespace mlc::sandbox::warehouse {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// "12" -> 12; anything else (empty, signs, letters, too long) -> nullopt.
std::optional<int64_t> LineNumber(const std::string& s) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), ::isdigit)) return std::nullopt;
  const int64_t n = std::stoll(s);
  if (n <= 0) return std::nullopt;
  return n;
}

// The PO's internal id by tranId. nullopt when there is none; errors of the client.
Result<std::optional<std::string>> FindPo(mlc::netsuite::Client& client, const std::string& number) {
  ASSIGN_OR_RETURN(
      mlc::netsuite::SuiteQlPage page,
      client.QueryPage(mlc::netsuite::SuiteQl(
                           "SELECT id FROM transaction WHERE type = 'PurchOrd' AND tranid = ?")
                           .Bind(number),
                       10, 0));
  if (page.rows.empty()) return std::optional<std::string>();
  if (page.rows.size() > 1) {
    return FailedPreconditionError("{} purchase orders have tranId {}", page.rows.size(), number);
  }
  ASSIGN_OR_RETURN(std::string id, page.rows[0].Require("id"));
  return std::optional<std::string>(id);
}

}  // namespace

std::string WarehouseReport::Summary() const {
  std::string s = fmt::format("received {} line{} on {} PO{} ({} item receipt{})", lines_received,
                              lines_received == 1 ? "" : "s", pos.size(), pos.size() == 1 ? "" : "s",
                              receipts, receipts == 1 ? "" : "s");
  if (already_received > 0) s += fmt::format(", {} already received", already_received);
  s += fmt::format("; {} skipped", skipped.size());
  for (size_t i = 0; i < skipped.size(); ++i) {
    const Skipped& k = skipped[i];
    s += fmt::format("{} {} {} PO {}: {}", i == 0 ? ":" : ";", k.partner, k.shipment, k.po,
                     k.reason);
  }
  return s;
}

Result<WarehouseReport> ReceiveShipments(const fs::path& root, mlc::netsuite::Client& client) {
  WarehouseReport report;
  ASSIGN_OR_RETURN(std::vector<std::string> partners, partners::PartnersWithState(root));
  for (const std::string& partner : partners) {
    ASSIGN_OR_RETURN(std::vector<partners::Shipment> shipments,
                     partners::LoadShipments(root, partner));
    std::vector<std::string> done;
    // Marks what was received so far even when a later shipment stops the round.
    auto mark = [&] { return partners::MarkShipmentsReceived(root, partner, done); };
    for (const partners::Shipment& sh : shipments) {
      if (sh.received) continue;
      auto skip = [&](std::string reason) {
        report.skipped.push_back({partner, sh.id, sh.po_number, std::move(reason)});
      };
      json items = json::array();
      std::string bad_line;
      for (const partners::ShipmentLine& l : sh.lines) {
        const std::optional<int64_t> n = LineNumber(l.po_line);
        json qty = json::parse(l.quantity.ToCanonical(), nullptr, false);
        if (!n || qty.is_discarded()) {
          bad_line = l.po_line;
          break;
        }
        if (l.quantity.sign() <= 0) continue;  // nothing of this line arrived
        items.push_back({{"orderLine", *n}, {"quantity", qty}});
      }
      if (!bad_line.empty()) {
        skip(fmt::format("PO line '{}' is not a NetSuite line number", bad_line));
        continue;
      }
      if (items.empty()) {  // an empty shipment: nothing to receive
        done.push_back(sh.id);
        continue;
      }
      Result<std::optional<std::string>> po = FindPo(client, sh.po_number);
      if (!po.ok() && po.error().code() != StatusCode::kFailedPrecondition) {
        RETURN_IF_ERROR(mark());
        return po.error().WithContext(fmt::format("finding PO {} of {} shipment {}",
                                                  sh.po_number, partner, sh.id));
      }
      if (!po.ok()) {
        skip(po.error().message());
        continue;
      }
      if (!po->has_value()) {
        skip("no purchase order with this number in NetSuite");
        continue;
      }
      json body = {{"externalId", fmt::format("IR-{}-{}", partner, sh.id)},
                   {"memo", fmt::format("Shipment {} from {}", sh.id, partner)},
                   {"item", {{"items", items}}}};
      auto receipt = client.Transform("purchaseOrder", **po, "itemReceipt", body, "replace=item");
      if (!receipt.ok()) {
        skip(receipt.error().message());
        continue;
      }
      done.push_back(sh.id);
      if (receipt->outcome == mlc::netsuite::WriteResult::Outcome::kExisted) {
        ++report.already_received;
        continue;
      }
      ++report.receipts;
      report.lines_received += static_cast<int>(items.size());
      report.pos.insert(sh.po_number);
    }
    RETURN_IF_ERROR(mark());
  }
  return report;
}

Result<WarehouseReport> ReceiveShipmentsFromSandbox(const fs::path& root,
                                                    const std::string& netsuite_url,
                                                    const std::string& credentials_file) {
  if (!fs::exists(credentials_file)) {
    return NotFoundError("NetSuite sandbox credentials file '{}' does not exist (ml-sandbox "
                         "netsuite --credentials writes it)",
                         credentials_file);
  }
  ASSIGN_OR_RETURN(netsuite::SandboxCredentials creds,
                   netsuite::LoadOrCreateCredentials(credentials_file));
  CurlHttpClient http;
  mlc::netsuite::Oauth2Options o;
  o.base_url = netsuite_url;
  o.client_id = creds.client_id;
  o.certificate_id = creds.certificate_id;
  o.private_key_pem = creds.private_key_pem;
  o.algorithm = creds.algorithm;
  mlc::netsuite::Oauth2Authenticator auth(http, o);
  mlc::netsuite::ClientOptions co;
  co.base_url = netsuite_url;
  co.retry.initial = std::chrono::milliseconds(200);
  co.retry.max_delay = std::chrono::milliseconds(2000);
  mlc::netsuite::Client client(http, auth, co);
  return ReceiveShipments(root, client);
}

}  // namespace mlc::sandbox::warehouse
