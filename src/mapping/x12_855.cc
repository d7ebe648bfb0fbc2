#include "mapping/x12_855.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "common/civil_time.h"
#include "mapping/x12_810.h"

namespace mlc::mapping {
namespace {

using nlohmann::json;

Status Bad855(const edi::PoAck855& x12, std::string_view what) {
  return InvalidArgumentError("855 for PO {}: {}",
                              x12.po_number.empty() ? "(no BAK03)" : x12.po_number, what);
}

// ACK04 (374) qualifiers whose ACK05 is a date the partner commits to: 017 estimated delivery,
// 067 current schedule delivery, 068 current schedule ship, 069 promised for delivery, 079
// promised for shipment (what the demo partner simulator sends).
bool IsPromiseQualifier(std::string_view q) {
  return q == "017" || q == "067" || q == "068" || q == "069" || q == "079";
}

// BAK02 (587) types that reject the whole order.
bool IsRejection(std::string_view bak02) {
  return bak02 == "RJ" || bak02 == "RD" || bak02 == "RF" || bak02 == "RN" || bak02 == "RO" ||
         bak02 == "RV";
}

// BAK02 types that list only the exceptions: a PO line they leave out is accepted as ordered.
bool ListsExceptionsOnly(std::string_view bak02) { return bak02 == "AE" || bak02 == "RF"; }

std::string_view AckTypeMeaning(std::string_view bak02) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"AC", "acknowledge with detail and change"},
      {"AD", "acknowledge with detail, no change"},
      {"AE", "acknowledge with exception detail only"},
      {"AK", "acknowledge, no detail or change"},
      {"AT", "accepted"},
      {"RD", "reject with detail"},
      {"RF", "reject with exception detail only"},
      {"RJ", "rejected, no detail"},
      {"RN", "rejected, not as agreed"},
      {"RO", "rejected with counter offer"},
      {"RV", "rejected, violates industry practices"},
  };
  for (const auto& [code, meaning] : kTypes) {
    if (code == bak02) return meaning;
  }
  return "acknowledgment type not known to ml-connector";
}

// ACK01 (668) meanings for the line status text.
std::string_view AckCodeMeaning(std::string_view ack01) {
  static constexpr std::pair<std::string_view, std::string_view> kCodes[] = {
      {"AC", "item accepted and shipped"},
      {"AR", "item accepted and released for shipment"},
      {"BP", "item accepted, partial shipment, balance backordered"},
      {"DR", "item accepted, date rescheduled"},
      {"IA", "item accepted"},
      {"IB", "item backordered"},
      {"IC", "item accepted, changes made"},
      {"ID", "item deleted"},
      {"IF", "item on hold, incomplete description"},
      {"IH", "item on hold"},
      {"IP", "item accepted, price changed"},
      {"IQ", "item accepted, quantity changed"},
      {"IR", "item rejected"},
      {"IS", "item accepted, substitution made"},
      {"IW", "item on hold, waiver required"},
      {"R1", "item rejected, not a contract item"},
      {"R2", "item rejected, invalid item product number"},
      {"R3", "item rejected, invalid unit of issue"},
      {"R4", "item rejected, contract item not available"},
  };
  for (const auto& [code, meaning] : kCodes) {
    if (code == ack01) return meaning;
  }
  return "status not known to ml-connector";
}

std::string LineStatusText(const model::PoAckLine& a) {
  if (a.ack_code.empty()) return "no line status (PO1 without ACK)";
  return fmt::format("{} {}", a.ack_code, AckCodeMeaning(a.ack_code));
}

std::string ItemName(const model::PurchaseOrderLine& l) {
  if (!l.ids.buyer_part.empty()) return l.ids.buyer_part;
  if (!l.ids.vendor_part.empty()) return l.ids.vendor_part;
  return l.item_id;
}

