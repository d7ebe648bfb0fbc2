#include "sandbox/netsuite/suiteql_sqlite.h"

#include <cctype>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "common/civil_time.h"
#include "common/decimal.h"

namespace mlc::sandbox::netsuite {
namespace {

using K = ColumnKind;

std::vector<ColumnDef> AddressColumns() {
  return {{"nkey", K::kInteger},   {"addressee", K::kText}, {"attention", K::kText},
          {"addr1", K::kText},     {"addr2", K::kText},     {"addr3", K::kText},
          {"city", K::kText},      {"state", K::kText},     {"zip", K::kText},
          {"country", K::kText},   {"addrphone", K::kText}};
}

std::vector<TableDef> MakeSchema() {
  return {
      {"currency", {{"id", K::kInteger}, {"name", K::kText}, {"symbol", K::kText},
                    {"isinactive", K::kBool}}},
      {"subsidiary", {{"id", K::kInteger}, {"name", K::kText}, {"currency", K::kInteger},
                      {"country", K::kText}, {"isinactive", K::kBool}}},
      {"account", {{"id", K::kInteger}, {"acctnumber", K::kText}, {"fullname", K::kText},
                   {"accttype", K::kText}, {"isinactive", K::kBool}, {"externalid", K::kText},
                   {"lastmodifieddate", K::kDateTime}}},
      {"vendor", {{"id", K::kInteger}, {"entityid", K::kText}, {"companyname", K::kText},
                  {"altname", K::kText}, {"legalname", K::kText}, {"externalid", K::kText},
                  {"isinactive", K::kBool}, {"isperson", K::kBool}, {"email", K::kText},
                  {"currency", K::kInteger}, {"subsidiary", K::kInteger},
                  {"terms", K::kText}, {"custentity_mlc_edi_enabled", K::kBool},
                  {"custentity_mlc_edi_partner", K::kText}, {"datecreated", K::kDateTime},
                  {"lastmodifieddate", K::kDateTime}}},
      {"item", {{"id", K::kInteger}, {"itemid", K::kText}, {"displayname", K::kText},
                {"itemtype", K::kText}, {"vendorname", K::kText}, {"upccode", K::kText},
                {"purchasedescription", K::kText}, {"cost", K::kDecimal},
                {"vendor", K::kInteger}, {"isinactive", K::kBool}, {"externalid", K::kText},
                {"lastmodifieddate", K::kDateTime}}},
      {"transactionstatus", {{"id", K::kText}, {"trantype", K::kText}, {"name", K::kText}}},
      {"term", {{"id", K::kInteger}, {"name", K::kText}, {"daysuntilnetdue", K::kInteger},
                {"isinactive", K::kBool}}},
      // A transaction's addresses are subrecords: transaction.shippingaddress and
      // .billingaddress hold the nkey of a row here (search: "Transaction.ShippingAddress =
      // TransactionShippingAddress.nkey", public SuiteQL reports; netsuite.md has no table).
      {"transactionshippingaddress", AddressColumns()},
      {"transactionbillingaddress", AddressColumns()},
      {"transaction", {{"id", K::kInteger}, {"tranid", K::kText}, {"type", K::kText},
                       {"recordtype", K::kText}, {"abbrevtype", K::kText},
                       {"entity", K::kInteger}, {"status", K::kText},
                       {"approvalstatus", K::kText}, {"trandate", K::kDate},
                       {"duedate", K::kDate}, {"createddate", K::kDateTime},
                       {"lastmodifieddate", K::kDateTime}, {"currency", K::kInteger},
                       {"exchangerate", K::kDecimal}, {"foreigntotal", K::kDecimal},
                       {"memo", K::kText}, {"externalid", K::kText},
                       {"subsidiary", K::kInteger}, {"otherrefnum", K::kText},
                       {"createdfrom", K::kInteger}, {"transactionnumber", K::kText},
                       {"billingstatus", K::kBool}, {"paymenthold", K::kBool},
                       {"shipdate", K::kDate}, {"terms", K::kInteger},
                       {"shippingaddress", K::kInteger}, {"billingaddress", K::kInteger},
                       {"custbody_mlc_edi_status", K::kText},
                       {"custbody_mlc_ack_status", K::kText},
                       {"custbody_mlc_ack_date", K::kDate}}},
      {"transactionline", {{"transaction", K::kInteger}, {"id", K::kInteger},
                           {"linesequencenumber", K::kInteger}, {"mainline", K::kBool},
                           {"taxline", K::kBool}, {"item", K::kInteger},
                           {"itemtype", K::kText}, {"quantity", K::kDecimal},
                           {"rate", K::kDecimal}, {"netamount", K::kDecimal},
                           {"foreignamount", K::kDecimal}, {"quantitybilled", K::kDecimal},
                           {"quantityshiprecv", K::kDecimal}, {"isclosed", K::kBool},
                           {"memo", K::kText}, {"expenseaccount", K::kInteger},
                           {"createdfrom", K::kInteger}, {"orderline", K::kInteger},
                           {"linelastmodifieddate", K::kDateTime},
                           {"expectedreceiptdate", K::kDate}, {"units", K::kInteger},
                           {"custcol_mlc_ack_status", K::kText},
                           {"custcol_mlc_promised_date", K::kDate}}},
  };
}

// ---- tokens ----

enum class T { kIdent, kString, kNumber, kOp, kLParen, kRParen, kComma, kDot, kStar, kParam };

struct Token {
  T type;
  std::string text;  // identifiers lower-cased; strings with their quotes
};

Status SearchError(std::string_view what) {
  return InvalidArgumentError("Search error occurred: {}", what);
}

Result<std::vector<Token>> Tokenize(std::string_view q) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < q.size()) {
    const char c = q[i];
    auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '\t') {
      return InvalidArgumentError("Invalid content: tab characters are not allowed in a query");
    } else if (std::isalpha(u) || c == '_') {
      size_t j = i;
      while (j < q.size() && (std::isalnum(static_cast<unsigned char>(q[j])) || q[j] == '_' ||
                              q[j] == '$')) {
        ++j;
      }
      std::string s(q.substr(i, j - i));
      for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back({T::kIdent, s});
      i = j;
    } else if (std::isdigit(u)) {
      size_t j = i;
      while (j < q.size() && (std::isdigit(static_cast<unsigned char>(q[j])) || q[j] == '.')) ++j;
      out.push_back({T::kNumber, std::string(q.substr(i, j - i))});
      i = j;
    } else if (c == '\'') {
      size_t j = i + 1;
      std::string s = "'";
      for (;;) {
        if (j >= q.size()) return SearchError("unterminated string literal");
        if (q[j] == '\'') {
          if (j + 1 < q.size() && q[j + 1] == '\'') {
            s += "''";
            j += 2;
            continue;
          }
          s += '\'';
          ++j;
          break;
        }
        s += q[j++];
      }
      out.push_back({T::kString, s});
      i = j;
    } else if (c == '(') {
      out.push_back({T::kLParen, "("}), ++i;
    } else if (c == ')') {
      out.push_back({T::kRParen, ")"}), ++i;
    } else if (c == ',') {
      out.push_back({T::kComma, ","}), ++i;
    } else if (c == '.') {
      out.push_back({T::kDot, "."}), ++i;
    } else if (c == '*') {
      out.push_back({T::kStar, "*"}), ++i;
    } else if (c == '?') {
      out.push_back({T::kParam, "?"}), ++i;
    } else if (c == '-' && i + 1 < q.size() && q[i + 1] == '-') {
      return SearchError("comments are not supported");
    } else if (c == '|' && i + 1 < q.size() && q[i + 1] == '|') {
      out.push_back({T::kOp, "||"}), i += 2;
    } else if ((c == '<' || c == '>' || c == '!') && i + 1 < q.size() &&
               (q[i + 1] == '=' || (c == '<' && q[i + 1] == '>'))) {
      std::string op(q.substr(i, 2));
      out.push_back({T::kOp, op == "!=" ? "<>" : op}), i += 2;
    } else if (c == '=' || c == '<' || c == '>' || c == '+' || c == '-' || c == '/') {
      out.push_back({T::kOp, std::string(1, c)}), ++i;
    } else {
      return SearchError(fmt::format("unexpected character '{}'", c));
    }
  }
  return out;
}

