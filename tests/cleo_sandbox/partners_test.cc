// The trading-partner simulator: deterministic answers, each partner's quirks, and output that is
// valid X12 for our envelope checker and (when installed) for node-x12.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "common/decimal.h"
#include "common/file_system.h"
#include "edi/documents.h"
#include "edi/envelope.h"
#include "edi/reader.h"
#include "edi/validator.h"
#include "sandbox/partners/simulator.h"
#include "sandbox/partners/x12_docs.h"
#include "support.h"

namespace mlc::sandbox::partners {
namespace {

namespace fs = std::filesystem;
using testing_support::Build850;
using testing_support::ReadText;
using testing_support::TempDir;
using testing_support::WriteText;

std::vector<PartnerProfile> Profiles() {
  PartnerProfile acme;
  acme.id = "ACME";
  acme.mailbox = "acme";
  acme.line_break = "\n";
  acme.seed = 11;
  acme.quirks.price_variance_percent = "2.5";

  PartnerProfile globex;
  globex.id = "GLOBEX";
  globex.mailbox = "globex";
  globex.version = "005010";
  globex.element = '|';
  globex.component = ':';
  globex.line_break = "\r\n";
  globex.seed = 22;
  globex.invoice_after_steps = 2;
  globex.quirks.change_line_percent = 30;
  globex.quirks.reject_line_percent = 15;
  globex.quirks.short_ship_percent = 50;
  globex.quirks.duplicate_invoice_number = true;

  PartnerProfile initech;
  initech.id = "INITECH";
  initech.mailbox = "initech";
  initech.element = '^';
  initech.component = '\\';
  initech.segment = '\'';
  initech.seed = 33;
  initech.invoice_after_steps = 0;
  initech.quirks.unknown_item = true;
  initech.quirks.malformed = "810";
  return {acme, globex, initech};
}

// Drops `orders` 850s into every partner's outbox.
void DropOrders(const fs::path& root, int orders) {
  for (const auto& p : Profiles()) {
    fs::create_directories(root / p.mailbox / "outbox");
    for (int i = 1; i <= orders; ++i) {
      const std::string po = p.id + "-PO-" + std::to_string(i);
      WriteText(root / p.mailbox / "outbox" / (po + ".x12"),
                Build850(p.id + "SUP", po, 5, std::to_string(1000 + i)));
    }
  }
}

// Runs `steps` rounds; returns inbox file name -> bytes across all partners.
std::map<std::string, std::string> RunSteps(const fs::path& root, int steps) {
  for (int i = 0; i < steps; ++i) {
    auto r = Step(root, Profiles());
    EXPECT_TRUE(r.ok()) << r.status();
  }
  std::map<std::string, std::string> files;
  for (const auto& p : Profiles()) {
    if (!fs::exists(root / p.mailbox / "inbox")) continue;
    for (const auto& e : fs::directory_iterator(root / p.mailbox / "inbox")) {
      files[e.path().filename().string()] = ReadText(e.path());
    }
  }
  return files;
}

std::vector<edi::Finding> Findings(const std::string& x12) {
  edi::MemorySource src(x12);
  auto f = edi::CheckEnvelopes(src);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *f : std::vector<edi::Finding>{};
}

TEST(PartnerSimulator, AnswersEveryOrderWith997And855AndLater810) {
  TempDir dir("partners");
  DropOrders(dir.path(), 2);
  auto r1 = Step(dir.path(), Profiles());
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_EQ(r1->files_consumed, 6);
  EXPECT_EQ(r1->orders, 6);
  EXPECT_EQ(r1->acks_997, 6);
  EXPECT_EQ(r1->acks_855, 6);
  EXPECT_EQ(r1->invoices, 2);  // INITECH invoices in the same round
  // The 850s were "sent": outboxes are empty, sentboxes hold them, and nothing is answered twice.
  EXPECT_TRUE(fs::is_empty(dir.path() / "acme" / "outbox"));
  EXPECT_EQ(RealFileSystem().ListDir(dir.path() / "acme" / "sentbox")->size(), 2u);
  auto r2 = Step(dir.path(), Profiles());
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->files_consumed, 0);
  EXPECT_EQ(r2->invoices, 2);  // ACME, one round later
  auto r3 = Step(dir.path(), Profiles());
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->invoices, 2);  // GLOBEX, two rounds later
  auto r4 = Step(dir.path(), Profiles());
  EXPECT_EQ(r4->invoices + r4->acks_855 + r4->acks_997, 0);
}

