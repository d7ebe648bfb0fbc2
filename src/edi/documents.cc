#include "edi/documents.h"

#include <charconv>

#include <fmt/format.h>

namespace mlc::edi {
namespace {

// Names the place of a value for errors: "850 0001: PO102 (segment 4)".
class Ctx {
 public:
  Ctx(std::span<const Segment> segments, std::string_view id) : id_(id) {
    if (!segments.empty()) control_ = std::string(segments[0].element(2));
  }
  Status Error(const Segment& s, size_t element, std::string_view what) const {
    return InvalidArgumentError("{} {}: {}{:02} (segment {}, byte {}) {}", id_, control_, s.tag(),
                                element, s.location().segment_in_set, s.location().byte_offset,
                                what);
  }
  Status Missing(std::string_view tag) const {
    return InvalidArgumentError("{} {}: mandatory segment {} is missing", id_, control_, tag);
  }

  Result<std::string> Required(const Segment& s, size_t element) const {
    std::string_view v = s.element(element);
    if (v.empty()) return Error(s, element, "is required but missing");
    return std::string(v);
  }
  // R value.
  Result<std::optional<Decimal>> Real(const Segment& s, size_t element) const {
    std::string_view v = s.element(element);
    if (v.empty()) return std::optional<Decimal>();
    auto d = Decimal::Parse(v);
    if (!d.ok()) return Error(s, element, fmt::format("'{}' is not a number", v));
    return std::optional<Decimal>(*d);
  }
  Result<Decimal> RequiredReal(const Segment& s, size_t element) const {
    ASSIGN_OR_RETURN(auto d, Real(s, element));
    if (!d) return Error(s, element, "is required but missing");
    return *d;
  }
  // Nn value with `places` implied decimals.
  Result<std::optional<Decimal>> Implied(const Segment& s, size_t element, int places) const {
    std::string_view v = s.element(element);
    if (v.empty()) return std::optional<Decimal>();
    auto d = Decimal::FromImplied(v, places);
    if (!d.ok()) {
      return Error(s, element,
                   fmt::format("'{}' is not an N{} number (implied decimals, no point)", v, places));
    }
    return std::optional<Decimal>(*d);
  }
  Result<std::optional<int>> Int(const Segment& s, size_t element) const {
    std::string_view v = s.element(element);
    if (v.empty()) return std::optional<int>();
    int n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size()) {
      return Error(s, element, fmt::format("'{}' is not a whole number", v));
    }
    return std::optional<int>(n);
  }

