// Small string helpers shared by several areas.
//
// Thread safety: pure functions.
#pragma once

#include <cctype>
#include <string_view>

namespace mlc {

// `s` without leading and trailing whitespace (std::isspace: space, \t, \n, \v, \f, \r).
inline std::string_view TrimWhitespace(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace mlc
