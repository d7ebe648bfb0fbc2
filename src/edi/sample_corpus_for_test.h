// Test-only helpers shared by the edi tests: the sample corpus (tests/data/samples/edi and its
// SOURCES.tsv) and file reading. Header-only; included only by *_test.cc files.
#pragma once

#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace mlc::edi::testing {

inline std::string SamplesDir() { return std::string(MLC_SAMPLES_DIR) + "/edi"; }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::string ReadSample(const std::string& name) { return ReadFile(SamplesDir() + "/" + name); }

// One row of SOURCES.tsv.
struct SampleInfo {
  std::string file;
  std::string status;     // envelope-valid, inconsistent-sample, deliberately-invalid, ...
  std::string structure;  // "ISA=1 GS=1 ST=2 TA1=1" or "ISA=None ..."
  // Parsed structure counts (-1 when "None").
  std::map<std::string, int> counts;
};

inline std::vector<SampleInfo> LoadSamples() {
  std::vector<SampleInfo> out;
  std::ifstream in(SamplesDir() + "/SOURCES.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 9) continue;
    SampleInfo s{cols[0], cols[6], cols[8], {}};
    std::stringstream st(s.structure);
    std::string kv;
    while (st >> kv) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) continue;
      std::string v = kv.substr(eq + 1);
      s.counts[kv.substr(0, eq)] = v == "None" ? -1 : std::stoi(v);
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace mlc::edi::testing