const std::set<std::string>& Keywords() {
  static const std::set<std::string> k = {
      "select", "distinct", "from",  "where", "and",  "or",    "not",   "in",     "is",
      "null",   "like",     "escape", "between", "order", "by",  "asc",   "desc",   "as",
      "join",   "inner",    "left",  "outer", "on",   "group", "having", "case",  "when",
      "then",   "else",     "end",   "fetch", "first", "next", "rows",  "row",    "only"};
  return k;
}

const std::map<std::string, std::string>& Functions() {
  static const std::map<std::string, std::string> f = {
      {"count", "COUNT"},   {"sum", "SUM"},       {"min", "MIN"},
      {"max", "MAX"},       {"abs", "ns_abs"},       {"upper", "UPPER"},
      {"lower", "LOWER"},   {"nvl", "COALESCE"},  {"coalesce", "COALESCE"},
      {"substr", "SUBSTR"}, {"length", "LENGTH"}, {"to_char", "ns_to_char"},
      {"to_date", "ns_to_date"}, {"to_timestamp", "ns_to_date"}};
  return f;
}

std::string Quote(std::string_view ident) { return "\"" + std::string(ident) + "\""; }

// BUILTIN.DF: the display value of a list/record field.
std::string DisplayOf(const std::string& table, const std::string& column, const std::string& ref,
                      const std::string& alias_q) {
  if ((table == "transaction" && column == "entity") || (table == "item" && column == "vendor")) {
    return "(SELECT \"companyname\" FROM \"vendor\" WHERE \"id\" = " + ref + ")";
  }
  if (table == "transaction" && column == "status") {
    return "(SELECT \"name\" FROM \"transactionstatus\" WHERE \"id\" = " +
           ref + " AND \"trantype\" = " + alias_q + ".\"type\")";
  }
  if (column == "item") return "(SELECT \"itemid\" FROM \"item\" WHERE \"id\" = " + ref + ")";
  if (column == "terms") return "(SELECT \"name\" FROM \"term\" WHERE \"id\" = " + ref + ")";
  if (column == "currency") return "(SELECT \"name\" FROM \"currency\" WHERE \"id\" = " + ref + ")";
  if (column == "subsidiary") {
    return "(SELECT \"name\" FROM \"subsidiary\" WHERE \"id\" = " + ref + ")";
  }
  if (column == "expenseaccount") {
    return "(SELECT \"fullname\" FROM \"account\" WHERE \"id\" = " + ref + ")";
  }
  if (column == "createdfrom") {
    return "(SELECT \"tranid\" FROM \"transaction\" WHERE \"id\" = " + ref + ")";
  }
  return ref;
}

