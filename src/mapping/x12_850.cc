#include "mapping/x12_850.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/civil_time.h"

namespace mlc::mapping {
namespace {

// PID05 is AN 1/80 (x12.md section 5): a longer description is sent as several PID segments of
// at most this many characters, so nothing is cut off.
constexpr size_t kPidTextMax = 80;

std::string Upper(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

// NetSuite free text may hold line breaks and tabs; X12 values are single-line.
std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Splits `text` into pieces of at most kPidTextMax bytes, breaking at the last space of a piece
// when there is one (never inside a UTF-8 sequence).
std::vector<std::string> PidPieces(const std::string& text) {
  std::vector<std::string> out;
  std::string_view rest = text;
  while (rest.size() > kPidTextMax) {
    size_t cut = rest.substr(0, kPidTextMax + 1).rfind(' ');
    if (cut == std::string_view::npos || cut == 0) {
      cut = kPidTextMax;
      while (cut > 0 && (static_cast<unsigned char>(rest[cut]) & 0xC0) == 0x80) --cut;
      if (cut == 0) cut = kPidTextMax;
    }
    out.emplace_back(rest.substr(0, cut));
    rest.remove_prefix(cut);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  if (!rest.empty()) out.emplace_back(rest);
  return out;
}

// FOB01 (146) from the Incoterm: E and F terms leave the main carriage to the buyer (CC collect),
// C and D terms have the seller pay it (PP prepaid by seller); anything else is DF (defined by
// buyer and seller). The Incoterm itself travels as FOB03 text with FOB02 ZZ (mutually defined),
// since FOB02 must be present with FOB03 (syntax note C0302).
edi::Fob FobFor(const std::string& incoterm) {
  static constexpr std::string_view kCollect[] = {"EXW", "FCA", "FAS", "FOB"};
  static constexpr std::string_view kPrepaid[] = {"CFR", "CIF", "CPT", "CIP",
                                                  "DAP", "DPU", "DAT", "DDP"};
  const std::string code = Upper(std::string_view(incoterm).substr(0, 3));
  const bool word_end = incoterm.size() == 3 || (incoterm.size() > 3 && incoterm[3] == ' ');
  std::string method = "DF";
  if (word_end && std::find(std::begin(kCollect), std::end(kCollect), code) != std::end(kCollect)) {
    method = "CC";
  } else if (word_end &&
             std::find(std::begin(kPrepaid), std::end(kPrepaid), code) != std::end(kPrepaid)) {
    method = "PP";
  }
  return edi::Fob{method, "ZZ", OneLine(incoterm)};
}

// One N1 loop. N1 needs N102 or N103/N104 (syntax note R0203): a party known only by its address
// is named by its role.
edi::Party PartyFor(std::string entity, const model::Address& a, std::string_view role) {
  edi::Party p;
  p.entity = std::move(entity);
  p.name = OneLine(a.name);
  if (p.name.empty() && a.id.empty()) p.name = std::string(role);
  if (!a.id.empty()) {
    p.id_qualifier = a.id_qualifier.empty() ? "92" : a.id_qualifier;  // 92: assigned by buyer
    p.id = a.id;
  }
  if (!a.name2.empty()) p.extra_names.push_back(OneLine(a.name2));
  // N301 is mandatory in an N3: a lone second line moves up.
  for (const std::string* line : {&a.line1, &a.line2}) {
    if (!line->empty()) p.address.push_back(OneLine(*line));
  }
  p.city = a.city;
  p.state = a.state;
  p.postal_code = a.postal_code;
  p.country = a.country;
  return p;
}

// Could be an X12 unit of measure code (355, ID 2/2): two letters or digits.
bool IsUnitCode(std::string_view unit) {
  return unit.size() == 2 && std::all_of(unit.begin(), unit.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0;
         });
}


const std::string* IdFor(const model::ItemIds& ids, std::string_view qualifier) {
  if (qualifier == "BP") return &ids.buyer_part;
  if (qualifier == "VP") return &ids.vendor_part;
  if (qualifier == "UP") return &ids.upc;
  return nullptr;
}

}  // namespace

Result<edi::PurchaseOrder850> To850(const model::PurchaseOrder& po,
                                    const config::PartnerConfig& partner, int revision) {
  if (po.number.empty()) {
    return InvalidArgumentError("mapping PO (internal id {}) to an 850 for partner {}: the PO has "
                                "no number",
                                po.internal_id, partner.id);
  }
  // CivilDate has no empty state; the default 1970-01-01 is what an unset date looks like.
  if (po.date == CivilDate{}) {
    return InvalidArgumentError("mapping PO {} to an 850 for partner {}: the PO has no date",
                                po.number, partner.id);
  }
  if (revision < 0) {
    return InvalidArgumentError("mapping PO {} to an 850 for partner {}: revision {} is negative",
                                po.number, partner.id, revision);
  }

  edi::PurchaseOrder850 out;
  out.purpose = revision == 0 ? "00" : "05";  // BEG01 353: 00 original, 05 replace
  out.type = "SA";                            // BEG02 92: stand-alone order
  out.number = po.number;
  if (revision > 0) out.release = std::to_string(revision);
  out.date = FormatEdiDate8(po.date);
  out.currency = po.currency;

  const model::Contact& buyer = po.buyer;
  if (!buyer.name.empty() || !buyer.phone.empty() || !buyer.email.empty()) {
    edi::Contact c;
    c.function = buyer.function.empty() ? "BD" : buyer.function;  // BD: buyer name or department
    c.name = OneLine(buyer.name);
    if (!buyer.phone.empty()) c.numbers.emplace_back("TE", buyer.phone);
    if (!buyer.email.empty()) c.numbers.emplace_back("EM", buyer.email);
    out.contacts.push_back(std::move(c));
  }

  if (!po.incoterm.empty()) out.fob = FobFor(po.incoterm);

  const bool has_discount = !po.terms_discount_percent.is_zero() || po.terms_discount_days > 0;
  if (!po.terms.empty() || has_discount || po.terms_net_days > 0) {
    edi::Terms t;
    t.type = "01";  // ITD01 336: basic
    t.basis = "3";  // ITD02 333: invoice date
    if (!po.terms_discount_percent.is_zero()) t.discount_percent = po.terms_discount_percent;
    if (po.terms_discount_days > 0) t.discount_days = po.terms_discount_days;
    if (po.terms_net_days > 0) t.net_days = po.terms_net_days;
    t.description = OneLine(po.terms);
    out.terms.push_back(std::move(t));
  }

  if (po.ship_date) out.dates.push_back({"010", FormatEdiDate8(*po.ship_date), ""});
  if (po.due_date) out.dates.push_back({"002", FormatEdiDate8(*po.due_date), ""});

  if (!po.ship_to.empty()) out.parties.push_back(PartyFor("ST", po.ship_to, "Ship To"));
  if (!po.bill_to.empty()) out.parties.push_back(PartyFor("BT", po.bill_to, "Bill To"));
  if (!po.vendor.empty()) out.parties.push_back(PartyFor("VN", po.vendor, "Vendor"));

  for (const model::PurchaseOrderLine& l : po.lines) {
    if (l.closed) continue;  // a closed line is not ordered any more
    edi::PoLine line;
    line.line_number = std::to_string(l.line);
    line.quantity = l.quantity;
    if (auto u = partner.uom_map.find(l.unit); u != partner.uom_map.end()) {
      line.unit = u->second;
    } else if (l.unit.empty()) {
      line.unit = "EA";
    } else if (IsUnitCode(l.unit)) {
      line.unit = Upper(l.unit);  // NetSuite abbreviations are often lower case ("ea")
    } else {
      // PO103 is ID 2/2: "Each" or "Pallet" would be rejected by the partner's 997.
      return FailedPreconditionError(
          "mapping PO {} to an 850 for partner {}: line {} unit '{}' is not an X12 unit code "
          "and the partner's uom_map has no entry for it; add it to the partner's uom_map",
          po.number, partner.id, l.line, l.unit);
    }
    line.unit_price = l.rate;
    for (const std::string& q : partner.item_id_preference) {
      const std::string* id = IdFor(l.ids, q);
      if (id == nullptr || id->empty()) continue;
      const bool seen = std::any_of(line.ids.begin(), line.ids.end(),
                                    [&](const edi::ProductId& p) { return p.qualifier == q; });
      if (!seen) line.ids.push_back({q, *id});
    }
    if (line.ids.empty()) {
      if (l.ids.buyer_part.empty()) {
        return FailedPreconditionError(
            "mapping PO {} to an 850 for partner {}: line {} (item {}) has none of the item ids "
            "the partner takes ({}) and no buyer part number (BP) to fall back on; set the "
            "vendor part number or UPC on the item, or change item_id_preference",
            po.number, partner.id, l.line, l.item_id,
            fmt::join(partner.item_id_preference, ", "));
      }
      line.ids.push_back({"BP", l.ids.buyer_part});
    }
    if (!l.description.empty()) line.descriptions = PidPieces(OneLine(l.description));
    if (l.expected_date) line.dates.push_back({"002", FormatEdiDate8(*l.expected_date), ""});
    out.lines.push_back(std::move(line));
  }
  if (out.lines.empty()) {
    return FailedPreconditionError(
        "mapping PO {} to an 850 for partner {}: the PO has no open line to order", po.number,
        partner.id);
  }
  // AMT*TT: the PO total, less the amounts of closed lines (NetSuite keeps a closed line's
  // amount in the total, but the partner is not asked for it). Line amounts are rounded like
  // NetSuite's, half up to the total's scale (at least cents).
  if (!po.total.is_zero()) {
    Decimal total = po.total;
    const int scale = std::max(2, po.total.scale());
    for (const model::PurchaseOrderLine& l : po.lines) {
      if (!l.closed) continue;
      auto amount = l.quantity.Mul(l.rate, scale, RoundingMode::kHalfUp);
      if (amount.ok()) amount = total.Sub(*amount);
      if (!amount.ok()) {
        return InvalidArgumentError(
            "mapping PO {} to an 850 for partner {}: total less closed line {}: {}", po.number,
            partner.id, l.line, amount.status().message());
      }
      total = *amount;
    }
    out.total_amount = total;
  }
  return out;
}

}  // namespace mlc::mapping
