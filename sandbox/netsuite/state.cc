#include "sandbox/netsuite/state.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "common/civil_time.h"
#include "common/clock.h"
#include "common/decimal.h"
#include "sandbox/netsuite/suiteql_sqlite.h"

namespace mlc::sandbox::netsuite {
namespace {

constexpr int64_t kCeiling = 100000;

// ---- SQLite helpers ----

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s_, nullptr) != SQLITE_OK) {
      error_ = sqlite3_errmsg(db);
      s_ = nullptr;
    }
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return s_ != nullptr; }
  const std::string& error() const { return error_; }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  Stmt& BindOpt(int i, const std::optional<std::string>& v) {
    return v ? Bind(i, std::string_view(*v)) : BindNull(i);
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(s_); }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  bool IsNull(int c) { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::string Text(int c) {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  std::optional<std::string> OptText(int c) {
    if (IsNull(c)) return std::nullopt;
    return Text(c);
  }
  int64_t Int(int c) { return sqlite3_column_int64(s_, c); }
  int ColumnCount() { return sqlite3_column_count(s_); }
  int ColumnType(int c) { return sqlite3_column_type(s_, c); }
  double Real(int c) { return sqlite3_column_double(s_, c); }
  sqlite3_stmt* raw() { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
  std::string error_;
};

void Exec(sqlite3* db, const std::string& sql) { sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr); }

std::string Lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::string NowText() { return FormatSuiteQlDateTime(ToCivil(SystemClock::Get().Now())); }

// "2026-01-09 17:00:05" (UTC) -> "2026-01-09T17:00:05Z".
std::string IsoFromStored(const std::string& s) {
  if (s.size() == 19) return s.substr(0, 10) + "T" + s.substr(11) + "Z";
  return s;
}

Decimal Dec(const std::string& s) { return Decimal::Parse(s.empty() ? "0" : s).value_or(Decimal()); }

// A JSON number for a Decimal, written like NetSuite (8.0, 92.25).
nlohmann::json Num(const Decimal& d) {
  std::string t = d.ToCanonical();
  if (t.find('.') == std::string::npos) t += ".0";
  return nlohmann::json::parse(t);
}

Decimal Add(const Decimal& a, const Decimal& b) { return a.Add(b).value_or(a); }
Decimal Sub(const Decimal& a, const Decimal& b) { return a.Sub(b).value_or(a); }
Decimal Mul(const Decimal& a, const Decimal& b) {
  return a.Mul(b, 2, RoundingMode::kHalfUp).value_or(Decimal());
}

// A JSON number or numeric string from a request body, as Decimal.
std::optional<Decimal> DecFromJson(const nlohmann::json& j) {
  if (j.is_number_integer()) return Decimal::FromInt(j.get<int64_t>());
  if (j.is_number_float()) {
    // Requests carry short decimals (8, 92.25); dump() gives the shortest round-trip text.
    auto d = Decimal::Parse(j.dump());
    if (d.ok()) return *d;
    return std::nullopt;
  }
  if (j.is_string()) {
    auto d = Decimal::Parse(j.get<std::string>());
    if (d.ok()) return *d;
  }
  return std::nullopt;
}

struct RecordType {
  std::string rest;   // lower-case REST name: purchaseorder
  std::string code;   // PurchOrd / "" for non-transactions
  std::string table;  // transaction / vendor / item / account
};

std::optional<RecordType> TypeOf(const std::string& type) {
  const std::string t = Lower(type);
  if (t == "purchaseorder") return RecordType{t, "PurchOrd", "transaction"};
  if (t == "vendorbill") return RecordType{t, "VendBill", "transaction"};
  if (t == "itemreceipt") return RecordType{t, "ItemRcpt", "transaction"};
  if (t == "vendor") return RecordType{t, "", "vendor"};
  if (t == "inventoryitem") return RecordType{t, "InvtPart", "item"};
  if (t == "noninventoryitem") return RecordType{t, "NonInvtPart", "item"};
  if (t == "account") return RecordType{t, "", "account"};
  return std::nullopt;
}

std::string PoStatusName(const std::string& letter) {
  static const std::map<std::string, std::string> m = {
      {"A", "Pending Supervisor Approval"}, {"B", "Pending Receipt"},
      {"C", "Rejected by Supervisor"},      {"D", "Partially Received"},
      {"E", "Pending Billing/Partially Received"}, {"F", "Pending Bill"},
      {"G", "Fully Billed"},                {"H", "Closed"}};
  auto it = m.find(letter);
  return it == m.end() ? letter : it->second;
}

std::string StatusName(const std::string& code, const std::string& letter) {
  if (code == "PurchOrd") return PoStatusName(letter);
  if (code == "VendBill") return letter == "B" ? "Paid In Full" : "Open";
  return "";
}

const char* kSchemaExtra =
    "CREATE UNIQUE INDEX IF NOT EXISTS tx_eid ON \"transaction\"(recordtype, externalid);"
    "CREATE INDEX IF NOT EXISTS tx_type_lm ON \"transaction\"(type, lastmodifieddate, id);"
    "CREATE UNIQUE INDEX IF NOT EXISTS vendor_eid ON vendor(externalid);"
    "CREATE UNIQUE INDEX IF NOT EXISTS item_eid ON item(externalid);"
    "CREATE UNIQUE INDEX IF NOT EXISTS account_eid ON account(externalid);"
    "CREATE TABLE IF NOT EXISTS idempotency(key TEXT PRIMARY KEY, location TEXT);";

std::string SqlType(ColumnKind k) {
  return k == ColumnKind::kInteger ? "INTEGER" : "TEXT";
}

}  // namespace

Answer ErrorAnswer(int status, std::string_view code, std::string_view detail,
                   std::string_view path, std::string_view title) {
  static const std::map<int, std::string> titles = {{400, "Bad Request"},
                                                    {401, "Unauthorized"},
                                                    {403, "Forbidden"},
                                                    {404, "Not Found"},
                                                    {405, "Method Not Allowed"},
                                                    {429, "Too Many Requests"},
                                                    {500, "Internal Server Error"},
                                                    {503, "Service Unavailable"}};
  nlohmann::json d = {{"detail", detail}, {"o:errorCode", code}};
  if (!path.empty()) d["o:errorPath"] = path;
  auto it = titles.find(status);
  nlohmann::json j = {
      {"type", fmt::format("https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.{}",
                           status >= 500 ? "5.1" : "4.1")},
      {"title", title.empty() ? (it == titles.end() ? "Error" : it->second) : std::string(title)},
      {"status", status},
      {"o:errorDetails", nlohmann::json::array({d})}};
  Answer a;
  a.status = status;
  a.body = j.dump();
  a.content_type = "application/vnd.oracle.resource+json; type=error";
  return a;
}

struct State::Impl {
  sqlite3* db;
  std::string base;  // public base URL

  std::string Link(const std::string& type, const std::string& id) const {
    return base + "/services/rest/record/v1/" + type + "/" + id;
  }
  nlohmann::json Links(const std::string& href) const {
    return nlohmann::json::array({{{"rel", "self"}, {"href", href}}});
  }
  nlohmann::json Ref(const std::string& type, const std::string& id, const std::string& name) const {
    return {{"links", Links(Link(type, id))}, {"id", id}, {"refName", name}};
  }
  std::string NameOf(const char* sql, int64_t id) {
    Stmt s(db, sql);
    s.Bind(1, id);
    return s.Step() == SQLITE_ROW ? s.Text(0) : "";
  }

  // ---- lookups ----

  std::optional<int64_t> IdByExternalId(const RecordType& rt, const std::string& eid) {
    std::string sql = rt.table == "transaction"
                          ? "SELECT id FROM \"transaction\" WHERE recordtype = ?1 AND externalid = ?2"
                          : fmt::format("SELECT id FROM \"{}\" WHERE externalid = ?2 AND ?1 = ?1",
                                        rt.table);
    Stmt s(db, sql);
    s.Bind(1, std::string_view(rt.rest)).Bind(2, std::string_view(eid));
    if (s.Step() == SQLITE_ROW) return s.Int(0);
    return std::nullopt;
  }

  bool Exists(const RecordType& rt, int64_t id) {
    std::string sql = rt.table == "transaction"
                          ? "SELECT 1 FROM \"transaction\" WHERE id = ?1 AND recordtype = ?2"
                          : rt.table == "item"
                                ? "SELECT 1 FROM item WHERE id = ?1 AND itemtype = ?2"
                                : fmt::format("SELECT 1 FROM \"{}\" WHERE id = ?1 AND ?2 = ?2", rt.table);
    Stmt s(db, sql);
    s.Bind(1, id).Bind(2, std::string_view(rt.table == "item" ? rt.code : rt.rest));
    return s.Step() == SQLITE_ROW;
  }

  // Resolves "123" or "eid:X" to an internal id.
  std::optional<int64_t> Resolve(const RecordType& rt, const std::string& id) {
    if (id.rfind("eid:", 0) == 0) return IdByExternalId(rt, id.substr(4));
    if (id.empty() || !std::all_of(id.begin(), id.end(), ::isdigit) || id.size() > 15) {
      return std::nullopt;
    }
    int64_t n = std::stoll(id);
    if (!Exists(rt, n)) return std::nullopt;
    return n;
  }

  // ---- JSON of records ----

  // The Record API's keys of an address subrecord, in the order of the address tables' columns
  // after nkey (suiteql_sqlite.cc AddressColumns).
  static constexpr std::array<const char*, 10> kAddressKeys = {
      "addressee", "attention", "addr1", "addr2", "addr3",
      "city",      "state",     "zip",   "country", "addrPhone"};

  // A transaction's address subrecord (shippingAddress, billingAddress): inline with
  // expandSubResources=true, else only its link, as NetSuite does (netsuite.md 4.1).
  nlohmann::json AddressJson(const char* table, int64_t nkey, const std::string& href,
                             bool expand) {
    nlohmann::json j;
    j["links"] = Links(href);
    if (!expand) return j;
    // (SQLite column names ignore case: addrPhone is the table's addrphone.)
    Stmt a(db, fmt::format("SELECT {} FROM \"{}\" WHERE nkey = ?", fmt::join(kAddressKeys, ", "),
                           table));
    a.Bind(1, nkey);
    if (a.Step() != SQLITE_ROW) return j;
    for (int k = 0; k < 10; ++k) {
      if (a.IsNull(k)) continue;
      const char* key = kAddressKeys[static_cast<size_t>(k)];
      if (std::string_view(key) == "country") {
        j[key] = {{"id", a.Text(k)}, {"refName", a.Text(k)}};
      } else {
        j[key] = a.Text(k);
      }
    }
    return j;
  }