class Translator {
 public:
  explicit Translator(std::vector<Token> t) : t_(std::move(t)) {}

  Result<TranslatedQuery> Run() {
    if (t_.empty() || !Is(0, "select")) return SearchError("a query must start with SELECT");
    for (size_t i = 1; i < t_.size(); ++i) {
      if (Is(i, "select")) return SearchError("subqueries are not supported");
      if (Is(i, "with")) return SearchError("WITH is not supported");
    }
    RETURN_IF_ERROR(CollectTables());
    size_t i = 1;
    std::string out = "SELECT ";
    if (Is(i, "distinct")) {
      out += "DISTINCT ";
      ++i;
    }
    // Select items, split at depth-0 commas up to FROM.
    std::vector<std::pair<size_t, size_t>> items;
    size_t start = i;
    int depth = 0;
    for (; i < from_; ++i) {
      if (t_[i].type == T::kLParen) ++depth;
      if (t_[i].type == T::kRParen) --depth;
      if (depth == 0 && t_[i].type == T::kComma) {
        items.emplace_back(start, i);
        start = i + 1;
      }
    }
    items.emplace_back(start, from_);
    // Aliases first, so ORDER BY may name them.
    for (auto [b, e] : items) {
      if (e - b >= 2 && t_[e - 1].type == T::kIdent && !IsKeyword(t_[e - 1].text) &&
          (Is(e - 2, "as") || t_[e - 2].type == T::kRParen || t_[e - 2].type == T::kIdent)) {
        if (!(t_[e - 2].type == T::kDot)) select_aliases_.insert(t_[e - 1].text);
      }
    }
    std::vector<std::string> rendered;
    int expr_n = 0;
    for (auto [b, e] : items) {
      if (b == e) return SearchError("empty select item");
      // *, t.*
      if (e - b == 1 && t_[b].type == T::kStar) {
        RETURN_IF_ERROR(ExpandStar(aliases_order_.front(), rendered));
        continue;
      }
      if (e - b == 3 && t_[b].type == T::kIdent && t_[b + 1].type == T::kDot &&
          t_[b + 2].type == T::kStar) {
        if (!alias_to_table_.count(t_[b].text)) return SearchError("unknown alias " + t_[b].text);
        RETURN_IF_ERROR(ExpandStar(t_[b].text, rendered));
        continue;
      }
      std::string name;
      size_t expr_end = e;
      if (e - b >= 2 && t_[e - 1].type == T::kIdent && select_aliases_.count(t_[e - 1].text) &&
          t_[e - 2].type != T::kDot) {
        name = t_[e - 1].text;
        expr_end = Is(e - 2, "as") ? e - 2 : e - 1;
      }
      // A bare column (t.col or col) keeps its name; a date column is rendered as M/D/YYYY.
      std::optional<std::pair<std::string, const ColumnDef*>> column;
      if (expr_end - b == 1 && t_[b].type == T::kIdent && !IsKeyword(t_[b].text)) {
        column = BareColumnRef(t_[b].text);
      } else if (expr_end - b == 3 && t_[b].type == T::kIdent && t_[b + 1].type == T::kDot &&
                 t_[b + 2].type == T::kIdent) {
        auto col = QualifiedRef(t_[b].text, t_[b + 2].text);
        if (!col.ok()) return col.error();
        column = *col;
      }
      std::string expr;
      if (column) {
        expr = column->first;
        if (column->second->kind == K::kDate || column->second->kind == K::kDateTime) expr = "ns_date(" + expr + ")";
        if (name.empty()) name = column->second->name;
      } else {
        ASSIGN_OR_RETURN(expr, TranslateRange(b, expr_end));
        if (name.empty()) name = fmt::format("expr{}", ++expr_n);
      }
      columns_.push_back(name);
      rendered.push_back(expr + " AS " + Quote(name));
    }
    for (size_t k = 0; k < rendered.size(); ++k) out += (k ? ", " : "") + rendered[k];
    ASSIGN_OR_RETURN(std::string rest, TranslateRange(from_, t_.size()));
    out += " " + rest;
    TranslatedQuery tq;
    tq.sql = out;
    tq.columns = columns_;
    tq.parameters = params_;
    return tq;
  }

