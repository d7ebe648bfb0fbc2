// A changed PO goes out as an 860 to a partner whose profile says `po_change_as: 860`, end to
// end: ACME's 850s go out and are answered; a buyer then changes one of ACME's POs in NetSuite
// (a quantity up on one line, a new price on another, a line added); the next po_outbound run
// sends exactly one 860 for it (BCH01 04, BCH05 = revision 1, POC QI / PC / AI for exactly those
// lines, valid by our own validator); the simulated supplier answers it with a 997 only (not as
// a new order: no 855, no second invoice); fa_inbound reconciles that 997 against the 860; and a
// re-read of the unchanged PO sends nothing. A PO the partner has that the buyer closes goes
// out as an 860 cancellation (BCH01 01, no POC); a closed PO never sent goes nowhere. Same world as flows_sandbox_test, with the NetSuite
// sandbox's account in a file so the test can play the buyer editing the PO (the sandbox's
// PATCH only takes the connector's custom fields).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/civil_time.h"
#include "common/decimal.h"
#include "edi/reader.h"
#include "edi/validator.h"
#include "tests/flows_sandbox/flows_world.h"

namespace mlc::flows {
namespace {

namespace fs = std::filesystem;

// The buyer, editing the sandbox's account directly (test-only SQL on the sandbox's tables).
class Buyer {
 public:
  explicit Buyer(const fs::path& db) {
    EXPECT_EQ(sqlite3_open_v2(db.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Buyer() { sqlite3_close(db_); }
  Buyer(const Buyer&) = delete;
  Buyer& operator=(const Buyer&) = delete;

  // Rows of `sql` as text columns.
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_) << ": " << sql;
    while (s != nullptr && sqlite3_step(s) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const unsigned char* t = sqlite3_column_text(s, i);
        row.emplace_back(t == nullptr ? "" : reinterpret_cast<const char*>(t));
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    return out;
  }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err != nullptr ? err : "") << ": " << sql;
    sqlite3_free(err);
  }

 private:
  sqlite3* db_ = nullptr;
};

Decimal D(const std::string& s) { return *Decimal::Parse(s); }

// (BCH01, BCH05) and the (POC01, POC02) of the 860 in `x12`; fails the test when it is not one
// valid 860.
struct Seen860 {
  std::string bch01, bch05;
  std::map<std::string, std::string> pocs;
  std::map<std::string, std::string> quantities;  // POC01 -> POC03
};
Seen860 Read860(const std::string& x12) {
  Seen860 out;
  auto report = edi::ValidateInput(x12);
  EXPECT_TRUE(report.ok() && report->ok())
      << (report.ok() ? edi::FormatReport(*report, "860") : report.status().ToString());
  edi::MemorySource src(x12);
  edi::Reader reader(src);
  int sets = 0;
  for (;;) {
    auto ev = reader.Next();
    EXPECT_TRUE(ev.ok());
    if (!ev.ok() || ev->kind == edi::EventKind::kEnd) break;
    if (ev->kind != edi::EventKind::kTransactionSet) continue;
    ++sets;
    EXPECT_EQ(ev->set->id(), "860");
    for (const edi::Segment& s : ev->set->segments) {
      if (s.tag() == "BCH") {
        out.bch01 = std::string(s.element(1));
        out.bch05 = std::string(s.element(5));
      } else if (s.tag() == "POC") {
        out.pocs[std::string(s.element(1))] = std::string(s.element(2));
        out.quantities[std::string(s.element(1))] = std::string(s.element(3));
      }
    }
  }
  EXPECT_EQ(sets, 1);
  return out;
}

class PoChangeTest : public ::testing::Test, protected testing::FlowsWorld {
 protected:
  void SetUp() override {
    testing::WorldOptions o;
    o.netsuite_db_file = true;
    o.adjust_config = [](config::Config& c) {
      c.netsuite.status_fields = true;  // the 860's status is written onto the PO as well
      for (auto& p : c.partners) {
        if (p.id != "ACME") continue;
        p.documents.push_back("860");
        p.po_change_as = "860";
      }
    };
    Init(o);
  }

