#include "mapping/x12_810.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "common/civil_time.h"
#include "mapping/json_values.h"

namespace mlc::mapping {
namespace {

using nlohmann::json;

// SAC02 (1300) H850 "Tax": a tax stated as a charge, counted as tax rather than as a charge.
constexpr std::string_view kTaxChargeCode = "H850";
// NetSuite's transaction memo holds at most 999 characters.
constexpr size_t kMemoMax = 999;
// BillExternalId: longest id kept as is.
constexpr size_t kExternalIdMax = 80;

Status Bad810(const edi::Invoice810& x12, std::string_view what) {
  return InvalidArgumentError("810 invoice {}: {}", x12.number.empty() ? "(no BIG02)" : x12.number,
                              what);
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

bool IsAllowanceOrCharge(const edi::Charge& c) { return c.indicator == "A" || c.indicator == "C"; }

// Adds the SACs in `sacs` to the invoice: H850 to tax, the others to charges. SAC01 N ("no
// allowance or charge") is information only. Returns whether any was a tax.
Result<bool> AddCharges(const edi::Invoice810& x12, const std::vector<edi::Charge>& sacs,
                        model::Invoice& inv) {
  bool any_tax = false;
  for (const auto& sac : sacs) {
    if (!IsAllowanceOrCharge(sac)) continue;
    if (!sac.amount) {
      // A percent-only SAC would need us to compute the amount; partners state SAC05 on invoices.
      return Bad810(x12, fmt::format("SAC {} {} has no amount (SAC05); percent-only allowances "
                                     "and charges are not supported",
                                     sac.indicator, sac.code));
    }
    const bool allowance = sac.indicator == "A";
    if (sac.code == kTaxChargeCode) {
      any_tax = true;
      ASSIGN_OR_RETURN(inv.tax,
                       allowance ? inv.tax.Sub(sac.amount->Abs()) : inv.tax.Add(sac.amount->Abs()));
      continue;
    }
    model::Charge c;
    c.allowance = allowance;
    c.code = sac.code;
    c.amount = sac.amount->Abs();
    c.description = sac.description;
    inv.charges.push_back(std::move(c));
  }
  return any_tax;
}

Result<Decimal> SumTaxes(const std::vector<edi::Tax>& taxes, Decimal sum) {
  for (const auto& t : taxes) {
    if (t.amount) {
      ASSIGN_OR_RETURN(sum, sum.Add(*t.amount));
    }
  }
  return sum;
}

// A Decimal as a JSON number (NetSuite's Record API wants numbers). nlohmann keeps numbers as
// double and prints the shortest text that reads back the same, which is exact for up to 15
// significant digits; anything longer is refused rather than approximated.
Result<json> JsonNumber(const Decimal& d, std::string_view path) {
  const std::string text = d.ToCanonical();
  if (d.scale() == 0 || text.find('.') == std::string::npos) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && p == text.data() + text.size()) return json(n);
  }
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError("{}: {} is not a JSON number", path, text);
  auto back = ToDecimal(j, path);
  if (!back.ok() || *back != d) {
    return InvalidArgumentError("{}: {} has too many digits to send as a JSON number", path, text);
  }
  return j;
}

std::string CutMemo(std::string memo) {
  if (memo.size() > kMemoMax) {
    memo.resize(kMemoMax - 3);
    // Do not leave half a UTF-8 sequence before the ellipsis.
    while (!memo.empty() && (static_cast<unsigned char>(memo.back()) & 0xC0) == 0x80) {
      memo.pop_back();
    }
    if (!memo.empty() && (static_cast<unsigned char>(memo.back()) & 0x80) != 0) memo.pop_back();
    memo += "...";
  }
  return memo;
}

std::string ChargeMemo(const model::Charge& c) {
  std::string memo = fmt::format("{} {}", c.allowance ? "allowance" : "charge", c.code);
  if (!c.description.empty()) memo += " " + c.description;
  return memo;
}

json DecimalText(const Decimal& d) { return d.ToString(); }

}  // namespace

// BP (buyer part) and IN (buyer's item number) are both our item number; VP the supplier's part;
// UP the UPC. Other qualifiers (EN, SK, ...) are not used.
model::ItemIds ItemIdsFromX12(const std::vector<edi::ProductId>& ids) {
  model::ItemIds out;
  for (const auto& id : ids) {
    std::string* slot = nullptr;
    if (id.qualifier == "BP" || id.qualifier == "IN") {
      slot = &out.buyer_part;
    } else if (id.qualifier == "VP") {
      slot = &out.vendor_part;
    } else if (id.qualifier == "UP") {
      slot = &out.upc;
    }
    if (slot != nullptr && slot->empty()) *slot = id.id;
  }
  return out;
}

