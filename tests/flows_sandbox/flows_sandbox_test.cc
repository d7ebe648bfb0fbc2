// The document flows end to end in one process: the real NetSuite sandbox (loopback HTTP, OAuth
// 2.0), Cleo mailboxes as folders answered by the trading-partner simulator (the partners of
// sandbox/cleo/seed.example.yaml: ACME bills 2.5 % over the PO price, GLOBEX ships short and
// reuses invoice numbers, INITECH bills an unknown item and sends a malformed 810), the
// warehouse played by the test (item receipts through the Record API), and a SQLite store.
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <iostream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cleo/client.h"
#include "common/file_system.h"
#include "config/config.h"
#include "flows/inbound.h"
#include "flows/po_outbound.h"
#include "sandbox/partners/simulator.h"
#include "store/store.h"
#include "tests/netsuite_sandbox/sandbox_fixture.h"

namespace mlc::flows {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kConfig = R"(store:
  url: sqlite:///unused/state.db
netsuite:
  account_id: "1234567_SB1"
  base_url: http://127.0.0.1:9
  auth:
    method: oauth2_m2m
    oauth2: {client_id: env:NS_CLIENT, certificate_id: c1, private_key: env:NS_KEY}
cleo:
  base_url: http://127.0.0.1:9
  username: api
  password: env:CLEO_PASSWORD
partners:
  - id: ACME
    netsuite_vendor_id: "1"
    production: {our_isa_qualifier: ZZ, our_isa_id: MLCONNECTOR, their_isa_qualifier: ZZ,
                 their_isa_id: ACMESUPPLY, our_gs_id: MLCONNECTOR, their_gs_id: ACMESUPPLY}
    x12_version: "004010"
    delimiters: {element: "*", component: ">", segment: "~"}
    line_break: lf
    documents: ["850", "855", "810", "997"]
    transport: {type: folder, inbox: "{root}/acme/inbox", outbox: "{root}/acme/outbox"}
    tolerances: {price_percent: "1"}
  - id: GLOBEX
    netsuite_vendor_id: "3"
    production: {our_isa_qualifier: ZZ, our_isa_id: MLCONNECTOR, their_isa_qualifier: "01",
                 their_isa_id: "123456789", our_gs_id: MLCONNECTOR, their_gs_id: GLOBEXGS}
    x12_version: "005010"
    delimiters: {element: "|", component: ":", segment: "~", repetition: "^"}
    line_break: crlf
    documents: ["850", "855", "810", "997"]
    transport: {type: folder, inbox: "{root}/globex/inbox", outbox: "{root}/globex/outbox"}
    item_id_preference: [BP, VP]
    tolerances: {price_percent: "0.5", quantity_percent: "0"}
  - id: INITECH
    netsuite_vendor_id: "5"
    production: {our_isa_qualifier: ZZ, our_isa_id: MLCONNECTOR, their_isa_qualifier: ZZ,
                 their_isa_id: INITECH, our_gs_id: MLCONNECTOR, their_gs_id: INITECH}
    x12_version: "004010"
    delimiters: {element: "^", component: "\\", segment: "'"}
    documents: ["850", "855", "810", "997"]
    transport: {type: folder, inbox: "{root}/initech/inbox", outbox: "{root}/initech/outbox"}
flows:
  po_outbound: {schedule: every 5m}
  invoice_inbound: {schedule: every 5m}
  ack_inbound: {schedule: every 5m}
  fa_inbound: {schedule: every 5m}
  fa_outbound: {schedule: every 5m}
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
    s.replace(at, from.size(), to);
  }
  return s;
}

class FlowsSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            fmt::format("mlc-flows-{}-{}", getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    for (const char* m : {"acme", "globex", "initech"}) {
      for (const char* d : {"inbox", "outbox", "sentbox"}) fs::create_directories(root_ / m / d);
    }
    auto loaded = config::LoadConfigText(
        Replace(kConfig, "{root}", root_.string()),
        [](const std::string& name) -> std::optional<std::string> {
          return "test-secret-" + name;
        });
    ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
    config_ = std::move(loaded.config);

    auto profiles = sandbox::partners::LoadProfiles(fs::path(MLC_SOURCE_DIR) /
                                                    "sandbox/cleo/seed.example.yaml");
    ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
    profiles_ = *profiles;

    sandbox::netsuite::SandboxOptions o;
    o.seed.vendors = 8;
    o.seed.items = 40;
    o.seed.purchase_orders = 40;
    o.seed.max_lines = 3;
    rig_ = netsuite::testing::MakeRig(o);

    auto st = store::OpenStore("sqlite::memory:", SystemClock::Get());
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);

    env_.config = &config_;
    env_.store = store_.get();
    env_.netsuite = rig_->client.get();
    env_.worker_id = "flows-test";
    env_.transport = [this](const config::PartnerConfig& p) -> Result<cleo::FileTransport*> {
      auto it = transports_.find(p.id);
      if (it == transports_.end()) {
        const std::string& password = cleo::TransportPasswordOf(config_.cleo, p).ref.value;
        ASSIGN_OR_RETURN(auto t, cleo::MakeTransport(config_.cleo, p, password, *rig_->http,
                                                     RealFileSystem()));
        it = transports_.emplace(p.id, std::move(t)).first;
      }
      return it->second.get();
    };
    flows_.push_back(std::make_unique<PoOutboundFlow>(env_));
    flows_.push_back(std::make_unique<InvoiceInboundFlow>(env_));
    flows_.push_back(std::make_unique<AckInboundFlow>(env_));
    flows_.push_back(std::make_unique<FaInboundFlow>(env_));
    flows_.push_back(std::make_unique<FaOutboundFlow>(env_));
  }

  void TearDown() override {
    // MLC_KEEP_MAILBOXES=1 keeps the mailboxes (the X12 files both ways) for a look.
    if (getenv("MLC_KEEP_MAILBOXES") == nullptr) fs::remove_all(root_);
  }

  // One run of every flow; returns the summed counts and collects the notes.
  std::map<std::string, int64_t> RunFlows() {
    std::map<std::string, int64_t> counts;
    std::atomic<bool> stop{false};
    RunContext ctx(&stop);
    for (auto& f : flows_) {
      auto r = f->Run(ctx);
      EXPECT_TRUE(r.ok()) << f->name() << ": " << r.status().ToString();
      if (!r.ok()) continue;
      for (const auto& [k, v] : r->counts) counts[f->name() + "." + k] += v;
      for (const auto& n : r->notes) notes_.push_back(f->name() + ": " + n);
    }
    return counts;
  }

  // The warehouse: everything ordered on each PO we sent arrives (item receipt, once per PO).
  void ReceiveSentOrders() {
    store::DocumentQuery q;
    q.flow = std::string(kPoOutbound);
    q.limit = 1000;
    auto docs = store_->ListDocuments(q);
    ASSERT_TRUE(docs.ok());
    for (const auto& d : *docs) {
      if (d.state != store::DocState::kDone || !received_.insert(d.po_number).second) continue;
      netsuite::SuiteQl find("SELECT id FROM transaction WHERE type = ? AND tranid = ?");
      find.Bind("PurchOrd").Bind(d.po_number);
      auto page = rig_->client->QueryPage(find, 10, 0);
      ASSERT_TRUE(page.ok() && page->rows.size() == 1) << d.po_number;
      auto r = rig_->client->Transform("purchaseOrder", *page->rows[0].Get("id"), "itemReceipt",
                                       json{{"externalId", "IR-TEST-" + d.po_number}});
      // A PO received in full by the seed has nothing left to receive: NetSuite says so.
      if (!r.ok()) {
        EXPECT_NE(r.status().message().find("no lines to receive"), std::string::npos)
            << r.status().ToString();
      }
    }
  }

  int CountDocs(std::string_view flow, std::string_view type, std::optional<store::DocState> st) {
    store::DocumentQuery q;
    q.flow = std::string(flow);
    q.type = std::string(type);
    q.state = st;
    q.limit = 10000;
    auto docs = store_->ListDocuments(q);
    EXPECT_TRUE(docs.ok());
    return docs.ok() ? static_cast<int>(docs->size()) : -1;
  }

  int64_t SuiteQlCount(const std::string& sql) {
    auto page = rig_->client->QueryPage(netsuite::SuiteQl(sql), 10, 0);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok() || page->rows.empty()) return -1;
    return std::stoll(page->rows[0].values().begin()->second);
  }

  std::string Notes() const {
    std::string s;
    for (const auto& n : notes_) s += n + "\n";
    return s;
  }

  fs::path root_;
  config::Config config_;
  std::vector<sandbox::partners::PartnerProfile> profiles_;
  std::unique_ptr<netsuite::testing::Rig> rig_;
  std::unique_ptr<store::Store> store_;
  FlowEnv env_;
  std::map<std::string, std::unique_ptr<cleo::FileTransport>> transports_;
  std::vector<std::unique_ptr<Flow>> flows_;
  std::vector<std::string> notes_;
  std::set<std::string> received_;
};

