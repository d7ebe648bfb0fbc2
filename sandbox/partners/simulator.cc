#include "sandbox/partners/simulator.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <utility>

#include "cleo/names.h"
#include "common/file_system.h"
#include "common/log.h"
#include "sandbox/partners/x12_docs.h"

namespace mlc::sandbox::partners {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// FNV-1a: a seed that is stable across compilers and runs (std::hash is not).
uint64_t Fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

char OneChar(const YAML::Node& n, char fallback, const std::string& what) {
  if (!n) return fallback;
  std::string s = n.as<std::string>();
  if (s.size() != 1) throw YAML::Exception(n.Mark(), what + " must be one character");
  return s[0];
}

struct PartnerState {
  uint64_t next_isa13 = 1;
  int64_t step = 0;
  std::set<std::string> processed;  // "name#sha256" of outbox files taken
  std::string first_invoice;
  json pending = json::array();  // invoices not yet written
  uint64_t next_shipment = 1;
  json shipments = json::array();  // {id, po, lines: [{line, quantity}], received}

  static Result<PartnerState> Load(const fs::path& file) {
    PartnerState s;
    if (!RealFileSystem().Exists(file)) return s;
    ASSIGN_OR_RETURN(std::string text, RealFileSystem().ReadFile(file));
    json j = json::parse(text, nullptr, false);
    if (!j.is_object()) return DataLossError("partner state '{}' is not JSON", file.string());
    try {
      s.next_isa13 = j.at("next_isa13").get<uint64_t>();
      s.step = j.at("step").get<int64_t>();
      for (const auto& k : j.at("processed")) s.processed.insert(k.get<std::string>());
      s.first_invoice = j.at("first_invoice").get<std::string>();
      s.pending = j.at("pending");
      // Absent in state files written before shipments were recorded.
      s.next_shipment = j.value("next_shipment", uint64_t{1});
      s.shipments = j.value("shipments", json::array());
      if (!s.shipments.is_array()) return DataLossError("partner state '{}': shipments", file.string());
    } catch (const json::exception& e) {
      return DataLossError("partner state '{}': {}", file.string(), e.what());
    }
    return s;
  }
  Status Save(const fs::path& file) const {
    json j = {{"next_isa13", next_isa13},
              {"step", step},
              {"processed", processed},
              {"first_invoice", first_invoice},
              {"pending", pending},
              {"next_shipment", next_shipment},
              {"shipments", shipments}};
    return RealFileSystem().WriteFileAtomic(file, j.dump(1));
  }
};

json GroupToJson(const InboundGroup& g) {
  return {{"sq", g.sender_qualifier}, {"sid", g.sender_id}, {"rq", g.receiver_qualifier},
          {"rid", g.receiver_id},     {"gss", g.gs_sender}, {"gsr", g.gs_receiver},
          {"date", g.gs_date},        {"time", g.gs_time},  {"gs06", g.gs06}};
}

InboundGroup GroupFromJson(const json& j) {
  InboundGroup g;
  g.sender_qualifier = j.at("sq");
  g.sender_id = j.at("sid");
  g.receiver_qualifier = j.at("rq");
  g.receiver_id = j.at("rid");
  g.gs_sender = j.at("gss");
  g.gs_receiver = j.at("gsr");
  g.gs_date = j.at("date");
  g.gs_time = j.at("time");
  g.gs06 = j.at("gs06");
  return g;
}

json OrderToJson(const Order& o) {
  json lines = json::array();
  for (const auto& l : o.lines) {
    lines.push_back({{"line", l.line},
                     {"qty", l.quantity.ToString()},
                     {"uom", l.uom},
                     {"price", l.price.ToString()},
                     {"ids", l.ids}});
  }
  return {{"st02", o.st02}, {"number", o.number}, {"date", o.date}, {"lines", lines}};
}

Result<Order> OrderFromJson(const json& j) {
  Order o;
  o.st02 = j.at("st02");
  o.number = j.at("number");
  o.date = j.at("date");
  for (const auto& l : j.at("lines")) {
    OrderLine line;
    line.line = l.at("line");
    ASSIGN_OR_RETURN(line.quantity, Decimal::Parse(l.at("qty").get<std::string>()));
    line.uom = l.at("uom");
    ASSIGN_OR_RETURN(line.price, Decimal::Parse(l.at("price").get<std::string>()));
    line.ids = l.at("ids").get<std::vector<std::pair<std::string, std::string>>>();
    o.lines.push_back(std::move(line));
  }
  return o;
}

std::string InvoiceNumberFor(const std::string& po) {
  std::string n = "INV";
  for (char c : po) {
    if (std::isalnum(static_cast<unsigned char>(c))) n += c;
  }
  return n.substr(0, 22);
}

class PartnerRun {
 public:
  PartnerRun(const fs::path& root, const PartnerProfile& p, PartnerState& s, StepReport& r)
      : p_(p), s_(s), r_(r), mailbox_(root / p.mailbox) {}