Result<model::Invoice> InvoiceFrom810(const edi::Invoice810& x12) {
  model::Invoice inv;
  inv.number = x12.number;
  if (inv.number.empty()) return Bad810(x12, "BIG02 invoice number is missing");
  if (x12.transaction_type == "CR") {
    return Bad810(x12, "BIG07 CR: a credit memo is not turned into a vendor bill");
  }
  auto date = ParseEdiDate(x12.date);
  if (!date.ok()) return Bad810(x12, fmt::format("BIG01 '{}' is not a date", x12.date));
  inv.date = *date;
  if (!x12.po_date.empty()) {
    auto po_date = ParseEdiDate(x12.po_date);
    if (!po_date.ok()) return Bad810(x12, fmt::format("BIG03 '{}' is not a date", x12.po_date));
    inv.po_date = *po_date;
  }
  inv.po_number = x12.po_number;
  if (inv.po_number.empty()) {
    for (const auto& r : x12.references) {
      if (r.qualifier == "PO" && !r.value.empty()) {
        inv.po_number = r.value;
        break;
      }
    }
  }
  if (inv.po_number.empty()) {
    return Bad810(x12, "no PO number (BIG04 or REF*PO): the invoice cannot be matched");
  }
  inv.type = x12.transaction_type;
  inv.currency = x12.currency;

  // The vendor: N1*VN, else N1*SU (supplier), else N1*SE (selling party).
  for (std::string_view entity : {"VN", "SU", "SE"}) {
    auto it = std::find_if(x12.parties.begin(), x12.parties.end(),
                           [&](const edi::Party& p) { return p.entity == entity; });
    if (it != x12.parties.end()) {
      inv.vendor_name = it->name;
      inv.vendor_id = it->id;
      inv.vendor_id_qualifier = it->id_qualifier;
      break;
    }
  }
  if (!x12.terms.empty()) {
    const edi::Terms& t = x12.terms.front();
    inv.terms = t.description;
    inv.terms_net_days = t.net_days.value_or(0);
    if (inv.terms.empty() && t.net_days) inv.terms = fmt::format("Net {}", *t.net_days);
  }

  if (x12.lines.empty()) return Bad810(x12, "no IT1 lines (summary invoices are not supported)");
  for (size_t i = 0; i < x12.lines.size(); ++i) {
    const edi::InvoiceLine& x = x12.lines[i];
    model::InvoiceLine l;
    l.position = static_cast<int>(i + 1);
    l.line_ref = x.line_number;
    l.quantity = x.quantity;
    l.unit = x.unit;
    l.unit_price = x.unit_price;
    l.ids = ItemIdsFromX12(x.ids);
    l.description = Join(x.descriptions);
    inv.lines.push_back(std::move(l));
  }

  // Charges: the summary SAC loop when it has any allowance or charge (senders that also put
  // SACs in the IT1 loops repeat them there as totals), else the SACs of the IT1 loops.
  const bool summary_sacs =
      std::any_of(x12.charges.begin(), x12.charges.end(), IsAllowanceOrCharge);
  bool sac_tax = false;
  if (summary_sacs) {
    ASSIGN_OR_RETURN(sac_tax, AddCharges(x12, x12.charges, inv));
  } else {
    for (const auto& l : x12.lines) {
      ASSIGN_OR_RETURN(bool t, AddCharges(x12, l.charges, inv));
      sac_tax = sac_tax || t;
    }
  }
  // Tax: a SAC H850 already states it (and the TXIs beside it only detail it); else the TXIs
  // outside the lines, else those of the lines.
  if (!sac_tax) {
    const bool summary_txi = std::any_of(x12.taxes.begin(), x12.taxes.end(),
                                         [](const edi::Tax& t) { return t.amount.has_value(); });
    if (summary_txi) {
      ASSIGN_OR_RETURN(inv.tax, SumTaxes(x12.taxes, inv.tax));
    } else {
      for (const auto& l : x12.lines) {
        ASSIGN_OR_RETURN(inv.tax, SumTaxes(l.taxes, inv.tax));
      }
    }
  }
  inv.total = x12.total;
  return inv;
}