  // The original 850s, answered by the partners (997 + 855), and the 997s reconciled.
  void SendAndAnswer850s() {
    RunFlows();
    auto step = sandbox::partners::Step(root_, profiles_);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    ASSERT_GT(step->orders, 0);
    RunFlows();
    ASSERT_EQ(CountDocs(kPoOutbound, "860", std::nullopt), 0);
  }

  // (internal id, number) of an ACME PO pending receipt with at least `min_lines` lines whose
  // one 850 was sent; empty when the seed has none.
  std::pair<std::string, std::string> SentAcmePo(Buyer& buyer, int min_lines) {
    auto pos = buyer.Rows(fmt::format(
        "SELECT t.id, t.tranid FROM \"transaction\" t WHERE t.type = 'PurchOrd' AND "
        "t.entity = 1 AND t.status = 'B' AND (SELECT COUNT(*) FROM transactionline l WHERE "
        "l.\"transaction\" = t.id AND l.mainline = 'F') >= {} ORDER BY t.id",
        min_lines));
    for (const auto& row : pos) {
      store::DocumentQuery q;
      q.flow = std::string(kPoOutbound);
      q.business_key = row[1];
      auto docs = store_->ListDocuments(q);
      EXPECT_TRUE(docs.ok());
      if (docs.ok() && docs->size() == 1 && (*docs)[0].state == store::DocState::kDone) {
        return {row[0], row[1]};
      }
    }
    return {};
  }

  // The one 860 document of the flow and the acknowledgments recorded on it.
  std::vector<store::AuditEvent> AcksOfThe860(const std::string& po_number) {
    store::DocumentQuery q;
    q.flow = std::string(kPoOutbound);
    q.type = "860";
    auto docs = store_->ListDocuments(q);
    EXPECT_TRUE(docs.ok());
    if (!docs.ok() || docs->size() != 1) {
      ADD_FAILURE() << "want one 860 document";
      return {};
    }
    EXPECT_EQ((*docs)[0].po_number, po_number);
    store::AuditQuery aq;
    aq.document_id = (*docs)[0].id;
    aq.event = std::string(store::event::kAcknowledged);
    auto acked = store_->QueryAudit(aq);
    EXPECT_TRUE(acked.ok());
    return acked.ok() ? *acked : std::vector<store::AuditEvent>{};
  }