  nlohmann::json TransactionJson(const RecordType& rt, int64_t id, bool expand) {
    Stmt s(db,
           "SELECT tranid, trandate, duedate, createddate, lastmodifieddate, entity, status, "
           "currency, exchangerate, foreigntotal, memo, externalid, subsidiary, createdfrom, "
           "transactionnumber, approvalstatus, otherrefnum, paymenthold, custbody_mlc_edi_status, "
           "custbody_mlc_ack_status, custbody_mlc_ack_date, shipdate, terms, shippingaddress, "
           "billingaddress FROM \"transaction\" WHERE id = ?");
    s.Bind(1, id);
    if (s.Step() != SQLITE_ROW) return nullptr;
    const std::string sid = std::to_string(id);
    nlohmann::json j;
    j["links"] = Links(Link(rt.rest, sid));
    j["approvalStatus"] = {{"id", s.Text(15)}, {"refName", s.Text(15) == "2" ? "Approved" : "Pending Approval"}};
    j["createdDate"] = IsoFromStored(s.Text(3));
    if (!s.IsNull(13)) {
      int64_t from = s.Int(13);
      j["createdFrom"] = Ref("purchaseorder", std::to_string(from),
                             "Purchase Order #" + NameOf("SELECT tranid FROM \"transaction\" WHERE id = ?", from));
    }
    const int64_t cur = s.Int(7);
    j["currency"] = Ref("currency", std::to_string(cur), NameOf("SELECT name FROM currency WHERE id = ?", cur));
    // Custom body fields appear in REST JSON under their script ids; empty ones are left out.
    if (!s.IsNull(20)) j["custbody_mlc_ack_date"] = s.Text(20);
    if (!s.IsNull(19)) j["custbody_mlc_ack_status"] = s.Text(19);
    if (!s.IsNull(18)) j["custbody_mlc_edi_status"] = s.Text(18);
    if (!s.IsNull(2)) j["dueDate"] = s.Text(2);
    const int64_t vendor = s.Int(5);
    j["entity"] = Ref("vendor", std::to_string(vendor),
                      NameOf("SELECT companyname FROM vendor WHERE id = ?", vendor));
    j["exchangeRate"] = Num(Dec(s.Text(8)));
    if (!s.IsNull(11)) j["externalId"] = s.Text(11);
    j["id"] = sid;
    j["lastModifiedDate"] = IsoFromStored(s.Text(4));
    if (!s.IsNull(10)) j["memo"] = s.Text(10);
    const std::string letter = s.Text(6);
    if (rt.code == "PurchOrd") j["orderStatus"] = {{"id", letter}, {"refName", letter}};
    if (!s.IsNull(16)) j["otherRefNum"] = s.Text(16);
    if (!s.IsNull(21)) j["shipDate"] = s.Text(21);
    if (!s.IsNull(22)) {
      j["terms"] = Ref("term", std::to_string(s.Int(22)),
                       NameOf("SELECT name FROM term WHERE id = ?", s.Int(22)));
    }
    if (!s.IsNull(23)) {
      j["shippingAddress"] = AddressJson("transactionshippingaddress", s.Int(23),
                                         Link(rt.rest, sid) + "/shippingAddress", expand);
    }
    if (!s.IsNull(24)) {
      j["billingAddress"] = AddressJson("transactionbillingaddress", s.Int(24),
                                        Link(rt.rest, sid) + "/billingAddress", expand);
    }
    if (rt.code == "VendBill") j["paymentHold"] = s.Text(17) == "T";
    if (rt.code != "ItemRcpt") {
      std::string name = StatusName(rt.code, letter);
      j["status"] = {{"id", name}, {"refName", name}};
    }
    const int64_t sub = s.Int(12);
    j["subsidiary"] = Ref("subsidiary", std::to_string(sub),
                          NameOf("SELECT name FROM subsidiary WHERE id = ?", sub));
    if (rt.code != "ItemRcpt") j["total"] = Num(Dec(s.Text(9)).Abs());
    j["tranDate"] = s.Text(1);
    j["tranId"] = s.Text(0);
    j["transactionNumber"] = s.Text(14);
    const std::string sublist = Link(rt.rest, sid) + "/item";
    if (!expand) {
      j["item"] = {{"links", Links(sublist)}};
      return j;
    }
    Stmt l(db,
           "SELECT l.id, l.item, l.itemtype, l.quantity, l.rate, l.netamount, l.quantitybilled, "
           "l.quantityshiprecv, l.isclosed, l.memo, l.createdfrom, l.orderline, i.itemid, "
           "i.vendorname, i.displayname, i.upccode, l.custcol_mlc_ack_status, l.expectedreceiptdate, "
           "l.custcol_mlc_promised_date "
           "FROM transactionline l LEFT JOIN item i ON i.id = l.item WHERE l.\"transaction\" = ? "
           "AND l.mainline = 'F' AND l.expenseaccount IS NULL ORDER BY l.id");
    l.Bind(1, id);
    nlohmann::json items = nlohmann::json::array();
    while (l.Step() == SQLITE_ROW) {
      nlohmann::json line;
      line["links"] = nlohmann::json::array();
      const std::string item_id = std::to_string(l.Int(1));
      const std::string itype = l.Text(2);
      const Decimal qty = Dec(l.Text(3));
      line["amount"] = Num(Dec(l.Text(5)));
      if (!l.IsNull(16)) line["custcol_mlc_ack_status"] = l.Text(16);
      if (!l.IsNull(15)) line["custcol_mlc_upc"] = l.Text(15);
      line["description"] = l.IsNull(9) ? l.Text(14) : l.Text(9);
      if (!l.IsNull(17)) line["expectedReceiptDate"] = l.Text(17);
      if (!l.IsNull(18)) line["custcol_mlc_promised_date"] = l.Text(18);
      line["item"] = Ref(itype == "NonInvtPart" ? "noninventoryitem" : "inventoryitem", item_id, l.Text(12));
      line["itemType"] = {{"id", itype}, {"refName", itype}};
      line["line"] = l.Int(0);
      if (rt.code == "PurchOrd") {
        line["isClosed"] = l.Text(8) == "T";
        line["isOpen"] = l.Text(8) != "T";
        line["quantityBilled"] = Num(Dec(l.Text(6)));
        line["quantityReceived"] = Num(Dec(l.Text(7)));
      } else {
        const std::string po = std::to_string(l.Int(10));
        line["orderDoc"] = Ref("purchaseorder", po, "Purchase Order #" + NameOf("SELECT tranid FROM \"transaction\" WHERE id = ?", l.Int(10)));
        line["orderLine"] = l.Int(11);
        if (rt.code == "ItemRcpt") line["itemReceive"] = true;
      }
      line["quantity"] = Num(qty);
      if (rt.code != "ItemRcpt") line["rate"] = Num(Dec(l.Text(4)));
      line["vendorName"] = l.Text(13);
      items.push_back(std::move(line));
    }
    const size_t n = items.size();
    j["item"] = {{"links", Links(sublist)}, {"items", std::move(items)}, {"totalResults", n}};
    if (rt.code != "ItemRcpt") {
      Stmt e(db,
             "SELECT l.id, l.expenseaccount, a.fullname, l.netamount, l.memo FROM transactionline l "
             "LEFT JOIN account a ON a.id = l.expenseaccount WHERE l.\"transaction\" = ? AND "
             "l.mainline = 'F' AND l.expenseaccount IS NOT NULL ORDER BY l.id");
      e.Bind(1, id);
      nlohmann::json expenses = nlohmann::json::array();
      while (e.Step() == SQLITE_ROW) {
        nlohmann::json line = {{"links", nlohmann::json::array()},
                               {"account", Ref("account", std::to_string(e.Int(1)), e.Text(2))},
                               {"amount", Num(Dec(e.Text(3)))},
                               {"line", e.Int(0)}};
        if (!e.IsNull(4)) line["memo"] = e.Text(4);
        expenses.push_back(std::move(line));
      }
      const size_t ne = expenses.size();
      j["expense"] = {{"links", Links(Link(rt.rest, sid) + "/expense")},
                      {"items", std::move(expenses)},
                      {"totalResults", ne}};
    }
    return j;
  }

  nlohmann::json VendorJson(int64_t id) {
    Stmt s(db,
           "SELECT entityid, companyname, externalid, isinactive, email, currency, subsidiary, "
           "custentity_mlc_edi_enabled, custentity_mlc_edi_partner, datecreated, lastmodifieddate, "
           "legalname, terms FROM vendor WHERE id = ?");
    s.Bind(1, id);
    if (s.Step() != SQLITE_ROW) return nullptr;
    const std::string sid = std::to_string(id);
    nlohmann::json j;
    j["links"] = Links(Link("vendor", sid));
    j["companyName"] = s.Text(1);
    j["currency"] = Ref("currency", std::to_string(s.Int(5)), NameOf("SELECT name FROM currency WHERE id = ?", s.Int(5)));
    j["custentity_mlc_edi_enabled"] = s.Text(7) == "T";
    if (!s.IsNull(8)) j["custentity_mlc_edi_partner"] = s.Text(8);
    j["dateCreated"] = IsoFromStored(s.Text(9));
    if (!s.IsNull(4)) j["email"] = s.Text(4);
    j["entityId"] = s.Text(0);
    if (!s.IsNull(2)) j["externalId"] = s.Text(2);
    j["id"] = sid;
    j["isInactive"] = s.Text(3) == "T";
    j["isPerson"] = false;
    j["lastModifiedDate"] = IsoFromStored(s.Text(10));
    if (!s.IsNull(11)) j["legalName"] = s.Text(11);
    j["subsidiary"] = Ref("subsidiary", std::to_string(s.Int(6)), NameOf("SELECT name FROM subsidiary WHERE id = ?", s.Int(6)));
    if (!s.IsNull(12)) j["terms"] = {{"links", nlohmann::json::array()}, {"id", s.Text(12)}, {"refName", "Net " + s.Text(12)}};
    return j;
  }

  nlohmann::json ItemJson(const RecordType& rt, int64_t id) {
    Stmt s(db,
           "SELECT itemid, displayname, vendorname, upccode, purchasedescription, cost, vendor, "
           "isinactive, externalid, lastmodifieddate, itemtype FROM item WHERE id = ?");
    s.Bind(1, id);
    if (s.Step() != SQLITE_ROW) return nullptr;
    const std::string sid = std::to_string(id);
    nlohmann::json j;
    j["links"] = Links(Link(rt.rest, sid));
    j["cost"] = Num(Dec(s.Text(5)));
    j["displayName"] = s.Text(1);
    if (!s.IsNull(8)) j["externalId"] = s.Text(8);
    j["id"] = sid;
    j["isInactive"] = s.Text(7) == "T";
    j["itemId"] = s.Text(0);
    j["itemType"] = {{"id", s.Text(10)}, {"refName", s.Text(10)}};
    j["lastModifiedDate"] = IsoFromStored(s.Text(9));
    j["purchaseDescription"] = s.Text(4);
    if (!s.IsNull(3)) j["upcCode"] = s.Text(3);
    j["vendorName"] = s.Text(2);
    if (!s.IsNull(6)) {
      j["custitem_mlc_preferred_vendor"] = Ref("vendor", std::to_string(s.Int(6)), NameOf("SELECT companyname FROM vendor WHERE id = ?", s.Int(6)));
    }
    return j;
  }

