// BegOf: the purchase orders an X12 file carries, as "PO BEG01" per BEG segment (BEG03 is the
// PO number, BEG01 00 original / 05 replace), so tests can count each PO's 850 files. The ISA
// fixes the delimiters (element at byte 3, segment terminator at byte 105); line breaks after
// segments are skipped. Header-only, no state.
#pragma once

#include <string>
#include <vector>

namespace mlc::x12_testing {

inline std::vector<std::string> BegOf(const std::string& x12) {
  std::vector<std::string> out;
  if (x12.size() < 106) return out;
  const char element = x12[3];
  const char segment = x12[105];
  for (size_t at = 0; at < x12.size();) {
    size_t end = x12.find(segment, at);
    if (end == std::string::npos) end = x12.size();
    std::string seg = x12.substr(at, end - at);
    while (!seg.empty() && (seg.front() == '\r' || seg.front() == '\n')) seg.erase(0, 1);
    if (seg.rfind(std::string("BEG") + element, 0) == 0) {
      std::vector<std::string> el;
      for (size_t p = 0, q; p <= seg.size(); p = q + 1) {
        q = seg.find(element, p);
        if (q == std::string::npos) q = seg.size();
        el.push_back(seg.substr(p, q - p));
      }
      if (el.size() > 3) out.push_back(el[3] + " " + el[1]);
    }
    at = end + 1;
  }
  return out;
}

}  // namespace mlc::x12_testing
