// libFuzzer target: the X12 reader and envelope checks on arbitrary bytes, read whole and in
// 7-byte chunks (the two must agree), plus the canonical reformatting. Defines only
// LLVMFuzzerTestOneInput so tests/fuzz_replay can link it into the corpus replay.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "edi/envelope.h"
#include "edi/json_form.h"
#include "edi/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  mlc::edi::ReaderOptions options;
  options.chunk_size = 64;
  options.max_set_bytes = 1 << 20;
  mlc::edi::MemorySource whole(in);
  mlc::edi::MemorySource chunked(in, 7);
  mlc::edi::Reader a(whole, options);
  mlc::edi::Reader b(chunked, options);
  mlc::edi::EnvelopeChecker checker;
  for (int guard = 0; guard < 1000000; ++guard) {
    auto ea = a.Next();
    auto eb = b.Next();
    if (ea.ok() != eb.ok()) std::abort();  // chunking must not change the outcome
    if (!ea.ok()) break;
    if (ea->kind != eb->kind || ea->location.byte_offset != eb->location.byte_offset) std::abort();
    checker.Observe(*ea);
    if (ea->kind == mlc::edi::EventKind::kTransactionSet) {
      for (const auto& s : ea->set->segments) {
        for (size_t i = 0; i <= s.size() + 1; ++i) (void)s.component(i, 2);
      }
    }
    if (ea->kind == mlc::edi::EventKind::kEnd) break;
  }
  for (const auto& f : checker.findings()) {
    (void)mlc::edi::Ta105Code(f);
    (void)mlc::edi::Ak502Code(f.kind);
  }
  auto canonical = mlc::edi::Canonicalize(in);
  if (canonical.ok()) {
    // The canonical form is a fixed point.
    auto again = mlc::edi::Canonicalize(*canonical);
    if (!again.ok() || *again != *canonical) std::abort();
  }
  return 0;
}