TEST(PartnerSimulator, DeterministicForAGivenSeed) {
  TempDir a("partners-a"), b("partners-b");
  DropOrders(a.path(), 3);
  DropOrders(b.path(), 3);
  auto fa = RunSteps(a.path(), 3);
  auto fb = RunSteps(b.path(), 3);
  EXPECT_EQ(fa.size(), 3u * 3u * 3u);  // 3 partners x 3 orders x (997, 855, 810)
  EXPECT_EQ(fa, fb);
  // Another seed changes GLOBEX's decisions.
  TempDir c("partners-c");
  DropOrders(c.path(), 3);
  auto other = Profiles();
  other[1].seed = 99;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Step(c.path(), other).ok());
  std::map<std::string, std::string> fc;
  for (const auto& e : fs::directory_iterator(c.path() / "globex" / "inbox")) {
    fc[e.path().filename().string()] = ReadText(e.path());
  }
  bool differs = false;
  for (const auto& [name, bytes] : fc) differs |= fa[name] != bytes;
  EXPECT_TRUE(differs);
}

TEST(PartnerSimulator, EveryFileIsValidX12ExceptTheDeliberatelyMalformedOne) {
  TempDir dir("partners-valid");
  DropOrders(dir.path(), 3);
  auto files = RunSteps(dir.path(), 3);
  int malformed = 0, schema_checked = 0;
  for (const auto& [name, bytes] : files) {
    auto findings = Findings(bytes);
    if (name.rfind("INITECH_810_", 0) == 0) {
      ++malformed;
      ASSERT_FALSE(findings.empty()) << name;
      EXPECT_EQ(edi::FindingKindName(findings[0].kind), "segment-count-wrong") << name;
      auto bad = edi::ValidateInput(bytes);
      ASSERT_TRUE(bad.ok());
      EXPECT_FALSE(bad->ok()) << name;
      continue;
    }
    EXPECT_TRUE(findings.empty()) << name << ": " << findings[0].message;
    // Against the 997/855/810 schemas of their version, not only the envelopes.
    auto report = edi::ValidateInput(bytes);
    ASSERT_TRUE(report.ok()) << name << ": " << report.status();
    EXPECT_TRUE(report->ok()) << edi::FormatReport(*report, name);
    ++schema_checked;
    auto counts = edi::CountEnvelopes(bytes);
    ASSERT_TRUE(counts.ok()) << name << ": " << counts.status();
    EXPECT_EQ(counts->interchanges, 1u);
    EXPECT_EQ(counts->sets, 1u);
  }
  EXPECT_EQ(malformed, 3);
  EXPECT_EQ(schema_checked, 24);
}

TEST(PartnerSimulator, PartnerQuirksShowInTheFiles) {
  TempDir dir("partners-quirks");
  DropOrders(dir.path(), 4);
  auto files = RunSteps(dir.path(), 3);

  // ACME: 004010, '*' '~' + LF; one invoice line 2.5% over the PO price of 12.50.
  const std::string& acme810 = files.at("ACME_810_000000009.x12");
  EXPECT_EQ(acme810.substr(0, 4), "ISA*");
  EXPECT_NE(acme810.find("*U*00401*"), std::string::npos);
  EXPECT_NE(acme810.find("~\nGS*IN*"), std::string::npos);
  EXPECT_NE(acme810.find("*EA*12.81**VP*"), std::string::npos) << acme810;  // 12.8125 rounded

  // GLOBEX: 005010 with '|', ISA11 '^', CRLF; lines changed or rejected; invoice numbers reused.
  std::string globex855s, globex810s;
  std::set<std::string> invoice_numbers;
  for (const auto& [name, bytes] : files) {
    if (name.rfind("GLOBEX_855_", 0) == 0) globex855s += bytes;
    if (name.rfind("GLOBEX_810_", 0) == 0) {
      globex810s += bytes;
      const size_t start = bytes.find('|', bytes.find("BIG|") + 4) + 1;
      invoice_numbers.insert(bytes.substr(start, bytes.find('|', start) - start));
    }
  }
  EXPECT_EQ(globex855s.substr(0, 4), "ISA|");
  EXPECT_NE(globex855s.find("|^|00501|"), std::string::npos);
  EXPECT_NE(globex855s.find("~\r\nGS|PR|"), std::string::npos);
  EXPECT_NE(globex855s.find("BAK|00|AC|"), std::string::npos) << "no order with changes";
  const bool any_change = globex855s.find("ACK|IQ|") != std::string::npos ||
                          globex855s.find("ACK|IP|") != std::string::npos;
  EXPECT_TRUE(any_change);
  EXPECT_NE(globex855s.find("ACK|IR|"), std::string::npos);
  EXPECT_EQ(invoice_numbers.size(), 1u) << "duplicate invoice number quirk";
  // Short shipment: some invoiced line carries 7 of the 10 ordered (3/4, rounded down).
  EXPECT_NE(globex810s.find("IT1|"), std::string::npos);
  EXPECT_NE(globex810s.find("|7|EA|"), std::string::npos) << globex810s;

  // INITECH: '^' and '\'' delimiters, no line breaks, an item we never ordered.
  std::string initech810;
  for (const auto& [name, bytes] : files) {
    if (name.rfind("INITECH_810_", 0) == 0) initech810 = bytes;
  }
  EXPECT_EQ(initech810.substr(0, 4), "ISA^");
  EXPECT_EQ(initech810.find('\n'), std::string::npos);
  EXPECT_NE(initech810.find("^VP^UNKNOWN-"), std::string::npos);
}