  nlohmann::json AccountJson(int64_t id) {
    Stmt s(db, "SELECT acctnumber, fullname, accttype, isinactive, externalid FROM account WHERE id = ?");
    s.Bind(1, id);
    if (s.Step() != SQLITE_ROW) return nullptr;
    const std::string sid = std::to_string(id);
    nlohmann::json j;
    j["links"] = Links(Link("account", sid));
    j["acctName"] = s.Text(1);
    j["acctNumber"] = s.Text(0);
    j["acctType"] = {{"id", s.Text(2)}, {"refName", s.Text(2)}};
    if (!s.IsNull(4)) j["externalId"] = s.Text(4);
    j["id"] = sid;
    j["isInactive"] = s.Text(3) == "T";
    return j;
  }

  nlohmann::json RecordJson(const RecordType& rt, int64_t id, bool expand) {
    if (rt.table == "transaction") return TransactionJson(rt, id, expand);
    if (rt.table == "vendor") return VendorJson(id);
    if (rt.table == "item") return ItemJson(rt, id);
    return AccountJson(id);
  }

  // ---- writes ----

  int64_t NextId(const std::string& table) {
    Stmt s(db, fmt::format("SELECT COALESCE(MAX(id), 0) + 1 FROM \"{}\"", table));
    s.Step();
    return s.Int(0);
  }

  std::optional<Answer> CheckVendor(int64_t vendor, const std::string& path) {
    Stmt s(db, "SELECT isinactive FROM vendor WHERE id = ?");
    s.Bind(1, vendor);
    if (s.Step() != SQLITE_ROW) {
      return ErrorAnswer(400, "INVALID_KEY_OR_REF",
                         fmt::format("Invalid Field Value {} for the following field: entity", vendor), path);
    }
    if (s.Text(0) == "T") {
      return ErrorAnswer(400, "USER_ERROR",
                         fmt::format("Vendor {} is inactive; transactions cannot be entered for it.", vendor), path);
    }
    return std::nullopt;
  }

  struct ItemInfo {
    std::string type;
    std::string cost;
  };
  std::variant<ItemInfo, Answer> CheckItem(int64_t item, const std::string& path) {
    Stmt s(db, "SELECT isinactive, itemtype, cost FROM item WHERE id = ?");
    s.Bind(1, item);
    if (s.Step() != SQLITE_ROW) {
      return ErrorAnswer(400, "INVALID_KEY_OR_REF",
                         fmt::format("Invalid Field Value {} for the following field: item", item), path);
    }
    if (s.Text(0) == "T") {
      return ErrorAnswer(400, "USER_ERROR", fmt::format("Item {} is inactive.", item), path);
    }
    return ItemInfo{s.Text(1), s.Text(2)};
  }

  std::optional<Answer> CheckExternalId(const RecordType& rt, const nlohmann::json& body) {
    auto it = body.find("externalId");
    if (it == body.end()) return std::nullopt;
    if (!it->is_string()) return ErrorAnswer(400, "INVALID_CONTENT", "externalId must be a string", "externalId");
    if (IdByExternalId(rt, it->get<std::string>())) {
      return ErrorAnswer(400, "USER_ERROR",
                         "Error while accessing a resource. A record with this external ID already exists.",
                         "externalId");
    }
    return std::nullopt;
  }

  void InsertTransaction(int64_t id, const RecordType& rt, const std::string& tranid, int64_t entity,
                         const std::string& status, const std::string& trandate,
                         const std::optional<std::string>& duedate, const std::string& created,
                         int64_t currency, const std::string& total,
                         const std::optional<std::string>& memo,
                         const std::optional<std::string>& eid, int64_t subsidiary,
                         std::optional<int64_t> createdfrom,
                         const std::optional<std::string>& otherrefnum) {
    Stmt s(db,
           "INSERT INTO \"transaction\"(id, tranid, type, recordtype, abbrevtype, entity, status, "
           "approvalstatus, trandate, duedate, createddate, lastmodifieddate, currency, "
           "exchangerate, foreigntotal, memo, externalid, subsidiary, otherrefnum, createdfrom, "
           "transactionnumber, billingstatus, paymenthold) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '2', ?8, "
           "?9, ?10, ?10, ?11, '1', ?12, ?13, ?14, ?15, ?16, ?17, ?18, 'F', 'F')");
    s.Bind(1, id).Bind(2, std::string_view(tranid)).Bind(3, std::string_view(rt.code));
    s.Bind(4, std::string_view(rt.rest)).Bind(5, Lower(rt.code) == "purchord" ? "PURCHORD" : fmt::format("{}", rt.code == "VendBill" ? "VENDBILL" : "ITEMRCPT"));
    s.Bind(6, entity).Bind(7, std::string_view(status)).Bind(8, std::string_view(trandate));
    s.BindOpt(9, duedate).Bind(10, std::string_view(created)).Bind(11, currency);
    s.Bind(12, std::string_view(total)).BindOpt(13, memo).BindOpt(14, eid).Bind(15, subsidiary);
    s.BindOpt(16, otherrefnum);
    if (createdfrom) s.Bind(17, *createdfrom); else s.BindNull(17);
    s.Bind(18, fmt::format("{}{}", rt.code == "PurchOrd" ? "PURCHORD" : rt.code == "VendBill" ? "VENDBILL" : "ITEMRCPT", id));
    s.Step();
    // NetSuite keeps a header ("main") line per transaction.
    Stmt m(db,
           "INSERT INTO transactionline(\"transaction\", id, linesequencenumber, mainline, taxline, "
           "foreignamount, netamount, linelastmodifieddate) VALUES (?, 0, 0, 'T', 'F', ?, ?, ?)");
    m.Bind(1, id).Bind(2, std::string_view(total)).Bind(3, std::string_view(total)).Bind(4, std::string_view(created));
    m.Step();
  }

  void InsertLine(int64_t tx, int64_t line, int64_t item, const std::string& itype,
                  const Decimal& qty, const Decimal& rate, const std::optional<std::string>& memo,
                  std::optional<int64_t> createdfrom, std::optional<int64_t> orderline,
                  const std::string& now) {
    Stmt s(db,
           "INSERT INTO transactionline(\"transaction\", id, linesequencenumber, mainline, taxline, "
           "item, itemtype, quantity, rate, netamount, foreignamount, quantitybilled, "
           "quantityshiprecv, isclosed, memo, createdfrom, orderline, linelastmodifieddate) "
           "VALUES (?1, ?2, ?2, 'F', 'F', ?3, ?4, ?5, ?6, ?7, ?7, '0', '0', 'F', "
           // The line's description (memo) defaults to the item's name, as NetSuite fills it.
           "COALESCE(?8, (SELECT displayname FROM item WHERE id = ?3)), ?9, ?10, ?11)");
    s.Bind(1, tx).Bind(2, line).Bind(3, item).Bind(4, std::string_view(itype));
    s.Bind(5, qty.ToCanonical()).Bind(6, rate.ToCanonical()).Bind(7, Mul(qty, rate).ToString());
    s.BindOpt(8, memo);
    if (createdfrom) s.Bind(9, *createdfrom); else s.BindNull(9);
    if (orderline) s.Bind(10, *orderline); else s.BindNull(10);
    s.Bind(11, std::string_view(now));
    s.Step();
  }

  // Gives transaction `tx` its own address subrecord (nkey = tx: every transaction's address is
  // a separate subrecord in NetSuite) in `table`, linked from the transaction's `column`.
  // `fields` holds addressee, attention, addr1, addr2, addr3, city, state, zip, country,
  // addrphone; empty ones are stored as NULL.
  void SetAddress(const char* table, const char* column, int64_t tx,
                  const std::array<std::string, 10>& fields) {
    Stmt d(db, fmt::format("DELETE FROM \"{}\" WHERE nkey = ?", table));
    d.Bind(1, tx);
    d.Step();
    Stmt a(db, fmt::format("INSERT INTO \"{}\"(nkey, addressee, attention, addr1, addr2, addr3, "
                           "city, state, zip, country, addrphone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?)", table));
    a.Bind(1, tx);
    for (int k = 0; k < 10; ++k) {
      const std::string& v = fields[static_cast<size_t>(k)];
      if (v.empty()) a.BindNull(k + 2); else a.Bind(k + 2, std::string_view(v));
    }
    a.Step();
    Stmt t(db, fmt::format("UPDATE \"transaction\" SET \"{}\" = ? WHERE id = ?", column));
    t.Bind(1, tx).Bind(2, tx);
    t.Step();
  }

