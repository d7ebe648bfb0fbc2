#include "matching/three_way_match.h"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

namespace mlc::matching {
namespace {

constexpr std::array<std::string_view, 11> kKindNames = {
    "po_not_billable",        "currency_mismatch",       "unknown_item",   "ambiguous_item",
    "line_closed",            "unit_mismatch",           "quantity_over_ordered",
    "quantity_over_received", "price_variance",          "conflicting_prices",
    "total_mismatch",
};

// PurchOrd status letters (netsuite.md §3.2) that can take a bill: B Pending Receipt (billing in
// advance of receipt is decided by require_receipt), D Partially Received, E Pending
// Billing/Partially Received, F Pending Bill.
bool Billable(std::string_view status) {
  return status.empty() || status == "B" || status == "D" || status == "E" || status == "F";
}

std::string_view StatusText(std::string_view status) {
  if (status == "A") return "pending supervisor approval";
  if (status == "C") return "rejected by supervisor";
  if (status == "G") return "fully billed";
  if (status == "H") return "closed";
  if (status == "P") return "planned";
  return "not billable";
}

std::string DescribeLine(const InvoiceLine& l) {
  std::string ids;
  for (const auto& id : l.ids) {
    if (!ids.empty()) ids += ", ";
    ids += fmt::format("{} '{}'", id.qualifier, id.value);
  }
  return fmt::format("invoice line {}{}", l.position, ids.empty() ? "" : " (" + ids + ")");
}

// True when `line` carries an identifier with `qualifier` equal to `value`.
bool HasId(const PoLine& line, std::string_view qualifier, std::string_view value) {
  return std::any_of(line.ids.begin(), line.ids.end(), [&](const ItemId& id) {
    return id.qualifier == qualifier && id.value == value;
  });
}

// True when no identifier the invoice line quotes contradicts the PO line: for each qualifier
// both sides know, the values must be equal.
bool IdsAgree(const InvoiceLine& inv, const PoLine& po) {
  for (const auto& id : inv.ids) {
    bool po_has_qualifier = false;
    for (const auto& p : po.ids) {
      if (p.qualifier != id.qualifier) continue;
      po_has_qualifier = true;
      if (p.value == id.value) return true;
    }
    if (po_has_qualifier) return false;
  }
  return true;
}

struct LineChoice {
  const PoLine* line = nullptr;
  std::optional<MatchException> problem;
};

LineChoice ChooseLine(const InvoiceLine& inv, const PurchaseOrderView& po,
                      const MatchOptions& options) {
  // 1. By line number, when the identifiers agree.
  if (!inv.line_ref.empty()) {
    int ref = 0;
    const auto* end = inv.line_ref.data() + inv.line_ref.size();
    if (auto [p, ec] = std::from_chars(inv.line_ref.data(), end, ref);
        ec == std::errc() && p == end) {
      for (const auto& l : po.lines) {
        if (l.line == ref && IdsAgree(inv, l)) return {&l, std::nullopt};
      }
    }
  }
  // 2. By identifiers, in the partner's preference order.
  for (const auto& qualifier : options.id_preference) {
    for (const auto& id : inv.ids) {
      if (id.qualifier != qualifier || id.value.empty()) continue;
      std::vector<const PoLine*> hits;
      for (const auto& l : po.lines) {
        if (HasId(l, qualifier, id.value)) hits.push_back(&l);
      }
      if (hits.size() == 1) return {hits[0], std::nullopt};
      if (hits.size() > 1) {
        return {nullptr,
                MatchException{ExceptionKind::kAmbiguousItem, inv.position, 0,
                               fmt::format("{}: {} '{}' is on {} lines of PO {} and the line "
                                           "number '{}' does not say which",
                                           DescribeLine(inv), qualifier, id.value, hits.size(),
                                           po.number, inv.line_ref)}};
      }
    }
  }
  return {nullptr,
          MatchException{ExceptionKind::kUnknownItem, inv.position, 0,
                         fmt::format("{}: no line of PO {} matches its line number '{}' or its "
                                     "item identifiers",
                                     DescribeLine(inv), po.number, inv.line_ref)}};
}

struct Accumulated {
  const PoLine* line = nullptr;
  std::vector<const InvoiceLine*> invoice_lines;
  Decimal quantity;
};

Result<MatchResult> Match(const InvoiceView& invoice, const PurchaseOrderView& po,
                          const MatchOptions& options);

}  // namespace

std::string_view ExceptionKindName(ExceptionKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : "unknown";
}

std::string MatchResult::Summary() const {
  std::string out;
  for (const auto& e : exceptions) {
    if (!out.empty()) out += "; ";
    out += e.message;
  }
  return out;
}

bool MatchResult::holdable() const {
  return std::all_of(exceptions.begin(), exceptions.end(), [](const MatchException& e) {
    return e.kind == ExceptionKind::kPriceVariance || e.kind == ExceptionKind::kQuantityOverReceived;
  });
}

Result<MatchResult> ThreeWayMatch(const InvoiceView& invoice, const PurchaseOrderView& po,
                                  const MatchOptions& options) {
  return Match(invoice, po, options)
      .WithContext(fmt::format("matching invoice {} to PO {}", invoice.number, po.number));
}

namespace {

Result<MatchResult> Match(const InvoiceView& invoice, const PurchaseOrderView& po,
                          const MatchOptions& options) {
  MatchResult result;
  auto fail = [&](ExceptionKind kind, int position, int po_line, std::string message) {
    result.exceptions.push_back({kind, position, po_line, std::move(message)});
  };

  if (!Billable(po.status)) {
    fail(ExceptionKind::kPoNotBillable, 0, 0,
         fmt::format("PO {} is {} (status {}) and cannot be billed", po.number,
                     StatusText(po.status), po.status));
    return result;
  }
  if (!invoice.currency.empty() && !po.currency.empty() && invoice.currency != po.currency) {
    fail(ExceptionKind::kCurrencyMismatch, 0, 0,
         fmt::format("invoice currency {} differs from PO {} currency {}", invoice.currency,
                     po.number, po.currency));
  }

  // Match every invoice line to a PO line, merging lines that bill the same PO line.
  std::vector<Accumulated> acc;
  for (const auto& inv : invoice.lines) {
    LineChoice choice = ChooseLine(inv, po, options);
    if (choice.problem) {
      result.exceptions.push_back(*std::move(choice.problem));
      continue;
    }
    const PoLine& line = *choice.line;
    const std::string where = fmt::format("{} (PO line {}, item {})", DescribeLine(inv),
                                          line.line, line.item);
    if (line.closed) {
      fail(ExceptionKind::kLineClosed, inv.position, line.line,
           fmt::format("{}: the PO line is closed", where));
      continue;
    }
    if (!inv.unit.empty() && !line.unit.empty()) {
      auto mapped = options.unit_map.find(inv.unit);
      const std::string& unit = mapped == options.unit_map.end() ? inv.unit : mapped->second;
      if (unit != line.unit) {
        fail(ExceptionKind::kUnitMismatch, inv.position, line.line,
             fmt::format("{}: unit {} (maps to {}) differs from the PO unit {}", where, inv.unit,
                         unit, line.unit));
        continue;
      }
    }
    // Price: |invoiced - rate| <= max(price_amount, rate * price_percent / 100).
    ASSIGN_OR_RETURN(Decimal diff, inv.unit_price.Sub(line.rate));
    ASSIGN_OR_RETURN(Decimal pct_allow,
                     line.rate.Abs().Mul(options.tolerances.price_percent, 6, RoundingMode::kDown));
    ASSIGN_OR_RETURN(pct_allow, pct_allow.Div(Decimal::FromInt(100), 6, RoundingMode::kDown));
    const Decimal allowed = std::max(pct_allow, options.tolerances.price_amount);
    if (diff.Abs() > allowed) {
      // A tolerance exception: the line still becomes a bill line, as invoiced (see holdable()).
      fail(ExceptionKind::kPriceVariance, inv.position, line.line,
           fmt::format("{}: invoiced price {} differs from PO rate {} by {} (tolerance {} or {}%)",
                       where, inv.unit_price.ToCanonical(), line.rate.ToCanonical(),
                       diff.ToCanonical(), options.tolerances.price_amount.ToCanonical(),
                       options.tolerances.price_percent.ToCanonical()));
    }
    auto it = std::find_if(acc.begin(), acc.end(),
                           [&](const Accumulated& a) { return a.line == &line; });
    if (it == acc.end()) {
      acc.push_back({&line, {&inv}, inv.quantity});
      continue;
    }
    if (it->invoice_lines.front()->unit_price != inv.unit_price) {
      fail(ExceptionKind::kConflictingPrices, inv.position, line.line,
           fmt::format("{}: bills the same PO line as invoice line {} at a different price ({} vs "
                       "{})",
                       where, it->invoice_lines.front()->position, inv.unit_price.ToCanonical(),
                       it->invoice_lines.front()->unit_price.ToCanonical()));
      continue;
    }
    it->invoice_lines.push_back(&inv);
    ASSIGN_OR_RETURN(it->quantity, it->quantity.Add(inv.quantity));
  }

  // Quantities, per PO line, after merging.
  for (const auto& a : acc) {
    const PoLine& line = *a.line;
    const InvoiceLine& first = *a.invoice_lines.front();
    const std::string where = fmt::format("{} (PO line {}, item {})", DescribeLine(first),
                                          line.line, line.item);
    ASSIGN_OR_RETURN(Decimal open_ordered, line.ordered.Sub(line.billed));
    if (a.quantity > open_ordered) {
      fail(ExceptionKind::kQuantityOverOrdered, first.position, line.line,
           fmt::format("{}: invoiced quantity {} is more than ordered {} minus already billed {}",
                       where, a.quantity.ToCanonical(), line.ordered.ToCanonical(),
                       line.billed.ToCanonical()));
      continue;
    }
    if (options.require_receipt) {
      ASSIGN_OR_RETURN(Decimal open_received, line.received.Sub(line.billed));
      ASSIGN_OR_RETURN(Decimal allowance, line.received.Mul(options.tolerances.quantity_percent,
                                                            6, RoundingMode::kDown));
      ASSIGN_OR_RETURN(allowance, allowance.Div(Decimal::FromInt(100), 6, RoundingMode::kDown));
      ASSIGN_OR_RETURN(Decimal limit, open_received.Add(allowance));
      if (a.quantity > limit) {
        fail(ExceptionKind::kQuantityOverReceived, first.position, line.line,
             fmt::format("{}: invoiced quantity {} is more than received {} minus already billed "
                         "{} (tolerance {}%)",
                         where, a.quantity.ToCanonical(), line.received.ToCanonical(),
                         line.billed.ToCanonical(),
                         options.tolerances.quantity_percent.ToCanonical()));
        // A tolerance exception: billed as invoiced all the same (see holdable()).
      }
    }
    BillLine bill;
    bill.po_line = line.line;
    for (const auto* l : a.invoice_lines) bill.invoice_positions.push_back(l->position);
    bill.quantity = a.quantity;
    bill.rate = first.unit_price;
    ASSIGN_OR_RETURN(bill.amount, a.quantity.Mul(first.unit_price, options.currency_places,
                                                 RoundingMode::kHalfUp));
    ASSIGN_OR_RETURN(result.lines_total, result.lines_total.Add(bill.amount));
    result.lines.push_back(std::move(bill));
  }

  // The invoice must add up, but only judge it when every invoice line became a bill line.
  if (invoice.stated_total && result.holdable()) {
    ASSIGN_OR_RETURN(Decimal total, result.lines_total.Add(invoice.charges));
    ASSIGN_OR_RETURN(total, total.Add(invoice.tax));
    if (total != *invoice.stated_total) {
      fail(ExceptionKind::kTotalMismatch, 0, 0,
           fmt::format("invoice total {} does not equal its lines {} plus charges {} plus tax {} "
                       "(= {})",
                       invoice.stated_total->ToCanonical(), result.lines_total.ToCanonical(),
                       invoice.charges.ToCanonical(), invoice.tax.ToCanonical(),
                       total.ToCanonical()));
    }
  }
  return result;
}

}  // namespace

}  // namespace mlc::matching
