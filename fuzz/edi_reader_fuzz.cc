// libFuzzer target: the X12 reader and envelope checks on arbitrary bytes, read whole and in
// 7-byte chunks (the two must agree event by event, down to every element of every segment: the
// reader's SIMD scan keeps state across reads), plus the canonical reformatting. Defines only
// LLVMFuzzerTestOneInput so tests/fuzz_replay can link it into the corpus replay.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "edi/envelope.h"
#include "edi/json_form.h"
#include "edi/reader.h"

namespace {

// The same tag and elements (the raw bytes may differ only in trailing line breaks).
// Also checks each one's plainness (Segment::Plain) against a plain look at its raw bytes.
bool PlainIsRight(const mlc::edi::Segment& s) {
  if (s.plain() == mlc::edi::Segment::Plain::kUnknown) return true;
  const mlc::edi::Delimiters& d = s.delimiters();
  bool special = false;
  for (char c : s.raw()) {
    const auto u = static_cast<unsigned char>(c);
    special |= c != d.element &&
               (u < 0x20 || u >= 0x7F || c == d.component || (d.repetition != 0 && c == d.repetition));
  }
  return s.plain() == (special ? mlc::edi::Segment::Plain::kNo : mlc::edi::Segment::Plain::kYes);
}

bool SameElements(const mlc::edi::Segment& x, const mlc::edi::Segment& y) {
  if (!PlainIsRight(x) || !PlainIsRight(y)) return false;
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i <= x.size(); ++i) {
    if (x.element_data()[i] != y.element_data()[i]) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  mlc::edi::ReaderOptions options;
  options.chunk_size = 64;
  options.max_set_bytes = 1 << 20;
  mlc::edi::MemorySource whole(in);
  mlc::edi::MemorySource chunked(in, 7);
  // The whole read marks plainness; the chunked one only for inputs of even size, so the
  // elements are also compared between reading with and without it.
  mlc::edi::ReaderOptions chunked_options = options;
  options.mark_plain = true;
  chunked_options.mark_plain = size % 2 == 0;
  mlc::edi::Reader a(whole, options);
  mlc::edi::Reader b(chunked, chunked_options);
  mlc::edi::EnvelopeChecker checker;
  for (int guard = 0; guard < 1000000; ++guard) {
    auto ea = a.Next();
    auto eb = b.Next();
    if (ea.ok() != eb.ok()) std::abort();  // chunking must not change the outcome
    if (!ea.ok()) break;
    if (ea->kind != eb->kind || ea->location.byte_offset != eb->location.byte_offset) std::abort();
    if ((ea->segment == nullptr) != (eb->segment == nullptr)) std::abort();
    if (ea->segment != nullptr && !SameElements(*ea->segment, *eb->segment)) std::abort();
    if (ea->kind == mlc::edi::EventKind::kTransactionSet) {
      const auto& sa = ea->set->segments;
      const auto& sb = eb->set->segments;
      if (sa.size() != sb.size()) std::abort();
      for (size_t k = 0; k < sa.size(); ++k) {
        if (!SameElements(sa[k], sb[k])) std::abort();
      }
    }
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