 private:
  std::string id_;
  std::string control_;
};

std::string E(const Segment& s, size_t i) { return std::string(s.element(i)); }

Status CheckId(std::span<const Segment> segments, std::string_view want) {
  if (segments.empty() || segments[0].tag() != "ST") {
    return InvalidArgumentError("transaction set does not start with ST");
  }
  if (segments[0].element(1) != want) {
    return InvalidArgumentError("transaction set {} is not a {}", segments[0].element(1), want);
  }
  return Status::Ok();
}

std::vector<ProductId> Pairs(const Segment& s, size_t first, size_t last) {
  std::vector<ProductId> out;
  for (size_t i = first; i + 1 <= last; i += 2) {
    if (s.element(i).empty() && s.element(i + 1).empty()) continue;
    out.push_back(ProductId{E(s, i), E(s, i + 1)});
  }
  return out;
}

Reference ReadRef(const Segment& s) { return Reference{E(s, 1), E(s, 2), E(s, 3)}; }
DateTime ReadDtm(const Segment& s) { return DateTime{E(s, 1), E(s, 2), E(s, 3)}; }
Contact ReadPer(const Segment& s) {
  Contact c{E(s, 1), E(s, 2), {}};
  for (size_t i = 3; i + 1 <= 8; i += 2) {
    if (!s.element(i).empty()) c.numbers.emplace_back(E(s, i), E(s, i + 1));
  }
  return c;
}
Party ReadN1(const Segment& s) {
  Party p;
  p.entity = E(s, 1);
  p.name = E(s, 2);
  p.id_qualifier = E(s, 3);
  p.id = E(s, 4);
  return p;
}
// N2/N3/N4 into the current party; false when `s` is none of them.
bool ReadPartyDetail(const Segment& s, Party* p) {
  std::string_view t = s.tag();
  if (t == "N2") {
    for (size_t i = 1; i <= 2; ++i) {
      if (!s.element(i).empty()) p->extra_names.push_back(E(s, i));
    }
  } else if (t == "N3") {
    for (size_t i = 1; i <= 2; ++i) {
      if (!s.element(i).empty()) p->address.push_back(E(s, i));
    }
  } else if (t == "N4") {
    p->city = E(s, 1);
    p->state = E(s, 2);
    p->postal_code = E(s, 3);
    p->country = E(s, 4);
  } else {
    return false;
  }
  return true;
}

Result<Terms> ReadItd(const Ctx& c, const Segment& s) {
  Terms t;
  t.type = E(s, 1);
  t.basis = E(s, 2);
  ASSIGN_OR_RETURN(t.discount_percent, c.Real(s, 3));
  t.discount_due_date = E(s, 4);
  ASSIGN_OR_RETURN(t.discount_days, c.Int(s, 5));
  t.net_due_date = E(s, 6);
  ASSIGN_OR_RETURN(t.net_days, c.Int(s, 7));
  ASSIGN_OR_RETURN(t.discount_amount, c.Implied(s, 8, 2));
  t.description = E(s, 12);
  return t;
}

Result<Charge> ReadSac(const Ctx& c, const Segment& s) {
  Charge ch;
  ch.indicator = E(s, 1);
  ch.code = E(s, 2);
  ASSIGN_OR_RETURN(ch.amount, c.Implied(s, 5, 2));
  ASSIGN_OR_RETURN(ch.percent, c.Real(s, 7));
  ch.handling = E(s, 12);
  ch.description = E(s, 15);
  return ch;
}

std::optional<uint32_t> Count(const Segment& s) {
  uint32_t n = 0;
  std::string_view v = s.element(1);
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return n;
}

}  // namespace

Result<PurchaseOrder850> Read850(std::span<const Segment> segments) {
  RETURN_IF_ERROR(CheckId(segments, "850"));
  Ctx c(segments, "850");
  PurchaseOrder850 po;
  bool beg = false;
  enum class In { kHeader, kParty, kLine } in = In::kHeader;
  for (size_t i = 1; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    std::string_view t = s.tag();
    if (t == "BEG") {
      beg = true;
      po.purpose = E(s, 1);
      po.type = E(s, 2);
      ASSIGN_OR_RETURN(po.number, c.Required(s, 3));
      po.release = E(s, 4);
      ASSIGN_OR_RETURN(po.date, c.Required(s, 5));
      po.contract = E(s, 6);
    } else if (t == "CUR" && in == In::kHeader) {
      po.currency = E(s, 2);
    } else if (t == "REF" && in == In::kHeader) {
      po.references.push_back(ReadRef(s));
    } else if (t == "PER" && in == In::kHeader) {
      po.contacts.push_back(ReadPer(s));
    } else if (t == "FOB" && in == In::kHeader) {
      po.fob = Fob{E(s, 1), E(s, 2), E(s, 3)};
    } else if (t == "ITD" && in == In::kHeader) {
      ASSIGN_OR_RETURN(Terms terms, ReadItd(c, s));
      po.terms.push_back(std::move(terms));
    } else if (t == "DTM") {
      if (in == In::kLine) {
        po.lines.back().dates.push_back(ReadDtm(s));
      } else if (in == In::kHeader) {
        po.dates.push_back(ReadDtm(s));
      }
    } else if (t == "N1" && in != In::kLine) {
      po.parties.push_back(ReadN1(s));
      in = In::kParty;
    } else if (in == In::kParty && ReadPartyDetail(s, &po.parties.back())) {
      continue;
    } else if (t == "PO1") {
      in = In::kLine;
      PoLine l;
      l.line_number = E(s, 1);
      ASSIGN_OR_RETURN(l.quantity, c.RequiredReal(s, 2));
      l.unit = E(s, 3);
      ASSIGN_OR_RETURN(l.unit_price, c.Real(s, 4));
      l.price_basis = E(s, 5);
      l.ids = Pairs(s, 6, 25);
      po.lines.push_back(std::move(l));
    } else if (t == "PID" && in == In::kLine) {
      if (!s.element(5).empty()) po.lines.back().descriptions.push_back(E(s, 5));
    } else if (t == "CTT") {
      in = In::kHeader;  // summary: nothing of the lines follows
      po.line_count = Count(s);
      ASSIGN_OR_RETURN(po.hash_total, c.Real(s, 2));
    } else if (t == "AMT" && s.element(1) == "TT") {
      ASSIGN_OR_RETURN(po.total_amount, c.Real(s, 2));
    }
  }
  if (!beg) return c.Missing("BEG");
  return po;
}

