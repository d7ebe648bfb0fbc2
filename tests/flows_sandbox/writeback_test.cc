// The EDI status written back onto purchase orders (`netsuite.status_fields`, flows/edi_status.h)
// against the real NetSuite sandbox (loopback HTTP, OAuth 2.0), ACME's Cleo mailbox as folders
// answered by the trading-partner simulator, and a SQLite store: the PO shows "850 sent ..." after
// po_outbound, then the 997's verdict and the 855's status after the partner answered, and reruns
// send nothing and leave the fields as they are. With the option off nothing is written.
#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cleo/client.h"
#include "common/file_system.h"
#include "config/config.h"
#include "flows/edi_status.h"
#include "flows/inbound.h"
#include "flows/po_outbound.h"
#include "sandbox/partners/simulator.h"
#include "store/store.h"
#include "tests/netsuite_sandbox/sandbox_fixture.h"

namespace mlc::flows {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ACME only (vendor 1): the POs of the other EDI vendors are counted as without a profile.
constexpr const char* kConfig = R"(store:
  url: sqlite:///unused/state.db
netsuite:
  account_id: "1234567_SB1"
  base_url: http://127.0.0.1:9
  auth:
    method: oauth2_m2m
    oauth2: {client_id: env:NS_CLIENT, certificate_id: c1, private_key: env:NS_KEY}
  {status_fields}
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

class WritebackTest : public ::testing::Test {
 protected:
  // Builds everything; `status_fields` is the value of netsuite.status_fields ("" = unset).
  void Start(const std::string& status_fields) {
    root_ = fs::temp_directory_path() /
            fmt::format("mlc-writeback-{}-{}", getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    for (const char* d : {"inbox", "outbox", "sentbox"}) fs::create_directories(root_ / "acme" / d);
    std::string text = Replace(kConfig, "{root}", root_.string());
    text = Replace(text, "{status_fields}",
                   status_fields.empty() ? "" : "status_fields: " + status_fields);
    auto loaded = config::LoadConfigText(
        text, [](const std::string& name) -> std::optional<std::string> {
          return "test-secret-" + name;
        });
    ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
    config_ = std::move(loaded.config);

    auto profiles = sandbox::partners::LoadProfiles(fs::path(MLC_SOURCE_DIR) /
                                                    "sandbox/cleo/seed.example.yaml");
    ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
    for (const auto& p : *profiles) {
      if (p.id == "ACME") profiles_.push_back(p);
    }
    ASSERT_EQ(profiles_.size(), 1u);

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
    env_.worker_id = "writeback-test";
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
    if (!root_.empty() && getenv("MLC_KEEP_MAILBOXES") == nullptr) fs::remove_all(root_);
  }

  // One run of every flow (or of the first `n`); returns the summed counts.
  std::map<std::string, int64_t> RunFlows(size_t n = 100) {
    std::map<std::string, int64_t> counts;
    std::atomic<bool> stop{false};
    RunContext ctx(&stop);
    for (size_t k = 0; k < flows_.size() && k < n; ++k) {
      auto r = flows_[k]->Run(ctx);
      EXPECT_TRUE(r.ok()) << flows_[k]->name() << ": " << r.status().ToString();
      if (!r.ok()) continue;
      for (const auto& [key, v] : r->counts) counts[flows_[k]->name() + "." + key] += v;
      for (const auto& note : r->notes) notes_ += flows_[k]->name() + ": " + note + "\n";
    }
    return counts;
  }

  std::vector<store::Document> Sent850s() {
    store::DocumentQuery q;
    q.flow = std::string(kPoOutbound);
    q.type = "850";
    q.state = store::DocState::kDone;
    q.limit = 10000;
    auto docs = store_->ListDocuments(q);
    EXPECT_TRUE(docs.ok());
    return docs.ok() ? *docs : std::vector<store::Document>{};
  }

  size_t AllDocuments() {
    store::DocumentQuery q;
    q.limit = 100000;
    auto docs = store_->ListDocuments(q);
    EXPECT_TRUE(docs.ok());
    return docs.ok() ? docs->size() : 0;
  }

  // The PO of a sent 850 as NetSuite's Record API returns it.
  json PoRecord(const store::Document& d) {
    auto id = PoInternalIdOf(d);
    EXPECT_TRUE(id.has_value()) << d.idempotency_key;
    if (!id) return json::object();
    auto r = rig_->client->GetRecord("purchaseOrder", *id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : json::object();
  }

  // custbody_mlc_edi_status of every sent PO, by PO number ("" when absent).
  std::map<std::string, std::string> EdiStatuses() {
    std::map<std::string, std::string> out;
    for (const auto& d : Sent850s()) {
      const json po = PoRecord(d);
      out[d.po_number] = po.value(std::string(kEdiStatusField), "");
    }
    return out;
  }

  fs::path root_;
  config::Config config_;
  std::vector<sandbox::partners::PartnerProfile> profiles_;
  std::unique_ptr<netsuite::testing::Rig> rig_;
  std::unique_ptr<store::Store> store_;
  FlowEnv env_;
  std::map<std::string, std::unique_ptr<cleo::FileTransport>> transports_;
  std::vector<std::unique_ptr<Flow>> flows_;
  std::string notes_;
};

TEST_F(WritebackTest, PoShowsSentThenAcknowledgedAndRerunsSendNothing) {
  Start("true");
  ASSERT_FALSE(HasFatalFailure());

  // po_outbound alone: every PO it sent says so, with the ISA13 the partner's 997 will quote.
  auto c1 = RunFlows(1);
  const std::vector<store::Document> sent = Sent850s();
  ASSERT_GT(sent.size(), 0u) << notes_;
  EXPECT_EQ(c1["po_outbound.sent"], static_cast<int64_t>(sent.size()));
  EXPECT_EQ(c1["po_outbound.status_written"], static_cast<int64_t>(sent.size()));
  for (const auto& d : sent) {
    const std::string status = PoRecord(d).value(std::string(kEdiStatusField), "");
    EXPECT_TRUE(std::regex_match(
        status, std::regex("850 sent \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, ISA " +
                           d.control.isa13)))
        << d.po_number << ": '" << status << "'";
  }
  // SuiteQL sees the field too (saved searches and list views are how buyers look).
  auto page = rig_->client->QueryPage(
      netsuite::SuiteQl("SELECT COUNT(*) AS n FROM transaction WHERE type = 'PurchOrd' AND "
                        "custbody_mlc_edi_status LIKE '850 sent %'"),
      10, 0);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].values().begin()->second, std::to_string(sent.size()));