std::string DescribeIds(const model::ItemIds& ids) {
  std::vector<std::string> parts;
  if (!ids.buyer_part.empty()) parts.push_back("BP " + ids.buyer_part);
  if (!ids.vendor_part.empty()) parts.push_back("VP " + ids.vendor_part);
  if (!ids.upc.empty()) parts.push_back("UP " + ids.upc);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "no item ids" : out;
}

bool SameItem(const model::ItemIds& a, const model::ItemIds& b) {
  return (!a.buyer_part.empty() && a.buyer_part == b.buyer_part) ||
         (!a.vendor_part.empty() && a.vendor_part == b.vendor_part) ||
         (!a.upc.empty() && a.upc == b.upc);
}

// The PO line an ack line answers: by PO101 when sent, else by item ids when exactly one PO line
// carries them. nullptr when none.
const model::PurchaseOrderLine* FindLine(const model::PoAckLine& a,
                                         const model::PurchaseOrder& po) {
  if (a.line > 0) {
    for (const auto& l : po.lines) {
      if (l.line == a.line) return &l;
    }
    return nullptr;
  }
  const model::PurchaseOrderLine* found = nullptr;
  for (const auto& l : po.lines) {
    if (!SameItem(a.ids, l.ids)) continue;
    if (found != nullptr) return nullptr;  // ambiguous: a person decides
    found = &l;
  }
  return found;
}

std::string_view StatusName(model::LineAckStatus s) {
  switch (s) {
    case model::LineAckStatus::kAccepted:
      return "accepted";
    case model::LineAckStatus::kChanged:
      return "changed";
    case model::LineAckStatus::kBackordered:
      return "backordered";
    case model::LineAckStatus::kRejected:
      return "rejected";
    case model::LineAckStatus::kOther:
      break;
  }
  return "other";
}

// Everything the ack says about one PO line (a PO1 loop can carry several ACKs: 6 accepted, 4
// backordered).
struct LineReview {
  const model::PurchaseOrderLine* line = nullptr;
  std::vector<const model::PoAckLine*> acks;
};

}  // namespace

Result<model::PoAck> PoAckFrom855(const edi::PoAck855& x12) {
  model::PoAck ack;
  ack.po_number = x12.po_number;
  if (ack.po_number.empty()) return Bad855(x12, "BAK03 PO number is missing");
  ack.purpose = x12.purpose;
  ack.ack_type = x12.type;
  auto date = ParseEdiDate(x12.po_date);
  if (!date.ok()) return Bad855(x12, fmt::format("BAK04 '{}' is not a date", x12.po_date));
  ack.date = *date;
  if (!x12.ack_date.empty()) {
    auto ack_date = ParseEdiDate(x12.ack_date);
    if (!ack_date.ok()) return Bad855(x12, fmt::format("BAK09 '{}' is not a date", x12.ack_date));
    ack.ack_date = *ack_date;
  }
  for (const edi::PoAckLine& x : x12.lines) {
    model::PoAckLine base;
    if (!x.line_number.empty()) {
      int n = 0;
      const char* end = x.line_number.data() + x.line_number.size();
      auto [p, ec] = std::from_chars(x.line_number.data(), end, n);
      if (ec != std::errc() || p != end || n <= 0) {
        return Bad855(x12, fmt::format("PO101 '{}' is not a line number", x.line_number));
      }
      base.line = n;
    }
    base.quantity = x.quantity.value_or(Decimal());
    base.unit = x.unit;
    base.price = x.unit_price;
    base.ids = ItemIdsFromX12(x.ids);
    if (x.acks.empty()) {
      ack.lines.push_back(base);  // a PO1 echo without ACK: no line status
      continue;
    }
    for (const edi::LineAck& a : x.acks) {
      model::PoAckLine l = base;
      l.ack_code = a.status;
      l.status = model::LineAckStatusFromCode(a.status);
      if (a.quantity) l.quantity = *a.quantity;
      if (!a.unit.empty()) l.unit = a.unit;
      if (IsPromiseQualifier(a.date_qualifier) && !a.date.empty()) {
        auto promised = ParseEdiDate(a.date);
        if (!promised.ok()) {
          return Bad855(x12,
                        fmt::format("line {}: ACK05 '{}' is not a date", x.line_number, a.date));
        }
        l.promised_date = *promised;
      }
      ack.lines.push_back(std::move(l));
    }
  }
  return ack;
}