  // The address subrecord of a create or update body ({"addressee": ..., "country": {"id":
  // "US"}} or "country": "US"); nullopt when `key` is absent or not an object.
  static std::optional<std::array<std::string, 10>> AddressFromBody(const nlohmann::json& body,
                                                                  const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_object()) return std::nullopt;
    std::array<std::string, 10> out;
    for (size_t k = 0; k < 10; ++k) {
      auto f = it->find(kAddressKeys[k]);
      if (f == it->end()) continue;
      if (f->is_string()) out[k] = f->get<std::string>();
      if (f->is_object() && f->contains("id") && (*f)["id"].is_string()) {
        out[k] = (*f)["id"].get<std::string>();
      }
    }
    return out;
  }

  // ---- custom fields (flows-plan.md: the connector's EDI status on POs and their lines) ----

  static Answer FieldError(const nlohmann::json& v, std::string_view field, const std::string& path) {
    return ErrorAnswer(400, "INVALID_FLD_VALUE",
                       fmt::format("Invalid Field Value {} for the following field: {}",
                                   v.is_string() ? v.get<std::string>() : v.dump(), field),
                       path);
  }

  // A text field's new value: a string, or null to clear it.
  static std::variant<std::optional<std::string>, Answer> TextValue(const nlohmann::json& v,
                                                                    std::string_view field,
                                                                    const std::string& path) {
    if (v.is_null()) return std::optional<std::string>();
    if (v.is_string()) return std::optional<std::string>(v.get<std::string>());
    return FieldError(v, field, path);
  }

  // A date field's new value: "YYYY-MM-DD" (stored canonically), or null to clear it.
  static std::variant<std::optional<std::string>, Answer> DateValue(const nlohmann::json& v,
                                                                    std::string_view field,
                                                                    const std::string& path) {
    if (v.is_null()) return std::optional<std::string>();
    if (v.is_string()) {
      auto d = ParseIsoDate(v.get<std::string>());
      if (d.ok()) return std::optional<std::string>(FormatIsoDate(*d));
    }
    return FieldError(v, field, path);
  }

  // Sets the custbody_mlc_* fields and paymentHold present in `body` on transaction `id`.
  std::optional<Answer> ApplyBodyFields(int64_t id, const nlohmann::json& body) {
    std::vector<std::pair<std::string, std::optional<std::string>>> sets;
    for (const char* f : {"custbody_mlc_edi_status", "custbody_mlc_ack_status", "custbody_mlc_ack_date"}) {
      auto it = body.find(f);
      if (it == body.end()) continue;
      const bool date = std::string_view(f) == "custbody_mlc_ack_date";
      auto v = date ? DateValue(*it, f, f) : TextValue(*it, f, f);
      if (auto* a = std::get_if<Answer>(&v)) return *a;
      sets.emplace_back(f, std::get<std::optional<std::string>>(v));
    }
    if (auto it = body.find("paymentHold"); it != body.end()) {
      if (!it->is_boolean()) return FieldError(*it, "paymentHold", "paymentHold");
      sets.emplace_back("paymenthold", it->get<bool>() ? "T" : "F");
    }
    for (const auto& [column, value] : sets) {
      Stmt u(db, fmt::format("UPDATE \"transaction\" SET \"{}\" = ? WHERE id = ?", column));
      u.BindOpt(1, value).Bind(2, id);
      u.Step();
    }
    return std::nullopt;
  }

  // PATCH item.items: merges the lines keyed by `line` (custcol_mlc_ack_status,
  // expectedReceiptDate). NetSuite appends lines without a key; the sandbox refuses them, and
  // answers an unknown line number the way NetSuite answers any bad reference
  // (INVALID_KEY_OR_REF "Invalid Field Value N for the following field: line"; the exact text
  // for this case is not documented in netsuite.md, so it is modelled on section 5's item case).
  std::optional<Answer> ApplyLineFields(int64_t id, const nlohmann::json& body, const std::string& now) {
    auto sub = body.find("item");
    if (sub == body.end() || !sub->is_object()) return std::nullopt;
    auto items = sub->find("items");
    if (items == sub->end()) return std::nullopt;
    if (!items->is_array()) return ErrorAnswer(400, "INVALID_CONTENT", "item.items must be an array", "item.items");
    for (size_t k = 0; k < items->size(); ++k) {
      const auto& li = (*items)[k];
      const std::string path = fmt::format("item.items[{}]", k);
      if (!li.is_object()) return ErrorAnswer(400, "INVALID_CONTENT", "A line must be a JSON object.", path);
      std::optional<int64_t> n;
      if (auto ln = li.find("line"); ln != li.end()) {
        if (ln->is_number_integer()) n = ln->get<int64_t>();
        if (ln->is_string()) {
          const std::string t = ln->get<std::string>();
          if (!t.empty() && t.size() < 16 && std::all_of(t.begin(), t.end(), ::isdigit)) n = std::stoll(t);
        }
        if (!n) return FieldError(*ln, "line", path + ".line");
      } else {
        return ErrorAnswer(400, "INVALID_CONTENT",
                           "The sandbox merges keyed lines only: every item.items entry of a PATCH "
                           "needs its line number.",
                           path + ".line");
      }
      Stmt c(db, "SELECT 1 FROM transactionline WHERE \"transaction\" = ? AND id = ? AND mainline = 'F' AND expenseaccount IS NULL");
      c.Bind(1, id).Bind(2, *n);
      if (c.Step() != SQLITE_ROW) {
        return ErrorAnswer(400, "INVALID_KEY_OR_REF",
                           fmt::format("Invalid Field Value {} for the following field: line", *n),
                           path + ".line");
      }
      std::vector<std::pair<std::string, std::optional<std::string>>> sets;
      if (auto it = li.find("custcol_mlc_ack_status"); it != li.end()) {
        auto v = TextValue(*it, "custcol_mlc_ack_status", path + ".custcol_mlc_ack_status");
        if (auto* a = std::get_if<Answer>(&v)) return *a;
        sets.emplace_back("custcol_mlc_ack_status", std::get<std::optional<std::string>>(v));
      }
      if (auto it = li.find("custcol_mlc_promised_date"); it != li.end()) {
        auto v = DateValue(*it, "custcol_mlc_promised_date", path + ".custcol_mlc_promised_date");
        if (auto* a = std::get_if<Answer>(&v)) return *a;
        sets.emplace_back("custcol_mlc_promised_date", std::get<std::optional<std::string>>(v));
      }
      if (auto it = li.find("expectedReceiptDate"); it != li.end()) {
        auto v = DateValue(*it, "expectedReceiptDate", path + ".expectedReceiptDate");
        if (auto* a = std::get_if<Answer>(&v)) return *a;
        sets.emplace_back("expectedreceiptdate", std::get<std::optional<std::string>>(v));
      }
      for (const auto& [column, value] : sets) {
        Stmt u(db, fmt::format("UPDATE transactionline SET \"{}\" = ?, linelastmodifieddate = ? "
                               "WHERE \"transaction\" = ? AND id = ?", column));
        u.BindOpt(1, value).Bind(2, std::string_view(now)).Bind(3, id).Bind(4, *n);
        u.Step();
      }
    }
    return std::nullopt;
  }

  struct ExpenseLine {
    int64_t account;
    Decimal amount;
    std::optional<std::string> memo;
  };

  // expense.items of a bill body: [{account:{id}, amount, memo}]. Errors like NetSuite's for an
  // unknown or inactive account (an inactive account is not a valid value in NetSuite either).
  std::variant<std::vector<ExpenseLine>, Answer> ExpenseLines(const nlohmann::json& body) {
    std::vector<ExpenseLine> out;
    auto sub = body.find("expense");
    if (sub == body.end() || !sub->is_object() || !sub->contains("items")) return out;
    const auto& items = (*sub)["items"];
    if (!items.is_array()) return ErrorAnswer(400, "INVALID_CONTENT", "expense.items must be an array", "expense.items");
    for (size_t k = 0; k < items.size(); ++k) {
      const auto& li = items[k];
      const std::string path = fmt::format("expense.items[{}]", k);
      std::optional<int64_t> account;
      if (li.is_object() && li.contains("account") && li["account"].is_object() && li["account"].contains("id")) {
        const auto& v = li["account"]["id"];
        const std::string t = v.is_string() ? v.get<std::string>() : "";
        if (!t.empty() && t.size() < 16 && std::all_of(t.begin(), t.end(), ::isdigit)) account = std::stoll(t);
        if (v.is_number_integer()) account = v.get<int64_t>();
      }
      if (!account) return ErrorAnswer(400, "USER_ERROR", "Please enter value(s) for: Account.", path + ".account");
      Stmt a(db, "SELECT isinactive FROM account WHERE id = ?");
      a.Bind(1, *account);
      if (a.Step() != SQLITE_ROW || a.Text(0) == "T") {
        return ErrorAnswer(400, "INVALID_KEY_OR_REF",
                           fmt::format("Invalid Field Value {} for the following field: account", *account),
                           path + ".account");
      }
      std::optional<Decimal> amount;
      if (li.contains("amount")) amount = DecFromJson(li["amount"]);
      if (!li.contains("amount")) return ErrorAnswer(400, "USER_ERROR", "Please enter value(s) for: Amount.", path + ".amount");
      if (!amount) return FieldError(li["amount"], "amount", path + ".amount");
      std::optional<std::string> memo;
      if (li.contains("memo") && li["memo"].is_string()) memo = li["memo"].get<std::string>();
      out.push_back({*account, *amount, memo});
    }
    return out;
  }

  void InsertExpenseLine(int64_t tx, int64_t line, const ExpenseLine& e, const std::string& now) {
    Stmt s(db,
           "INSERT INTO transactionline(\"transaction\", id, linesequencenumber, mainline, taxline, "
           "expenseaccount, netamount, foreignamount, isclosed, memo, linelastmodifieddate) "
           "VALUES (?1, ?2, ?2, 'F', 'F', ?3, ?4, ?4, 'F', ?5, ?6)");
    s.Bind(1, tx).Bind(2, line).Bind(3, e.account).Bind(4, e.amount.ToString()).BindOpt(5, e.memo);
    s.Bind(6, std::string_view(now));
    s.Step();
  }

  // Recomputes a PO's status letter from its lines.
  void UpdatePoStatus(int64_t po, const std::string& now) {
    Stmt s(db, "SELECT quantity, quantitybilled, quantityshiprecv FROM transactionline WHERE \"transaction\" = ? AND mainline = 'F'");
    s.Bind(1, po);
    bool all_received = true, all_billed = true, any_received = false, received_unbilled = false;
    while (s.Step() == SQLITE_ROW) {
      Decimal q = Dec(s.Text(0)), b = Dec(s.Text(1)), r = Dec(s.Text(2));
      all_received = all_received && r >= q;
      all_billed = all_billed && b >= q;
      any_received = any_received || r.sign() > 0;
      received_unbilled = received_unbilled || r > b;
    }
    std::string letter = "B";
    if (all_received && all_billed) letter = "G";
    else if (all_received) letter = "F";
    else if (any_received) letter = received_unbilled ? "E" : "D";
    Stmt u(db, "UPDATE \"transaction\" SET status = ?, lastmodifieddate = ?, billingstatus = ? WHERE id = ?");
    u.Bind(1, std::string_view(letter)).Bind(2, std::string_view(now)).Bind(3, all_billed ? "T" : "F").Bind(4, po);
    u.Step();
  }

  struct PoLine {
    int64_t line;
    int64_t item;
    std::string itype;
    Decimal qty, rate, billed, received;
  };
  std::vector<PoLine> PoLines(int64_t po) {
    Stmt s(db, "SELECT id, item, itemtype, quantity, rate, quantitybilled, quantityshiprecv FROM transactionline WHERE \"transaction\" = ? AND mainline = 'F' AND isclosed = 'F' ORDER BY id");
    s.Bind(1, po);
    std::vector<PoLine> out;
    while (s.Step() == SQLITE_ROW) {
      out.push_back({s.Int(0), s.Int(1), s.Text(2), Dec(s.Text(3)), Dec(s.Text(4)), Dec(s.Text(5)), Dec(s.Text(6))});
    }
    return out;
  }

  struct Selected {
    int64_t order_line;
    Decimal qty;
    std::optional<Decimal> rate;
  };

  // PO -> vendorBill or itemReceipt. On success returns the new id.
  std::variant<int64_t, Answer> DoTransform(int64_t po, const RecordType& to, const nlohmann::json& body,
                                            bool replace_items, const std::string& now) {
    Stmt h(db, "SELECT entity, status, currency, subsidiary, tranid FROM \"transaction\" WHERE id = ? AND type = 'PurchOrd'");
    h.Bind(1, po);
    if (h.Step() != SQLITE_ROW) return ErrorAnswer(404, "NONEXISTENT_ID", fmt::format("Record purchaseorder {} was not found.", po));
    const int64_t vendor = h.Int(0);
    const std::string status = h.Text(1);
    const int64_t currency = h.Int(2), subsidiary = h.Int(3);
    const bool bill = to.code == "VendBill";
    if (status == "H" || status == "C" || status == "A") {
      return ErrorAnswer(400, "USER_ERROR", fmt::format("Purchase order {} cannot be transformed in status {}.", po, PoStatusName(status)));
    }
    if (bill && status == "G") return ErrorAnswer(400, "USER_ERROR", "The purchase order is fully billed.");
    if (auto bad = CheckVendor(vendor, "entity")) return *bad;
    std::vector<PoLine> lines = PoLines(po);
    std::map<int64_t, PoLine*> by_line;
    for (auto& l : lines) by_line[l.line] = &l;
    // Default: every open line for what remains; body lines (keyed by orderLine) override.
    std::map<int64_t, Selected> sel;
    if (!replace_items) {
      for (auto& l : lines) {
        Decimal rem = Sub(l.qty, bill ? l.billed : l.received);
        if (rem.sign() > 0) sel[l.line] = {l.line, rem, std::nullopt};
      }
    }
    if (auto it = body.find("item"); it != body.end() && it->is_object() && it->contains("items")) {
      const auto& items = (*it)["items"];
      if (!items.is_array()) return ErrorAnswer(400, "INVALID_CONTENT", "item.items must be an array", "item.items");
      for (size_t k = 0; k < items.size(); ++k) {
        const auto& li = items[k];
        const std::string path = fmt::format("item.items[{}]", k);
        auto ol = li.find("orderLine");
        if (ol == li.end()) ol = li.find("line");
        if (ol == li.end() || !ol->is_number_integer()) {
          return ErrorAnswer(400, "INVALID_CONTENT", "A transformed line needs orderLine.", path + ".orderLine");
        }
        const int64_t n = ol->get<int64_t>();
        auto pl = by_line.find(n);
        if (pl == by_line.end()) {
          return ErrorAnswer(400, "INVALID_KEY_OR_REF", fmt::format("Invalid Field Value {} for the following field: orderLine", n), path + ".orderLine");
        }
        if (!bill && li.contains("itemReceive") && li["itemReceive"].is_boolean() && !li["itemReceive"].get<bool>()) {
          sel.erase(n);
          continue;
        }
        Decimal rem = Sub(pl->second->qty, bill ? pl->second->billed : pl->second->received);
        Selected s{n, rem, std::nullopt};
        if (li.contains("quantity")) {
          auto q = DecFromJson(li["quantity"]);
          if (!q || q->sign() <= 0) return ErrorAnswer(400, "INVALID_FLD_VALUE", "quantity must be a positive number", path + ".quantity");
          s.qty = *q;
        }
        if (s.qty > rem) {
          return ErrorAnswer(400, "USER_ERROR",
                             bill ? fmt::format("You cannot bill more than the remaining quantity ({}) of line {}.", rem.ToCanonical(), n)
                                  : fmt::format("You cannot receive more than the remaining quantity ({}) of line {}.", rem.ToCanonical(), n),
                             path + ".quantity");
        }
        if (li.contains("rate")) {
          auto r = DecFromJson(li["rate"]);
          if (!r || r->sign() < 0) return ErrorAnswer(400, "INVALID_FLD_VALUE", "rate must be a number", path + ".rate");
          s.rate = *r;
        }
        sel[n] = s;
      }
    }
    auto expense_or = ExpenseLines(body);
    if (auto* a = std::get_if<Answer>(&expense_or)) return *a;
    const auto& expenses = std::get<std::vector<ExpenseLine>>(expense_or);
    if (!bill && !expenses.empty()) {
      return ErrorAnswer(400, "INVALID_CONTENT", "An item receipt has no expense sublist.", "expense");
    }
    if (sel.empty() && expenses.empty()) {
      return ErrorAnswer(400, "USER_ERROR", bill ? "There are no lines to bill on this purchase order."
                                                 : "There are no lines to receive on this purchase order.");
    }
    for (const auto& [n, s] : sel) {
      auto ir = CheckItem(by_line[n]->item, fmt::format("item.items[orderLine={}].item", n));
      if (auto* a = std::get_if<Answer>(&ir)) return *a;
    }
    auto str = [&body](const char* k) -> std::optional<std::string> {
      auto it = body.find(k);
      if (it != body.end() && it->is_string()) return it->get<std::string>();
      return std::nullopt;
    };
    const int64_t id = NextId("transaction");
    Decimal total;
    for (const auto& [n, s] : sel) total = Add(total, Mul(s.qty, s.rate.value_or(by_line[n]->rate)));
    for (const auto& e : expenses) total = Add(total, e.amount);
    const std::string trandate = str("tranDate").value_or(now.substr(0, 10));
    std::string tranid = str("tranId").value_or(fmt::format("{}{}", bill ? "BILL" : "IR", id));
    InsertTransaction(id, to, tranid, vendor, bill ? "A" : "", trandate, str("dueDate"), now,
                      currency, bill ? total.Negate().ToString() : "0", str("memo"),
                      str("externalId"), subsidiary, po, std::nullopt);
    int64_t line_no = 0;
    for (const auto& [n, s] : sel) {
      const PoLine& pl = *by_line[n];
      InsertLine(id, ++line_no, pl.item, pl.itype, s.qty, s.rate.value_or(pl.rate), std::nullopt, po, n, now);
      Stmt u(db, bill ? "UPDATE transactionline SET quantitybilled = ?, linelastmodifieddate = ? WHERE \"transaction\" = ? AND id = ?"
                      : "UPDATE transactionline SET quantityshiprecv = ?, linelastmodifieddate = ? WHERE \"transaction\" = ? AND id = ?");
      u.Bind(1, Add(bill ? pl.billed : pl.received, s.qty).ToCanonical()).Bind(2, std::string_view(now)).Bind(3, po).Bind(4, n);
      u.Step();
    }
    for (const auto& e : expenses) InsertExpenseLine(id, ++line_no, e, now);
    if (auto bad = ApplyBodyFields(id, body)) return *bad;
    UpdatePoStatus(po, now);
    return id;
  }

  // POST purchaseOrder / vendorBill (standalone) / vendor / item / account.
  std::variant<int64_t, Answer> DoCreate(const RecordType& rt, const nlohmann::json& body,
                                         const std::string& now) {
    if (auto dup = CheckExternalId(rt, body)) return *dup;
    auto str = [&body](const char* k) -> std::optional<std::string> {
      auto it = body.find(k);
      if (it != body.end() && it->is_string()) return it->get<std::string>();
      return std::nullopt;
    };
    auto ref_id = [&body](const char* k) -> std::optional<int64_t> {
      auto it = body.find(k);
      if (it == body.end() || !it->is_object() || !it->contains("id")) return std::nullopt;
      const auto& v = (*it)["id"];
      if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (!s.empty() && s.size() < 16 && std::all_of(s.begin(), s.end(), ::isdigit)) return std::stoll(s);
        return std::nullopt;
      }
      if (v.is_number_integer()) return v.get<int64_t>();
      return std::nullopt;
    };
    const int64_t id = NextId(rt.table);
    if (rt.table == "vendor") {
      auto name = str("companyName");
      if (!name) return ErrorAnswer(400, "USER_ERROR", "Please enter value(s) for: Company Name.");
      Stmt s(db, "INSERT INTO vendor(id, entityid, companyname, altname, externalid, isinactive, isperson, email, currency, subsidiary, custentity_mlc_edi_enabled, custentity_mlc_edi_partner, datecreated, lastmodifieddate) VALUES (?1, ?2, ?2, ?2, ?3, ?4, 'F', ?5, 1, 1, ?6, ?7, ?8, ?8)");
      s.Bind(1, id).Bind(2, std::string_view(*name)).BindOpt(3, str("externalId"));
      s.Bind(4, body.value("isInactive", false) ? "T" : "F").BindOpt(5, str("email"));
      s.Bind(6, body.value("custentity_mlc_edi_enabled", false) ? "T" : "F").BindOpt(7, str("custentity_mlc_edi_partner")).Bind(8, std::string_view(now));
      s.Step();
      return id;
    }
    if (rt.table == "item") {
      auto itemid = str("itemId");
      if (!itemid) return ErrorAnswer(400, "USER_ERROR", "Please enter value(s) for: Item Name/Number.");
      Stmt s(db, "INSERT INTO item(id, itemid, displayname, itemtype, vendorname, upccode, purchasedescription, cost, isinactive, externalid, lastmodifieddate) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?3, ?7, ?8, ?9, ?10)");
      auto cost = body.contains("cost") ? DecFromJson(body["cost"]) : std::optional<Decimal>(Decimal());
      s.Bind(1, id).Bind(2, std::string_view(*itemid)).Bind(3, str("displayName").value_or(*itemid)).Bind(4, std::string_view(rt.code));
      s.Bind(5, str("vendorName").value_or("")).BindOpt(6, str("upcCode")).Bind(7, cost.value_or(Decimal()).ToCanonical());
      s.Bind(8, body.value("isInactive", false) ? "T" : "F").BindOpt(9, str("externalId")).Bind(10, std::string_view(now));
      s.Step();
      return id;
    }
    if (rt.table == "account") {
      auto number = str("acctNumber");
      if (!number) return ErrorAnswer(400, "USER_ERROR", "Please enter value(s) for: Number.");
      Stmt s(db, "INSERT INTO account(id, acctnumber, fullname, accttype, isinactive, externalid, lastmodifieddate) VALUES (?, ?, ?, ?, 'F', ?, ?)");
      s.Bind(1, id).Bind(2, std::string_view(*number)).Bind(3, str("acctName").value_or(*number)).Bind(4, str("acctType").value_or("Expense")).BindOpt(5, str("externalId")).Bind(6, std::string_view(now));
      s.Step();
      return id;
    }
    if (rt.code == "ItemRcpt") {
      return ErrorAnswer(400, "USER_ERROR", "Item receipts are created by transforming a purchase order.");
    }
    auto vendor = ref_id("entity");
    if (!vendor) return ErrorAnswer(400, "USER_ERROR", "Please enter value(s) for: Vendor.", "entity");
    if (auto bad = CheckVendor(*vendor, "entity")) return *bad;
    auto items = body.find("item");
    if (items == body.end() || !items->is_object() || !items->contains("items") || !(*items)["items"].is_array() || (*items)["items"].empty()) {
      return ErrorAnswer(400, "USER_ERROR", "You must enter at least one line item for this transaction.", "item");
    }
    struct NewLine { int64_t item; std::string type; Decimal qty, rate; std::optional<std::string> memo; };
    std::vector<NewLine> nl;
    Decimal total;
    const auto& arr = (*items)["items"];
    for (size_t k = 0; k < arr.size(); ++k) {
      const auto& li = arr[k];
      const std::string path = fmt::format("item.items[{}]", k);
      std::optional<int64_t> item;
      if (li.contains("item") && li["item"].is_object() && li["item"].contains("id")) {
        const auto& v = li["item"]["id"];
        const std::string text = v.is_string() ? v.get<std::string>() : "";
        if (!text.empty() && text.size() < 16 && std::all_of(text.begin(), text.end(), ::isdigit)) item = std::stoll(text);
        if (v.is_number_integer()) item = v.get<int64_t>();
      }
      if (!item) return ErrorAnswer(400, "USER_ERROR", "Please enter value(s) for: Item.", path + ".item");
      auto ir = CheckItem(*item, path + ".item");
      if (auto* a = std::get_if<Answer>(&ir)) return *a;
      const auto& info = std::get<ItemInfo>(ir);
      auto qty = li.contains("quantity") ? DecFromJson(li["quantity"]) : std::optional<Decimal>(Decimal::FromInt(1));
      if (!qty || qty->sign() <= 0) return ErrorAnswer(400, "INVALID_FLD_VALUE", "quantity must be a positive number", path + ".quantity");
      auto rate = li.contains("rate") ? DecFromJson(li["rate"]) : std::optional<Decimal>(Dec(info.cost));
      if (!rate) return ErrorAnswer(400, "INVALID_FLD_VALUE", "rate must be a number", path + ".rate");
      std::optional<std::string> memo;
      if (li.contains("description") && li["description"].is_string()) memo = li["description"].get<std::string>();
      nl.push_back({*item, info.type, *qty, *rate, memo});
      total = Add(total, Mul(*qty, *rate));
    }
    const bool po = rt.code == "PurchOrd";
    std::string tranid = str("tranId").value_or(fmt::format("{}{}", po ? "PO" : "BILL", 10000 + id));
    InsertTransaction(id, rt, tranid, *vendor, po ? "B" : "A", str("tranDate").value_or(now.substr(0, 10)),
                      str("dueDate"), now, ref_id("currency").value_or(1),
                      total.Negate().ToString(), str("memo"), str("externalId"),
                      ref_id("subsidiary").value_or(1), std::nullopt, str("otherRefNum"));
    int64_t n = 0;
    for (const auto& l : nl) InsertLine(id, ++n, l.item, l.type, l.qty, l.rate, l.memo, std::nullopt, std::nullopt, now);
    if (auto a = AddressFromBody(body, "shippingAddress")) {
      SetAddress("transactionshippingaddress", "shippingaddress", id, *a);
    }
    if (auto a = AddressFromBody(body, "billingAddress")) {
      SetAddress("transactionbillingaddress", "billingaddress", id, *a);
    }
    if (auto ship = str("shipDate"); ship || ref_id("terms")) {
      Stmt u(db, "UPDATE \"transaction\" SET shipdate = ?, terms = ? WHERE id = ?");
      u.BindOpt(1, ship);
      if (auto t = ref_id("terms")) u.Bind(2, *t); else u.BindNull(2);
      u.Bind(3, id);
      u.Step();
    }
    return id;
  }

  std::optional<Answer> DoPatch(const RecordType& rt, int64_t id, const nlohmann::json& body,
                                const std::string& now) {
    if (auto it = body.find("externalId"); it != body.end() && it->is_string()) {
      auto other = IdByExternalId(rt, it->get<std::string>());
      if (other && *other != id) {
        return ErrorAnswer(400, "USER_ERROR", "Error while accessing a resource. A record with this external ID already exists.", "externalId");
      }
    }
    if (rt.table == "transaction") {
      if (auto bad = ApplyBodyFields(id, body)) return bad;
      if (auto bad = ApplyLineFields(id, body, now)) return bad;
    }
    // Body fields the sandbox stores; others are accepted and ignored, as NetSuite ignores
    // unknown fields with X-NetSuite-PropertyNameValidation: Warning.
    static const std::map<std::string, std::map<std::string, std::string>> kFields = {
        {"transaction", {{"memo", "memo"}, {"externalId", "externalid"}, {"tranId", "tranid"},
                         {"dueDate", "duedate"}, {"otherRefNum", "otherrefnum"}}},
        {"vendor", {{"companyName", "companyname"}, {"externalId", "externalid"}, {"email", "email"},
                    {"custentity_mlc_edi_partner", "custentity_mlc_edi_partner"}}},
        {"item", {{"displayName", "displayname"}, {"externalId", "externalid"}, {"vendorName", "vendorname"}, {"upcCode", "upccode"}}},
        {"account", {{"acctName", "fullname"}, {"externalId", "externalid"}}}};
    const auto& fields = kFields.at(rt.table);
    for (const auto& [k, v] : body.items()) {
      auto f = fields.find(k);
      if (f != fields.end() && (v.is_string() || v.is_null())) {
        Stmt s(db, fmt::format("UPDATE \"{}\" SET \"{}\" = ? WHERE id = ?", rt.table, f->second));
        if (v.is_null()) s.BindNull(1); else s.Bind(1, v.get<std::string>());
        s.Bind(2, id);
        s.Step();
      } else if (k == "isInactive" && v.is_boolean() && rt.table != "transaction") {
        Stmt s(db, fmt::format("UPDATE \"{}\" SET isinactive = ? WHERE id = ?", rt.table));
        s.Bind(1, v.get<bool>() ? "T" : "F").Bind(2, id);
        s.Step();
      } else if (k == "custentity_mlc_edi_enabled" && v.is_boolean() && rt.table == "vendor") {
        Stmt s(db, "UPDATE vendor SET custentity_mlc_edi_enabled = ? WHERE id = ?");
        s.Bind(1, v.get<bool>() ? "T" : "F").Bind(2, id);
        s.Step();
      } else if (k == "orderStatus" && rt.code == "PurchOrd" && v.is_object() && v.value("id", "") == "H") {
        Stmt s(db, "UPDATE \"transaction\" SET status = 'H' WHERE id = ?");
        s.Bind(1, id);
        s.Step();
      }
    }
    if (rt.table != "account") {
      Stmt s(db, fmt::format("UPDATE \"{}\" SET lastmodifieddate = ? WHERE id = ?", rt.table));
      s.Bind(1, std::string_view(now)).Bind(2, id);
      s.Step();
    }
    return std::nullopt;
  }
};