matching::InvoiceView MatchInvoiceView(const model::Invoice& invoice) {
  matching::InvoiceView v;
  v.number = invoice.number;
  v.po_number = invoice.po_number;
  v.currency = invoice.currency;
  for (const auto& l : invoice.lines) {
    matching::InvoiceLine m;
    m.position = l.position;
    m.line_ref = l.line_ref;
    m.quantity = l.quantity;
    m.unit = l.unit;
    m.unit_price = l.unit_price;
    if (!l.ids.vendor_part.empty()) m.ids.push_back({"VP", l.ids.vendor_part});
    if (!l.ids.buyer_part.empty()) m.ids.push_back({"BP", l.ids.buyer_part});
    if (!l.ids.upc.empty()) m.ids.push_back({"UP", l.ids.upc});
    v.lines.push_back(std::move(m));
  }
  for (const auto& c : invoice.charges) {
    // Charges of realistic size cannot overflow 38 digits; should one, the total check reports
    // the invoice as not adding up rather than this function failing.
    auto sum = c.allowance ? v.charges.Sub(c.amount) : v.charges.Add(c.amount);
    if (sum.ok()) v.charges = *sum;
  }
  v.tax = invoice.tax;
  v.stated_total = invoice.total;
  return v;
}

matching::PurchaseOrderView MatchPoView(const model::PurchaseOrder& po) {
  matching::PurchaseOrderView v;
  v.number = po.number;
  v.status = po.status;
  v.currency = po.currency;
  for (const auto& l : po.lines) {
    matching::PoLine m;
    m.line = l.line;
    m.item = !l.ids.buyer_part.empty() ? l.ids.buyer_part : l.item_id;
    if (!l.ids.vendor_part.empty()) m.ids.push_back({"VP", l.ids.vendor_part});
    if (!l.ids.buyer_part.empty()) {
      m.ids.push_back({"BP", l.ids.buyer_part});
      m.ids.push_back({"IN", l.ids.buyer_part});
    }
    if (!l.ids.upc.empty()) m.ids.push_back({"UP", l.ids.upc});
    m.ordered = l.quantity;
    m.received = l.received;
    m.billed = l.billed;
    m.rate = l.rate;
    m.unit = l.unit;
    m.closed = l.closed;
    v.lines.push_back(std::move(m));
  }
  return v;
}

Result<matching::MatchOptions> MatchOptionsFor(const config::PartnerConfig& partner) {
  matching::MatchOptions o;
  struct Field {
    std::string_view key;
    const std::string* text;
    Decimal* out;
  };
  const Field fields[] = {
      {"price_percent", &partner.tolerances.price_percent, &o.tolerances.price_percent},
      {"price_amount", &partner.tolerances.price_amount, &o.tolerances.price_amount},
      {"quantity_percent", &partner.tolerances.quantity_percent, &o.tolerances.quantity_percent},
  };
  for (const Field& f : fields) {
    if (f.text->empty()) continue;  // not configured: no tolerance
    auto d = Decimal::Parse(*f.text);
    if (!d.ok()) {
      return InvalidArgumentError("partner {}: tolerances.{}: '{}' is not a decimal", partner.id,
                                  f.key, *f.text);
    }
    if (d->sign() < 0) {
      return InvalidArgumentError("partner {}: tolerances.{}: '{}' is negative", partner.id, f.key,
                                  *f.text);
    }
    *f.out = *d;
  }
  if (!partner.item_id_preference.empty()) o.id_preference = partner.item_id_preference;
  // The config maps NetSuite unit -> X12 code (for the 850); the matcher reads the partner's code.
  // Two NetSuite units sharing one code: the first in the map's (name) order wins.
  for (const auto& [netsuite_unit, code] : partner.uom_map) o.unit_map.emplace(code, netsuite_unit);
  return o;
}

std::string BillExternalId(std::string_view partner_id, std::string_view invoice_number) {
  const std::string original = fmt::format("{}-{}", partner_id, invoice_number);
  std::string id = original;
  bool changed = false;
  for (char& ch : id) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    if (!ok) {
      ch = '_';
      changed = true;
    }
  }
  if (!changed && id.size() <= kExternalIdMax) return id;
  // FNV-1a 64 of the original, 10 hex digits (40 bits): stable across builds and platforms.
  uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : original) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  const std::string suffix = fmt::format("-{:010x}", h & 0xFFFFFFFFFFull);
  if (id.size() + suffix.size() > kExternalIdMax) id.resize(kExternalIdMax - suffix.size());
  return id + suffix;
}