 private:
  bool Is(size_t i, std::string_view kw) const {
    return i < t_.size() && t_[i].type == T::kIdent && t_[i].text == kw;
  }
  static bool IsKeyword(const std::string& s) { return Keywords().count(s) > 0; }

  Status CollectTables() {
    from_ = 0;
    int depth = 0;
    for (size_t i = 0; i < t_.size(); ++i) {
      if (t_[i].type == T::kLParen) ++depth;
      if (t_[i].type == T::kRParen) --depth;
      if (depth == 0 && Is(i, "from")) {
        from_ = i;
        break;
      }
    }
    if (from_ == 0) return SearchError("a query needs FROM");
    for (size_t i = from_; i < t_.size(); ++i) {
      if (!(Is(i, "from") || Is(i, "join") || (t_[i].type == T::kComma && InFromList(i)))) continue;
      if (i + 1 >= t_.size() || t_[i + 1].type != T::kIdent) {
        return SearchError("a table name must follow FROM/JOIN");
      }
      const std::string& table = t_[i + 1].text;
      if (!FindTable(table)) return SearchError(fmt::format("Record '{}' was not found.", table));
      table_positions_.insert(i + 1);
      std::string alias = table;
      size_t a = i + 2;
      if (Is(a, "as")) ++a;
      if (a < t_.size() && t_[a].type == T::kIdent && !IsKeyword(t_[a].text)) {
        alias = t_[a].text;
        alias_positions_.insert(a);
      }
      alias_to_table_[alias] = table;
      aliases_order_.push_back(alias);
    }
    return Status::Ok();
  }

  // A comma directly in the FROM list (before WHERE/JOIN/ORDER): old-style cross join.
  bool InFromList(size_t i) const {
    for (size_t k = from_ + 1; k < i; ++k) {
      if (Is(k, "where") || Is(k, "on") || Is(k, "order") || Is(k, "group")) return false;
    }
    return true;
  }

  Status ExpandStar(const std::string& alias, std::vector<std::string>& rendered) {
    const TableDef* t = FindTable(alias_to_table_.at(alias));
    for (const auto& c : t->columns) {
      std::string ref = Quote(alias) + "." + Quote(c.name);
      if (c.kind == K::kDate || c.kind == K::kDateTime) ref = "ns_date(" + ref + ")";
      columns_.push_back(c.name);
      rendered.push_back(ref + " AS " + Quote(c.name));
    }
    return Status::Ok();
  }