  Status ConsumeOutbound() {
    for (const char* box : {"outbox", "sentbox"}) {
      const fs::path dir = mailbox_ / box;
      if (!RealFileSystem().Exists(dir)) continue;
      ASSIGN_OR_RETURN(std::vector<std::string> names, RealFileSystem().ListDir(dir));
      for (const std::string& name : names) {
        if (!mlc::cleo::ValidateRemoteName(name).ok()) continue;
        Result<std::string> content = RealFileSystem().ReadFile(dir / name);
        if (!content.ok()) continue;  // a directory, or gone
        const std::string key = name + "#" + mlc::cleo::Sha256Hex(*content);
        if (s_.processed.count(key)) continue;
        s_.processed.insert(key);
        ++r_.files_consumed;
        if (std::string_view(box) == "outbox") {  // Cleo delivers it, keeping a copy
          RETURN_IF_ERROR(RealFileSystem().CreateDirs(mailbox_ / "sentbox"));
          RETURN_IF_ERROR(RealFileSystem().Rename(dir / name, mailbox_ / "sentbox" / name));
        }
        RETURN_IF_ERROR(Answer(*content));
      }
    }
    return Status::Ok();
  }

  Status WriteDueInvoices() {
    json keep = json::array();
    for (const auto& inv : s_.pending) {
      if (inv.at("due").get<int64_t>() > s_.step) {
        keep.push_back(inv);
        continue;
      }
      InboundGroup g = GroupFromJson(inv.at("group"));
      ASSIGN_OR_RETURN(Order shipped, OrderFromJson(inv.at("order")));
      ReplyEnvelope env{NextIsa13(), &g};
      ASSIGN_OR_RETURN(std::string x12,
                       Build810(p_, env, shipped, inv.at("invoice").get<std::string>()));
      RETURN_IF_ERROR(Write("810", env.isa13, x12, inv.value("quirky", true)));
      ++r_.invoices;
    }
    s_.pending = keep;
    return Status::Ok();
  }

 private:
  std::string NextIsa13() { return fmt::format("{:09}", s_.next_isa13++ % 1000000000); }

  Status Write(std::string_view doc, const std::string& isa13, std::string x12,
               bool quirky = true) {
    if (quirky && p_.quirks.malformed == doc) x12 = CorruptSegmentCount(std::move(x12), p_.element);
    const std::string name = fmt::format("{}_{}_{}.x12", p_.id, doc, isa13);
    RETURN_IF_ERROR(RealFileSystem().CreateDirs(mailbox_ / "inbox"));
    RETURN_IF_ERROR(RealFileSystem().WriteFileAtomic(mailbox_ / "inbox" / name, x12));
    r_.written.push_back(name);
    return Status::Ok();
  }

  Status Answer(const std::string& content) {
    Result<std::vector<InboundGroup>> groups = ReadInbound(content);
    if (!groups.ok()) {
      ++r_.unreadable;
      LogWarn("partner simulator: outbound file is not readable X12",
              {{"partner", p_.id}, {"error", groups.status().message()}});
      return Status::Ok();
    }
    for (const InboundGroup& g : *groups) {
      // Acknowledgments are never acknowledged (X12: no 997 for an FA group); the buyer's 997s
      // for our files are read and kept, as a real supplier's translator does.
      if (g.functional_id == "FA") {
        ++r_.acks_received;
        continue;
      }
      ReplyEnvelope env{NextIsa13(), &g};
      ASSIGN_OR_RETURN(std::string ack, Build997(p_, env));
      RETURN_IF_ERROR(Write("997", env.isa13, ack));
      ++r_.acks_997;
      for (const Order& o : g.orders) RETURN_IF_ERROR(AnswerOrder(g, o));
      // 860s are changes to orders answered before: the 997 above is their whole answer.
      r_.changes += static_cast<int>(std::count_if(
          g.sets.begin(), g.sets.end(), [](const auto& set) { return set.first == "860"; }));
    }
    return Status::Ok();
  }

