// Fuzzes mlc::Decimal: Parse and FromImplied on arbitrary bytes, and, when the input holds two
// numbers separated by '|', the arithmetic on them. Every accepted value must survive its text
// round trips, and the arithmetic must agree with itself (see the invariants below).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/decimal.h"

namespace {

#define FUZZ_CHECK(cond)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "invariant failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                              \
    }                                                                            \
  } while (false)

using mlc::Decimal;
using mlc::RoundingMode;

void CheckRoundTrips(const Decimal& d) {
  auto again = Decimal::Parse(d.ToString());
  FUZZ_CHECK(again.ok() && again->IdenticalTo(d));
  auto canonical = Decimal::Parse(d.ToCanonical());
  FUZZ_CHECK(canonical.ok() && *canonical == d && canonical->scale() <= d.scale());
  auto implied = d.ToImplied(d.scale());
  FUZZ_CHECK(implied.ok());
  auto back = Decimal::FromImplied(*implied, d.scale());
  FUZZ_CHECK(back.ok() && back->IdenticalTo(d));
  FUZZ_CHECK(d.Negate().Negate().IdenticalTo(d));
  FUZZ_CHECK(d.Abs().sign() >= 0 && d.Abs() == (d.sign() < 0 ? d.Negate() : d));
  for (int m = 0; m < 6; ++m) {
    auto mode = static_cast<RoundingMode>(m);
    FUZZ_CHECK(d.Format(d.scale(), mode) == d.ToString());
    for (int places : {0, 2, 18}) {
      auto r = d.Rescale(places, mode);
      if (r.ok()) FUZZ_CHECK(d.Format(places, mode) == r->ToString());
    }
  }
}

void CheckArithmetic(const Decimal& a, const Decimal& b, uint8_t knobs) {
  auto mode = static_cast<RoundingMode>(knobs % 6);
  int scale = (knobs / 6) % 19;
  auto sum = a.Add(b);
  if (sum.ok()) {
    auto back = sum->Sub(b);
    FUZZ_CHECK(back.ok() && *back == a);
  }
  auto diff = a.Sub(b);
  if (diff.ok()) FUZZ_CHECK((diff->sign() < 0) == (a < b) && (diff->is_zero()) == (a == b));
  auto one = a.Mul(Decimal::FromInt(1), a.scale(), mode);
  FUZZ_CHECK(one.ok() && one->IdenticalTo(a));
  auto p = a.Mul(b, scale, mode);
  auto q = b.Mul(a, scale, mode);
  FUZZ_CHECK(p.ok() == q.ok());
  if (p.ok()) FUZZ_CHECK(p->IdenticalTo(*q));
  auto down = a.Div(b, scale, RoundingMode::kFloor);
  auto up = a.Div(b, scale, RoundingMode::kCeiling);
  if (down.ok() && up.ok()) {
    FUZZ_CHECK(*down <= *up);
    auto gap = up->Sub(*down);  // at most one unit in the last place
    FUZZ_CHECK(gap.ok() && *gap <= Decimal::FromUnscaled(1, scale));
  }
  if (b.is_zero()) FUZZ_CHECK(!a.Div(b, scale, mode).ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto d = Decimal::Parse(in); d.ok()) CheckRoundTrips(*d);
  if (size > 0) {
    auto implied = Decimal::FromImplied(in.substr(1), data[0] % 20);  // 18, 19 are out of range
    if (implied.ok()) {
      CheckRoundTrips(*implied);
      FUZZ_CHECK(implied->scale() == data[0] % 20);
    }
  }
  if (size_t bar = in.find('|'); bar != std::string_view::npos && bar + 1 < size) {
    auto a = Decimal::Parse(in.substr(0, bar));
    auto b = Decimal::Parse(in.substr(bar + 2));
    if (a.ok() && b.ok()) CheckArithmetic(*a, *b, data[bar + 1]);
  }
  return 0;
}