  Result<std::pair<std::string, const ColumnDef*>> QualifiedRef(const std::string& alias,
                                                                const std::string& column) {
    auto it = alias_to_table_.find(alias);
    if (it == alias_to_table_.end()) {
      return SearchError(fmt::format("Unknown identifier '{}'.", alias));
    }
    const ColumnDef* c = FindTable(it->second)->Find(column);
    if (!c) {
      return SearchError(
          fmt::format("Field '{}' for record '{}' was not found.", column, it->second));
    }
    return std::make_pair(Quote(alias) + "." + Quote(column), c);
  }

  std::optional<std::pair<std::string, const ColumnDef*>> BareColumnRef(const std::string& column) {
    for (const auto& alias : aliases_order_) {
      if (const ColumnDef* c = FindTable(alias_to_table_.at(alias))->Find(column)) {
        return std::make_pair(Quote(alias) + "." + Quote(column), c);
      }
    }
    return std::nullopt;
  }

  Result<std::string> TranslateRange(size_t b, size_t e) {
    std::string out;
    auto emit = [&out](std::string_view s) {
      if (!out.empty() && out.back() != '(' && s != ")" && s != ",") out += ' ';
      out += s;
    };
    for (size_t i = b; i < e; ++i) {
      const Token& tok = t_[i];
      switch (tok.type) {
        case T::kString:
        case T::kNumber:
        case T::kOp:
        case T::kLParen:
        case T::kRParen:
        case T::kComma:
        case T::kStar:
          emit(tok.text);
          break;
        case T::kParam:
          ++params_;
          emit("?");
          break;
        case T::kDot:
          return SearchError("unexpected '.'");
        case T::kIdent: {
          const std::string& w = tok.text;
          if (table_positions_.count(i)) {
            emit(Quote(w));
            if (!alias_positions_.count(i + 1) && !Is(i + 1, "as")) emit(Quote(w));
            break;
          }
          if (alias_positions_.count(i)) {
            emit(Quote(w));
            break;
          }
          if (w == "as" && alias_positions_.count(i + 1)) break;
          if (w == "fetch") {
            // FETCH FIRST|NEXT n ROW|ROWS ONLY
            if (i + 4 < e) {
              if ((Is(i + 1, "first") || Is(i + 1, "next")) && t_[i + 2].type == T::kNumber &&
                  (Is(i + 3, "rows") || Is(i + 3, "row")) && Is(i + 4, "only")) {
                emit("LIMIT " + t_[i + 2].text);
                i += 4;
                break;
              }
            }
            return SearchError("malformed FETCH FIRST clause");
          }
          if (w == "builtin") {
            if (i + 5 >= e || t_[i + 1].type != T::kDot || !Is(i + 2, "df") ||
                t_[i + 3].type != T::kLParen) {
              return SearchError("only BUILTIN.DF is supported");
            }
            size_t k = i + 4;
            std::string alias, column;
            if (t_[k].type == T::kIdent && k + 2 < e && t_[k + 1].type == T::kDot) {
              alias = t_[k].text;
              column = t_[k + 2].text;
              k += 3;
            } else if (t_[k].type == T::kIdent) {
              column = t_[k].text;
              k += 1;
            } else {
              return SearchError("BUILTIN.DF takes a field");
            }
            if (k >= e || t_[k].type != T::kRParen) return SearchError("BUILTIN.DF takes a field");
            std::string ref, table;
            if (!alias.empty()) {
              ASSIGN_OR_RETURN(auto r, QualifiedRef(alias, column));
              ref = r.first;
              table = alias_to_table_[alias];
            } else {
              auto r = BareColumnRef(column);
              if (!r) return SearchError(fmt::format("Unknown identifier '{}'.", column));
              ref = r->first;
              for (const auto& a : aliases_order_) {
                if (FindTable(alias_to_table_[a])->Find(column)) {
                  alias = a;
                  table = alias_to_table_[a];
                  break;
                }
              }
            }
            emit(DisplayOf(table, column, ref, Quote(alias)));
            i = k;
            break;
          }
          if (w == "sysdate") {
            emit("ns_sysdate()");
            break;
          }
          if (w == "sessiontimezone") {
            emit("ns_session_tz()");
            break;
          }
          if (i + 1 < e && t_[i + 1].type == T::kLParen && !IsKeyword(w)) {
            auto f = Functions().find(w);
            if (f == Functions().end()) {
              return SearchError(fmt::format("Unknown function '{}'.", w));
            }
            emit(f->second);
            break;
          }
          if (IsKeyword(w)) {
            std::string up = w;
            for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            emit(up);
            break;
          }
          if (i + 2 < e && t_[i + 1].type == T::kDot) {
            if (t_[i + 2].type != T::kIdent) return SearchError("unexpected '.'");
            ASSIGN_OR_RETURN(auto r, QualifiedRef(w, t_[i + 2].text));
            emit(r.first);
            i += 2;
            break;
          }
          if (auto r = BareColumnRef(w)) {
            emit(r->first);
            break;
          }
          if (select_aliases_.count(w)) {
            emit(Quote(w));
            break;
          }
          return SearchError(fmt::format("Unknown identifier '{}'.", w));
        }
      }
    }
    return out;
  }

