// A generator of realistic X12 810 invoices for benchmarks (bench/edi_bench.cc,
// bench/edi_tokenize_bench.cc and bench/peers/run.sh): the structure of the Bots demo 810
// (tests/data/samples/edi/bots__810-004010-01.x12: BIG, REF, PER, N1 VN/BT/ST, ITD, 4 x IT1 + CTP
// + PID + SAC, TDS, ISS, CTT; 29 segments, about 800 bytes), with varying numbers, '~' + LF,
// 1000 sets per functional group. Deterministic: the same arguments give the same bytes.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "edi/writer.h"

namespace mlc::edi::bench {

// Appends invoice number `n` (a whole ST..SE) to `w`, which must have an open group.
inline Status AddSynthetic810(Writer& w, uint64_t n) {
  std::string cn = fmt::format("{:09}", n % 1000000000);
  std::string inv = fmt::format("INV{:07}", n % 10000000);
  RETURN_IF_ERROR(w.BeginSet("810", cn));
  RETURN_IF_ERROR(w.Add("BIG", {"20240524", inv, "20240523", fmt::format("PO{:06}", n % 1000000)}));
  RETURN_IF_ERROR(w.Add("REF", {"AI", fmt::format("{}", 465000 + n % 1000)}));
  RETURN_IF_ERROR(w.Add("REF", {"GT", "R100420888", "GST REGISTRATION NO."}));
  RETURN_IF_ERROR(w.Add("PER", {"AR", "NINA MARIE", "TE", "402-948-7632"}));
  RETURN_IF_ERROR(w.Add("N1", {"VN", "BARRY AND LAMB CAN", "9", "2055574240000"}));
  RETURN_IF_ERROR(w.Add("N1", {"BT", "MACDONALDS CONSOLIDATED LTD", "9", "2100988529600"}));
  RETURN_IF_ERROR(w.Add("N1", {"ST", "MACDONALDS CO A DIV OF CANADA", "9", "2100988521100"}));
  RETURN_IF_ERROR(w.Add("ITD", {"01", "2", "1", "20240608", "15", "20240623", "30"}));
  for (int line = 0; line < 4; ++line) {
    uint64_t k = n * 4 + line;
    RETURN_IF_ERROR(w.Add("IT1", {"", fmt::format("{}", 1 + k % 40), "CA",
                                  fmt::format("{}.{:02}", 10 + k % 300, k % 100), "", "UA",
                                  fmt::format("{:012}", 1055503000 + k % 100000)}));
    RETURN_IF_ERROR(w.Add("CTP", {"", "UCP", fmt::format("{}.{:02}", 1 + k % 9, k % 100),
                                  fmt::format("{}", 100 + k % 400), "EA"}));
    RETURN_IF_ERROR(w.Add("PID", {"F", "08", "", "", "SSS CONVENIENT SIZE - 120ML"}));
    RETURN_IF_ERROR(w.Add("SAC", {"C", "D360", "", "", fmt::format("{}", 5000 + k % 20000), "2", "7"}));
  }
  RETURN_IF_ERROR(w.Add("TDS", {fmt::format("{}", 843202 + n % 1000)}));
  RETURN_IF_ERROR(w.Add("ISS", {"1464", "CA", "600", "LB"}));
  RETURN_IF_ERROR(w.Add("CTT", {"4"}));
  return w.EndSet();
}

// Calls `sink(bytes)` with consecutive pieces of one interchange (one piece per group) until at
// least `target_bytes` were produced. Returns the number of invoices.
template <typename Sink>
Result<uint64_t> GenerateSynthetic810(uint64_t target_bytes, Sink sink) {
  WriterOptions o;
  o.line_break = LineBreak::kLf;
  Writer w(o);
  IsaFields isa;
  isa.sender_id = "ABYZ000";
  isa.receiver_qualifier = "08";
  isa.receiver_id = "9251750000";
  isa.date = "240527";
  isa.time = "0831";
  isa.control_number = "224";
  RETURN_IF_ERROR(w.BeginInterchange(isa));
  uint64_t produced = 0, invoices = 0, group = 0;
  while (produced + w.out().size() < target_bytes) {
    GsFields gs;
    gs.functional_id = "IN";
    gs.sender = "ABYZ000";
    gs.receiver = "8019721193";
    gs.date = "20240527";
    gs.time = "0831";
    gs.control_number = std::to_string(++group);
    gs.version = "004010";
    RETURN_IF_ERROR(w.BeginGroup(gs));
    for (int i = 0; i < 1000; ++i) RETURN_IF_ERROR(AddSynthetic810(w, invoices++));
    RETURN_IF_ERROR(w.EndGroup());
    std::string piece = w.Take();
    produced += piece.size();
    RETURN_IF_ERROR(sink(piece));
  }
  RETURN_IF_ERROR(w.EndInterchange());
  std::string tail = w.Take();
  RETURN_IF_ERROR(sink(tail));
  return invoices;
}

inline Result<std::string> Synthetic810(uint64_t target_bytes) {
  std::string out;
  RETURN_IF_ERROR(GenerateSynthetic810(target_bytes, [&](const std::string& piece) {
    out += piece;
    return Status::Ok();
  }));
  return out;
}

}  // namespace mlc::edi::bench