Result<Invoice810> Read810(std::span<const Segment> segments) {
  RETURN_IF_ERROR(CheckId(segments, "810"));
  Ctx c(segments, "810");
  Invoice810 inv;
  bool big = false, tds = false;
  enum class In { kHeader, kParty, kLine, kSummary } in = In::kHeader;
  for (size_t i = 1; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    std::string_view t = s.tag();
    if (t == "BIG") {
      big = true;
      ASSIGN_OR_RETURN(inv.date, c.Required(s, 1));
      ASSIGN_OR_RETURN(inv.number, c.Required(s, 2));
      inv.po_date = E(s, 3);
      inv.po_number = E(s, 4);
      inv.release = E(s, 5);
      inv.transaction_type = E(s, 7);
    } else if (t == "CUR" && in == In::kHeader) {
      inv.currency = E(s, 2);
    } else if (t == "REF" && (in == In::kHeader)) {
      inv.references.push_back(ReadRef(s));
    } else if (t == "N1" && in != In::kLine) {
      inv.parties.push_back(ReadN1(s));
      in = In::kParty;
    } else if (in == In::kParty && ReadPartyDetail(s, &inv.parties.back())) {
      continue;
    } else if (t == "ITD" && in != In::kLine) {
      ASSIGN_OR_RETURN(Terms terms, ReadItd(c, s));
      inv.terms.push_back(std::move(terms));
      in = In::kHeader;
    } else if (t == "DTM" && in != In::kLine) {
      inv.dates.push_back(ReadDtm(s));
      in = In::kHeader;
    } else if (t == "IT1") {
      in = In::kLine;
      InvoiceLine l;
      l.line_number = E(s, 1);
      ASSIGN_OR_RETURN(l.quantity, c.RequiredReal(s, 2));
      l.unit = E(s, 3);
      ASSIGN_OR_RETURN(l.unit_price, c.RequiredReal(s, 4));
      l.price_basis = E(s, 5);
      l.ids = Pairs(s, 6, 25);
      inv.lines.push_back(std::move(l));
    } else if (t == "PID" && in == In::kLine) {
      if (!s.element(5).empty()) inv.lines.back().descriptions.push_back(E(s, 5));
    } else if (t == "SAC") {
      ASSIGN_OR_RETURN(Charge ch, ReadSac(c, s));
      (in == In::kLine ? inv.lines.back().charges : inv.charges).push_back(std::move(ch));
    } else if (t == "TXI") {
      Tax tax{E(s, 1), std::nullopt, std::nullopt};
      ASSIGN_OR_RETURN(tax.amount, c.Real(s, 2));
      ASSIGN_OR_RETURN(tax.percent, c.Real(s, 3));
      (in == In::kLine ? inv.lines.back().taxes : inv.taxes).push_back(std::move(tax));
    } else if (t == "TDS") {
      tds = true;
      in = In::kSummary;
      ASSIGN_OR_RETURN(auto total, c.Implied(s, 1, 2));
      if (!total) return c.Error(s, 1, "is required but missing");
      inv.total = *total;
      ASSIGN_OR_RETURN(inv.amount_subject_to_discount, c.Implied(s, 2, 2));
      ASSIGN_OR_RETURN(inv.discounted_amount_due, c.Implied(s, 3, 2));
      ASSIGN_OR_RETURN(inv.terms_discount, c.Implied(s, 4, 2));
    } else if (t == "CTT") {
      inv.line_count = Count(s);
    }
  }
  if (!big) return c.Missing("BIG");
  if (!tds) return c.Missing("TDS");
  return inv;
}