  std::vector<Token> t_;
  size_t from_ = 0;
  std::map<std::string, std::string> alias_to_table_;
  std::vector<std::string> aliases_order_;
  std::set<size_t> table_positions_;
  std::set<size_t> alias_positions_;
  std::set<std::string> select_aliases_;
  std::vector<std::string> columns_;
  int params_ = 0;
};

// ---- SQLite functions ----

struct FnContext {
  std::chrono::minutes offset;
};

// A stored date ("YYYY-MM-DD", no zone) or date-time (UTC), as the user's wall-clock reading.
std::optional<CivilDateTime> ReadStored(sqlite3_value* v, std::chrono::minutes offset) {
  if (sqlite3_value_type(v) != SQLITE_TEXT) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(sqlite3_value_text(v)));
  const bool date_only = s.size() == 10;
  if (date_only) s += " 00:00:00";
  auto t = ParseSuiteQlDateTime(s);
  if (!t.ok()) return std::nullopt;
  if (date_only) return *t;
  return ToCivil(ToInstant(*t), offset);
}

std::string FormatWith(const CivilDateTime& t, std::string fmt_text) {
  for (char& c : fmt_text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string out;
  for (size_t i = 0; i < fmt_text.size();) {
    auto at = [&](std::string_view p) { return fmt_text.compare(i, p.size(), p) == 0; };
    if (at("YYYY")) out += fmt::format("{:04}", t.date.year), i += 4;
    else if (at("HH24")) out += fmt::format("{:02}", t.time.hour), i += 4;
    else if (at("MM")) out += fmt::format("{:02}", t.date.month), i += 2;
    else if (at("DD")) out += fmt::format("{:02}", t.date.day), i += 2;
    else if (at("MI")) out += fmt::format("{:02}", t.time.minute), i += 2;
    else if (at("SS")) out += fmt::format("{:02}", t.time.second), i += 2;
    else if (fmt_text[i] == '"') ++i;  // quoted literal text such as "T"
    else out += fmt_text[i++];
  }
  return out;
}

std::optional<CivilDateTime> ParseWith(std::string_view text, std::string fmt_text) {
  for (char& c : fmt_text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CivilDateTime t;
  size_t p = 0;
  auto num = [&](size_t n, int& dst) {
    if (p + n > text.size()) return false;
    int v = 0;
    for (size_t k = 0; k < n; ++k) {
      if (!std::isdigit(static_cast<unsigned char>(text[p + k]))) return false;
      v = v * 10 + (text[p + k] - '0');
    }
    dst = v;
    p += n;
    return true;
  };
  for (size_t i = 0; i < fmt_text.size();) {
    auto at = [&](std::string_view s) { return fmt_text.compare(i, s.size(), s) == 0; };
    bool ok = true;
    if (at("YYYY")) ok = num(4, t.date.year), i += 4;
    else if (at("HH24")) ok = num(2, t.time.hour), i += 4;
    else if (at("MM")) ok = num(2, t.date.month), i += 2;
    else if (at("DD")) ok = num(2, t.date.day), i += 2;
    else if (at("MI")) ok = num(2, t.time.minute), i += 2;
    else if (at("SS")) ok = num(2, t.time.second), i += 2;
    else {
      ok = p < text.size() && text[p] == fmt_text[i];
      ++p, ++i;
    }
    if (!ok) return std::nullopt;
  }
  if (p != text.size()) return std::nullopt;
  if (!MakeCivilDate(t.date.year, t.date.month, t.date.day).ok() ||
      !MakeTimeOfDay(t.time.hour, t.time.minute, t.time.second).ok()) {
    return std::nullopt;
  }
  return t;
}

void ResultText(sqlite3_context* ctx, const std::string& s) {
  sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

void NsDate(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto* f = static_cast<FnContext*>(sqlite3_user_data(ctx));
  auto t = ReadStored(argv[0], f->offset);
  if (!t) {
    sqlite3_result_value(ctx, argv[0]);
    return;
  }
  ResultText(ctx, FormatSuiteQlDate(t->date));
}

void NsToChar(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* f = static_cast<FnContext*>(sqlite3_user_data(ctx));
  auto t = ReadStored(argv[0], f->offset);
  if (!t || argc < 2) {
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
    ResultText(ctx, reinterpret_cast<const char*>(sqlite3_value_text(argv[0])));
    return;
  }
  ResultText(ctx, FormatWith(*t,
                             reinterpret_cast<const char*>(sqlite3_value_text(argv[1]))));
}

void NsToDate(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* f = static_cast<FnContext*>(sqlite3_user_data(ctx));
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  std::string text(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])));
  std::string format = argc > 1 ? reinterpret_cast<const char*>(sqlite3_value_text(argv[1]))
                                : "MM/DD/YYYY";
  auto t = ParseWith(text, format);
  if (!t) {
    sqlite3_result_error(ctx, "Invalid date value or format", -1);
    return;
  }
  ResultText(ctx, FormatSuiteQlDateTime(ToCivil(ToInstant(*t, f->offset))));
}