State::State(StateOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<State>> State::Open(StateOptions options) {
  std::unique_ptr<State> st(new State(std::move(options)));
  if (sqlite3_open_v2(st->options_.db_path.c_str(), &st->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string err = st->db_ ? sqlite3_errmsg(st->db_) : "out of memory";
    return UnavailableError("opening sandbox database {}: {}", st->options_.db_path, err);
  }
  Exec(st->db_, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  for (const auto& t : Schema()) {
    std::string sql = fmt::format("CREATE TABLE IF NOT EXISTS \"{}\"(", t.name);
    for (size_t i = 0; i < t.columns.size(); ++i) {
      sql += fmt::format("{}\"{}\" {}", i ? ", " : "", t.columns[i].name, SqlType(t.columns[i].kind));
    }
    if (t.name == "transactionline") {
      sql += ", PRIMARY KEY(\"transaction\", id)";
    } else if (t.columns.front().name == "nkey") {
      sql.replace(sql.find("\"nkey\" INTEGER"), 14, "\"nkey\" INTEGER PRIMARY KEY");
    } else if (t.name != "transactionstatus") {
      sql.replace(sql.find("\"id\" INTEGER"), 12, "\"id\" INTEGER PRIMARY KEY");
    }
    sql += ")";
    Exec(st->db_, sql);
    // A database written by an older sandbox lacks the columns added since: add them.
    std::set<std::string> have;
    {
      Stmt info(st->db_, fmt::format("PRAGMA table_info(\"{}\")", t.name));
      while (info.Step() == SQLITE_ROW) have.insert(info.Text(1));
    }
    for (const auto& c : t.columns) {
      if (have.count(c.name) == 0) {
        Exec(st->db_, fmt::format("ALTER TABLE \"{}\" ADD COLUMN \"{}\" {}", t.name, c.name,
                                  SqlType(c.kind)));
      }
    }
  }
  Exec(st->db_, kSchemaExtra);
  RegisterSuiteQlFunctions(st->db_, st->options_.user_utc_offset);
  st->impl_ = std::make_unique<Impl>(Impl{st->db_, st->options_.public_base_url});
  return st;
}

State::~State() {
  impl_.reset();
  sqlite3_close_v2(db_);
}

void State::set_public_base_url(std::string url) {
  std::lock_guard lock(mu_);
  impl_->base = std::move(url);
}

Status State::Seed(const SeedOptions& o) {
  std::lock_guard lock(mu_);
  {
    Stmt s(db_, "SELECT COUNT(*) FROM vendor");
    s.Step();
    if (s.Int(0) > 0) return Status::Ok();
  }
  std::mt19937_64 rng(o.seed);
  auto pick = [&rng](int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
  };
  Exec(db_, "BEGIN");
  Exec(db_,
       "INSERT INTO currency VALUES (1,'USA','USD','F'),(2,'Canadian Dollar','CAD','F'),(3,'Euro','EUR','F');"
       "INSERT INTO term VALUES (1,'Net 30',30,'F'),(2,'Net 60',60,'F'),(3,'1% 10 Net 30',30,'F');"
       "INSERT INTO subsidiary VALUES (1,'ML Parent Company',1,'US','F'),(2,'ML Canada',2,'CA','F');");
  static const char* kStatus[][3] = {
      {"A", "PurchOrd", "Purchase Order : Pending Supervisor Approval"},
      {"B", "PurchOrd", "Purchase Order : Pending Receipt"},
      {"C", "PurchOrd", "Purchase Order : Rejected by Supervisor"},
      {"D", "PurchOrd", "Purchase Order : Partially Received"},
      {"E", "PurchOrd", "Purchase Order : Pending Billing/Partially Received"},
      {"F", "PurchOrd", "Purchase Order : Pending Bill"},
      {"G", "PurchOrd", "Purchase Order : Fully Billed"},
      {"H", "PurchOrd", "Purchase Order : Closed"},
      {"A", "VendBill", "Bill : Open"},
      {"B", "VendBill", "Bill : Paid In Full"}};
  for (const auto& s : kStatus) {
    Stmt st(db_, "INSERT INTO transactionstatus VALUES (?, ?, ?)");
    st.Bind(1, s[0]).Bind(2, s[1]).Bind(3, s[2]);
    st.Step();
  }
  static const char* kAccounts[][3] = {
      {"1000", "Checking", "Bank"},          {"1200", "Inventory Asset", "OthCurrAsset"},
      {"1210", "Inventory In Transit", "OthCurrAsset"}, {"1400", "Prepaid Expenses", "OthCurrAsset"},
      {"1500", "Equipment", "FixedAsset"},   {"2000", "Accounts Payable", "AcctPay"},
      {"2050", "Accrued Purchases", "OthCurrLiab"}, {"2100", "Sales Tax Payable", "OthCurrLiab"},
      {"3000", "Retained Earnings", "Equity"}, {"4000", "Sales", "Income"},
      {"5000", "Cost of Goods Sold", "COGS"}, {"5100", "Freight In", "COGS"},
      {"5200", "Purchase Price Variance", "COGS"}, {"6000", "Office Supplies", "Expense"},
      {"6100", "Repairs and Maintenance", "Expense"}, {"6200", "Shipping Supplies", "Expense"},
      {"6300", "Software Subscriptions", "Expense"}, {"6400", "Travel", "Expense"},
      {"6500", "Utilities", "Expense"},       {"6900", "Old Misc Expense", "Expense"}};
  const std::string now = "2026-01-02 03:04:05";
  int64_t acct_id = 0;
  for (const auto& a : kAccounts) {
    Stmt s(db_, "INSERT INTO account VALUES (?, ?, ?, ?, ?, NULL, ?)");
    ++acct_id;
    s.Bind(1, acct_id).Bind(2, a[0]).Bind(3, fmt::format("{} {}", a[0], a[1])).Bind(4, a[2]);
    s.Bind(5, acct_id == 20 ? "T" : "F").Bind(6, std::string_view(now));
    s.Step();
  }
  static const char* kVendors[] = {
      "Acme Industrial Supply", "Brightline Fasteners", "Cascade Packaging", "Delta Electrical",
      "Evergreen Paper Co", "Frontier Tooling", "Granite Hardware", "Harbor Logistics Supply",
      "Ironwood Components", "Juniper Chemicals", "Keystone Plastics", "Lakeside Metals",
      "Meridian Safety", "Northstar Bearings", "Orchard Office Products", "Pinnacle Pumps",
      "Quarry Abrasives", "Riverbend Textiles", "Summit Hydraulics", "Tidewater Marine Parts"};
  const int vendors = std::max(2, o.vendors);
  for (int v = 1; v <= vendors; ++v) {
    const std::string name = v <= 20 ? kVendors[v - 1] : fmt::format("Vendor {:03}", v);
    const bool edi = v % 2 == 1;  // odd vendors trade by EDI
    const bool inactive = v == vendors;  // the last one is inactive
    Stmt s(db_, "INSERT INTO vendor VALUES (?1, ?2, ?3, ?3, ?4, NULL, ?5, 'F', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)");
    s.Bind(1, v).Bind(2, fmt::format("V{:04} {}", v, name)).Bind(3, std::string_view(name));
    s.Bind(4, name + " LLC").Bind(5, inactive ? "T" : "F");
    s.Bind(6, fmt::format("orders@vendor{}.example", v)).Bind(7, v % 7 == 0 ? 2 : 1).Bind(8, v % 7 == 0 ? 2 : 1);
    s.Bind(9, std::to_string(v % 3 == 0 ? 45 : 30)).Bind(10, edi ? "T" : "F");
    if (edi) s.Bind(11, fmt::format("ML{:04}EDI", v)); else s.BindNull(11);
    s.Bind(12, std::string_view(now));
    s.Step();
  }
  static const char* kNouns[] = {"Hex Bolt", "Flange Nut", "Bearing", "Gasket", "Hydraulic Hose",
                                 "Cable Tie", "Box Cutter", "Safety Glove", "Shrink Wrap",
                                 "Copy Paper", "Drill Bit", "Pump Seal", "Sanding Disc",
                                 "Circuit Breaker", "Pallet", "Label Roll"};
  const int items = std::max(1, o.items);
  std::vector<std::pair<std::string, std::string>> item_info(static_cast<size_t>(items) + 1);
  for (int i = 1; i <= items; ++i) {
    const std::string noun = kNouns[static_cast<size_t>(i) % std::size(kNouns)];
    const bool noninv = i % 5 == 0;
    const bool inactive = i % 97 == 0;
    // UPC-A: 12 digits, number system 0, 10 digits unique per item (7919 is prime, so
    // i * 7919 mod 10^9 never repeats below 10^9 items), then the check digit.
    std::string upc = fmt::format("0{:010}", 3600000000LL + i * 7919LL % 1000000000LL);
    int sum = 0;
    for (size_t k = 0; k < 11; ++k) sum += (upc[k] - '0') * (k % 2 == 0 ? 3 : 1);
    upc += static_cast<char>('0' + (10 - sum % 10) % 10);
    const Decimal cost = Decimal::FromUnscaled(pick(25, 25000), 2);
    const int64_t vendor = 1 + (i % (vendors - 1));
    Stmt s(db_, "INSERT INTO item VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, ?11)");
    s.Bind(1, i).Bind(2, fmt::format("ITM-{:05}", i)).Bind(3, fmt::format("{} #{}", noun, i));
    s.Bind(4, noninv ? "NonInvtPart" : "InvtPart").Bind(5, fmt::format("VP-{}-{:05}", vendor, i * 37 % 100000));
    s.Bind(6, std::string_view(upc)).Bind(7, fmt::format("{} #{} (purchase)", noun, i)).Bind(8, cost.ToString());
    s.Bind(9, vendor).Bind(10, inactive ? "T" : "F").Bind(11, std::string_view(now));
    s.Step();
    item_info[static_cast<size_t>(i)] = {noninv ? "NonInvtPart" : "InvtPart", cost.ToString()};
  }
  // Purchase orders across states, dated over the 120 days before 2026-01-02 (UTC).
  const RecordType po_type{"purchaseorder", "PurchOrd", "transaction"};
  const RecordType ir_type{"itemreceipt", "ItemRcpt", "transaction"};
  const RecordType bill_type{"vendorbill", "VendBill", "transaction"};
  const int64_t base_days = DaysSinceEpoch(CivilDate{2026, 1, 2}) - 120;
  for (int p = 1; p <= o.purchase_orders; ++p) {
    const int64_t vendor = 1 + pick(0, vendors - 2);
    const int64_t day = base_days + (static_cast<int64_t>(p) * 120 / std::max(1, o.purchase_orders));
    const CivilDate date = CivilDateFromDays(day);
    const std::string created = FormatSuiteQlDateTime(CivilDateTime{date, {static_cast<int>(pick(8, 17)), static_cast<int>(pick(0, 59)), static_cast<int>(pick(0, 59)), 0}});
    const int nlines = o.exact_lines ? std::max(1, o.max_lines) : static_cast<int>(pick(1, std::max(1, o.max_lines)));
    const int64_t id = impl_->NextId("transaction");
    Decimal total;
    std::vector<std::tuple<int64_t, Decimal, Decimal>> lines;
    for (int l = 0; l < nlines; ++l) {
      int64_t item = pick(1, items);
      if (item % 97 == 0) item = item > 1 ? item - 1 : 1;
      const Decimal q = Decimal::FromInt(pick(1, 50));
      const Decimal r = Dec(item_info[static_cast<size_t>(item)].second);
      lines.emplace_back(item, q, r);
      total = Add(total, Mul(q, r));
    }
    impl_->InsertTransaction(id, po_type, fmt::format("PO{}", 10000 + p), vendor, "B",
                             FormatIsoDate(date), FormatIsoDate(CivilDateFromDays(day + 30)), created,
                             vendor % 7 == 0 ? 2 : 1, total.Negate().ToString(),
                             p % 4 == 0 ? std::optional<std::string>("Reorder") : std::nullopt,
                             std::nullopt, vendor % 7 == 0 ? 2 : 1, std::nullopt, std::nullopt);
    int64_t n = 0;
    for (const auto& [item, q, r] : lines) {
      impl_->InsertLine(id, ++n, item, item_info[static_cast<size_t>(item)].first, q, r, std::nullopt, std::nullopt, std::nullopt, created);
    }
    // Ship to one of the buyer's two plants, bill to its head office; terms and a ship date.
    // (Derived from p, not drawn from rng, so the rest of the seed stays as it was.)
    const bool canada = vendor % 7 == 0;
    impl_->SetAddress("transactionshippingaddress", "shippingaddress", id,
                      canada ? std::array<std::string, 10>{"ML Canada Plant", "Receiving", "88 Harbour Rd", "", "", "Hamilton", "ON", "L8L 4R3", "CA", ""}
                      : p % 2 == 0 ? std::array<std::string, 10>{"ML Plant 1", "Dock 4", "1200 Industrial Pkwy", "Gate B", "", "Dayton", "OH", "45414", "US", "937-555-0140"}
                                   : std::array<std::string, 10>{"ML Plant 2", "Receiving", "77 Commerce Dr", "", "", "Columbus", "OH", "43215", "US", ""});
    impl_->SetAddress("transactionbillingaddress", "billingaddress", id,
                      canada ? std::array<std::string, 10>{"ML Canada", "Accounts Payable", "200 Bay St", "Suite 1200", "", "Toronto", "ON", "M5J 2J1", "CA", ""}
                             : std::array<std::string, 10>{"ML Parent Company", "Accounts Payable", "500 Main St", "Suite 300", "", "Dayton", "OH", "45402", "US", ""});
    {
      Stmt u(db_, "UPDATE \"transaction\" SET terms = ?, shipdate = ? WHERE id = ?");
      u.Bind(1, static_cast<int64_t>(p % 3 + 1)).Bind(2, FormatIsoDate(CivilDateFromDays(day + 14))).Bind(3, id);
      u.Step();
    }
    // State mix: 40% pending receipt, 20% partially received, 20% pending bill, 20% billed.
    const int64_t roll = pick(0, 9);
    const std::string later = FormatSuiteQlDateTime(CivilDateTime{CivilDateFromDays(day + 3), {12, 0, static_cast<int>(p % 60), 0}});
    if (roll >= 4) {
      nlohmann::json body = nlohmann::json::object();
      if (roll < 6 && nlines > 1) {
        body["item"]["items"] = nlohmann::json::array({{{"orderLine", 1}, {"itemReceive", true}}});
        for (int l = 2; l <= nlines; ++l) body["item"]["items"].push_back({{"orderLine", l}, {"itemReceive", false}});
      }
      auto r = impl_->DoTransform(id, ir_type, body, false, later);
      (void)r;
      if (roll >= 8) {
        nlohmann::json bill = {{"tranId", fmt::format("INV-{}", 50000 + p)}};
        auto b = impl_->DoTransform(id, bill_type, bill, false, later);
        (void)b;
      }
    }
  }
  Exec(db_, "COMMIT");
  return Status::Ok();
}

Answer State::SuiteQl(const std::string& body, int64_t limit, int64_t offset) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("q") || !j["q"].is_string()) {
    return ErrorAnswer(400, "INVALID_CONTENT", "The request body must be a JSON object with a string 'q'.");
  }
  if (limit < 0) limit = 1000;
  if (limit < 1 || limit > 1000) {
    return ErrorAnswer(400, "INVALID_PARAMETER", "Invalid query parameter value: limit must be between 1 and 1000.");
  }
  if (offset < 0 || offset % limit != 0) {
    return ErrorAnswer(400, "INVALID_PARAMETER", "Invalid query parameter value: offset must be a multiple of limit.");
  }
  if (offset >= kCeiling) {
    return ErrorAnswer(400, "USER_ERROR",
                       "Invalid search query. SuiteQL can return at most 100000 results; the offset is past that.",
                       "", "Invalid search query.");
  }
  auto tq = TranslateSuiteQl(j["q"].get<std::string>());
  if (!tq.ok()) {
    return ErrorAnswer(400, "USER_ERROR",
                       "Invalid search query. Detailed unprocessed description follows. " + tq.error().message(),
                       "", "Invalid search query.");
  }
  std::vector<nlohmann::json> params;
  if (auto it = j.find("params"); it != j.end() && it->is_array()) {
    for (const auto& p : *it) params.push_back(p);
  }
  if (static_cast<int>(params.size()) < tq->parameters) {
    return ErrorAnswer(400, "USER_ERROR", "Invalid search query. Not all parameters are bound.", "", "Invalid search query.");
  }
  std::lock_guard lock(mu_);
  auto bind = [&](Stmt& s) -> std::optional<Answer> {
    for (int i = 0; i < tq->parameters; ++i) {
      const auto& p = params[static_cast<size_t>(i)];
      if (p.is_string()) s.Bind(i + 1, p.get<std::string>());
      else if (p.is_number_integer()) s.Bind(i + 1, p.get<int64_t>());
      else if (p.is_number()) s.Bind(i + 1, p.dump());
      else return ErrorAnswer(400, "USER_ERROR", "Invalid search query. Invalid or unsupported search.", "", "Invalid search query.");
    }
    return std::nullopt;
  };
  auto query_error = [&]() {
    return ErrorAnswer(400, "USER_ERROR",
                       std::string("Invalid search query. Search error occurred: ") + sqlite3_errmsg(db_),
                       "", "Invalid search query.");
  };
  Stmt count(db_, "SELECT COUNT(*) FROM (" + tq->sql + ")");
  if (!count.ok()) return query_error();
  if (auto bad = bind(count)) return *bad;
  if (count.Step() != SQLITE_ROW) return query_error();
  const int64_t total = count.Int(0);
  Stmt page(db_, fmt::format("SELECT * FROM ({}) LIMIT {} OFFSET {}", tq->sql, limit, offset));
  if (!page.ok()) return query_error();
  if (auto bad = bind(page)) return *bad;
  nlohmann::json items = nlohmann::json::array();
  int rc;
  while ((rc = page.Step()) == SQLITE_ROW) {
    nlohmann::json row;
    row["links"] = nlohmann::json::array();
    for (int c = 0; c < page.ColumnCount(); ++c) {
      const std::string name = Lower(sqlite3_column_name(page.raw(), c));
      switch (page.ColumnType(c)) {
        case SQLITE_NULL:
          break;  // NULL columns are left out of the row
        case SQLITE_INTEGER:
          row[name] = std::to_string(page.Int(c));
          break;
        case SQLITE_FLOAT:
          row[name] = nlohmann::json(page.Real(c)).dump();
          break;
        default:
          row[name] = page.Text(c);
      }
    }
    items.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return query_error();
  const int64_t n = static_cast<int64_t>(items.size());
  const std::string self = impl_->base + "/services/rest/query/v1/suiteql";
  nlohmann::json links = nlohmann::json::array({{{"rel", "self"}, {"href", fmt::format("{}?limit={}&offset={}", self, limit, offset)}}});
  if (offset + n < total) {
    links.push_back({{"rel", "next"}, {"href", fmt::format("{}?limit={}&offset={}", self, limit, offset + limit)}});
  }
  nlohmann::json env = {{"links", links}, {"count", n}, {"hasMore", offset + n < total},
                        {"items", std::move(items)}, {"offset", offset}, {"totalResults", total}};
  Answer a;
  a.body = env.dump();
  a.content_type = "application/vnd.oracle.resource+json; type=collection";
  return a;
}

Answer State::Get(const std::string& type, const std::string& id, bool expand) {
  auto rt = TypeOf(type);
  if (!rt) return ErrorAnswer(404, "NONEXISTENT_ID", fmt::format("Record type '{}' does not exist.", type));
  std::lock_guard lock(mu_);
  auto n = impl_->Resolve(*rt, id);
  if (!n) {
    return ErrorAnswer(404, "NONEXISTENT_ID",
                       fmt::format("The record instance does not exist. Provide a valid record instance ID."));
  }
  Answer a;
  a.body = impl_->RecordJson(*rt, *n, expand).dump();
  return a;
}

namespace {
Answer Created(const std::string& base, const std::string& type, int64_t id) {
  Answer a;
  a.status = 204;
  a.location = fmt::format("{}/services/rest/record/v1/{}/{}", base, type, id);
  return a;
}
}  // namespace

Answer State::Create(const std::string& type, const std::string& body, const std::string& key) {
  auto rt = TypeOf(type);
  if (!rt) return ErrorAnswer(404, "NONEXISTENT_ID", fmt::format("Record type '{}' does not exist.", type));
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return ErrorAnswer(400, "INVALID_CONTENT", "The request body is not a valid JSON object.");
  std::lock_guard lock(mu_);
  if (!key.empty()) {
    Stmt s(db_, "SELECT 1 FROM idempotency WHERE key = ?");
    s.Bind(1, std::string_view(key));
    if (s.Step() == SQLITE_ROW) {
      return ErrorAnswer(400, "IDEMPOTENCY_ERROR", "A request with this idempotency key has already been processed.");
    }
  }
  Exec(db_, "BEGIN");
  auto r = impl_->DoCreate(*rt, j, NowText());
  if (auto* a = std::get_if<Answer>(&r)) {
    Exec(db_, "ROLLBACK");
    return *a;
  }
  Answer ok = Created(impl_->base, rt->rest, std::get<int64_t>(r));
  if (!key.empty()) {
    Stmt s(db_, "INSERT INTO idempotency VALUES (?, ?)");
    s.Bind(1, std::string_view(key)).Bind(2, std::string_view(ok.location));
    s.Step();
  }
  Exec(db_, "COMMIT");
  return ok;
}

Answer State::Patch(const std::string& type, const std::string& id, const std::string& body) {
  auto rt = TypeOf(type);
  if (!rt) return ErrorAnswer(404, "NONEXISTENT_ID", fmt::format("Record type '{}' does not exist.", type));
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return ErrorAnswer(400, "INVALID_CONTENT", "The request body is not a valid JSON object.");
  std::lock_guard lock(mu_);
  auto n = impl_->Resolve(*rt, id);
  if (!n) return ErrorAnswer(404, "NONEXISTENT_ID", "The record instance does not exist. Provide a valid record instance ID.");
  Exec(db_, "BEGIN");
  if (auto bad = impl_->DoPatch(*rt, *n, j, NowText())) {
    Exec(db_, "ROLLBACK");
    return *bad;
  }
  Exec(db_, "COMMIT");
  Answer a;
  a.status = 204;
  return a;
}

Answer State::Upsert(const std::string& type, const std::string& eid, const std::string& body) {
  auto rt = TypeOf(type);
  if (!rt) return ErrorAnswer(404, "NONEXISTENT_ID", fmt::format("Record type '{}' does not exist.", type));
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return ErrorAnswer(400, "INVALID_CONTENT", "The request body is not a valid JSON object.");
  j["externalId"] = eid;
  std::lock_guard lock(mu_);
  Exec(db_, "BEGIN");
  const std::string now = NowText();
  int64_t id;
  if (auto existing = impl_->IdByExternalId(*rt, eid)) {
    if (auto bad = impl_->DoPatch(*rt, *existing, j, now)) {
      Exec(db_, "ROLLBACK");
      return *bad;
    }
    id = *existing;
  } else {
    auto r = impl_->DoCreate(*rt, j, now);
    if (auto* a = std::get_if<Answer>(&r)) {
      Exec(db_, "ROLLBACK");
      return *a;
    }
    id = std::get<int64_t>(r);
  }
  Exec(db_, "COMMIT");
  return Created(impl_->base, rt->rest, id);
}

Answer State::Transform(const std::string& from_type, const std::string& id,
                        const std::string& to_type, const std::string& body, bool replace_items,
                        const std::string& key) {
  auto from = TypeOf(from_type);
  auto to = TypeOf(to_type);
  if (!from || from->code != "PurchOrd" || !to || (to->code != "VendBill" && to->code != "ItemRcpt")) {
    return ErrorAnswer(400, "INVALID_REQUEST",
                       fmt::format("Transformation from {} to {} is not supported.", from_type, to_type));
  }
  nlohmann::json j = body.empty() ? nlohmann::json::object() : nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return ErrorAnswer(400, "INVALID_CONTENT", "The request body is not a valid JSON object.");
  std::lock_guard lock(mu_);
  if (!key.empty()) {
    Stmt s(db_, "SELECT 1 FROM idempotency WHERE key = ?");
    s.Bind(1, std::string_view(key));
    if (s.Step() == SQLITE_ROW) {
      return ErrorAnswer(400, "IDEMPOTENCY_ERROR", "A request with this idempotency key has already been processed.");
    }
  }
  auto po = impl_->Resolve(*from, id);
  if (!po) return ErrorAnswer(404, "NONEXISTENT_ID", "The record instance does not exist. Provide a valid record instance ID.");
  if (auto dup = impl_->CheckExternalId(*to, j)) return *dup;
  Exec(db_, "BEGIN");
  auto r = impl_->DoTransform(*po, *to, j, replace_items, NowText());
  if (auto* a = std::get_if<Answer>(&r)) {
    Exec(db_, "ROLLBACK");
    return *a;
  }
  Answer ok = Created(impl_->base, to->rest, std::get<int64_t>(r));
  if (!key.empty()) {
    Stmt s(db_, "INSERT INTO idempotency VALUES (?, ?)");
    s.Bind(1, std::string_view(key)).Bind(2, std::string_view(ok.location));
    s.Step();
  }
  Exec(db_, "COMMIT");
  return ok;
}

int64_t State::CountByExternalId(const std::string& type, const std::string& eid) {
  auto rt = TypeOf(type);
  if (!rt) return 0;
  std::lock_guard lock(mu_);
  std::string sql = rt->table == "transaction"
                        ? "SELECT COUNT(*) FROM \"transaction\" WHERE recordtype = ?1 AND externalid = ?2"
                        : fmt::format("SELECT COUNT(*) FROM \"{}\" WHERE externalid = ?2 AND ?1 = ?1", rt->table);
  Stmt s(db_, sql);
  s.Bind(1, std::string_view(rt->rest)).Bind(2, std::string_view(eid));
  s.Step();
  return s.Int(0);
}

int64_t State::CountTransactions(const std::string& type_code) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT COUNT(*) FROM \"transaction\" WHERE type = ?");
  s.Bind(1, std::string_view(type_code));
  s.Step();
  return s.Int(0);
}

}  // namespace mlc::sandbox::netsuite
