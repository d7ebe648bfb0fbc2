#include "model/documents.h"

#include <openssl/evp.h>

#include <fmt/format.h>

namespace mlc::model {
namespace {

// Length-prefixed fields, so that ("ab","c") and ("a","bc") hash differently.
class Canon {
 public:
  Canon& Add(std::string_view s) {
    text_ += fmt::format("{}:{};", s.size(), s);
    return *this;
  }
  Canon& Add(const Decimal& d) { return Add(d.ToCanonical()); }  // 1.50 and 1.5 are one price
  Canon& Add(const std::optional<CivilDate>& d) { return Add(d ? FormatIsoDate(*d) : ""); }
  Canon& Add(const CivilDate& d) { return Add(FormatIsoDate(d)); }
  Canon& Add(int v) { return Add(std::to_string(v)); }
  Canon& Add(const Address& a) {
    return Add(a.name).Add(a.name2).Add(a.line1).Add(a.line2).Add(a.city).Add(a.state)
        .Add(a.postal_code).Add(a.country).Add(a.id_qualifier).Add(a.id);
  }
  Canon& Add(const ItemIds& ids) { return Add(ids.buyer_part).Add(ids.vendor_part).Add(ids.upc); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

}  // namespace

LineAckStatus LineAckStatusFromCode(std::string_view ack01) {
  if (ack01 == "IA" || ack01 == "AC") return LineAckStatus::kAccepted;
  if (ack01 == "IB") return LineAckStatus::kBackordered;
  if (ack01 == "IR" || ack01 == "R1" || ack01 == "R2" || ack01 == "R3" || ack01 == "R4") {
    return LineAckStatus::kRejected;
  }
  if (ack01 == "IC" || ack01 == "IP" || ack01 == "IQ" || ack01 == "DR" || ack01 == "IS" ||
      ack01 == "IF" || ack01 == "IW") {
    return LineAckStatus::kChanged;
  }
  return LineAckStatus::kOther;
}

std::string PartnerVisibleFingerprint(const PurchaseOrder& po) {
  Canon c;
  c.Add("po-v1").Add(po.number).Add(po.date).Add(po.ship_date).Add(po.due_date).Add(po.currency)
      .Add(po.terms).Add(po.terms_discount_percent).Add(po.terms_discount_days)
      .Add(po.terms_net_days).Add(po.incoterm).Add(po.ship_to).Add(po.bill_to).Add(po.vendor)
      .Add(po.buyer.function).Add(po.buyer.name).Add(po.buyer.phone).Add(po.buyer.email)
      .Add(po.total).Add(static_cast<int>(po.lines.size()));
  for (const auto& l : po.lines) {
    c.Add(l.line).Add(l.ids).Add(l.description).Add(l.quantity).Add(l.unit).Add(l.rate)
        .Add(l.expected_date).Add(l.closed ? "closed" : "open");
  }
  return Sha256Hex(c.text());
}

}  // namespace mlc::model
