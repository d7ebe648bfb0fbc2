// FlowsWorld: the document flows in one process over the real NetSuite sandbox (loopback HTTP,
// OAuth 2.0), Cleo mailboxes as folders answered by the trading-partner simulator (the partners
// of sandbox/cleo/seed.example.yaml: ACME bills 2.5 % over the PO price, GLOBEX ships short and
// reuses invoice numbers, INITECH bills an unknown item and sends a malformed 810), the warehouse
// played by the test (item receipts through the Record API), and a SQLite store. Shared by the
// tests of this suite; a test may build two worlds (e.g. one with faults, one without) and compare
// what they end with (Outcome).
//
// Ownership: a world owns everything it starts; its mailbox root is removed on destruction
// (MLC_KEEP_MAILBOXES=1 keeps it). Thread safety: one thread.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cleo/client.h"
#include "common/file_system.h"
#include "config/config.h"
#include "flows/inbound.h"
#include "flows/po_outbound.h"
#include "sandbox/partners/simulator.h"
#include "store/store.h"
#include "tests/flows_sandbox/x12_beg.h"
#include "tests/netsuite_sandbox/sandbox_fixture.h"

namespace mlc::flows::testing {

namespace fs = std::filesystem;

inline constexpr const char* kWorldConfig = R"(store:
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

inline std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
    s.replace(at, from.size(), to);
  }
  return s;
}

struct WorldOptions {
  netsuite::ClientOptions client;        // base_url is filled in
  std::optional<BackoffPolicy> backoff;  // the relay steps' retry policy; unset: FlowEnv's
  sandbox::netsuite::Faults faults;      // from the start (SetFaults changes them later)
  std::function<void(config::Config&)> adjust_config;  // edits the world's config before use
  bool netsuite_db_file = false;  // the sandbox's account in <root>/netsuite.db (a test edits it)
};

// What a world ends with, comparable between worlds started from the same seed.
struct Outcome {
  std::map<std::string, int> bills;    // NetSuite vendor bill externalId -> how many
  std::set<std::string> parked;        // "type partner po: reason" of parked documents
  std::map<std::string, int> files;    // mailbox file name (relative) -> how many
  std::map<std::string, int> po_850s;  // "PO BEG01" of every 850 file -> how many files
  std::map<std::string, int> states;   // document state -> how many documents
};

class FlowsWorld {
 public:
  FlowsWorld() = default;
  FlowsWorld(const FlowsWorld&) = delete;
  FlowsWorld& operator=(const FlowsWorld&) = delete;
  ~FlowsWorld() {
    // MLC_KEEP_MAILBOXES=1 keeps the mailboxes (the X12 files both ways) for a look.
    if (!root_.empty() && getenv("MLC_KEEP_MAILBOXES") == nullptr) fs::remove_all(root_);
  }

  // Starts everything. Fails the current test (fatally) when something cannot start.
  void Init(WorldOptions options = {}) {
    static std::atomic<int> worlds{0};
    root_ = fs::temp_directory_path() /
            fmt::format("mlc-flows-{}-{}-{}", getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name(), worlds++);
    fs::remove_all(root_);
    for (const char* m : {"acme", "globex", "initech"}) {
      for (const char* d : {"inbox", "outbox", "sentbox"}) fs::create_directories(root_ / m / d);
    }
    auto loaded = config::LoadConfigText(ReplaceAll(kWorldConfig, "{root}", root_.string()),
                                         [](const std::string& name) -> std::optional<std::string> {
                                           return "test-secret-" + name;
                                         });
    ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
    config_ = std::move(loaded.config);
    if (options.adjust_config) options.adjust_config(config_);

    auto profiles = sandbox::partners::LoadProfiles(fs::path(MLC_SOURCE_DIR) /
                                                    "sandbox/cleo/seed.example.yaml");
    ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
    profiles_ = *profiles;

    sandbox::netsuite::SandboxOptions o;
    o.seed.vendors = 8;
    o.seed.items = 40;
    o.seed.purchase_orders = 40;
    o.seed.max_lines = 3;
    o.faults = options.faults;
    if (options.netsuite_db_file) o.db_path = (root_ / "netsuite.db").string();
    rig_ = netsuite::testing::MakeRig(o, options.client);

    auto st = store::OpenStore("sqlite::memory:", SystemClock::Get());
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);

