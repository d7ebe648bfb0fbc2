// libFuzzer target: what NetSuite answers to SuiteQL, on arbitrary bytes. The bytes are parsed as
// a SuiteQL response envelope (ParseSuiteQlPage must return a Status, never throw or crash) and
// every column of every row goes through each typed getter. The same bytes, as a value, are
// rendered into a statement: a value that is accepted must come out as exactly one string
// literal that reads back as the value (no way out of the quotes). Defines only
// LLVMFuzzerTestOneInput (see tests/fuzz_replay).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "netsuite/suiteql.h"

namespace {

void CheckLiteral(std::string_view value) {
  auto lit = mlc::netsuite::SuiteQlStringLiteral(value);
  if (!lit.ok()) return;
  const std::string& l = *lit;
  if (l.size() < 2 || l.front() != '\'' || l.back() != '\'') std::abort();
  std::string back;
  for (size_t i = 1; i + 1 < l.size(); ++i) {
    if (l[i] == '\'') {
      if (i + 2 >= l.size() || l[i + 1] != '\'') std::abort();  // a lone quote ends the literal
      ++i;
    }
    back.push_back(l[i]);
  }
  if (back != value) std::abort();
  auto text = mlc::netsuite::SuiteQl("SELECT id FROM vendor WHERE a = ? AND b = ?")
                  .Bind(value)
                  .Bind(value)
                  .Render();
  if (!text.ok() || *text != "SELECT id FROM vendor WHERE a = " + l + " AND b = " + l) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto page = mlc::netsuite::ParseSuiteQlPage(in);
  if (page.ok()) {
    for (const mlc::netsuite::Row& row : page->rows) {
      for (const auto& [column, value] : row.values()) {
        if (!row.Has(column) || row.Get(column) != value || !row.Require(column).ok()) {
          std::abort();
        }
        auto b = row.GetBool(column);
        if (b.ok() && (!b->has_value() || (value != "T" && value != "F"))) std::abort();
        (void)row.GetInt(column);
        (void)row.GetDecimal(column);
        (void)row.GetDate(column);
        (void)row.GetDateTime(column);
        (void)row.GetInstant(column, std::chrono::minutes(-480));
        (void)row.GetInstant(column, std::chrono::minutes(330));
      }
    }
  }
  CheckLiteral(in);
  return 0;
}