  // The PATCH moved the POs' lastmodifieddate: the next poll reads them again, finds nothing the
  // partner sees changed, and sends nothing.
  const size_t docs_after_send = AllDocuments();
  const auto statuses_sent = EdiStatuses();
  auto c2 = RunFlows(1);
  EXPECT_EQ(c2["po_outbound.sent"], 0);
  EXPECT_EQ(c2["po_outbound.status_written"], 0);
  EXPECT_GE(c2["po_outbound.unchanged"], static_cast<int64_t>(sent.size())) << notes_;
  EXPECT_EQ(AllDocuments(), docs_after_send);
  EXPECT_EQ(EdiStatuses(), statuses_sent);

  // The partner answers (997 and 855 at once); fa_inbound writes the 997's verdict, ack_inbound
  // the acknowledgment.
  auto step = sandbox::partners::Step(root_, profiles_);
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  auto c3 = RunFlows();
  EXPECT_GT(c3["fa_inbound.acks_reconciled"], 0) << notes_;
  int acked = 0, ack_status = 0;
  for (const auto& d : Sent850s()) {
    const json po = PoRecord(d);
    const std::string status = po.value(std::string(kEdiStatusField), "");
    EXPECT_TRUE(std::regex_match(status, std::regex("850 (accepted|accepted with errors|rejected) "
                                                    "by 997 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d "
                                                    "UTC, ISA " +
                                                    d.control.isa13 + "(: .*)?")))
        << d.po_number << ": '" << status << "'\n"
        << notes_;
    acked += status.rfind("850 accepted by 997", 0) == 0 ? 1 : 0;
    ack_status += po.value("custbody_mlc_ack_status", "").empty() ? 0 : 1;
  }
  EXPECT_GT(acked, 0);
  EXPECT_EQ(ack_status, static_cast<int>(sent.size())) << "every 850 got an 855\n" << notes_;

  // Rerunning changes nothing: no 850 goes out again, no new document, the fields stay.
  const size_t docs_before = AllDocuments();
  const auto statuses = EdiStatuses();
  auto again = RunFlows();
  auto again2 = RunFlows();
  EXPECT_EQ(again["po_outbound.sent"] + again2["po_outbound.sent"], 0);
  EXPECT_EQ(again["po_outbound.status_written"] + again2["po_outbound.status_written"], 0);
  EXPECT_EQ(AllDocuments(), docs_before);
  EXPECT_EQ(EdiStatuses(), statuses);
  // The store keeps the history: each 850 recorded "sent", then the 997's verdict, once each.
  for (const auto& d : sent) {
    store::AuditQuery q;
    q.document_id = d.id;
    q.event = std::string(kEdiStatusEvent);
    auto events = store_->QueryAudit(q);
    ASSERT_TRUE(events.ok());
    ASSERT_EQ(events->size(), 2u) << d.po_number;
    EXPECT_EQ((*events)[0].detail, statuses_sent.at(d.po_number));
    EXPECT_EQ((*events)[1].detail, statuses.at(d.po_number));
  }
}

TEST_F(WritebackTest, OffByDefaultTheFieldsStayEmpty) {
  Start("");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_FALSE(config_.netsuite.status_fields);

  auto c1 = RunFlows();
  ASSERT_GT(c1["po_outbound.sent"], 0) << notes_;
  EXPECT_EQ(c1.count("po_outbound.status_written"), 0u);
  auto step = sandbox::partners::Step(root_, profiles_);
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  auto c2 = RunFlows();
  EXPECT_GT(c2["fa_inbound.acks_reconciled"], 0) << notes_;
  EXPECT_GT(c2["ack_inbound.acks_applied"], 0) << notes_;
  EXPECT_EQ(c2["ack_inbound.parked"], 0) << notes_;
  for (const auto& d : Sent850s()) {
    const json po = PoRecord(d);
    EXPECT_FALSE(po.contains(std::string(kEdiStatusField))) << d.po_number;
    EXPECT_FALSE(po.contains("custbody_mlc_ack_status")) << d.po_number;
  }
}

}  // namespace
}  // namespace mlc::flows