Result<PoAck855> Read855(std::span<const Segment> segments) {
  RETURN_IF_ERROR(CheckId(segments, "855"));
  Ctx c(segments, "855");
  PoAck855 ack;
  bool bak = false;
  enum class In { kHeader, kParty, kLine } in = In::kHeader;
  for (size_t i = 1; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    std::string_view t = s.tag();
    if (t == "BAK") {
      bak = true;
      ack.purpose = E(s, 1);
      ASSIGN_OR_RETURN(ack.type, c.Required(s, 2));
      ASSIGN_OR_RETURN(ack.po_number, c.Required(s, 3));
      ack.po_date = E(s, 4);
      ack.seller_order_number = E(s, 8);
      ack.ack_date = E(s, 9);
    } else if (t == "REF" && in == In::kHeader) {
      ack.references.push_back(ReadRef(s));
    } else if (t == "DTM" && in == In::kHeader) {
      ack.dates.push_back(ReadDtm(s));
    } else if (t == "N1" && in != In::kLine) {
      ack.parties.push_back(ReadN1(s));
      in = In::kParty;
    } else if (in == In::kParty && ReadPartyDetail(s, &ack.parties.back())) {
      continue;
    } else if (t == "PO1") {
      in = In::kLine;
      PoAckLine l;
      l.line_number = E(s, 1);
      ASSIGN_OR_RETURN(l.quantity, c.Real(s, 2));
      l.unit = E(s, 3);
      ASSIGN_OR_RETURN(l.unit_price, c.Real(s, 4));
      l.ids = Pairs(s, 6, 25);
      ack.lines.push_back(std::move(l));
    } else if (t == "ACK" && in == In::kLine) {
      LineAck a;
      ASSIGN_OR_RETURN(a.status, c.Required(s, 1));
      ASSIGN_OR_RETURN(a.quantity, c.Real(s, 2));
      a.unit = E(s, 3);
      a.date_qualifier = E(s, 4);
      a.date = E(s, 5);
      ack.lines.back().acks.push_back(std::move(a));
    } else if (t == "CTT") {
      in = In::kHeader;
    }
  }
  if (!bak) return c.Missing("BAK");
  return ack;
}

Result<FunctionalAck> Read997(std::span<const Segment> segments) {
  return ParseFunctionalAck(segments);
}