  Status AnswerOrder(const InboundGroup& g, Order order) {
    ++r_.orders;
    std::mt19937_64 rng(
        Fnv1a(Fnv1a(Fnv1a(1469598103934665603ull, std::to_string(p_.seed)), p_.id), order.number));
    auto chance = [&rng](int percent) { return static_cast<int>(rng() % 100) < percent; };
    const Quirks& q = p_.quirks;
    const Decimal three_quarters = *Decimal::Parse("0.75");
    bool changed = false;
    int rejected = 0;
    for (OrderLine& l : order.lines) {
      l.status = "IA";
      if (chance(q.reject_line_percent)) {
        l.status = "IR";
        ++rejected;
      } else if (chance(q.change_line_percent)) {
        changed = true;
        if (rng() % 2 == 0 && l.quantity > Decimal::FromInt(1)) {
          l.status = "IQ";  // we can deliver 3/4 of it
          ASSIGN_OR_RETURN(l.quantity, l.quantity.Mul(three_quarters, 0, RoundingMode::kDown));
        } else {
          l.status = "IP";  // at 5% less
          ASSIGN_OR_RETURN(l.price, l.price.Mul(*Decimal::Parse("0.95"), 2, RoundingMode::kHalfUp));
        }
      }
    }
    const bool all_rejected =
        !order.lines.empty() && rejected == static_cast<int>(order.lines.size());
    // BAK02: AT accepted, AC accepted with changes, RJ rejected (cleo.md section 6.4).
    std::string ack_type = all_rejected ? "RJ" : (changed || rejected > 0 ? "AC" : "AT");
    ReplyEnvelope env{NextIsa13(), &g};
    ASSIGN_OR_RETURN(std::string x855, Build855(p_, env, order, ack_type));
    RETURN_IF_ERROR(Write("855", env.isa13, x855));
    ++r_.acks_855;
    if (all_rejected) return Status::Ok();

    // What ships: accepted lines, some short.
    Order shipped = order;
    shipped.lines.clear();
    for (const OrderLine& l : order.lines) {
      if (l.status == "IR") continue;
      OrderLine s = l;
      if (chance(q.short_ship_percent) && s.quantity > Decimal::FromInt(1)) {
        ASSIGN_OR_RETURN(s.quantity, s.quantity.Mul(three_quarters, 0, RoundingMode::kDown));
      }
      shipped.lines.push_back(std::move(s));
    }
    RecordShipment(order.number, shipped);
    std::mt19937_64 quirk_rng(Fnv1a(Fnv1a(Fnv1a(Fnv1a(1469598103934665603ull, std::to_string(p_.seed)),
                                              p_.id),
                                        order.number),
                                  "invoice quirks"));
    const bool quirky = static_cast<int>(quirk_rng() % 100) < q.percent;
    const bool malformed = static_cast<int>(quirk_rng() % 100) < q.percent;  // drawn apart
    if (quirky && !q.price_variance_percent.empty() && !shipped.lines.empty()) {
      ASSIGN_OR_RETURN(Decimal pct, Decimal::Parse(q.price_variance_percent));
      ASSIGN_OR_RETURN(Decimal factor, Decimal::FromInt(100).Add(pct));
      ASSIGN_OR_RETURN(factor, factor.Div(Decimal::FromInt(100), 6, RoundingMode::kHalfUp));
      OrderLine& l = shipped.lines[rng() % shipped.lines.size()];
      ASSIGN_OR_RETURN(l.price, l.price.Mul(factor, 2, RoundingMode::kHalfUp));
    }
    if (quirky && q.unknown_item) {
      OrderLine extra;
      extra.line = std::to_string(order.lines.size() + 1);
      extra.quantity = Decimal::FromInt(1);
      extra.uom = "EA";
      extra.price = *Decimal::Parse("9.99");
      extra.ids = {{"VP", fmt::format("UNKNOWN-{}", rng() % 10000)}};
      shipped.lines.push_back(std::move(extra));
    }
    std::string invoice = InvoiceNumberFor(order.number);
    if (quirky && q.duplicate_invoice_number && !s_.first_invoice.empty()) invoice = s_.first_invoice;
    if (s_.first_invoice.empty()) s_.first_invoice = invoice;
    s_.pending.push_back({{"due", s_.step + p_.invoice_after_steps},
                          {"group", GroupToJson(g)},
                          {"order", OrderToJson(shipped)},
                          {"invoice", invoice},
                          {"quirky", malformed}});
    return Status::Ok();
  }