// Reads one file's only transaction set with the typed views of src/edi.
template <typename T, typename Fn>
T ReadTyped(const std::string& x12, Fn read) {
  edi::MemorySource src(x12);
  edi::Reader reader(src);
  for (;;) {
    auto ev = reader.Next();
    EXPECT_TRUE(ev.ok()) << ev.status();
    if (!ev.ok() || ev->kind == edi::EventKind::kEnd) break;
    if (ev->kind == edi::EventKind::kTransactionSet) {
      auto typed = read(ev->set->segments);
      EXPECT_TRUE(typed.ok()) << typed.status();
      if (typed.ok()) return *typed;
    }
  }
  ADD_FAILURE() << "no transaction set";
  return T{};
}

TEST(PartnerSimulator, TypedViewsReadTheBusinessContentBack) {
  TempDir dir("partners-typed");
  DropOrders(dir.path(), 1);
  auto files = RunSteps(dir.path(), 3);
  // ACME: everything accepted, invoiced in full, one line 2.5% over 12.50.
  auto ack = ReadTyped<edi::PoAck855>(files.at("ACME_855_000000002.x12"), edi::Read855);
  EXPECT_EQ(ack.type, "AT");
  EXPECT_EQ(ack.po_number, "ACME-PO-1");
  ASSERT_EQ(ack.lines.size(), 5u);
  for (const auto& l : ack.lines) {
    ASSERT_EQ(l.acks.size(), 1u);
    EXPECT_EQ(l.acks[0].status, "IA");
  }
  auto inv = ReadTyped<edi::Invoice810>(files.at("ACME_810_000000003.x12"), edi::Read810);
  EXPECT_EQ(inv.po_number, "ACME-PO-1");
  EXPECT_EQ(inv.number, "INVACMEPO1");
  ASSERT_EQ(inv.lines.size(), 5u);
  Decimal sum;
  int over = 0;
  for (const auto& l : inv.lines) {
    EXPECT_EQ(l.quantity, Decimal::FromInt(10));
    if (l.unit_price != *Decimal::Parse("12.50")) {
      ++over;
      EXPECT_EQ(l.unit_price, *Decimal::Parse("12.81"));
    }
    sum = *sum.Add(*l.quantity.Mul(l.unit_price, 2, RoundingMode::kHalfUp));
  }
  EXPECT_EQ(over, 1);
  EXPECT_EQ(inv.total, sum);  // TDS01 (N2) agrees with the lines
  EXPECT_EQ(inv.total, *Decimal::Parse("628.10"));
  // INITECH: the unknown item is the 6th invoice line.
  std::string initech810;
  for (const auto& [name, bytes] : files) {
    if (name.rfind("INITECH_810_", 0) == 0) initech810 = bytes;
  }
  auto bad = ReadTyped<edi::Invoice810>(initech810, edi::Read810);
  ASSERT_EQ(bad.lines.size(), 6u);
  ASSERT_FALSE(bad.lines[5].ids.empty());
  EXPECT_EQ(bad.lines[5].ids[0].id.rfind("UNKNOWN-", 0), 0u);
}

TEST(PartnerSimulator, The997AcknowledgesTheGroup) {
  TempDir dir("partners-997");
  fs::create_directories(dir.path() / "acme" / "outbox");
  WriteText(dir.path() / "acme" / "outbox" / "po.x12", Build850("ACMESUP", "P1", 2, "4242"));
  auto files = RunSteps(dir.path(), 1);
  const std::string& ack = files.at("ACME_997_000000001.x12");
  EXPECT_NE(ack.find("GS*FA*ACMESUP*MLCBUYER*20260315*0930*1*X*004010~"), std::string::npos) << ack;
  EXPECT_NE(ack.find("AK1*PO*4242~\nAK2*850*0001~\nAK5*A~\nAK9*A*1*1*1~"), std::string::npos)
      << ack;
  EXPECT_NE(ack.find("ISA*00*          *00*          *ZZ*ACMESUP        *ZZ*MLCBUYER       *"
                     "260315*0930*U*00401*000000001*0*P*>~"),
            std::string::npos)
      << ack;
}

TEST(PartnerSimulator, UnreadableFilesAreConsumedButNotAnswered) {
  TempDir dir("partners-bad");
  fs::create_directories(dir.path() / "acme" / "outbox");
  WriteText(dir.path() / "acme" / "outbox" / "junk.x12", "this is not X12");
  auto r = Step(dir.path(), {Profiles()[0]});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->unreadable, 1);
  EXPECT_TRUE(r->written.empty());
  auto again = Step(dir.path(), {Profiles()[0]});
  EXPECT_EQ(again->files_consumed, 0);
}

