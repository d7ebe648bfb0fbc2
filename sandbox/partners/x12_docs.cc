#include "sandbox/partners/x12_docs.h"

#include "edi/documents.h"
#include "edi/reader.h"
#include "edi/writer.h"

namespace mlc::sandbox::partners {
namespace {

edi::WriterOptions OptionsFor(const PartnerProfile& p) {
  edi::WriterOptions o;
  o.delimiters.element = p.element;
  o.delimiters.component = p.component;
  o.delimiters.segment = p.segment;
  o.delimiters.repetition = p.version >= "005010" ? p.repetition : 0;
  o.line_break = p.line_break == "\r\n" ? edi::LineBreak::kCrLf
                 : p.line_break == "\n" ? edi::LineBreak::kLf
                                        : edi::LineBreak::kNone;
  return o;
}

// Opens interchange and group for a reply of functional id `fid`, parties swapped.
Status Open(edi::Writer& w, const PartnerProfile& p, const ReplyEnvelope& env,
            std::string_view fid) {
  const InboundGroup& g = *env.group;
  edi::IsaFields isa;
  isa.sender_qualifier = g.receiver_qualifier;
  isa.sender_id = g.receiver_id;
  isa.receiver_qualifier = g.sender_qualifier;
  isa.receiver_id = g.sender_id;
  // Dates from the order, never the clock: the same 850 always gives the same bytes.
  isa.date = g.gs_date.size() == 8 ? g.gs_date.substr(2) : "260101";
  isa.time = g.gs_time.size() >= 4 ? g.gs_time.substr(0, 4) : "1200";
  isa.version = p.version >= "005010" ? "00501" : "00401";
  isa.control_number = env.isa13;
  RETURN_IF_ERROR(w.BeginInterchange(isa));
  edi::GsFields gs;
  gs.functional_id = std::string(fid);
  gs.sender = g.gs_receiver;
  gs.receiver = g.gs_sender;
  gs.date = g.gs_date.size() == 8 ? g.gs_date : "20260101";
  gs.time = g.gs_time.size() >= 4 ? g.gs_time.substr(0, 4) : "1200";
  gs.control_number = std::to_string(std::stoull(env.isa13));
  gs.version = p.version;
  return w.BeginGroup(gs);
}

Result<std::string> Close(edi::Writer& w) {
  RETURN_IF_ERROR(w.EndSet());
  RETURN_IF_ERROR(w.EndGroup());
  RETURN_IF_ERROR(w.EndInterchange());
  return w.Take();
}

Status AddIds(std::vector<edi::ElementValue>& e, const OrderLine& l) {
  for (const auto& [q, id] : l.ids) {
    e.emplace_back(q);
    e.emplace_back(id);
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<InboundGroup>> ReadInbound(std::string_view content) {
  edi::MemorySource source(content);
  edi::Reader reader(source);
  std::vector<InboundGroup> groups;
  std::string sq, sid, rq, rid;
  for (;;) {
    ASSIGN_OR_RETURN(edi::Event ev, reader.Next());
    if (ev.kind == edi::EventKind::kEnd) break;
    if (ev.kind == edi::EventKind::kInterchangeStart) {
      sq = ev.interchange->sender_qualifier();
      sid = ev.interchange->sender_id();
      rq = ev.interchange->receiver_qualifier();
      rid = ev.interchange->receiver_id();
    } else if (ev.kind == edi::EventKind::kGroupStart) {
      InboundGroup g;
      g.sender_qualifier = sq;
      g.sender_id = sid;
      g.receiver_qualifier = rq;
      g.receiver_id = rid;
      g.functional_id = ev.group->functional_id();
      g.gs_sender = ev.group->application_sender();
      g.gs_receiver = ev.group->application_receiver();
      g.gs_date = ev.group->date();
      g.gs_time = ev.group->time();
      g.gs06 = ev.group->control_number();
      groups.push_back(std::move(g));
    } else if (ev.kind == edi::EventKind::kTransactionSet && !groups.empty()) {
      const edi::TransactionSet& set = *ev.set;
      InboundGroup& g = groups.back();
      g.sets.emplace_back(std::string(set.id()), std::string(set.control_number()));
      if (set.id() != "850") continue;
      ASSIGN_OR_RETURN(edi::PurchaseOrder850 po, edi::Read850(set.segments));
      Order o;
      o.st02 = set.control_number();
      o.number = po.number;
      o.date = po.date;
      for (edi::PoLine& pl : po.lines) {
        OrderLine l;
        l.line = pl.line_number;
        l.quantity = pl.quantity;
        l.uom = pl.unit;
        // A line without a price (PO104 is optional) is quoted at zero; the 855 says so.
        l.price = pl.unit_price.value_or(Decimal());
        for (edi::ProductId& id : pl.ids) l.ids.emplace_back(id.qualifier, id.id);
        o.lines.push_back(std::move(l));
      }
      g.orders.push_back(std::move(o));
    }
  }
  return groups;
}

Result<std::string> Build997(const PartnerProfile& p, const ReplyEnvelope& env) {
  const InboundGroup& g = *env.group;
  edi::FunctionalAck ack;
  ack.control_number = "0001";
  ack.functional_id = g.functional_id;
  ack.group_control_number = g.gs06;
  for (const auto& [id, st02] : g.sets) {
    edi::AckedSet set;
    set.id = id;
    set.control_number = st02;
    ack.sets.push_back(std::move(set));
  }
  ack.included = ack.received = ack.accepted = static_cast<uint32_t>(g.sets.size());
  edi::Writer w(OptionsFor(p));
  RETURN_IF_ERROR(Open(w, p, env, "FA"));
  RETURN_IF_ERROR(w.BeginSet("997", ack.control_number));
  const std::vector<edi::SegmentData> segments = edi::Build997(ack);
  RETURN_IF_ERROR(edi::AddSegments(w, segments));
  return Close(w);
}

Result<std::string> Build855(const PartnerProfile& p, const ReplyEnvelope& env, const Order& order,
                             std::string_view ack_type) {
  edi::Writer w(OptionsFor(p));
  RETURN_IF_ERROR(Open(w, p, env, "PR"));
  RETURN_IF_ERROR(w.BeginSet("855", "0001"));
  // BAK01 00 original; BAK02 acknowledgment type; BAK03 PO number; BAK04 PO date.
  RETURN_IF_ERROR(w.Add("BAK", {"00", std::string(ack_type), order.number, order.date}));
  for (const OrderLine& l : order.lines) {
    std::vector<edi::ElementValue> po1 = {l.line, l.quantity.ToCanonical(), l.uom,
                                          l.price.ToCanonical(), ""};
    RETURN_IF_ERROR(AddIds(po1, l));
    RETURN_IF_ERROR(w.Add("PO1", po1));
    // ACK01 line status, ACK02/03 quantity and unit, ACK04/05 079 promised-for-shipment date.
    RETURN_IF_ERROR(w.Add("ACK", {l.status, l.quantity.ToCanonical(), l.uom, "079", order.date}));
  }
  RETURN_IF_ERROR(w.Add("CTT", {std::to_string(order.lines.size())}));
  return Close(w);
}

Result<std::string> Build810(const PartnerProfile& p, const ReplyEnvelope& env,
                             const Order& shipped, std::string_view invoice_number) {
  edi::Writer w(OptionsFor(p));
  RETURN_IF_ERROR(Open(w, p, env, "IN"));
  RETURN_IF_ERROR(w.BeginSet("810", "0001"));
  // BIG01 invoice date, BIG02 invoice number, BIG03 PO date, BIG04 PO number.
  RETURN_IF_ERROR(
      w.Add("BIG", {shipped.date, std::string(invoice_number), shipped.date, shipped.number}));
  Decimal total;
  for (const OrderLine& l : shipped.lines) {
    std::vector<edi::ElementValue> it1 = {l.line, l.quantity.ToCanonical(), l.uom,
                                          l.price.ToCanonical(), ""};
    RETURN_IF_ERROR(AddIds(it1, l));
    RETURN_IF_ERROR(w.Add("IT1", it1));
    ASSIGN_OR_RETURN(Decimal amount, l.quantity.Mul(l.price, 2, RoundingMode::kHalfUp));
    ASSIGN_OR_RETURN(total, total.Add(amount));
  }
  ASSIGN_OR_RETURN(std::string tds, total.ToImplied(2));  // TDS01 is N2: 1234.50 -> 123450
  RETURN_IF_ERROR(w.Add("TDS", {tds}));
  RETURN_IF_ERROR(w.Add("CTT", {std::to_string(shipped.lines.size())}));
  return Close(w);
}

std::string CorruptSegmentCount(std::string x12, char element) {
  const std::string tag = std::string("SE") + element;
  size_t at = x12.find(tag);
  // "SE" must start a segment: preceded by a terminator or line break, not inside a value.
  while (at != std::string::npos && at > 0 &&
         std::isalnum(static_cast<unsigned char>(x12[at - 1]))) {
    at = x12.find(tag, at + 1);
  }
  if (at == std::string::npos) return x12;
  size_t begin = at + tag.size();
  size_t end = x12.find(element, begin);
  if (end == std::string::npos) return x12;
  int count = std::stoi(x12.substr(begin, end - begin));
  x12.replace(begin, end - begin, std::to_string(count + 5));
  return x12;
}

}  // namespace mlc::sandbox::partners