// ABS on the exact decimal text the sandbox stores (SQLite's ABS would go through a double).
void NsAbs(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  auto d = Decimal::Parse(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])));
  if (!d.ok()) {
    sqlite3_result_error(ctx, "Invalid number", -1);
    return;
  }
  ResultText(ctx, d->Abs().ToString());
}

void NsSysdate(sqlite3_context* ctx, int, sqlite3_value**) {
  ResultText(ctx, FormatSuiteQlDateTime(ToCivil(SystemClock::Get().Now())));
}

void NsSessionTz(sqlite3_context* ctx, int, sqlite3_value**) {
  auto* f = static_cast<FnContext*>(sqlite3_user_data(ctx));
  const int64_t m = f->offset.count();
  ResultText(ctx, fmt::format("{}{:02}:{:02}", m < 0 ? '-' : '+', std::abs(m) / 60, std::abs(m) % 60));
}

}  // namespace

const ColumnDef* TableDef::Find(std::string_view column) const {
  for (const auto& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

const std::vector<TableDef>& Schema() {
  static const std::vector<TableDef> s = MakeSchema();
  return s;
}

const TableDef* FindTable(std::string_view name) {
  for (const auto& t : Schema()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

Result<TranslatedQuery> TranslateSuiteQl(std::string_view suiteql) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(suiteql));
  return Translator(std::move(tokens)).Run();
}

void RegisterSuiteQlFunctions(sqlite3* db, std::chrono::minutes user_offset) {
  auto* f = new FnContext{user_offset};
  auto destroy = [](void* p) { delete static_cast<FnContext*>(p); };
  // The first registration owns the context (its destructor runs when the db closes).
  sqlite3_create_function_v2(db, "ns_date", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, f, NsDate,
                             nullptr, nullptr, destroy);
  sqlite3_create_function_v2(db, "ns_to_char", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, f,
                             NsToChar, nullptr, nullptr, nullptr);
  sqlite3_create_function_v2(db, "ns_to_date", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, f,
                             NsToDate, nullptr, nullptr, nullptr);
  sqlite3_create_function_v2(db, "ns_abs", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, f, NsAbs,
                             nullptr, nullptr, nullptr);
  sqlite3_create_function_v2(db, "ns_sysdate", 0, SQLITE_UTF8, f, NsSysdate, nullptr, nullptr,
                             nullptr);
  sqlite3_create_function_v2(db, "ns_session_tz", 0, SQLITE_UTF8, f, NsSessionTz, nullptr,
                             nullptr, nullptr);
}

}  // namespace mlc::sandbox::netsuite