TEST(PartnerSimulator, LoadsTheExampleSeed) {
  auto p = LoadProfiles(fs::path(MLC_SOURCE_DIR) / "sandbox/cleo/seed.example.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[1].version, "005010");
  EXPECT_EQ((*p)[1].element, '|');
  EXPECT_EQ((*p)[1].line_break, "\r\n");
  EXPECT_EQ((*p)[2].segment, '\'');
  EXPECT_EQ((*p)[2].quirks.malformed, "810");
  EXPECT_EQ((*p)[2].quirks.percent, 30);
  TempDir dir("seed");
  WriteText(dir.path() / "bad4.yaml", "partners:\n  - {id: X, quirks: {percent: 101}}\n");
  EXPECT_EQ(LoadProfiles(dir.path() / "bad4.yaml").status().code(), StatusCode::kInvalidArgument);
  WriteText(dir.path() / "bad.yaml", "partners:\n  - {id: X, version: '4010'}\n");
  EXPECT_EQ(LoadProfiles(dir.path() / "bad.yaml").status().code(), StatusCode::kInvalidArgument);
  WriteText(dir.path() / "bad2.yaml", "partners:\n  - {id: X, delimiters: {element: 'A'}}\n");
  EXPECT_EQ(LoadProfiles(dir.path() / "bad2.yaml").status().code(), StatusCode::kInvalidArgument);
  WriteText(dir.path() / "bad3.yaml", "partners:\n  - {id: ../x}\n");
  EXPECT_EQ(LoadProfiles(dir.path() / "bad3.yaml").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadProfiles(dir.path() / "missing.yaml").status().code(), StatusCode::kNotFound);
}

// Another parser's opinion: node-x12 (npm) parses every valid file. scripts/cleo-node-x12 installs
// it into a temporary folder and runs this test with MLC_NODE_X12_DIR set.
TEST(PartnerSimulator, NodeX12AcceptsTheFiles) {
  const char* dir_env = std::getenv("MLC_NODE_X12_DIR");
  if (dir_env == nullptr || !fs::exists(fs::path(dir_env) / "node_modules" / "node-x12")) {
    GTEST_SKIP() << "node-x12 is not installed: run scripts/cleo-node-x12 (needs node and npm) "
                    "or set MLC_NODE_X12_DIR to a folder with node_modules/node-x12";
  }
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node is not installed";
  }
  TempDir dir("partners-node");
  DropOrders(dir.path(), 2);
  auto files = RunSteps(dir.path(), 3);
  std::string list;
  for (const auto& [name, bytes] : files) {
    WriteText(dir.path() / name, bytes);
    list += " " + (dir.path() / name).string();
  }
  const fs::path js = dir.path() / "check.js";
  WriteText(js, R"JS(
const { X12Parser } = require('node-x12');
const fs = require('fs');
for (const f of process.argv.slice(2)) {
  try {
    const ic = new X12Parser(true).parse(fs.readFileSync(f, 'utf8'));
    const groups = ic.functionalGroups.length;
    const sets = ic.functionalGroups.reduce((n, g) => n + g.transactions.length, 0);
    console.log('ok ' + f.split('/').pop() + ' ' + groups + ' ' + sets);
  } catch (e) {
    console.log('fail ' + f.split('/').pop() + ' ' + String(e.message || e).replace(/\n/g, ' '));
  }
}
)JS");
  const std::string cmd =
      "NODE_PATH=" + std::string(dir_env) + "/node_modules node " + js.string() + list;
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char line[1024];
  int ok = 0, failed_valid = 0, rejected_malformed = 0;
  while (std::fgets(line, sizeof line, p) != nullptr) {
    std::string l(line);
    const bool malformed = l.find("INITECH_810_") != std::string::npos;
    if (l.rfind("ok ", 0) == 0) {
      if (!malformed) ++ok;
      EXPECT_NE(l.find(" 1 1"), std::string::npos) << l;
    } else if (malformed) {
      ++rejected_malformed;
    } else {
      ++failed_valid;
      ADD_FAILURE() << "node-x12 rejected: " << l;
    }
  }
  EXPECT_EQ(::pclose(p), 0);
  EXPECT_EQ(ok, static_cast<int>(files.size()) - 2);
  EXPECT_EQ(failed_valid, 0);
  EXPECT_EQ(rejected_malformed, 2) << "node-x12 (strict) should reject a wrong SE01 too";
  std::printf("node-x12: %d valid files accepted; %d of 2 malformed files rejected\n", ok,
              rejected_malformed);
}

}  // namespace
}  // namespace mlc::sandbox::partners
