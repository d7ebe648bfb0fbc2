// The sample corpus suite: every file in tests/data/samples/edi is validated and its outcome
// compared with tests/edi_corpus/expected.tsv (file, outcome, signature of the 997 codes, reason);
// for every file whose groups are not all accepted, the 997 we would send is compared with
// tests/golden/edi_997/<file>.997 (and for a few broken ones the 999, with its CTX segments, with
// tests/edi_corpus/golden_999/<file>.999). A file missing from expected.tsv fails the test.
//
// UPDATE_GOLDEN=1 rewrites the outcome and signature columns (reasons are kept; new files get
// "TODO") and the golden 997s, for review with git diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "edi/ack.h"
#include "edi/validator.h"

namespace mlc::edi {
namespace {

namespace fs = std::filesystem;

std::string SamplesDir() { return std::string(MLC_SAMPLES_DIR) + "/edi"; }
std::string ExpectedPath() { return std::string(MLC_SOURCE_DIR) + "/tests/edi_corpus/expected.tsv"; }
std::string GoldenDir() { return std::string(MLC_SOURCE_DIR) + "/tests/golden/edi_997"; }
bool Updating() {
  const char* u = std::getenv("UPDATE_GOLDEN");
  return u != nullptr && std::string(u) == "1";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Expected {
  std::string outcome;    // valid | invalid | not-x12
  std::string signature;  // the codes (see Signature)
  std::string reason;
};

std::map<std::string, Expected> LoadExpected() {
  std::map<std::string, Expected> out;
  std::ifstream in(ExpectedPath());
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 4) continue;
    out[cols[0]] = Expected{cols[1], cols[2], cols[3]};
  }
  return out;
}

std::string Join(const std::set<int>& s) {
  std::string out;
  for (int v : s) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

std::string SetSignature(const SetResult& s) {
  std::string sig = fmt::format("{}/{} {}", s.id, s.control_number, AckCodeChar(s.code));
  if (!s.set_errors.empty()) sig += fmt::format(" ak502={}", fmt::join(s.set_errors, ","));
  std::set<int> ak304, ak403;
  for (const SegmentError& e : s.segments) {
    if (!e.counts()) continue;
    ak304.insert(static_cast<int>(e.code));
    for (const ElementError& el : e.elements) {
      if (!el.tolerated) ak403.insert(static_cast<int>(el.code));
    }
  }
  if (!ak304.empty()) sig += " ak304=" + Join(ak304);
  if (!ak403.empty()) sig += " ak403=" + Join(ak403);
  return sig;
}

// A compact, stable description of every 997/TA1 code the report carries.
std::string Signature(const ValidationReport& r) {
  std::vector<std::string> parts;
  for (const InterchangeResult& ic : r.interchanges) {
    std::set<std::string> ta1;
    for (const Finding& f : ic.findings) ta1.insert(std::string(Ta105Code(f)));
    if (!ta1.empty()) parts.push_back(fmt::format("ta105={}", fmt::join(ta1, ",")));
    for (const GroupResult& g : ic.groups) {
      std::string gs = fmt::format("{}/{} {}", g.functional_id, g.control_number,
                                   AckCodeChar(g.code));
      if (!g.group_errors.empty()) gs += fmt::format(" ak905={}", fmt::join(g.group_errors, ","));
      parts.push_back(gs);
      for (const SetResult& s : g.sets) {
        if (s.code != AckCode::kAccepted || !s.set_errors.empty()) parts.push_back(SetSignature(s));
      }
    }
    for (const SetResult& s : ic.orphan_sets) parts.push_back("nogroup " + SetSignature(s));
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " | ") + p;
  return out.empty() ? "-" : out;
}

std::vector<std::string> SampleFiles() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(SamplesDir())) {
    std::string name = e.path().filename().string();
    if (name != "SOURCES.tsv" && e.is_regular_file()) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Outcome {
  std::string outcome, signature, ack;
};

Outcome RunSample(const std::string& file, AckKind kind = AckKind::k997) {
  std::string input = ReadFile(SamplesDir() + "/" + file);
  auto report = ValidateInput(input);
  Outcome o;
  if (!report.ok()) {
    o.outcome = "not-x12";
    o.signature = "-";
    return o;
  }
  o.outcome = report->ok() ? "valid" : "invalid";
  o.signature = Signature(*report);
  if (!report->ok()) {
    AckOptions ao;
    ao.kind = kind;
    ao.interchange_control_number = "900000001";
    ao.group_control_number = "9001";
    ao.set_control_number = "0001";
    ao.date = "20240102";
    ao.time = "1200";
    for (const InterchangeResult& ic : report->interchanges) {
      if (ic.groups.empty()) continue;
      auto ack = BuildAcknowledgment(ic, ao);
      if (ack.ok()) {
        o.ack += *ack;
      } else if (ack.error().code() != StatusCode::kFailedPrecondition) {  // FA-only: no 997
        o.ack += "error: " + ack.error().message() + "\n";
      }
    }
  }
  return o;
}

class CorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusTest, MatchesExpectedOutcomeAndGolden997) {
  const std::string file = GetParam();
  static const std::map<std::string, Expected> expected = LoadExpected();
  Outcome o = RunSample(file);
  std::string golden_path = GoldenDir() + "/" + file + ".997";
  if (Updating()) {
    if (o.ack.empty()) {
      fs::remove(golden_path);
    } else {
      std::ofstream(golden_path, std::ios::binary) << o.ack;
    }
    return;  // expected.tsv is rewritten once, by the Update test below
  }
  auto it = expected.find(file);
  ASSERT_NE(it, expected.end()) << file << " is not in expected.tsv (run with UPDATE_GOLDEN=1)";
  EXPECT_EQ(o.outcome, it->second.outcome) << file << ": " << it->second.reason;
  EXPECT_EQ(o.signature, it->second.signature) << file << ": " << it->second.reason;
  EXPECT_NE(it->second.reason, "TODO") << file << ": expected.tsv needs a reason";
  if (o.ack.empty()) {
    EXPECT_FALSE(fs::exists(golden_path)) << golden_path << " is stale";
  } else {
    EXPECT_EQ(o.ack, ReadFile(golden_path)) << "golden 997 " << golden_path;
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, CorpusTest, ::testing::ValuesIn(SampleFiles()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string n = p.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

// Golden 999s (005010X231A1) for broken samples whose errors carry context: the business unit
// identifier CTX (BEG03) in the IK3 loops after the BEG, and the situational trigger CTX of
// syntax-note errors in the IK4 loops. Files: tests/edi_corpus/golden_999/<file>.999.
std::string Golden999Dir() { return std::string(MLC_SOURCE_DIR) + "/tests/edi_corpus/golden_999"; }

class Corpus999Test : public ::testing::TestWithParam<std::string> {};

TEST_P(Corpus999Test, MatchesGolden999WithContexts) {
  const std::string file = GetParam();
  Outcome o = RunSample(file, AckKind::k999);
  std::string golden_path = Golden999Dir() + "/" + file + ".999";
  if (Updating()) {
    fs::create_directories(Golden999Dir());
    std::ofstream(golden_path, std::ios::binary) << o.ack;
    return;
  }
  ASSERT_FALSE(o.ack.empty()) << file << " should be acknowledged with errors";
  EXPECT_NE(o.ack.find("CTX"), std::string::npos) << file << ": no CTX in\n" << o.ack;
  EXPECT_EQ(o.ack, ReadFile(golden_path)) << "golden 999 " << golden_path;
}

INSTANTIATE_TEST_SUITE_P(
    Broken, Corpus999Test,
    ::testing::Values("ediengine__850.SyntaxNotes.ERR.edi",      // P0607 in PO1 and PO4: triggers
                      "mulesoft__850-5010-biztalk.edi",          // R notes after BEG: business unit
                      "mulesoft__850-5010-missing-po1.edi",      // structure errors after BEG
                      "mulesoft__850-5010-multiple-sets.edi"),   // REF R0203 in the second set
    [](const ::testing::TestParamInfo<std::string>& p) {
      std::string n = p.param;
      for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return n;
    });

// Rewrites expected.tsv (UPDATE_GOLDEN=1 only): outcome and signature from this run, the
// reasons kept.
TEST(CorpusUpdate, RewritesExpectedWhenAsked) {
  if (!Updating()) return;
  auto expected = LoadExpected();
  std::ofstream out(ExpectedPath());
  out << "# file\toutcome (valid|invalid|not-x12)\tsignature of the 997/TA1 codes\treason\n";
  for (const std::string& file : SampleFiles()) {
    Outcome o = RunSample(file);
    auto it = expected.find(file);
    std::string reason = it == expected.end() ? "TODO" : it->second.reason;
    out << file << '\t' << o.outcome << '\t' << o.signature << '\t' << reason << '\n';
  }
}

// Every file of the corpus is listed in SOURCES.tsv and in expected.tsv.
TEST(CorpusUpdate, EveryFileHasAnExpectation) {
  if (Updating()) return;
  auto expected = LoadExpected();
  for (const std::string& file : SampleFiles()) EXPECT_TRUE(expected.count(file)) << file;
  EXPECT_EQ(expected.size(), SampleFiles().size());
}

}  // namespace
}  // namespace mlc::edi