    env_.config = &config_;
    env_.store = store_.get();
    env_.netsuite = rig_->client.get();
    env_.worker_id = "flows-test";
    if (options.backoff) env_.backoff = *options.backoff;
    env_.transport = [this](const config::PartnerConfig& p) -> Result<cleo::FileTransport*> {
      auto it = transports_.find(p.id);
      if (it == transports_.end()) {
        const std::string& password = cleo::TransportPasswordOf(config_.cleo, p).ref.value;
        ASSIGN_OR_RETURN(
            auto t, cleo::MakeTransport(config_.cleo, p, password, *rig_->http, RealFileSystem()));
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

  // One run of every flow; returns the summed counts and collects the notes. A failed run fails
  // the test unless `failed_runs` is given (then it is counted there).
  std::map<std::string, int64_t> RunFlows(int* failed_runs = nullptr) {
    std::map<std::string, int64_t> counts;
    std::atomic<bool> stop{false};
    RunContext ctx(&stop);
    for (auto& f : flows_) {
      auto r = f->Run(ctx);
      if (failed_runs != nullptr) {
        *failed_runs += r.ok() ? 0 : 1;
      } else {
        EXPECT_TRUE(r.ok()) << f->name() << ": " << r.status().ToString();
      }
      if (!r.ok()) continue;
      for (const auto& [k, v] : r->counts) counts[f->name() + "." + k] += v;
      for (const auto& n : r->notes) notes_.push_back(f->name() + ": " + n);
    }
    return counts;
  }

  // Documents not yet done or parked (pending, retry_wait, in_flight).
  int Unsettled() {
    int n = 0;
    for (auto s :
         {store::DocState::kPending, store::DocState::kRetryWait, store::DocState::kInFlight}) {
      store::DocumentQuery q;
      q.state = s;
      q.limit = 100000;
      auto docs = store_->ListDocuments(q);
      EXPECT_TRUE(docs.ok());
      n += docs.ok() ? static_cast<int>(docs->size()) : 0;
    }
    return n;
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
                                       nlohmann::json{{"externalId", "IR-TEST-" + d.po_number}});
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

  // The bills' externalIds, read straight from the sandbox's account (no faults on this path).
  std::map<std::string, int> BillExternalIds() {
    std::map<std::string, int> out;
    auto a = rig_->sandbox->state().SuiteQl(
        nlohmann::json{{"q",
                        "SELECT externalid AS e FROM transaction WHERE type = 'VendBill' "
                        "AND externalid IS NOT NULL"}}
            .dump(),
        1000, 0);
    EXPECT_EQ(a.status, 200) << a.body;
    auto j = nlohmann::json::parse(a.body, nullptr, false);
    if (j.is_discarded() || !j.contains("items")) return out;
    EXPECT_FALSE(j.value("hasMore", false)) << "more than 1000 bills: page this";
    for (const auto& row : j["items"]) ++out[row["e"].get<std::string>()];
    return out;
  }

  Outcome Collect() {
    Outcome o;
    o.bills = BillExternalIds();
    store::DocumentQuery all;
    all.limit = 100000;
    auto docs = store_->ListDocuments(all);
    EXPECT_TRUE(docs.ok());
    if (docs.ok()) {
      for (const auto& d : *docs) {
        ++o.states[std::string(store::DocStateName(d.state))];
        if (d.state == store::DocState::kParked) {
          o.parked.insert(
              fmt::format("{} {} {}: {}", d.type, d.partner, d.po_number, d.last_error_message));
        }
      }
    }
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      const std::string rel = fs::relative(e.path(), root_).string();
      if (!e.is_regular_file() || rel.rfind(".partners", 0) == 0) continue;
      ++o.files[rel];
      if (e.path().filename().string().find("_850_") == std::string::npos) continue;
      auto bytes = RealFileSystem().ReadFile(e.path());
      EXPECT_TRUE(bytes.ok()) << rel;
      for (const auto& beg : mlc::x12_testing::BegOf(bytes.ok() ? *bytes : "")) ++o.po_850s[beg];
    }
    return o;
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

}  // namespace mlc::flows::testing
