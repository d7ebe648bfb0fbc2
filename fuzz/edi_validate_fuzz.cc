// libFuzzer target: schema validation, the 997/999 builders, the typed document readers and the
// inbound acknowledgment parser on arbitrary bytes. Nothing may crash, hang or throw; a built 997
// must itself read back as a 997. Defines only LLVMFuzzerTestOneInput so tests/fuzz_replay can
// link it into the corpus replay (the corpus is the sample files, fuzz/corpus/edi_validate_fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "edi/ack.h"
#include "edi/documents.h"
#include "edi/reader.h"
#include "edi/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto report = mlc::edi::ValidateInput(in);
  if (report.ok()) {
    (void)mlc::edi::FormatReport(*report, "fuzz");
    (void)mlc::edi::FormatReportJson(*report, "fuzz");
    mlc::edi::AckOptions o;
    o.interchange_control_number = "1";
    o.group_control_number = "1";
    o.set_control_number = "0001";
    o.date = "20240101";
    o.time = "1200";
    for (const auto& ic : report->interchanges) {
      for (auto kind : {mlc::edi::AckKind::k997, mlc::edi::AckKind::k999}) {
        o.kind = kind;
        auto ack = mlc::edi::BuildAcknowledgment(ic, o);
        if (!ack.ok()) continue;
        auto back = mlc::edi::ParseAcknowledgments(*ack);
        if (!back.ok() || back->acks.empty()) std::abort();  // our own ack must read back
      }
    }
  }
  (void)mlc::edi::ParseAcknowledgments(in);
  mlc::edi::MemorySource src(in);
  mlc::edi::Reader reader(src);
  for (int guard = 0; guard < 100000; ++guard) {
    auto ev = reader.Next();
    if (!ev.ok() || ev->kind == mlc::edi::EventKind::kEnd) break;
    if (ev->kind != mlc::edi::EventKind::kTransactionSet) continue;
    // The validator judges the reader's segments (plainness known from its scan) exactly as
    // the same segments built otherwise (plainness unknown: the validator looks itself).
    const auto& segs = ev->set->segments;
    const std::string_view version =
        ev->group != nullptr ? ev->group->version() : std::string_view("004010");
    if (const auto* schema = mlc::edi::SchemaRegistry::Builtin().Find(ev->set->id(), version)) {
      std::vector<mlc::edi::Segment> copies;
      for (const auto& s : segs) {
        copies.emplace_back(s.raw(), s.element_data(), s.size() + 1, &s.delimiters(), s.location());
      }
      const auto a = mlc::edi::ValidateSet(segs, schema, {}, version);
      const auto b = mlc::edi::ValidateSet(copies, schema, {}, version);
      if (a.code != b.code || a.segments.size() != b.segments.size()) std::abort();
      for (size_t k = 0; k < a.segments.size(); ++k) {
        const auto& x = a.segments[k];
        const auto& y = b.segments[k];
        if (x.code != y.code || x.position != y.position || x.elements.size() != y.elements.size()) {
          std::abort();
        }
        for (size_t e = 0; e < x.elements.size(); ++e) {
          if (x.elements[e].code != y.elements[e].code ||
              x.elements[e].element != y.elements[e].element) {
            std::abort();
          }
        }
      }
    }
    (void)mlc::edi::Read850(segs);
    (void)mlc::edi::Read810(ev->set->segments);
    (void)mlc::edi::Read855(ev->set->segments);
  }
  return 0;
}
