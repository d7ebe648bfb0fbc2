#include "mapping/x12_860.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mapping/x12_850.h"

namespace mlc::mapping {
namespace {

// NetSuite's status H: Closed (netsuite.md, transaction statuses of PurchOrd).
constexpr std::string_view kClosedStatus = "H";

model::PurchaseOrder Reopened(model::PurchaseOrder po) {
  for (model::PurchaseOrderLine& l : po.lines) l.closed = false;
  return po;
}

// The typed PO1 view of the open lines of `po` (as its 850 carries them), by line number, so that
// a line's POC carries what its PO1 carried.
Result<std::map<std::string, edi::PoLine>> OpenLinesOf(const model::PurchaseOrder& po,
                                                       const config::PartnerConfig& partner) {
  std::map<std::string, edi::PoLine> out;
  if (std::all_of(po.lines.begin(), po.lines.end(), [](const auto& l) { return l.closed; })) {
    return out;  // To850 refuses a PO without an open line
  }
  ASSIGN_OR_RETURN(edi::PurchaseOrder850 x, To850(po, partner, 0));
  for (edi::PoLine& l : x.lines) out.emplace(l.line_number, std::move(l));
  return out;
}

// POC02 for a line open before and after, or "" when the partner sees no difference.
std::string ChangeCode(const edi::PoLine& was, const edi::PoLine& now) {
  if (was == now) return "";
  edi::PoLine same_quantity = now;
  same_quantity.quantity = was.quantity;
  if (same_quantity == was) return now.quantity > was.quantity ? "QI" : "QD";
  edi::PoLine same_price = now;
  same_price.unit_price = was.unit_price;
  if (same_price == was) return "PC";
  return "CA";
}

Result<Decimal> LeftToReceive(const model::PurchaseOrder& po, int line) {
  for (const auto& l : po.lines) {
    if (l.line != line) continue;
    ASSIGN_OR_RETURN(Decimal left, l.quantity.Sub(l.received));
    return left.sign() < 0 ? Decimal() : left;
  }
  return Decimal();
}

}  // namespace

Result<PurchaseOrderChange860> To860(const model::PurchaseOrder& before,
                                     const model::PurchaseOrder& after,
                                     const config::PartnerConfig& partner, int revision,
                                     CivilDate change_date) {
  if (before.number != after.number) {
    return InvalidArgumentError(
        "mapping a change of PO {} to an 860 for partner {}: the earlier revision is of PO '{}'",
        after.number, partner.id, before.number);
  }
  if (revision < 1) {
    return InvalidArgumentError(
        "mapping PO {} to an 860 for partner {}: revision {} changes nothing the partner has "
        "(an 860 needs revision 1 or later)",
        after.number, partner.id, revision);
  }
  const bool cancelled =
      after.status == kClosedStatus ||
      std::all_of(after.lines.begin(), after.lines.end(), [](const auto& l) { return l.closed; });

  // The heading (and, unless cancelled, the open lines and total) exactly as the 850 has them.
  // (To850's errors name the 850 they would have been; the context says it is an 860.)
  const std::string context = fmt::format("860 change {} of PO {}", revision, after.number);
  Result<edi::PurchaseOrder850> mapped =
      To850(cancelled ? Reopened(after) : after, partner, revision);
  if (!mapped.ok()) return std::move(mapped).status().WithContext(context);
  edi::PurchaseOrder850 now = std::move(*mapped);
  PurchaseOrderChange860 out;
  // BCH01 353: 01 cancellation, 04 change. (Through a std::string temporary: g++ 12 at -O2 warns
  // falsely, -Wmaybe-uninitialized, when the literal is assigned directly.)
  out.purpose = std::string(cancelled ? "01" : "04");
  out.type = now.type;
  out.number = now.number;
  out.change_sequence = std::to_string(revision);
  out.date = now.date;
  out.change_date = FormatEdiDate8(change_date);
  if (!cancelled) out.total_amount = now.total_amount;
  std::map<std::string, edi::PoLine> is;  // the open lines now, as their PO1s
  for (edi::PoLine& l : now.lines) is.emplace(l.line_number, std::move(l));
  out.heading = std::move(now);
  out.heading.lines.clear();
  out.heading.total_amount.reset();
  if (cancelled) return out;

  auto was = OpenLinesOf(before, partner);
  if (!was.ok()) return std::move(was).status().WithContext(context + ", earlier revision");
  std::set<int> numbers;
  for (const auto& l : before.lines) numbers.insert(l.line);
  for (const auto& l : after.lines) numbers.insert(l.line);
  for (int n : numbers) {
    const std::string key = std::to_string(n);
    const bool open_was = was->count(key) > 0;
    const bool open_is = is.count(key) > 0;
    PoChangeLine c;
    if (open_is) {
      c.line = is.at(key);
      if (!open_was) {
        c.change = "AI";
      } else {
        c.change = ChangeCode(was->at(key), c.line);
        if (c.change.empty()) continue;
      }
      ASSIGN_OR_RETURN(c.left_to_receive, LeftToReceive(after, n));
    } else if (open_was) {
      c.change = "DI";
      c.line = was->at(key);
      c.line.quantity = Decimal();
    } else {
      continue;  // closed before and after: the partner was told already
    }
    out.lines.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<edi::SegmentData>> Build860(const PurchaseOrderChange860& change) {
  if (change.number.empty()) return InvalidArgumentError("860: the PO number (BCH03) is empty");
  if (change.date.empty()) {
    return InvalidArgumentError("860 {}: the PO date (BCH06) is empty", change.number);
  }
  std::vector<edi::SegmentData> out;
  out.push_back({"BCH",
                 {change.purpose, change.type.empty() ? "SA" : change.type, change.number, "",
                  change.change_sequence, change.date, "", "", "", "", change.change_date}});

  // The heading segments are the 850's (same segments, same order): written by edi::Build850
  // from the heading with a stand-in line, keeping what lies between BEG and the first PO1.
  edi::PurchaseOrder850 heading = change.heading;
  heading.number = change.number;
  heading.date = change.date;
  heading.total_amount.reset();
  heading.lines.resize(1);
  ASSIGN_OR_RETURN(std::vector<edi::SegmentData> x850, edi::Build850(heading));
  for (size_t i = 1; i < x850.size() && x850[i].tag != "PO1"; ++i) out.push_back(x850[i]);

  Decimal hash;
  for (const PoChangeLine& c : change.lines) {
    const edi::PoLine& l = c.line;
    std::vector<edi::ElementValue> e = {l.line_number,
                                        c.change,
                                        l.quantity.ToCanonical(),
                                        c.left_to_receive.ToCanonical(),
                                        l.unit,
                                        l.unit_price ? l.unit_price->ToCanonical() : "",
                                        l.price_basis};
    for (const edi::ProductId& id : l.ids) {
      e.emplace_back(id.qualifier);
      e.emplace_back(id.id);
    }
    out.push_back({"POC", std::move(e)});
    for (const std::string& d : l.descriptions) out.push_back({"PID", {"F", "", "", "", d}});
    for (const edi::DateTime& d : l.dates) out.push_back({"DTM", {d.qualifier, d.date, d.time}});
    ASSIGN_OR_RETURN(hash, hash.Add(l.quantity));
  }
  if (!change.lines.empty()) {
    out.push_back({"CTT", {std::to_string(change.lines.size()), hash.ToCanonical()}});
  }
  if (change.total_amount) out.push_back({"AMT", {"TT", change.total_amount->ToCanonical()}});
  return out;
}

}  // namespace mlc::mapping
