// Google Benchmarks for the X12 engine on generated realistic 810s (bench/edi_synthetic.h).
// Run from a Release build: build/release/bench/edi_bench. Reports bytes/second.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "edi/envelope.h"
#include "edi/json_form.h"
#include "edi/reader.h"
#include "edi_synthetic.h"

namespace mlc::edi {
namespace {

const std::string& Input() {
  static const std::string* input = [] {
    auto r = bench::Synthetic810(8 << 20);  // 8 MB, ~10k invoices
    if (!r.ok()) std::abort();              // belief: the generator's values are valid
    return new std::string(std::move(r).value());
  }();
  return *input;
}

// Tokenize: every segment split into element views, sets handed out whole.
void BM_Tokenize(benchmark::State& state) {
  const std::string& in = Input();
  uint64_t elements = 0;
  for (auto _ : state) {
    MemorySource src(in);
    Reader reader(src);
    for (;;) {
      auto ev = reader.Next();
      if (!ev.ok() || ev->kind == EventKind::kEnd) break;
      if (ev->kind == EventKind::kTransactionSet) {
        for (const Segment& s : ev->set->segments) elements += s.size();
      }
    }
    benchmark::DoNotOptimize(elements);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_Tokenize)->Unit(benchmark::kMillisecond);

// Tokenize through a file-descriptor-like source in 64 KiB reads (the streaming path).
void BM_TokenizeChunked(benchmark::State& state) {
  const std::string& in = Input();
  for (auto _ : state) {
    MemorySource src(in, 64 * 1024);
    Reader reader(src);
    size_t sets = 0;
    for (;;) {
      auto ev = reader.Next();
      if (!ev.ok() || ev->kind == EventKind::kEnd) break;
      sets += ev->kind == EventKind::kTransactionSet;
    }
    benchmark::DoNotOptimize(sets);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_TokenizeChunked)->Unit(benchmark::kMillisecond);

// Tokenize + envelope checks (counts, control numbers, duplicates).
void BM_TokenizeAndCheckEnvelopes(benchmark::State& state) {
  const std::string& in = Input();
  for (auto _ : state) {
    MemorySource src(in);
    auto f = CheckEnvelopes(src);
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_TokenizeAndCheckEnvelopes)->Unit(benchmark::kMillisecond);

// Write: building the same ~8 MB of 810s with the Writer (delimiter checks, trailers).
void BM_Write(benchmark::State& state) {
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto r = bench::Synthetic810(8 << 20);
    bytes += r->size();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Write)->Unit(benchmark::kMillisecond);

// X12 -> JSON form (nlohmann, in memory) on 1 MB.
void BM_ToJson(benchmark::State& state) {
  const std::string in = Input().substr(0, Input().find("GE*", 1 << 20));
  std::string x12 = in + "GE*1*1\n";  // the envelope checker is not involved; shape is enough
  for (auto _ : state) {
    auto doc = ToJson(x12);
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * x12.size()));
}
BENCHMARK(BM_ToJson)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mlc::edi

BENCHMARK_MAIN();