  std::vector<std::string> OutFiles(std::string_view type) {
    std::vector<std::string> out;
    for (const char* box : {"outbox", "sentbox"}) {
      for (const auto& e : fs::directory_iterator(root_ / "acme" / box)) {
        const std::string name = e.path().filename().string();
        if (name.find(fmt::format("_{}_", type)) != std::string::npos) {
          out.push_back(e.path().string());
        }
      }
    }
    return out;
  }
};

TEST_F(PoChangeTest, ChangedPoGoesOutAsOne860AndIsAcknowledged) {
  SendAndAnswer850s();
  const size_t acme_850s = OutFiles("850").size();
  ASSERT_GT(acme_850s, 0u);
  Buyer buyer(root_ / "netsuite.db");
  const auto [po_id, po_number] = SentAcmePo(buyer, 2);
  ASSERT_FALSE(po_id.empty()) << "no sent ACME PO with two lines in the seed";

  // The buyer's change: line A quantity +5, line B a new price, a line C added (line A's item).
  auto lines = buyer.Rows(fmt::format(
      "SELECT id, item, itemtype, quantity, rate FROM transactionline WHERE \"transaction\" = {} "
      "AND mainline = 'F' ORDER BY id",
      po_id));
  ASSERT_GE(lines.size(), 2u);
  const std::string a = lines[0][0], b = lines[1][0];
  const Decimal a_qty = *D(lines[0][3]).Add(Decimal::FromInt(5));
  const Decimal b_rate = *D(lines[1][4]).Add(D("1.25"));
  const std::string c = std::to_string(std::stoi(lines.back()[0]) + 1);
  const std::string now =
      FormatSuiteQlDateTime(ToCivil(SystemClock::Get().Now() + std::chrono::hours(1)));
  auto amount = [](const Decimal& q, const Decimal& r) {
    return q.Mul(r, 2, RoundingMode::kHalfUp)->ToString();
  };
  buyer.Exec(
      fmt::format("UPDATE transactionline SET quantity = '{0}', netamount = '{1}', "
                  "foreignamount = '{1}', linelastmodifieddate = '{2}' WHERE "
                  "\"transaction\" = {3} AND id = {4}",
                  a_qty.ToCanonical(), amount(a_qty, D(lines[0][4])), now, po_id, a));
  buyer.Exec(
      fmt::format("UPDATE transactionline SET rate = '{0}', netamount = '{1}', "
                  "foreignamount = '{1}', linelastmodifieddate = '{2}' WHERE "
                  "\"transaction\" = {3} AND id = {4}",
                  b_rate.ToCanonical(), amount(D(lines[1][3]), b_rate), now, po_id, b));
  buyer.Exec(fmt::format(
      "INSERT INTO transactionline(\"transaction\", id, linesequencenumber, mainline, taxline, "
      "item, itemtype, quantity, rate, netamount, foreignamount, quantitybilled, "
      "quantityshiprecv, isclosed, linelastmodifieddate) VALUES ({0}, {1}, {1}, 'F', 'F', {2}, "
      "'{3}', '3', '4.5', '13.50', '13.50', '0', '0', 'F', '{4}')",
      po_id, c, lines[0][1], lines[0][2], now));
  Decimal total;
  for (const auto& row : buyer.Rows(fmt::format("SELECT foreignamount FROM transactionline "
                                                "WHERE \"transaction\" = {} AND mainline = 'F'",
                                                po_id))) {
    total = *total.Add(D(row[0]));
  }
  buyer.Exec(
      fmt::format("UPDATE \"transaction\" SET foreigntotal = '{0}', lastmodifieddate = "
                  "'{1}' WHERE id = {2}",
                  total.Negate().ToString(), now, po_id));
  buyer.Exec(
      fmt::format("UPDATE transactionline SET foreignamount = '{0}', netamount = '{0}' "
                  "WHERE \"transaction\" = {1} AND mainline = 'T'",
                  total.Negate().ToString(), po_id));

  // The next run sends one 860 for that PO and nothing else.
  auto counts = RunFlows();
  EXPECT_EQ(counts["po_outbound.changed"], 1) << Notes();
  EXPECT_EQ(counts["po_outbound.new"], 0) << Notes();
  EXPECT_EQ(CountDocs(kPoOutbound, "860", store::DocState::kDone), 1) << Notes();
  EXPECT_EQ(OutFiles("850").size(), acme_850s);
  const auto files = OutFiles("860");
  ASSERT_EQ(files.size(), 1u);
  auto bytes = RealFileSystem().ReadFile(files[0]);
  ASSERT_TRUE(bytes.ok());
  Seen860 seen = Read860(*bytes);
  EXPECT_EQ(seen.bch01, "04");
  EXPECT_EQ(seen.bch05, "1");
  EXPECT_EQ(seen.pocs, (std::map<std::string, std::string>{{a, "QI"}, {b, "PC"}, {c, "AI"}}));
  EXPECT_EQ(seen.quantities[a], a_qty.ToCanonical());
  EXPECT_EQ(seen.quantities[c], "3");

  // The supplier acknowledges it with a 997, and does not take it for a new order.
  auto step = sandbox::partners::Step(root_, profiles_);
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  EXPECT_EQ(step->changes, 1);
  EXPECT_EQ(step->orders, 0);
  EXPECT_EQ(step->acks_855, 0);

  // fa_inbound reconciles that 997 against the 860.
  RunFlows();
  auto acked = AcksOfThe860(po_number);
  ASSERT_EQ(acked.size(), 1u) << Notes();
  EXPECT_NE(acked[0].detail.find("860 " + po_number), std::string::npos) << acked[0].detail;
  EXPECT_NE(acked[0].detail.find("accepted"), std::string::npos) << acked[0].detail;
  // ...and buyers see the 997's verdict on the 860 in NetSuite (netsuite.status_fields).
  const auto status = buyer.Rows(fmt::format(
      "SELECT custbody_mlc_edi_status FROM \"transaction\" WHERE id = {}", po_id));
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0][0].rfind("860 accepted by 997 ", 0), 0u) << status[0][0];