Result<std::vector<SegmentData>> Build850(const PurchaseOrder850& po) {
  if (po.number.empty()) return InvalidArgumentError("850: the PO number (BEG03) is empty");
  if (po.date.empty()) return InvalidArgumentError("850 {}: the PO date (BEG05) is empty", po.number);
  if (po.lines.empty()) return InvalidArgumentError("850 {}: a PO needs at least one line", po.number);
  std::vector<SegmentData> out;
  auto add = [&](std::string tag, std::vector<ElementValue> e) {
    out.push_back(SegmentData{std::move(tag), std::move(e)});
  };
  add("BEG", {po.purpose.empty() ? "00" : po.purpose, po.type.empty() ? "SA" : po.type, po.number,
              po.release, po.date, po.contract});
  if (!po.currency.empty()) add("CUR", {"BY", po.currency});
  for (const Reference& r : po.references) add("REF", {r.qualifier, r.value, r.description});
  for (const Contact& ct : po.contacts) {
    std::vector<ElementValue> e = {ct.function, ct.name};
    for (const auto& [q, n] : ct.numbers) {
      e.emplace_back(q);
      e.emplace_back(n);
    }
    add("PER", std::move(e));
  }
  if (po.fob) add("FOB", {po.fob->payment_method, po.fob->location_qualifier, po.fob->description});
  for (const Terms& t : po.terms) {
    std::string amount;
    if (t.discount_amount) {
      ASSIGN_OR_RETURN(amount, t.discount_amount->ToImplied(2));  // ITD08 is N2
    }
    add("ITD", {t.type, t.basis, t.discount_percent ? t.discount_percent->ToCanonical() : "",
                t.discount_due_date,
                t.discount_days ? std::to_string(*t.discount_days) : "", t.net_due_date,
                t.net_days ? std::to_string(*t.net_days) : "", amount, "", "", "",
                t.description});
  }
  for (const DateTime& d : po.dates) add("DTM", {d.qualifier, d.date, d.time});
  for (const Party& p : po.parties) {
    add("N1", {p.entity, p.name, p.id_qualifier, p.id});
    for (size_t i = 0; i < p.extra_names.size(); i += 2) {
      add("N2", {p.extra_names[i], i + 1 < p.extra_names.size() ? p.extra_names[i + 1] : ""});
    }
    for (size_t i = 0; i < p.address.size(); i += 2) {
      add("N3", {p.address[i], i + 1 < p.address.size() ? p.address[i + 1] : ""});
    }
    if (!p.city.empty() || !p.state.empty() || !p.postal_code.empty() || !p.country.empty()) {
      add("N4", {p.city, p.state, p.postal_code, p.country});
    }
  }
  Decimal hash;
  for (const PoLine& l : po.lines) {
    std::vector<ElementValue> e = {l.line_number, l.quantity.ToCanonical(), l.unit,
                                   l.unit_price ? l.unit_price->ToCanonical() : "",
                                   l.price_basis};
    for (const ProductId& id : l.ids) {
      e.emplace_back(id.qualifier);
      e.emplace_back(id.id);
    }
    add("PO1", std::move(e));
    for (const std::string& d : l.descriptions) add("PID", {"F", "", "", "", d});
    for (const DateTime& d : l.dates) add("DTM", {d.qualifier, d.date, d.time});
    ASSIGN_OR_RETURN(hash, hash.Add(l.quantity));
  }
  add("CTT", {std::to_string(po.lines.size()), hash.ToCanonical()});
  if (po.total_amount) add("AMT", {"TT", po.total_amount->ToCanonical()});
  return out;
}

std::vector<SegmentData> Build997(const FunctionalAck& ack) {
  std::vector<SegmentData> out;
  bool is999 = ack.kind == AckKind::k999;
  std::vector<ElementValue> ak1 = {ack.functional_id, ack.group_control_number};
  if (!ack.version.empty()) ak1.emplace_back(ack.version);
  out.push_back({"AK1", std::move(ak1)});
  auto code = [](AckCode c) { return std::string(1, AckCodeChar(c)); };
  for (const AckedSet& s : ack.sets) {
    std::vector<ElementValue> ak2 = {s.id, s.control_number};
    if (!s.convention.empty()) ak2.emplace_back(s.convention);
    out.push_back({"AK2", std::move(ak2)});
    for (const AckedSegmentError& e : s.segments) {
      out.push_back({is999 ? "IK3" : "AK3", {e.tag, std::to_string(e.position), e.loop_id, e.code}});
      for (const AckedElementError& el : e.elements) {
        std::vector<std::string> pos = {std::to_string(el.position)};
        if (el.component != 0 || el.repetition != 0) pos.push_back(std::to_string(el.component));
        if (el.repetition != 0) pos.push_back(std::to_string(el.repetition));
        out.push_back({is999 ? "IK4" : "AK4",
                       {pos.size() == 1 ? ElementValue(pos[0]) : ElementValue::Composite(pos),
                        el.reference, el.code, el.value}});
      }
    }
    std::vector<ElementValue> ak5 = {s.raw_code.empty() ? code(s.code) : s.raw_code};
    for (const std::string& e : s.errors) ak5.emplace_back(e);
    out.push_back({is999 ? "IK5" : "AK5", std::move(ak5)});
  }
  std::vector<ElementValue> ak9 = {
      ack.raw_group_code.empty() ? code(ack.group_code) : ack.raw_group_code,
      std::to_string(ack.included), std::to_string(ack.received), std::to_string(ack.accepted)};
  for (const std::string& e : ack.group_errors) ak9.emplace_back(e);
  out.push_back({"AK9", std::move(ak9)});
  return out;
}

Status AddSegments(Writer& writer, std::span<const SegmentData> segments) {
  for (const SegmentData& s : segments) RETURN_IF_ERROR(writer.Add(s.tag, s.elements));
  return Status::Ok();
}

}  // namespace mlc::edi
