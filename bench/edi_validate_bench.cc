// Google Benchmarks for full parse + schema validation (validator.h) on the generated realistic
// 810s of bench/edi_synthetic.h (8 MB, ~10k invoices, 29 segments each). Run from a Release
// build: build/release/bench/edi_validate_bench. Reports input bytes/second.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "edi/ack.h"
#include "edi/reader.h"
#include "edi/validator.h"
#include "edi_synthetic.h"

namespace mlc::edi {
namespace {

const std::string& Input() {
  static const std::string* input = [] {
    auto r = bench::Synthetic810(8 << 20);
    if (!r.ok()) std::abort();  // belief: the generator's values are valid
    return new std::string(std::move(r).value());
  }();
  return *input;
}

// Read + envelope checks + schema validation of every set, building the report (what
// `edi validate` and the inbound flows do).
void BM_ParseAndValidate(benchmark::State& state) {
  const std::string& in = Input();
  for (auto _ : state) {
    MemorySource src(in, 64 * 1024);
    auto report = ValidateInput(src);
    if (!report.ok() || !report->ok()) state.SkipWithError("synthetic input did not validate");
    benchmark::DoNotOptimize(report);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_ParseAndValidate)->Unit(benchmark::kMillisecond);

// Schema validation alone (structure + elements), sets handed over by the reader.
void BM_ValidateSetsOnly(benchmark::State& state) {
  const std::string& in = Input();
  const TransactionSetSchema* schema = SchemaRegistry::Builtin().Find("810", "004010");
  for (auto _ : state) {
    MemorySource src(in);
    Reader reader(src);
    size_t rejected = 0;
    for (;;) {
      auto ev = reader.Next();
      if (!ev.ok() || ev->kind == EventKind::kEnd) break;
      if (ev->kind != EventKind::kTransactionSet) continue;
      rejected += ValidateSet(ev->set->segments, schema).code == AckCode::kRejected;
    }
    benchmark::DoNotOptimize(rejected);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_ValidateSetsOnly)->Unit(benchmark::kMillisecond);

// Validation plus building the 997 for the whole input (10 groups).
void BM_ValidateAndAck(benchmark::State& state) {
  const std::string& in = Input();
  AckOptions o;
  o.interchange_control_number = "1";
  o.group_control_number = "1";
  o.set_control_number = "0001";
  o.date = "20240101";
  o.time = "1200";
  for (auto _ : state) {
    MemorySource src(in, 64 * 1024);
    auto report = ValidateInput(src);
    auto ack = BuildAcknowledgment(report->interchanges[0], o);
    benchmark::DoNotOptimize(ack);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_ValidateAndAck)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mlc::edi

BENCHMARK_MAIN();