  // What the warehouse will receive (before the invoice quirks add lines that never shipped).
  void RecordShipment(const std::string& po, const Order& shipped) {
    if (shipped.lines.empty()) return;
    json lines = json::array();
    for (const OrderLine& l : shipped.lines) {
      lines.push_back({{"line", l.line}, {"quantity", l.quantity.ToString()}});
    }
    s_.shipments.push_back({{"id", fmt::format("{:06}", s_.next_shipment++)},
                            {"po", po},
                            {"lines", lines},
                            {"received", false}});
  }

  const PartnerProfile& p_;
  PartnerState& s_;
  StepReport& r_;
  fs::path mailbox_;
};

// An exclusive flock on <root>/.partners/<partner>.lock while a state file is read and
// rewritten, so the simulator and `ml-sandbox warehouse step` (another process) never lose each
// other's updates.
class StateLock {
 public:
  static Result<StateLock> Acquire(const fs::path& state_file) {
    fs::path lock = state_file;
    lock.replace_extension(".lock");
    int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return UnavailableError("cannot open lock file '{}'", lock.string());
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      return UnavailableError("cannot lock '{}'", lock.string());
    }
    return StateLock(fd);
  }
  StateLock(StateLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  StateLock& operator=(StateLock&&) = delete;
  StateLock(const StateLock&) = delete;
  ~StateLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_;
};

fs::path StateFile(const fs::path& root, std::string_view partner) {
  return root / ".partners" / (std::string(partner) + ".json");
}

}  // namespace

Result<std::vector<PartnerProfile>> LoadProfiles(const fs::path& file) {
  if (!RealFileSystem().Exists(file)) {
    return NotFoundError("seed file '{}' does not exist", file.string());
  }
  std::vector<PartnerProfile> out;
  std::string current = "?";
  try {
    YAML::Node root = YAML::LoadFile(file.string());
    for (const auto& n : root["partners"]) {
      PartnerProfile p;
      p.id = n["id"].as<std::string>();
      current = p.id;
      p.mailbox = n["mailbox"].as<std::string>(p.id);
      p.version = n["version"].as<std::string>("004010");
      if (p.version != "004010" && p.version != "005010") {
        return InvalidArgumentError("seed partners[{}].version must be 004010 or 005010", p.id);
      }
      if (auto d = n["delimiters"]) {
        p.element = OneChar(d["element"], p.element, "delimiters.element");
        p.component = OneChar(d["component"], p.component, "delimiters.component");
        p.segment = OneChar(d["segment"], p.segment, "delimiters.segment");
        p.repetition = OneChar(d["repetition"], p.repetition, "delimiters.repetition");
      }
      std::string lb = n["line_break"].as<std::string>("none");
      if (lb == "none") {
        p.line_break = "";
      } else if (lb == "lf") {
        p.line_break = "\n";
      } else if (lb == "crlf") {
        p.line_break = "\r\n";
      } else {
        return InvalidArgumentError("seed partners[{}].line_break must be none, lf or crlf", p.id);
      }
      p.seed = n["seed"].as<uint64_t>(1);
      p.invoice_after_steps = n["invoice_after_steps"].as<int>(1);
      if (auto q = n["quirks"]) {
        p.quirks.change_line_percent = q["change_line_percent"].as<int>(0);
        p.quirks.reject_line_percent = q["reject_line_percent"].as<int>(0);
        p.quirks.short_ship_percent = q["short_ship_percent"].as<int>(0);
        p.quirks.price_variance_percent = q["price_variance_percent"].as<std::string>("");
        p.quirks.duplicate_invoice_number = q["duplicate_invoice_number"].as<bool>(false);
        p.quirks.unknown_item = q["unknown_item"].as<bool>(false);
        p.quirks.malformed = q["malformed"].as<std::string>("");
        p.quirks.percent = q["percent"].as<int>(100);
        if (p.quirks.percent < 0 || p.quirks.percent > 100) {
          return InvalidArgumentError("seed partners[{}].quirks.percent must be 0..100", p.id);
        }
      }
      if (!mlc::cleo::ValidateRemoteName(p.mailbox).ok() ||
          !mlc::cleo::ValidateRemoteName(p.id).ok()) {
        return InvalidArgumentError("seed partners[{}]: id and mailbox must be plain names", p.id);
      }
      std::set<char> delims = {p.element, p.component, p.segment};
      size_t want = 3;
      if (p.version >= "005010") {  // ISA11 is the repetition separator only from 00402 on
        delims.insert(p.repetition);
        want = 4;
      }
      if (delims.size() != want || std::isalnum(static_cast<unsigned char>(p.element))) {
        return InvalidArgumentError(
            "seed partners[{}]: delimiters must be distinct non-"
            "alphanumeric characters",
            p.id);
      }
      if (!p.quirks.price_variance_percent.empty() &&
          !Decimal::Parse(p.quirks.price_variance_percent).ok()) {
        return InvalidArgumentError(
            "seed partners[{}].quirks.price_variance_percent is not a "
            "decimal",
            p.id);
      }
      out.push_back(std::move(p));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("seed file '{}', partner {}: {}", file.string(), current, e.what());
  }
  return out;
}

Result<StepReport> Step(const fs::path& root, const std::vector<PartnerProfile>& profiles) {
  StepReport report;
  RETURN_IF_ERROR(RealFileSystem().CreateDirs(root / ".partners"));
  for (const PartnerProfile& p : profiles) {
    const fs::path state_file = StateFile(root, p.id);
    ASSIGN_OR_RETURN(StateLock lock, StateLock::Acquire(state_file));
    ASSIGN_OR_RETURN(PartnerState state, PartnerState::Load(state_file));
    ++state.step;
    PartnerRun run(root, p, state, report);
    Status s = run.ConsumeOutbound();
    if (s.ok()) s = run.WriteDueInvoices();
    // Save even after an error: files consumed so far must not be answered twice.
    Status saved = state.Save(state_file);
    RETURN_IF_ERROR(s.WithContext(fmt::format("partner {}", p.id)));
    RETURN_IF_ERROR(saved);
  }
  return report;
}

}  // namespace mlc::sandbox::partners