  // Re-reading the unchanged PO (the lookback window, or another edit of a field the partner
  // does not see) sends nothing.
  buyer.Exec(fmt::format(
      "UPDATE \"transaction\" SET memo = 'internal note', lastmodifieddate = "
      "'{0}' WHERE id = {1}",
      FormatSuiteQlDateTime(ToCivil(SystemClock::Get().Now() + std::chrono::hours(2))), po_id));
  counts = RunFlows();
  EXPECT_EQ(counts["po_outbound.polled"], 1) << Notes();
  EXPECT_EQ(counts["po_outbound.unchanged"], 1) << Notes();
  EXPECT_EQ(counts["po_outbound.changed"], 0) << Notes();
  EXPECT_EQ(OutFiles("860").size(), 1u);
  EXPECT_EQ(CountDocs(kPoOutbound, "860", std::nullopt), 1);
  EXPECT_EQ(Unsettled(), 0) << Notes();
}

TEST_F(PoChangeTest, ClosedPoIsCancelledWithAn860) {
  SendAndAnswer850s();
  Buyer buyer(root_ / "netsuite.db");
  const auto [po_id, po_number] = SentAcmePo(buyer, 1);
  ASSERT_FALSE(po_id.empty()) << "no sent ACME PO in the seed";
  // An ACME PO that was never sent (a status the supplier does not see), closed as well.
  auto unsent = buyer.Rows(
      "SELECT id, tranid FROM \"transaction\" WHERE type = 'PurchOrd' AND entity = 1 AND "
      "status NOT IN ('B', 'D', 'E', 'F') ORDER BY id LIMIT 1");

  // The buyer closes the PO (NetSuite: status H, every line closed).
  const std::string later =
      FormatSuiteQlDateTime(ToCivil(SystemClock::Get().Now() + std::chrono::hours(1)));
  for (const auto& id : {po_id, unsent.empty() ? po_id : unsent[0][0]}) {
    buyer.Exec(
        fmt::format("UPDATE \"transaction\" SET status = 'H', lastmodifieddate = '{}' "
                    "WHERE id = {}",
                    later, id));
    buyer.Exec(
        fmt::format("UPDATE transactionline SET isclosed = 'T' WHERE \"transaction\" = "
                    "{} AND mainline = 'F'",
                    id));
  }

  auto counts = RunFlows();
  EXPECT_EQ(counts["po_outbound.changed"], 1) << Notes();
  EXPECT_EQ(counts["po_outbound.new"], 0) << Notes();
  EXPECT_EQ(CountDocs(kPoOutbound, "860", store::DocState::kDone), 1) << Notes();
  if (!unsent.empty()) {
    store::DocumentQuery q;
    q.flow = std::string(kPoOutbound);
    q.business_key = unsent[0][1];
    auto docs = store_->ListDocuments(q);
    ASSERT_TRUE(docs.ok());
    EXPECT_TRUE(docs->empty()) << "a closed PO that was never sent was sent";
  }
  const auto files = OutFiles("860");
  ASSERT_EQ(files.size(), 1u);
  auto bytes = RealFileSystem().ReadFile(files[0]);
  ASSERT_TRUE(bytes.ok());
  Seen860 seen = Read860(*bytes);
  EXPECT_EQ(seen.bch01, "01");
  EXPECT_EQ(seen.bch05, "1");
  EXPECT_TRUE(seen.pocs.empty());

  auto step = sandbox::partners::Step(root_, profiles_);
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  EXPECT_EQ(step->changes, 1);
  EXPECT_EQ(step->orders, 0);
  RunFlows();
  EXPECT_EQ(AcksOfThe860(po_number).size(), 1u) << Notes();

  // The closed PO read again: nothing more goes out.
  counts = RunFlows();
  EXPECT_EQ(counts["po_outbound.changed"], 0) << Notes();
  EXPECT_EQ(OutFiles("860").size(), 1u);
  EXPECT_EQ(Unsettled(), 0) << Notes();
}

}  // namespace
}  // namespace mlc::flows
