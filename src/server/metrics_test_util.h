// Test support for /metrics: reads Prometheus text format back into "name{labels}" -> value.
// Header-only, for *_test.cc files. Thread safety: pure function.
#pragma once

#include <map>
#include <sstream>
#include <string>

namespace mlc::server::testing {

// "name{labels}" -> value (as printed), from the Prometheus text; comments and blanks skipped.
inline std::map<std::string, std::string> ParseSeries(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.rfind(' ');
    out[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return out;
}

}  // namespace mlc::server::testing