Result<json> VendorBillBody(const model::Invoice& invoice, const matching::MatchResult& match,
                            const config::PartnerConfig& partner, bool on_hold) {
  if (match.lines.empty()) {
    return InvalidArgumentError("vendor bill for invoice {} from {}: the match has no bill lines",
                                invoice.number, partner.id);
  }
  json body = json::object();
  body["externalId"] = BillExternalId(partner.id, invoice.number);
  body["tranId"] = invoice.number;
  body["tranDate"] = FormatIsoDate(invoice.date);

  json items = json::array();
  for (const auto& l : match.lines) {
    const std::string path = fmt::format("item.items[{}]", items.size());
    ASSIGN_OR_RETURN(json quantity, JsonNumber(l.quantity, path + ".quantity"));
    ASSIGN_OR_RETURN(json rate, JsonNumber(l.rate, path + ".rate"));
    items.push_back({{"orderLine", l.po_line}, {"quantity", quantity}, {"rate", rate}});
  }
  body["item"] = {{"items", std::move(items)}};

  // Charges, allowances and tax as expense lines on the partner's default expense account.
  struct Extra {
    Decimal amount;
    std::string memo;
  };
  std::vector<Extra> extras;
  for (const auto& c : invoice.charges) {
    if (c.amount.is_zero()) continue;
    extras.push_back({c.allowance ? c.amount.Negate() : c.amount, ChargeMemo(c)});
  }
  if (!invoice.tax.is_zero()) extras.push_back({invoice.tax, "tax"});

  std::string memo = fmt::format("EDI 810 invoice {} from {} for PO {}", invoice.number, partner.id,
                                 invoice.po_number);
  if (!invoice.interchange_control.empty()) {
    memo += fmt::format(" (ISA13 {}, GS06 {}, ST02 {})", invoice.interchange_control,
                        invoice.group_control, invoice.set_control);
  }
  if (!extras.empty()) {
    if (partner.default_accounts.expense.empty()) {
      Decimal sum;
      for (const auto& e : extras) {
        auto s = sum.Add(e.amount);
        if (s.ok()) sum = *s;
      }
      memo += fmt::format(
          "; charges, allowances and tax of {} not billed here: partner {} has "
          "no default expense account",
          sum.ToCanonical(), partner.id);
    } else {
      json expense = json::array();
      for (const auto& e : extras) {
        const std::string path = fmt::format("expense.items[{}]", expense.size());
        ASSIGN_OR_RETURN(json amount, JsonNumber(e.amount, path + ".amount"));
        expense.push_back({{"account", {{"id", partner.default_accounts.expense}}},
                           {"amount", amount},
                           {"memo", e.memo}});
      }
      body["expense"] = {{"items", std::move(expense)}};
    }
  }
  if (on_hold) {
    body["paymentHold"] = true;
    memo += "; ON HOLD: " + match.Summary();
  }
  body["memo"] = CutMemo(std::move(memo));
  return body;
}

json ToJson(const model::Invoice& invoice) {
  json lines = json::array();
  for (const auto& l : invoice.lines) {
    lines.push_back({{"position", l.position},
                     {"line_ref", l.line_ref},
                     {"quantity", DecimalText(l.quantity)},
                     {"unit", l.unit},
                     {"unit_price", DecimalText(l.unit_price)},
                     {"buyer_part", l.ids.buyer_part},
                     {"vendor_part", l.ids.vendor_part},
                     {"upc", l.ids.upc},
                     {"description", l.description}});
  }
  json charges = json::array();
  for (const auto& c : invoice.charges) {
    charges.push_back({{"allowance", c.allowance},
                       {"code", c.code},
                       {"amount", DecimalText(c.amount)},
                       {"description", c.description}});
  }
  return {{"number", invoice.number},
          {"date", FormatIsoDate(invoice.date)},
          {"po_number", invoice.po_number},
          {"po_date", invoice.po_date ? FormatIsoDate(*invoice.po_date) : ""},
          {"type", invoice.type},
          {"currency", invoice.currency},
          {"vendor_name", invoice.vendor_name},
          {"vendor_id", invoice.vendor_id},
          {"vendor_id_qualifier", invoice.vendor_id_qualifier},
          {"terms", invoice.terms},
          {"terms_net_days", invoice.terms_net_days},
          {"lines", std::move(lines)},
          {"charges", std::move(charges)},
          {"tax", DecimalText(invoice.tax)},
          {"total", invoice.total ? json(invoice.total->ToString()) : json(nullptr)},
          {"sender_id", invoice.sender_id},
          {"interchange_control", invoice.interchange_control},
          {"group_control", invoice.group_control},
          {"set_control", invoice.set_control}};
}

}  // namespace mlc::mapping
