// libFuzzer target: the JSON form. Arbitrary bytes are parsed as JSON and written as X12
// (FromJsonText must return a Status, never throw or crash); when they are X12, X12 -> JSON -> X12
// must reproduce the canonical form. Defines only LLVMFuzzerTestOneInput (see tests/fuzz_replay).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "edi/json_form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto x12 = mlc::edi::FromJsonText(in);
  if (x12.ok()) {
    // Whatever the writer produced must read back.
    auto doc = mlc::edi::ToJson(*x12);
    (void)doc;
  }
  auto doc = mlc::edi::ToJson(in);
  if (doc.ok()) {
    auto text = mlc::edi::DumpJson(*doc);
    if (text.ok()) {
      auto back = mlc::edi::FromJsonText(*text);
      auto canonical = mlc::edi::Canonicalize(in);
      // A file that cannot be written back is refused (a delimiter inside the ISA), never
      // written differently.
      if (back.ok() && (!canonical.ok() || *back != *canonical)) std::abort();
    }
  }
  return 0;
}