namespace mlc::sandbox::partners {

Result<std::vector<std::string>> PartnersWithState(const fs::path& root) {
  std::vector<std::string> out;
  const fs::path dir = root / ".partners";
  if (!RealFileSystem().Exists(dir)) return out;
  ASSIGN_OR_RETURN(std::vector<std::string> names, RealFileSystem().ListDir(dir));
  for (const std::string& n : names) {
    if (n.size() > 5 && n.ends_with(".json")) out.push_back(n.substr(0, n.size() - 5));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<Shipment>> LoadShipments(const fs::path& root, std::string_view partner_id) {
  const fs::path file = StateFile(root, partner_id);
  ASSIGN_OR_RETURN(StateLock lock, StateLock::Acquire(file));
  ASSIGN_OR_RETURN(PartnerState state, PartnerState::Load(file));
  std::vector<Shipment> out;
  try {
    for (const auto& j : state.shipments) {
      Shipment sh;
      sh.id = j.at("id").get<std::string>();
      sh.po_number = j.at("po").get<std::string>();
      sh.received = j.at("received").get<bool>();
      for (const auto& l : j.at("lines")) {
        ShipmentLine line;
        line.po_line = l.at("line").get<std::string>();
        ASSIGN_OR_RETURN(line.quantity, Decimal::Parse(l.at("quantity").get<std::string>()));
        sh.lines.push_back(std::move(line));
      }
      out.push_back(std::move(sh));
    }
  } catch (const json::exception& e) {
    return DataLossError("partner state '{}': shipments: {}", file.string(), e.what());
  }
  return out;
}

Status MarkShipmentsReceived(const fs::path& root, std::string_view partner_id,
                             const std::vector<std::string>& shipment_ids) {
  if (shipment_ids.empty()) return Status::Ok();
  const fs::path file = StateFile(root, partner_id);
  ASSIGN_OR_RETURN(StateLock lock, StateLock::Acquire(file));
  ASSIGN_OR_RETURN(PartnerState state, PartnerState::Load(file));
  const std::set<std::string> ids(shipment_ids.begin(), shipment_ids.end());
  for (auto& j : state.shipments) {
    if (j.is_object() && j.contains("id") && j["id"].is_string() &&
        ids.count(j["id"].get<std::string>())) {
      j["received"] = true;
    }
  }
  return state.Save(file);
}

}  // namespace mlc::sandbox::partners
