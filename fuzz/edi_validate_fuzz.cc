// libFuzzer target: schema validation, the 997/999 builders, the typed document readers and the
// inbound acknowledgment parser on arbitrary bytes. Nothing may crash, hang or throw; a built 997
// must itself read back as a 997. Defines only LLVMFuzzerTestOneInput so tests/fuzz_replay can
// link it into the corpus replay (the corpus is the sample files, fuzz/corpus/edi_validate_fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

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
    (void)mlc::edi::Read850(ev->set->segments);
    (void)mlc::edi::Read810(ev->set->segments);
    (void)mlc::edi::Read855(ev->set->segments);
  }
  return 0;
}
