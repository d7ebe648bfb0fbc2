// po_outbound reads purchase orders either with SuiteQL in pages (netsuite.po_detail: suiteql,
// the default) or with one Record API GET each (record). Two worlds from the same seed, one each
// way: the partners must get the same 850s, and the SuiteQL world must ask NetSuite far less.
// An account that refuses the detail query falls back to the Record API for the run.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "tests/flows_sandbox/flows_world.h"

namespace mlc::flows {
namespace {

namespace fs = std::filesystem;
using testing::FlowsWorld;

// The X12 without its ISA and GS segments (their date and time are the clock's).
std::string WithoutEnvelopeHeaders(const std::string& x12) {
  if (x12.size() < 106 || x12.rfind("ISA", 0) != 0) return x12;
  const char terminator = x12[105];
  std::string out;
  size_t start = 0;
  while (start < x12.size()) {
    size_t end = x12.find(terminator, start);
    if (end == std::string::npos) end = x12.size();
    std::string segment = x12.substr(start, end - start);
    segment.erase(0, segment.find_first_not_of("\r\n"));
    if (!segment.empty() && segment.rfind("ISA", 0) != 0 && segment.rfind("GS", 0) != 0) {
      out += segment;
      out += terminator;
    }
    start = end + 1;
  }
  return out;
}

struct PoRun {
  std::map<std::string, std::string> files;  // outbox file -> content without ISA/GS
  int64_t requests = 0;                      // NetSuite requests of the po_outbound run
  int64_t sent = 0;
  int64_t read = 0;  // POs read in full: polled, less those of vendors without an 850 profile
  int64_t fallback = 0;
  std::vector<std::string> notes;
};

PoRun PoOutboundOnce(FlowsWorld& w) {
  PoRun r;
  const int64_t before = w.rig_->client->stats().requests;
  std::atomic<bool> stop{false};
  RunContext ctx(&stop);
  auto summary = w.flows_[0]->Run(ctx);  // po_outbound
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  if (summary.ok()) {
    auto& c = summary->counts;
    r.sent = c["sent"];
    r.read = c["polled"] - c["no_partner_profile"] - c["partner_takes_no_850"];
    r.fallback = c["read_by_record_fallback"];
    r.notes = summary->notes;
  }
  r.requests = w.rig_->client->stats().requests - before;
  for (const auto& e : fs::recursive_directory_iterator(w.root_)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), w.root_).string();
    if (rel.find("outbox") == std::string::npos) continue;
    auto bytes = RealFileSystem().ReadFile(e.path());
    EXPECT_TRUE(bytes.ok()) << rel;
    r.files[rel] = WithoutEnvelopeHeaders(bytes.ok() ? *bytes : "");
  }
  return r;
}

TEST(PoDetailWorldTest, SuiteQlAndTheRecordApiSendTheSame850s) {
  FlowsWorld suiteql;
  suiteql.Init();
  ASSERT_EQ(suiteql.config_.netsuite.po_detail, config::PoDetailSource::kSuiteQl);  // default
  FlowsWorld record;
  testing::WorldOptions o;
  o.adjust_config = [](config::Config& c) {
    c.netsuite.po_detail = config::PoDetailSource::kRecord;
  };
  record.Init(o);

  const PoRun a = PoOutboundOnce(suiteql);
  const PoRun b = PoOutboundOnce(record);
  ASSERT_GT(a.sent, 5);
  EXPECT_EQ(a.sent, b.sent);
  ASSERT_EQ(a.files.size(), static_cast<size_t>(a.sent));
  EXPECT_EQ(a.files, b.files);
  // The 850s carry what only the full read gives: ship-to and bill-to, terms, the ship date.
  for (const auto& [name, x12] : a.files) {
    SCOPED_TRACE(name);
    EXPECT_NE(x12.find("N1" + std::string(1, x12[2]) + "ST"), std::string::npos) << x12;
    EXPECT_NE(x12.find("N1" + std::string(1, x12[2]) + "BT"), std::string::npos) << x12;
    EXPECT_NE(x12.find("ITD" + std::string(1, x12[2])), std::string::npos) << x12;
    EXPECT_NE(x12.find("DTM" + std::string(1, x12[2]) + "010"), std::string::npos) << x12;
  }
  // Record API: one GET per PO read; SuiteQL: a header and a line query for all of them (the
  // poll and the reference data are the same both ways).
  std::cout << "po_outbound read " << a.read << " POs: " << a.requests
            << " NetSuite requests with SuiteQL, " << b.requests << " with the Record API\n";
  EXPECT_EQ(a.read, b.read);
  EXPECT_GE(a.read, a.sent);
  EXPECT_EQ(b.requests - a.requests, a.read - 2) << "suiteql " << a.requests << ", record "
                                                 << b.requests;
}

TEST(PoDetailWorldTest, AnAccountThatRefusesTheDetailQueryIsReadWithTheRecordApi) {
  FlowsWorld w;
  testing::WorldOptions o;
  o.netsuite_db_file = true;
  w.Init(o);
  // This account has no transactionShippingAddress table: NetSuite answers the header query
  // with 400 "Invalid search query.", as it does for an unknown table or column.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((w.root_ / "netsuite.db").c_str(), &db, SQLITE_OPEN_READWRITE,
                            nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  EXPECT_EQ(sqlite3_exec(db, "DROP TABLE transactionshippingaddress", nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  const PoRun r = PoOutboundOnce(w);
  ASSERT_GT(r.sent, 5);
  EXPECT_EQ(r.fallback, r.read);
  ASSERT_EQ(r.files.size(), static_cast<size_t>(r.sent));
  bool noted = false;
  for (const std::string& n : r.notes) {
    noted |= n.find("refused the SuiteQL query for purchase order detail") != std::string::npos &&
             n.find("netsuite.po_detail: record") != std::string::npos;
  }
  EXPECT_TRUE(noted);
  // Read through the Record API: the bill-to is there, the ship-to (its table gone) is not.
  for (const auto& [name, x12] : r.files) {
    EXPECT_NE(x12.find("N1" + std::string(1, x12[2]) + "BT"), std::string::npos) << name;
    EXPECT_EQ(x12.find("N1" + std::string(1, x12[2]) + "ST"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace mlc::flows
