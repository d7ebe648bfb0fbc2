#include "store/sql.h"

#include <charconv>

namespace mlc::store::internal {

namespace {
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

int64_t SqlRow::Int(size_t i) const {
  const auto& c = cells_.at(i);
  if (!c) return 0;
  int64_t v = 0;
  std::from_chars(c->data(), c->data() + c->size(), v);
  return v;
}

std::string SqlRow::Blob(size_t i) const {
  const auto& c = cells_.at(i);
  if (!c) return {};
  if (!hex_blobs_) return *c;
  // PostgreSQL bytea_output = hex (the default since 9.0): "\x" then two hex digits per byte.
  std::string_view s = *c;
  if (s.size() < 2 || s[0] != '\\' || s[1] != 'x') return *c;
  s.remove_prefix(2);
  std::string out;
  out.reserve(s.size() / 2);
  for (size_t k = 0; k + 1 < s.size(); k += 2) {
    out.push_back(static_cast<char>(HexDigit(s[k]) * 16 + HexDigit(s[k + 1])));
  }
  return out;
}

std::string InList(const std::vector<std::string>& values, SqlParams& params) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    params.emplace_back(values[i]);
    if (i > 0) out += ",";
    out += "$" + std::to_string(params.size());
  }
  out += ")";
  return out;
}

}  // namespace mlc::store::internal