Result<AckReview> ReviewAck(const model::PoAck& ack, const model::PurchaseOrder& po) {
  if (ack.po_number != po.number) {
    return InvalidArgumentError("855 for PO {} cannot be reviewed against PO {}", ack.po_number,
                                po.number);
  }
  AckReview review;
  const bool po_rejected = IsRejection(ack.ack_type);
  if (po_rejected) {
    review.exceptions.push_back(fmt::format("PO {} rejected by the partner (BAK02 {}: {})",
                                            po.number, ack.ack_type, AckTypeMeaning(ack.ack_type)));
  }

  // Group the ack lines by the PO line they answer, in the order the ack names them.
  std::vector<LineReview> lines;
  size_t unknown_or_missing = 0;
  for (const auto& a : ack.lines) {
    const model::PurchaseOrderLine* line = FindLine(a, po);
    if (line == nullptr) {
      ++unknown_or_missing;
      const std::string which = a.line > 0
                                    ? fmt::format("line {}", a.line)
                                    : fmt::format("a line without PO101 ({})", DescribeIds(a.ids));
      review.exceptions.push_back(fmt::format("{} ({}) is acknowledged but is not on PO {}", which,
                                              LineStatusText(a), po.number));
      continue;
    }
    auto it = std::find_if(lines.begin(), lines.end(),
                           [&](const LineReview& r) { return r.line == line; });
    if (it == lines.end()) {
      lines.push_back({line, {&a}});
    } else {
      it->acks.push_back(&a);
    }
  }

  json items = json::array();
  size_t rejected_lines = 0;
  for (const LineReview& r : lines) {
    const model::PurchaseOrderLine& pl = *r.line;
    const std::string where = fmt::format("line {} ({})", pl.line, ItemName(pl));
    std::string status_text;
    Decimal quantity;              // what the partner will supply: the non-rejected ACK02s
    bool quantity_stated = false;  // an accepted line without ACK02/PO102 accepts as ordered
    bool all_rejected = true;
    bool date_reported = false;  // a DR already says the date moved
    std::optional<CivilDate> promised;
    std::optional<Decimal> price;
    for (const model::PoAckLine* a : r.acks) {
      if (!status_text.empty()) status_text += "; ";
      status_text += LineStatusText(*a);
      if (a->status == model::LineAckStatus::kRejected) {
        review.exceptions.push_back(fmt::format("{}: rejected ({})", where, LineStatusText(*a)));
        continue;
      }
      all_rejected = false;
      if (!a->quantity.is_zero() || a->status != model::LineAckStatus::kAccepted) {
        quantity_stated = true;
      }
      auto sum = quantity.Add(a->quantity);
      if (!sum.ok()) return std::move(sum).status().WithContext("reviewing 855 " + po.number);
      quantity = *sum;
      if (a->promised_date && (!promised || *a->promised_date > *promised)) {
        promised = a->promised_date;
      }
      if (a->price) price = a->price;
      if (a->status == model::LineAckStatus::kBackordered) {
        review.exceptions.push_back(
            fmt::format("{}: {} backordered ({})", where, a->quantity.ToCanonical(), a->ack_code));
      } else if (a->status == model::LineAckStatus::kOther && !a->ack_code.empty()) {
        review.exceptions.push_back(fmt::format("{}: {}", where, LineStatusText(*a)));
      } else if (a->ack_code == "DR") {
        date_reported = true;
        review.exceptions.push_back(
            fmt::format("{}: date rescheduled to {} (DR)", where,
                        a->promised_date ? FormatIsoDate(*a->promised_date) : "an unstated date"));
      }
    }
    if (all_rejected) {
      ++rejected_lines;
    } else {
      const std::string codes = [&] {
        std::string c;
        for (const auto* a : r.acks) {
          if (a->status == model::LineAckStatus::kRejected || a->ack_code.empty()) continue;
          if (c.find(a->ack_code) == std::string::npos) c += (c.empty() ? "" : ", ") + a->ack_code;
        }
        return c.empty() ? std::string("no ACK") : c;
      }();
      if (quantity_stated && quantity != pl.quantity) {
        review.exceptions.push_back(fmt::format("{}: quantity changed from {} to {} ({})", where,
                                                pl.quantity.ToCanonical(), quantity.ToCanonical(),
                                                codes));
      }
      if (price && *price != pl.rate) {
        review.exceptions.push_back(fmt::format("{}: price changed from {} to {} ({})", where,
                                                pl.rate.ToCanonical(), price->ToCanonical(),
                                                codes));
      }
      const std::optional<CivilDate> expected = pl.expected_date ? pl.expected_date : po.due_date;
      if (promised && expected && *promised > *expected && !date_reported) {
        review.exceptions.push_back(fmt::format("{}: promised date {} is later than expected {}",
                                                where, FormatIsoDate(*promised),
                                                FormatIsoDate(*expected)));
      }
    }
    json item = {{"line", pl.line}, {"custcol_mlc_ack_status", status_text}};
    if (promised && !all_rejected) item["custcol_mlc_promised_date"] = FormatIsoDate(*promised);
    items.push_back(std::move(item));
  }

  // PO lines the ack leaves out, when it claims to give every line's detail.
  if (!lines.empty() && !po_rejected && !ListsExceptionsOnly(ack.ack_type)) {
    for (const auto& pl : po.lines) {
      if (pl.closed) continue;
      const bool named = std::any_of(lines.begin(), lines.end(),
                                     [&](const LineReview& r) { return r.line == &pl; });
      if (!named) {
        ++unknown_or_missing;
        review.exceptions.push_back(
            fmt::format("line {} ({}) is not in the acknowledgment", pl.line, ItemName(pl)));
      }
    }
  }

  // Every line rejected (and nothing else said) is a rejection of the order.
  if (po_rejected ||
      (!lines.empty() && rejected_lines == lines.size() && unknown_or_missing == 0)) {
    review.status = "rejected";
  } else if (ack.lines.empty()) {
    // Header only: AD/AT say "as ordered"; AK and the rest say only "received".
    review.status =
        ack.ack_type == "AD" || ack.ack_type == "AT" ? "accepted" : "acknowledged_no_detail";
  } else if (review.exceptions.empty()) {
    review.status = "accepted";
  } else {
    review.status = "accepted_with_changes";
  }

  review.patch = json::object();
  review.patch["custbody_mlc_ack_status"] = review.status;
  if (ack.ack_date) review.patch["custbody_mlc_ack_date"] = FormatIsoDate(*ack.ack_date);
  if (!items.empty()) review.patch["item"] = {{"items", std::move(items)}};
  return review;
}

json ToJson(const model::PoAck& ack) {
  json lines = json::array();
  for (const auto& l : ack.lines) {
    lines.push_back({{"line", l.line},
                     {"ack_code", l.ack_code},
                     {"status", StatusName(l.status)},
                     {"quantity", l.quantity.ToString()},
                     {"unit", l.unit},
                     {"promised_date", l.promised_date ? FormatIsoDate(*l.promised_date) : ""},
                     {"price", l.price ? json(l.price->ToString()) : json(nullptr)},
                     {"buyer_part", l.ids.buyer_part},
                     {"vendor_part", l.ids.vendor_part},
                     {"upc", l.ids.upc}});
  }
  return {{"po_number", ack.po_number},
          {"purpose", ack.purpose},
          {"ack_type", ack.ack_type},
          {"date", FormatIsoDate(ack.date)},
          {"ack_date", ack.ack_date ? FormatIsoDate(*ack.ack_date) : ""},
          {"lines", std::move(lines)},
          {"sender_id", ack.sender_id}};
}

}  // namespace mlc::mapping