TEST_F(FlowsSandboxTest, PurchaseOrdersBecomeBillsAndExceptionsAndRerunsChangeNothing) {
  // The POs the partners should get: open POs of vendors 1, 3 and 5.
  const int64_t open_pos = SuiteQlCount(
      "SELECT COUNT(*) AS n FROM transaction WHERE type = 'PurchOrd' AND entity IN (1, 3, 5) AND "
      "status IN ('B', 'D', 'E', 'F')");
  ASSERT_GT(open_pos, 0);
  const int64_t bills_before =
      SuiteQlCount("SELECT COUNT(*) AS n FROM transaction WHERE type = 'VendBill'");

  auto c1 = RunFlows();
  EXPECT_EQ(c1["po_outbound.sent"], open_pos) << Notes();
  EXPECT_EQ(CountDocs(kPoOutbound, "850", store::DocState::kDone), open_pos);
  // Vendors 7 has EDI but no profile: named, not guessed.
  EXPECT_GT(c1["po_outbound.no_partner_profile"], 0);

  for (int round = 0; round < 4; ++round) {
    auto step = sandbox::partners::Step(root_, profiles_);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    ReceiveSentOrders();
    RunFlows();
  }

  // Bills were created in NetSuite, each linked to its PO by the transform and named by
  // partner + invoice number.
  const int64_t bills =
      SuiteQlCount("SELECT COUNT(*) AS n FROM transaction WHERE type = 'VendBill'") - bills_before;
  const int billed_docs = CountDocs(kInvoiceInbound, "810", store::DocState::kDone);
  EXPECT_GT(billed_docs, 0) << Notes();
  EXPECT_EQ(bills, billed_docs) << Notes();
  EXPECT_EQ(SuiteQlCount("SELECT COUNT(*) AS n FROM transaction WHERE type = 'VendBill' AND "
                         "externalid IS NOT NULL AND createdfrom IS NOT NULL"),
            bills)
      << "every new bill carries an externalId and its PO";

  // Exceptions are parked with their reasons: ACME's price variance (2.5 % > 1 %), GLOBEX's
  // reused invoice numbers, INITECH's unknown item.
  const std::string notes = Notes();
  EXPECT_NE(notes.find("price"), std::string::npos) << notes;
  EXPECT_NE(notes.find("duplicate invoice number"), std::string::npos) << notes;
  EXPECT_NE(notes.find("INITECH"), std::string::npos) << notes;
  EXPECT_GT(CountDocs(kInvoiceInbound, "810", store::DocState::kParked), 0);

  // 997s both ways: every 850 we sent was acknowledged, and we acknowledged their files.
  int acked = 0;
  store::DocumentQuery sent_q;
  sent_q.type = "850";
  sent_q.limit = 10000;
  auto sent_docs = store_->ListDocuments(sent_q);
  ASSERT_TRUE(sent_docs.ok());
  for (const auto& d : *sent_docs) {
    store::AuditQuery aq;
    aq.document_id = d.id;
    aq.event = std::string(store::event::kAcknowledged);
    auto events = store_->QueryAudit(aq);
    ASSERT_TRUE(events.ok());
    acked += events->empty() ? 0 : 1;
  }
  EXPECT_EQ(acked, open_pos) << notes;
  int our_997s = 0;
  for (const char* m : {"acme", "globex", "initech"}) {
    for (const auto& e : fs::directory_iterator(root_ / m / "sentbox")) {
      our_997s += e.path().filename().string().find("_997_") != std::string::npos;
    }
  }
  EXPECT_GT(our_997s, 0);
  // INITECH's malformed 810 was rejected in our 997 and is not a document.
  EXPECT_NE(notes.find("rejected"), std::string::npos) << notes;

  // What happened, for the test log (the summary notes of every run).
  std::cout << notes;
  // Nothing is left half-done.
  EXPECT_EQ(CountDocs(kInvoiceInbound, "file", store::DocState::kPending), 0);
  EXPECT_EQ(CountDocs(kInvoiceInbound, "file", store::DocState::kRetryWait), 0);

  // Rerunning changes nothing.
  store::DocumentQuery all;
  all.limit = 100000;
  const size_t docs_before = store_->ListDocuments(all)->size();
  auto again = RunFlows();
  auto again2 = RunFlows();
  EXPECT_EQ(store_->ListDocuments(all)->size(), docs_before);
  EXPECT_EQ(again["po_outbound.sent"] + again2["po_outbound.sent"], 0);
  EXPECT_EQ(SuiteQlCount("SELECT COUNT(*) AS n FROM transaction WHERE type = 'VendBill'") -
                bills_before,
            bills);
}

}  // namespace
}  // namespace mlc::flows
